//! Adding a photo to a case: clean it, then store it with its history event and the answer to
//! its `Idempotency-Key` in one transaction, or store nothing.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::attachments::{self, AttachmentMeta, NewAttachment, Refusal};
use crate::db::idempotency::{self, StoredResponse};
use crate::db::{incidents, Db, DbError};
use crate::domain::photo::{self, PhotoError, Sniffed};
use crate::domain::TrackingCode;
use crate::error::{ApiError, FieldError};
use crate::i18n::{self, Lang};
use crate::idempotent::{self, Submission};

pub const IDEMPOTENCY_SCOPE: &str = "attachments.create";
/// The multipart field that carries the photo.
pub const FIELD: &str = "file";

/// A stored photo as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentInfo {
    pub id: Uuid,
    /// Where the (re-encoded) photo is served; the tracking code in it is the credential.
    #[schema(
        example = "/api/v1/track/q8T3kZ0v2yXb1QmS7nWc4A/attachments/0193c4e2-7a1b-7c3d-9e4f-5a6b7c8d9e0f"
    )]
    pub url: String,
    #[schema(example = "image/jpeg")]
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    pub size_bytes: u64,
    pub created_at: DateTime<Utc>,
}

impl AttachmentInfo {
    pub fn from_meta(code: &TrackingCode, meta: AttachmentMeta) -> Result<Self, ApiError> {
        let id = Uuid::parse_str(&meta.id)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("attachment id {}: {e}", meta.id)))?;
        Ok(AttachmentInfo {
            url: url(code, &id),
            id,
            content_type: meta.content_type,
            width: u32::try_from(meta.width).unwrap_or(0),
            height: u32::try_from(meta.height).unwrap_or(0),
            size_bytes: u64::try_from(meta.size_bytes).unwrap_or(0),
            created_at: meta.created_at.and_utc(),
        })
    }
}

pub fn url(code: &TrackingCode, id: &Uuid) -> String {
    format!("/api/v1/track/{code}/attachments/{id}")
}

/// A photo upload for one case, as read from the request.
pub struct Upload {
    pub incident_id: String,
    pub tracking_code: TrackingCode,
    pub key: Option<Uuid>,
    pub bytes: Vec<u8>,
}

/// The case a tracking code names, if any.
pub async fn incident_for_code(db: &Db, code: TrackingCode) -> Result<Option<String>, DbError> {
    Ok(db
        .read(move |c| incidents::find_by_tracking_code(c, &code))
        .await?
        .map(|(id, _status)| id))
}

/// Cleans and stores a photo. Every refusal names the `file` field.
pub async fn add(db: &Db, upload: Upload) -> Result<Submission, ApiError> {
    let Upload {
        incident_id,
        tracking_code,
        key,
        bytes,
    } = upload;
    let request_hash = {
        let mut hasher = Sha256::new();
        hasher.update(incident_id.as_bytes());
        hasher.update([0]);
        hasher.update(&bytes);
        hex(&hasher.finalize())
    };
    if let Some(key) = key {
        if let Some(earlier) =
            idempotent::earlier_answer(db, IDEMPOTENCY_SCOPE, key, &request_hash).await?
        {
            return Ok(earlier);
        }
    }
    let lang = i18n::current();
    // Decoding a 12-megapixel photo takes a while: keep it off the async workers.
    let clean = actix_web::web::block(move || photo::clean(&bytes))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("photo worker: {e}")))?
        .map_err(|e| photo_error(e, lang))?;

    let id = Uuid::now_v7();
    let now = Utc::now();
    let info = AttachmentInfo {
        id,
        url: url(&tracking_code, &id),
        content_type: clean.content_type.to_owned(),
        width: clean.width,
        height: clean.height,
        size_bytes: clean.bytes.len() as u64,
        created_at: now,
    };
    let body = serde_json::to_string(&info).map_err(|e| ApiError::Internal(e.into()))?;
    let stored = StoredResponse {
        request_hash: request_hash.clone(),
        status: 201,
        location: Some(info.url.clone()),
        response_body: body.clone(),
    };
    let sha256 = hex(&Sha256::digest(&clean.bytes));
    let event = serde_json::json!({ "attachment_id": id.to_string() }).to_string();
    let result = db
        .write(move |conn| {
            let id = id.to_string();
            let added = attachments::add(
                conn,
                &NewAttachment {
                    id: &id,
                    incident_id: &incident_id,
                    photo: &clean,
                    sha256: &sha256,
                    uploaded_by: "reporter",
                    now: now.naive_utc(),
                },
            )?;
            if added.is_ok() {
                incidents::append_event(
                    conn,
                    &incident_id,
                    now.naive_utc(),
                    Some("reporter"),
                    "photo_added",
                    true,
                    &event,
                )?;
                if let Some(key) = key {
                    idempotency::insert(conn, IDEMPOTENCY_SCOPE, &key.to_string(), &stored)?;
                }
            }
            Ok(added)
        })
        .await;
    match result {
        Ok(Ok(())) => Ok(Submission::Created {
            location: info.url,
            body,
        }),
        Ok(Err(refusal)) => Err(refusal_error(refusal, lang)),
        Err(e) => {
            Ok(idempotent::after_conflict(db, IDEMPOTENCY_SCOPE, key, &request_hash, e).await?)
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn refusal_error(refusal: Refusal, lang: Lang) -> ApiError {
    match refusal {
        Refusal::Unknown => ApiError::NotFound,
        Refusal::Closed => ApiError::Conflict(
            lang.pick(
                "Ärendet är avslutat; bilder kan inte läggas till.",
                "The case is closed; photos can no longer be added.",
            )
            .to_owned(),
        ),
        Refusal::Full => ApiError::field(
            FIELD,
            "too_many",
            match lang {
                Lang::Sv => format!(
                    "Ärendet har redan {} bilder, som är det högsta antalet.",
                    photo::MAX_PER_INCIDENT
                ),
                Lang::En => format!(
                    "The case already has {} photos, the most allowed.",
                    photo::MAX_PER_INCIDENT
                ),
            },
        ),
    }
}

pub fn photo_error(error: PhotoError, lang: Lang) -> ApiError {
    let field = |code: &str, sv: &'static str, en: &'static str| {
        FieldError::new(FIELD, code, lang.pick(sv, en))
    };
    match error {
        PhotoError::Empty => ApiError::Validation(vec![field(
            "required",
            "Filen är tom.",
            "The file is empty.",
        )]),
        PhotoError::TooLarge => ApiError::PayloadTooLarge {
            limit: photo::MAX_BYTES,
        },
        PhotoError::UnsupportedType(Sniffed::Heif) => ApiError::UnsupportedFile(field(
            "unsupported_type",
            "HEIC/HEIF-bilder kan inte tas emot. Välj JPEG (på iPhone: Inställningar › Kamera › Format › Mest kompatibel), PNG eller WebP.",
            "HEIC/HEIF images cannot be received. Choose JPEG (on iPhone: Settings › Camera › Formats › Most Compatible), PNG or WebP.",
        )),
        PhotoError::UnsupportedType(_) => ApiError::UnsupportedFile(field(
            "unsupported_type",
            "Filen är ingen bild av typ JPEG, PNG eller WebP.",
            "The file is not a JPEG, PNG or WebP image.",
        )),
        PhotoError::Undecodable(why) => {
            tracing::info!(%why, "photo refused: does not decode");
            ApiError::Validation(vec![field(
                "undecodable",
                "Bilden är skadad och kunde inte läsas.",
                "The image is damaged and could not be read.",
            )])
        }
        PhotoError::TooManyPixels { .. } => ApiError::Validation(vec![FieldError::new(
            FIELD,
            "dimensions",
            match lang {
                Lang::Sv => format!(
                    "Bilden är för stor: högst {} bildpunkter per sida och {} megapixel.",
                    photo::MAX_SIDE,
                    photo::MAX_PIXELS / 1_000_000
                ),
                Lang::En => format!(
                    "The image is too large: at most {} pixels a side and {} megapixels.",
                    photo::MAX_SIDE,
                    photo::MAX_PIXELS / 1_000_000
                ),
            },
        )]),
    }
}
