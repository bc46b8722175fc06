//! `POST /api/v1/incidents/{id}/transitions`: moves a case through its workflow
//! (`domain::workflow`); the transaction is `ops::cases::transition`.

use std::str::FromStr;

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::case_refusal;
use crate::auth::Caller;
use crate::domain::workflow::{TransitionError, TransitionInput};
use crate::domain::IncidentStatus;
use crate::error::{ApiError, FieldError, Problem};
use crate::i18n::Msg;
use crate::i18n::{self, Lang};
use crate::ops::cases::{self as ops, TransitionCaseError};
use crate::routes::case_view::{self, Case};
use crate::routes::input::{self, Checker, Lenient};
use crate::routes::responses::{DatabaseBusy, IfMatchRequired, JsonBodyErrors, NotLoggedIn};
use crate::state::AppState;

/// A step in the workflow.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionRequest {
    #[serde(default)]
    #[schema(value_type = IncidentStatus, required = true)]
    pub to: Lenient<String>,
    /// Why: required to reject and to reopen; shown to staff only.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000, pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFEFF]*$")]
    pub reason: Lenient<String>,
    /// The case this one duplicates (only with `"to": "duplicate"`).
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub duplicate_of: Lenient<String>,
}

fn list(statuses: &[IncidentStatus]) -> String {
    statuses
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The refusal the caller gets for a step the rules do not allow.
fn rule_refusal(e: TransitionError) -> ApiError {
    let lang = i18n::current();
    let field = |field: &str, code: &str, sv: &str, en: &str| {
        ApiError::Validation(vec![FieldError::new(
            field,
            code,
            match lang {
                Lang::Sv => sv,
                Lang::En => en,
            },
        )])
    };
    match e {
        TransitionError::NotAllowed { from, to, allowed } => ApiError::NotAllowed {
            detail: match lang {
                Lang::Sv => format!(
                    "Ett ärende med status {from} kan inte gå till {to}. Tillåtna steg: {}.",
                    list(&allowed)
                ),
                Lang::En => format!(
                    "A case in status {from} cannot go to {to}. Allowed: {}.",
                    list(&allowed)
                ),
            },
            allowed: allowed.iter().map(|s| s.as_str().to_owned()).collect(),
        },
        TransitionError::ReasonRequired => field(
            "reason",
            "required",
            "Ange ett skäl för att avvisa eller öppna ärendet igen.",
            "Give a reason to reject or reopen the case.",
        ),
        TransitionError::DuplicateOfRequired => field(
            "duplicate_of",
            "required",
            "Ange vilket ärende detta är en dubblett av.",
            "Name the case this one duplicates.",
        ),
        TransitionError::DuplicateOfItself => field(
            "duplicate_of",
            "itself",
            "Ett ärende kan inte vara en dubblett av sig självt.",
            "A case cannot duplicate itself.",
        ),
        TransitionError::DuplicateOfNotExpected => field(
            "duplicate_of",
            "not_expected",
            "Ange bara dubblett-ärende när ärendet markeras som dubblett.",
            "Give duplicate_of only when marking the case as a duplicate.",
        ),
        TransitionError::OpenActions(n) => ApiError::Conflict(match lang {
            Lang::Sv => format!(
                "Ärendet har {n} åtgärd(er) som inte är verifierade eller avbrutna; det kan inte avslutas än."
            ),
            Lang::En => format!(
                "The case has {n} action(s) neither verified nor cancelled; it cannot be closed yet."
            ),
        }),
        TransitionError::RiskNotRated => ApiError::Conflict(
            lang.t(Msg::CaseRiskBeforeClose)
            .to_owned(),
        ),
    }
}

/// Move a case through its workflow
///
/// `new → acknowledged → investigating → action_planned → resolved → closed`, `rejected` and
/// `duplicate` (with a reason / the other case) and reopening (with a reason). A step the state
/// machine does not have is 409 with `allowed` listing the ones it has. Closing needs a risk
/// rating and no open corrective actions (409 otherwise). Needs `If-Match`.
#[utoipa::path(
    tag = "cases",
    operation_id = "transition_incident",
    params(
        ("id" = String, Path, format = Uuid, description = "The case id."),
        // Declared optional so that its absence is documented as what it is here: 428.
        ("If-Match" = Option<String>, Header, pattern = r#"^(W/)?"[0-9]+"$"#,
         description = "Required: the `ETag` from the last read, e.g. `\"3\"`; 428 without it."),
    ),
    request_body(content = TransitionRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The case in its new status.", body = Case,
         headers(("ETag" = String, description = "The case's new version, quoted."))),
        JsonBodyErrors,
        NotLoggedIn,
        (status = 403, description = "The caller may read the case but not change it (or a cross-site request).", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not one the caller may read.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a step from the current status (`allowed` lists the ones there are), or closing with open actions or without a rating.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The case changed since it was read; nothing was written.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or not valid; `errors` lists each.", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
        DatabaseBusy,
    )
)]
#[post("/incidents/{id}/transitions")]
pub async fn transition_incident(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = case_view::case_id(&id)?;
    let version = case_view::if_match(&req)?;
    let request: TransitionRequest = input::json_body(&req, payload).await?;
    let (to, input) = request.check()?;
    let ctx = state.ops();
    match ops::transition_case(&ctx, &caller, &id, version, to, input).await {
        Ok(v) => Ok(case_view::respond(&case_view::full(
            v.case,
            v.can_manage,
            ctx.now,
        )?)),
        Err(TransitionCaseError::Refused(gate)) => {
            Err(case_refusal(gate, &caller, &id, "transition"))
        }
        Err(TransitionCaseError::Stale) => Err(ApiError::PreconditionFailed),
        Err(TransitionCaseError::UnknownDuplicate) => Err(ApiError::field(
            "duplicate_of",
            "unknown_case",
            i18n::current().t(Msg::CaseDuplicateUnknown),
        )),
        Err(TransitionCaseError::Rule(e)) => Err(rule_refusal(e)),
        Err(TransitionCaseError::Db(e)) => Err(e.into()),
    }
}

impl TransitionRequest {
    /// Every bad field at once (422), or the step.
    fn check(self) -> Result<(IncidentStatus, TransitionInput), ApiError> {
        let mut c = Checker::new();
        let to_raw = c.value("to", self.to, true);
        let to = c.parse("to", to_raw, |s| {
            IncidentStatus::from_str(s.trim()).map_err(|()| "unknown_value")
        });
        let reason = c.text("reason", self.reason, false, (1, 2000), true);
        let dup_raw = c.value("duplicate_of", self.duplicate_of, false);
        let duplicate_of = c.parse("duplicate_of", dup_raw, |s| {
            uuid::Uuid::parse_str(s.trim())
                .map(|u| u.to_string())
                .map_err(|_| "format")
        });
        c.finish()?;
        let to = to.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("checked `to` missing")))?;
        let input = TransitionInput {
            reason: reason.map(|r| r.as_str().to_owned()),
            duplicate_of,
        };
        Ok((to, input))
    }
}
