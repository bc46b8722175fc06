//! Use cases: one file per operation that changes something. Each takes the caller, its
//! parsed input and a [`Ctx`] (database, mail context, the time), runs its one transaction —
//! access check, version check, diff, history events, outbox rows — and returns a typed
//! result or its own error enum. HTTP (status codes, problem documents, words for the
//! refusals) is the handlers' business, in `routes/`.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::mail::MailContext;

pub mod actions;
pub mod admin;
pub mod auth;
pub mod cases;
pub mod costs;
pub mod idempotent;
pub mod org_import;
pub mod photos;
pub mod reports;
pub mod retention;
pub mod statistics;

/// What a use case may use besides its input.
#[derive(Clone)]
pub struct Ctx {
    pub db: Db,
    pub mail: Arc<MailContext>,
    /// The request's "now" (the application clock, which tests move forward).
    pub now: DateTime<Utc>,
}
