//! What the worker does besides sending: prune sent mail and expired logins (once an hour),
//! and tell the safety coordinators about dead mail (one summary an hour at most).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::action_mail::coordinators;
use super::templates::escape_html;
use super::MailContext;
use crate::db::housekeeping::{self as hk, DEAD_ALARM_PURPOSE, LAST_DEAD_ALARM};
use crate::db::outbox::{self, NewMail, OutboxRow};
use crate::db::{meta, AnyConnection, Db, DbResult};

/// How often pruning runs, and the least time between two dead-mail summaries.
pub const EVERY: Duration = Duration::hours(1);

/// Mails pruned per transaction (a long backlog goes in several short ones).
const PRUNE_BATCH: i64 = 500;

/// Dead mails named in one summary; the rest are counted, and named in the next one.
const ALARM_LIST: i64 = 50;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    pub mails: usize,
    pub sessions: usize,
    pub login_tokens: usize,
}

/// Deletes sent mail older than `sent_mail_days` (leaving a `mail_sent` event in its case's
/// history), expired or revoked sessions and expired login tokens.
pub async fn prune(db: &Db, ctx: &Arc<MailContext>, now: DateTime<Utc>) -> DbResult<Pruned> {
    let before = (now - Duration::days(i64::from(ctx.sent_mail_days))).naive_utc();
    let mut pruned = Pruned::default();
    loop {
        let n = db
            .write(move |c| hk::prune_sent(c, before, PRUNE_BATCH))
            .await?;
        pruned.mails += n;
        if n < PRUNE_BATCH as usize {
            break;
        }
    }
    let idle_before = (now - ctx.session_idle).naive_utc();
    let (sessions, tokens) = db
        .write(move |c| hk::delete_expired_logins(c, now.naive_utc(), idle_before))
        .await?;
    pruned.sessions = sessions;
    pruned.login_tokens = tokens;
    if pruned != Pruned::default() {
        tracing::info!(
            mails = pruned.mails,
            sessions = pruned.sessions,
            login_tokens = pruned.login_tokens,
            "pruned sent mail and expired logins"
        );
    }
    Ok(pruned)
}

/// If mail has died since the last summary and the last one is an hour old, writes one
/// summary to each safety coordinator naming each dead mail's case and recipient, and marks
/// those mails as reported — in one transaction, so two workers never both write it.
/// Returns how many dead mails the summary named.
pub async fn alarm_dead(db: &Db, ctx: &Arc<MailContext>, now: DateTime<Utc>) -> DbResult<usize> {
    // Read first: a round with no unreported dead mail (the usual case) writes nothing.
    let (waiting, _) = db.read(|c| hk::unalarmed_dead(c, 1)).await?;
    if waiting.is_empty() {
        return Ok(0);
    }
    let ctx = ctx.clone();
    db.write(move |c| alarm_in(c, &ctx, now)).await
}

fn alarm_in(c: &mut AnyConnection, ctx: &MailContext, now: DateTime<Utc>) -> DbResult<usize> {
    let last = meta::get(c, LAST_DEAD_ALARM)?
        .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
        .map(|t| t.with_timezone(&Utc));
    if last.is_some_and(|t| now - t < EVERY) {
        return Ok(0);
    }
    let (rows, total) = hk::unalarmed_dead(c, ALARM_LIST)?;
    if rows.is_empty() {
        return Ok(0);
    }
    let to = coordinators(c, ctx, "säkerhetssamordnare / safety coordinator")?;
    if to.is_empty() {
        // No one to tell: leave them unreported (the log and the metrics show them).
        return Ok(0);
    }
    let (subject, text, html) = render(ctx, &rows, total);
    for r in &to {
        let mail = NewMail {
            id: Uuid::now_v7(),
            incident_id: None,
            purpose: DEAD_ALARM_PURPOSE,
            role: r.role.as_str().to_owned(),
            recipient: r.email.clone(),
            subject: subject.clone(),
            body_text: text.clone(),
            body_html: html.clone(),
        };
        outbox::insert(c, &mail, now.naive_utc())?;
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    hk::mark_alarmed(c, &ids, now.naive_utc())?;
    meta::set(c, LAST_DEAD_ALARM, &now.to_rfc3339(), now.naive_utc())?;
    ctx.wake.notify_one();
    tracing::warn!(
        dead = total,
        coordinators = to.len(),
        "told the safety coordinators about dead mail"
    );
    Ok(rows.len())
}

/// The summary: per dead mail its case, recipient, role, purpose and last error.
fn render(ctx: &MailContext, rows: &[OutboxRow], total: i64) -> (String, String, String) {
    let subject = format!("[tillbud] Post som inte gick fram / Undeliverable mail: {total}");
    let case_url = |r: &OutboxRow| {
        r.incident_id
            .as_ref()
            .map(|id| format!("{}/cases/{id}", ctx.base_url))
    };
    let mut text = String::from(
        "Följande utskick har gett upp efter upprepade försök. Kontakta mottagaren på annat \
         sätt och skicka om dem i administrationen.\n\
         These mails were given up after repeated attempts. Reach the recipient another way \
         and retry them in the admin API.\n\n",
    );
    let mut items = String::new();
    for r in rows {
        let case = case_url(r).unwrap_or_else(|| "(inget ärende / no case)".into());
        let error = r.last_error.as_deref().unwrap_or("");
        text.push_str(&format!(
            "- Ärende / case: {case}\n  Mottagare / recipient: {} ({}, {})\n  Fel / error: {error}\n",
            r.recipient, r.role, r.purpose
        ));
        items.push_str(&format!(
            "<li>Ärende / case: {}<br>Mottagare / recipient: {} ({}, {})<br>Fel / error: {}</li>",
            escape_html(&case),
            escape_html(&r.recipient),
            escape_html(&r.role),
            escape_html(&r.purpose),
            escape_html(error),
        ));
    }
    let more = total - rows.len() as i64;
    let mut tail = String::new();
    if more > 0 {
        tail = format!("… och {more} till / and {more} more.\n");
        text.push_str(&tail);
    }
    let list = format!("{}/api/v1/admin/outbox?state=dead", ctx.base_url);
    text.push_str(&format!("\nAlla döda utskick / all dead mail: {list}\n"));
    let html = format!(
        "<p>Följande utskick har gett upp efter upprepade försök.<br>These mails were given up \
         after repeated attempts.</p><ul>{items}</ul><p>{}</p><p>{}</p>",
        escape_html(&tail),
        escape_html(&list)
    );
    (subject, text, html)
}
