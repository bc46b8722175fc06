//! Move a corrective action along its states (with the version last read). The owner may
//! start and finish it; verifying and cancelling need someone who manages the case.

use super::super::Ctx;
use crate::db::actions::{self as actions_db, ActionRow, CaseAccess};
use crate::db::{events, AnyConnection, DbError};
use crate::domain::action::{check_transition, ActionState, ActionTransitionError};
use crate::domain::case_event::{ActionStep, CaseEvent};
use crate::domain::Caller;

#[derive(Debug, thiserror::Error)]
pub enum TransitionActionError {
    #[error("no such action visible to the caller")]
    Hidden,
    #[error("neither the action's owner nor a manager of its case")]
    NoRights,
    #[error("only a manager of the case may move it to {0:?}")]
    ManagerOnly(ActionState),
    #[error("the action changed since it was read")]
    Stale,
    #[error("{from:?} cannot go there")]
    NotAllowed {
        from: ActionState,
        allowed: Vec<ActionState>,
    },
    #[error("cancelling needs a reason")]
    ReasonRequired,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// What the owner may do without managing the case: carry the work out.
fn owner_may(to: ActionState) -> bool {
    matches!(to, ActionState::InProgress | ActionState::Done)
}

/// Moves the action to `to` and returns it as stored now.
pub async fn transition_action(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    expected: i64,
    to: ActionState,
    reason: Option<String>,
) -> Result<ActionRow, TransitionActionError> {
    let (ctx2, who, id) = (ctx.clone(), caller.clone(), id.to_owned());
    ctx.db
        .transaction(move |conn| write(conn, &ctx2, &who, &id, expected, to, reason))
        .await
}

fn write(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    who: &Caller,
    id: &str,
    expected: i64,
    to: ActionState,
    reason: Option<String>,
) -> Result<ActionRow, TransitionActionError> {
    let Some((row, access)) = actions_db::find_visible(conn, who, id)? else {
        return Err(TransitionActionError::Hidden);
    };
    let manager = access == CaseAccess::Manage;
    let owner = row.owner_email.eq_ignore_ascii_case(&who.email);
    if !manager && !owner {
        return Err(TransitionActionError::NoRights);
    }
    if row.version != expected {
        return Err(TransitionActionError::Stale);
    }
    let from: ActionState = row.state;
    match check_transition(from, to, reason.as_deref()) {
        Err(ActionTransitionError::NotAllowed { from, allowed, .. }) => {
            return Err(TransitionActionError::NotAllowed { from, allowed })
        }
        Err(ActionTransitionError::ReasonRequired) => {
            return Err(TransitionActionError::ReasonRequired)
        }
        Ok(()) => {}
    }
    if !manager && !owner_may(to) {
        return Err(TransitionActionError::ManagerOnly(to));
    }
    let now = ctx.now.naive_utc();
    if !actions_db::set_state(conn, id, expected, to, reason.as_deref(), now)? {
        return Err(TransitionActionError::Stale);
    }
    let event = CaseEvent::ActionStateChanged(ActionStep {
        action_id: id.to_owned(),
        title: row.title.clone(),
        before: from,
        after: to,
        reason,
    });
    events::append(conn, &row.incident_id, now, Some(&who.email), &event)?;
    Ok(actions_db::find(conn, id)?.ok_or_else(|| DbError::Corrupt("the action is gone".into()))?)
}
