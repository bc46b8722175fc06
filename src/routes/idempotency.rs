//! The `Idempotency-Key` header and the answers of retried creating requests.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use uuid::Uuid;

use super::input;
use crate::error::ApiError;
use crate::i18n::Msg;
use crate::ops::idempotent::Submission;

/// The `Idempotency-Key` header, if sent: it must be a UUID.
pub fn key(req: &HttpRequest) -> Result<Option<Uuid>, ApiError> {
    let Some(raw) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    raw.to_str()
        .ok()
        .and_then(|s| Uuid::parse_str(s.trim()).ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::field(
                "Idempotency-Key",
                "format",
                input::message("format", crate::i18n::current(), None),
            )
        })
}

pub fn respond(submission: Submission) -> Result<HttpResponse, ApiError> {
    match submission {
        Submission::Created { location, body } => Ok(HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .content_type("application/json")
            .body(body)),
        Submission::Replayed(stored) => {
            let status = actix_web::http::StatusCode::from_u16(stored.status as u16)
                .map_err(|e| ApiError::Internal(e.into()))?;
            let mut builder = HttpResponse::build(status);
            if let Some(location) = stored.location {
                builder.insert_header((header::LOCATION, location));
            }
            builder.insert_header(("Idempotent-Replayed", "true"));
            Ok(builder
                .content_type("application/json")
                .body(stored.response_body))
        }
        Submission::KeyReused => Err(ApiError::field(
            "Idempotency-Key",
            "key_reused",
            crate::i18n::current().t(Msg::IdempotencyKeyReused),
        )),
    }
}
