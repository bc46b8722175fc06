//! Personal API tokens: a caller creates one for themselves (the secret is shown once, only
//! its hash is stored) and revokes their own.

use uuid::Uuid;

use crate::db::{users, DbError};
use crate::domain::secret::{hash_secret, new_secret};
use crate::domain::{Caller, CleanText};
use crate::ops::Ctx;

/// A new token: its id and the secret the caller sees this once.
pub struct Created {
    pub id: String,
    pub token: String,
}

pub async fn create_api_token(
    ctx: &Ctx,
    caller: &Caller,
    name: &CleanText,
) -> Result<Created, DbError> {
    let token = format!("tb_{}", new_secret());
    let hash = hash_secret(&token);
    let id = Uuid::now_v7().to_string();
    let now = ctx.now.naive_utc();
    let (row_id, user_id, name) = (id.clone(), caller.user_id.clone(), name.as_str().to_owned());
    ctx.db
        .write(move |c| users::insert_api_token(c, &row_id, &user_id, &name, &hash, now))
        .await?;
    Ok(Created { id, token })
}

#[derive(Debug, thiserror::Error)]
pub enum RevokeTokenError {
    /// Not one of the caller's tokens (or already revoked).
    #[error("no such token")]
    Unknown,
    #[error(transparent)]
    Db(#[from] DbError),
}

pub async fn revoke_api_token(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
) -> Result<(), RevokeTokenError> {
    let now = ctx.now.naive_utc();
    let (user_id, id) = (caller.user_id.clone(), id.to_owned());
    let found = ctx
        .db
        .write(move |c| users::revoke_api_token(c, &user_id, &id, now))
        .await?;
    if found {
        Ok(())
    } else {
        Err(RevokeTokenError::Unknown)
    }
}
