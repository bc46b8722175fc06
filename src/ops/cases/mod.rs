//! Case handling by staff: change a case, move it through its workflow, comment on it.
//! (The API calls the record an incident; in code, staff's view of it is a case.)

use crate::db::access::{self, CaseAccess};
use crate::db::cases::{self, CaseRow, LoadedCase};
use crate::db::{events, AnyConnection, DbError, DbResult};
use crate::domain::Caller;

pub mod acknowledge;
pub mod comment;
pub mod patch;
pub mod remove_personal_data;
pub mod transition;

pub use patch::{patch_case, CaseEdit, DutyEdit, PatchCaseError};
pub use transition::{transition_case, TransitionCaseError};

/// Why a change to a case was refused before anything was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Not visible to the caller (a 404: not even its existence is told).
    Missing,
    /// Visible, but the caller may not change it.
    ReadOnly,
    /// Changed since the caller read it.
    Stale,
}

/// The case as stored, if the caller may change it and `version` is the one they read.
pub fn gate(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    version: i64,
) -> DbResult<Result<CaseRow, Gate>> {
    let Some(row) = cases::find(conn, id, access::readable(caller))? else {
        return Ok(Err(Gate::Missing));
    };
    if !cases::passes(conn, id, access::manageable(caller))? {
        return Ok(Err(Gate::ReadOnly));
    }
    if row.version != version {
        return Ok(Err(Gate::Stale));
    }
    Ok(Ok(row))
}

/// A case as the caller may see it, with whether they may change it.
pub struct Visible {
    pub case: LoadedCase,
    pub can_manage: bool,
}

/// Loads a case through the access rule: `None` when the caller may not read it.
pub fn load_visible(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> DbResult<Option<Visible>> {
    let Some(row) = cases::find(conn, id, access::readable(caller))? else {
        return Ok(None);
    };
    let can_manage = cases::passes(conn, id, access::manageable(caller))?;
    let case = cases::decorate(conn, vec![row])?
        .pop()
        .ok_or_else(|| DbError::Corrupt("decorated case vanished".into()))?;
    Ok(Some(Visible { case, can_manage }))
}

/// Loads a case through the access rule with the caller's access to it (which view they
/// get): `None` when hidden.
pub fn load_with_access(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> DbResult<Option<(LoadedCase, CaseAccess)>> {
    let access = access::case_access(conn, caller, id)?;
    if access == CaseAccess::Hidden {
        return Ok(None);
    }
    let Some(row) = cases::find(conn, id, access::readable(caller))? else {
        return Ok(None);
    };
    let case = cases::decorate(conn, vec![row])?
        .pop()
        .ok_or_else(|| DbError::Corrupt("decorated case vanished".into()))?;
    Ok(Some((case, access)))
}

/// A case's history as the caller may read it, with whether they read it as staff (all
/// events) or as its reporter (the public ones): `None` when the case is hidden from them.
pub fn events_for(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> DbResult<Option<(bool, Vec<events::RecordedEvent>)>> {
    let access = access::case_access(conn, caller, id)?;
    if access == CaseAccess::Hidden {
        return Ok(None);
    }
    let staff = access.is_staff();
    let part = if staff {
        events::Part::All
    } else {
        events::Part::Public
    };
    Ok(Some((staff, events::list(conn, id, part)?)))
}

/// Reloads a case after a change, in the change's transaction, as the caller sees it.
/// A manager who moves a case out of their subtree no longer reads it: they still get the
/// case as they left it (what they just wrote), without rights to change it further.
pub fn reload(conn: &mut AnyConnection, caller: &Caller, id: &str) -> DbResult<Visible> {
    if let Some(v) = load_visible(conn, caller, id)? {
        return Ok(v);
    }
    let row = cases::find_unscoped(conn, id)?
        .ok_or_else(|| DbError::Corrupt(format!("case {id} vanished in its own change")))?;
    let case = cases::decorate(conn, vec![row])?
        .pop()
        .ok_or_else(|| DbError::Corrupt("decorated case vanished".into()))?;
    Ok(Visible {
        case,
        can_manage: false,
    })
}
