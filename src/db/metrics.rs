//! What the metrics read from the database at scrape time.

use chrono::NaiveDateTime;

use super::cases::{self, DutyFilter};
use super::{outbox, AnyConnection, DbResult};
use crate::metrics::Snapshot;

/// Outbox rows by shown state, the oldest unsent mail, open legal duties. The pool figures
/// are filled in by the caller (`Db::pool_figures`).
pub fn snapshot(conn: &mut AnyConnection, now: NaiveDateTime) -> DbResult<Snapshot> {
    let oldest = outbox::oldest_unsent(conn)?;
    Ok(Snapshot {
        outbox: outbox::shown_counts(conn, now)?,
        oldest_unsent_secs: oldest.map_or(0.0, |t| (now - t).num_milliseconds() as f64 / 1e3),
        duties_due: cases::count_with_duty(conn, DutyFilter::Due, now)?,
        duties_overdue: cases::count_with_duty(conn, DutyFilter::Overdue, now)?,
        pool: Default::default(),
    })
}
