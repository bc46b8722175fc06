//! `GET /api/v1/incidents/{id}`: the whole case, for staff who may read it.

use actix_web::{get, web, HttpResponse};

use super::case_view::{self, Case};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Read a case
///
/// The whole case with its `ETag`; send that back as `If-Match` when changing it. A case
/// outside the caller's rights is 404, as if it did not exist.
#[utoipa::path(
    tag = "cases",
    operation_id = "get_incident",
    params(("id" = String, Path, format = Uuid, description = "The case id.")),
    responses(
        (status = 200, description = "The case.", body = Case,
         headers(("ETag" = String, description = "The case's version, quoted."))),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not one the caller may read.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy; try again.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/incidents/{id}")]
pub async fn get_incident(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = case_view::case_id(&id)?;
    let (who, lookup) = (caller.clone(), id.clone());
    let visible = state
        .db
        .read(move |c| case_view::load_visible(c, &who, &lookup))
        .await?
        .ok_or_else(|| case_view::denied(&caller, &id, "read", ApiError::NotFound))?;
    let case = case_view::full(visible.case, visible.can_manage, state.clock.now())?;
    Ok(case_view::respond(&case))
}
