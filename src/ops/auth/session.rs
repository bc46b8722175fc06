//! Log in with the token from a login link (one transaction: use the token up, find or create
//! the user, end the browser's older session, start a new one) and log out.

use chrono::Duration;

use crate::db::users::{self, NewUserFlags, UserRow};
use crate::db::{sso, AnyConnection, DbError};
use crate::domain::secret::{hash_secret, new_secret};
use crate::ops::Ctx;

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The token is unknown, used or expired.
    #[error("invalid, used or expired login link")]
    InvalidLink,
    /// The link was valid (and is now used up), but the user is disabled.
    #[error("user {0} is disabled")]
    Disabled(String),
    /// Staff log in with the municipal account (`oidc_staff_mailed_link = false`); the link
    /// is used up.
    #[error("staff member {0} must use single sign-on")]
    UseSso(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A started session: its user and the id for the cookie (only its hash is stored).
pub struct Started {
    pub user: UserRow,
    pub session_id: String,
}

enum Outcome {
    Invalid,
    Disabled(String),
    UseSso(String),
    Started(UserRow),
}

/// `token` is the login link's secret; `old_session` the hash of a session cookie the browser
/// still sends (a fresh id at every login: no fixation).
pub async fn log_in(
    ctx: &Ctx,
    token: &str,
    old_session: Option<String>,
    session_max: Duration,
) -> Result<Started, LoginError> {
    let hash = hash_secret(token);
    let session_id = new_secret();
    let id_hash = hash_secret(&session_id);
    let now = ctx.now.naive_utc();
    let staff_link = ctx.mail.staff_mailed_link;
    let coordinators = ctx.mail.policy.safety_coordinators.clone();
    // The token is used up even when the user turns out to be disabled, so the closure
    // answers a refusal as a value and the transaction commits.
    let outcome = ctx
        .db
        .write(move |c: &mut AnyConnection| {
            let Some(email) = users::consume_login_token(c, &hash, now)? else {
                return Ok(Outcome::Invalid);
            };
            let user = users::find_or_create(c, &email, None, NewUserFlags::default(), now)?;
            if user.disabled {
                return Ok(Outcome::Disabled(user.id));
            }
            // A link minted before staff were moved to single sign-on must not work either.
            if !staff_link && sso::is_staff(c, &email, &coordinators)? {
                return Ok(Outcome::UseSso(user.id));
            }
            if let Some(old) = old_session {
                users::revoke_session(c, &old, now)?;
            }
            users::insert_session(c, &id_hash, &user.id, now, now + session_max)?;
            Ok(Outcome::Started(user))
        })
        .await?;
    match outcome {
        Outcome::Invalid => Err(LoginError::InvalidLink),
        Outcome::Disabled(id) => Err(LoginError::Disabled(id)),
        Outcome::UseSso(id) => Err(LoginError::UseSso(id)),
        Outcome::Started(user) => Ok(Started { user, session_id }),
    }
}

/// Ends the session whose id hashes to `id_hash`, on every instance at once.
pub async fn log_out(ctx: &Ctx, id_hash: String) -> Result<(), DbError> {
    let now = ctx.now.naive_utc();
    ctx.db
        .write(move |c| users::revoke_session(c, &id_hash, now))
        .await
}
