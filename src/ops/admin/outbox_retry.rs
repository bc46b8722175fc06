//! Send a dead or failing mail again, now, with a fresh count of attempts.

use crate::db::outbox::{self, OutboxRow};
use crate::db::{AnyConnection, DbError};
use crate::ops::Ctx;

#[derive(Debug, thiserror::Error)]
pub enum RetryError {
    #[error("no such mail")]
    Unknown,
    /// Only dead or failed mail is retried.
    #[error("the mail is neither dead nor failed")]
    NotFailed,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Makes the mail due at once and wakes the worker; returns it as stored now.
pub async fn retry_outbox_mail(ctx: &Ctx, id: &str) -> Result<OutboxRow, RetryError> {
    let (now, id) = (ctx.now.naive_utc(), id.to_owned());
    let row = ctx
        .db
        .transaction(move |c: &mut AnyConnection| {
            let retried = outbox::retry(c, &id, now)?;
            match (retried, outbox::find(c, &id)?) {
                (true, Some(row)) => Ok(row),
                (false, Some(_)) => Err(RetryError::NotFailed),
                (_, None) => Err(RetryError::Unknown),
            }
        })
        .await?;
    ctx.mail.wake.notify_one();
    Ok(row)
}
