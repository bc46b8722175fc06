//! `POST /api/v1/auth/login-link`: mail a single-use login link. The answer is the same
//! whether or not the address may log in, so the endpoint tells nobody who works here.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::{self, Checker, Lenient};
use crate::auth::normalise_email;
use crate::db::outbox::{self, NewMail};
use crate::error::{ApiError, Problem};
use crate::i18n;
use crate::mail::{links, templates};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginLinkRequest {
    /// Your work e-mail.
    #[serde(default)]
    #[schema(value_type = String, format = Email, required = true)]
    pub email: Lenient<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginLinkAnswer {
    pub message: String,
}

/// Ask for a login link
///
/// If the address may log in, a link valid for 15 minutes (configurable) is mailed to it.
/// The answer is the same either way.
#[utoipa::path(
    tag = "auth",
    operation_id = "request_login_link",
    request_body(content = LoginLinkRequest, content_type = "application/json"),
    responses(
        (status = 202, description = "If the address may log in, a link is on its way.", body = LoginLinkAnswer),
        (status = 400, description = "The body is not valid JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 64 KiB.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an e-mail address.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many links asked for this address or from this network; see Retry-After.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy; try again.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login-link")]
pub async fn request_login_link(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = input::read_body(&req, payload, input::JSON_LIMIT).await?;
    let request: LoginLinkRequest = input::from_object(input::parse_json_object(&req, &body)?)?;
    let mut c = Checker::new();
    let email = c.email_required("email", request.email, true);
    c.finish()?;
    let email = normalise_email(email.as_ref().map(|e| e.as_str()).unwrap_or_default());
    let now = state.clock.now();
    let ip = crate::auth::client::address(&req, &state.settings.proxies);
    let limit = state.settings.auth.login_rate_limit;
    // Per address *and* client, so a stranger elsewhere cannot use up someone's links; per
    // client on its own, so no one tries addresses in bulk.
    let keys = [
        (login_key(&email, &ip.to_string()), limit),
        (format!("client:{ip}"), limit * 4),
    ];
    if let Err(wait) = state.login_limiter.check(&keys, now) {
        tracing::info!("denied: login-link rate limit");
        return Err(ApiError::TooManyRequests {
            retry_after_secs: wait.num_seconds().max(1) as u64,
        });
    }

    // The same work for every address: one queued mail, with a placeholder for the link.
    // Whether the address may log in is decided by the worker, which then mints the token
    // (`mail::links`) or drops the mail — so neither the answer nor its timing tells.
    let ttl = state.settings.auth.login_link_ttl;
    let rendered = templates::login_link(links::LOGIN_LINK, ttl.num_minutes());
    let mail = NewMail {
        id: Uuid::now_v7(),
        incident_id: None,
        purpose: links::LOGIN_PURPOSE,
        role: "user".to_owned(),
        recipient: email,
        subject: rendered.subject,
        body_text: rendered.text,
        body_html: rendered.html,
    };
    let naive = now.naive_utc();
    state
        .db
        .write(move |c| outbox::insert(c, &mail, naive))
        .await?;
    state.mail.wake.notify_one();
    tracing::info!("login link asked for");
    Ok(HttpResponse::Accepted().json(LoginLinkAnswer {
        message: match i18n::current() {
            i18n::Lang::Sv => format!(
                "Om adressen kan logga in här har vi skickat en länk till den. Länken gäller i {} minuter.",
                ttl.num_minutes()
            ),
            i18n::Lang::En => format!(
                "If the address can log in here, we have sent a link to it. The link is valid for {} minutes.",
                ttl.num_minutes()
            ),
        },
    }))
}

/// The rate-limit key of one address asked for from one client.
fn login_key(email: &str, client: &str) -> String {
    format!("login:{email}|{client}")
}

/// After a successful login the address starts afresh, from every client: whoever filled
/// its count can no longer keep its owner from asking for links.
pub fn reset_limit(state: &AppState, email: &str) {
    state.login_limiter.forget_prefix(&login_key(email, ""));
}
