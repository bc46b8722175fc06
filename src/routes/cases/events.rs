//! `GET /api/v1/incidents/{id}/events`: a case's history, oldest first.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::events::RecordedEvent;
use crate::error::{ApiError, Problem};
use crate::ops;
use crate::routes::case_view;
use crate::routes::responses::{DatabaseBusy, NotLoggedIn};
use crate::state::AppState;

/// One entry of a case's history. Entries are only ever added.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseEvent {
    pub id: String,
    pub at: DateTime<Utc>,
    /// Who: a user's e-mail, `reporter`, or `null` for the system.
    pub actor: Option<String>,
    #[schema(example = "field_changed")]
    pub kind: String,
    /// Shown on the reporter's tracking page.
    pub public: bool,
    /// What happened; changes carry `before` and `after`.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseEvents {
    pub items: Vec<CaseEvent>,
}

/// A case's history
///
/// Every change with who, when and what (before → after), oldest first. Staff see all of it;
/// an employee who reported the case sees its public part as the tracking page shows it.
#[utoipa::path(
    tag = "cases",
    operation_id = "list_case_events",
    params(("id" = String, Path, format = Uuid, description = "The case id.")),
    responses(
        (status = 200, description = "The history.", body = CaseEvents),
        NotLoggedIn,
        (status = 404, description = "No such case, or not one the caller may read.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[get("/incidents/{id}/events")]
pub async fn list_case_events(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = case_view::case_id(&id)?;
    let (who, lookup) = (caller.clone(), id.clone());
    let found = state
        .db
        .read(move |c| ops::cases::events_for(c, &who, &lookup))
        .await?;
    let Some((staff, rows)) = found else {
        return Err(case_view::denied(
            &caller,
            &id,
            "events",
            ApiError::NotFound,
        ));
    };
    let items = rows.into_iter().map(|e| view(e, staff)).collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(CaseEvents { items }))
}

/// One event as the caller may see it: the reporter sees what the tracking page shows — the
/// text, not routing details, addresses or reasons.
fn view(e: RecordedEvent, staff: bool) -> CaseEvent {
    let data = if staff {
        e.data
    } else {
        serde_json::json!({ "text": e.data.get("text") })
    };
    CaseEvent {
        id: e.id,
        at: case_view::utc(e.at),
        actor: if staff { e.actor } else { None },
        kind: e.kind.as_str().to_owned(),
        public: e.public,
        data,
    }
}
