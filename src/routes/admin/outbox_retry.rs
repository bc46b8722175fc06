//! `POST /api/v1/admin/outbox/{id}/retry`: send a dead or failing mail again, now
//! (`ops::admin::outbox_retry`).

use actix_web::{post, web, HttpRequest, HttpResponse};

use super::outbox::OutboxItem;
use super::require_admin;
use crate::error::{ApiError, Problem};
use crate::i18n;
use crate::i18n::Msg;
use crate::ops::admin::outbox_retry::{self as ops, RetryError};
use crate::routes::responses::DatabaseBusy;
use crate::state::AppState;

/// Retry one mail
///
/// Makes a `dead` or `failed` mail due at once with a fresh count of attempts (the last error
/// is kept until it is sent). Requires `Authorization: Bearer <TILLBUD_ADMIN_TOKEN>`.
#[utoipa::path(
    tag = "admin",
    operation_id = "retry_outbox_mail",
    params(("id" = String, Path, description = "The mail's id.")),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The mail is due again.", body = OutboxItem),
        (status = 401, description = "Missing or wrong admin token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such mail, or the admin API is off.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The mail is pending or sent, not dead or failed.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[post("/admin/outbox/{id}/retry")]
pub async fn retry_outbox_mail(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&req, &state).await?;
    match ops::retry_outbox_mail(&state.ops(), &id).await {
        Ok(row) => Ok(HttpResponse::Ok().json(OutboxItem::at(row, state.clock.now().naive_utc()))),
        Err(RetryError::NotFailed) => Err(ApiError::Conflict(
            i18n::current().t(Msg::AdminRetryNotDead).to_owned(),
        )),
        Err(RetryError::Unknown) => Err(ApiError::NotFound),
        Err(RetryError::Db(e)) => Err(e.into()),
    }
}
