//! Acknowledge a case — from the link in its mail or as the workflow step `new →
//! acknowledged` on the staff page (`transition`). Both end in [`record`]: reminders and
//! escalation stop, and the same public `acknowledged` history event is written, saying
//! which way it came (`via`).

use uuid::Uuid;

use crate::db::cases::{self, CaseRow};
use crate::db::{
    events, incidents, outbox, routing as routing_db, AnyConnection, DbError, DbResult,
};
use crate::domain::case_event::{CaseEvent, StatusChange, StatusState};
use crate::domain::IncidentStatus;
use crate::ops::Ctx;

/// What the link came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acknowledged {
    Now,
    /// Someone (or this link) acknowledged it before.
    Already,
    /// The case named by the link does not exist.
    Unknown,
}

/// Which way an acknowledgement came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckVia {
    /// The one-click link in a mail.
    MailLink,
    /// The workflow step on the staff page or through the API.
    Api,
}

impl AckVia {
    fn as_str(self) -> &'static str {
        match self {
            AckVia::MailLink => "mail_link",
            AckVia::Api => "api",
        }
    }
}

/// One acknowledgement of `before` (the case as it was read in this transaction).
pub struct Ack<'a> {
    pub before: &'a CaseRow,
    pub by: Option<&'a str>,
    pub via: AckVia,
    /// Whether the status just moved `new → acknowledged` in this transaction.
    pub moved: bool,
    /// The status reason given with the step (the mail link gives none).
    pub reason: Option<String>,
}

/// Stops the case's reminders and escalation and writes its `acknowledged` event. Writes
/// nothing and answers `false` when neither the status nor the deadlines changed now (it was
/// acknowledged before).
pub fn record(
    conn: &mut AnyConnection,
    now: chrono::NaiveDateTime,
    ack: Ack<'_>,
) -> DbResult<bool> {
    let id = ack.before.id.as_str();
    let stopped = routing_db::acknowledge(conn, id, now)?;
    if !stopped && !ack.moved {
        return Ok(false);
    }
    // From `new` on the page; from the link possibly a status someone set since (the
    // deadlines were still running).
    let before = StatusState {
        status: ack.before.status,
        status_reason: ack.before.status_reason.clone(),
        duplicate_of: ack.before.duplicate_of.clone(),
    };
    let to = IncidentStatus::Acknowledged;
    let change = StatusChange::new(ack.via.as_str(), before, to, ack.reason, None);
    events::append(conn, id, now, ack.by, &CaseEvent::Acknowledged(change))?;
    Ok(true)
}

/// Acknowledges on behalf of the mail's recipient.
pub async fn acknowledge_from_mail(
    ctx: &Ctx,
    incident_id: Uuid,
    mail_id: Uuid,
) -> Result<Acknowledged, DbError> {
    let now = ctx.now.naive_utc();
    ctx.db
        .transaction(move |conn: &mut AnyConnection| {
            let id = incident_id.to_string();
            let Some(before) = cases::find_unscoped(conn, &id)? else {
                return Ok(Acknowledged::Unknown);
            };
            let by = outbox::find(conn, &mail_id.to_string())?.map(|m| m.recipient);
            let moved = incidents::acknowledge(conn, &id, now)?;
            let ack = Ack {
                before: &before,
                by: by.as_deref(),
                via: AckVia::MailLink,
                moved,
                reason: None,
            };
            Ok(if record(conn, now, ack)? {
                Acknowledged::Now
            } else {
                Acknowledged::Already
            })
        })
        .await
}
