//! Facts about the database itself (`app_meta`), such as whether demo mode seeded it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{app_meta, incidents, org_units, users};
use super::{AnyConnection, DbResult};

/// Set when demo mode seeded an empty database; demo logins exist only where it is.
pub const DEMO_SEEDED: &str = "demo_seeded";

pub fn get(conn: &mut AnyConnection, name: &str) -> DbResult<Option<String>> {
    Ok(app_meta::table
        .find(name)
        .select(app_meta::value)
        .first(conn)
        .optional()?)
}

/// Sets a fact. Delete then insert, as `ON CONFLICT` does not compile for both backends;
/// call inside a write transaction.
pub fn set(conn: &mut AnyConnection, name: &str, value: &str, now: NaiveDateTime) -> DbResult<()> {
    diesel::delete(app_meta::table.find(name)).execute(conn)?;
    diesel::insert_into(app_meta::table)
        .values((
            app_meta::name.eq(name),
            app_meta::value.eq(value),
            app_meta::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn is_demo(conn: &mut AnyConnection) -> DbResult<bool> {
    Ok(get(conn, DEMO_SEEDED)?.as_deref() == Some("true"))
}

/// What the database holds that demo mode must not build on: (units, reports, users).
pub fn data_counts(conn: &mut AnyConnection) -> DbResult<(i64, i64, i64)> {
    Ok((
        org_units::table.count().get_result(conn)?,
        incidents::table.count().get_result(conn)?,
        users::table.count().get_result(conn)?,
    ))
}
