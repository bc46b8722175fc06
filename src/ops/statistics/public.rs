//! The open statistics for one year, read from the stored document (no case is read).

use crate::db::{meta, statistics as stats_db, Db, DbError};
use crate::domain::open_stats::OpenStatistics;

use super::refresh::Stored;

#[derive(Debug, thiserror::Error)]
pub enum PublicError {
    /// The first refresh has not run yet (a moment after the first start).
    #[error("the statistics have not been computed yet")]
    NotYet,
    /// The year is not among the published ones.
    #[error("no statistics for that year")]
    UnknownYear(Vec<i32>),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The stored statistics cut to `year` (default: the latest).
pub async fn read(db: &Db, year: Option<i32>) -> Result<Stored, PublicError> {
    let raw = db
        .read(|c| meta::get(c, stats_db::OPEN_STATISTICS))
        .await?
        .ok_or(PublicError::NotYet)?;
    let stored: Stored = serde_json::from_str(&raw)
        .map_err(|e| DbError::Corrupt(format!("open statistics: {e}")))?;
    let years = stored.statistics.years.clone();
    let year = match year {
        None => *years.last().ok_or(PublicError::NotYet)?,
        Some(y) if years.contains(&y) => y,
        Some(_) => return Err(PublicError::UnknownYear(years)),
    };
    Ok(Stored {
        computed_at: stored.computed_at,
        statistics: of_year(stored.statistics, year),
    })
}

fn of_year(s: OpenStatistics, year: i32) -> OpenStatistics {
    OpenStatistics {
        threshold: s.threshold,
        years: s.years,
        units: s.units,
        reports: s.reports.into_iter().filter(|c| c.year == year).collect(),
        handled_within_deadline: s
            .handled_within_deadline
            .into_iter()
            .filter(|c| c.year == year)
            .collect(),
        // A few rows per year: every year, so the page can draw the trend.
        av_reportable: s.av_reportable,
        net_cost: s.net_cost,
    }
}
