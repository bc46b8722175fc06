//! `GET /api/v1/costs/categories`: the words of the cost API, so pages show the server's.

use actix_web::{get, web, HttpResponse};

use super::dto;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n;
use crate::routes::responses::NotLoggedIn;
use crate::state::AppState;

/// Cost categories and labels
///
/// The configured categories (code, direction, names in Swedish and English) and the labels
/// of bases, claim states, entry origins and directions in the caller's language.
#[utoipa::path(
    tag = "costs",
    operation_id = "cost_categories",
    responses(
        (status = 200, description = "The vocabulary.", body = dto::CostVocabulary),
        NotLoggedIn,
    )
)]
#[get("/costs/categories")]
pub async fn cost_categories(
    _caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(dto::vocabulary(
            &state.settings.cost_categories,
            i18n::current(),
        )))
}
