//! Mark a unit's manager away (or back); while away, the deputy receives the unit's reports.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::db::{org_units, routing as routing_db, AnyConnection, DbError};
use crate::ops::Ctx;

/// Sets the absence (`None` ends it); `false` when there is no such unit.
pub async fn set_manager_absence(
    ctx: &Ctx,
    unit_id: Uuid,
    period: Option<(NaiveDate, NaiveDate)>,
) -> Result<bool, DbError> {
    let now = ctx.now.naive_utc();
    ctx.db
        .transaction(move |c: &mut AnyConnection| {
            if org_units::find(c, &unit_id)?.is_none() {
                return Ok(false);
            }
            routing_db::set_absence(c, &unit_id.to_string(), period, now)?;
            Ok(true)
        })
        .await
}
