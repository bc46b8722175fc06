//! HTTP handlers, one file per operation, and the OpenAPI document they generate.

pub mod action_dto;
pub mod actions;
pub mod add_attachment;
pub mod admin;
pub mod auth;
pub mod auth_demo;
pub mod auth_session;
pub mod case_view;
pub mod cases;
pub mod cause_categories;
pub mod etag;
pub mod get_attachment;
pub mod health;
pub mod idempotency;
pub mod input;
pub mod me;
pub mod org_units;
pub mod reports;

use actix_web::dev::ServiceRequest;
use actix_web::http::{header, StatusCode};
use actix_web::{web, App, HttpRequest, HttpResponse};
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};

use crate::error::{problem_response, ApiError, Problem};
use crate::i18n;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tillbud",
        description = "Incident and near-miss reporting for a Swedish municipal group. \
                       Errors are RFC 9457 problem documents; texts are Swedish unless \
                       `Accept-Language` prefers English.",
        license(name = "EUPL-1.2", identifier = "EUPL-1.2"),
    ),
    tags(
        (name = "incidents", description = "Reporting and following events."),
        (name = "org", description = "The line organisation."),
        (name = "cases", description = "Case handling for staff: lists, the case, workflow, rating, legal duties, comments, history. Login required."),
        (name = "health", description = "Liveness and readiness."),
        (name = "auth", description = "Login links, sessions, API tokens, who am I."),
        (name = "actions", description = "Corrective actions (åtgärder) on cases: owner, due date, reminders."),
        (name = "admin", description = "Operations: mail delivery, absences, case history. Bearer admin token."),
    ),
    modifiers(&AdminSecurity)
)]
struct ApiDoc;

/// Declares the admin bearer token the admin operations refer to.
struct AdminSecurity;

impl utoipa::Modify for AdminSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Every API route, registered so that utoipa collects it into the spec.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(health::live).service(health::ready).service(
        scope::scope("/api/v1")
            .service(org_units::list_org_units)
            .service(org_units::get_org_unit)
            .service(reports::submit::create_incident)
            .service(reports::track::track_incident)
            .service(reports::comment::add_tracking_comment)
            .service(add_attachment::add_incident_attachment)
            .service(add_attachment::add_tracking_attachment)
            .service(get_attachment::get_tracking_attachment)
            .service(admin::outbox::list_outbox)
            .service(admin::outbox_retry::retry_outbox_mail)
            .service(admin::absence::set_manager_absence)
            .service(admin::history::incident_history)
            .service(auth::login_link::request_login_link)
            .service(auth_session::start_session)
            .service(auth_session::end_session)
            .service(auth_demo::list_demo_users)
            .service(auth_demo::demo_login)
            .service(me::get_me)
            .service(admin::users::list_users)
            .service(admin::users::update_user)
            .service(admin::users::grant_role)
            .service(auth::api_tokens::list_api_tokens)
            .service(auth::api_tokens::create_api_token)
            .service(auth::api_tokens::revoke_api_token)
            .service(actions::create::create_action)
            .service(actions::list_for_case::list_case_actions)
            .service(actions::list::list_actions)
            .service(actions::update::update_action)
            .service(actions::transition::transition_action)
            .service(cases::list::list_incidents)
            .service(cases::get::get_incident)
            .service(cases::patch::patch_incident)
            .service(cases::transition::transition_incident)
            .service(cases::comment::add_case_comment)
            .service(cases::events::list_case_events)
            .service(cause_categories::list_cause_categories),
    );
}

/// The OpenAPI document, generated from the handlers above.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(api)
        .split_for_parts();
    api.info.version = env!("CARGO_PKG_VERSION").to_owned();
    api
}

/// The spec as served at `/api/v1/openapi.json` and committed as `openapi.yaml`.
pub fn openapi_yaml() -> String {
    openapi().to_yaml().unwrap_or_default()
}

/// Known paths and their methods, to tell 405 from 404 for requests no route matched.
#[derive(Clone)]
pub struct RouteTable(Vec<(Vec<String>, Vec<String>)>);

impl RouteTable {
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> RouteTable {
        let mut table = Vec::new();
        for (path, item) in spec.paths.paths.iter() {
            let segments = path.split('/').map(str::to_owned).collect();
            let methods = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ]
            .iter()
            .filter(|(_, present)| *present)
            .map(|(m, _)| (*m).to_owned())
            .collect();
            table.push((segments, methods));
        }
        RouteTable(table)
    }

    /// The methods allowed on `path`, if it is a known path.
    pub fn allowed(&self, path: &str) -> Option<&[String]> {
        let parts: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .find(|(segments, _)| {
                segments.len() == parts.len()
                    && segments
                        .iter()
                        .zip(&parts)
                        .all(|(s, p)| (s.starts_with('{') && !p.is_empty()) || s == p)
            })
            .map(|(_, m)| m.as_slice())
    }
}

/// Answers requests that no route took: 405 with `Allow` on a known path, else 404.
pub async fn not_matched(req: HttpRequest, table: web::Data<RouteTable>) -> HttpResponse {
    if let Some(methods) = table.allowed(req.path()) {
        let mut allow = methods.to_vec();
        if allow.iter().any(|m| m == "GET") {
            allow.push("HEAD".into());
        }
        let lang = i18n::current();
        let problem = Problem {
            r#type: "urn:tillbud:problem:method-not-allowed".into(),
            title: lang.pick("Metoden stöds inte", "Method not allowed").into(),
            status: 405,
            detail: format!(
                "{}: {}",
                lang.pick("Tillåtna metoder", "Allowed methods"),
                allow.join(", ")
            ),
            errors: Vec::new(),
            allowed: None,
        };
        let mut resp = problem_response(StatusCode::METHOD_NOT_ALLOWED, &problem);
        if let Ok(value) = header::HeaderValue::from_str(&allow.join(", ")) {
            resp.headers_mut().insert(header::ALLOW, value);
        }
        return resp;
    }
    actix_web::ResponseError::error_response(&ApiError::NotFound)
}

/// Language of the request, for the i18n task-local.
pub fn request_lang(req: &ServiceRequest) -> i18n::Lang {
    i18n::Lang::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}
