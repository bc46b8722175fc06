//! tillbud — incident and near-miss reporting for a Swedish municipal group.
//!
//! Layout (see README): pure rules in `domain`, all SQL in `db`, use cases in `ops`, HTTP in
//! `auth` and `routes`; `tests/api/layers.rs` keeps the arrows pointing down.

pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod demo_costs;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod mail;
pub mod metrics;
pub mod oidc;
pub mod ops;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod web;
