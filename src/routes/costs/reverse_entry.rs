//! `POST /api/v1/incidents/{id}/costs/{entry}/reversal`: corrects an entry by a new entry
//! that cancels it, with a reason. Once per entry; a reversal is never reversed.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::super::case_view::case_id;
use super::super::idempotency;
use super::super::input::{self, Checker, Lenient};
use super::add_entry::created;
use super::{attempt, case_only, dto, hidden};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::i18n;
use crate::i18n::Msg;
use crate::ops::costs::reverse_entry::{self, ReverseEntryError, IDEMPOTENCY_SCOPE};
use crate::ops::costs::{earlier, Created};
use crate::routes::responses::{DatabaseBusy, JsonBodyErrors, NotLoggedIn};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewReversal {
    /// Why the entry is wrong (kept with the reversal).
    #[serde(default)]
    #[schema(value_type = String, min_length = 3, max_length = 500, required = true)]
    pub reason: Lenient<String>,
}

fn parse(r: NewReversal) -> Result<String, ApiError> {
    let mut c = Checker::new();
    let reason = c.text("reason", r.reason, true, (3, 500), true);
    c.finish()?;
    reason
        .map(|t| t.as_str().to_owned())
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("checked reason missing")))
}

fn refused(caller: &Caller, e: ReverseEntryError) -> ApiError {
    let lang = i18n::current();
    match e {
        ReverseEntryError::Hidden | ReverseEntryError::NoSuchEntry => {
            hidden(caller, "reverse_cost_entry")
        }
        ReverseEntryError::CaseOnly => case_only(caller, "reverse_cost_entry"),
        ReverseEntryError::IsReversal => {
            ApiError::Conflict(lang.t(Msg::CostReversalOfReversal).to_owned())
        }
        ReverseEntryError::AlreadyReversed(_) => {
            ApiError::Conflict(lang.t(Msg::CostAlreadyReversed).to_owned())
        }
        ReverseEntryError::Db(e) => e.into(),
    }
}

/// Reverse a cost entry
///
/// Writes an entry with the same unit, date, category, basis and amount that takes the
/// original back out of every total.
#[utoipa::path(
    tag = "costs",
    operation_id = "reverse_cost_entry",
    params(
        ("id" = String, Path, format = Uuid, description = "The case's id."),
        ("entry" = String, Path, format = Uuid, description = "The entry to reverse."),
        ("Idempotency-Key" = Option<String>, Header, format = Uuid, description = "A UUID made once per reversal, so that a retry writes nothing."),
    ),
    request_body(content = NewReversal, content_type = "application/json"),
    responses(
        (status = 201, description = "The reversing entry.", body = dto::EntryView),
        JsonBodyErrors,
        NotLoggedIn,
        (status = 403, description = "The caller may see the case but not its costs, or the request is cross-site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case in the caller's scope, or no such entry on it.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The entry is already reversed, or is itself a reversal.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason, or the `Idempotency-Key` was used for another request.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[post("/incidents/{id}/costs/{entry}/reversal")]
pub async fn reverse_cost_entry(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (incident_id, entry_id) = (case_id(&path.0)?, case_id(&path.1)?);
    let body = input::read_body(&req, payload, input::JSON_LIMIT).await?;
    let value = input::parse_json_object(&req, &body)?;
    let attempt = attempt(
        &req,
        &caller,
        &format!("costs/{incident_id}/{entry_id}"),
        &value,
    )?;
    let ctx = state.ops();
    if let Some(answer) = earlier(&ctx, IDEMPOTENCY_SCOPE, &attempt).await? {
        return idempotency::respond(answer);
    }
    let reason = parse(input::from_object(value)?)?;
    let (categories, lang) = (state.settings.cost_categories.clone(), i18n::current());
    let render = move |e: &_| {
        serde_json::to_string(&dto::entry_view(e, None, &categories, lang))
            .map_err(|e| e.to_string())
    };
    let done = reverse_entry::reverse_entry(
        &ctx,
        &caller,
        &incident_id,
        &entry_id,
        reason,
        attempt,
        render,
    )
    .await;
    match done.map_err(|e| refused(&caller, e))? {
        Created::New(body) => Ok(created(body)),
        Created::Earlier(answer) => idempotency::respond(answer),
    }
}
