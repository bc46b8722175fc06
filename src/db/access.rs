//! The access rule, as SQL: which cases a caller may see or manage. Every query that returns
//! cases adds one of these filters, so a case outside the caller's rights is never loaded —
//! the rule joins the org closure inside the database, it does not filter after loading.

use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::schema::{incidents, org_closure};
use super::MultiBackend;
use crate::auth::Caller;

/// A condition on `incidents` rows.
pub type CaseFilter = Box<dyn BoxableExpression<incidents::table, MultiBackend, SqlType = Bool>>;

/// Cases in the subtree of any of `units` (by the closure table).
fn in_subtrees(units: &[String]) -> CaseFilter {
    Box::new(exists(
        org_closure::table
            .filter(org_closure::descendant_id.eq(incidents::org_unit_id))
            .filter(org_closure::ancestor_id.eq_any(units.to_vec())),
    ))
}

fn nothing() -> CaseFilter {
    Box::new(not(incidents::id.is_not_null()))
}

fn everything() -> CaseFilter {
    Box::new(incidents::id.is_not_null())
}

/// Cases the caller may read: a coordinator all; a manager or skyddsombud their units'
/// subtrees; anyone the reports they made while logged in. Finance reads aggregates, not cases.
pub fn readable(caller: &Caller) -> CaseFilter {
    if caller.roles.safety_coordinator {
        return everything();
    }
    let mut units = caller.roles.managed_units.clone();
    units.extend(caller.roles.safety_rep_units.iter().cloned());
    let own: CaseFilter = Box::new(
        incidents::reporter_user_id
            .eq(caller.user_id.clone())
            .assume_not_null(),
    );
    if units.is_empty() {
        return own;
    }
    Box::new(in_subtrees(&units).or(own))
}

/// Cases the caller may change (workflow, rating, actions): a coordinator all, a manager their
/// units' subtrees. Skyddsombud and reporters read and comment only.
pub fn manageable(caller: &Caller) -> CaseFilter {
    if caller.roles.safety_coordinator {
        return everything();
    }
    if caller.roles.managed_units.is_empty() {
        return nothing();
    }
    in_subtrees(&caller.roles.managed_units)
}
