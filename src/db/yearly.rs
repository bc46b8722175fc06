//! What the yearly follow-up reads: the cases, actions, rollup counts and cost cells of a
//! unit's subtree for a period and the year before. Every case and action query carries the
//! access rule (`db::access::manageable`) and the subtree inside its SQL; the cost cells the
//! cost scope (`db::costs::access`).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::access::{self, HasIncidents};
use super::costs::access::CostScope;
use super::costs::{load, Value};
use super::schema::{
    corrective_actions, cost_entries, incident_consequences, incident_events, incident_routing,
    incidents, org_closure, org_units, stats_rollup,
};
use super::{AnyConnection, DbError, DbResult};
use crate::domain::action::ActionState;
use crate::domain::calendar::{from_stockholm, stockholm_date};
use crate::domain::cost_period::Month;
use crate::domain::legal_duty::{DutyRecord, InjurySeverity};
use crate::domain::risk::{Grade, Risk};
use crate::domain::yearly::{ActionFacts, CaseFacts, CostCell, Period, RollupCell, Tree, UnitRef};
use crate::domain::{Caller, IncidentStatus};

/// Ids per `IN (…)` list.
const CHUNK: usize = 900;

fn corrupt(what: &str, value: &str) -> DbError {
    DbError::Corrupt(format!("stored {what} '{value}'"))
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// The first instant of a day in Stockholm, as stored (UTC).
pub fn day_start(day: NaiveDate) -> NaiveDateTime {
    from_stockholm(day.and_hms_opt(0, 0, 0).unwrap_or_default()).naive_utc()
}

/// The instant after the period (its end, exclusive).
fn period_end(period: Period) -> NaiveDateTime {
    day_start(period.to.next().first_day())
}

type CaseTuple = (
    String,
    String,
    String,
    String,
    NaiveDateTime,
    NaiveDateTime,
    String,
    bool,
    bool,
    (Option<i32>, Option<i32>, Option<String>),
    (Option<bool>, Option<NaiveDateTime>, Option<String>),
    (Option<bool>, Option<NaiveDateTime>, Option<String>),
);

/// The cases the follow-up needs (see [`crate::domain::yearly::Input::cases`]): of `unit`'s
/// subtree, that the caller manages, reported in the period or the year before — and older
/// ones that were still open, or changed, during the period.
pub fn cases(
    conn: &mut AnyConnection,
    caller: &Caller,
    unit: &str,
    period: Period,
) -> DbResult<Vec<CaseFacts>> {
    let start = day_start(period.year_before().first_day());
    let period_start = day_start(period.first_day());
    let end = period_end(period);
    let open: Vec<&str> = IncidentStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect();
    let rows: Vec<CaseTuple> = incidents::table
        .filter(<incidents::table as HasIncidents>::in_subtrees(&[
            unit.to_owned()
        ]))
        .filter(access::manageable(caller))
        .filter(incidents::created_at.lt(end))
        .filter(
            incidents::created_at
                .ge(start)
                .or(incidents::status.eq_any(open))
                .or(incidents::updated_at.ge(period_start)),
        )
        .order(incidents::id)
        .select((
            incidents::id,
            incidents::org_unit_id,
            incidents::kind,
            incidents::status,
            incidents::created_at,
            incidents::updated_at,
            incidents::injury_severity,
            incidents::several_injured,
            incidents::serious_danger,
            (
                incidents::risk_likelihood,
                incidents::risk_consequence,
                incidents::cause_category,
            ),
            (
                incidents::av_confirmed,
                incidents::av_reported_at,
                incidents::av_reference,
            ),
            (
                incidents::fk_confirmed,
                incidents::fk_reported_at,
                incidents::fk_reference,
            ),
        ))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(case_facts(r)?);
    }
    complete(conn, &mut out, true)?;
    Ok(out)
}

fn duty(r: (Option<bool>, Option<NaiveDateTime>, Option<String>)) -> DutyRecord {
    DutyRecord {
        confirmed: r.0,
        reported_at: r.1.map(utc),
        reference: r.2,
    }
}

fn case_facts(r: CaseTuple) -> DbResult<CaseFacts> {
    let (id, unit_id, kind, status, created, _updated, injury, several, danger, rating, av, fk) = r;
    let risk = match (rating.0, rating.1) {
        (Some(l), Some(c)) => Some(Risk {
            likelihood: Grade::parse(l.into())
                .ok_or_else(|| corrupt("likelihood", &l.to_string()))?,
            consequence: Grade::parse(c.into())
                .ok_or_else(|| corrupt("consequence", &c.to_string()))?,
        }),
        _ => None,
    };
    Ok(CaseFacts {
        kind: kind.parse().map_err(|()| corrupt("kind", &kind))?,
        status: status.parse().map_err(|()| corrupt("status", &status))?,
        injury: injury
            .parse::<InjurySeverity>()
            .map_err(|()| corrupt("injury severity", &injury))?,
        id,
        unit_id,
        reported_at: utc(created),
        consequences: Vec::new(),
        several_injured: several,
        serious_danger: danger,
        risk,
        cause: rating.2,
        ack_deadline: None,
        acknowledged_at: None,
        escalated_at: None,
        closed_at: None,
        av: duty(av),
        fk: duty(fk),
        net_cost_ore: 0,
    })
}

/// Adds what lives beside each case: consequences and routing, and (when `full`) when it was
/// closed and its net cost.
fn complete(conn: &mut AnyConnection, cases: &mut [CaseFacts], full: bool) -> DbResult<()> {
    let index: HashMap<String, usize> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    for chunk in ids.chunks(CHUNK) {
        let consequences: Vec<(String, String)> = incident_consequences::table
            .filter(incident_consequences::incident_id.eq_any(chunk))
            .select((
                incident_consequences::incident_id,
                incident_consequences::consequence,
            ))
            .load(conn)?;
        for (id, c) in consequences {
            let c = c.parse().map_err(|()| corrupt("consequence", &c))?;
            cases[index[&id]].consequences.push(c);
        }
        type Routing = (
            String,
            NaiveDateTime,
            Option<NaiveDateTime>,
            Option<NaiveDateTime>,
        );
        let routing: Vec<Routing> = incident_routing::table
            .filter(incident_routing::incident_id.eq_any(chunk))
            .select((
                incident_routing::incident_id,
                incident_routing::remind_at,
                incident_routing::acknowledged_at,
                incident_routing::escalated_at,
            ))
            .load(conn)?;
        for (id, deadline, acked, escalated) in routing {
            let c = &mut cases[index[&id]];
            c.ack_deadline = Some(utc(deadline));
            c.acknowledged_at = acked.map(utc);
            c.escalated_at = escalated.map(utc);
        }
        if !full {
            continue;
        }
        // A closed case was closed by its last status change.
        let changes: Vec<(String, NaiveDateTime)> = incident_events::table
            .filter(incident_events::incident_id.eq_any(chunk))
            .filter(incident_events::kind.eq("status_changed"))
            .select((incident_events::incident_id, incident_events::at))
            .load(conn)?;
        for (id, at) in changes {
            let c = &mut cases[index[&id]];
            if !c.status.is_open() && c.closed_at.is_none_or(|x| x < utc(at)) {
                c.closed_at = Some(utc(at));
            }
        }
        let entries: Vec<(String, String, i32, i64)> = cost_entries::table
            .filter(cost_entries::incident_id.eq_any(chunk))
            .filter(cost_entries::basis.eq("actual"))
            .select((
                cost_entries::incident_id,
                cost_entries::direction,
                cost_entries::sign,
                cost_entries::amount_ore,
            ))
            .load(conn)?;
        for (id, direction, sign, amount) in entries {
            let signed = i64::from(sign) * amount;
            let c = &mut cases[index[&id]];
            c.net_cost_ore += if direction == "recovery" {
                -signed
            } else {
                signed
            };
        }
    }
    Ok(())
}

type ActionTuple = (String, String, String, String, NaiveDateTime, NaiveDateTime);

/// Actions of the subtree's cases the caller manages, created by the end of the period and
/// either created in it or still open (or changed) during it.
pub fn actions(
    conn: &mut AnyConnection,
    caller: &Caller,
    unit: &str,
    period: Period,
) -> DbResult<Vec<ActionFacts>> {
    type Source = diesel::dsl::InnerJoinQuerySource<corrective_actions::table, incidents::table>;
    let period_start = day_start(period.first_day());
    let end = period_end(period);
    let open: Vec<&str> = ActionState::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect();
    let rows: Vec<(ActionTuple, String)> = corrective_actions::table
        .inner_join(incidents::table)
        .filter(<Source as HasIncidents>::in_subtrees(&[unit.to_owned()]))
        .filter(access::manageable_on::<Source>(caller))
        .filter(corrective_actions::created_at.lt(end))
        .filter(
            corrective_actions::created_at
                .ge(period_start)
                .or(corrective_actions::state.eq_any(open))
                .or(corrective_actions::updated_at.ge(period_start)),
        )
        .select((
            (
                corrective_actions::id,
                corrective_actions::incident_id,
                corrective_actions::state,
                corrective_actions::due_date,
                corrective_actions::created_at,
                corrective_actions::updated_at,
            ),
            incidents::org_unit_id,
        ))
        .load(conn)?;
    let done = done_days(conn, &rows)?;
    let mut out = Vec::with_capacity(rows.len());
    for ((id, case_id, state, due, created, updated), unit_id) in rows {
        let state: ActionState = state
            .parse()
            .map_err(|()| corrupt("action state", &state))?;
        let due =
            NaiveDate::parse_from_str(&due, "%Y-%m-%d").map_err(|_| corrupt("due date", &due))?;
        let finished = matches!(state, ActionState::Done | ActionState::Verified);
        let done_on = done
            .get(&id)
            .copied()
            .or_else(|| finished.then(|| stockholm_date(utc(updated))));
        out.push(ActionFacts {
            case_id,
            unit_id,
            state,
            created_on: stockholm_date(utc(created)),
            due,
            done_on,
        });
    }
    Ok(out)
}

/// The day each action was first marked done or verified, from the case histories.
fn done_days(
    conn: &mut AnyConnection,
    rows: &[(ActionTuple, String)],
) -> DbResult<HashMap<String, NaiveDate>> {
    let mut cases: Vec<String> = rows.iter().map(|r| r.0 .1.clone()).collect();
    cases.sort();
    cases.dedup();
    let mut out: HashMap<String, NaiveDate> = HashMap::new();
    for chunk in cases.chunks(CHUNK) {
        let events: Vec<(NaiveDateTime, String)> = incident_events::table
            .filter(incident_events::incident_id.eq_any(chunk))
            .filter(incident_events::kind.eq("action_state_changed"))
            .select((incident_events::at, incident_events::data))
            .load(conn)?;
        for (at, data) in events {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&data) else {
                continue;
            };
            let (Some(id), Some(after)) = (v["action_id"].as_str(), v["after"].as_str()) else {
                continue;
            };
            if matches!(after, "done" | "verified") {
                let day = stockholm_date(utc(at));
                out.entry(id.to_owned())
                    .and_modify(|d| *d = (*d).min(day))
                    .or_insert(day);
            }
        }
    }
    Ok(out)
}

#[derive(diesel::QueryableByName)]
struct RollupRow {
    #[diesel(sql_type = Text)]
    org_unit_id: String,
    #[diesel(sql_type = Integer)]
    month: i32,
    #[diesel(sql_type = Text)]
    dim: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `AND` the row's unit lies in the scope (the caller's subtrees), as SQL; binds appended.
fn scope_clause(scope: &CostScope, values: &mut Vec<Value>) -> Option<String> {
    match scope {
        CostScope::Everything => Some(String::new()),
        CostScope::Nothing => None,
        CostScope::Units(units) => {
            let first = values.len() + 1;
            values.extend(units.iter().map(|u| Value::Text(u.clone())));
            Some(format!(
                " AND EXISTS (SELECT 1 FROM org_closure s WHERE s.descendant_id = r.org_unit_id \
                 AND s.ancestor_id IN ({}))",
                super::costs::placeholders(first, units.len())
            ))
        }
    }
}

/// The statistics rollup of the subtree for the period and the year before, limited to the
/// caller's case scope inside the query.
pub fn rollup(
    conn: &mut AnyConnection,
    scope: &CostScope,
    unit: &str,
    period: Period,
) -> DbResult<Vec<RollupCell>> {
    let mut values = vec![
        Value::Text(unit.to_owned()),
        Value::Int(period.year_before().from.key()),
        Value::Int(period.to.key()),
    ];
    let Some(scope_sql) = scope_clause(scope, &mut values) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT r.org_unit_id AS org_unit_id, r.month AS month, r.dim AS dim, r.n AS n \
         FROM stats_rollup r JOIN org_closure c ON c.descendant_id = r.org_unit_id \
         WHERE c.ancestor_id = $1 AND r.month >= $2 AND r.month <= $3{scope_sql}"
    );
    let rows: Vec<RollupRow> = load(conn, &sql, &values)?;
    rows.into_iter()
        .map(|r| {
            Ok(RollupCell {
                month: Month::from_key(r.month)
                    .ok_or_else(|| corrupt("month", &r.month.to_string()))?,
                unit_id: r.org_unit_id,
                dim: r.dim,
                n: r.n,
            })
        })
        .collect()
}

#[derive(diesel::QueryableByName)]
struct CostRow {
    #[diesel(sql_type = Text)]
    org_unit_id: String,
    #[diesel(sql_type = Integer)]
    month: i32,
    #[diesel(sql_type = Text)]
    dim: String,
    #[diesel(sql_type = BigInt)]
    cost_ore: i64,
    #[diesel(sql_type = BigInt)]
    recovery_ore: i64,
}

/// The cost rollup (actual basis, by category) of the subtree for the period and the year
/// before, limited to the caller's cost scope inside the query.
pub fn costs(
    conn: &mut AnyConnection,
    scope: &CostScope,
    unit: &str,
    period: Period,
) -> DbResult<Vec<CostCell>> {
    let mut values = vec![
        Value::Text(unit.to_owned()),
        Value::Int(period.year_before().from.key()),
        Value::Int(period.to.key()),
    ];
    let Some(scope_sql) = scope_clause(scope, &mut values) else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT r.org_unit_id AS org_unit_id, r.month AS month, r.dim AS dim, \
         r.cost_ore AS cost_ore, r.recovery_ore AS recovery_ore \
         FROM cost_rollup_unit r JOIN org_closure c ON c.descendant_id = r.org_unit_id \
         WHERE c.ancestor_id = $1 AND r.month >= $2 AND r.month <= $3 \
         AND r.basis = 'actual' AND r.dim LIKE 'c:%'{scope_sql}"
    );
    let rows: Vec<CostRow> = load(conn, &sql, &values)?;
    rows.into_iter()
        .map(|r| {
            Ok(CostCell {
                month: Month::from_key(r.month)
                    .ok_or_else(|| corrupt("month", &r.month.to_string()))?,
                unit_id: r.org_unit_id,
                category: r.dim.trim_start_matches("c:").to_owned(),
                cost_ore: r.cost_ore,
                recovery_ore: r.recovery_ore,
            })
        })
        .collect()
}

/// The unit, its direct children, where each unit of the subtree belongs among them, and
/// the headcounts the org import gave.
pub fn tree(conn: &mut AnyConnection, unit: &str) -> DbResult<Option<Tree>> {
    let Some(root) = org_units::table
        .find(unit)
        .select((org_units::id, org_units::name))
        .first::<(String, String)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let children: Vec<(String, String)> = org_units::table
        .filter(org_units::parent_id.eq(unit))
        .order((org_units::name.asc(), org_units::code.asc()))
        .select((org_units::id, org_units::name))
        .load(conn)?;
    let slot: HashMap<String, usize> = children
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (id.clone(), i))
        .collect();
    let child_ids: Vec<String> = children.iter().map(|c| c.0.clone()).collect();
    let under: Vec<(String, String)> = org_closure::table
        .filter(org_closure::ancestor_id.eq_any(&child_ids))
        .select((org_closure::descendant_id, org_closure::ancestor_id))
        .load(conn)?;
    let child_of = under
        .into_iter()
        .filter_map(|(d, a)| slot.get(&a).map(|i| (d, *i)))
        .collect();
    let employees: Vec<(String, Option<i64>)> = org_units::table
        .filter(
            org_units::id.eq_any(
                org_closure::table
                    .filter(org_closure::ancestor_id.eq(unit))
                    .select(org_closure::descendant_id),
            ),
        )
        .select((org_units::id, org_units::employees))
        .load(conn)?;
    let unit_ref = |(id, name): (String, String)| UnitRef { id, name };
    Ok(Some(Tree {
        root: unit_ref(root),
        children: children.into_iter().map(unit_ref).collect(),
        child_of,
        employees: employees
            .into_iter()
            .filter_map(|(id, n)| n.map(|n| (id, n)))
            .collect(),
    }))
}

/// The root of the org tree: the unit of kind `group` without a parent, else the first unit
/// without one.
pub fn group_root(conn: &mut AnyConnection) -> DbResult<Option<String>> {
    let roots: Vec<(String, String)> = org_units::table
        .filter(org_units::parent_id.is_null())
        .order(org_units::code.asc())
        .select((org_units::id, org_units::kind))
        .load(conn)?;
    Ok(roots
        .iter()
        .find(|(_, k)| k == "group")
        .or(roots.first())
        .map(|(id, _)| id.clone()))
}

// ---------- the statistics rollup itself ----------

/// Every case, in pages of whole ids, as the rollup needs them.
pub fn all_cases(conn: &mut AnyConnection) -> DbResult<Vec<CaseFacts>> {
    const PAGE: i64 = 5_000;
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let rows: Vec<CaseTuple> = incidents::table
            .filter(incidents::id.gt(&after))
            .order(incidents::id)
            .limit(PAGE)
            .select((
                incidents::id,
                incidents::org_unit_id,
                incidents::kind,
                incidents::status,
                incidents::created_at,
                incidents::updated_at,
                incidents::injury_severity,
                incidents::several_injured,
                incidents::serious_danger,
                (
                    incidents::risk_likelihood,
                    incidents::risk_consequence,
                    incidents::cause_category,
                ),
                (
                    incidents::av_confirmed,
                    incidents::av_reported_at,
                    incidents::av_reference,
                ),
                (
                    incidents::fk_confirmed,
                    incidents::fk_reported_at,
                    incidents::fk_reference,
                ),
            ))
            .load(conn)?;
        let full = rows.len() as i64 == PAGE;
        let mut page = Vec::with_capacity(rows.len());
        for r in rows {
            page.push(case_facts(r)?);
        }
        // The rollup counts reports by kind, consequence, deadline and duty: no history or money.
        complete(conn, &mut page, false)?;
        let Some(last) = page.last().map(|c| c.id.clone()) else {
            break;
        };
        after = last;
        out.extend(page);
        if !full {
            break;
        }
    }
    Ok(out)
}

/// The stored rollup.
pub fn stored_rollup(conn: &mut AnyConnection) -> DbResult<BTreeMap<(String, i32, String), i64>> {
    let rows: Vec<(String, i32, String, i64)> = stats_rollup::table
        .select((
            stats_rollup::org_unit_id,
            stats_rollup::month,
            stats_rollup::dim,
            stats_rollup::n,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(u, m, d, n)| ((u, m, d), n))
        .collect())
}

/// Writes the rows that differ between `stored` and `wanted` (inside a write transaction).
/// Delete-then-insert per key, so two refreshes at once still leave one row per key.
pub fn apply_rollup(
    conn: &mut AnyConnection,
    stored: &BTreeMap<(String, i32, String), i64>,
    wanted: &BTreeMap<(String, i32, String), i64>,
) -> DbResult<usize> {
    let mut changed = 0;
    let gone = stored.keys().filter(|k| !wanted.contains_key(*k));
    let differ = wanted
        .iter()
        .filter(|(k, n)| stored.get(*k) != Some(*n))
        .map(|(k, _)| k);
    let keys: Vec<&(String, i32, String)> = gone.chain(differ).collect();
    for (unit, month, dim) in keys {
        diesel::delete(
            stats_rollup::table
                .filter(stats_rollup::org_unit_id.eq(unit))
                .filter(stats_rollup::month.eq(month))
                .filter(stats_rollup::dim.eq(dim)),
        )
        .execute(conn)?;
        if let Some(n) = wanted.get(&(unit.clone(), *month, dim.clone())) {
            diesel::insert_into(stats_rollup::table)
                .values((
                    stats_rollup::org_unit_id.eq(unit),
                    stats_rollup::month.eq(month),
                    stats_rollup::dim.eq(dim),
                    stats_rollup::n.eq(n),
                ))
                .execute(conn)?;
        }
        changed += 1;
    }
    Ok(changed)
}
