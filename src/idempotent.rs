//! Moved to `ops::idempotent`; this path stays only for `attachments.rs`, which moves into
//! `ops/` with the photo work under way there.

pub use crate::ops::idempotent::*;
