//! The error answers many operations share, for their `#[utoipa::path]` attributes: one
//! type per set instead of the same `Problem` line in every file. Each is a problem document
//! (`application/problem+json`) with the description the operations used before.

use utoipa::IntoResponses;

use crate::error::Problem;

/// A JSON body that could not be read: not JSON (400), too large (413), the wrong type (415).
#[derive(IntoResponses)]
#[allow(dead_code)] // only its OpenAPI description is used
pub enum JsonBodyErrors {
    #[response(
        status = 400,
        description = "The body is not valid JSON.",
        content_type = "application/problem+json"
    )]
    Malformed(Problem),
    #[response(
        status = 413,
        description = "The body is larger than 64 KiB.",
        content_type = "application/problem+json"
    )]
    TooLarge(Problem),
    #[response(
        status = 415,
        description = "The body is not application/json.",
        content_type = "application/problem+json"
    )]
    NotJson(Problem),
}

/// 401 without a session cookie or a personal API token.
#[derive(IntoResponses)]
#[response(
    status = 401,
    description = "Not logged in.",
    content_type = "application/problem+json"
)]
#[allow(dead_code)]
pub struct NotLoggedIn(Problem);

/// 403 for a cookie request from another site (`auth::csrf`).
#[derive(IntoResponses)]
#[response(
    status = 403,
    description = "Not sent from tillbud's own pages.",
    content_type = "application/problem+json"
)]
#[allow(dead_code)]
pub struct ForeignOrigin(Problem);

/// 428 for a change without the ETag it must name.
#[derive(IntoResponses)]
#[response(
    status = 428,
    description = "`If-Match` is missing or is not an ETag of this API.",
    content_type = "application/problem+json"
)]
#[allow(dead_code)]
pub struct IfMatchRequired(Problem);

/// 503 while the database is busy (a pool timeout, SQLite's lock).
#[derive(IntoResponses)]
#[response(
    status = 503,
    description = "The database is busy; try again.",
    content_type = "application/problem+json"
)]
#[allow(dead_code)]
pub struct DatabaseBusy(Problem);
