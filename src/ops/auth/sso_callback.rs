//! Finish a login with the municipal account: take the pending login its `state` names (once,
//! and only in the browser that started it), exchange the code, verify the ID token, and log
//! the person in under the same rules as the mailed link — in one transaction with the new
//! session, which is the ordinary server-side session plus the group claim's roles.

use chrono::Duration;

use crate::db::users::{self, NewUserFlags, UserRow};
use crate::db::{sso, AnyConnection, DbError};
use crate::domain::secret::{hash_secret, new_secret};
use crate::domain::sso::{SsoRefusal, SsoRoles};
use crate::oidc::{Identity, OidcError, Provider};
use crate::ops::Ctx;

/// What the provider sent back to the callback, and what the browser holds.
pub struct Callback {
    /// `state` from the query.
    pub state: Option<String>,
    /// The state cookie set when this browser started the login.
    pub state_cookie: Option<String>,
    pub code: Option<String>,
    /// `error` from the query (e.g. `access_denied`).
    pub error: Option<String>,
}

/// Who may log in besides existing users: the mailed link's rules.
pub struct LoginRules<'a> {
    pub coordinators: &'a [String],
    pub login_domains: &'a [String],
    pub session_max: Duration,
}

pub struct LoggedIn {
    pub user: UserRow,
    /// For the cookie; only its hash is stored.
    pub session_id: String,
    pub next: Option<String>,
    pub roles: SsoRoles,
}

#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// Refused, with the reason for the log (never a token).
    #[error("{}: {}", .0.reason(), .1)]
    Refused(SsoRefusal, String),
    #[error(transparent)]
    Db(#[from] DbError),
}

fn refused(why: SsoRefusal, detail: impl Into<String>) -> CallbackError {
    CallbackError::Refused(why, detail.into())
}

pub async fn finish_sso_login(
    ctx: &Ctx,
    provider: &Provider,
    callback: Callback,
    old_session: Option<String>,
    rules: LoginRules<'_>,
) -> Result<LoggedIn, CallbackError> {
    let state = callback
        .state
        .filter(|s| !s.is_empty() && s.len() <= 200)
        .ok_or_else(|| refused(SsoRefusal::BadState, "no state"))?;
    // The login must finish in the browser that started it: otherwise someone could make a
    // victim's browser finish *their* login (login CSRF).
    if callback.state_cookie.as_deref() != Some(state.as_str()) {
        return Err(refused(
            SsoRefusal::BadState,
            "state not started in this browser",
        ));
    }
    let state_hash = hash_secret(&state);
    let now = ctx.now.naive_utc();
    let pending = ctx
        .db
        .write(move |c| sso::take_login(c, &state_hash, now))
        .await?
        .ok_or_else(|| refused(SsoRefusal::BadState, "unknown, used or expired state"))?;
    if let Some(error) = callback.error {
        return Err(refused(
            SsoRefusal::Denied,
            error.chars().take(100).collect::<String>(),
        ));
    }
    let code = callback
        .code
        .filter(|c| !c.is_empty() && c.len() <= 4096)
        .ok_or_else(|| refused(SsoRefusal::CodeRefused, "no code"))?;
    let identity = provider
        .finish(code, pending.pkce_verifier, pending.nonce, ctx.now)
        .await
        .map_err(|e| match e {
            OidcError::Discovery(d) => refused(SsoRefusal::Unavailable, d),
            OidcError::Exchange(d) => refused(SsoRefusal::CodeRefused, d),
            OidcError::Token(d) => refused(SsoRefusal::BadToken, d),
            e @ OidcError::NoEmail(_) => refused(SsoRefusal::NoEmail, e.to_string()),
        })?;
    let roles = provider.settings().group_roles.roles_for(&identity.groups);
    let session_id = new_secret();
    let user = log_in(ctx, identity, roles, &session_id, old_session, rules).await?;
    Ok(LoggedIn {
        user,
        session_id,
        next: pending.next_path,
        roles,
    })
}

enum Outcome {
    NotAllowed,
    Disabled(String),
    Started(UserRow),
}

async fn log_in(
    ctx: &Ctx,
    identity: Identity,
    roles: SsoRoles,
    session_id: &str,
    old_session: Option<String>,
    rules: LoginRules<'_>,
) -> Result<UserRow, CallbackError> {
    let id_hash = hash_secret(session_id);
    let now = ctx.now.naive_utc();
    let expires = now + rules.session_max;
    let coordinators = rules.coordinators.to_vec();
    let domains = rules.login_domains.to_vec();
    let Identity {
        email, id_token, ..
    } = identity;
    let outcome = ctx
        .db
        .write(move |c: &mut AnyConnection| {
            let existing = users::find_by_email(c, &email)?;
            if let Some(user) = existing.as_ref().filter(|u| u.disabled) {
                return Ok(Outcome::Disabled(user.id.clone()));
            }
            // A group mapped to a role is the municipality's own word that this person
            // works here, as much as a login domain is.
            let allowed = existing.is_some()
                || roles.any()
                || users::may_log_in(c, &email, &coordinators, &domains)?;
            if !allowed {
                return Ok(Outcome::NotAllowed);
            }
            let user = users::find_or_create(c, &email, None, NewUserFlags::default(), now)?;
            if let Some(old) = old_session {
                users::revoke_session(c, &old, now)?;
            }
            users::insert_session(c, &id_hash, &user.id, now, expires)?;
            sso::insert_sso_session(c, &id_hash, &roles.to_text(), &id_token, now)?;
            Ok(Outcome::Started(user))
        })
        .await?;
    match outcome {
        Outcome::Started(user) => Ok(user),
        Outcome::Disabled(id) => Err(refused(SsoRefusal::Disabled, format!("user {id}"))),
        Outcome::NotAllowed => Err(refused(
            SsoRefusal::NotAllowed,
            "no user, not in the org tree, no login domain",
        )),
    }
}
