//! `GET /api/v1/cause-categories`: the configured list a case's cause is picked from.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::routes::responses::NotLoggedIn;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CauseCategories {
    /// In the configured order (setting `cause_categories`).
    #[schema(example = json!(["teknik", "organisation", "arbetsmiljö", "människa", "extern"]))]
    pub items: Vec<String>,
}

/// Cause categories
///
/// The categories a manager may classify a case's cause with.
#[utoipa::path(
    tag = "cases",
    operation_id = "list_cause_categories",
    responses(
        (status = 200, description = "The categories.", body = CauseCategories),
        NotLoggedIn,
    )
)]
#[get("/cause-categories")]
pub async fn list_cause_categories(
    _caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(CauseCategories {
        items: state.settings.cause_categories.clone(),
    }))
}
