//! The yearly follow-up of a unit's subtree: coordinators for any unit, managers for their
//! subtrees (the case sections and the costs), finance the cost sections of the units in its
//! cost scope. Everyone else is refused before anything is read.

use chrono::{DateTime, Utc};

use crate::config::StatisticsSettings;
use crate::db::costs::access::{top_units, unit_in, CostScope};
use crate::db::{meta, yearly as yearly_db, AnyConnection, Db, DbError, DbResult};
use crate::domain::yearly::{self, CaseSections, Costs, Input, Period, UnitRef};
use crate::domain::Caller;

use super::refresh::ROLLUP_AT;

#[derive(Debug, Clone)]
pub struct YearlyParams {
    pub period: Period,
    /// Default: the group for coordinators and group-wide finance, else the caller's first
    /// managed (or finance-granted) subtree.
    pub unit: Option<String>,
}

#[derive(Debug, Clone)]
pub struct YearlyAnswer {
    pub period: Period,
    pub unit: UnitRef,
    /// When the rollup behind the reporting figures was computed.
    pub rollup_at: Option<DateTime<Utc>>,
    /// None for callers who see only costs.
    pub cases: Option<CaseSections>,
    /// None for callers who see no costs of the unit.
    pub costs: Option<Costs>,
}

#[derive(Debug, thiserror::Error)]
pub enum YearlyError {
    /// Neither the cases nor the costs of any unit (reporter, skyddsombud, admin).
    #[error("the caller has no follow-up")]
    Nothing,
    #[error("the unit is outside the caller's access")]
    OutsideScope,
    #[error("no such unit")]
    UnknownUnit,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The units whose cases the caller follows up: what they manage.
fn case_scope(caller: &Caller) -> CostScope {
    if caller.roles.safety_coordinator {
        return CostScope::Everything;
    }
    if caller.roles.managed_units.is_empty() {
        return CostScope::Nothing;
    }
    CostScope::Units(caller.roles.managed_units.clone())
}

fn default_unit(
    conn: &mut AnyConnection,
    cases: &CostScope,
    costs: &CostScope,
) -> Result<String, YearlyError> {
    let everything =
        matches!(cases, CostScope::Everything) || matches!(costs, CostScope::Everything);
    if everything {
        return yearly_db::group_root(conn)?.ok_or(YearlyError::UnknownUnit);
    }
    let mut units: Vec<String> = Vec::new();
    for scope in [cases, costs] {
        if let CostScope::Units(u) = scope {
            units.extend(u.iter().cloned());
        }
    }
    units.sort();
    units.dedup();
    top_units(conn, &units)?
        .into_iter()
        .next()
        .ok_or(YearlyError::Nothing)
}

pub async fn yearly(
    db: &Db,
    caller: &Caller,
    params: YearlyParams,
    settings: &StatisticsSettings,
    now: DateTime<Utc>,
) -> Result<YearlyAnswer, YearlyError> {
    let cases_scope = case_scope(caller);
    let costs_scope = CostScope::costs(caller);
    if cases_scope.is_nothing() && costs_scope.is_nothing() {
        return Err(YearlyError::Nothing);
    }
    let caller = caller.clone();
    let large_loss = settings.large_loss_ore;
    db.read(move |c| -> DbResult<Result<YearlyAnswer, YearlyError>> {
        let unit = match params.unit {
            Some(u) => u,
            None => match default_unit(c, &cases_scope, &costs_scope) {
                Ok(u) => u,
                Err(YearlyError::Db(e)) => return Err(e),
                Err(e) => return Ok(Err(e)),
            },
        };
        let Some(tree) = yearly_db::tree(c, &unit)? else {
            return Ok(Err(YearlyError::UnknownUnit));
        };
        let see_cases = unit_in(c, &unit, &cases_scope)?;
        let see_costs = unit_in(c, &unit, &costs_scope)?;
        if !see_cases && !see_costs {
            return Ok(Err(YearlyError::OutsideScope));
        }
        let period = params.period;
        let (cases, actions, rollup) = if see_cases {
            (
                yearly_db::cases(c, &caller, &unit, period)?,
                yearly_db::actions(c, &caller, &unit, period)?,
                yearly_db::rollup(c, &cases_scope, &unit, period)?,
            )
        } else {
            Default::default()
        };
        let costs = if see_costs {
            yearly_db::costs(c, &costs_scope, &unit, period)?
        } else {
            Vec::new()
        };
        let rollup_at = meta::get(c, ROLLUP_AT)?
            .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|t| t.with_timezone(&Utc));
        let input = Input {
            period,
            tree: &tree,
            cases: &cases,
            actions: &actions,
            rollup: &rollup,
            costs: &costs,
            large_loss_ore: large_loss,
            now,
        };
        Ok(Ok(YearlyAnswer {
            period,
            unit: tree.root.clone(),
            rollup_at,
            cases: see_cases.then(|| yearly::case_sections(&input)),
            costs: see_costs.then(|| yearly::costs(&input)),
        }))
    })
    .await?
}
