//! `GET /api/v1/track/{tracking_code}`: what the reporter may see of their case.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{attachments, incidents};
use crate::domain::case_event::EventKind;
use crate::domain::{IncidentKind, IncidentStatus, TrackingCode};
use crate::error::{ApiError, Problem};
use crate::i18n;
use crate::i18n::Msg;
use crate::ops::photos::AttachmentInfo;
use crate::routes::responses::DatabaseBusy;
use crate::state::AppState;

/// The public view of a case: no personal data, no internal notes.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackedCase {
    pub kind: IncidentKind,
    pub title: String,
    pub org_unit_name: String,
    pub status: IncidentStatus,
    /// The status in plain words, in the caller's language.
    pub status_label: String,
    /// Whether the case is still open: the reporter may add a comment or a photo.
    pub open: bool,
    pub created_at: DateTime<Utc>,
    /// Public updates, oldest first.
    pub updates: Vec<CaseUpdate>,
    /// Photos added by the reporter, oldest first.
    pub attachments: Vec<AttachmentInfo>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseUpdate {
    pub at: DateTime<Utc>,
    #[schema(example = "created")]
    pub kind: String,
    pub text: String,
}

fn update_text(kind: EventKind, data: &serde_json::Value) -> String {
    let lang = i18n::current();
    match kind {
        EventKind::Created => lang.t(Msg::TrackReceived).to_owned(),
        EventKind::Acknowledged => lang.t(Msg::TrackAcknowledged).to_owned(),
        EventKind::PhotoAdded => lang.t(Msg::TrackPhotoAdded).to_owned(),
        _ => data
            .get("text")
            .and_then(|t| t.as_str())
            .map(str::to_owned)
            .unwrap_or_default(),
    }
}

/// Follow a case
///
/// The reporter's view of a case, found by the tracking code from the receipt.
#[utoipa::path(
    tag = "incidents",
    operation_id = "track_incident",
    params(("tracking_code" = String, Path, description = "The code from the receipt.", min_length = 22, max_length = 22)),
    responses(
        (status = 200, description = "The case as the reporter sees it.", body = TrackedCase),
        (status = 404, description = "No case has this code.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[get("/track/{tracking_code}")]
pub async fn track_incident(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = TrackingCode::parse(&code).ok_or(ApiError::NotFound)?;
    let lookup = code.clone();
    let (case, events, photos) = state
        .db
        .read(move |c| {
            let Some((case, events)) = incidents::find_public(c, &lookup)? else {
                return Ok(None);
            };
            let photos = attachments::list(c, &case.id)?;
            Ok(Some((case, events, photos)))
        })
        .await?
        .ok_or(ApiError::NotFound)?;
    let status: IncidentStatus = case.status;
    let body = TrackedCase {
        kind: case.kind,
        status_label: status.label(i18n::current()).to_owned(),
        open: status.is_open(),
        status,
        created_at: case.created_at.and_utc(),
        updates: events
            .iter()
            .map(|e| CaseUpdate {
                at: e.at.and_utc(),
                kind: e.kind.as_str().to_owned(),
                text: update_text(e.kind, &e.data),
            })
            .collect(),
        attachments: photos
            .into_iter()
            .map(|p| AttachmentInfo::from_meta(&code, p))
            .collect::<Result<_, _>>()?,
        title: case.title,
        org_unit_name: case.org_unit_name,
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(body))
}
