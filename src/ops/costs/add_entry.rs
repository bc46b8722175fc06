//! Add a cost or recovery to a case, on the case's unit. A retry with the same
//! `Idempotency-Key` writes nothing and gets the first answer.

use chrono::NaiveDate;
use uuid::Uuid;

use super::super::Ctx;
use super::{remember, Attempt, Created};
use crate::db::costs::{self as costs_db, entries, CostAccess};
use crate::db::{AnyConnection, DbError};
use crate::domain::cost::{Basis, CostEntry, Direction, Origin};
use crate::domain::money::Ore;
use crate::domain::Caller;
use crate::ops::idempotent;

/// Scope of this operation's `Idempotency-Key`s.
pub const IDEMPOTENCY_SCOPE: &str = "costs.create";

/// A checked new entry (the category is one of the configured ones, with its direction).
#[derive(Debug, Clone)]
pub struct NewEntryInput {
    pub category: String,
    pub direction: Direction,
    pub basis: Basis,
    pub amount: Ore,
    pub incurred_on: NaiveDate,
    pub voucher_ref: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AddEntryError {
    #[error("the case is not visible to the caller")]
    Hidden,
    #[error("the caller may read the case but not its costs")]
    CaseOnly,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Adds the entry. `render` makes the answer's body from the stored entry inside the
/// transaction, so a retry gets exactly the same body.
pub async fn add_entry<R>(
    ctx: &Ctx,
    caller: &Caller,
    incident_id: &str,
    input: NewEntryInput,
    attempt: Attempt,
    render: R,
) -> Result<Created, AddEntryError>
where
    R: FnOnce(&CostEntry) -> Result<String, String> + Send + 'static,
{
    let (who, id, now) = (caller.clone(), incident_id.to_owned(), ctx.now.naive_utc());
    let stored = attempt.clone();
    let written = ctx
        .db
        .transaction(move |conn| write(conn, &who, &id, input, now, &stored, render))
        .await;
    match written {
        Ok(body) => Ok(Created::New(body)),
        // A concurrent retry with the same key committed first: answer as it did.
        Err(AddEntryError::Db(e)) => Ok(Created::Earlier(
            idempotent::after_conflict(
                &ctx.db,
                IDEMPOTENCY_SCOPE,
                attempt.key,
                &attempt.request_hash,
                e,
            )
            .await?,
        )),
        Err(refused) => Err(refused),
    }
}

fn write<R>(
    conn: &mut AnyConnection,
    who: &Caller,
    incident_id: &str,
    input: NewEntryInput,
    now: chrono::NaiveDateTime,
    attempt: &Attempt,
    render: R,
) -> Result<String, AddEntryError>
where
    R: FnOnce(&CostEntry) -> Result<String, String>,
{
    match costs_db::case_access(conn, who, incident_id)? {
        CostAccess::Hidden => return Err(AddEntryError::Hidden),
        CostAccess::CaseOnly => return Err(AddEntryError::CaseOnly),
        CostAccess::Costs { .. } => {}
    }
    let Some(case) = entries::lock_case(conn, incident_id)? else {
        return Err(AddEntryError::Hidden);
    };
    let before = entries::for_case(conn, incident_id)?;
    let entry = CostEntry {
        id: Uuid::now_v7().to_string(),
        incident_id: incident_id.to_owned(),
        org_unit_id: case.org_unit_id.clone(),
        category: input.category,
        direction: input.direction,
        basis: input.basis,
        amount: input.amount,
        incurred_on: input.incurred_on,
        voucher_ref: input.voucher_ref,
        note: input.note,
        origin: Origin::Entry,
        reverses_id: None,
        reason: None,
        entered_by: who.email.clone(),
        entered_at: now,
    };
    entries::write(conn, &case, &before, std::slice::from_ref(&entry))?;
    let body = render(&entry).map_err(DbError::Task)?;
    remember(conn, IDEMPOTENCY_SCOPE, attempt, &body)?;
    Ok(body)
}
