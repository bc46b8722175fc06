//! Row counts for operators (`tillbud stats`): a quick look at what a database holds.

use diesel::prelude::*;
use serde::Serialize;

use super::schema::{attachments, incidents, org_units};
use super::{AnyConnection, DbResult};

#[derive(Debug, Serialize)]
pub struct Counts {
    pub org_units: i64,
    pub incidents: i64,
    pub open_incidents: i64,
    pub attachments: i64,
}

pub fn counts(conn: &mut AnyConnection) -> DbResult<Counts> {
    let open: Vec<&str> = crate::domain::IncidentStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect();
    Ok(Counts {
        org_units: org_units::table.count().get_result(conn)?,
        incidents: incidents::table.count().get_result(conn)?,
        open_incidents: incidents::table
            .filter(incidents::status.eq_any(&open))
            .count()
            .get_result(conn)?,
        attachments: attachments::table.count().get_result(conn)?,
    })
}
