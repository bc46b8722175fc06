//! Who is calling, and what they may do.
//!
//! A caller is identified by a server-side session (cookie, after a login link) or by a
//! personal API token (`Authorization: Bearer`). Their roles are worked out per request from
//! the org tree (manager, deputy and skyddsombud e-mails), explicit grants and the user's
//! flags, so a change in the org tree takes effect at once. The access rule itself is SQL, in
//! `db::access`.
//!
//! Municipal SSO (OpenID Connect, `ops::auth::sso_*`) starts the same server-side session as
//! the login link; its group claim's roles are kept with the session and added here.

pub mod client;
pub mod csrf;
pub use crate::domain::rate_limit;
pub mod session;

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpRequest};

use crate::db::users::{self, UserRow};
use crate::db::{AnyConnection, DbResult};
use crate::error::ApiError;
use crate::state::AppState;

// The caller is a domain type; auth only builds one from a request.
pub use crate::domain::caller::{Caller, Roles, Via};

pub use crate::domain::secret::{hash_secret, new_secret};
use crate::domain::sso::SsoRoles;

/// E-mails are compared lower-case everywhere in auth.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Works out a user's roles. `coordinators` are the configured safety coordinators.
pub fn roles_of(
    conn: &mut AnyConnection,
    user: &UserRow,
    coordinators: &[String],
) -> DbResult<Roles> {
    Ok(Roles {
        managed_units: users::managed_units(conn, &user.id, &user.email)?,
        safety_rep_units: users::safety_rep_units(conn, &user.id, &user.email)?,
        safety_coordinator: user.is_safety_coordinator
            || coordinators
                .iter()
                .any(|c| normalise_email(c) == user.email),
        finance: user.is_finance,
        finance_units: users::finance_units(conn, &user.id)?,
        admin: user.is_admin,
    })
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

async fn authenticate(req: HttpRequest) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))?
        .clone();
    let coordinators = state.settings.mail.safety_coordinators.clone();
    let now = state.clock.now().naive_utc();
    if let Some(token) = bearer(&req) {
        let hash = hash_secret(&token);
        let found = state
            .db
            .write(move |c| {
                let Some(user) = users::use_api_token(c, &hash, now)? else {
                    return Ok(None);
                };
                let roles = roles_of(c, &user, &coordinators)?;
                Ok(Some((user, roles)))
            })
            .await?;
        let (user, roles) = found.ok_or_else(|| {
            tracing::info!("denied: unknown or revoked API token");
            ApiError::Unauthorized
        })?;
        return Ok(Caller {
            user_id: user.id,
            email: user.email,
            name: user.name,
            roles,
            via: Via::ApiToken,
        });
    }
    let Some(cookie) = req.cookie(session::cookie_name(&state.settings)) else {
        return Err(ApiError::Unauthorized);
    };
    let (id_hash, user) = session::resume(&state, cookie.value()).await?;
    csrf::check(&req, &state.settings)?;
    let session = id_hash.clone();
    let roles = state
        .db
        .read(move |c| {
            let mut roles = roles_of(c, &user, &coordinators)?;
            // A session begun with the municipal account also has its group claim's roles.
            SsoRoles::from_text(&crate::db::sso::session_roles(c, &session)?).apply(&mut roles);
            Ok((user, roles))
        })
        .await?;
    let (user, roles) = roles;
    Ok(Caller {
        user_id: user.id,
        email: user.email,
        name: user.name,
        roles,
        via: Via::Session(id_hash),
    })
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        Box::pin(authenticate(req.clone()))
    }
}
