//! `POST /api/v1/actions/{id}/transitions`: move a corrective action along (If-Match); who
//! may make which step is in `ops::actions::transition`.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::action_id;
use crate::auth::Caller;
use crate::domain::action::ActionState;
use crate::domain::calendar::stockholm_date;
use crate::error::{ApiError, Problem};
use crate::i18n::Msg;
use crate::ops::actions::{self as ops, TransitionActionError};
use crate::routes::action_dto::{self, ActionView};
use crate::routes::input::{self, Checker, Lenient};
use crate::routes::responses::{DatabaseBusy, IfMatchRequired, JsonBodyErrors, NotLoggedIn};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct ActionTransition {
    /// The state to move to.
    #[serde(default)]
    #[schema(value_type = ActionState, required = true)]
    pub to: Lenient<String>,
    /// Why; required to cancel.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub reason: Lenient<String>,
}

/// Move a corrective action to another state
///
/// `planned → in_progress → done → verified`, or `cancelled` (with a reason) before
/// `verified`; `done → in_progress` sends back unfinished work.
#[utoipa::path(
    tag = "actions",
    operation_id = "transition_action",
    params(
        ("id" = String, Path, format = Uuid, description = "The action's id."),
        // Declared optional so that its absence is documented as what it is here: 428.
        ("If-Match" = Option<String>, Header, pattern = r#"^(W/)?"[0-9]+"$"#,
         description = "Required: the `ETag` of the last read, e.g. `\"3\"`; 428 without it."),
    ),
    request_body(content = ActionTransition, content_type = "application/json"),
    responses(
        (status = 200, description = "The action in its new state, with its new `ETag`.", body = ActionView,
            headers(("ETag" = String, description = "The action's version, for `If-Match`."))),
        JsonBodyErrors,
        NotLoggedIn,
        (status = 403, description = "The caller may not make this step (the owner may only start and finish the work), or the request is cross-site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such action visible to the caller.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a step from the current state; `allowed` lists the ones there are.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Someone changed the action since the caller read it; nothing was written.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`to` is missing or unknown, or a cancellation has no reason.", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
        DatabaseBusy,
    )
)]
#[post("/actions/{id}/transitions")]
pub async fn transition_action(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = action_id(&id)?;
    let expected = action_dto::if_match(&req)?;
    let request: ActionTransition = input::json_body(&req, payload).await?;
    let (to, reason) = request.check()?;
    let ctx = state.ops();
    match ops::transition_action(&ctx, &caller, &id, expected, to, reason).await {
        Ok(row) => {
            let view: ActionView = action_dto::view(row, stockholm_date(ctx.now));
            Ok(action_dto::respond(HttpResponse::Ok(), &view))
        }
        Err(TransitionActionError::NotAllowed { from, allowed }) => {
            Ok(action_dto::not_allowed(from, &allowed))
        }
        Err(e) => Err(refusal(e, &caller, &id)),
    }
}

impl ActionTransition {
    /// Every bad field at once (422), or the state to move to and why.
    fn check(self) -> Result<(ActionState, Option<String>), ApiError> {
        let mut c = Checker::new();
        let to_raw = c.value("to", self.to, true);
        let to: Option<ActionState> =
            c.parse("to", to_raw, |s| s.parse().map_err(|()| "unknown_value"));
        let reason = action_dto::text_of(c.text("reason", self.reason, false, (1, 2000), true));
        c.finish()?;
        let to = to.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("checked fields missing")))?;
        Ok((to, reason))
    }
}

/// The answer to a refused step, with the refusal logged.
fn refusal(e: TransitionActionError, caller: &Caller, id: &str) -> ApiError {
    let lang = crate::i18n::current();
    let denied = |why| action_dto::denied(&caller.user_id, "transition_action", id, why);
    match e {
        TransitionActionError::Hidden => {
            denied("not visible");
            ApiError::NotFound
        }
        TransitionActionError::NoRights => {
            denied("neither owner nor case manager");
            ApiError::Forbidden(lang.t(Msg::ActionTransitionNotOwner).to_owned())
        }
        TransitionActionError::ManagerOnly(to) => {
            denied("owner may not make this step");
            ApiError::Forbidden(format!(
                "{} ({})",
                lang.t(Msg::ActionTransitionManagerOnly),
                to.as_str()
            ))
        }
        TransitionActionError::Stale => ApiError::PreconditionFailed,
        // Answered with its own 409 document by the handler; kept here for completeness.
        TransitionActionError::NotAllowed { from, allowed } => {
            ApiError::Conflict(action_dto::not_allowed_detail(from, &allowed))
        }
        TransitionActionError::ReasonRequired => ApiError::field(
            "reason",
            "required",
            lang.t(Msg::ActionCancelReasonRequired),
        ),
        TransitionActionError::Db(e) => e.into(),
    }
}
