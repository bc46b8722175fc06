//! Add a photo to a case (from the tracking page or the report form): clean it, then store it with its history event and the answer to
//! its `Idempotency-Key` in one transaction, or store nothing.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::PhotoSettings;
use crate::db::attachments::{self, AttachmentMeta, NewAttachment, Refusal};
use crate::db::idempotency::{self, StoredResponse};
use crate::db::{events, incidents, Db, DbError};
use crate::domain::case_event::CaseEvent;
use crate::domain::photo::{self, PhotoError, Sniffed};
use crate::domain::rate_limit::RateLimiter;
use crate::domain::secret::hex;
use crate::domain::TrackingCode;
use crate::error::{ApiError, FieldError};
use crate::i18n::Msg;
use crate::i18n::{self, Lang};
use crate::ops::idempotent::{self, Submission};

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

/// How long the rate limit on photo uploads counts back.
const RATE_WINDOW_MINUTES: i64 = 15;
/// How long an upload waits for a free decoder before it is answered 503.
const DECODE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// What bounds the cost of photo uploads across the process: how many are decoded at once,
/// how much memory one decode may need, and how often one case may be sent a photo.
pub struct PhotoIntake {
    pub gate: DecodeGate,
    max_decode_bytes: u64,
    rate_limit: usize,
    limiter: RateLimiter,
}

impl PhotoIntake {
    pub fn new(settings: &PhotoSettings) -> PhotoIntake {
        PhotoIntake {
            gate: DecodeGate::new(settings.decoders, DECODE_WAIT),
            max_decode_bytes: settings.max_decode_bytes,
            rate_limit: settings.rate_limit,
            limiter: RateLimiter::new(chrono::Duration::minutes(RATE_WINDOW_MINUTES)),
        }
    }

    /// Counts one upload to the case with this code; 429 once it has had its share.
    pub fn admit(&self, code: &TrackingCode, now: DateTime<Utc>) -> Result<(), ApiError> {
        let key = format!("photo:{code}");
        self.limiter
            .check(&[(key, self.rate_limit)], now)
            .map_err(|wait| ApiError::TooManyRequests {
                retry_after_secs: u64::try_from(wait.num_seconds()).unwrap_or(0).max(1),
            })
    }
}

/// At most `decoders` photos are decoded at once across the process, and at most as many
/// again wait (each for [`DECODE_WAIT`] at most) for a turn; the rest are answered 503 at
/// once, so a burst of uploads queues briefly instead of piling up memory and threads.
pub struct DecodeGate {
    running: Arc<Semaphore>,
    waiting: Semaphore,
    wait: std::time::Duration,
}

/// A turn at decoding; the turn ends when it is dropped.
pub struct DecodeTurn {
    _permit: OwnedSemaphorePermit,
}

impl DecodeGate {
    pub fn new(decoders: usize, wait: std::time::Duration) -> DecodeGate {
        let decoders = decoders.max(1);
        DecodeGate {
            running: Arc::new(Semaphore::new(decoders)),
            waiting: Semaphore::new(decoders),
            wait,
        }
    }

    /// A turn now if one is free; otherwise a place in the queue and a bounded wait. `None`
    /// when the queue is full or the wait ran out.
    pub async fn enter(&self) -> Option<DecodeTurn> {
        if let Some(turn) = self.try_enter() {
            return Some(turn);
        }
        let _place = self.waiting.try_acquire().ok()?;
        let permit = tokio::time::timeout(self.wait, self.running.clone().acquire_owned())
            .await
            .ok()?
            .ok()?;
        Some(DecodeTurn { _permit: permit })
    }

    /// A turn without waiting (tests use it to occupy every decoder).
    pub fn try_enter(&self) -> Option<DecodeTurn> {
        self.running
            .clone()
            .try_acquire_owned()
            .ok()
            .map(|permit| DecodeTurn { _permit: permit })
    }
}

/// Cleans and stores a photo. Every refusal names the `file` field. Everything that needs no
/// decoding is checked first — the earlier answer to a retry, whether the case is open and
/// has room, the header's type, dimensions and decoded size — so a refused upload costs a
/// header read at most.
pub async fn add(db: &Db, intake: &PhotoIntake, upload: Upload) -> Result<Submission, ApiError> {
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
    let case = incident_id.clone();
    if let Err(refusal) = db.read(move |c| attachments::room(c, &case)).await? {
        return Err(refusal_error(refusal, lang));
    }
    let max = intake.max_decode_bytes;
    photo::inspect(&bytes, max).map_err(|e| photo_error(e, lang, max))?;
    let turn = intake.gate.enter().await.ok_or_else(|| {
        ApiError::Unavailable("no photo decoder free (queue full or wait over)".into())
    })?;
    // Decoding takes a while: keep it off the async workers. The turn moves into the task,
    // so it is held until the decode really ends, even if the client has gone.
    let clean = actix_web::web::block(move || {
        let cleaned = photo::clean(&bytes, max);
        drop(turn);
        cleaned
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("photo worker: {e}")))?
    .map_err(|e| photo_error(e, lang, max))?;

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
    let event = CaseEvent::PhotoAdded {
        attachment_id: id.to_string(),
    };
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
                events::append(
                    conn,
                    &incident_id,
                    now.naive_utc(),
                    Some("reporter"),
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

fn refusal_error(refusal: Refusal, lang: Lang) -> ApiError {
    match refusal {
        Refusal::Unknown => ApiError::NotFound,
        Refusal::Closed => ApiError::Conflict(lang.t(Msg::PhotoCaseClosed).to_owned()),
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

pub fn photo_error(error: PhotoError, lang: Lang, max_decode_bytes: u64) -> ApiError {
    let field = |code: &str, m: Msg| FieldError::new(FIELD, code, lang.t(m));
    match error {
        PhotoError::Empty => ApiError::Validation(vec![field("required", Msg::PhotoEmpty)]),
        PhotoError::TooLarge => ApiError::PayloadTooLarge {
            limit: photo::MAX_BYTES,
        },
        PhotoError::UnsupportedType(Sniffed::Heif) => {
            ApiError::UnsupportedFile(field("unsupported_type", Msg::PhotoHeif))
        }
        PhotoError::UnsupportedType(_) => {
            ApiError::UnsupportedFile(field("unsupported_type", Msg::PhotoUnsupported))
        }
        PhotoError::Undecodable(why) => {
            tracing::info!(%why, "photo refused: does not decode");
            ApiError::Validation(vec![field("undecodable", Msg::PhotoUndecodable)])
        }
        PhotoError::TooManyPixels { .. } => {
            // What the decode bound means for an ordinary colour photo (3 bytes a pixel).
            let megapixels = (max_decode_bytes / 3).min(photo::MAX_PIXELS) / 1_000_000;
            ApiError::Validation(vec![FieldError::new(
                FIELD,
                "dimensions",
                match lang {
                    Lang::Sv => format!(
                        "Bilden har för många bildpunkter: högst {} per sida och omkring {megapixels} megapixel. Förminska den och försök igen.",
                        photo::MAX_SIDE
                    ),
                    Lang::En => format!(
                        "The image has too many pixels: at most {} a side and about {megapixels} megapixels. Make it smaller and try again.",
                        photo::MAX_SIDE
                    ),
                },
            )])
        }
    }
}
