//! A case moved to another unit is routed again: whoever is responsible for the new unit now
//! is mailed (with an acknowledgement link) and becomes the case's responsible person; an
//! unacknowledged case gets fresh deadlines so reminders and escalation follow the new line.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::templates::Purpose;
use super::MailContext;
use crate::db::outbox;
use crate::db::{cases, events, incidents, routing as routing_db, AnyConnection, DbResult};
use crate::domain::calendar::stockholm_date;
use crate::domain::case_event::CaseEvent;
use crate::domain::routing;

/// Re-routes case `id` (already moved to its new unit) and writes the mails and a `rerouted`
/// history event. Returns how many mails were written. Call inside the move's transaction.
pub fn reroute_moved_case(
    conn: &mut AnyConnection,
    ctx: &MailContext,
    id: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> DbResult<usize> {
    let Some(case) = incidents::case_facts(conn, id)? else {
        return Ok(0);
    };
    let incident_id =
        Uuid::parse_str(id).map_err(|e| crate::db::DbError::Corrupt(e.to_string()))?;
    let kind = case.kind;
    let consequences = case.consequences.iter().copied().collect();
    let chain = routing_db::chain(conn, &case.org_unit_id)?;
    let before = cases::routing_of(conn, id)?;
    let decision = match routing::route(
        kind,
        &consequences,
        None,
        &chain,
        &ctx.policy,
        stockholm_date(now),
    ) {
        Ok(d) => d,
        Err(e) => {
            // The move stands; the history says why no one was told.
            tracing::error!(incident = %id, error = %e, "moved case could not be routed");
            let event = CaseEvent::Rerouted(serde_json::json!({ "error": e.to_string() }));
            events::append(conn, id, now.naive_utc(), Some(actor), &event)?;
            return Ok(0);
        }
    };
    let Some(facts) = super::facts_of(&case, decision.serious) else {
        return Ok(0);
    };
    let mails: Vec<_> = decision
        .responsible
        .iter()
        .map(|r| ctx.mail(Purpose::Moved, r, &facts, incident_id, None))
        .collect();
    for mail in &mails {
        outbox::insert(conn, mail, now.naive_utc())?;
    }
    let (remind_at, escalate_at) = ctx.deadlines(decision.serious, now);
    let responsible = decision
        .responsible
        .iter()
        .map(|r| r.email.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let unit = decision.responsible.first().and_then(|r| r.unit_id.clone());
    cases::reroute(
        conn,
        &routing_db::NewRouting {
            incident_id: id,
            responsible: responsible.clone(),
            responsible_unit_id: unit.clone(),
            serious: decision.serious,
            remind_at: remind_at.naive_utc(),
            escalate_at: escalate_at.naive_utc(),
        },
    )?;
    let data = serde_json::json!({
        "before": before.map(|(r, u, _)| serde_json::json!({"responsible": r, "unit_id": u})),
        "after": {"responsible": responsible, "unit_id": unit},
        "mails": mails.iter().map(|m| serde_json::json!({"id": m.id, "to": m.recipient, "purpose": m.purpose})).collect::<Vec<_>>(),
    });
    events::append(
        conn,
        id,
        now.naive_utc(),
        Some(actor),
        &CaseEvent::Rerouted(data),
    )?;
    Ok(mails.len())
}
