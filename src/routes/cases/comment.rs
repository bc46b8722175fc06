//! `POST /api/v1/incidents/{id}/comments`: staff comment on a case, internally or visibly to
//! the reporter on the tracking page (`ops::cases::comment`).

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::ops::cases::comment::{self as ops, CommentError};
use crate::routes::case_view;
use crate::routes::input::{self, Checker, Lenient};
use crate::routes::responses::{DatabaseBusy, JsonBodyErrors, NotLoggedIn};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddCaseComment {
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 5000, required = true,
             pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFEFF]*$")]
    pub text: Lenient<String>,
    /// Shown to the reporter on the tracking page when true; internal otherwise.
    #[serde(default)]
    #[schema(value_type = bool, required = true)]
    pub public: Lenient<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseCommentAdded {
    /// The history event's id.
    pub id: String,
    pub at: DateTime<Utc>,
}

/// Comment on a case
///
/// Managers, safety coordinators and skyddsombud of the case's unit comment on it; a public
/// comment shows on the reporter's tracking page. An employee who reported the case while
/// logged in may add to it too; their comments are always public (it is their report).
#[utoipa::path(
    tag = "cases",
    operation_id = "add_case_comment",
    params(("id" = String, Path, format = Uuid, description = "The case id.")),
    request_body(content = AddCaseComment, content_type = "application/json"),
    responses(
        (status = 201, description = "The comment is in the case's history.", body = CaseCommentAdded),
        JsonBodyErrors,
        NotLoggedIn,
        (status = 403, description = "A cross-site request.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not one the caller may read.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or not valid; `errors` lists each.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[post("/incidents/{id}/comments")]
pub async fn add_case_comment(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = case_view::case_id(&id)?;
    let request: AddCaseComment = input::json_body(&req, payload).await?;
    let mut c = Checker::new();
    let text = c.text("text", request.text, true, (1, 5000), true);
    let public = c.value("public", request.public, true);
    c.finish()?;
    let (Some(text), Some(public)) = (text, public) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "checked comment fields missing"
        )));
    };
    let ctx = state.ops();
    match ops::add_case_comment(&ctx, &caller, &id, text, public).await {
        Ok(event_id) => Ok(HttpResponse::Created().json(CaseCommentAdded {
            id: event_id,
            at: ctx.now,
        })),
        Err(CommentError::Hidden) => Err(case_view::denied(
            &caller,
            &id,
            "comment",
            ApiError::NotFound,
        )),
        Err(CommentError::Db(e)) => Err(e.into()),
    }
}
