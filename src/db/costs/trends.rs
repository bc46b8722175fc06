//! The trend questions, answered two ways: from the rollups (what the API serves) and as a
//! plain `SUM … GROUP BY` over the entries (what the property test, the benchmark and
//! `tillbud costs verify` compare it with). Both fill the same cells.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::super::schema::org_closure;
use super::super::{AnyConnection, DbResult};
use super::{load, placeholders, Value};
use crate::domain::cost::Totals;
use crate::domain::cost_period::{Grain, GroupBy, PeriodKind, Range};
use crate::domain::cost_trend::{Cells, TrendQuery};
use crate::domain::money::Ore;

/// The units a question covers, resolved against the caller's rights and the org tree.
#[derive(Debug, Clone, Default)]
pub struct TrendScope {
    /// Every unit counted (subtrees expanded); `None`: the whole organisation.
    pub units: Option<Vec<String>>,
    /// With `group_by=unit`: the units whose subtrees are the groups…
    pub groups: Vec<String>,
    /// …and the unit whose own cases (not its children's) form one more group.
    pub own: Option<String>,
}

/// The SQL of a period key from a `yyyymm` column.
fn bucket_sql(kind: PeriodKind, col: &str) -> String {
    match kind {
        PeriodKind::Month => col.to_owned(),
        PeriodKind::Quarter => format!("({col} / 100) * 100 + (({col} % 100) + 2) / 3"),
        PeriodKind::Year => format!("({col} / 100) * 100"),
    }
}

fn bases_sql(q: &TrendQuery, first: usize) -> (String, Vec<Value>) {
    let bases = q.basis.bases();
    (
        placeholders(first, bases.len()),
        bases
            .iter()
            .map(|b| Value::Text(b.as_str().to_owned()))
            .collect(),
    )
}

fn money(cost: i64, recovery: i64) -> Totals {
    Totals {
        cost: Ore(cost),
        recovery: Ore(recovery),
    }
}

fn add(cells: &mut Cells, key: (i32, Option<String>), totals: Totals, cases: i64) {
    let f = cells.entry(key).or_default();
    f.totals.cost += totals.cost;
    f.totals.recovery += totals.recovery;
    f.cases += cases;
}

/// Which group each unit of the scope falls in, for `group_by=unit`.
fn unit_groups(conn: &mut AnyConnection, scope: &TrendScope) -> DbResult<BTreeMap<String, String>> {
    let pairs: Vec<(String, String)> = org_closure::table
        .filter(org_closure::ancestor_id.eq_any(&scope.groups))
        .select((org_closure::descendant_id, org_closure::ancestor_id))
        .load(conn)?;
    let mut map: BTreeMap<String, String> = pairs.into_iter().collect();
    if let Some(own) = &scope.own {
        map.insert(own.clone(), own.clone());
    }
    Ok(map)
}

#[derive(QueryableByName)]
struct MoneyCell {
    #[diesel(sql_type = Text)]
    unit: String,
    #[diesel(sql_type = Integer)]
    bucket: i32,
    #[diesel(sql_type = Text)]
    grp: String,
    #[diesel(sql_type = BigInt)]
    cost_ore: i64,
    #[diesel(sql_type = BigInt)]
    recovery_ore: i64,
}

#[derive(QueryableByName)]
struct CountCell {
    #[diesel(sql_type = Text)]
    unit: String,
    #[diesel(sql_type = Integer)]
    bucket: i32,
    #[diesel(sql_type = Text)]
    grp: String,
    #[diesel(sql_type = BigInt)]
    cases: i64,
}

/// The group a dimension names (`c:egendom` → `egendom`), if it is of the asked kind.
fn group_of_dim(group_by: GroupBy, dim: &str) -> Option<String> {
    let prefix = match group_by {
        GroupBy::Category => "c:",
        GroupBy::Kind => "k:",
        _ => return None,
    };
    dim.strip_prefix(prefix).map(str::to_owned)
}

/// The trend's cells from the rollups.
pub fn rollup_cells(
    conn: &mut AnyConnection,
    q: &TrendQuery,
    range: Range,
    scope: &TrendScope,
) -> DbResult<Cells> {
    let mut cells = Cells::new();
    let by_unit = q.group_by == GroupBy::Unit;
    let groups = if by_unit {
        unit_groups(conn, scope)?
    } else {
        BTreeMap::new()
    };
    let units: Option<Vec<String>> = if by_unit {
        Some(groups.keys().cloned().collect())
    } else {
        scope.units.clone()
    };
    let money_dim = if q.group_by == GroupBy::Kind {
        "k:%"
    } else {
        "c:%"
    };
    // Money: months of the range, summed into periods.
    let bucket = bucket_sql(range.kind, "month");
    let mut values = vec![
        Value::Int(range.from.key()),
        Value::Int(range.to.key()),
        Value::Text(money_dim.to_owned()),
    ];
    let (bases, bind) = bases_sql(q, 4);
    values.extend(bind);
    let sql = match &units {
        None => format!(
            "SELECT '' AS unit, {bucket} AS bucket, dim AS grp, \
             CAST(SUM(cost_ore) AS BIGINT) AS cost_ore, CAST(SUM(recovery_ore) AS BIGINT) AS recovery_ore \
             FROM cost_rollup_group WHERE month >= $1 AND month <= $2 AND dim LIKE $3 AND basis IN ({bases}) \
             GROUP BY {bucket}, dim"
        ),
        Some(list) => {
            let first = values.len() + 1;
            values.extend(list.iter().map(|u| Value::Text(u.clone())));
            let unit = if by_unit { "org_unit_id" } else { "''" };
            let group = if by_unit { ", org_unit_id" } else { "" };
            format!(
                "SELECT {unit} AS unit, {bucket} AS bucket, dim AS grp, \
                 CAST(SUM(cost_ore) AS BIGINT) AS cost_ore, CAST(SUM(recovery_ore) AS BIGINT) AS recovery_ore \
                 FROM cost_rollup_unit WHERE month >= $1 AND month <= $2 AND dim LIKE $3 AND basis IN ({bases}) \
                 AND org_unit_id IN ({}) GROUP BY {bucket}, dim{group}",
                placeholders(first, list.len())
            )
        }
    };
    if units.as_ref().is_none_or(|u| !u.is_empty()) {
        let rows: Vec<MoneyCell> = load(conn, &sql, &values)?;
        for r in rows {
            let totals = money(r.cost_ore, r.recovery_ore);
            let group = if by_unit {
                groups.get(&r.unit).cloned()
            } else {
                group_of_dim(q.group_by, &r.grp)
            };
            if let Some(g) = group {
                add(&mut cells, (r.bucket, Some(g)), totals, 0);
            }
            add(&mut cells, (r.bucket, None), totals, 0);
        }
    }
    // Distinct cases: the counts kept at each period's own grain.
    let buckets = range.buckets();
    let mut by_grain: BTreeMap<Grain, BTreeMap<i32, i32>> = BTreeMap::new();
    for b in &buckets {
        by_grain
            .entry(b.grain)
            .or_default()
            .insert(b.count_period, b.key);
    }
    let count_dim = match q.group_by {
        GroupBy::Category => "c:%",
        GroupBy::Kind => "k:%",
        _ => "*",
    };
    let basis = match q.basis {
        crate::domain::cost::BasisFilter::Both => crate::domain::cost_period::BOTH_BASIS,
        other => other.as_str(),
    };
    for (grain, periods) in by_grain {
        let (lo, hi) = (
            periods.keys().next().copied().unwrap_or(0),
            periods.keys().last().copied().unwrap_or(0),
        );
        let mut values = vec![
            Value::Text(grain.as_str().to_owned()),
            Value::Int(lo),
            Value::Int(hi),
            Value::Text(basis.to_owned()),
            Value::Text(count_dim.to_owned()),
        ];
        let sql = match &units {
            None => "SELECT '' AS unit, period AS bucket, dim AS grp, CAST(SUM(cases) AS BIGINT) AS cases \
                     FROM cost_case_counts_group WHERE grain = $1 AND period >= $2 AND period <= $3 \
                     AND basis = $4 AND (dim = '*' OR dim LIKE $5) GROUP BY period, dim"
                .to_owned(),
            Some(list) if list.is_empty() => continue,
            Some(list) => {
                let first = values.len() + 1;
                values.extend(list.iter().map(|u| Value::Text(u.clone())));
                let unit = if by_unit { "org_unit_id" } else { "''" };
                let group = if by_unit { ", org_unit_id" } else { "" };
                format!(
                    "SELECT {unit} AS unit, period AS bucket, dim AS grp, CAST(SUM(cases) AS BIGINT) AS cases \
                     FROM cost_case_counts_unit WHERE grain = $1 AND period >= $2 AND period <= $3 \
                     AND basis = $4 AND (dim = '*' OR dim LIKE $5) AND org_unit_id IN ({}) \
                     GROUP BY period, dim{group}",
                    placeholders(first, list.len())
                )
            }
        };
        let rows: Vec<CountCell> = load(conn, &sql, &values)?;
        for r in rows {
            let Some(&key) = periods.get(&r.bucket) else {
                continue;
            };
            if r.grp == "*" {
                if by_unit {
                    if let Some(g) = groups.get(&r.unit) {
                        add(
                            &mut cells,
                            (key, Some(g.clone())),
                            Totals::default(),
                            r.cases,
                        );
                    }
                }
                add(&mut cells, (key, None), Totals::default(), r.cases);
            } else if let Some(g) = group_of_dim(q.group_by, &r.grp) {
                add(&mut cells, (key, Some(g)), Totals::default(), r.cases);
            }
        }
    }
    cells.retain(|_, f| !f.is_zero());
    Ok(cells)
}

/// The same cells as a plain aggregation over every entry: money is the signed sum of all
/// rows, cases the distinct cases among rows that stand (not reversals, not reversed).
pub fn plain_cells(
    conn: &mut AnyConnection,
    q: &TrendQuery,
    range: Range,
    scope: &TrendScope,
) -> DbResult<Cells> {
    let mut cells = Cells::new();
    let bucket = bucket_sql(range.kind, "e.month");
    let mut values = vec![Value::Int(range.from.key()), Value::Int(range.to.key())];
    let (bases, bind) = bases_sql(q, 3);
    values.extend(bind);
    let mut joins = String::new();
    let mut filter = String::new();
    if let Some(units) = &scope.units {
        if units.is_empty() {
            return Ok(cells);
        }
        filter = format!(
            " AND e.org_unit_id IN ({})",
            placeholders(values.len() + 1, units.len())
        );
        values.extend(units.iter().map(|u| Value::Text(u.clone())));
    }
    let grp = match q.group_by {
        GroupBy::None => "''".to_owned(),
        GroupBy::Category => "e.category".to_owned(),
        GroupBy::Kind => {
            joins.push_str(" JOIN incidents i ON i.id = e.incident_id");
            "i.kind".to_owned()
        }
        GroupBy::Unit => {
            let mut ids = scope.groups.clone();
            ids.extend(scope.own.clone());
            if ids.is_empty() {
                return Ok(cells);
            }
            joins.push_str(&format!(
                " JOIN org_closure g ON g.descendant_id = e.org_unit_id AND g.ancestor_id IN ({})",
                placeholders(values.len() + 1, ids.len())
            ));
            values.extend(ids.iter().map(|u| Value::Text(u.clone())));
            if let Some(own) = &scope.own {
                joins.push_str(&format!(
                    " AND (g.ancestor_id <> ${} OR g.depth = 0)",
                    values.len() + 1
                ));
                values.push(Value::Text(own.clone()));
            }
            "g.ancestor_id".to_owned()
        }
    };
    let from = format!(
        "FROM cost_entries e{joins} WHERE e.month >= $1 AND e.month <= $2 AND e.basis IN ({bases}){filter}"
    );
    // PostgreSQL refuses a constant in GROUP BY.
    let by_group = if q.group_by == GroupBy::None {
        String::new()
    } else {
        format!(", {grp}")
    };
    let money_sql = format!(
        "SELECT '' AS unit, {bucket} AS bucket, {grp} AS grp, \
         CAST(SUM(CASE WHEN e.direction = 'cost' THEN e.sign * e.amount_ore ELSE 0 END) AS BIGINT) AS cost_ore, \
         CAST(SUM(CASE WHEN e.direction = 'recovery' THEN e.sign * e.amount_ore ELSE 0 END) AS BIGINT) AS recovery_ore \
         {from} GROUP BY {bucket}{by_group}"
    );
    let rows: Vec<MoneyCell> = load(conn, &money_sql, &values)?;
    for r in rows {
        let totals = money(r.cost_ore, r.recovery_ore);
        if q.group_by != GroupBy::None {
            add(&mut cells, (r.bucket, Some(r.grp)), totals, 0);
        }
        add(&mut cells, (r.bucket, None), totals, 0);
    }
    let standing =
        " AND e.sign = 1 AND NOT EXISTS (SELECT 1 FROM cost_entries r WHERE r.reverses_id = e.id)";
    let mut count_sqls = vec![(
        false,
        format!(
            "SELECT '' AS unit, {bucket} AS bucket, '' AS grp, COUNT(DISTINCT e.incident_id) AS cases \
             {from}{standing} GROUP BY {bucket}"
        ),
    )];
    if q.group_by != GroupBy::None {
        count_sqls.push((
            true,
            format!(
                "SELECT '' AS unit, {bucket} AS bucket, {grp} AS grp, COUNT(DISTINCT e.incident_id) AS cases \
                 {from}{standing} GROUP BY {bucket}, {grp}"
            ),
        ));
    }
    for (grouped, sql) in count_sqls {
        let rows: Vec<CountCell> = load(conn, &sql, &values)?;
        for r in rows {
            let group = grouped.then_some(r.grp);
            add(&mut cells, (r.bucket, group), Totals::default(), r.cases);
        }
    }
    cells.retain(|_, f| !f.is_zero());
    Ok(cells)
}
