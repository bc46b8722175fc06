//! `GET /api/v1/incidents/{id}`: the whole case, for staff who may read it.

use actix_web::{get, web, HttpResponse};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::routes::case_view::{self, CaseDocument};
use crate::routes::responses::{DatabaseBusy, NotLoggedIn};
use crate::state::AppState;

/// Read a case
///
/// For staff, the whole case with its `ETag`; send that back as `If-Match` when changing it.
/// An employee reading the case they reported gets the reporter's view (`access:
/// "reporter"`): what the tracking page shows, no internal fields and no `ETag`. A case
/// outside the caller's rights is 404, as if it did not exist.
#[utoipa::path(
    tag = "cases",
    operation_id = "get_incident",
    params(("id" = String, Path, format = Uuid, description = "The case id.")),
    responses(
        (status = 200, description = "The case: the whole case for staff, the reporter's view for its reporter.", body = CaseDocument,
         headers(("ETag" = String, description = "The case's version, quoted (the staff view only)."))),
        NotLoggedIn,
        (status = 404, description = "No such case, or not one the caller may read.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
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
    let found = state
        .db
        .read(move |c| crate::ops::cases::load_with_access(c, &who, &lookup))
        .await?;
    let doc = match found {
        Some((case, access)) => case_view::document(case, access, state.clock.now())?,
        None => None,
    };
    let doc = doc.ok_or_else(|| case_view::denied(&caller, &id, "read", ApiError::NotFound))?;
    Ok(case_view::respond_document(&doc))
}
