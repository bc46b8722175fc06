//! Ask for a login link: the same work for every address — one queued mail with a placeholder
//! for the link. Whether the address may log in is decided by the outbox worker, which then
//! mints the token (`mail::links`) or drops the mail, so neither the answer nor its timing
//! tells who works here.

use chrono::Duration;
use uuid::Uuid;

use crate::db::outbox::{self, NewMail};
use crate::db::DbError;
use crate::mail::{links, templates};
use crate::ops::Ctx;

/// Queues the login-link mail to `email` (normalised) and wakes the outbox worker.
pub async fn request_login_link(ctx: &Ctx, email: String, ttl: Duration) -> Result<(), DbError> {
    let rendered = templates::login_link(links::LOGIN_LINK, ttl.num_minutes());
    let mail = NewMail {
        id: Uuid::now_v7(),
        incident_id: None,
        purpose: links::LOGIN_PURPOSE,
        role: "user".to_owned(),
        recipient: email,
        subject: rendered.subject,
        body_text: rendered.text,
        body_html: rendered.html,
    };
    let naive = ctx.now.naive_utc();
    ctx.db
        .write(move |c| outbox::insert(c, &mail, naive))
        .await?;
    ctx.mail.wake.notify_one();
    Ok(())
}
