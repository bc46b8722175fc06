//! `POST /api/v1/actions/{id}/transitions`: move a corrective action along (If-Match).
//! The owner may start and finish it; verifying and cancelling need a case manager.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::action_dto::{self, ActionView};
use super::input::{self, Checker, Lenient};
use crate::auth::Caller;
use crate::db::actions::{self as actions_db, ActionRow, CaseAccess};
use crate::db::{incidents, DbError};
use crate::domain::action::{check_transition, ActionState, ActionTransitionError};
use crate::domain::calendar::stockholm_date;
use crate::error::{ApiError, Problem};
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

/// What the owner may do without managing the case: carry the work out.
fn owner_may(to: ActionState) -> bool {
    matches!(to, ActionState::InProgress | ActionState::Done)
}

enum Outcome {
    Moved(Box<ActionRow>),
    Hidden,
    NoRights,
    ManagerOnly(ActionState),
    Stale,
    NotAllowed(ActionState, Vec<ActionState>),
    ReasonRequired,
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
        (status = 400, description = "The body is not valid JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may not make this step (the owner may only start and finish the work), or the request is cross-site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such action visible to the caller.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a step from the current state; `allowed` lists the ones there are.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Someone changed the action since the caller read it; nothing was written.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 64 KiB.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`to` is missing or unknown, or a cancellation has no reason.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing or is not an ETag of this API.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy; try again.", body = Problem, content_type = "application/problem+json"),
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
    let action_id = Uuid::parse_str(&id)
        .map_err(|_| ApiError::NotFound)?
        .to_string();
    let expected = action_dto::if_match(&req)?;
    let body = input::read_body(&req, payload, input::JSON_LIMIT).await?;
    let request: ActionTransition = input::from_object(input::parse_json_object(&req, &body)?)?;
    let mut c = Checker::new();
    let to_raw = c.value("to", request.to, true);
    let to: Option<ActionState> =
        c.parse("to", to_raw, |s| s.parse().map_err(|()| "unknown_value"));
    let reason = action_dto::text_of(c.text("reason", request.reason, false, (1, 2000), true));
    c.finish()?;
    let Some(to) = to else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "checked fields missing"
        )));
    };
    let now = state.clock.now();
    let who = caller.clone();
    let id = action_id.clone();
    let outcome = state
        .db
        .write(move |conn| {
            let Some((row, access)) = actions_db::find_visible(conn, &who, &id)? else {
                return Ok(Outcome::Hidden);
            };
            let manager = access == CaseAccess::Manage;
            let owner = row.owner_email.eq_ignore_ascii_case(&who.email);
            if !manager && !owner {
                return Ok(Outcome::NoRights);
            }
            if row.version != expected {
                return Ok(Outcome::Stale);
            }
            let from: ActionState = row
                .state
                .parse()
                .map_err(|()| DbError::Task(format!("stored state {:?}", row.state)))?;
            match check_transition(from, to, reason.as_deref()) {
                Err(ActionTransitionError::NotAllowed { from, allowed, .. }) => {
                    return Ok(Outcome::NotAllowed(from, allowed))
                }
                Err(ActionTransitionError::ReasonRequired) => return Ok(Outcome::ReasonRequired),
                Ok(()) => {}
            }
            if !manager && !owner_may(to) {
                return Ok(Outcome::ManagerOnly(to));
            }
            if !actions_db::set_state(conn, &id, expected, to, reason.as_deref(), now.naive_utc())?
            {
                return Ok(Outcome::Stale);
            }
            let data = serde_json::json!({
                "action_id": id, "title": row.title,
                "before": from, "after": to, "reason": reason,
            })
            .to_string();
            incidents::append_event(
                conn,
                &row.incident_id,
                now.naive_utc(),
                Some(&who.email),
                "action_state_changed",
                false,
                &data,
            )?;
            let row = actions_db::find(conn, &id)?
                .ok_or_else(|| DbError::Task("the action is gone".into()))?;
            Ok(Outcome::Moved(Box::new(row)))
        })
        .await?;
    let lang = crate::i18n::current();
    match outcome {
        Outcome::Moved(row) => {
            let view: ActionView = action_dto::view(*row, stockholm_date(now));
            Ok(action_dto::respond(HttpResponse::Ok(), &view))
        }
        Outcome::Hidden => {
            action_dto::denied(
                &caller.user_id,
                "transition_action",
                &action_id,
                "not visible",
            );
            Err(ApiError::NotFound)
        }
        Outcome::NoRights => {
            action_dto::denied(
                &caller.user_id,
                "transition_action",
                &action_id,
                "neither owner nor case manager",
            );
            Err(ApiError::Forbidden(
                lang.pick(
                    "Bara åtgärdens ansvarige och den som hanterar ärendet kan ändra dess status.",
                    "Only the action's owner and those who manage the case may change its state.",
                )
                .to_owned(),
            ))
        }
        Outcome::ManagerOnly(to) => {
            action_dto::denied(
                &caller.user_id,
                "transition_action",
                &action_id,
                "owner may not make this step",
            );
            Err(ApiError::Forbidden(format!(
                "{} ({})",
                lang.pick(
                    "Att verifiera eller avbryta en åtgärd kräver den som hanterar ärendet",
                    "Verifying or cancelling an action needs someone who manages the case",
                ),
                to.as_str()
            )))
        }
        Outcome::Stale => Err(ApiError::PreconditionFailed),
        Outcome::NotAllowed(from, allowed) => Ok(action_dto::not_allowed(from, &allowed)),
        Outcome::ReasonRequired => Err(ApiError::field(
            "reason",
            "required",
            lang.pick(
                "Ange varför åtgärden avbryts.",
                "Say why the action is cancelled.",
            ),
        )),
    }
}
