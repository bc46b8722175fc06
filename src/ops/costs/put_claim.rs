//! Set a case's insurance claim (insurer, claim number, deductible, expected recovery,
//! state) if the caller read its current version: finance and coordinators only.

use super::super::Ctx;
use crate::db::costs::entries::{self, Claim};
use crate::db::costs::{self as costs_db, CostAccess, NewClaim};
use crate::db::{AnyConnection, DbError};
use crate::domain::Caller;

#[derive(Debug, thiserror::Error)]
pub enum PutClaimError {
    #[error("the case is not visible to the caller")]
    Hidden,
    /// The caller may read the case (or its costs, as its manager) but not set the claim.
    #[error("the caller may not set this case's claim")]
    NotAllowed,
    /// The claim changed since the caller read it.
    #[error("the claim changed since it was read")]
    Stale,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Stores the claim if `version` is the one the caller read (0: none yet); answers it.
pub async fn put_claim(
    ctx: &Ctx,
    caller: &Caller,
    incident_id: &str,
    version: i64,
    claim: NewClaim,
) -> Result<Claim, PutClaimError> {
    let (who, id, now) = (caller.clone(), incident_id.to_owned(), ctx.now.naive_utc());
    let written = ctx
        .db
        .transaction(move |conn| write(conn, &who, &id, version, &claim, now))
        .await;
    match written {
        // Two first claims at once: the second meets the primary key.
        Err(PutClaimError::Db(e)) if e.is_unique_violation() => Err(PutClaimError::Stale),
        other => other,
    }
}

fn write(
    conn: &mut AnyConnection,
    who: &Caller,
    incident_id: &str,
    version: i64,
    claim: &NewClaim,
    now: chrono::NaiveDateTime,
) -> Result<Claim, PutClaimError> {
    match costs_db::case_access(conn, who, incident_id)? {
        CostAccess::Hidden => return Err(PutClaimError::Hidden),
        CostAccess::CaseOnly | CostAccess::Costs { claims: false } => {
            return Err(PutClaimError::NotAllowed)
        }
        CostAccess::Costs { claims: true } => {}
    }
    if !entries::put_claim(conn, incident_id, version, claim, &who.email, now)? {
        return Err(PutClaimError::Stale);
    }
    let stored = entries::claim(conn, incident_id)?
        .ok_or_else(|| DbError::Task("the claim just stored is gone".into()))?;
    Ok(stored)
}
