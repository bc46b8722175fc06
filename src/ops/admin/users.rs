//! Admin changes to users: disable or enable one, set the roles not tied to a unit, grant a
//! role over a unit beyond what the org tree's e-mails say.

use crate::db::users::{self, NewUserFlags, UserRow};
use crate::db::{org_units, AnyConnection, DbError};
use crate::ops::Ctx;

/// What an admin changes on a user; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct UserChange {
    pub disabled: Option<bool>,
    pub is_admin: Option<bool>,
    pub is_safety_coordinator: Option<bool>,
    pub is_finance: Option<bool>,
}

#[derive(Debug, thiserror::Error)]
pub enum UserAdminError {
    #[error("no such user")]
    UnknownUser,
    #[error("no such active unit")]
    UnknownUnit,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Applies the change; returns the user as stored afterwards. Disabling ends the user's
/// sessions and API tokens (`db::users::set_disabled`).
pub async fn update_user(
    ctx: &Ctx,
    id: &str,
    change: UserChange,
) -> Result<UserRow, UserAdminError> {
    let (now, id) = (ctx.now.naive_utc(), id.to_owned());
    ctx.db
        .transaction(move |c: &mut AnyConnection| {
            let Some(user) = users::find(c, &id)? else {
                return Err(UserAdminError::UnknownUser);
            };
            let flags = NewUserFlags {
                admin: change.is_admin.unwrap_or(user.is_admin),
                safety_coordinator: change
                    .is_safety_coordinator
                    .unwrap_or(user.is_safety_coordinator),
                finance: change.is_finance.unwrap_or(user.is_finance),
            };
            users::set_flags(c, &id, flags, now)?;
            if let Some(disabled) = change.disabled {
                users::set_disabled(c, &id, disabled, now)?;
            }
            users::find(c, &id)?.ok_or(UserAdminError::UnknownUser)
        })
        .await
}

/// A role over a unit and its subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitRole {
    Manager,
    SafetyRep,
    /// The subtree's costs and trends.
    Finance,
}

impl UnitRole {
    pub fn parse(s: &str) -> Option<UnitRole> {
        match s {
            "manager" => Some(UnitRole::Manager),
            "safety_rep" => Some(UnitRole::SafetyRep),
            "finance" => Some(UnitRole::Finance),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UnitRole::Manager => "manager",
            UnitRole::SafetyRep => "safety_rep",
            UnitRole::Finance => "finance",
        }
    }
}

/// Grants `role` over `unit_id`. A grant that is already there is not an error.
pub async fn grant_role(
    ctx: &Ctx,
    user_id: &str,
    unit_id: &str,
    role: UnitRole,
) -> Result<(), UserAdminError> {
    let (now, user_id, unit_id) = (ctx.now.naive_utc(), user_id.to_owned(), unit_id.to_owned());
    let outcome = ctx
        .db
        .transaction(move |c: &mut AnyConnection| {
            if users::find(c, &user_id)?.is_none() {
                return Err(UserAdminError::UnknownUser);
            }
            let known = uuid::Uuid::parse_str(&unit_id)
                .ok()
                .map(|u| org_units::is_active(c, &u))
                .transpose()?
                .unwrap_or(false);
            if !known {
                return Err(UserAdminError::UnknownUnit);
            }
            users::grant(c, &user_id, &unit_id, role.as_str(), now)?;
            Ok(())
        })
        .await;
    // A repeated grant violates the key and rolls back: that is "already granted".
    match outcome {
        Err(UserAdminError::Db(e)) if e.is_unique_violation() => Ok(()),
        other => other,
    }
}
