//! Server-side sessions: a random id in an HttpOnly cookie, its SHA-256 in the database, an
//! idle timeout and an absolute lifetime. Logging in always makes a new id (no fixation);
//! logging out, or disabling the user, ends it for every instance at once.

use actix_web::cookie::{time, Cookie, SameSite};
use chrono::Duration;

use super::{hash_secret, new_secret};
use crate::config::Settings;
use crate::db::users::{self, UserRow};
use crate::error::ApiError;
use crate::state::AppState;

/// `__Host-` pins the cookie to this host, path `/` and HTTPS. Browsers refuse a `Secure`
/// cookie over plain HTTP, so local plain-HTTP mode (a `base_url` starting with `http://`)
/// uses a name without the prefix.
pub fn cookie_name(settings: &Settings) -> &'static str {
    if secure(settings) {
        "__Host-tillbud_session"
    } else {
        "tillbud_session"
    }
}

fn secure(settings: &Settings) -> bool {
    settings.base_url.starts_with("https://")
}

/// The session cookie carrying `id`.
pub fn cookie(settings: &Settings, id: String) -> Cookie<'static> {
    Cookie::build(cookie_name(settings), id)
        .path("/")
        .http_only(true)
        .secure(secure(settings))
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(
            settings.auth.session_max.num_seconds(),
        ))
        .finish()
}

/// A cookie that removes the session cookie.
pub fn removal(settings: &Settings) -> Cookie<'static> {
    let mut c = cookie(settings, String::new());
    c.make_removal();
    c
}

/// Starts a session for `user`; returns the cookie to set.
pub async fn start(state: &AppState, user: &UserRow) -> Result<Cookie<'static>, ApiError> {
    let id = new_secret();
    let id_hash = hash_secret(&id);
    let now = state.clock.now().naive_utc();
    let expires = now + state.settings.auth.session_max;
    let user_id = user.id.clone();
    state
        .db
        .write(move |c| users::insert_session(c, &id_hash, &user_id, now, expires))
        .await?;
    tracing::info!(user_id = %user.id, "login: session started");
    Ok(cookie(&state.settings, id))
}

/// The live session with this id and its user, or 401. Refreshes the idle timer (at most
/// once a minute, to spare the database a write per request).
pub async fn resume(state: &AppState, id: &str) -> Result<(String, UserRow), ApiError> {
    let id_hash = hash_secret(id);
    let now = state.clock.now().naive_utc();
    let idle = state.settings.auth.session_idle;
    let lookup = id_hash.clone();
    let found = state
        .db
        .read(move |c| users::find_session(c, &lookup))
        .await?;
    let Some((session, user)) = found else {
        return Err(ApiError::Unauthorized);
    };
    let why = if session.revoked_at.is_some() {
        Some("revoked")
    } else if user.disabled {
        Some("user disabled")
    } else if session.expires_at <= now {
        Some("lifetime over")
    } else if session.last_seen_at + idle <= now {
        Some("idle")
    } else {
        None
    };
    if let Some(why) = why {
        tracing::info!(user_id = %user.id, why, "denied: session ended");
        return Err(ApiError::Unauthorized);
    }
    if now - session.last_seen_at > Duration::minutes(1) {
        let touch = id_hash.clone();
        state
            .db
            .write(move |c| users::touch_session(c, &touch, now))
            .await?;
    }
    Ok((id_hash, user))
}

/// Ends a session.
pub async fn end(state: &AppState, id_hash: String) -> Result<(), ApiError> {
    let now = state.clock.now().naive_utc();
    state
        .db
        .write(move |c| users::revoke_session(c, &id_hash, now))
        .await?;
    Ok(())
}
