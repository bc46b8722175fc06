//! The finance desk's lists: cases with costs (largest net first) and insurance claims, each
//! item with the case's cost view only — reference, kind, unit, date, status, title — never
//! the description, the reporter, photos, investigation or comments.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::super::schema::{incidents, insurance_claims, org_units};
use super::super::{AnyConnection, DbError, DbResult};
use super::entries::ClaimRow;
use super::{load, placeholders, Value};
use crate::domain::cost::{BasisFilter, ClaimState, Totals};
use crate::domain::cost_period::Month;
use crate::domain::money::Ore;
use crate::domain::{IncidentKind, IncidentStatus};

/// What finance sees of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostView {
    pub id: String,
    pub kind: IncidentKind,
    pub status: IncidentStatus,
    pub title: String,
    pub org_unit_id: String,
    pub org_unit_name: String,
    pub occurred_at: NaiveDateTime,
}

/// The cost views of these cases, by id.
pub fn views(conn: &mut AnyConnection, ids: &[String]) -> DbResult<BTreeMap<String, CostView>> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rows: Vec<(
        String,
        String,
        String,
        String,
        String,
        String,
        NaiveDateTime,
    )> = incidents::table
        .inner_join(org_units::table)
        .filter(incidents::id.eq_any(ids))
        .select((
            incidents::id,
            incidents::kind,
            incidents::status,
            incidents::title,
            incidents::org_unit_id,
            org_units::name,
            incidents::occurred_at,
        ))
        .load(conn)?;
    let bad = |what: &str, v: &str| DbError::Task(format!("stored {what} {v:?}"));
    rows.into_iter()
        .map(
            |(id, kind, status, title, org_unit_id, org_unit_name, occurred_at)| {
                Ok((
                    id.clone(),
                    CostView {
                        kind: kind.parse().map_err(|()| bad("kind", &kind))?,
                        status: status.parse().map_err(|()| bad("status", &status))?,
                        id,
                        title,
                        org_unit_id,
                        org_unit_name,
                        occurred_at,
                    },
                ))
            },
        )
        .collect()
}

/// One case's view, if it exists.
pub fn view(conn: &mut AnyConnection, id: &str) -> DbResult<Option<CostView>> {
    Ok(views(conn, &[id.to_owned()])?.remove(id))
}

/// The filters of the cases list.
#[derive(Debug, Clone)]
pub struct CasesQuery {
    pub from: Month,
    pub to: Month,
    pub basis: BasisFilter,
    /// Units counted (subtrees expanded); `None`: all.
    pub units: Option<Vec<String>>,
    /// Keyset: after this (net, id) in largest-net-first order.
    pub after: Option<(i64, String)>,
    pub limit: i64,
}

#[derive(QueryableByName)]
struct CaseSum {
    #[diesel(sql_type = Text)]
    incident_id: String,
    #[diesel(sql_type = BigInt)]
    cost_ore: i64,
    #[diesel(sql_type = BigInt)]
    recovery_ore: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn cases_sql(q: &CasesQuery) -> (String, Vec<Value>) {
    let bases = q.basis.bases();
    let mut values = vec![Value::Int(q.from.key()), Value::Int(q.to.key())];
    let in_bases = placeholders(3, bases.len());
    values.extend(bases.iter().map(|b| Value::Text(b.as_str().to_owned())));
    let mut units = String::new();
    if let Some(list) = &q.units {
        units = format!(
            " AND e.org_unit_id IN ({})",
            placeholders(values.len() + 1, list.len())
        );
        values.extend(list.iter().map(|u| Value::Text(u.clone())));
    }
    let sql = format!(
        "SELECT e.incident_id AS incident_id, \
         CAST(SUM(CASE WHEN e.direction = 'cost' THEN e.sign * e.amount_ore ELSE 0 END) AS BIGINT) AS cost_ore, \
         CAST(SUM(CASE WHEN e.direction = 'recovery' THEN e.sign * e.amount_ore ELSE 0 END) AS BIGINT) AS recovery_ore \
         FROM cost_entries e WHERE e.month >= $1 AND e.month <= $2 AND e.basis IN ({in_bases}){units} \
         GROUP BY e.incident_id"
    );
    (sql, values)
}

/// Cases with costs in the range, largest net first, one page (`limit` rows).
pub fn cases(conn: &mut AnyConnection, q: &CasesQuery) -> DbResult<Vec<(String, Totals)>> {
    if q.units.as_ref().is_some_and(|u| u.is_empty()) {
        return Ok(Vec::new());
    }
    let (inner, mut values) = cases_sql(q);
    let mut keyset = String::new();
    if let Some((net, id)) = &q.after {
        let n = values.len();
        keyset = format!(
            " AND (t.cost_ore - t.recovery_ore < ${} OR (t.cost_ore - t.recovery_ore = ${} AND t.incident_id > ${}))",
            n + 1,
            n + 2,
            n + 3
        );
        values.extend([Value::Big(*net), Value::Big(*net), Value::Text(id.clone())]);
    }
    let limit = values.len() + 1;
    values.push(Value::Big(q.limit));
    let sql = format!(
        "SELECT t.incident_id, t.cost_ore, t.recovery_ore FROM ({inner}) t \
         WHERE (t.cost_ore <> 0 OR t.recovery_ore <> 0){keyset} \
         ORDER BY t.cost_ore - t.recovery_ore DESC, t.incident_id ASC LIMIT ${limit}"
    );
    let rows: Vec<CaseSum> = load(conn, &sql, &values)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.incident_id,
                Totals {
                    cost: Ore(r.cost_ore),
                    recovery: Ore(r.recovery_ore),
                },
            )
        })
        .collect())
}

/// How many cases the list has in all (to bound an export before building it).
pub fn count_cases(conn: &mut AnyConnection, q: &CasesQuery) -> DbResult<i64> {
    if q.units.as_ref().is_some_and(|u| u.is_empty()) {
        return Ok(0);
    }
    let (inner, values) = cases_sql(q);
    let sql = format!(
        "SELECT COUNT(*) AS n FROM ({inner}) t WHERE t.cost_ore <> 0 OR t.recovery_ore <> 0"
    );
    let rows: Vec<Count> = load(conn, &sql, &values)?;
    Ok(rows.first().map(|r| r.n).unwrap_or(0))
}

/// The filters of the claims list.
#[derive(Debug, Clone)]
pub struct ClaimsQuery {
    pub states: Vec<ClaimState>,
    /// The cases' units (subtrees expanded); `None`: all.
    pub units: Option<Vec<String>>,
    /// Keyset: after this (updated_at, incident id), oldest change first.
    pub after: Option<(NaiveDateTime, String)>,
    pub limit: i64,
}

/// Claims in these states, the longest waiting first.
pub fn claims(conn: &mut AnyConnection, q: &ClaimsQuery) -> DbResult<Vec<(String, ClaimRow)>> {
    let mut query = insurance_claims::table
        .inner_join(incidents::table)
        .filter(
            insurance_claims::state.eq_any(q.states.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
        )
        .select((
            insurance_claims::incident_id,
            (
                insurance_claims::insurer,
                insurance_claims::claim_number,
                insurance_claims::deductible_ore,
                insurance_claims::expected_recovery_ore,
                insurance_claims::state,
                insurance_claims::version,
                insurance_claims::updated_by,
                insurance_claims::updated_at,
            ),
        ))
        .order((
            insurance_claims::updated_at.asc(),
            insurance_claims::incident_id.asc(),
        ))
        .limit(q.limit)
        .into_boxed::<super::super::MultiBackend>();
    if let Some(units) = &q.units {
        query = query.filter(incidents::org_unit_id.eq_any(units.clone()));
    }
    if let Some((at, id)) = &q.after {
        query = query.filter(
            insurance_claims::updated_at
                .gt(*at)
                .or(insurance_claims::updated_at
                    .eq(*at)
                    .and(insurance_claims::incident_id.gt(id.clone()))),
        );
    }
    Ok(query.load(conn)?)
}

/// Actual recoveries booked on these cases (what a claim has brought in so far).
pub fn recovered(conn: &mut AnyConnection, ids: &[String]) -> DbResult<BTreeMap<String, Ore>> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let sql = format!(
        "SELECT e.incident_id AS incident_id, CAST(0 AS BIGINT) AS cost_ore, \
         CAST(SUM(e.sign * e.amount_ore) AS BIGINT) AS recovery_ore FROM cost_entries e \
         WHERE e.direction = 'recovery' AND e.basis = 'actual' AND e.incident_id IN ({}) \
         GROUP BY e.incident_id",
        placeholders(1, ids.len())
    );
    let values: Vec<Value> = ids.iter().map(|i| Value::Text(i.clone())).collect();
    let rows: Vec<CaseSum> = load(conn, &sql, &values)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.incident_id, Ore(r.recovery_ore)))
        .collect())
}

/// The claim states of these cases (cases without a claim are absent).
pub fn claim_states(
    conn: &mut AnyConnection,
    ids: &[String],
) -> DbResult<BTreeMap<String, ClaimState>> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rows: Vec<(String, String)> = insurance_claims::table
        .filter(insurance_claims::incident_id.eq_any(ids))
        .select((insurance_claims::incident_id, insurance_claims::state))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, s)| Some((id, s.parse().ok()?)))
        .collect())
}
