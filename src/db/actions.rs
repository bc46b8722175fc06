//! Corrective actions (åtgärder): their rows, who may see them, and the reminder steps.
//!
//! Who may see an action: its owner, and staff who may read its case
//! (`access::staff_readable`, applied as a subquery on `incidents` inside every query). A
//! reporter reading their own case sees no actions they do not own: the tracking page shows
//! none. Who may change it: whoever may
//! manage its case; the owner may only move it along (see `ops::actions::transition`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::access;
use super::schema::{corrective_actions, incidents, org_units};
use super::{AnyConnection, DateText, DbResult};
use crate::domain::action::{ActionState, ReminderStep};
use crate::domain::Caller;

/// Dates are stored as `YYYY-MM-DD` text, which sorts and compares like the dates.
pub fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

type ActionTuple = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    DateText,
    Option<i64>,
    crate::domain::action::ActionState,
    Option<String>,
    String,
    NaiveDateTime,
    NaiveDateTime,
    i64,
);

/// An action as stored, with its case's title.
#[derive(Debug, Clone)]
pub struct ActionRow {
    pub id: String,
    pub incident_id: String,
    pub incident_title: String,
    pub title: String,
    pub description: Option<String>,
    pub owner_email: String,
    pub due_date: NaiveDate,
    pub cost_estimate_ore: Option<i64>,
    pub state: crate::domain::action::ActionState,
    pub state_reason: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

macro_rules! action_columns {
    () => {
        (
            corrective_actions::id,
            corrective_actions::incident_id,
            incidents::title,
            corrective_actions::title,
            corrective_actions::description,
            corrective_actions::owner_email,
            corrective_actions::due_date,
            corrective_actions::cost_estimate_ore,
            corrective_actions::state,
            corrective_actions::state_reason,
            corrective_actions::created_by,
            corrective_actions::created_at,
            corrective_actions::updated_at,
            corrective_actions::version,
        )
    };
}

/// Actions joined to their cases: the access rule is written on this source directly.
type ActionsWithCase =
    diesel::dsl::InnerJoinQuerySource<corrective_actions::table, incidents::table>;

fn to_row(r: ActionTuple) -> ActionRow {
    ActionRow {
        id: r.0,
        incident_id: r.1,
        incident_title: r.2,
        title: r.3,
        description: r.4,
        owner_email: r.5,
        due_date: r.6 .0,
        cost_estimate_ore: r.7,
        state: r.8,
        state_reason: r.9,
        created_by: r.10,
        created_at: r.11,
        updated_at: r.12,
        version: r.13,
    }
}

pub use super::access::{case_access, CaseAccess};

/// What an action mail needs to know about its case.
#[derive(Debug, Clone)]
pub struct CaseBrief {
    pub id: String,
    pub title: String,
    pub kind: crate::domain::IncidentKind,
    pub status: crate::domain::IncidentStatus,
    pub org_unit_id: String,
    pub org_unit_name: String,
}

pub fn case_brief(conn: &mut AnyConnection, incident_id: &str) -> DbResult<Option<CaseBrief>> {
    let row: Option<(
        String,
        String,
        crate::domain::IncidentKind,
        crate::domain::IncidentStatus,
        String,
        String,
    )> = incidents::table
        .inner_join(org_units::table)
        .filter(incidents::id.eq(incident_id))
        .select((
            incidents::id,
            incidents::title,
            incidents::kind,
            incidents::status,
            incidents::org_unit_id,
            org_units::name,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(
        |(id, title, kind, status, org_unit_id, org_unit_name)| CaseBrief {
            id,
            title,
            kind,
            status,
            org_unit_id,
            org_unit_name,
        },
    ))
}

/// A new action, checked.
#[derive(Debug, Clone)]
pub struct NewAction {
    pub id: String,
    pub incident_id: String,
    pub title: String,
    pub description: Option<String>,
    pub owner_email: String,
    pub due_date: NaiveDate,
    pub cost_estimate_ore: Option<i64>,
    pub created_by: String,
    /// Set when the assignment itself falls inside the reminder window: the assignment mail
    /// already says the date, so no "due soon" mail follows it at once.
    pub reminded_before_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut AnyConnection, a: &NewAction, now: NaiveDateTime) -> DbResult<()> {
    diesel::insert_into(corrective_actions::table)
        .values((
            corrective_actions::id.eq(&a.id),
            corrective_actions::incident_id.eq(&a.incident_id),
            corrective_actions::title.eq(&a.title),
            corrective_actions::description.eq(&a.description),
            corrective_actions::owner_email.eq(&a.owner_email),
            corrective_actions::due_date.eq(date_text(a.due_date)),
            corrective_actions::cost_estimate_ore.eq(a.cost_estimate_ore),
            corrective_actions::state.eq(ActionState::Planned.as_str()),
            corrective_actions::created_by.eq(&a.created_by),
            corrective_actions::created_at.eq(now),
            corrective_actions::updated_at.eq(now),
            corrective_actions::version.eq(1i64),
            corrective_actions::reminded_before_at.eq(a.reminded_before_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// One action by id, whatever the caller (use [`find_visible`] for requests).
pub fn find(conn: &mut AnyConnection, id: &str) -> DbResult<Option<ActionRow>> {
    let row: Option<ActionTuple> = corrective_actions::table
        .inner_join(incidents::table)
        .filter(corrective_actions::id.eq(id))
        .select(action_columns!())
        .first(conn)
        .optional()?;
    Ok(row.map(to_row))
}

/// One action, if the caller may see it (owner, or may read the case), with the caller's
/// access to its case.
pub fn find_visible(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> DbResult<Option<(ActionRow, CaseAccess)>> {
    let row: Option<ActionTuple> = corrective_actions::table
        .inner_join(incidents::table)
        .filter(corrective_actions::id.eq(id))
        .filter(
            corrective_actions::owner_email
                .eq(caller.email.clone())
                .or(access::staff_readable_on::<ActionsWithCase>(caller)),
        )
        .select(action_columns!())
        .first(conn)
        .optional()?;
    let Some(row) = row.map(to_row) else {
        return Ok(None);
    };
    let access = case_access(conn, caller, &row.incident_id)?;
    Ok(Some((row, access)))
}

/// A case's actions, oldest first. The caller must have been checked to read the case.
pub fn list_for_case(conn: &mut AnyConnection, incident_id: &str) -> DbResult<Vec<ActionRow>> {
    let rows: Vec<ActionTuple> = corrective_actions::table
        .inner_join(incidents::table)
        .filter(corrective_actions::incident_id.eq(incident_id))
        .order((
            corrective_actions::created_at.asc(),
            corrective_actions::id.asc(),
        ))
        .select(action_columns!())
        .load(conn)?;
    Ok(rows.into_iter().map(to_row).collect())
}

/// Which actions a list asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    Any,
    Is(ActionState),
    /// Neither verified nor cancelled.
    Open,
    /// Planned or in progress, past the due date.
    Overdue,
}

pub struct ListQuery {
    /// Only the caller's own actions (`owner=me`); otherwise those of cases they may read.
    pub own: bool,
    pub state: StateFilter,
    pub today: NaiveDate,
    /// Keyset: after this (due date, id).
    pub after: Option<(String, String)>,
    pub limit: i64,
}

/// Actions ordered by due date (soonest first), then id.
pub fn list(conn: &mut AnyConnection, caller: &Caller, q: &ListQuery) -> DbResult<Vec<ActionRow>> {
    let mut query = corrective_actions::table
        .inner_join(incidents::table)
        .select(action_columns!())
        .into_boxed::<super::MultiBackend>();
    query = if q.own {
        query.filter(corrective_actions::owner_email.eq(caller.email.clone()))
    } else {
        query.filter(access::staff_readable_on::<ActionsWithCase>(caller))
    };
    let pending = [
        ActionState::Planned.as_str(),
        ActionState::InProgress.as_str(),
    ];
    query = match q.state {
        StateFilter::Any => query,
        StateFilter::Is(s) => query.filter(corrective_actions::state.eq(s.as_str())),
        StateFilter::Open => query.filter(corrective_actions::state.ne_all([
            ActionState::Verified.as_str(),
            ActionState::Cancelled.as_str(),
        ])),
        StateFilter::Overdue => query
            .filter(corrective_actions::state.eq_any(pending))
            .filter(corrective_actions::due_date.lt(date_text(q.today))),
    };
    if let Some((due, id)) = &q.after {
        query = query.filter(
            corrective_actions::due_date
                .gt(due.clone())
                .or(corrective_actions::due_date
                    .eq(due.clone())
                    .and(corrective_actions::id.gt(id.clone()))),
        );
    }
    let rows: Vec<ActionTuple> = query
        .order((
            corrective_actions::due_date.asc(),
            corrective_actions::id.asc(),
        ))
        .limit(q.limit)
        .load(conn)?;
    Ok(rows.into_iter().map(to_row).collect())
}

/// The fields of an update (already checked); `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ActionChanges {
    pub title: Option<String>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
    pub owner_email: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// `Some(None)` clears the estimate.
    pub cost_estimate_ore: Option<Option<i64>>,
    /// A new owner or due date starts the reminders afresh; `Some(x)` sets the "due soon"
    /// claim to x (set when the new assignment is already inside the reminder window).
    pub restart_reminders: Option<Option<NaiveDateTime>>,
}

/// Applies changes if the action is still at `expected_version`; `false` if it is not
/// (someone changed it since the caller read it).
pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    expected_version: i64,
    ch: &ActionChanges,
    now: NaiveDateTime,
) -> DbResult<bool> {
    #[derive(AsChangeset)]
    #[diesel(table_name = corrective_actions)]
    struct Set {
        title: Option<String>,
        description: Option<Option<String>>,
        owner_email: Option<String>,
        due_date: Option<String>,
        cost_estimate_ore: Option<Option<i64>>,
        reminded_before_at: Option<Option<NaiveDateTime>>,
        reminded_overdue_at: Option<Option<NaiveDateTime>>,
        escalated_at: Option<Option<NaiveDateTime>>,
        updated_at: NaiveDateTime,
    }
    let restart = ch.restart_reminders;
    let n = diesel::update(
        corrective_actions::table
            .filter(corrective_actions::id.eq(id))
            .filter(corrective_actions::version.eq(expected_version)),
    )
    .set((
        Set {
            title: ch.title.clone(),
            description: ch.description.clone(),
            owner_email: ch.owner_email.clone(),
            due_date: ch.due_date.map(date_text),
            cost_estimate_ore: ch.cost_estimate_ore,
            reminded_before_at: restart,
            reminded_overdue_at: restart.map(|_| None),
            escalated_at: restart.map(|_| None),
            updated_at: now,
        },
        corrective_actions::version.eq(corrective_actions::version + 1),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Moves an action to `to` if it is still at `expected_version`.
pub fn set_state(
    conn: &mut AnyConnection,
    id: &str,
    expected_version: i64,
    to: ActionState,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let n = diesel::update(
        corrective_actions::table
            .filter(corrective_actions::id.eq(id))
            .filter(corrective_actions::version.eq(expected_version)),
    )
    .set((
        corrective_actions::state.eq(to.as_str()),
        corrective_actions::state_reason.eq(reason),
        corrective_actions::updated_at.eq(now),
        corrective_actions::version.eq(corrective_actions::version + 1),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

type DueTuple = (
    String,
    String,
    String,
    String,
    DateText,
    ActionState,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

/// An action some reminder step may be due for.
#[derive(Debug, Clone)]
pub struct DueAction {
    pub id: String,
    pub incident_id: String,
    pub title: String,
    pub owner_email: String,
    pub due_date: NaiveDate,
    pub state: crate::domain::action::ActionState,
    pub reminded_before_at: Option<NaiveDateTime>,
    pub reminded_overdue_at: Option<NaiveDateTime>,
    pub escalated_at: Option<NaiveDateTime>,
}

/// Unfinished actions with a step possibly due on `today`: due within `days_before` and not
/// yet reminded, past due and not yet told so, or `escalation_days` past due and not yet
/// escalated. The caller decides which step with `domain` rules.
pub fn due_steps(
    conn: &mut AnyConnection,
    today: NaiveDate,
    days_before: u32,
    escalation_days: u32,
    limit: i64,
) -> DbResult<Vec<DueAction>> {
    let today_text = date_text(today);
    let soon = date_text(today + chrono::Duration::days(days_before.into()));
    let escalate_by = date_text(today - chrono::Duration::days(escalation_days.into()));
    let rows: Vec<DueTuple> = corrective_actions::table
        .inner_join(incidents::table)
        .filter(corrective_actions::state.eq_any([
            ActionState::Planned.as_str(),
            ActionState::InProgress.as_str(),
        ]))
        // A rejected report or a duplicate has nothing left to follow up.
        .filter(incidents::status.ne_all([
            crate::domain::IncidentStatus::Rejected.as_str(),
            crate::domain::IncidentStatus::Duplicate.as_str(),
        ]))
        .filter(
            corrective_actions::reminded_before_at
                .is_null()
                .and(corrective_actions::due_date.le(soon))
                .and(corrective_actions::due_date.ge(today_text.clone()))
                .or(corrective_actions::reminded_overdue_at
                    .is_null()
                    .and(corrective_actions::due_date.lt(today_text)))
                .or(corrective_actions::escalated_at
                    .is_null()
                    .and(corrective_actions::due_date.le(escalate_by))),
        )
        .order((
            corrective_actions::due_date.asc(),
            corrective_actions::id.asc(),
        ))
        .limit(limit)
        .select((
            corrective_actions::id,
            corrective_actions::incident_id,
            corrective_actions::title,
            corrective_actions::owner_email,
            corrective_actions::due_date,
            corrective_actions::state,
            corrective_actions::reminded_before_at,
            corrective_actions::reminded_overdue_at,
            corrective_actions::escalated_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| DueAction {
            id: r.0,
            incident_id: r.1,
            title: r.2,
            owner_email: r.3,
            due_date: r.4 .0,
            state: r.5,
            reminded_before_at: r.6,
            reminded_overdue_at: r.7,
            escalated_at: r.8,
        })
        .collect())
}

/// Takes a step for this instance: `true` if it was not taken before (and the action is
/// still unfinished). Run in the transaction that writes the step's mail and event, so with
/// several workers each step happens once.
pub fn claim_step(
    conn: &mut AnyConnection,
    id: &str,
    step: ReminderStep,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let target = corrective_actions::table
        .filter(corrective_actions::id.eq(id))
        .filter(corrective_actions::state.eq_any([
            ActionState::Planned.as_str(),
            ActionState::InProgress.as_str(),
        ]));
    // The claim columns are not part of what a person edits, so `version` (the ETag) stays:
    // a reminder going out must not make a manager's next edit fail with 412.
    let n = match step {
        ReminderStep::DueSoon => {
            diesel::update(target.filter(corrective_actions::reminded_before_at.is_null()))
                .set(corrective_actions::reminded_before_at.eq(Some(now)))
                .execute(conn)?
        }
        ReminderStep::Overdue => {
            diesel::update(target.filter(corrective_actions::reminded_overdue_at.is_null()))
                .set(corrective_actions::reminded_overdue_at.eq(Some(now)))
                .execute(conn)?
        }
        ReminderStep::Escalation => {
            diesel::update(target.filter(corrective_actions::escalated_at.is_null()))
                .set(corrective_actions::escalated_at.eq(Some(now)))
                .execute(conn)?
        }
    };
    Ok(n == 1)
}
