//! What the worker deletes or flags besides sending: sent mail past its days, expired
//! sessions and login tokens, and dead mail not yet reported to the safety coordinators.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::outbox::{OutboxRow, DEAD, SENT};
use super::schema::{login_tokens, outbox, sessions};
use super::{events, AnyConnection, DbResult};
use crate::domain::case_event::CaseEvent;

/// The purpose of the dead-mail summary (never itself reported when it dies).
pub const DEAD_ALARM_PURPOSE: &str = "dead_alarm";

/// When the last dead-mail summary was written (`app_meta`, RFC 3339).
pub const LAST_DEAD_ALARM: &str = "dead_alarm_at";

/// Deletes up to `limit` mails sent before `before`. A case's history keeps the fact: each
/// deleted mail of a case leaves a `mail_sent` event (purpose, role, when) in the same
/// transaction. Returns how many were deleted.
pub fn prune_sent(conn: &mut AnyConnection, before: NaiveDateTime, limit: i64) -> DbResult<usize> {
    type Row = (
        String,
        Option<String>,
        String,
        String,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = outbox::table
        .filter(outbox::state.eq(SENT))
        .filter(outbox::sent_at.lt(before))
        .order(outbox::sent_at.asc())
        .limit(limit)
        .select((
            outbox::id,
            outbox::incident_id,
            outbox::purpose,
            outbox::role,
            outbox::sent_at,
        ))
        .load(conn)?;
    for (id, incident, purpose, role, sent_at) in &rows {
        if let (Some(incident), Some(at)) = (incident, sent_at) {
            let data = serde_json::json!({
                "mail_id": id, "purpose": purpose, "role": role, "sent_at": at.and_utc(),
            });
            events::append(conn, incident, *at, None, &CaseEvent::MailSent(data))?;
        }
    }
    let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
    Ok(diesel::delete(outbox::table.filter(outbox::id.eq_any(ids))).execute(conn)?)
}

/// Deletes sessions past their end (or revoked) and login tokens past their expiry.
/// Returns (sessions, login tokens).
pub fn delete_expired_logins(
    conn: &mut AnyConnection,
    now: NaiveDateTime,
    idle_before: NaiveDateTime,
) -> DbResult<(usize, usize)> {
    let s = diesel::delete(
        sessions::table.filter(
            sessions::expires_at
                .lt(now)
                .or(sessions::last_seen_at.lt(idle_before))
                .or(sessions::revoked_at.is_not_null()),
        ),
    )
    .execute(conn)?;
    let t = diesel::delete(login_tokens::table.filter(login_tokens::expires_at.lt(now)))
        .execute(conn)?;
    Ok((s, t))
}

/// Dead mail the coordinators have not been told about, oldest first, and how many in all.
pub fn unalarmed_dead(conn: &mut AnyConnection, limit: i64) -> DbResult<(Vec<OutboxRow>, i64)> {
    let base = || {
        outbox::table
            .filter(outbox::state.eq(DEAD))
            .filter(outbox::dead_alarmed_at.is_null())
            .filter(outbox::purpose.ne(DEAD_ALARM_PURPOSE))
    };
    let total = base().count().get_result(conn)?;
    let rows = base()
        .order((outbox::updated_at.asc(), outbox::id.asc()))
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn mark_alarmed(conn: &mut AnyConnection, ids: &[String], now: NaiveDateTime) -> DbResult<()> {
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set(outbox::dead_alarmed_at.eq(Some(now)))
        .execute(conn)?;
    Ok(())
}
