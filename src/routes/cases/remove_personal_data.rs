//! `POST /api/v1/incidents/{id}/personal-data-removals`: removal on request
//! (`ops::cases::remove_personal_data`).

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::ops::cases::remove_personal_data::{self as ops, Removal, RemovalError};
use crate::routes::case_view;
use crate::routes::input::{self, Checker, Lenient};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct RemovePersonalData {
    /// `reporter`: the reporter's name, e-mail and phone wherever the case holds them;
    /// `passage`: every occurrence of `passage` in the free texts and comments.
    #[serde(default)]
    #[schema(value_type = String, pattern = "^(reporter|passage)$", required = true)]
    pub what: Lenient<String>,
    /// The text to redact (with `what: passage`).
    #[serde(default)]
    #[schema(value_type = String, min_length = 3, max_length = 5000,
             pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFEFF]*$")]
    pub passage: Lenient<String>,
    /// Why (e.g. "Begäran enligt GDPR art. 17", "Namn skrivet av misstag").
    #[serde(default)]
    #[schema(value_type = String, min_length = 3, max_length = 500, required = true,
             pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFEFF]*$")]
    pub reason: Lenient<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalDataRemoved {
    /// How many places changed.
    pub changed: usize,
}

/// Remove personal data from a case on request
///
/// Safety coordinators only. The history records who, why and what kind of removal, never the
/// removed text. A report made anonymously holds no reporter data: 409.
#[utoipa::path(
    tag = "cases",
    operation_id = "remove_personal_data",
    params(("id" = String, Path, format = Uuid, description = "The case id.")),
    request_body(content = RemovePersonalData, content_type = "application/json"),
    responses(
        (status = 200, description = "Removed.", body = PersonalDataRemoved),
        (status = 400, description = "The body is not valid JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A cross-site request.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or the caller is not a safety coordinator.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Nothing to remove: no reporter data, or the passage is nowhere.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or not valid; `errors` lists each.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy; try again.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/incidents/{id}/personal-data-removals")]
pub async fn remove_personal_data(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = case_view::case_id(&id)?;
    let request: RemovePersonalData = input::json_body(&req, payload).await?;
    let mut c = Checker::new();
    let what = c.value("what", request.what, true);
    let passage = c.text("passage", request.passage, false, (3, 5000), true);
    let reason = c.text("reason", request.reason, true, (3, 500), false);
    c.finish()?;
    let removal = match (what.as_deref(), passage) {
        (Some("reporter"), _) => Removal::Reporter,
        (Some("passage"), Some(p)) => Removal::Passage(p),
        (Some("passage"), None) => return Err(ApiError::field("passage", "required", "passage")),
        _ => {
            return Err(ApiError::field(
                "what",
                "unknown_value",
                "reporter | passage",
            ))
        }
    };
    let reason = reason.ok_or_else(|| ApiError::field("reason", "required", "reason"))?;
    match ops::remove_personal_data(&state.ops(), &caller, &id, removal, reason).await {
        Ok(changed) => Ok(HttpResponse::Ok().json(PersonalDataRemoved { changed })),
        Err(RemovalError::Hidden) => Err(ApiError::NotFound),
        Err(RemovalError::Nothing) => Err(ApiError::Conflict(
            crate::i18n::current()
                .pick(
                    "Det finns inget att ta bort: inga uppgifter om anmälaren, eller texten finns inte i ärendet.",
                    "Nothing to remove: no reporter data, or the passage is not in the case.",
                )
                .to_owned(),
        )),
        Err(RemovalError::Db(e)) => Err(e.into()),
    }
}
