//! `POST /api/v1/track/{tracking_code}/comments`: the reporter adds to their open case
//! (`ops::reports::comment`).

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::TrackingCode;
use crate::error::{ApiError, Problem};
use crate::i18n;
use crate::i18n::Msg;
use crate::ops::reports::comment::{self as ops, ReporterCommentError};
use crate::routes::input::{self, Checker, Lenient};
use crate::routes::responses::{DatabaseBusy, JsonBodyErrors};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddComment {
    /// What the reporter wants to add; visible on the tracking page.
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 2000, required = true,
             pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFEFF]*$")]
    pub text: Lenient<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentAdded {
    pub at: chrono::DateTime<Utc>,
}

/// Add a comment to a case
///
/// The reporter adds information while the case is open. The comment becomes a public update.
#[utoipa::path(
    tag = "incidents",
    operation_id = "add_tracking_comment",
    params(("tracking_code" = String, Path, description = "The code from the receipt.", min_length = 22, max_length = 22)),
    request_body(content = AddComment, content_type = "application/json"),
    responses(
        (status = 201, description = "The comment was added.", body = CommentAdded),
        JsonBodyErrors,
        (status = 404, description = "No case has this code.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The text is missing or not valid.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[post("/track/{tracking_code}/comments")]
pub async fn add_tracking_comment(
    req: HttpRequest,
    payload: web::Payload,
    code: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let code = TrackingCode::parse(&code).ok_or(ApiError::NotFound)?;
    let request: AddComment = input::json_body(&req, payload).await?;
    let mut c = Checker::new();
    let text = c.text("text", request.text, true, (1, 2000), true);
    c.finish()?;
    let text = text.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("comment text missing")))?;
    let ctx = state.ops();
    match ops::add_reporter_comment(&ctx, code, text).await {
        Ok(()) => Ok(HttpResponse::Created().json(CommentAdded { at: ctx.now })),
        Err(ReporterCommentError::Unknown) => Err(ApiError::NotFound),
        Err(ReporterCommentError::Closed) => Err(ApiError::Conflict(
            i18n::current().t(Msg::TrackCaseClosed).to_owned(),
        )),
        Err(ReporterCommentError::Db(e)) => Err(e.into()),
    }
}
