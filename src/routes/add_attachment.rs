//! `POST /api/v1/incidents/{id}/attachments` and `POST /api/v1/track/{code}/attachments`:
//! the reporter adds a photo to their open case. Both addresses do the same; the first is for
//! a client that holds the case id (the form, right after submitting), the second for the
//! tracking page. Either way the tracking code is the credential.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::idempotency;
use crate::domain::photo;
use crate::domain::TrackingCode;
use crate::error::{ApiError, FieldError, Problem};
use crate::i18n;
use crate::i18n::Msg;
use crate::ops::photos::{self, AttachmentInfo, Upload, FIELD};
use crate::state::AppState;

/// Room for the other parts and the multipart framing around one photo.
const FRAMING: usize = 64 * 1024;

/// The upload form. Other parts (e.g. the file name as a field) are read and dropped; their
/// names, like every multipart header, cannot hold control characters or quotes.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoUpload {
    /// One photo: JPEG, PNG or WebP, at most 10 MiB. The type is read from the content, not
    /// the name. The server re-encodes it (orientation applied, all metadata removed).
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream", min_length = 1)]
    pub file: Vec<u8>,
}

/// Reads the one `file` part of a multipart/form-data body, refusing oversize bodies as they
/// stream in rather than after buffering them.
/// A multipart body, and not declared larger than a photo with its framing: the declared
/// length, if any.
fn check_headers(req: &HttpRequest) -> Result<Option<usize>, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return Err(ApiError::UnsupportedMediaType {
            expected: "multipart/form-data",
        });
    }
    let too_large = ApiError::PayloadTooLarge {
        limit: photo::MAX_BYTES,
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > photo::MAX_BYTES + FRAMING) {
        return Err(too_large);
    }
    Ok(declared)
}

/// 422 on the photo field: `one_file` or `required`.
fn field_error(code: &'static str) -> ApiError {
    let lang = i18n::current();
    let message = match code {
        "one_file" => lang.t(Msg::PhotoOneFile),
        _ => lang.t(Msg::PhotoMissing),
    };
    ApiError::Validation(vec![FieldError::new(FIELD, code, message)])
}

async fn read_photo(req: &HttpRequest, payload: web::Payload) -> Result<Vec<u8>, ApiError> {
    let declared = check_headers(req)?;
    let too_large = || ApiError::PayloadTooLarge {
        limit: photo::MAX_BYTES,
    };
    let malformed = |e: actix_multipart::MultipartError| ApiError::MalformedBody(e.to_string());
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut file: Option<Vec<u8>> = None;
    let mut total = 0usize;
    while let Some(part) = multipart.next().await {
        let mut part = part.map_err(malformed)?;
        let is_file = part.name() == Some(FIELD);
        if is_file && file.is_some() {
            return Err(field_error("one_file"));
        }
        // Sized from the declared length once, so a 10 MiB photo does not grow to 16 MiB.
        let mut bytes = Vec::with_capacity(if is_file {
            declared.unwrap_or(0).min(photo::MAX_BYTES)
        } else {
            0
        });
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(malformed)?;
            total += chunk.len();
            if total > photo::MAX_BYTES + FRAMING || bytes.len() + chunk.len() > photo::MAX_BYTES {
                return Err(too_large());
            }
            // Other parts are read and dropped: a client may send the file name as a field.
            if is_file {
                bytes.extend_from_slice(&chunk);
            }
        }
        if is_file {
            file = Some(bytes);
        }
    }
    file.ok_or_else(|| field_error("required"))
}

async fn respond(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
    incident_id: String,
    tracking_code: TrackingCode,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency::key(req)?;
    // Counted before the body is read, so a flood of uploads to one case costs nothing more.
    state.photos.admit(&tracking_code, state.clock.now())?;
    let bytes = read_photo(req, payload).await?;
    let submission = photos::add(
        &state.db,
        &state.photos,
        Upload {
            incident_id,
            tracking_code,
            key,
            bytes,
        },
    )
    .await?;
    idempotency::respond(submission)
}

/// Add a photo to a case (by case id)
///
/// For the report form right after submitting: the case id from the receipt, and the
/// tracking code in `X-Tracking-Code` as the credential. Allowed while the case is open; at
/// most 5 photos a case. Send an `Idempotency-Key` per photo so a retry stores it once.
#[utoipa::path(
    tag = "incidents",
    operation_id = "add_incident_attachment",
    params(
        ("id" = Uuid, Path, description = "The case id from the receipt."),
        ("X-Tracking-Code" = String, Header, description = "The tracking code from the receipt.", min_length = 22, max_length = 22),
        ("Idempotency-Key" = Option<String>, Header, format = Uuid,
         description = "A UUID made once per photo; a retry with the same key and file returns the first answer."),
    ),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The photo is stored, re-encoded without metadata.", body = AttachmentInfo,
         headers(("Location" = String, description = "Where the photo is served."))),
        (status = 400, description = "The multipart body is malformed.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No case has this id and tracking code.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The photo is larger than 10 MiB.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not multipart/form-data, or the file is not a JPEG, PNG or WebP image.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No file, a damaged image, too many pixels for the decode bound (read from the header, before decoding), or the case already has 5 photos; `errors` names the field.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many uploads to this case in 15 minutes; `Retry-After` says when to try again.", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 503, description = "The database is busy, or every photo decoder is busy and the queue is full; try again after `Retry-After`.", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
#[post("/incidents/{id}/attachments")]
pub async fn add_incident_attachment(
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Unknown id, missing or wrong code: all the same 404, so the endpoint tells nothing
    // about which cases exist.
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let code = req
        .headers()
        .get("X-Tracking-Code")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| TrackingCode::parse(v.trim()))
        .ok_or(ApiError::NotFound)?;
    let found = photos::incident_for_code(&state.db, code.clone()).await?;
    if found.as_deref() != Some(id.to_string().as_str()) {
        return Err(ApiError::NotFound);
    }
    respond(&state, &req, payload, id.to_string(), code).await
}

/// Add a photo to a case (by tracking code)
///
/// For the tracking page. Allowed while the case is open; at most 5 photos a case.
#[utoipa::path(
    tag = "incidents",
    operation_id = "add_tracking_attachment",
    params(
        ("tracking_code" = String, Path, description = "The code from the receipt.", min_length = 22, max_length = 22),
        ("Idempotency-Key" = Option<String>, Header, format = Uuid,
         description = "A UUID made once per photo; a retry with the same key and file returns the first answer."),
    ),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The photo is stored, re-encoded without metadata.", body = AttachmentInfo,
         headers(("Location" = String, description = "Where the photo is served."))),
        (status = 400, description = "The multipart body is malformed.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No case has this code.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The photo is larger than 10 MiB.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not multipart/form-data, or the file is not a JPEG, PNG or WebP image.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No file, a damaged image, too many pixels for the decode bound (read from the header, before decoding), or the case already has 5 photos; `errors` names the field.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many uploads to this case in 15 minutes; `Retry-After` says when to try again.", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 503, description = "The database is busy, or every photo decoder is busy and the queue is full; try again after `Retry-After`.", body = Problem, content_type = "application/problem+json",
         headers(("Retry-After" = u64, description = "Seconds to wait."))),
    )
)]
#[post("/track/{tracking_code}/attachments")]
pub async fn add_tracking_attachment(
    req: HttpRequest,
    payload: web::Payload,
    code: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let code = TrackingCode::parse(&code).ok_or(ApiError::NotFound)?;
    let id = photos::incident_for_code(&state.db, code.clone())
        .await?
        .ok_or(ApiError::NotFound)?;
    respond(&state, &req, payload, id, code).await
}
