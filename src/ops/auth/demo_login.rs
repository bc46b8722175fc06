//! Log in as a seeded demo user (demo mode only): the user is found or created with the demo
//! roles. The session cookie is the handler's (`auth::session`).

use crate::db::users::{self, UserRow};
use crate::db::DbError;
use crate::demo::{self, DEMO_USERS};
use crate::ops::Ctx;

#[derive(Debug, thiserror::Error)]
pub enum DemoLoginError {
    #[error("not a demo user")]
    NotDemoUser,
    #[error("the user {0} is disabled")]
    Disabled(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Whether demo logins are on: demo mode, on a database that demo mode seeded (startup refuses
/// demo mode on a real database; this keeps it so should it be switched on some other way).
pub async fn available(ctx: &Ctx, demo_mode: bool) -> Result<bool, DbError> {
    demo::active(&ctx.db, demo_mode).await
}

/// The demo user with this address, as stored now (call [`available`] first).
pub async fn demo_login(ctx: &Ctx, email: &str) -> Result<UserRow, DemoLoginError> {
    let Some(demo) = DEMO_USERS.iter().find(|u| u.email == email.trim()) else {
        return Err(DemoLoginError::NotDemoUser);
    };
    let now = ctx.now.naive_utc();
    let user = ctx
        .db
        .write(move |c| users::find_or_create(c, demo.email, Some(demo.name), demo.flags, now))
        .await?;
    if user.disabled {
        return Err(DemoLoginError::Disabled(user.id));
    }
    Ok(user)
}
