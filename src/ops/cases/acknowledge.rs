//! Acknowledge a case from the link in its mail: status `acknowledged`, reminders and
//! escalation stopped, a public history event. (From the staff page it is the workflow step
//! `new → acknowledged` in `transition`, which stops the same deadlines.)

use uuid::Uuid;

use crate::db::{incidents, outbox, routing as routing_db, AnyConnection, DbError};
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
            if incidents::case_facts(conn, &id)?.is_none() {
                return Ok(Acknowledged::Unknown);
            }
            let by = outbox::find(conn, &mail_id.to_string())?.map(|m| m.recipient);
            let stopped = routing_db::acknowledge(conn, &id, now)?;
            let moved = incidents::acknowledge(conn, &id, now)?;
            if !stopped && !moved {
                return Ok(Acknowledged::Already);
            }
            incidents::append_event(
                conn,
                &id,
                now,
                by.as_deref(),
                "acknowledged",
                true,
                &serde_json::json!({ "via": "mail_link" }).to_string(),
            )?;
            Ok(Acknowledged::Now)
        })
        .await
}
