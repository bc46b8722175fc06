//! The rollups: money per unit × month × dimension × basis (and the same without the unit),
//! and distinct cases with standing entries per grain. Written in the transaction of every
//! entry; rebuilt and checked from the entries by `tillbud costs verify`.
//!
//! Upserts touch rows in key order, table by table, so two transactions that share rows
//! lock them in the same order and cannot deadlock on PostgreSQL.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use diesel::sql_types::{BigInt, Integer, Text};

use super::super::{AnyConnection, DbResult};
use super::{execute, load, placeholders, Value};
use crate::domain::cost::{standing, CostEntry, Direction};
use crate::domain::cost_period::{
    category_dim, count_changes, count_keys, count_periods, kind_dim, CountKey, Grain, Month,
};

type UnitMoneyKey = (String, i32, String, &'static str);
type GroupMoneyKey = (i32, String, &'static str);
type UnitCountKey = (String, CountKey);

/// What one transaction adds to the rollups.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub unit_money: BTreeMap<UnitMoneyKey, (i64, i64)>,
    pub group_money: BTreeMap<GroupMoneyKey, (i64, i64)>,
    pub unit_counts: BTreeMap<UnitCountKey, i64>,
    pub group_counts: BTreeMap<CountKey, i64>,
}

fn add_money(target: &mut (i64, i64), direction: Direction, ore: i64) {
    match direction {
        Direction::Cost => target.0 += ore,
        Direction::Recovery => target.1 += ore,
    }
}

impl Changes {
    /// The money of `entries` of a case of `kind`.
    fn add_entries(&mut self, kind: &str, entries: &[CostEntry]) {
        for e in entries {
            let month = Month::of(e.incurred_on).key();
            let basis = e.basis.as_str();
            let ore = e.signed().ore();
            for dim in [category_dim(&e.category), kind_dim(kind)] {
                let unit = (e.org_unit_id.clone(), month, dim.clone(), basis);
                add_money(self.unit_money.entry(unit).or_default(), e.direction, ore);
                let group = (month, dim, basis);
                add_money(self.group_money.entry(group).or_default(), e.direction, ore);
            }
        }
    }

    /// Zero changes are dropped: a move nets out group-wide.
    fn prune(&mut self) {
        self.unit_money.retain(|_, v| *v != (0, 0));
        self.group_money.retain(|_, v| *v != (0, 0));
        self.unit_counts.retain(|_, v| *v != 0);
        self.group_counts.retain(|_, v| *v != 0);
    }
}

/// Where a case counts: at unit level (with the entry's unit) and group-wide.
pub fn case_keys(
    kind: &str,
    entries: &[&CostEntry],
) -> (BTreeSet<UnitCountKey>, BTreeSet<CountKey>) {
    let mut unit = BTreeSet::new();
    let mut group = BTreeSet::new();
    for e in entries {
        for key in count_keys(Month::of(e.incurred_on), &e.category, kind, e.basis) {
            unit.insert((e.org_unit_id.clone(), key.clone()));
            group.insert(key);
        }
    }
    (unit, group)
}

/// The rollup changes of writing `new` entries on a case of `kind` whose entries so far are
/// `before`.
pub fn changes(kind: &str, before: &[CostEntry], new: &[CostEntry]) -> Changes {
    let mut ch = Changes::default();
    ch.add_entries(kind, new);
    let after: Vec<CostEntry> = before.iter().chain(new).cloned().collect();
    let (unit_before, group_before) = case_keys(kind, &standing(before));
    let (unit_after, group_after) = case_keys(kind, &standing(&after));
    ch.unit_counts = count_changes(&unit_before, &unit_after)
        .into_iter()
        .collect();
    ch.group_counts = count_changes(&group_before, &group_after)
        .into_iter()
        .collect();
    ch.prune();
    ch
}

const CHUNK: usize = 100;
/// Rows per statement of a rebuild (plain inserts into emptied tables).
const REBUILD_CHUNK: usize = 500;

/// Multi-row upserts, in key order: `columns` are the key columns and then the added ones.
fn upsert(
    conn: &mut AnyConnection,
    table: &str,
    keys: &[&str],
    added: &[&str],
    rows: Vec<Vec<Value>>,
) -> DbResult<()> {
    let width = keys.len() + added.len();
    let columns: Vec<&str> = keys.iter().chain(added).copied().collect();
    let set: Vec<String> = added
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    for chunk in rows.chunks(CHUNK) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(1 + i * width, width)))
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {}",
            columns.join(", "),
            values.join(", "),
            keys.join(", "),
            set.join(", ")
        );
        let binds: Vec<Value> = chunk.iter().flatten().cloned().collect();
        execute(conn, &sql, &binds)?;
    }
    Ok(())
}

/// Plain inserts into emptied tables (a rebuild).
fn insert_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> DbResult<()> {
    for chunk in rows.chunks(REBUILD_CHUNK) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(1 + i * columns.len(), columns.len())))
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {}",
            columns.join(", "),
            values.join(", ")
        );
        let binds: Vec<Value> = chunk.iter().flatten().cloned().collect();
        execute(conn, &sql, &binds)?;
    }
    Ok(())
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

struct Rows {
    unit_money: Vec<Vec<Value>>,
    group_money: Vec<Vec<Value>>,
    unit_counts: Vec<Vec<Value>>,
    group_counts: Vec<Vec<Value>>,
}

fn rows_of(ch: &Changes) -> Rows {
    Rows {
        unit_money: ch
            .unit_money
            .iter()
            .map(|((u, m, d, b), (c, r))| {
                vec![
                    text(u),
                    Value::Int(*m),
                    text(d),
                    text(b),
                    Value::Big(*c),
                    Value::Big(*r),
                ]
            })
            .collect(),
        group_money: ch
            .group_money
            .iter()
            .map(|((m, d, b), (c, r))| {
                vec![
                    Value::Int(*m),
                    text(d),
                    text(b),
                    Value::Big(*c),
                    Value::Big(*r),
                ]
            })
            .collect(),
        unit_counts: ch
            .unit_counts
            .iter()
            .map(|((u, k), n)| {
                vec![
                    text(u),
                    text(k.grain.as_str()),
                    Value::Int(k.period),
                    text(&k.dim),
                    text(k.basis),
                    Value::Big(*n),
                ]
            })
            .collect(),
        group_counts: ch
            .group_counts
            .iter()
            .map(|(k, n)| {
                vec![
                    text(k.grain.as_str()),
                    Value::Int(k.period),
                    text(&k.dim),
                    text(k.basis),
                    Value::Big(*n),
                ]
            })
            .collect(),
    }
}

const UNIT_MONEY_KEYS: [&str; 4] = ["org_unit_id", "month", "dim", "basis"];
const GROUP_MONEY_KEYS: [&str; 3] = ["month", "dim", "basis"];
const MONEY: [&str; 2] = ["cost_ore", "recovery_ore"];
const UNIT_COUNT_KEYS: [&str; 5] = ["org_unit_id", "grain", "period", "dim", "basis"];
const GROUP_COUNT_KEYS: [&str; 4] = ["grain", "period", "dim", "basis"];

/// Adds the changes to the stored rollups (inside the entry's transaction).
pub fn apply(conn: &mut AnyConnection, ch: &Changes) -> DbResult<()> {
    let rows = rows_of(ch);
    upsert(
        conn,
        "cost_rollup_unit",
        &UNIT_MONEY_KEYS,
        &MONEY,
        rows.unit_money,
    )?;
    upsert(
        conn,
        "cost_rollup_group",
        &GROUP_MONEY_KEYS,
        &MONEY,
        rows.group_money,
    )?;
    upsert(
        conn,
        "cost_case_counts_unit",
        &UNIT_COUNT_KEYS,
        &["cases"],
        rows.unit_counts,
    )?;
    upsert(
        conn,
        "cost_case_counts_group",
        &GROUP_COUNT_KEYS,
        &["cases"],
        rows.group_counts,
    )?;
    Ok(())
}

// ---------- recomputing from the entries ----------

#[derive(diesel::QueryableByName)]
struct UnitMoneyRow {
    #[diesel(sql_type = Text)]
    org_unit_id: String,
    #[diesel(sql_type = Integer)]
    month: i32,
    #[diesel(sql_type = Text)]
    dim: String,
    #[diesel(sql_type = Text)]
    basis: String,
    #[diesel(sql_type = BigInt)]
    cost_ore: i64,
    #[diesel(sql_type = BigInt)]
    recovery_ore: i64,
}

#[derive(diesel::QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Text)]
    org_unit_id: String,
    #[diesel(sql_type = Text)]
    grain: String,
    #[diesel(sql_type = Integer)]
    period: i32,
    #[diesel(sql_type = Text)]
    dim: String,
    #[diesel(sql_type = Text)]
    basis: String,
    #[diesel(sql_type = BigInt)]
    cases: i64,
}

#[derive(diesel::QueryableByName)]
struct StandingRow {
    #[diesel(sql_type = Text)]
    incident_id: String,
    #[diesel(sql_type = Text)]
    org_unit_id: String,
    #[diesel(sql_type = Integer)]
    month: i32,
    #[diesel(sql_type = Text)]
    category: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    basis: String,
}

/// A stored basis or grain name as the static text the keys use.
fn basis_key(s: &str) -> &'static str {
    match s {
        "actual" => "actual",
        "estimate" => "estimate",
        "both" => "both",
        _ => "?",
    }
}

const SIGNED: &str = "e.sign * e.amount_ore";

/// What the rollups should hold, computed from the entries alone.
fn expected(conn: &mut AnyConnection) -> DbResult<Changes> {
    let mut ch = Changes::default();
    let money_sql = format!(
        "SELECT e.org_unit_id AS org_unit_id, e.month AS month, {{dim}} AS dim, e.basis AS basis, \
         CAST(SUM(CASE WHEN e.direction = 'cost' THEN {SIGNED} ELSE 0 END) AS BIGINT) AS cost_ore, \
         CAST(SUM(CASE WHEN e.direction = 'recovery' THEN {SIGNED} ELSE 0 END) AS BIGINT) AS recovery_ore \
         FROM cost_entries e JOIN incidents i ON i.id = e.incident_id \
         GROUP BY e.org_unit_id, e.month, {{dim}}, e.basis"
    );
    for dim in ["'c:' || e.category", "'k:' || i.kind"] {
        let rows: Vec<UnitMoneyRow> = load(conn, &money_sql.replace("{dim}", dim), &[])?;
        for r in rows {
            let basis = basis_key(&r.basis);
            let u = ch
                .unit_money
                .entry((r.org_unit_id, r.month, r.dim.clone(), basis))
                .or_default();
            u.0 += r.cost_ore;
            u.1 += r.recovery_ore;
            let g = ch.group_money.entry((r.month, r.dim, basis)).or_default();
            g.0 += r.cost_ore;
            g.1 += r.recovery_ore;
        }
    }
    // Distinct cases: per case, the union of its standing entries' keys, added up. Read in
    // pages of whole cases so a large database is not held in memory at once; keys are packed
    // into integers while counting (a million entries make tens of millions of keys).
    let mut packer = Packer::default();
    let mut counts: HashMap<u64, i64> = HashMap::new();
    const PAGE: i64 = 20_000;
    let mut after = String::new();
    loop {
        let mut rows: Vec<StandingRow> = load(
            conn,
            &standing_sql("e.incident_id > $1 ORDER BY e.incident_id LIMIT $2"),
            &[Value::Text(after.clone()), Value::Big(PAGE)],
        )?;
        let full = rows.len() as i64 == PAGE;
        if full {
            // The last case may go on in the next page: read it whole there, unless it
            // fills the page alone.
            let last = rows
                .last()
                .map(|r| r.incident_id.clone())
                .unwrap_or_default();
            let first = rows
                .first()
                .map(|r| r.incident_id.clone())
                .unwrap_or_default();
            if first == last {
                rows = load(
                    conn,
                    &standing_sql("e.incident_id = $1"),
                    &[Value::Text(last)],
                )?;
            } else {
                rows.retain(|r| r.incident_id != last);
            }
        }
        let Some(last_case) = rows.last().map(|r| r.incident_id.clone()) else {
            break;
        };
        let mut keys: Vec<u64> = Vec::new();
        let mut i = 0;
        while i < rows.len() {
            let case = rows[i].incident_id.clone();
            keys.clear();
            while i < rows.len() && rows[i].incident_id == case {
                packer.keys(&rows[i], &mut keys)?;
                i += 1;
            }
            keys.sort_unstable();
            keys.dedup();
            for k in &keys {
                *counts.entry(*k).or_default() += 1;
            }
        }
        after = last_case;
        if !full {
            break;
        }
    }
    for (key, n) in counts {
        let (unit, count_key) = packer.unpack(key);
        match unit {
            Some(unit) => {
                ch.unit_counts.insert((unit, count_key), n);
            }
            None => {
                ch.group_counts.insert(count_key, n);
            }
        }
    }
    ch.prune();
    Ok(ch)
}

fn standing_sql(condition: &str) -> String {
    format!(
        "SELECT e.incident_id AS incident_id, e.org_unit_id AS org_unit_id, e.month AS month, \
         e.category AS category, i.kind AS kind, e.basis AS basis \
         FROM cost_entries e JOIN incidents i ON i.id = e.incident_id \
         WHERE e.sign = 1 AND NOT EXISTS (SELECT 1 FROM cost_entries r WHERE r.reverses_id = e.id) \
         AND {condition}"
    )
}

/// Count keys as integers: unit (16 bits, all ones group-wide), grain (2), period (20), dim
/// (16), basis (2).
#[derive(Default)]
struct Packer {
    units: Vec<String>,
    unit_index: HashMap<String, u64>,
    dims: Vec<String>,
    dim_index: HashMap<String, u64>,
}

const GROUP_WIDE: u64 = 0xFFFF;
const BASES: [&str; 3] = ["actual", "estimate", "both"];

fn intern(list: &mut Vec<String>, index: &mut HashMap<String, u64>, s: &str) -> u64 {
    if let Some(i) = index.get(s) {
        return *i;
    }
    list.push(s.to_owned());
    let i = (list.len() - 1) as u64;
    index.insert(s.to_owned(), i);
    i
}

impl Packer {
    fn keys(&mut self, r: &StandingRow, out: &mut Vec<u64>) -> DbResult<()> {
        let month =
            Month::from_key(r.month).ok_or_else(|| corrupt("month", &r.month.to_string()))?;
        let basis = BASES
            .iter()
            .position(|b| *b == r.basis)
            .filter(|b| *b < 2)
            .ok_or_else(|| corrupt("basis", &r.basis))? as u64;
        let unit = intern(&mut self.units, &mut self.unit_index, &r.org_unit_id);
        let dims = [
            intern(
                &mut self.dims,
                &mut self.dim_index,
                &category_dim(&r.category),
            ),
            intern(&mut self.dims, &mut self.dim_index, &kind_dim(&r.kind)),
            intern(
                &mut self.dims,
                &mut self.dim_index,
                crate::domain::cost_period::ALL_DIM,
            ),
        ];
        if unit >= GROUP_WIDE {
            return Err(corrupt("more units than a rebuild counts", &r.org_unit_id));
        }
        for (grain, period) in count_periods(month) {
            let g = Grain::ALL.iter().position(|x| *x == grain).unwrap_or(0) as u64;
            for dim in dims {
                for b in [basis, 2] {
                    let low = (g << 38) | ((period as u64 & 0xF_FFFF) << 18) | (dim << 2) | b;
                    out.push((unit << 40) | low);
                    out.push((GROUP_WIDE << 40) | low);
                }
            }
        }
        Ok(())
    }

    fn unpack(&self, key: u64) -> (Option<String>, CountKey) {
        let unit = key >> 40;
        let grain = Grain::ALL[((key >> 38) & 0b11) as usize];
        let period = ((key >> 18) & 0xF_FFFF) as i32;
        let dim = self
            .dims
            .get(((key >> 2) & 0xFFFF) as usize)
            .cloned()
            .unwrap_or_default();
        let basis = BASES[(key & 0b11) as usize];
        let unit = (unit != GROUP_WIDE)
            .then(|| self.units.get(unit as usize).cloned().unwrap_or_default());
        (
            unit,
            CountKey {
                grain,
                period,
                dim,
                basis,
            },
        )
    }
}

fn corrupt(what: &str, value: &str) -> super::super::DbError {
    super::super::DbError::Task(format!("stored cost entry has {what} {value:?}"))
}

/// What the rollups hold now.
fn stored(conn: &mut AnyConnection) -> DbResult<Changes> {
    let mut ch = Changes::default();
    let rows: Vec<UnitMoneyRow> = load(
        conn,
        "SELECT org_unit_id, month, dim, basis, cost_ore, recovery_ore FROM cost_rollup_unit",
        &[],
    )?;
    for r in rows {
        ch.unit_money.insert(
            (r.org_unit_id, r.month, r.dim, basis_key(&r.basis)),
            (r.cost_ore, r.recovery_ore),
        );
    }
    let rows: Vec<UnitMoneyRow> = load(
        conn,
        "SELECT '' AS org_unit_id, month, dim, basis, cost_ore, recovery_ore FROM cost_rollup_group",
        &[],
    )?;
    for r in rows {
        ch.group_money.insert(
            (r.month, r.dim, basis_key(&r.basis)),
            (r.cost_ore, r.recovery_ore),
        );
    }
    let rows: Vec<CountRow> = load(
        conn,
        "SELECT org_unit_id, grain, period, dim, basis, cases FROM cost_case_counts_unit",
        &[],
    )?;
    for r in rows {
        let key = count_key(&r)?;
        ch.unit_counts.insert((r.org_unit_id, key), r.cases);
    }
    let rows: Vec<CountRow> = load(
        conn,
        "SELECT '' AS org_unit_id, grain, period, dim, basis, cases FROM cost_case_counts_group",
        &[],
    )?;
    for r in rows {
        let key = count_key(&r)?;
        ch.group_counts.insert(key, r.cases);
    }
    ch.prune();
    Ok(ch)
}

fn count_key(r: &CountRow) -> DbResult<CountKey> {
    Ok(CountKey {
        grain: Grain::parse(&r.grain).ok_or_else(|| corrupt("grain", &r.grain))?,
        period: r.period,
        dim: r.dim.clone(),
        basis: basis_key(&r.basis),
    })
}

/// One rollup row that differs from what the entries say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub table: &'static str,
    pub key: String,
    pub stored: String,
    pub expected: String,
}

fn compare<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug + Default>(
    table: &'static str,
    stored: &BTreeMap<K, V>,
    expected: &BTreeMap<K, V>,
    out: &mut Vec<Difference>,
) {
    let keys: BTreeSet<&K> = stored.keys().chain(expected.keys()).collect();
    let zero = V::default();
    for k in keys {
        let (s, e) = (
            stored.get(k).unwrap_or(&zero),
            expected.get(k).unwrap_or(&zero),
        );
        if s != e {
            out.push(Difference {
                table,
                key: format!("{k:?}"),
                stored: format!("{s:?}"),
                expected: format!("{e:?}"),
            });
        }
    }
}

/// How many cost entries there are.
pub fn entry_count(conn: &mut AnyConnection) -> DbResult<i64> {
    use diesel::prelude::*;
    Ok(super::super::schema::cost_entries::table
        .count()
        .get_result(conn)?)
}

/// Recomputes every rollup from the entries and lists where the stored ones differ.
pub fn verify(conn: &mut AnyConnection) -> DbResult<Vec<Difference>> {
    let (s, e) = (stored(conn)?, expected(conn)?);
    let mut out = Vec::new();
    compare("cost_rollup_unit", &s.unit_money, &e.unit_money, &mut out);
    compare(
        "cost_rollup_group",
        &s.group_money,
        &e.group_money,
        &mut out,
    );
    compare(
        "cost_case_counts_unit",
        &s.unit_counts,
        &e.unit_counts,
        &mut out,
    );
    compare(
        "cost_case_counts_group",
        &s.group_counts,
        &e.group_counts,
        &mut out,
    );
    Ok(out)
}

/// Replaces every rollup with what the entries say (after a bulk load, or to repair).
pub fn rebuild(conn: &mut AnyConnection) -> DbResult<()> {
    let ch = expected(conn)?;
    for table in [
        "cost_rollup_unit",
        "cost_rollup_group",
        "cost_case_counts_unit",
        "cost_case_counts_group",
    ] {
        execute(conn, &format!("DELETE FROM {table}"), &[])?;
    }
    let rows = rows_of(&ch);
    let unit_money: Vec<&str> = UNIT_MONEY_KEYS.iter().chain(&MONEY).copied().collect();
    let group_money: Vec<&str> = GROUP_MONEY_KEYS.iter().chain(&MONEY).copied().collect();
    let unit_counts: Vec<&str> = UNIT_COUNT_KEYS.iter().chain(&["cases"]).copied().collect();
    let group_counts: Vec<&str> = GROUP_COUNT_KEYS.iter().chain(&["cases"]).copied().collect();
    insert_rows(conn, "cost_rollup_unit", &unit_money, rows.unit_money)?;
    insert_rows(conn, "cost_rollup_group", &group_money, rows.group_money)?;
    insert_rows(
        conn,
        "cost_case_counts_unit",
        &unit_counts,
        rows.unit_counts,
    )?;
    insert_rows(
        conn,
        "cost_case_counts_group",
        &group_counts,
        rows.group_counts,
    )?;
    Ok(())
}
