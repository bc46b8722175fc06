//! The mail outbox: rows written with what caused them, claimed by workers with a lease.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use serde::Serialize;
use uuid::Uuid;

use super::schema::outbox;
use super::{AnyConnection, DbResult};

/// Not tried yet.
pub const PENDING: &str = "pending";
/// Tried and failed; tried again at `next_attempt_at`.
pub const FAILED: &str = "failed";
pub const SENT: &str = "sent";
/// Given up: only an admin's retry sends it again.
pub const DEAD: &str = "dead";
pub const STATES: [&str; 4] = [PENDING, FAILED, SENT, DEAD];

#[derive(Debug, Clone, Queryable, Selectable, QueryableByName, Serialize)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub incident_id: Option<String>,
    pub purpose: String,
    pub role: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub lease_owner: Option<String>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    /// For a login mail: the SHA-256 of the token minted for its last attempt.
    pub secret_ref: Option<String>,
}

/// A mail to send, as rendered when it was decided.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub id: Uuid,
    pub incident_id: Option<String>,
    pub purpose: &'static str,
    pub role: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

/// Call inside the transaction that records what caused the mail.
pub fn insert(conn: &mut AnyConnection, mail: &NewMail, now: NaiveDateTime) -> DbResult<()> {
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(mail.id.to_string()),
            outbox::incident_id.eq(&mail.incident_id),
            outbox::purpose.eq(mail.purpose),
            outbox::role.eq(&mail.role),
            outbox::recipient.eq(&mail.recipient),
            outbox::subject.eq(&mail.subject),
            outbox::body_text.eq(&mail.body_text),
            outbox::body_html.eq(&mail.body_html),
            outbox::state.eq(PENDING),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::created_at.eq(now),
            outbox::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Claims up to `limit` due rows for `owner` until `lease_until`, in one statement.
///
/// The outer `WHERE` repeats the lease condition: on PostgreSQL a concurrent claimer that
/// waited for the row re-checks it against the committed row and skips it, so a row is never
/// leased to two workers at once. `SKIP LOCKED` lets PostgreSQL workers pass each other's rows
/// instead of queueing; SQLite has a single writer and needs no such thing.
pub fn claim(
    conn: &mut AnyConnection,
    owner: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> DbResult<Vec<OutboxRow>> {
    const DUE: &str = "state IN ('pending', 'failed') AND next_attempt_at <= $3 \
                       AND (lease_until IS NULL OR lease_until < $3)";
    let rows = match conn {
        AnyConnection::Postgresql(pg) => diesel::sql_query(format!(
            "UPDATE outbox SET lease_until = $1, lease_owner = $2 \
             WHERE {DUE} AND id IN (SELECT id FROM outbox WHERE {DUE} \
             ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING *"
        ))
        .bind::<Timestamp, _>(lease_until)
        .bind::<Text, _>(owner)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load::<OutboxRow>(pg)?,
        AnyConnection::Sqlite(lite) => diesel::sql_query(format!(
            "UPDATE outbox SET lease_until = ?1, lease_owner = ?2 \
             WHERE {due} AND id IN (SELECT id FROM outbox WHERE {due} \
             ORDER BY next_attempt_at LIMIT ?4) RETURNING *",
            due = DUE.replace("$3", "?3")
        ))
        .bind::<Timestamp, _>(lease_until)
        .bind::<Text, _>(owner)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load::<OutboxRow>(lite)?,
    };
    Ok(rows)
}

/// Records a successful send. Only the lease holder may.
pub fn mark_sent(
    conn: &mut AnyConnection,
    id: &str,
    owner: &str,
    now: NaiveDateTime,
) -> DbResult<()> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::lease_owner.eq(owner)),
    )
    .set((
        outbox::state.eq(SENT),
        outbox::attempts.eq(outbox::attempts + 1),
        outbox::sent_at.eq(Some(now)),
        outbox::updated_at.eq(now),
        outbox::lease_until.eq(None::<NaiveDateTime>),
        outbox::lease_owner.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(())
}

/// Records a failed attempt: `dead` gives up, else it is tried again at `next_attempt_at`.
pub fn mark_failed(
    conn: &mut AnyConnection,
    id: &str,
    owner: &str,
    error: &str,
    dead: bool,
    next_attempt_at: NaiveDateTime,
    now: NaiveDateTime,
) -> DbResult<()> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::lease_owner.eq(owner)),
    )
    .set((
        outbox::state.eq(if dead { DEAD } else { FAILED }),
        outbox::attempts.eq(outbox::attempts + 1),
        outbox::last_error.eq(Some(error)),
        outbox::next_attempt_at.eq(next_attempt_at),
        outbox::updated_at.eq(now),
        outbox::lease_until.eq(None::<NaiveDateTime>),
        outbox::lease_owner.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(())
}

/// Records which login token the lease holder minted for this attempt of the mail.
pub fn set_secret_ref(conn: &mut AnyConnection, id: &str, owner: &str, hash: &str) -> DbResult<()> {
    diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::lease_owner.eq(owner)),
    )
    .set(outbox::secret_ref.eq(Some(hash)))
    .execute(conn)?;
    Ok(())
}

/// Drops a row the lease holder decided not to send (a login link for an address that may not
/// log in): no mail, and no record of the address that was asked for.
pub fn discard(conn: &mut AnyConnection, id: &str, owner: &str) -> DbResult<()> {
    diesel::delete(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::lease_owner.eq(owner)),
    )
    .execute(conn)?;
    Ok(())
}

/// Rows in one state, newest first.
pub fn list(conn: &mut AnyConnection, state: &str, limit: i64) -> DbResult<Vec<OutboxRow>> {
    Ok(outbox::table
        .filter(outbox::state.eq(state))
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut AnyConnection, id: &str) -> DbResult<Option<OutboxRow>> {
    Ok(outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every row of a case, oldest first.
pub fn for_incident(conn: &mut AnyConnection, incident_id: &str) -> DbResult<Vec<OutboxRow>> {
    Ok(outbox::table
        .filter(outbox::incident_id.eq(incident_id))
        .order((outbox::created_at.asc(), outbox::id.asc()))
        .select(OutboxRow::as_select())
        .load(conn)?)
}

/// Makes a dead or failed row due now with a fresh count of attempts. `false` if the row is in
/// another state (or does not exist).
pub fn retry(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> DbResult<bool> {
    let n = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::state.eq_any([DEAD, FAILED])),
    )
    .set((
        outbox::state.eq(PENDING),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(now),
        outbox::updated_at.eq(now),
        outbox::lease_until.eq(None::<NaiveDateTime>),
        outbox::lease_owner.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// How many rows are in each state.
pub fn counts(conn: &mut AnyConnection) -> DbResult<Vec<(String, i64)>> {
    Ok(outbox::table
        .group_by(outbox::state)
        .select((outbox::state, diesel::dsl::count_star()))
        .load(conn)?)
}
