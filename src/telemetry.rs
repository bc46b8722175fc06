//! Logging: `RUST_LOG` sets the level (default `info`); `log_format` picks text or JSON.
//!
//! Two rules on top of plain `tracing`: a request's span names its route template, never its
//! path (paths carry tracking codes, which are credentials); and what actix-http logs as an
//! ERROR when a client sends a malformed request is the client's fault, so it is logged as a
//! WARN — ERROR stays for what an operator must look at.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::{Error, HttpMessage};
use tracing::field::{Empty, Field, Visit};
use tracing::{Event, Level, Span, Subscriber};
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};
use tracing_subscriber::filter::EnvFilter;
use tracing_subscriber::layer::{Context, Filter, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::LogFormat;
use crate::state::AppState;

/// Installs the global subscriber once; later calls (e.g. from tests) do nothing.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer().with_target(false);
    let fmt = match format {
        LogFormat::Text => fmt.boxed(),
        LogFormat::Json => fmt.json().boxed(),
    };
    // Also forwards `log` records (from crates that use `log`) into tracing. `ClientFaults`
    // comes last: it logs a new event while handling one, which would reset the printing
    // layer's per-event filter if that layer came after it.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt.with_filter(NotAClientFault))
        .with(ClientFaults)
        .try_init();
}

/// What actix-http logs at ERROR for a request the client got wrong (no handler ran).
const CLIENT_FAULTS: &[&str] = &[
    "stream error: request parse error",
    "stream error: request did not complete within the specified timeout",
    "stream error: handler dropped payload before reading EOF",
    "MAX_BUFFER_SIZE unprocessed data reached",
];

fn client_fault(event: &Event<'_>) -> Option<String> {
    let meta = event.metadata();
    if *meta.level() != Level::ERROR || !meta.target().starts_with("actix_http::") {
        return None;
    }
    let mut message = Message(String::new());
    event.record(&mut message);
    CLIENT_FAULTS
        .iter()
        .any(|fault| message.0.starts_with(fault))
        .then_some(message.0)
}

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

/// Logs a client's malformed request again, as a WARN (the ERROR itself is not printed).
struct ClientFaults;

impl<S: Subscriber> Layer<S> for ClientFaults {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if let Some(message) = client_fault(event) {
            tracing::warn!(target: "tillbud::http", "malformed request refused: {message}");
        }
    }
}

/// Keeps the original ERROR of a client fault out of the log.
struct NotAClientFault;

impl<S: Subscriber> Filter<S> for NotAClientFault {
    fn enabled(&self, _meta: &tracing::Metadata<'_>, _cx: &Context<'_, S>) -> bool {
        true
    }

    fn event_enabled(&self, event: &Event<'_>, _cx: &Context<'_, S>) -> bool {
        client_fault(event).is_none()
    }
}

/// The root span of every request, as tracing-actix-web's default but with the route
/// template (`/api/v1/track/{tracking_code}`) as `http.target` and `http.route`: the path
/// itself would put tracking codes into every line logged while the request runs.
pub struct RouteSpan;

impl RootSpanBuilder for RouteSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "(no route)".to_owned());
        let user_agent = request
            .headers()
            .get(header::USER_AGENT)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        let connection = request.connection_info().clone();
        // The client as the rate limits see it: forwarded headers only from trusted proxies.
        let client_ip = request
            .app_data::<actix_web::web::Data<AppState>>()
            .map(|state| {
                crate::auth::client::address(request.request(), &state.settings.proxies).to_string()
            })
            .unwrap_or_else(|| {
                request
                    .peer_addr()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_default()
            });
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %route,
            http.flavor = ?request.version(),
            http.scheme = %connection.scheme(),
            http.host = %connection.host(),
            http.client_ip = %client_ip,
            http.user_agent = %user_agent,
            http.status_code = Empty,
            otel.kind = "server",
            otel.status_code = Empty,
            request_id = %request_id,
            exception.message = Empty,
            exception.details = Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
        let (status, error) = match outcome {
            Ok(response) => (
                response.status(),
                response.response().error().map(|e| e.as_response_error()),
            ),
            Err(e) => (
                e.as_response_error().status_code(),
                Some(e.as_response_error()),
            ),
        };
        let Some(error) = error else { return };
        // A refusal is the client's; 503 is load being shed on purpose (its cause is logged
        // where it arose). Only other server errors are ERRORs.
        if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            tracing::error!(
                "Error encountered while processing the incoming HTTP request: {error:?}"
            );
        } else {
            tracing::warn!(
                "Error encountered while processing the incoming HTTP request: {error:?}"
            );
        }
    }
}
