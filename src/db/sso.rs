//! Single sign-on: logins under way (state, nonce, PKCE verifier) and what an SSO session
//! carries beside the ordinary session (the group claim's roles, the ID token for logout).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{oidc_logins, role_grants, sso_sessions, users};
use super::{AnyConnection, DbResult};

/// A login under way, as stored.
#[derive(Debug, Clone, Queryable)]
pub struct PendingLogin {
    pub nonce: String,
    pub pkce_verifier: String,
    pub next_path: Option<String>,
}

/// Removes the logins whose time is up; returns how many.
pub fn purge_expired_logins(conn: &mut AnyConnection, now: NaiveDateTime) -> DbResult<usize> {
    Ok(diesel::delete(oidc_logins::table.filter(oidc_logins::expires_at.le(now))).execute(conn)?)
}

/// Logins under way (unexpired or not yet purged).
pub fn pending_logins(conn: &mut AnyConnection) -> DbResult<i64> {
    Ok(oidc_logins::table.count().get_result(conn)?)
}

pub fn insert_login(
    conn: &mut AnyConnection,
    state_hash: &str,
    login: &PendingLogin,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> DbResult<()> {
    diesel::insert_into(oidc_logins::table)
        .values((
            oidc_logins::state_hash.eq(state_hash),
            oidc_logins::nonce.eq(&login.nonce),
            oidc_logins::pkce_verifier.eq(&login.pkce_verifier),
            oidc_logins::next_path.eq(login.next_path.as_deref()),
            oidc_logins::created_at.eq(now),
            oidc_logins::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Takes the login with this state: returns it once, if unexpired, and deletes it. Of two
/// requests racing with one state only the one whose DELETE removed the row gets it.
pub fn take_login(
    conn: &mut AnyConnection,
    state_hash: &str,
    now: NaiveDateTime,
) -> DbResult<Option<PendingLogin>> {
    let found: Option<(PendingLogin, NaiveDateTime)> = oidc_logins::table
        .find(state_hash)
        .select((
            (
                oidc_logins::nonce,
                oidc_logins::pkce_verifier,
                oidc_logins::next_path,
            ),
            oidc_logins::expires_at,
        ))
        .first(conn)
        .optional()?;
    let deleted = diesel::delete(oidc_logins::table.find(state_hash)).execute(conn)?;
    Ok(match found {
        Some((login, expires_at)) if deleted == 1 && expires_at > now => Some(login),
        _ => None,
    })
}

pub fn insert_sso_session(
    conn: &mut AnyConnection,
    session_hash: &str,
    roles: &str,
    id_token: &str,
    now: NaiveDateTime,
) -> DbResult<()> {
    diesel::insert_into(sso_sessions::table)
        .values((
            sso_sessions::session_hash.eq(session_hash),
            sso_sessions::roles.eq(roles),
            sso_sessions::id_token.eq(id_token),
            sso_sessions::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The roles (as stored) and ID token of an SSO session; `None` for a session that began
/// another way.
pub fn sso_session(
    conn: &mut AnyConnection,
    session_hash: &str,
) -> DbResult<Option<(String, String)>> {
    Ok(sso_sessions::table
        .find(session_hash)
        .select((sso_sessions::roles, sso_sessions::id_token))
        .first(conn)
        .optional()?)
}

/// The roles the group claim granted this session (`""` for none or a non-SSO session).
pub fn session_roles(conn: &mut AnyConnection, session_hash: &str) -> DbResult<String> {
    Ok(sso_sessions::table
        .find(session_hash)
        .select(sso_sessions::roles)
        .first(conn)
        .optional()?
        .unwrap_or_default())
}

/// Whether `email` (lower-case) is staff: named in the org tree, a configured coordinator, a
/// user with a coordinator, finance or admin flag, or holder of a grant over a unit.
pub fn is_staff(conn: &mut AnyConnection, email: &str, coordinators: &[String]) -> DbResult<bool> {
    if coordinators
        .iter()
        .any(|c| c.trim().to_lowercase() == email)
        || super::users::in_org_tree(conn, email)?
    {
        return Ok(true);
    }
    let flagged: i64 = users::table
        .filter(users::email.eq(email))
        .filter(
            users::is_admin
                .eq(true)
                .or(users::is_safety_coordinator.eq(true))
                .or(users::is_finance.eq(true)),
        )
        .count()
        .get_result(conn)?;
    if flagged > 0 {
        return Ok(true);
    }
    let grants: i64 = role_grants::table
        .inner_join(users::table)
        .filter(users::email.eq(email))
        .count()
        .get_result(conn)?;
    Ok(grants > 0)
}

/// Removes what an SSO session carried (at logout).
pub fn forget_sso_session(conn: &mut AnyConnection, session_hash: &str) -> DbResult<()> {
    diesel::delete(sso_sessions::table.find(session_hash)).execute(conn)?;
    Ok(())
}
