//! Integration tests: each starts the real application on port 0 with a fresh database
//! (SQLite by default; PostgreSQL when TILLBUD_TEST_DATABASE_URL points at one) and talks HTTP.

mod binary;
mod helpers;
mod smtp_server;

mod actions;
mod attachments;
mod auth;
mod cases;
mod config_cli;
mod contract;
mod costs;
mod costs_export;
mod costs_property;
mod demo;
mod escalation;
mod handler_size;
mod hardening;
mod health;
mod idempotency;
mod intake;
mod labels;
mod layers;
mod mail;
mod metrics;
mod openapi;
mod org;
mod pages;
mod photo_bombs;
mod pruning;
mod recovery;
mod retention;
mod schema;
mod sso;
mod statistics;
mod tracking;
mod workflow_property;
mod yearly;
