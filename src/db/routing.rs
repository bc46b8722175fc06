//! What routing reads (a unit's line up to the root, absences) and what it records (the
//! deadlines of each case, and which reminder or escalation step has been taken).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{incident_routing, incidents, org_absences, org_closure, org_units};
use super::{AnyConnection, DbResult};
use crate::domain::routing::{Person, UnitContacts};

type UnitTuple = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The unit and its ancestors, the unit first and the root last, with absences.
pub fn chain(conn: &mut AnyConnection, unit_id: &str) -> DbResult<Vec<UnitContacts>> {
    let rows: Vec<UnitTuple> = org_closure::table
        .inner_join(org_units::table.on(org_units::id.eq(org_closure::ancestor_id)))
        .filter(org_closure::descendant_id.eq(unit_id))
        .order(org_closure::depth.asc())
        .select((
            org_units::id,
            org_units::name,
            org_units::manager_name,
            org_units::manager_email,
            org_units::deputy_name,
            org_units::deputy_email,
            org_units::safety_rep_email,
        ))
        .load(conn)?;
    let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
    let absences: Vec<(String, String, String)> = org_absences::table
        .filter(org_absences::org_unit_id.eq_any(ids))
        .select((
            org_absences::org_unit_id,
            org_absences::away_from,
            org_absences::away_until,
        ))
        .load(conn)?;
    let person =
        |name: Option<String>, email: Option<String>| email.map(|email| Person { name, email });
    Ok(rows
        .into_iter()
        .map(|(id, name, mn, me, dn, de, rep)| {
            let manager_away =
                absences
                    .iter()
                    .find(|(unit, _, _)| *unit == id)
                    .and_then(|(_, from, until)| {
                        let from = NaiveDate::parse_from_str(from, "%Y-%m-%d").ok()?;
                        let until = NaiveDate::parse_from_str(until, "%Y-%m-%d").ok()?;
                        Some((from, until))
                    });
            UnitContacts {
                id,
                name,
                manager: person(mn, me),
                deputy: person(dn, de),
                manager_away,
                safety_rep_email: rep,
            }
        })
        .collect())
}

/// Sets (or with `None` clears) a unit manager's absence.
pub fn set_absence(
    conn: &mut AnyConnection,
    unit_id: &str,
    period: Option<(NaiveDate, NaiveDate)>,
    now: NaiveDateTime,
) -> DbResult<()> {
    // Delete and insert: MultiConnection has no upsert.
    diesel::delete(org_absences::table.filter(org_absences::org_unit_id.eq(unit_id)))
        .execute(conn)?;
    if let Some((from, until)) = period {
        diesel::insert_into(org_absences::table)
            .values((
                org_absences::org_unit_id.eq(unit_id),
                org_absences::away_from.eq(from.format("%Y-%m-%d").to_string()),
                org_absences::away_until.eq(until.format("%Y-%m-%d").to_string()),
                org_absences::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn absence(conn: &mut AnyConnection, unit_id: &str) -> DbResult<Option<(String, String)>> {
    Ok(org_absences::table
        .filter(org_absences::org_unit_id.eq(unit_id))
        .select((org_absences::away_from, org_absences::away_until))
        .first(conn)
        .optional()?)
}

/// A case's routing record.
pub struct NewRouting<'a> {
    pub incident_id: &'a str,
    /// The responsible addresses, comma-separated.
    pub responsible: String,
    pub responsible_unit_id: Option<String>,
    pub serious: bool,
    pub remind_at: NaiveDateTime,
    pub escalate_at: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, r: &NewRouting<'_>) -> DbResult<()> {
    diesel::insert_into(incident_routing::table)
        .values((
            incident_routing::incident_id.eq(r.incident_id),
            incident_routing::responsible.eq(&r.responsible),
            incident_routing::responsible_unit_id.eq(&r.responsible_unit_id),
            incident_routing::serious.eq(r.serious),
            incident_routing::remind_at.eq(r.remind_at),
            incident_routing::escalate_at.eq(r.escalate_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// A case whose reminder or escalation is due.
#[derive(Debug, Clone, Queryable)]
pub struct DueCase {
    pub incident_id: String,
    pub responsible: String,
    pub responsible_unit_id: Option<String>,
    pub serious: bool,
    pub remind_at: NaiveDateTime,
    pub escalate_at: NaiveDateTime,
    pub reminded_at: Option<NaiveDateTime>,
    pub escalated_at: Option<NaiveDateTime>,
}

/// Unacknowledged new cases with a step due at `now`.
pub fn due(conn: &mut AnyConnection, now: NaiveDateTime, limit: i64) -> DbResult<Vec<DueCase>> {
    Ok(incident_routing::table
        .inner_join(incidents::table)
        .filter(incident_routing::acknowledged_at.is_null())
        .filter(incidents::status.eq(crate::domain::IncidentStatus::New.as_str()))
        .filter(
            incident_routing::reminded_at
                .is_null()
                .and(incident_routing::remind_at.le(now))
                .or(incident_routing::escalated_at
                    .is_null()
                    .and(incident_routing::escalate_at.le(now))),
        )
        .order(incident_routing::remind_at.asc())
        .limit(limit)
        .select((
            incident_routing::incident_id,
            incident_routing::responsible,
            incident_routing::responsible_unit_id,
            incident_routing::serious,
            incident_routing::remind_at,
            incident_routing::escalate_at,
            incident_routing::reminded_at,
            incident_routing::escalated_at,
        ))
        .load(conn)?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Reminder,
    Escalation,
}

/// Takes a step for this instance: `true` if it was not taken before. Run in the transaction
/// that writes the step's mail and event; a concurrent instance's update waits for this one
/// and then finds the column set, so each step happens once.
pub fn claim_step(
    conn: &mut AnyConnection,
    incident_id: &str,
    step: Step,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let target = incident_routing::table
        .filter(incident_routing::incident_id.eq(incident_id))
        .filter(incident_routing::acknowledged_at.is_null());
    let n = match step {
        Step::Reminder => diesel::update(target.filter(incident_routing::reminded_at.is_null()))
            .set(incident_routing::reminded_at.eq(Some(now)))
            .execute(conn)?,
        Step::Escalation => diesel::update(target.filter(incident_routing::escalated_at.is_null()))
            .set(incident_routing::escalated_at.eq(Some(now)))
            .execute(conn)?,
    };
    Ok(n == 1)
}

/// Marks the case's routing acknowledged; `false` if it already was (or has no routing).
pub fn acknowledge(
    conn: &mut AnyConnection,
    incident_id: &str,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let n = diesel::update(
        incident_routing::table
            .filter(incident_routing::incident_id.eq(incident_id))
            .filter(incident_routing::acknowledged_at.is_null()),
    )
    .set(incident_routing::acknowledged_at.eq(Some(now)))
    .execute(conn)?;
    Ok(n == 1)
}
