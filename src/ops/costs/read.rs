//! The questions asked of the money: one case's costs, the trends, the cases with costs and
//! the pending claims. Each resolves the caller's scope first (in SQL, on the org closure)
//! and reads through it.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::db::costs::access::{
    children, parent_of, roots, scope_units, top_units, unit_in, unit_ref, UnitRef,
};
use crate::db::costs::entries::{self, Claim};
use crate::db::costs::lists::{self, CasesQuery, ClaimsQuery, CostView};
use crate::db::costs::trends::{self, TrendScope};
use crate::db::costs::{case_access, CostAccess, CostScope};
use crate::db::{org_units as units_db, AnyConnection, Db, DbError};
use crate::domain::cost::{BasisFilter, CaseTotals, ClaimState, CostCategories, CostEntry, Totals};
use crate::domain::cost_period::{GroupBy, Month};
use crate::domain::cost_trend::{self, Trend, TrendQuery};
use crate::domain::Caller;
use crate::domain::IncidentKind;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("no such case in the caller's scope")]
    Hidden,
    /// The caller may read the case but not its money.
    #[error("the caller may not see these costs")]
    CaseOnly,
    /// The caller sees no money at all (employee, skyddsombud, admin).
    #[error("the caller has no rights to costs")]
    NoCosts,
    /// A unit outside the caller's units.
    #[error("the unit is outside the caller's scope")]
    UnitOutsideScope,
    #[error("no such unit")]
    UnknownUnit,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// One case's money as its page shows it.
pub struct CaseCosts {
    pub view: CostView,
    /// Oldest first, reversals and moves included: the history of the money.
    pub entries: Vec<CostEntry>,
    /// For each entry: the entry that reverses it.
    pub reversed_by: BTreeMap<String, String>,
    pub totals: CaseTotals,
    pub claim: Option<Claim>,
    pub can_set_claim: bool,
    /// Names of the units the entries count for.
    pub unit_names: BTreeMap<String, String>,
}

pub async fn case_costs(
    db: &Db,
    caller: &Caller,
    incident_id: &str,
) -> Result<CaseCosts, ReadError> {
    let (who, id) = (caller.clone(), incident_id.to_owned());
    db.read(move |conn| Ok(load_case(conn, &who, &id))).await?
}

fn load_case(conn: &mut AnyConnection, who: &Caller, id: &str) -> Result<CaseCosts, ReadError> {
    let can_set_claim = match case_access(conn, who, id)? {
        CostAccess::Hidden => return Err(ReadError::Hidden),
        CostAccess::CaseOnly => return Err(ReadError::CaseOnly),
        CostAccess::Costs { claims } => claims,
    };
    let view = lists::view(conn, id)?.ok_or(ReadError::Hidden)?;
    let entries = entries::for_case(conn, id)?;
    let reversed_by = entries
        .iter()
        .filter_map(|e| Some((e.reverses_id.clone()?, e.id.clone())))
        .collect();
    let mut units: Vec<String> = entries.iter().map(|e| e.org_unit_id.clone()).collect();
    units.sort();
    units.dedup();
    Ok(CaseCosts {
        totals: CaseTotals::of(&entries),
        claim: entries::claim(conn, id)?,
        unit_names: units_db::names(conn, &units)?.into_iter().collect(),
        view,
        entries,
        reversed_by,
        can_set_claim,
    })
}

/// Where trend answers come from: the rollups (the API), or the plain aggregation over the
/// entries (the reference the tests and the benchmark compare with).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Rollups,
    Plain,
}

/// A trend question as the API takes it.
#[derive(Debug, Clone)]
pub struct TrendParams {
    pub query: TrendQuery,
    /// A unit: it and its subtree. `None`: everything the caller may see.
    pub unit: Option<String>,
}

pub struct TrendAnswer {
    pub trend: Trend,
    /// The unit asked about (or, for `group_by=unit` without one, the unit drilled into).
    pub unit: Option<UnitRef>,
    /// The unit above it, for a breadcrumb back up (when the caller may see it).
    pub parent: Option<UnitRef>,
    /// Names of the groups of `group_by=unit`; with `own`, the unit whose own cases are one.
    pub unit_names: BTreeMap<String, String>,
    pub own: Option<String>,
}

pub async fn trends(
    db: &Db,
    caller: &Caller,
    params: TrendParams,
    categories: &CostCategories,
    source: Source,
) -> Result<TrendAnswer, ReadError> {
    let who = caller.clone();
    let order: Vec<String> = match params.query.group_by {
        GroupBy::Category => categories.all().iter().map(|c| c.code.clone()).collect(),
        GroupBy::Kind => IncidentKind::ALL
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect(),
        _ => Vec::new(),
    };
    db.read(move |conn| Ok(answer(conn, &who, &params, order, source)))
        .await?
}

/// The scope of a trend or list: the caller's rights narrowed to `unit`'s subtree.
fn narrowed(
    conn: &mut AnyConnection,
    who: &Caller,
    unit: Option<&str>,
) -> Result<(CostScope, Option<Vec<String>>), ReadError> {
    let scope = CostScope::costs(who);
    if scope.is_nothing() {
        return Err(ReadError::NoCosts);
    }
    let Some(unit) = unit else {
        let units = scope_units(conn, &scope)?;
        return Ok((scope, units));
    };
    if unit_ref(conn, unit)?.is_none() {
        return Err(ReadError::UnknownUnit);
    }
    if !unit_in(conn, unit, &scope)? {
        return Err(ReadError::UnitOutsideScope);
    }
    let subtree = CostScope::Units(vec![unit.to_owned()]);
    Ok((subtree.clone(), scope_units(conn, &subtree)?))
}

fn answer(
    conn: &mut AnyConnection,
    who: &Caller,
    params: &TrendParams,
    mut order: Vec<String>,
    source: Source,
) -> Result<TrendAnswer, ReadError> {
    let (scope, units) = narrowed(conn, who, params.unit.as_deref())?;
    let mut drill = params.unit.clone();
    let mut groups = Vec::new();
    let mut own = None;
    if params.query.group_by == GroupBy::Unit {
        // Without a unit, drill into the caller's one top unit (the group's root for those
        // who see everything); with several, they are the groups.
        let tops = match &scope {
            CostScope::Units(list) => top_units(conn, list)?,
            _ => roots(conn)?,
        };
        if drill.is_none() && tops.len() == 1 {
            drill = tops.first().cloned();
        }
        match &drill {
            Some(unit) => {
                groups = children(conn, unit)?;
                own = Some(unit.clone());
            }
            None => groups = tops,
        }
    }
    let scope = TrendScope {
        units,
        groups: groups.clone(),
        own: own.clone(),
    };
    let range = params.query.range;
    let cells = |conn: &mut AnyConnection, range| match source {
        Source::Rollups => trends::rollup_cells(conn, &params.query, range, &scope),
        Source::Plain => trends::plain_cells(conn, &params.query, range, &scope),
    };
    let current = cells(conn, range)?;
    let previous = cells(conn, range.year_earlier())?;
    let mut ids = groups;
    ids.extend(own.clone());
    let unit_names: BTreeMap<String, String> = units_db::names(conn, &ids)?.into_iter().collect();
    if params.query.group_by == GroupBy::Unit {
        // By name, the unit's own cases last.
        let mut named: Vec<(&String, &String)> = unit_names
            .iter()
            .filter(|(id, _)| Some(*id) != own.as_ref())
            .collect();
        named.sort_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(b.0)));
        order = named.into_iter().map(|(id, _)| id.clone()).collect();
        order.extend(own.clone());
    }
    let trend = cost_trend::assemble(params.query, &current, &previous, &order);
    let unit = drill
        .as_deref()
        .map(|u| unit_ref(conn, u))
        .transpose()?
        .flatten();
    let parent = match &unit {
        Some(u) => match parent_of(conn, &u.id)? {
            Some(p) if unit_in(conn, &p, &CostScope::costs(who))? => unit_ref(conn, &p)?,
            _ => None,
        },
        None => None,
    };
    Ok(TrendAnswer {
        trend,
        unit,
        parent,
        unit_names,
        own,
    })
}

/// The cases list's question.
#[derive(Debug, Clone)]
pub struct CasesParams {
    pub from: Month,
    pub to: Month,
    pub basis: BasisFilter,
    pub unit: Option<String>,
    pub after: Option<(i64, String)>,
    pub limit: i64,
}

pub struct CaseItem {
    pub view: CostView,
    pub totals: Totals,
    pub claim_state: ClaimState,
}

fn cases_query(
    conn: &mut AnyConnection,
    who: &Caller,
    p: &CasesParams,
) -> Result<CasesQuery, ReadError> {
    let (_, units) = narrowed(conn, who, p.unit.as_deref())?;
    Ok(CasesQuery {
        from: p.from,
        to: p.to,
        basis: p.basis,
        units,
        after: p.after.clone(),
        limit: p.limit,
    })
}

/// One page of cases with costs, largest net first (`limit` + 1 rows tell of a next page).
pub async fn cost_cases(
    db: &Db,
    caller: &Caller,
    params: CasesParams,
) -> Result<Vec<CaseItem>, ReadError> {
    let who = caller.clone();
    db.read(move |conn| Ok(load_cases(conn, &who, &params)))
        .await?
}

fn load_cases(
    conn: &mut AnyConnection,
    who: &Caller,
    p: &CasesParams,
) -> Result<Vec<CaseItem>, ReadError> {
    let q = cases_query(conn, who, p)?;
    let rows = lists::cases(conn, &q)?;
    let ids: Vec<String> = rows.iter().map(|(id, _)| id.clone()).collect();
    let mut views = lists::views(conn, &ids)?;
    let states = lists::claim_states(conn, &ids)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, totals)| {
            Some(CaseItem {
                claim_state: states.get(&id).copied().unwrap_or(ClaimState::None),
                view: views.remove(&id)?,
                totals,
            })
        })
        .collect())
}

/// How many cases the list has in all (checked before an export is built).
pub async fn count_cost_cases(
    db: &Db,
    caller: &Caller,
    params: CasesParams,
) -> Result<i64, ReadError> {
    let who = caller.clone();
    db.read(move |conn| {
        Ok(cases_query(conn, &who, &params).and_then(|q| Ok(lists::count_cases(conn, &q)?)))
    })
    .await?
}

/// The claims list's question.
#[derive(Debug, Clone)]
pub struct ClaimsParams {
    pub states: Vec<ClaimState>,
    pub unit: Option<String>,
    pub after: Option<(NaiveDateTime, String)>,
    pub limit: i64,
}

pub struct ClaimItem {
    pub view: CostView,
    pub claim: Claim,
    /// Actual recoveries booked on the case so far.
    pub recovered: crate::domain::money::Ore,
}

/// Claims in the asked states, in the caller's claim scope, the longest waiting first.
pub async fn claims(
    db: &Db,
    caller: &Caller,
    params: ClaimsParams,
) -> Result<Vec<ClaimItem>, ReadError> {
    let who = caller.clone();
    db.read(move |conn| Ok(load_claims(conn, &who, &params)))
        .await?
}

fn load_claims(
    conn: &mut AnyConnection,
    who: &Caller,
    p: &ClaimsParams,
) -> Result<Vec<ClaimItem>, ReadError> {
    // Managers see their cases' claims on the case page; the list is finance's.
    let scope = CostScope::claims(who);
    if scope.is_nothing() {
        return Err(ReadError::NoCosts);
    }
    let units = match p.unit.as_deref() {
        None => scope_units(conn, &scope)?,
        Some(unit) => {
            if unit_ref(conn, unit)?.is_none() {
                return Err(ReadError::UnknownUnit);
            }
            if !unit_in(conn, unit, &scope)? {
                return Err(ReadError::UnitOutsideScope);
            }
            scope_units(conn, &CostScope::Units(vec![unit.to_owned()]))?
        }
    };
    let rows = lists::claims(
        conn,
        &ClaimsQuery {
            states: p.states.clone(),
            units,
            after: p.after.clone(),
            limit: p.limit,
        },
    )?;
    let ids: Vec<String> = rows.iter().map(|(id, _)| id.clone()).collect();
    let mut views = lists::views(conn, &ids)?;
    let recovered = lists::recovered(conn, &ids)?;
    let mut out = Vec::new();
    for (id, row) in rows {
        let state = row.state;
        let Some(view) = views.remove(&id) else {
            continue;
        };
        out.push(ClaimItem {
            recovered: recovered.get(&id).copied().unwrap_or_default(),
            view,
            claim: Claim { row, state },
        });
    }
    Ok(out)
}
