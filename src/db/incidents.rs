//! Incidents, their consequence areas and their history.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use uuid::Uuid;

use super::events::{self, Part, RecordedEvent};
use super::schema::{incident_consequences, incidents, org_units};
use super::{AnyConnection, DbResult};
use crate::domain::case_event::CaseEvent;
use crate::domain::{Consequence, IncidentKind, IncidentStatus, NewIncident, TrackingCode};

/// Inserts a new incident with its consequence areas and its first history event.
/// Call inside the transaction that also records everything the report causes.
pub fn insert_new(
    conn: &mut AnyConnection,
    id: &Uuid,
    tracking_code: &TrackingCode,
    incident: &NewIncident,
    now: NaiveDateTime,
) -> DbResult<()> {
    let id = id.to_string();
    let text = |t: &Option<crate::domain::CleanText>| t.as_ref().map(|t| t.as_str().to_owned());
    let reporter = incident.reporter.as_ref();
    diesel::insert_into(incidents::table)
        .values((
            incidents::id.eq(&id),
            incidents::tracking_code.eq(tracking_code.as_str()),
            incidents::kind.eq(incident.kind.as_str()),
            incidents::status.eq(crate::domain::IncidentStatus::New.as_str()),
            incidents::org_unit_id.eq(incident.org_unit_id.to_string()),
            incidents::occurred_at.eq(incident.occurred_at.naive_utc()),
            incidents::title.eq(incident.title.as_str()),
            incidents::description.eq(incident.description.as_str()),
            incidents::location.eq(text(&incident.location)),
            incidents::latitude.eq(incident.coordinates.map(|c| c.latitude)),
            incidents::longitude.eq(incident.coordinates.map(|c| c.longitude)),
            incidents::immediate_action.eq(text(&incident.immediate_action)),
            incidents::anonymous.eq(reporter.is_none()),
            incidents::reporter_name.eq(reporter.and_then(|r| text(&r.name))),
            incidents::reporter_email
                .eq(reporter.and_then(|r| r.email.as_ref().map(|e| e.as_str().to_owned()))),
            incidents::reporter_phone
                .eq(reporter.and_then(|r| r.phone.as_ref().map(|p| p.as_str().to_owned()))),
            incidents::created_at.eq(now),
            incidents::updated_at.eq(now),
            incidents::version.eq(1i64),
        ))
        .execute(conn)?;
    for consequence in &incident.consequences {
        diesel::insert_into(incident_consequences::table)
            .values((
                incident_consequences::incident_id.eq(&id),
                incident_consequences::consequence.eq(consequence.as_str()),
            ))
            .execute(conn)?;
    }
    events::append(conn, &id, now, None, &CaseEvent::Created)?;
    Ok(())
}

/// What the reporter may see of a case, found by its tracking code.
#[derive(Debug, Clone, Queryable)]
pub struct PublicCase {
    pub id: String,
    pub kind: IncidentKind,
    pub title: String,
    pub status: IncidentStatus,
    pub created_at: NaiveDateTime,
    pub org_unit_name: String,
}

pub fn find_public(
    conn: &mut AnyConnection,
    tracking_code: &TrackingCode,
) -> DbResult<Option<(PublicCase, Vec<RecordedEvent>)>> {
    let case: Option<PublicCase> = incidents::table
        .inner_join(org_units::table)
        .filter(incidents::tracking_code.eq(tracking_code.as_str()))
        .select((
            incidents::id,
            incidents::kind,
            incidents::title,
            incidents::status,
            incidents::created_at,
            org_units::name,
        ))
        .first(conn)
        .optional()?;
    let Some(case) = case else {
        return Ok(None);
    };
    let events = events::list(conn, &case.id, Part::Public)?;
    Ok(Some((case, events)))
}

pub fn count(conn: &mut AnyConnection) -> DbResult<i64> {
    Ok(incidents::table.count().get_result(conn)?)
}

/// The id and status of the case with this tracking code.
pub fn find_by_tracking_code(
    conn: &mut AnyConnection,
    tracking_code: &TrackingCode,
) -> DbResult<Option<(String, IncidentStatus)>> {
    Ok(incidents::table
        .filter(incidents::tracking_code.eq(tracking_code.as_str()))
        .select((incidents::id, incidents::status))
        .first(conn)
        .optional()?)
}

/// What a mail about a case may say: no description, no reporter, no health details.
#[derive(Debug, Clone)]
pub struct CaseFacts {
    pub id: String,
    pub kind: IncidentKind,
    pub status: IncidentStatus,
    pub title: String,
    pub org_unit_id: String,
    pub org_unit_name: String,
    pub occurred_at: NaiveDateTime,
    pub consequences: Vec<Consequence>,
}

pub fn case_facts(conn: &mut AnyConnection, id: &str) -> DbResult<Option<CaseFacts>> {
    let row: Option<(
        String,
        IncidentKind,
        IncidentStatus,
        String,
        String,
        String,
        NaiveDateTime,
    )> = incidents::table
        .inner_join(org_units::table)
        .filter(incidents::id.eq(id))
        .select((
            incidents::id,
            incidents::kind,
            incidents::status,
            incidents::title,
            incidents::org_unit_id,
            org_units::name,
            incidents::occurred_at,
        ))
        .first(conn)
        .optional()?;
    let Some((id, kind, status, title, org_unit_id, org_unit_name, occurred_at)) = row else {
        return Ok(None);
    };
    let consequences = incident_consequences::table
        .filter(incident_consequences::incident_id.eq(&id))
        .order(incident_consequences::consequence.asc())
        .select(incident_consequences::consequence)
        .load(conn)?;
    Ok(Some(CaseFacts {
        id,
        kind,
        status,
        title,
        org_unit_id,
        org_unit_name,
        occurred_at,
        consequences,
    }))
}

/// Moves a new case to `acknowledged`; `false` if it was not new any more.
pub fn acknowledge(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> DbResult<bool> {
    use crate::domain::IncidentStatus;
    let n = diesel::update(
        incidents::table
            .filter(incidents::id.eq(id))
            .filter(incidents::status.eq(IncidentStatus::New.as_str())),
    )
    .set((
        incidents::status.eq(IncidentStatus::Acknowledged.as_str()),
        incidents::updated_at.eq(now),
        incidents::version.eq(incidents::version + 1),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
