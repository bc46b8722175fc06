//! Operations: one file per operation (absence, outbox, outbox_retry, history), and who
//! may use them.
//!
//! Who may use `/api/v1/admin/*`: a logged-in user with the admin role, or a caller with the
//! operations token `TILLBUD_ADMIN_TOKEN` (for scripts and monitoring).
//!
//! Without a token configured and without an admin login the admin API does not exist (404),
//! so a deployment that forgot the token exposes nothing; a logged-in non-admin gets 403. The
//! token comparison takes the same time wherever the tokens differ.

pub mod absence;
pub mod history;
pub mod outbox;
pub mod outbox_retry;
pub mod users;

use actix_web::http::header;
use actix_web::HttpRequest;
use chrono::{DateTime, NaiveDateTime, Utc};

use actix_web::FromRequest;

use crate::auth::Caller;
use crate::domain::ack_token::constant_time_eq;
use crate::error::ApiError;
use crate::i18n::Msg;
use crate::state::AppState;

/// Who passed the admin check: the id of an admin user, or the operations token.
#[derive(Debug, Clone)]
pub enum Admin {
    User(String),
    Token,
}

impl Admin {
    /// For history events: who did it.
    pub fn actor(&self) -> String {
        match self {
            Admin::User(id) => format!("user:{id}"),
            Admin::Token => "admin-token".to_owned(),
        }
    }
}

pub async fn require_admin(req: &HttpRequest, state: &AppState) -> Result<Admin, ApiError> {
    let expected = state.settings.mail.admin_token.as_deref();
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if let (Some(expected), Some(given)) = (expected, given) {
        if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            return Ok(Admin::Token);
        }
    }
    match Caller::extract(req).await {
        Ok(caller) if caller.roles.admin => Ok(Admin::User(caller.user_id)),
        Ok(caller) => {
            tracing::info!(user_id = %caller.user_id, path = %req.path(), "denied: not an admin");
            Err(ApiError::Forbidden(
                crate::i18n::current().t(Msg::AdminNotAdmin).to_owned(),
            ))
        }
        Err(_) if expected.is_none() => Err(ApiError::NotFound),
        Err(e) => Err(e),
    }
}

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}
