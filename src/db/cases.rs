//! Cases as staff handle them: loading and listing (always through an access filter from
//! `db::access`, inside the query), updates guarded by the case's version, the facts the
//! workflow guards need, and re-routing after a move.

use chrono::NaiveDateTime;
use diesel::dsl::{exists, not};
use diesel::prelude::*;

use super::access::CaseFilter;
use super::schema::{
    corrective_actions, incident_consequences, incident_routing, incidents, org_closure, org_units,
};
use super::{AnyConnection, DbResult};
use crate::domain::action::ActionState;
use crate::domain::legal_duty::DEADLINE;

/// One case row, as stored.
#[derive(Debug, Clone, Queryable)]
pub struct CaseRow {
    pub id: String,
    pub kind: crate::domain::IncidentKind,
    pub title: String,
    pub status: crate::domain::IncidentStatus,
    pub org_unit_id: String,
    pub occurred_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub description: String,
    pub location: Option<String>,
    pub immediate_action: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub anonymous: bool,
    pub reporter_name: Option<String>,
    pub reporter_email: Option<String>,
    pub reporter_phone: Option<String>,
    pub reporter_user_id: Option<String>,
    pub risk_likelihood: Option<i32>,
    pub risk_consequence: Option<i32>,
    #[diesel(deserialize_as = super::MaybeText<crate::domain::risk::RiskLevel>)]
    pub risk_level: Option<crate::domain::risk::RiskLevel>,
    pub cause_category: Option<String>,
    pub investigation: Option<String>,
    pub injury_severity: crate::domain::legal_duty::InjurySeverity,
    pub several_injured: bool,
    pub serious_danger: bool,
    pub status_reason: Option<String>,
    pub duplicate_of: Option<String>,
    pub av_confirmed: Option<bool>,
    pub av_reported_at: Option<NaiveDateTime>,
    pub av_reference: Option<String>,
    pub fk_confirmed: Option<bool>,
    pub fk_reported_at: Option<NaiveDateTime>,
    pub fk_reference: Option<String>,
    pub version: i64,
}

macro_rules! case_columns {
    () => {
        (
            incidents::id,
            incidents::kind,
            incidents::title,
            incidents::status,
            incidents::org_unit_id,
            incidents::occurred_at,
            incidents::created_at,
            incidents::description,
            incidents::location,
            incidents::immediate_action,
            incidents::latitude,
            incidents::longitude,
            incidents::anonymous,
            incidents::reporter_name,
            incidents::reporter_email,
            incidents::reporter_phone,
            incidents::reporter_user_id,
            incidents::risk_likelihood,
            incidents::risk_consequence,
            incidents::risk_level,
            incidents::cause_category,
            incidents::investigation,
            incidents::injury_severity,
            incidents::several_injured,
            incidents::serious_danger,
            incidents::status_reason,
            incidents::duplicate_of,
            incidents::av_confirmed,
            incidents::av_reported_at,
            incidents::av_reference,
            incidents::fk_confirmed,
            incidents::fk_reported_at,
            incidents::fk_reference,
            incidents::version,
        )
    };
}

/// A case row with what the views need from other tables.
#[derive(Debug, Clone)]
pub struct LoadedCase {
    pub row: CaseRow,
    pub org_unit_name: String,
    pub consequences: Vec<crate::domain::Consequence>,
    /// When the responsible person is reminded, if the case was routed.
    pub remind_at: Option<NaiveDateTime>,
    pub acknowledged_at: Option<NaiveDateTime>,
}

/// The case `id` if `filter` lets the caller see it.
pub fn find(conn: &mut AnyConnection, id: &str, filter: CaseFilter) -> DbResult<Option<CaseRow>> {
    Ok(incidents::table
        .filter(incidents::id.eq(id))
        .filter(filter)
        .select(case_columns!())
        .first(conn)
        .optional()?)
}

/// The case `id` whoever asks. Only for a change's own answer, after the access rule let
/// the change through (see `ops::cases::reload`).
pub fn find_unscoped(conn: &mut AnyConnection, id: &str) -> DbResult<Option<CaseRow>> {
    Ok(incidents::table
        .filter(incidents::id.eq(id))
        .select(case_columns!())
        .first(conn)
        .optional()?)
}

/// Whether the case `id` passes `filter` (e.g. whether the caller may manage it).
pub fn passes(conn: &mut AnyConnection, id: &str, filter: CaseFilter) -> DbResult<bool> {
    let n: i64 = incidents::table
        .filter(incidents::id.eq(id))
        .filter(filter)
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Which of `ids` pass `filter` (one query for a page of cases).
pub fn passing(
    conn: &mut AnyConnection,
    ids: &[String],
    filter: CaseFilter,
) -> DbResult<std::collections::HashSet<String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let found: Vec<String> = incidents::table
        .filter(incidents::id.eq_any(ids.to_vec()))
        .filter(filter)
        .select(incidents::id)
        .load(conn)?;
    Ok(found.into_iter().collect())
}

/// Adds unit names, consequence areas and routing deadlines to rows, keeping their order.
pub fn decorate(conn: &mut AnyConnection, rows: Vec<CaseRow>) -> DbResult<Vec<LoadedCase>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut unit_ids: Vec<String> = rows.iter().map(|r| r.org_unit_id.clone()).collect();
    unit_ids.sort();
    unit_ids.dedup();
    let names = super::org_units::names(conn, &unit_ids)?;
    let consequences: Vec<(String, crate::domain::Consequence)> = if ids.is_empty() {
        Vec::new()
    } else {
        incident_consequences::table
            .filter(incident_consequences::incident_id.eq_any(&ids))
            .order(incident_consequences::consequence.asc())
            .select((
                incident_consequences::incident_id,
                incident_consequences::consequence,
            ))
            .load(conn)?
    };
    let routing: Vec<(String, NaiveDateTime, Option<NaiveDateTime>)> = if ids.is_empty() {
        Vec::new()
    } else {
        incident_routing::table
            .filter(incident_routing::incident_id.eq_any(&ids))
            .select((
                incident_routing::incident_id,
                incident_routing::remind_at,
                incident_routing::acknowledged_at,
            ))
            .load(conn)?
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let route = routing.iter().find(|(id, _, _)| *id == row.id);
            LoadedCase {
                org_unit_name: names
                    .iter()
                    .find(|(id, _)| *id == row.org_unit_id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default(),
                consequences: consequences
                    .iter()
                    .filter(|(id, _)| *id == row.id)
                    .map(|(_, c)| *c)
                    .collect(),
                remind_at: route.map(|r| r.1),
                acknowledged_at: route.and_then(|r| r.2),
                row,
            }
        })
        .collect())
}

/// Which legal duties a list asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DutyFilter {
    Due,
    Overdue,
}

/// The filters of `GET /incidents`; all optional except the page size.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<crate::domain::IncidentStatus>,
    pub kind: Option<crate::domain::IncidentKind>,
    /// An org unit: the cases of its subtree.
    pub unit: Option<String>,
    /// Created at or after (UTC).
    pub from: Option<NaiveDateTime>,
    /// Created before (UTC).
    pub to: Option<NaiveDateTime>,
    pub risk_level: Option<crate::domain::risk::RiskLevel>,
    pub duty: Option<DutyFilter>,
    /// Lower-case text to find in the title.
    pub q: Option<String>,
    /// Rows to load (the page size plus one, to tell whether there is a next page).
    pub limit: i64,
    /// Keyset: only cases after this (created_at, id) in newest-first order.
    pub after: Option<(NaiveDateTime, String)>,
}

// Lower case for search, Unicode-aware on both engines: a SQL function on PostgreSQL (migration
// `case_search`), registered per connection on SQLite, whose own `lower()` folds only ASCII (so
// "Ä" would not match "ä"). A name of its own: overriding SQLite's `lower()` would change every
// other query that uses it.
diesel::define_sql_function!(fn fold_case(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Registers [`fold_case`] on a SQLite connection.
pub fn register_sqlite_functions(conn: &mut diesel::SqliteConnection) -> QueryResult<()> {
    fold_case_utils::register_impl(conn, |s: String| s.to_lowercase())
}

/// The duty columns of one authority, as SQL conditions. They mirror
/// `domain::legal_duty::state` so that a list filtered by duty agrees with the states shown.
macro_rules! duty_sql {
    ($confirmed:path, $reported_at:path, $reference:path, $suggested:expr, $now:expr, $which:expr) => {{
        let not_done: CaseFilter = Box::new(
            $reported_at
                .is_null()
                .or($reference.is_null())
                .or($reference.eq("").assume_not_null()),
        );
        let confirmed: CaseFilter = Box::new($confirmed.eq(true).assume_not_null());
        let late_before = $now - DEADLINE;
        let out: CaseFilter = match $which {
            DutyFilter::Overdue => Box::new(
                not_done
                    .and(incidents::created_at.lt(late_before))
                    .and(confirmed.or($confirmed.is_null().and($suggested))),
            ),
            DutyFilter::Due => Box::new(
                not_done
                    .and(not(incidents::created_at.lt(late_before)))
                    .and(confirmed),
            ),
        };
        out
    }};
}

fn av_suggested() -> CaseFilter {
    Box::new(
        incidents::injury_severity
            .eq_any(["serious", "fatal"])
            .or(incidents::several_injured)
            .or(incidents::kind
                .eq("near_miss")
                .and(incidents::serious_danger)),
    )
}

fn fk_suggested() -> CaseFilter {
    Box::new(
        incidents::kind
            .eq_any(["accident", "work_illness", "commuting_accident"])
            .and(exists(
                incident_consequences::table
                    .filter(incident_consequences::incident_id.eq(incidents::id))
                    .filter(incident_consequences::consequence.eq("person")),
            )),
    )
}

fn duty_filter(which: DutyFilter, now: NaiveDateTime) -> CaseFilter {
    let av = duty_sql!(
        incidents::av_confirmed,
        incidents::av_reported_at,
        incidents::av_reference,
        av_suggested(),
        now,
        which
    );
    let fk = duty_sql!(
        incidents::fk_confirmed,
        incidents::fk_reported_at,
        incidents::fk_reference,
        fk_suggested(),
        now,
        which
    );
    Box::new(av.or(fk))
}

/// How many cases have a legal duty in `which` state at `now` (for the metrics).
pub fn count_with_duty(
    conn: &mut AnyConnection,
    which: DutyFilter,
    now: NaiveDateTime,
) -> DbResult<i64> {
    Ok(incidents::table
        .filter(duty_filter(which, now))
        .count()
        .get_result(conn)?)
}

/// A page of cases the caller may see, newest first.
pub fn list(
    conn: &mut AnyConnection,
    access: CaseFilter,
    f: &ListFilter,
    now: NaiveDateTime,
) -> DbResult<Vec<CaseRow>> {
    let mut query = incidents::table
        .filter(access)
        .select(case_columns!())
        .into_boxed();
    if let Some(status) = f.status {
        query = query.filter(incidents::status.eq(status.as_str()));
    }
    if let Some(kind) = f.kind {
        query = query.filter(incidents::kind.eq(kind.as_str()));
    }
    if let Some(unit) = &f.unit {
        query = query.filter(exists(
            org_closure::table
                .filter(org_closure::descendant_id.eq(incidents::org_unit_id))
                .filter(org_closure::ancestor_id.eq(unit.clone())),
        ));
    }
    if let Some(from) = f.from {
        query = query.filter(incidents::created_at.ge(from));
    }
    if let Some(to) = f.to {
        query = query.filter(incidents::created_at.lt(to));
    }
    if let Some(level) = f.risk_level {
        query = query.filter(incidents::risk_level.eq(level.as_str()));
    }
    if let Some(which) = f.duty {
        query = query.filter(duty_filter(which, now));
    }
    if let Some(q) = &f.q {
        // LIKE wildcards in the text are meant literally.
        let escaped = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        query = query.filter(
            fold_case(incidents::title)
                .like(format!("%{escaped}%"))
                .escape('\\'),
        );
    }
    if let Some((at, id)) = &f.after {
        query = query.filter(
            incidents::created_at.lt(*at).or(incidents::created_at
                .eq(*at)
                .and(incidents::id.lt(id.clone()))),
        );
    }
    Ok(query
        .order((incidents::created_at.desc(), incidents::id.desc()))
        .limit(f.limit)
        .load(conn)?)
}

/// Field changes of one update; `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct CaseChanges {
    pub status: Option<crate::domain::IncidentStatus>,
    pub status_reason: Option<Option<String>>,
    pub duplicate_of: Option<Option<String>>,
    pub risk_likelihood: Option<Option<i32>>,
    pub risk_consequence: Option<Option<i32>>,
    pub risk_level: Option<Option<crate::domain::risk::RiskLevel>>,
    pub cause_category: Option<Option<String>>,
    pub investigation: Option<Option<String>>,
    pub org_unit_id: Option<String>,
    pub injury_severity: Option<crate::domain::legal_duty::InjurySeverity>,
    pub several_injured: Option<bool>,
    pub serious_danger: Option<bool>,
    pub av_confirmed: Option<Option<bool>>,
    pub av_reported_at: Option<Option<NaiveDateTime>>,
    pub av_reference: Option<Option<String>>,
    pub fk_confirmed: Option<Option<bool>>,
    pub fk_reported_at: Option<Option<NaiveDateTime>>,
    pub fk_reference: Option<Option<String>>,
}

/// [`CaseChanges`] as the columns store them.
#[derive(AsChangeset)]
#[diesel(table_name = incidents)]
struct Set {
    status: Option<String>,
    status_reason: Option<Option<String>>,
    duplicate_of: Option<Option<String>>,
    risk_likelihood: Option<Option<i32>>,
    risk_consequence: Option<Option<i32>>,
    risk_level: Option<Option<String>>,
    cause_category: Option<Option<String>>,
    investigation: Option<Option<String>>,
    org_unit_id: Option<String>,
    injury_severity: Option<String>,
    several_injured: Option<bool>,
    serious_danger: Option<bool>,
    av_confirmed: Option<Option<bool>>,
    av_reported_at: Option<Option<NaiveDateTime>>,
    av_reference: Option<Option<String>>,
    fk_confirmed: Option<Option<bool>>,
    fk_reported_at: Option<Option<NaiveDateTime>>,
    fk_reference: Option<Option<String>>,
}

/// Applies `changes` if the case is still at `version`; bumps the version. `false` when
/// someone else changed it first (nothing is written then).
pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    changes: &CaseChanges,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let set = Set {
        status: changes.status.map(|s| s.as_str().to_owned()),
        status_reason: changes.status_reason.clone(),
        duplicate_of: changes.duplicate_of.clone(),
        risk_likelihood: changes.risk_likelihood,
        risk_consequence: changes.risk_consequence,
        risk_level: changes.risk_level.map(|l| l.map(|l| l.as_str().to_owned())),
        cause_category: changes.cause_category.clone(),
        investigation: changes.investigation.clone(),
        org_unit_id: changes.org_unit_id.clone(),
        injury_severity: changes.injury_severity.map(|s| s.as_str().to_owned()),
        several_injured: changes.several_injured,
        serious_danger: changes.serious_danger,
        av_confirmed: changes.av_confirmed,
        av_reported_at: changes.av_reported_at,
        av_reference: changes.av_reference.clone(),
        fk_confirmed: changes.fk_confirmed,
        fk_reported_at: changes.fk_reported_at,
        fk_reference: changes.fk_reference.clone(),
    };
    let n = diesel::update(
        incidents::table
            .filter(incidents::id.eq(id))
            .filter(incidents::version.eq(version)),
    )
    .set((
        set,
        incidents::version.eq(incidents::version + 1),
        incidents::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Corrective actions of the case that are neither verified nor cancelled.
pub fn open_actions(conn: &mut AnyConnection, id: &str) -> DbResult<i64> {
    Ok(corrective_actions::table
        .filter(corrective_actions::incident_id.eq(id))
        .filter(corrective_actions::state.ne_all([
            ActionState::Verified.as_str(),
            ActionState::Cancelled.as_str(),
        ]))
        .count()
        .get_result(conn)?)
}

/// Whether a case with this id exists (for `duplicate_of`), whoever may see it.
pub fn exists_id(conn: &mut AnyConnection, id: &str) -> DbResult<bool> {
    let n: i64 = incidents::table
        .filter(incidents::id.eq(id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Records who reported a case while logged in (so they can read it).
pub fn set_reporter_user(conn: &mut AnyConnection, id: &str, user_id: &str) -> DbResult<()> {
    diesel::update(incidents::table.filter(incidents::id.eq(id)))
        .set(incidents::reporter_user_id.eq(Some(user_id)))
        .execute(conn)?;
    Ok(())
}

/// (responsible addresses, responsible unit, acknowledged at).
pub type RoutingBefore = (String, Option<String>, Option<NaiveDateTime>);

/// The routing record before a move.
pub fn routing_of(conn: &mut AnyConnection, id: &str) -> DbResult<Option<RoutingBefore>> {
    Ok(incident_routing::table
        .filter(incident_routing::incident_id.eq(id))
        .select((
            incident_routing::responsible,
            incident_routing::responsible_unit_id,
            incident_routing::acknowledged_at,
        ))
        .first(conn)
        .optional()?)
}

/// Points a moved case's routing at its new responsible people. An unacknowledged case gets
/// fresh deadlines, so the reminder and escalation steps run again for the new manager.
pub fn reroute(conn: &mut AnyConnection, r: &super::routing::NewRouting<'_>) -> DbResult<()> {
    let n = diesel::update(
        incident_routing::table.filter(incident_routing::incident_id.eq(r.incident_id)),
    )
    .set((
        incident_routing::responsible.eq(&r.responsible),
        incident_routing::responsible_unit_id.eq(&r.responsible_unit_id),
        incident_routing::serious.eq(r.serious),
    ))
    .execute(conn)?;
    if n == 0 {
        return super::routing::insert(conn, r);
    }
    diesel::update(
        incident_routing::table
            .filter(incident_routing::incident_id.eq(r.incident_id))
            .filter(incident_routing::acknowledged_at.is_null()),
    )
    .set((
        incident_routing::remind_at.eq(r.remind_at),
        incident_routing::escalate_at.eq(r.escalate_at),
        incident_routing::reminded_at.eq(None::<NaiveDateTime>),
        incident_routing::escalated_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(())
}

/// Whether an org unit exists and is active (a move target).
pub fn unit_is_active(conn: &mut AnyConnection, unit_id: &str) -> DbResult<bool> {
    let n: i64 = org_units::table
        .filter(org_units::id.eq(unit_id))
        .filter(org_units::active.eq(true))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// How long after the report a duty's deadline falls (for the views).
pub fn duty_deadline(created_at: NaiveDateTime) -> NaiveDateTime {
    created_at + DEADLINE
}
