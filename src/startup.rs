//! Builds the application: database, migrations, demo data, HTTP server. Used by `main` and
//! by the tests, which start it on port 0.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, Service, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{Compress, DefaultHeaders, ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, App, HttpServer};
use futures_util::future::{Either, FutureExt};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::error::{problem_response, Problem};
use crate::i18n::Msg;
use crate::mail::outbox_worker::{self, Worker};
use crate::mail::MailContext;
use crate::state::AppState;
use crate::{demo, i18n, routes};

pub struct Application {
    port: u16,
    server: Server,
    db: Db,
    clock: Arc<Clock>,
    mail: Arc<MailContext>,
    photos: Arc<crate::ops::photos::PhotoIntake>,
    worker: Option<tokio::task::JoinHandle<()>>,
}

impl Application {
    /// Opens (and migrates) the database, seeds demo data if asked, and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let db = Db::from_settings(&settings)?;
        let applied = db.migrate()?;
        if !applied.is_empty() {
            tracing::info!(count = applied.len(), "applied database migrations");
        }
        if settings.demo {
            let db2 = db.clone();
            let seeded = web::block(move || demo::prepare(&db2)).await??;
            if seeded {
                tracing::info!("seeded the demo organisation");
            }
        }
        let clock = Arc::new(Clock::new());
        let mail = Arc::new(MailContext::from_settings(&settings));
        let metrics = Arc::new(crate::metrics::Metrics::new());
        let worker = if settings.mail.worker_enabled {
            outbox_worker::release_leases_of_earlier_runs(&db)?;
            let worker = Worker::new(db.clone(), mail.clone(), clock.clone(), &settings.mail)?
                .with_metrics(metrics.clone());
            spawn_retention(db.clone(), clock.clone(), settings.retention.clone());
            // The statistics refresh is the worker's too: one scan every few minutes, never
            // one per request.
            crate::ops::statistics::refresh::spawn(
                db.clone(),
                settings.statistics.clone(),
                clock.clone(),
            );
            Some(outbox_worker::spawn(worker))
        } else {
            None
        };
        let listener = TcpListener::bind(settings.listen)?;
        let port = listener.local_addr()?.port();
        let photos = Arc::new(crate::ops::photos::PhotoIntake::new(&settings.photos));
        let oidc = match settings.oidc.clone() {
            Some(s) => Some(Arc::new(crate::oidc::Provider::new(s)?)),
            None => None,
        };
        let state = AppState {
            db: db.clone(),
            settings: Arc::new(settings),
            clock: clock.clone(),
            mail: mail.clone(),
            login_limiter: Arc::new(crate::domain::rate_limit::RateLimiter::new(
                chrono::Duration::minutes(15),
            )),
            report_limiter: Arc::new(crate::domain::rate_limit::RateLimiter::new(
                chrono::Duration::hours(1),
            )),
            photos: photos.clone(),
            metrics: metrics.clone(),
            oidc,
        };
        let server = build_server(listener, state)?;
        Ok(Application {
            port,
            server,
            db,
            clock,
            mail,
            photos,
            worker,
        })
    }

    /// The clock handlers and the worker use; tests move it forward.
    pub fn clock(&self) -> Arc<Clock> {
        self.clock.clone()
    }

    pub fn mail(&self) -> Arc<MailContext> {
        self.mail.clone()
    }

    /// The photo upload bounds (tests occupy the decoders through it).
    pub fn photos(&self) -> Arc<crate::ops::photos::PhotoIntake> {
        self.photos.clone()
    }

    /// Stops this instance's mail worker (tests use it to play a crash between commit and send).
    pub fn stop_worker(&mut self) {
        if let Some(worker) = self.worker.take() {
            worker.abort();
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    pub fn into_server(self) -> Server {
        self.server
    }
}

/// Retention once a day beside the mail worker (in `serve` and in `tillbud worker`): looks
/// every minute whether a day has passed since the last run (by the application's clock).
pub fn spawn_retention(
    db: Db,
    clock: Arc<Clock>,
    rules: crate::domain::retention::RetentionRules,
) -> Option<tokio::task::JoinHandle<()>> {
    if rules.0.is_empty() {
        return None;
    }
    Some(tokio::task::spawn_local(async move {
        loop {
            match crate::ops::retention::run_if_due(&db, &rules, clock.now()).await {
                Ok(Some(report)) => {
                    tracing::info!(anonymised = report.anonymised, "retention run finished")
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "retention run failed; trying again"),
            }
            tokio::time::sleep(RETENTION_LOOK).await;
        }
    }))
}

/// How often the retention task looks whether a day has passed.
const RETENTION_LOOK: std::time::Duration = std::time::Duration::from_secs(1);

fn build_server(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let workers = state.settings.workers;
    let metrics = state.metrics.clone();
    let state = web::Data::new(state);
    let spec = routes::openapi();
    let spec_json = web::Data::new(serde_json::to_string(&spec)?);
    let route_table = web::Data::new(routes::RouteTable::from_spec(&spec));
    let pages = web::Data::new(crate::web::Pages::load());

    // Browsers that reached tillbud over https keep to https for a year.
    let hsts = state.settings.base_url.starts_with("https://");

    let mut server = HttpServer::new(move || {
        let metrics = metrics.clone();
        let mut headers = DefaultHeaders::new()
            .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .add((header::REFERRER_POLICY, "no-referrer"))
            .add((header::X_FRAME_OPTIONS, "DENY"))
            .add((
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; frame-ancestors 'none'",
            ));
        if hsts {
            headers = headers.add((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"));
        }
        App::new()
            .wrap_fn(|req, srv| {
                if req.uri().path_and_query().map_or(0, |p| p.as_str().len()) > MAX_URI {
                    let response = req.into_response(uri_too_long()).map_into_right_body();
                    return Either::Left(std::future::ready(Ok(response)));
                }
                Either::Right(
                    srv.call(req)
                        .map(|r| r.map(ServiceResponse::map_into_left_body)),
                )
            })
            .wrap(ErrorHandlers::new().default_handler(as_problem))
            .wrap(Compress::default())
            .wrap(headers)
            .wrap_fn(|req, srv| {
                let lang = routes::request_lang(&req);
                let fut = srv.call(req);
                i18n::scope(lang, fut)
            })
            .wrap(TracingLogger::<crate::telemetry::RouteSpan>::new())
            .wrap_fn(move |req, srv| {
                // Outermost, so the status counted is the one the client gets.
                let (metrics, start) = (metrics.clone(), std::time::Instant::now());
                srv.call(req).map(move |res| {
                    if let Ok(res) = &res {
                        let route = res.request().match_pattern();
                        metrics.observe_request(
                            route.as_deref().unwrap_or("(no route)"),
                            res.status().as_u16(),
                            start.elapsed().as_secs_f64(),
                        );
                    }
                    res
                })
            })
            .app_data(state.clone())
            .app_data(route_table.clone())
            .app_data(pages.clone())
            .app_data(spec_json.clone())
            // Before the API scope, which would otherwise take every /api/v1 path.
            .route("/api/v1/openapi.json", web::get().to(openapi_json))
            .into_utoipa_app()
            .configure(routes::api)
            .into_app()
            .configure(crate::web::routes)
            .configure(routes::cases::acknowledge::routes)
            .configure(routes::auth::sso::routes)
            .default_service(web::to(routes::not_matched))
    })
    .listen(listener)?;
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.run())
}

async fn openapi_json(spec: web::Data<String>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("application/json")
        .body(spec.get_ref().clone())
}

/// Longest request target (path and query) taken: tillbud's own URLs stay within a few hundred
/// characters. Longer ones get a 414 problem document. Beyond 64 KiB actix-http refuses the
/// request itself (400), and a request head over 128 KiB gets 431 — both before any of this
/// code runs, with an empty body that cannot be changed from here.
const MAX_URI: usize = 8 * 1024;

fn uri_too_long() -> actix_web::HttpResponse {
    let lang = i18n::current();
    let problem = Problem {
        r#type: "urn:tillbud:problem:uri-too-long".into(),
        title: lang.t(Msg::HttpUriTooLong).into(),
        status: 414,
        detail: match lang {
            i18n::Lang::Sv => format!("Adressen får vara högst {MAX_URI} tecken."),
            i18n::Lang::En => format!("The URI may be at most {MAX_URI} characters."),
        },
        errors: Vec::new(),
        allowed: None,
    };
    problem_response(actix_web::http::StatusCode::URI_TOO_LONG, &problem)
}

/// A safety net: any error response not already a problem document (from actix itself or a
/// library) is rewritten into one, so clients never get text/plain.
fn as_problem<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    // A page that explains a refusal to a person keeps its HTML.
    let is_page = res
        .response()
        .extensions()
        .get::<crate::web::RefusalPage>()
        .is_some();
    if is_problem || is_page {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let lang = i18n::current();
    let problem = Problem {
        r#type: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail: lang.t(Msg::HttpNotProcessed).into(),
        errors: Vec::new(),
        allowed: None,
    };
    let (req, old) = res.into_parts();
    let mut new = problem_response(status, &problem);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new).map_into_right_body(),
    ))
}
