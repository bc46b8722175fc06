//! Move a case through its workflow (`domain::workflow`), with the version last read.
//! Leaving `new` stops reminders and escalation; `new → acknowledged` is the one
//! acknowledgement the mail's link makes too (`acknowledge::record`).

use super::acknowledge::{self, Ack, AckVia};
use super::{gate, reload, Gate, Visible};
use crate::db::cases::{self, CaseChanges};
use crate::db::{access, events, routing as routing_db, AnyConnection, DbError};
use crate::domain::case_event::{CaseEvent, StatusChange, StatusState};
use crate::domain::workflow::{self, CaseFacts, TransitionError, TransitionInput};
use crate::domain::{Caller, IncidentStatus};
use crate::ops::Ctx;

#[derive(Debug, thiserror::Error)]
pub enum TransitionCaseError {
    #[error("refused: {0:?}")]
    Refused(Gate),
    #[error("the case changed since it was read")]
    Stale,
    /// `duplicate_of` names a case the caller cannot see (or none).
    #[error("unknown case named as the original")]
    UnknownDuplicate,
    #[error("the workflow does not allow it: {0:?}")]
    Rule(TransitionError),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Moves the case to `to`; returns it as the caller sees it now.
pub async fn transition_case(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    version: i64,
    to: IncidentStatus,
    input: TransitionInput,
) -> Result<Visible, TransitionCaseError> {
    let (ctx2, who, id) = (ctx.clone(), caller.clone(), id.to_owned());
    ctx.db
        .transaction(move |conn| write(conn, &ctx2, &who, &id, version, to, input))
        .await
}

fn write(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    version: i64,
    to: IncidentStatus,
    input: TransitionInput,
) -> Result<Visible, TransitionCaseError> {
    let row = gate(conn, caller, id, version)?.map_err(TransitionCaseError::Refused)?;
    let from: IncidentStatus = row.status;
    if let Some(other) = &input.duplicate_of {
        // Only a case the caller can see may be named: otherwise the answer would tell
        // whether an id exists.
        if other != id && cases::find(conn, other, access::readable(caller))?.is_none() {
            return Err(TransitionCaseError::UnknownDuplicate);
        }
    }
    let facts = CaseFacts {
        open_actions: u32::try_from(cases::open_actions(conn, id)?).unwrap_or(u32::MAX),
        risk_rated: row.risk_level.is_some(),
    };
    workflow::check(id, from, to, &input, facts).map_err(TransitionCaseError::Rule)?;
    let changes = CaseChanges {
        status: Some(to),
        status_reason: Some(input.reason.clone()),
        duplicate_of: Some(input.duplicate_of.clone()),
        ..CaseChanges::default()
    };
    let now = ctx.now.naive_utc();
    if !cases::update(conn, id, version, &changes, now)? {
        return Err(TransitionCaseError::Stale);
    }
    if from == IncidentStatus::New && to == IncidentStatus::Acknowledged {
        let ack = Ack {
            before: &row,
            by: Some(&caller.email),
            via: AckVia::Api,
            moved: true,
            reason: input.reason,
        };
        acknowledge::record(conn, now, ack)?;
        return Ok(reload(conn, caller, id)?);
    }
    // Leaving `new` in any direction means someone took the case: no reminders.
    if from == IncidentStatus::New {
        routing_db::acknowledge(conn, id, now)?;
    }
    let before = StatusState {
        status: from,
        status_reason: row.status_reason.clone(),
        duplicate_of: row.duplicate_of.clone(),
    };
    let change = StatusChange::new("api", before, to, input.reason, input.duplicate_of);
    let event = CaseEvent::StatusChanged(change);
    events::append(conn, id, now, Some(&caller.email), &event)?;
    Ok(reload(conn, caller, id)?)
}
