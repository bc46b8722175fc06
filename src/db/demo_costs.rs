//! SQL that only the demo data needs: unit ids by code, and historical cases marked handled
//! (closed, their duty to Försäkringskassan reported) so they raise no reminders.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{incidents, org_units};
use super::{AnyConnection, DbResult};

pub fn unit_ids(conn: &mut AnyConnection) -> DbResult<BTreeMap<String, String>> {
    let rows: Vec<(String, String)> = org_units::table
        .select((org_units::code, org_units::id))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Marks a demo case as handled up to `status` at `at`: rated, any duty to
/// Försäkringskassan reported.
pub fn mark_handled(
    conn: &mut AnyConnection,
    id: &str,
    status: crate::domain::IncidentStatus,
    at: NaiveDateTime,
) -> DbResult<()> {
    diesel::update(incidents::table.find(id))
        .set((
            incidents::status.eq(status.as_str()),
            incidents::risk_likelihood.eq(Some(2)),
            incidents::risk_consequence.eq(Some(2)),
            incidents::risk_level.eq(Some("medium")),
            incidents::av_confirmed.eq(Some(false)),
            incidents::fk_confirmed.eq(Some(true)),
            incidents::fk_reported_at.eq(Some(at)),
            incidents::fk_reference.eq(Some("FK-demo")),
            incidents::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}
