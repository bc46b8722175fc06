//! Reverse an entry (a correction), with a reason: a new entry that cancels it in every
//! total. An entry is reversed at most once — checked under the case's lock, and held by a
//! unique index — and a reversal is never itself reversed.

use uuid::Uuid;

use super::super::Ctx;
use super::{remember, Attempt, Created};
use crate::db::costs::{self as costs_db, entries, CostAccess};
use crate::db::{AnyConnection, DbError};
use crate::domain::cost::{self, CostEntry, Origin, ReversalRefused, Stamp};
use crate::domain::Caller;
use crate::ops::idempotent;

/// Scope of this operation's `Idempotency-Key`s.
pub const IDEMPOTENCY_SCOPE: &str = "costs.reverse";

#[derive(Debug, thiserror::Error)]
pub enum ReverseEntryError {
    #[error("the case is not visible to the caller")]
    Hidden,
    #[error("the caller may read the case but not its costs")]
    CaseOnly,
    #[error("no such entry on this case")]
    NoSuchEntry,
    #[error("the entry is itself a reversal")]
    IsReversal,
    /// Reversed before (by this entry, when known).
    #[error("the entry is already reversed")]
    AlreadyReversed(Option<String>),
    #[error(transparent)]
    Db(#[from] DbError),
}

pub async fn reverse_entry<R>(
    ctx: &Ctx,
    caller: &Caller,
    incident_id: &str,
    entry_id: &str,
    reason: String,
    attempt: Attempt,
    render: R,
) -> Result<Created, ReverseEntryError>
where
    R: FnOnce(&CostEntry) -> Result<String, String> + Send + 'static,
{
    let (who, id, entry, now) = (
        caller.clone(),
        incident_id.to_owned(),
        entry_id.to_owned(),
        ctx.now.naive_utc(),
    );
    let stored = attempt.clone();
    let written = ctx
        .db
        .transaction(move |conn| write(conn, &who, &id, &entry, &reason, now, &stored, render))
        .await;
    match written {
        Ok(body) => Ok(Created::New(body)),
        Err(ReverseEntryError::Db(e)) => {
            let unique = e.is_unique_violation();
            match idempotent::after_conflict(
                &ctx.db,
                IDEMPOTENCY_SCOPE,
                attempt.key,
                &attempt.request_hash,
                e,
            )
            .await
            {
                Ok(earlier) => Ok(Created::Earlier(earlier)),
                // The unique index on `reverses_id`: another reversal won.
                Err(_) if unique => Err(ReverseEntryError::AlreadyReversed(None)),
                Err(e) => Err(e.into()),
            }
        }
        Err(refused) => Err(refused),
    }
}

#[allow(clippy::too_many_arguments)]
fn write<R>(
    conn: &mut AnyConnection,
    who: &Caller,
    incident_id: &str,
    entry_id: &str,
    reason: &str,
    now: chrono::NaiveDateTime,
    attempt: &Attempt,
    render: R,
) -> Result<String, ReverseEntryError>
where
    R: FnOnce(&CostEntry) -> Result<String, String>,
{
    match costs_db::case_access(conn, who, incident_id)? {
        CostAccess::Hidden => return Err(ReverseEntryError::Hidden),
        CostAccess::CaseOnly => return Err(ReverseEntryError::CaseOnly),
        CostAccess::Costs { .. } => {}
    }
    let Some(case) = entries::lock_case(conn, incident_id)? else {
        return Err(ReverseEntryError::Hidden);
    };
    let before = entries::for_case(conn, incident_id)?;
    let Some(target) = before.iter().find(|e| e.id == entry_id) else {
        return Err(ReverseEntryError::NoSuchEntry);
    };
    let reversed_by = before
        .iter()
        .find(|e| e.reverses_id.as_deref() == Some(entry_id))
        .map(|e| e.id.as_str());
    match cost::check_reversal(target, reversed_by) {
        Ok(()) => {}
        Err(ReversalRefused::IsReversal) => return Err(ReverseEntryError::IsReversal),
        Err(ReversalRefused::AlreadyReversed(by)) => {
            return Err(ReverseEntryError::AlreadyReversed(Some(by)))
        }
    }
    let reversal = cost::reversal_of(
        target,
        Origin::Reversal,
        Some(reason),
        Stamp {
            id: Uuid::now_v7().to_string(),
            by: who.email.clone(),
            at: now,
        },
    );
    entries::write(conn, &case, &before, std::slice::from_ref(&reversal))?;
    let body = render(&reversal).map_err(DbError::Task)?;
    remember(conn, IDEMPOTENCY_SCOPE, attempt, &body)?;
    Ok(body)
}
