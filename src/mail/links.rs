//! Links that are credentials — the acknowledgement link, the login link — never rest in the
//! outbox. A stored body holds a placeholder where the link goes; the worker puts the link in
//! at send time, so someone reading the database (or a backup) finds no working token, and
//! every attempt of a retried mail still carries one that works.
//!
//! * Acknowledgement links are signed at send time (case, mail id, expiry from now) with the
//!   secret key, which is not in the database.
//! * Login links get a fresh random token at each attempt; only its SHA-256 is stored (in
//!   `login_tokens`, and in the row's `secret_ref` so the next attempt replaces it). Whether
//!   the address may log in at all is decided here too, off the request path: the request
//!   does the same work for every address (it queues this row), so its timing tells nothing.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::templates::escape_html;
use super::MailContext;
use crate::db::outbox::{self, OutboxRow};
use crate::db::{sso, users, AnyConnection, DbResult};
use crate::domain::secret::{hash_secret, new_secret};

/// Where the acknowledgement link goes in a stored body. Control characters cannot come from
/// any text a person typed (they are refused on input), so the placeholder is unambiguous.
pub const ACK_LINK: &str = "\u{1}ack-link\u{1}";
/// Where the login link goes in a stored login mail.
pub const LOGIN_LINK: &str = "\u{1}login-link\u{1}";
/// The outbox purpose of login mails.
pub const LOGIN_PURPOSE: &str = "login";

fn fill(mut row: OutboxRow, placeholder: &str, url: &str) -> OutboxRow {
    row.body_text = row.body_text.replace(placeholder, url);
    row.body_html = row.body_html.replace(placeholder, &escape_html(url));
    row
}

/// Puts a freshly signed acknowledgement link into a row that has a placeholder for one.
pub fn fill_ack(ctx: &MailContext, row: OutboxRow, now: DateTime<Utc>) -> OutboxRow {
    if !row.body_text.contains(ACK_LINK) && !row.body_html.contains(ACK_LINK) {
        return row;
    }
    let ids = row
        .incident_id
        .as_deref()
        .and_then(|i| Uuid::parse_str(i).ok())
        .zip(Uuid::parse_str(&row.id).ok());
    let url = match ids {
        Some((incident, mail)) => ctx.ack_url(incident, mail, now),
        // A placeholder without a case to acknowledge cannot be filled; the case link above
        // it still leads there.
        None => String::new(),
    };
    fill(row, ACK_LINK, &url)
}

/// Prepares a login mail for this attempt, in the worker's transaction: mints its token and
/// returns the row to send with the link in it (in memory only); or drops the row when the
/// address may not log in, or gives it up when the link would already have expired — `None`,
/// finished, nothing more to record.
pub fn prepare_login(
    conn: &mut AnyConnection,
    ctx: &MailContext,
    owner: &str,
    row: OutboxRow,
    now: DateTime<Utc>,
) -> DbResult<Option<OutboxRow>> {
    let email = row.recipient.clone();
    let may = users::may_log_in(
        conn,
        &email,
        &ctx.policy.safety_coordinators,
        &ctx.login_domains,
    )? && (ctx.staff_mailed_link
        || !sso::is_staff(conn, &email, &ctx.policy.safety_coordinators)?);
    if !may {
        outbox::discard(conn, &row.id, owner)?;
        return Ok(None);
    }
    // The link's lifetime counts from the request, not from whenever the mail goes out.
    let expires_at = row.created_at + ctx.login_link_ttl;
    if expires_at <= now.naive_utc() {
        outbox::mark_failed(
            conn,
            &row.id,
            owner,
            "the login link expired before the mail could be sent",
            true,
            now.naive_utc(),
            now.naive_utc(),
        )?;
        return Ok(None);
    }
    let token = new_secret();
    let hash = hash_secret(&token);
    users::replace_login_token(
        conn,
        row.secret_ref.as_deref(),
        &hash,
        &email,
        now.naive_utc(),
        expires_at,
    )?;
    outbox::set_secret_ref(conn, &row.id, owner, &hash)?;
    let url = format!("{}/login?token={token}", ctx.base_url);
    Ok(Some(fill(row, LOGIN_LINK, &url)))
}
