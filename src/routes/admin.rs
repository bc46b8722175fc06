//! The admin token check shared by `/api/v1/admin/*` until roles exist.
//!
//! With no `TILLBUD_ADMIN_TOKEN` configured the admin API does not exist (404), so a
//! deployment that forgot the token exposes nothing; with one, a missing or wrong bearer
//! token is 401. The comparison takes the same time wherever the tokens differ.

use actix_web::http::header;
use actix_web::HttpRequest;
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::domain::ack_token::constant_time_eq;
use crate::error::ApiError;
use crate::startup::AppState;

pub fn require_admin(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    let Some(expected) = state.settings.mail.admin_token.as_deref() else {
        return Err(ApiError::NotFound);
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}
