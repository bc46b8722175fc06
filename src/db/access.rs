//! The access rule, as SQL: which cases a caller may see or manage. Every query that returns
//! cases adds one of these filters, so a case outside the caller's rights is never loaded —
//! the rule joins the org closure inside the database, it does not filter after loading.

use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::cases::passes;
use super::schema::{incidents, org_closure};
use super::{AnyConnection, DbResult, MultiBackend};
use crate::domain::Caller;

/// A condition on `incidents` rows.
pub type CaseFilter = Box<dyn BoxableExpression<incidents::table, MultiBackend, SqlType = Bool>>;

/// The same condition on any query source that holds `incidents` (e.g. a join from
/// `corrective_actions`), so the rule is written once and still applied inside the query.
pub type FilterOn<QS> = Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Bool>>;

type SubtreeExists = diesel::dsl::exists<
    diesel::dsl::Filter<
        diesel::dsl::Filter<
            org_closure::table,
            diesel::dsl::Eq<org_closure::descendant_id, incidents::org_unit_id>,
        >,
        diesel::dsl::EqAny<org_closure::ancestor_id, Vec<String>>,
    >,
>;
type Everything = diesel::dsl::IsNotNull<incidents::id>;
type Nothing = diesel::dsl::not<Everything>;
type Own = diesel::dsl::AssumeNotNull<diesel::dsl::Eq<incidents::reporter_user_id, String>>;

/// A query source that holds `incidents`, so the rule's parts can be written on it. The
/// parts are methods because the bounds that make them valid hold per source type.
pub trait HasIncidents: Sized + 'static {
    /// Cases in the subtree of any of `units` (by the closure table).
    fn in_subtrees(units: &[String]) -> FilterOn<Self>;
    fn everything() -> FilterOn<Self>;
    fn nothing() -> FilterOn<Self>;
    /// Reports the user made while logged in.
    fn own(user_id: &str) -> FilterOn<Self>;
    fn either(a: FilterOn<Self>, b: FilterOn<Self>) -> FilterOn<Self>;
}

impl<QS: 'static> HasIncidents for QS
where
    SubtreeExists: BoxableExpression<QS, MultiBackend, SqlType = Bool>,
    Everything: BoxableExpression<QS, MultiBackend, SqlType = Bool>,
    Nothing: BoxableExpression<QS, MultiBackend, SqlType = Bool>,
    Own: BoxableExpression<QS, MultiBackend, SqlType = Bool>,
    diesel::dsl::Or<FilterOn<QS>, FilterOn<QS>>:
        BoxableExpression<QS, MultiBackend, SqlType = Bool>,
{
    fn in_subtrees(units: &[String]) -> FilterOn<QS> {
        Box::new(exists(
            org_closure::table
                .filter(org_closure::descendant_id.eq(incidents::org_unit_id))
                .filter(org_closure::ancestor_id.eq_any(units.to_vec())),
        ))
    }

    fn everything() -> FilterOn<QS> {
        Box::new(incidents::id.is_not_null())
    }

    fn nothing() -> FilterOn<QS> {
        Box::new(not(incidents::id.is_not_null()))
    }

    fn own(user_id: &str) -> FilterOn<QS> {
        Box::new(
            incidents::reporter_user_id
                .eq(user_id.to_owned())
                .assume_not_null(),
        )
    }

    fn either(a: FilterOn<QS>, b: FilterOn<QS>) -> FilterOn<QS> {
        Box::new(a.or(b))
    }
}

// The parts on `incidents` alone, for further rules written on that table only.

/// Cases in the subtree of any of `units` (by the closure table).
#[allow(dead_code)]
fn in_subtrees(units: &[String]) -> CaseFilter {
    <incidents::table as HasIncidents>::in_subtrees(units)
}

#[allow(dead_code)]
fn nothing() -> CaseFilter {
    <incidents::table as HasIncidents>::nothing()
}

#[allow(dead_code)]
fn everything() -> CaseFilter {
    <incidents::table as HasIncidents>::everything()
}

/// Cases the caller may read: a coordinator all; a manager or skyddsombud their units'
/// subtrees; anyone the reports they made while logged in. Finance reads aggregates, not cases.
pub fn readable(caller: &Caller) -> CaseFilter {
    readable_on(caller)
}

/// [`readable`] on a query source that holds `incidents`.
pub fn readable_on<QS: HasIncidents>(caller: &Caller) -> FilterOn<QS> {
    if caller.roles.safety_coordinator {
        return QS::everything();
    }
    let mut units = caller.roles.managed_units.clone();
    units.extend(caller.roles.safety_rep_units.iter().cloned());
    let own = QS::own(&caller.user_id);
    if units.is_empty() {
        return own;
    }
    QS::either(QS::in_subtrees(&units), own)
}

/// Cases the caller may change (workflow, rating, actions): a coordinator all, a manager their
/// units' subtrees. Skyddsombud and reporters read and comment only.
pub fn manageable(caller: &Caller) -> CaseFilter {
    manageable_on(caller)
}

/// [`manageable`] on a query source that holds `incidents`.
pub fn manageable_on<QS: HasIncidents>(caller: &Caller) -> FilterOn<QS> {
    if caller.roles.safety_coordinator {
        return QS::everything();
    }
    if caller.roles.managed_units.is_empty() {
        return QS::nothing();
    }
    QS::in_subtrees(&caller.roles.managed_units)
}

/// Cases the caller reads as staff (coordinator, manager, skyddsombud), not only as their
/// reporter: staff see the whole case, a reporter only what the tracking page shows.
pub fn staff_readable(caller: &Caller) -> CaseFilter {
    staff_readable_on(caller)
}

/// [`staff_readable`] on a query source that holds `incidents`.
pub fn staff_readable_on<QS: HasIncidents>(caller: &Caller) -> FilterOn<QS> {
    if caller.roles.safety_coordinator {
        return QS::everything();
    }
    let mut units = caller.roles.managed_units.clone();
    units.extend(caller.roles.safety_rep_units.iter().cloned());
    if units.is_empty() {
        return QS::nothing();
    }
    QS::in_subtrees(&units)
}

/// What the caller may do with one case. Every view of a case is chosen by this, so what a
/// reporter gets is decided in one place and a new field of the staff view stays staff-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseAccess {
    /// Out of the caller's scope (or no such case): 404.
    Hidden,
    /// Only as the reporter who made it while logged in: the reporter's view (what the
    /// tracking page shows), nothing staff wrote or decided.
    Reporter,
    /// As staff who read but do not change it (skyddsombud): the whole case.
    Read,
    /// As staff who may change it (its managers, coordinators): the whole case.
    Manage,
}

impl CaseAccess {
    /// Whether the caller reads the whole case (any staff access).
    pub fn is_staff(self) -> bool {
        matches!(self, CaseAccess::Read | CaseAccess::Manage)
    }
}

/// The caller's access to one case, each level asked of the database with the SQL rule.
pub fn case_access(conn: &mut AnyConnection, caller: &Caller, id: &str) -> DbResult<CaseAccess> {
    Ok(if passes(conn, id, manageable(caller))? {
        CaseAccess::Manage
    } else if passes(conn, id, staff_readable(caller))? {
        CaseAccess::Read
    } else if passes(conn, id, readable(caller))? {
        CaseAccess::Reporter
    } else {
        CaseAccess::Hidden
    })
}
