//! Recomputes the statistics rollup from the cases and, from it and the cost entries, the open
//! statistics. Run by the worker every `stats_refresh_minutes` (and once at start), never by a
//! request: the public answer is a stored document.
//!
//! Why a refreshed rollup rather than one written in the same transaction as each report: the
//! counts depend on state that several use cases change (acknowledgement, reclassification,
//! a move to another unit, the legal duties), so one recomputation keeps what is counted in
//! one place, and the write touches only the rows that changed. The cost: the figures are as
//! old as the refresh interval, and say when they were computed.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::StatisticsSettings;
use crate::db::{meta, statistics as stats_db, yearly as yearly_db, Db, DbResult};
use crate::domain::calendar::stockholm_date;
use crate::domain::cost_period::Month;
use crate::domain::open_stats::{self, OpenInput, OpenStatistics};
use crate::domain::yearly;

/// When the rollup was last recomputed (RFC 3339).
pub const ROLLUP_AT: &str = "stats_rollup_at";

/// The open statistics as stored, with the time they were computed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stored {
    pub computed_at: DateTime<Utc>,
    pub statistics: OpenStatistics,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub cases: usize,
    pub rows_changed: usize,
}

/// Recomputes the rollup and the open statistics as of `now`.
pub async fn refresh(
    db: &Db,
    settings: &StatisticsSettings,
    now: DateTime<Utc>,
) -> DbResult<Summary> {
    let (stored, cases, previous) = db
        .read(|c| {
            Ok((
                yearly_db::stored_rollup(c)?,
                yearly_db::all_cases(c)?,
                meta::get(c, stats_db::OPEN_STATISTICS)?,
            ))
        })
        .await?;
    let previous: Option<Stored> = previous.and_then(|s| serde_json::from_str(&s).ok());
    // Nothing is written when nothing changed (but the date of the data moves on once a
    // day): a refresh is then only reads, and never in another writer's way.
    let same_day = previous
        .as_ref()
        .is_some_and(|p| stockholm_date(p.computed_at) == stockholm_date(now));
    let wanted = yearly::rollup(&cases, now);
    let stamp = now.to_rfc3339();
    let rows_changed = if stored == wanted && same_day {
        0
    } else {
        db.write(move |c| {
            let n = yearly_db::apply_rollup(c, &stored, &wanted)?;
            meta::set(c, ROLLUP_AT, &stamp, now.naive_utc())?;
            Ok(n)
        })
        .await?
    };
    let threshold = settings.threshold;
    let last_month = Month::of(stockholm_date(now));
    let statistics = db
        .read(move |c| {
            let from =
                Month::new(last_month.year() - open_stats::YEARS + 1, 1).unwrap_or(last_month);
            let Some(root) = yearly_db::group_root(c)? else {
                return Ok(None);
            };
            let (units, of_unit) = stats_db::public_units(c, &root)?;
            let counts = stats_db::top_counts(c, &of_unit, from)?;
            let case_costs = stats_db::case_costs(c, &of_unit, from)?;
            Ok(Some(open_stats::compute(&OpenInput {
                units: &units,
                counts: &counts,
                case_costs: &case_costs,
                last_month,
                threshold,
            })))
        })
        .await?;
    let unchanged = previous
        .as_ref()
        .is_some_and(|p| Some(&p.statistics) == statistics.as_ref());
    if let Some(statistics) = statistics.filter(|_| !(unchanged && same_day)) {
        let json = serde_json::to_string(&Stored {
            computed_at: now,
            statistics,
        })
        .map_err(|e| crate::db::DbError::Corrupt(e.to_string()))?;
        db.write(move |c| meta::set(c, stats_db::OPEN_STATISTICS, &json, now.naive_utc()))
            .await?;
    }
    Ok(Summary {
        cases: cases.len(),
        rows_changed,
    })
}

/// How long after start the first refresh runs.
pub const FIRST_REFRESH: Duration = Duration::from_secs(10);

/// Refreshes a moment after start and then every `settings.refresh`, for as long as the process runs.
pub fn spawn(
    db: Db,
    settings: StatisticsSettings,
    clock: std::sync::Arc<crate::clock::Clock>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // A moment after start, so that the start itself (migrations, demo data, other
        // processes' first writes) is not crowded.
        tokio::time::sleep(FIRST_REFRESH).await;
        loop {
            match refresh(&db, &settings, clock.now()).await {
                Ok(s) => tracing::debug!(
                    cases = s.cases,
                    rows = s.rows_changed,
                    "statistics refreshed"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "statistics refresh failed; trying again later")
                }
            }
            tokio::time::sleep(settings.refresh.max(Duration::from_secs(60))).await;
        }
    })
}
