//! A case's history: appended through [`append`], read through [`list`]. Entries are never
//! updated or deleted.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use uuid::Uuid;

use super::schema::incident_events;
use super::{AnyConnection, DbResult};
use crate::domain::case_event::{CaseEvent, EventKind};

/// Appends `event` to the history of case `incident_id`; answers the new entry's id.
pub fn append(
    conn: &mut AnyConnection,
    incident_id: &str,
    at: NaiveDateTime,
    actor: Option<&str>,
    event: &CaseEvent,
) -> DbResult<String> {
    let id = Uuid::now_v7().to_string();
    diesel::insert_into(incident_events::table)
        .values((
            incident_events::id.eq(&id),
            incident_events::incident_id.eq(incident_id),
            incident_events::at.eq(at),
            incident_events::actor.eq(actor),
            incident_events::kind.eq(event.kind().as_str()),
            incident_events::public.eq(event.public()),
            incident_events::data.eq(event.data().to_string()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// One entry as stored.
#[derive(Debug, Clone)]
pub struct RecordedEvent {
    pub id: String,
    pub at: NaiveDateTime,
    /// A user's e-mail, `reporter`, or `None` for the system.
    pub actor: Option<String>,
    pub kind: EventKind,
    pub public: bool,
    pub data: serde_json::Value,
}

/// Which entries to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    All,
    /// What the tracking page shows.
    Public,
}

/// A case's history, oldest first.
pub fn list(
    conn: &mut AnyConnection,
    incident_id: &str,
    part: Part,
) -> DbResult<Vec<RecordedEvent>> {
    let mut query = incident_events::table
        .filter(incident_events::incident_id.eq(incident_id))
        .select((
            incident_events::id,
            incident_events::at,
            incident_events::actor,
            incident_events::kind,
            incident_events::public,
            incident_events::data,
        ))
        .into_boxed();
    if part == Part::Public {
        query = query.filter(incident_events::public.eq(true));
    }
    let rows: Vec<(
        String,
        NaiveDateTime,
        Option<String>,
        EventKind,
        bool,
        String,
    )> = query
        .order((incident_events::at.asc(), incident_events::id.asc()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, at, actor, kind, public, data)| RecordedEvent {
            id,
            at,
            actor,
            kind,
            public,
            // Written by `append` from a value; should a row be unreadable anyway, its
            // entry still shows (as `null`) rather than hiding the whole history.
            data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
        })
        .collect())
}
