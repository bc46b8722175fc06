//! Start a login with the municipal account: a fresh `state`, `nonce` and PKCE verifier, kept
//! server-side (only the state's hash is the key), and the provider's URL to send the browser
//! to. The pending logins are bounded: each expires after ten minutes, and when as many as
//! [`MAX_PENDING`] are under way a new one is refused until some finish or expire.

use chrono::Duration;

use crate::db::sso::{self, PendingLogin};
use crate::db::DbError;
use crate::domain::secret::hash_secret;
use crate::domain::sso::SsoRefusal;
use crate::oidc::Provider;
use crate::ops::Ctx;

/// How long the person has at the provider.
pub const LOGIN_TTL: Duration = Duration::minutes(10);
/// Logins under way at once, over all instances.
pub const MAX_PENDING: i64 = 10_000;

/// Where to send the browser, and the state to bind to it (a cookie).
pub struct Redirect {
    pub url: String,
    pub state: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{}: {}", .0.reason(), .1)]
    Refused(SsoRefusal, String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// `next` is an own path to return to (already checked).
pub async fn start_sso_login(
    ctx: &Ctx,
    provider: &Provider,
    next: Option<String>,
) -> Result<Redirect, StartError> {
    let auth = provider
        .authorize(ctx.now)
        .await
        .map_err(|e| StartError::Refused(SsoRefusal::Unavailable, e.to_string()))?;
    let login = PendingLogin {
        nonce: auth.nonce,
        pkce_verifier: auth.pkce_verifier,
        next_path: next,
    };
    let state_hash = hash_secret(&auth.state);
    let now = ctx.now.naive_utc();
    let stored = ctx
        .db
        .write(move |c| {
            sso::purge_expired_logins(c, now)?;
            if sso::pending_logins(c)? >= MAX_PENDING {
                return Ok(false);
            }
            sso::insert_login(c, &state_hash, &login, now, now + LOGIN_TTL)?;
            Ok(true)
        })
        .await?;
    if !stored {
        return Err(StartError::Refused(
            SsoRefusal::Busy,
            format!("{MAX_PENDING} logins under way"),
        ));
    }
    Ok(Redirect {
        url: auth.url,
        state: auth.state,
    })
}
