//! Stored first answers to creating requests, keyed by the client's `Idempotency-Key`.

use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::{now_utc, AnyConnection, DbResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct StoredResponse {
    pub request_hash: String,
    pub status: i32,
    pub location: Option<String>,
    pub response_body: String,
}

pub fn find(conn: &mut AnyConnection, scope: &str, key: &str) -> DbResult<Option<StoredResponse>> {
    Ok(idempotency_keys::table
        .find((scope, key))
        .select(StoredResponse::as_select())
        .first(conn)
        .optional()?)
}

/// Records the answer. A unique violation means another request with the same key won the
/// race; the caller then answers with what that one stored.
pub fn insert(
    conn: &mut AnyConnection,
    scope: &str,
    key: &str,
    response: &StoredResponse,
) -> DbResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::scope.eq(scope),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(&response.request_hash),
            idempotency_keys::status.eq(response.status),
            idempotency_keys::location.eq(&response.location),
            idempotency_keys::response_body.eq(&response.response_body),
            idempotency_keys::created_at.eq(now_utc()),
        ))
        .execute(conn)?;
    Ok(())
}
