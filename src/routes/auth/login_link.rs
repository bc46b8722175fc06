//! `POST /api/v1/auth/login-link`: mail a single-use login link. The answer is the same
//! whether or not the address may log in, so the endpoint tells nobody who works here
//! (`ops::auth::login_link`).

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::normalise_email;
use crate::error::{ApiError, Problem};
use crate::i18n;
use crate::ops::auth::login_link as ops;
use crate::routes::input::{self, Checker, Lenient};
use crate::routes::responses::{DatabaseBusy, JsonBodyErrors};
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
        JsonBodyErrors,
        (status = 422, description = "Not an e-mail address.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many links asked for this address or from this network; see Retry-After.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[post("/auth/login-link")]
pub async fn request_login_link(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let request: LoginLinkRequest = input::json_body(&req, payload).await?;
    let mut c = Checker::new();
    let email = c.email_required("email", request.email, true);
    c.finish()?;
    let email = normalise_email(email.as_ref().map(|e| e.as_str()).unwrap_or_default());
    let ctx = state.ops();
    check_limit(&req, &state, &email, ctx.now)?;
    let ttl = state.settings.auth.login_link_ttl;
    ops::request_login_link(&ctx, email, ttl).await?;
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

/// Per address *and* client, so a stranger elsewhere cannot use up someone's links; per
/// client on its own, so no one tries addresses in bulk.
fn check_limit(
    req: &HttpRequest,
    state: &AppState,
    email: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let ip = crate::auth::client::address(req, &state.settings.proxies);
    let limit = state.settings.auth.login_rate_limit;
    let keys = [
        (login_key(email, &ip.to_string()), limit),
        (format!("client:{ip}"), limit * 4),
    ];
    state.login_limiter.check(&keys, now).map_err(|wait| {
        tracing::info!("denied: login-link rate limit");
        ApiError::TooManyRequests {
            retry_after_secs: wait.num_seconds().max(1) as u64,
        }
    })
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
