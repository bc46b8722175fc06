//! `PUT /api/v1/incidents/{id}/insurance-claim`: the case's insurance claim, whole, with
//! `If-Match` (finance and coordinators).

use actix_web::http::header;
use actix_web::{put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::super::case_view::{case_id, if_match};
use super::super::input::{self, Checker, Lenient};
use super::{dto, hidden};
use crate::auth::Caller;
use crate::db::costs::NewClaim;
use crate::domain::cost::ClaimState;
use crate::domain::money::{Ore, MAX_AMOUNT};
use crate::error::{ApiError, Problem};
use crate::i18n;
use crate::i18n::Msg;
use crate::ops::costs::put_claim::{self, PutClaimError};
use crate::routes::responses::{DatabaseBusy, IfMatchRequired, JsonBodyErrors, NotLoggedIn};
use crate::state::AppState;

/// The whole claim; what is left out is cleared.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClaimInput {
    #[serde(default)]
    #[schema(value_type = ClaimState, required = true)]
    pub state: Lenient<String>,
    /// The insurance company; required unless `state` is `none`.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub insurer: Lenient<String>,
    /// The insurer's claim number (skadenummer).
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 50)]
    pub claim_number: Lenient<String>,
    /// Självrisk, in öre.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000_000_000i64)]
    pub deductible_ore: Lenient<i64>,
    /// What the insurer is expected to pay, in öre.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000_000_000i64)]
    pub expected_recovery_ore: Lenient<i64>,
}

fn ore(c: &mut Checker, field: &str, v: Lenient<i64>) -> Option<Ore> {
    let v = c.value(field, v, false)?;
    if !(0..=MAX_AMOUNT.ore()).contains(&v) {
        c.fail(field, "range");
        return None;
    }
    Some(Ore(v))
}

fn parse(r: ClaimInput) -> Result<NewClaim, ApiError> {
    let mut c = Checker::new();
    let state = c.value("state", r.state, true);
    let state = c.parse("state", state, |s| {
        s.trim().parse::<ClaimState>().map_err(|()| "unknown_value")
    });
    let insurer = c.text("insurer", r.insurer, false, (1, 100), false);
    if insurer.is_none() && state.is_some_and(|s| s != ClaimState::None) {
        c.fail("insurer", "required");
    }
    let claim_number = c.text("claim_number", r.claim_number, false, (1, 50), false);
    let deductible = ore(&mut c, "deductible_ore", r.deductible_ore);
    let expected_recovery = ore(&mut c, "expected_recovery_ore", r.expected_recovery_ore);
    c.finish()?;
    Ok(NewClaim {
        state: state.unwrap_or(ClaimState::None),
        insurer: insurer.map(|t| t.as_str().to_owned()),
        claim_number: claim_number.map(|t| t.as_str().to_owned()),
        deductible,
        expected_recovery,
    })
}

fn refused(caller: &Caller, e: PutClaimError) -> ApiError {
    match e {
        PutClaimError::Hidden => hidden(caller, "put_insurance_claim"),
        PutClaimError::NotAllowed => {
            tracing::info!(user_id = %caller.user_id, action = "put_insurance_claim", "denied");
            ApiError::Forbidden(i18n::current().t(Msg::CostClaimsNotHandler).to_owned())
        }
        PutClaimError::Stale => ApiError::PreconditionFailed,
        PutClaimError::Db(e) => e.into(),
    }
}

/// Set a case's insurance claim
///
/// Insurer, claim number, deductible, expected recovery and state (`none`, `filed`,
/// `approved`, `paid`, `denied`). The recovery itself is booked as a cost entry of a recovery
/// category when it is paid.
#[utoipa::path(
    tag = "costs",
    operation_id = "put_insurance_claim",
    params(
        ("id" = String, Path, format = Uuid, description = "The case's id."),
        ("If-Match" = Option<String>, Header, pattern = r#"^(W/)?"[0-9]+"$"#,
         description = "Required: the claim's `ETag` from `GET …/costs` (`\"0\"` before the first claim); 428 without it."),
    ),
    request_body(content = ClaimInput, content_type = "application/json"),
    responses(
        (status = 200, description = "The claim as stored.", body = dto::ClaimView,
         headers(("ETag" = String, description = "The claim's new version, quoted."))),
        JsonBodyErrors,
        NotLoggedIn,
        (status = 403, description = "The caller may not set claims (a manager, skyddsombud), or the request is cross-site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case in the caller's scope.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The claim changed since it was read; nothing was written.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fields are missing or invalid; `errors` lists each.", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
        DatabaseBusy,
    )
)]
#[put("/incidents/{id}/insurance-claim")]
pub async fn put_insurance_claim(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let incident_id = case_id(&id)?;
    let version = if_match(&req)?;
    let body = input::read_body(&req, payload, input::JSON_LIMIT).await?;
    let claim = parse(input::from_object(input::parse_json_object(&req, &body)?)?)?;
    let stored = put_claim::put_claim(&state.ops(), &caller, &incident_id, version, claim)
        .await
        .map_err(|e| refused(&caller, e))?;
    tracing::info!(user_id = %caller.user_id, case = %incident_id, state = %stored.state, "insurance claim set");
    let view = dto::claim_view(Some(&stored), i18n::current());
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", view.version)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(view))
}
