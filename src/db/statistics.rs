//! What the open statistics read: the units directly under the group, the statistics rollup
//! summed to them, and each case's net cost per year (for the dominance rule). Read by the
//! refresh only, never per request; the computed document is kept in `app_meta`.

use std::collections::{BTreeMap, HashMap};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::costs::{load, Value};
use super::schema::{org_closure, org_units};
use super::{AnyConnection, DbError, DbResult};
use crate::domain::cost_period::Month;
use crate::domain::open_stats::{PublicUnit, TopCaseCost, TopCount};

/// Where the computed open statistics are kept (JSON), and when they were computed.
pub const OPEN_STATISTICS: &str = "open_statistics";

/// The published units (the group's children by name, then the group itself for its own
/// cases) and which published unit each unit of the tree counts under.
pub fn public_units(
    conn: &mut AnyConnection,
    root: &str,
) -> DbResult<(Vec<PublicUnit>, HashMap<String, usize>)> {
    let mut units: Vec<(String, String, String)> = org_units::table
        .filter(org_units::parent_id.eq(root))
        .order((org_units::name.asc(), org_units::code.asc()))
        .select((org_units::id, org_units::code, org_units::name))
        .load(conn)?;
    let group: (String, String, String) = org_units::table
        .find(root)
        .select((org_units::id, org_units::code, org_units::name))
        .first(conn)?;
    let ids: Vec<String> = units.iter().map(|u| u.0.clone()).collect();
    let slot: HashMap<String, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.clone(), i))
        .collect();
    let under: Vec<(String, String)> = org_closure::table
        .filter(org_closure::ancestor_id.eq_any(&ids))
        .select((org_closure::descendant_id, org_closure::ancestor_id))
        .load(conn)?;
    let mut of_unit: HashMap<String, usize> = under
        .into_iter()
        .filter_map(|(d, a)| slot.get(&a).map(|i| (d, *i)))
        .collect();
    of_unit.insert(group.0.clone(), units.len());
    units.push(group);
    Ok((
        units
            .into_iter()
            .map(|(_, code, name)| PublicUnit { code, name })
            .collect(),
        of_unit,
    ))
}

#[derive(diesel::QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Text)]
    org_unit_id: String,
    #[diesel(sql_type = Integer)]
    month: i32,
    #[diesel(sql_type = Text)]
    dim: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The rollup from `from` on, summed per published unit.
pub fn top_counts(
    conn: &mut AnyConnection,
    of_unit: &HashMap<String, usize>,
    from: Month,
) -> DbResult<Vec<TopCount>> {
    let rows: Vec<CountRow> = load(
        conn,
        "SELECT org_unit_id, month, dim, n FROM stats_rollup WHERE month >= $1",
        &[Value::Int(from.key())],
    )?;
    let mut sums: BTreeMap<(usize, i32, String), i64> = BTreeMap::new();
    for r in rows {
        // A unit outside the group's tree (a second root) is not published.
        if let Some(slot) = of_unit.get(&r.org_unit_id) {
            *sums.entry((*slot, r.month, r.dim)).or_default() += r.n;
        }
    }
    sums.into_iter()
        .map(|((unit, month, dim), n)| {
            let month = Month::from_key(month)
                .ok_or_else(|| DbError::Corrupt(format!("stored month '{month}'")))?;
            Ok(TopCount {
                unit,
                month,
                dim,
                n,
            })
        })
        .collect()
}

#[derive(diesel::QueryableByName)]
struct CaseCostRow {
    #[diesel(sql_type = Text)]
    incident_id: String,
    #[diesel(sql_type = Text)]
    org_unit_id: String,
    #[diesel(sql_type = Integer)]
    year: i32,
    #[diesel(sql_type = BigInt)]
    net_ore: i64,
}

/// Each case's net actual cost per year and published unit, from `from` on.
pub fn case_costs(
    conn: &mut AnyConnection,
    of_unit: &HashMap<String, usize>,
    from: Month,
) -> DbResult<Vec<TopCaseCost>> {
    let rows: Vec<CaseCostRow> = load(
        conn,
        "SELECT incident_id, org_unit_id, month / 100 AS year, \
         CAST(SUM(CASE WHEN direction = 'cost' THEN sign * amount_ore ELSE -(sign * amount_ore) END) AS BIGINT) AS net_ore \
         FROM cost_entries WHERE basis = 'actual' AND month >= $1 \
         GROUP BY incident_id, org_unit_id, month / 100",
        &[Value::Int(from.key())],
    )?;
    let mut sums: BTreeMap<(String, usize, i32), i64> = BTreeMap::new();
    for r in rows {
        if let Some(slot) = of_unit.get(&r.org_unit_id) {
            *sums.entry((r.incident_id, *slot, r.year)).or_default() += r.net_ore;
        }
    }
    Ok(sums
        .into_iter()
        .filter(|(_, net)| *net != 0)
        .map(|((_, unit, year), net_ore)| TopCaseCost {
            unit,
            year,
            net_ore,
        })
        .collect())
}
