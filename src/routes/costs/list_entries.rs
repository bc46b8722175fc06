//! `GET /api/v1/incidents/{id}/costs`: a case's entries (the history of its money), its
//! totals and its insurance claim — with the case's cost view only.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};

use super::super::case_view::case_id;
use super::{dto, read_refused};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::i18n;
use crate::ops::costs::read;
use crate::routes::responses::{DatabaseBusy, NotLoggedIn};
use crate::state::AppState;

/// A case's costs
///
/// Entries oldest first (reversals and moves included), the totals (booked, expected, both)
/// and the insurance claim. The `ETag` is the claim's version, for `If-Match` on
/// `PUT …/insurance-claim`.
#[utoipa::path(
    tag = "costs",
    operation_id = "list_cost_entries",
    params(("id" = String, Path, format = Uuid, description = "The case's id.")),
    responses(
        (status = 200, description = "The case's money.", body = dto::CaseCostsView,
         headers(("ETag" = String, description = "The claim's version, quoted (`\"0\"` before a claim is set)."))),
        NotLoggedIn,
        (status = 403, description = "The caller may see the case but not its costs (skyddsombud, its reporter).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case in the caller's scope.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[get("/incidents/{id}/costs")]
pub async fn list_cost_entries(
    caller: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let incident_id = case_id(&id)?;
    let costs = read::case_costs(&state.db, &caller, &incident_id)
        .await
        .map_err(|e| read_refused(&caller, "list_cost_entries", e))?;
    let view = dto::case_costs(costs, &state.settings.cost_categories, i18n::current());
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", view.claim.version)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(view))
}
