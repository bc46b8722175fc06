//! `GET /api/v1/admin/incidents/{id}/history`: a case's whole history, including who was
//! told and why (the `routed` event), reminders, escalations and acknowledgement.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{require_admin, utc};
use crate::db::events::{self, Part};
use crate::error::{ApiError, Problem};
use crate::routes::responses::DatabaseBusy;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEvent {
    pub at: DateTime<Utc>,
    /// Who did it, if a person: the reporter, or the address that acknowledged.
    pub actor: Option<String>,
    /// created, routed, reminder_sent, escalated, acknowledged, reporter_comment, …
    pub kind: String,
    /// Whether the reporter sees it on the tracking page.
    pub public: bool,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct History {
    pub incident_id: Uuid,
    pub events: Vec<HistoryEvent>,
}

/// A case's full history
///
/// Requires `Authorization: Bearer <TILLBUD_ADMIN_TOKEN>` (until staff roles exist).
#[utoipa::path(
    tag = "admin",
    operation_id = "incident_history",
    params(("id" = String, Path, format = Uuid, description = "The case's id.")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Every event, oldest first.", body = History),
        (status = 401, description = "Missing or wrong admin token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or the admin API is off.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[get("/admin/incidents/{id}/history")]
pub async fn incident_history(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&req, &state).await?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let events = state
        .db
        .read(move |c| events::list(c, &id.to_string(), Part::All))
        .await?;
    if events.is_empty() {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(History {
            incident_id: id,
            events: events
                .into_iter()
                .map(|e| HistoryEvent {
                    at: utc(e.at),
                    actor: e.actor,
                    kind: e.kind.as_str().to_owned(),
                    public: e.public,
                    data: e.data,
                })
                .collect(),
        }))
}
