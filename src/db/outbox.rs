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
    /// When the safety coordinators were told this mail is dead.
    pub dead_alarmed_at: Option<NaiveDateTime>,
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

/// Not a stored state: a pending or failed row whose lease has not run out, i.e. a worker is
/// sending it right now (or died doing so and its lease has yet to expire).
pub const SENDING: &str = "sending";
/// The states the admin list and the metrics show.
pub const SHOWN_STATES: [&str; 5] = [PENDING, SENDING, FAILED, SENT, DEAD];

/// Renews the lease of the rows `owner` still holds (the heartbeat while a batch is sent).
/// Returns how many it renewed.
pub fn renew(
    conn: &mut AnyConnection,
    owner: &str,
    ids: &[String],
    lease_until: NaiveDateTime,
) -> DbResult<usize> {
    Ok(diesel::update(
        outbox::table
            .filter(outbox::id.eq_any(ids))
            .filter(outbox::lease_owner.eq(owner))
            .filter(outbox::state.eq_any([PENDING, FAILED])),
    )
    .set(outbox::lease_until.eq(Some(lease_until)))
    .execute(conn)?)
}

/// Frees every lease. Only for SQLite at start, where one instance owns the file: whatever
/// is leased then was leased by an earlier run of this instance that died.
pub fn release_all_leases(conn: &mut AnyConnection) -> DbResult<usize> {
    Ok(
        diesel::update(outbox::table.filter(outbox::lease_owner.is_not_null()))
            .set((
                outbox::lease_until.eq(None::<NaiveDateTime>),
                outbox::lease_owner.eq(None::<String>),
            ))
            .execute(conn)?,
    )
}

/// How many rows hold a lease (expired or not).
pub fn leased_count(conn: &mut AnyConnection) -> DbResult<i64> {
    Ok(outbox::table
        .filter(outbox::lease_owner.is_not_null())
        .count()
        .get_result(conn)?)
}

/// The state a row is shown in at `now`: `sending` while its lease holds.
pub fn shown_state(row: &OutboxRow, now: NaiveDateTime) -> &'static str {
    let leased = row.lease_until.is_some_and(|until| until >= now);
    match row.state.as_str() {
        PENDING | FAILED if leased => SENDING,
        PENDING => PENDING,
        FAILED => FAILED,
        SENT => SENT,
        _ => DEAD,
    }
}

/// Rows in one shown state at `now` (`sending` = leased), newest first.
pub fn list_shown(
    conn: &mut AnyConnection,
    state: &str,
    now: NaiveDateTime,
    limit: i64,
) -> DbResult<Vec<OutboxRow>> {
    let mut query = outbox::table.into_boxed();
    let leased = outbox::lease_until.ge(now);
    query = match state {
        SENDING => query
            .filter(outbox::state.eq_any([PENDING, FAILED]))
            .filter(leased.assume_not_null()),
        PENDING | FAILED => query.filter(outbox::state.eq(state.to_owned())).filter(
            outbox::lease_until
                .is_null()
                .or(outbox::lease_until.lt(now).assume_not_null()),
        ),
        _ => query.filter(outbox::state.eq(state.to_owned())),
    };
    Ok(query
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)?)
}

/// How many rows are in each shown state at `now`, every shown state present.
pub fn shown_counts(conn: &mut AnyConnection, now: NaiveDateTime) -> DbResult<Vec<(String, i64)>> {
    let stored = counts(conn)?;
    let sending: Vec<(String, i64)> = outbox::table
        .filter(outbox::state.eq_any([PENDING, FAILED]))
        .filter(outbox::lease_until.ge(now).assume_not_null())
        .group_by(outbox::state)
        .select((outbox::state, diesel::dsl::count_star()))
        .load(conn)?;
    let get =
        |list: &[(String, i64)], s: &str| list.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
    Ok(SHOWN_STATES
        .iter()
        .map(|s| {
            let n = match *s {
                SENDING => get(&sending, PENDING) + get(&sending, FAILED),
                PENDING | FAILED => get(&stored, s) - get(&sending, s),
                _ => get(&stored, s),
            };
            ((*s).to_owned(), n)
        })
        .collect())
}

/// When the oldest mail still waiting to go out (pending or failed, leased or not) was
/// written; `None` if none waits.
pub fn oldest_unsent(conn: &mut AnyConnection) -> DbResult<Option<NaiveDateTime>> {
    Ok(outbox::table
        .filter(outbox::state.eq_any([PENDING, FAILED]))
        .select(diesel::dsl::min(outbox::created_at))
        .first::<Option<NaiveDateTime>>(conn)?)
}
