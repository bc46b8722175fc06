//! `GET /api/v1/incidents/{id}/actions`: a case's corrective actions.

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::actions::{self as actions_db, CaseAccess};
use crate::domain::calendar::stockholm_date;
use crate::error::{ApiError, Problem};
use crate::routes::action_dto::{self, ActionList};
use crate::routes::responses::{DatabaseBusy, NotLoggedIn};
use crate::state::AppState;

/// A case's corrective actions
///
/// Oldest first. For staff who may read the case; an employee reading the case they reported
/// gets only the actions they own (the tracking page shows none).
#[utoipa::path(
    tag = "actions",
    operation_id = "list_case_actions",
    params(("id" = String, Path, format = Uuid, description = "The case's id.")),
    responses(
        (status = 200, description = "The case's actions.", body = ActionList),
        NotLoggedIn,
        (status = 404, description = "No such case in the caller's scope.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[get("/incidents/{id}/actions")]
pub async fn list_case_actions(
    caller: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let incident_id = Uuid::parse_str(&id)
        .map_err(|_| ApiError::NotFound)?
        .to_string();
    let today = stockholm_date(state.clock.now());
    let who = caller.clone();
    let case = incident_id.clone();
    let rows = state
        .db
        .read(move |c| {
            let access = actions_db::case_access(c, &who, &case)?;
            if access == CaseAccess::Hidden {
                return Ok(None);
            }
            let mut rows = actions_db::list_for_case(c, &case)?;
            // The reporter's view has no actions (the tracking page shows none): only those
            // they own themselves, as `GET /actions?owner=me` would list them anyway.
            if !access.is_staff() {
                rows.retain(|r| r.owner_email == who.email);
            }
            Ok(Some(rows))
        })
        .await?;
    let Some(rows) = rows else {
        action_dto::denied(
            &caller.user_id,
            "list_case_actions",
            &incident_id,
            "not in scope",
        );
        return Err(ApiError::NotFound);
    };
    let items = rows
        .into_iter()
        .map(|r| action_dto::view(r, today))
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ActionList { items }))
}
