//! `POST /api/v1/auth/session` (log in with the token from a login link) and
//! `DELETE /api/v1/auth/session` (log out), through `ops::auth::session`. (It moves to
//! `routes/auth/` with the demo login, whose spec refers to `SessionStarted` here.)

use actix_web::{delete, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{csrf, hash_secret, session, Caller, Via};
use crate::error::{ApiError, FieldError, Problem};
use crate::i18n;
use crate::i18n::Msg;
use crate::ops::auth::session::{self as ops, LoginError};
use crate::ops::auth::sso_logout;
use crate::routes::input::{self, Checker, Lenient};
use crate::routes::responses::{ForeignOrigin, JsonBodyErrors, NotLoggedIn};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct StartSession {
    /// The `token=…` value of the login link.
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 200, required = true)]
    pub token: Lenient<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionStarted {
    pub user_id: String,
    pub email: String,
}

fn invalid_link() -> ApiError {
    ApiError::Validation(vec![FieldError::new(
        "token",
        "invalid",
        i18n::current().t(Msg::LoginLinkInvalid),
    )])
}

/// Log in
///
/// Exchanges the single-use token from a login link for a session cookie. The page the link
/// opens asks for a click first, so mail scanners that follow links do not use it up.
#[utoipa::path(
    tag = "auth",
    operation_id = "start_session",
    request_body(content = StartSession, content_type = "application/json"),
    responses(
        (status = 201, description = "Logged in; the session cookie is set.", body = SessionStarted,
         headers(("Set-Cookie" = String, description = "The session cookie (HttpOnly, SameSite=Lax)."))),
        JsonBodyErrors,
        ForeignOrigin,
        (status = 422, description = "The token is missing, invalid, used or expired.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/session")]
pub async fn start_session(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Also here, before any login: a foreign page must not log the browser in as someone else.
    csrf::check(&req, &state.settings)?;
    let request: StartSession = input::json_body(&req, payload).await?;
    let mut c = Checker::new();
    let token = c.text("token", request.token, true, (1, 200), false);
    c.finish()?;
    let token = token.as_ref().map(|t| t.as_str()).unwrap_or_default();
    let old = req
        .cookie(session::cookie_name(&state.settings))
        .map(|c| hash_secret(c.value()));
    let max = state.settings.auth.session_max;
    let user = match ops::log_in(&state.ops(), token, old, max).await {
        Ok(started) => started,
        Err(LoginError::Disabled(id)) => {
            tracing::info!(user_id = %id, "denied: login of a disabled user");
            return Err(invalid_link());
        }
        Err(LoginError::UseSso(id)) => {
            tracing::info!(user_id = %id, "denied: mailed link for staff, who use single sign-on");
            return Err(invalid_link());
        }
        Err(LoginError::InvalidLink) => {
            tracing::info!("denied: login with an invalid, used or expired link");
            return Err(invalid_link());
        }
        Err(LoginError::Db(e)) => return Err(e.into()),
    };
    tracing::info!(user_id = %user.user.id, "login: session started");
    super::auth::login_link::reset_limit(&state, &user.user.email);
    let cookie = session::cookie(&state.settings, user.session_id);
    let user = user.user;
    Ok(HttpResponse::Created()
        .cookie(cookie)
        .insert_header(("Cache-Control", "no-store"))
        .json(SessionStarted {
            user_id: user.id,
            email: user.email,
        }))
}

/// The provider's logout, for a session begun with the municipal account.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoggedOut {
    /// Send the browser here to end the session at the identity provider too
    /// (`end_session_endpoint` with `id_token_hint` and the post-logout redirect to `/login`).
    pub logout_url: String,
}

/// Log out
///
/// Ends the current session at once, on every instance. A session begun with the municipal
/// account (single sign-on) answers 200 with the provider's logout URL, where the browser
/// should go next when the provider offers one.
#[utoipa::path(
    tag = "auth",
    operation_id = "end_session",
    responses(
        (status = 200, description = "Logged out here; the cookie is removed. Go to `logout_url` to log out at the identity provider too.", body = LoggedOut,
         headers(("Set-Cookie" = String, description = "Removes the session cookie."))),
        (status = 204, description = "Logged out; the cookie is removed."),
        NotLoggedIn,
        ForeignOrigin,
    )
)]
#[delete("/auth/session")]
pub async fn end_session(
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mut logout_url = None;
    if let Via::Session(id_hash) = caller.via {
        logout_url = sso_logout::log_out(&state.ops(), state.oidc.as_deref(), id_hash).await?;
        tracing::info!(user_id = %caller.user_id, "logout");
    }
    let removal = session::removal(&state.settings);
    Ok(match logout_url {
        Some(logout_url) => HttpResponse::Ok()
            .cookie(removal)
            .insert_header(("Cache-Control", "no-store"))
            .json(LoggedOut { logout_url }),
        None => HttpResponse::NoContent().cookie(removal).finish(),
    })
}
