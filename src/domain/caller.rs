//! Who is calling and what they may do: a plain value built once per request (by
//! `auth`'s extractor) and passed down to the use cases and to `db::access`.

use serde::Serialize;
use utoipa::ToSchema;

/// What a caller may do, derived from the org tree, grants and flags.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Roles {
    /// Units (with their subtrees) whose cases the caller manages.
    pub managed_units: Vec<String>,
    /// Units (with their subtrees) whose cases the caller reads and comments as skyddsombud.
    pub safety_rep_units: Vec<String>,
    /// Säkerhetssamordnare: every case.
    pub safety_coordinator: bool,
    /// Ekonomi: costs and aggregates of every unit, no reporter identity or free text.
    pub finance: bool,
    /// Units (with their subtrees) whose costs the caller handles as ekonomi, by an admin's
    /// grant (a finance user of one company, say); `finance` is the whole group.
    pub finance_units: Vec<String>,
    /// Org tree, users, outbox.
    pub admin: bool,
}

impl Roles {
    /// The role names, for `GET /me` and the pages.
    pub fn names(&self) -> Vec<&'static str> {
        let mut names = vec!["employee"];
        if !self.managed_units.is_empty() {
            names.push("manager");
        }
        if !self.safety_rep_units.is_empty() {
            names.push("safety_representative");
        }
        if self.safety_coordinator {
            names.push("safety_coordinator");
        }
        if self.finance || !self.finance_units.is_empty() {
            names.push("finance");
        }
        if self.admin {
            names.push("admin");
        }
        names
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A session cookie; the SHA-256 of the session id.
    Session(String),
    ApiToken,
}

/// An authenticated caller. Extract it in a handler to require a login.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub email: String,
    pub name: Option<String>,
    pub roles: Roles,
    pub via: Via,
}
