//! Who sees and changes money, as SQL on the org closure (the same rule shape as
//! `db::access` for cases): safety coordinators and group-wide finance everything; finance by
//! grant and managers their units' subtrees; everyone else nothing — skyddsombud and
//! reporters may see a case, never its money.

use diesel::prelude::*;

use super::super::access::{self as case_rule, HasIncidents};
use super::super::schema::{incidents, org_closure, org_units};
use super::super::{AnyConnection, DbResult};
use crate::domain::Caller;

/// The units whose costs a caller reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CostScope {
    Everything,
    /// These units with their subtrees (never empty).
    Units(Vec<String>),
    Nothing,
}

impl CostScope {
    fn of_units(mut units: Vec<String>) -> CostScope {
        units.sort();
        units.dedup();
        if units.is_empty() {
            CostScope::Nothing
        } else {
            CostScope::Units(units)
        }
    }

    /// Costs and trends: read, and enter entries and reversals.
    pub fn costs(caller: &Caller) -> CostScope {
        let r = &caller.roles;
        if r.safety_coordinator || r.finance {
            return CostScope::Everything;
        }
        let mut units = r.finance_units.clone();
        units.extend(r.managed_units.iter().cloned());
        CostScope::of_units(units)
    }

    /// Insurance claims: finance and coordinators (a manager enters costs, not claims).
    pub fn claims(caller: &Caller) -> CostScope {
        let r = &caller.roles;
        if r.safety_coordinator || r.finance {
            return CostScope::Everything;
        }
        CostScope::of_units(r.finance_units.clone())
    }

    pub fn is_nothing(&self) -> bool {
        *self == CostScope::Nothing
    }
}

/// What a caller may do with one case's money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostAccess {
    /// No such case in any of the caller's scopes: 404.
    Hidden,
    /// The caller may read the case (skyddsombud, its reporter) but not its money: 403.
    CaseOnly,
    /// Costs: read and enter; `claims` also the insurance claim.
    Costs { claims: bool },
}

fn case_in(conn: &mut AnyConnection, incident_id: &str, scope: &CostScope) -> DbResult<bool> {
    let filter = match scope {
        CostScope::Everything => <incidents::table as HasIncidents>::everything(),
        CostScope::Units(units) => <incidents::table as HasIncidents>::in_subtrees(units),
        CostScope::Nothing => return Ok(false),
    };
    let n: i64 = incidents::table
        .filter(incidents::id.eq(incident_id))
        .filter(filter)
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The caller's access to a case's money, each level asked of the database.
pub fn case_access(
    conn: &mut AnyConnection,
    caller: &Caller,
    incident_id: &str,
) -> DbResult<CostAccess> {
    if case_in(conn, incident_id, &CostScope::costs(caller))? {
        let claims = case_in(conn, incident_id, &CostScope::claims(caller))?;
        return Ok(CostAccess::Costs { claims });
    }
    let readable: i64 = incidents::table
        .filter(incidents::id.eq(incident_id))
        .filter(case_rule::readable(caller))
        .count()
        .get_result(conn)?;
    Ok(if readable > 0 {
        CostAccess::CaseOnly
    } else {
        CostAccess::Hidden
    })
}

/// Every unit in the scope (the units and everything under them); `None` for everything.
pub fn scope_units(conn: &mut AnyConnection, scope: &CostScope) -> DbResult<Option<Vec<String>>> {
    match scope {
        CostScope::Everything => Ok(None),
        CostScope::Nothing => Ok(Some(Vec::new())),
        CostScope::Units(units) => {
            let mut ids: Vec<String> = org_closure::table
                .filter(org_closure::ancestor_id.eq_any(units))
                .select(org_closure::descendant_id)
                .load(conn)?;
            ids.sort();
            ids.dedup();
            Ok(Some(ids))
        }
    }
}

/// The scope's units that are not under another of them (a manager of a school and of its
/// parent has one subtree, not two).
pub fn top_units(conn: &mut AnyConnection, units: &[String]) -> DbResult<Vec<String>> {
    let under_another: Vec<String> = org_closure::table
        .filter(org_closure::descendant_id.eq_any(units))
        .filter(org_closure::ancestor_id.eq_any(units))
        .filter(org_closure::depth.gt(0))
        .select(org_closure::descendant_id)
        .load(conn)?;
    Ok(units
        .iter()
        .filter(|u| !under_another.contains(u))
        .cloned()
        .collect())
}

/// Whether `unit` lies in the scope.
pub fn unit_in(conn: &mut AnyConnection, unit: &str, scope: &CostScope) -> DbResult<bool> {
    match scope {
        CostScope::Everything => Ok(true),
        CostScope::Nothing => Ok(false),
        CostScope::Units(units) => {
            let n: i64 = org_closure::table
                .filter(org_closure::descendant_id.eq(unit))
                .filter(org_closure::ancestor_id.eq_any(units))
                .count()
                .get_result(conn)?;
            Ok(n > 0)
        }
    }
}

/// A unit's id and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRef {
    pub id: String,
    pub name: String,
}

pub fn unit_ref(conn: &mut AnyConnection, id: &str) -> DbResult<Option<UnitRef>> {
    Ok(org_units::table
        .find(id)
        .select((org_units::id, org_units::name))
        .first::<(String, String)>(conn)
        .optional()?
        .map(|(id, name)| UnitRef { id, name }))
}

pub fn parent_of(conn: &mut AnyConnection, id: &str) -> DbResult<Option<String>> {
    Ok(org_units::table
        .find(id)
        .select(org_units::parent_id)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// The units with no parent (a group has one root; an import may add others).
pub fn roots(conn: &mut AnyConnection) -> DbResult<Vec<String>> {
    Ok(org_units::table
        .filter(org_units::parent_id.is_null())
        .select(org_units::id)
        .load(conn)?)
}

/// A unit's direct children, active or not (costs stay on a unit that was closed).
pub fn children(conn: &mut AnyConnection, unit: &str) -> DbResult<Vec<String>> {
    Ok(org_units::table
        .filter(org_units::parent_id.eq(unit))
        .select(org_units::id)
        .load(conn)?)
}
