//! Damage costs: add an entry, reverse one, put the insurance claim (one file each), and the
//! questions finance and managers ask (`read`). Access is the SQL rule of
//! `db::costs::access`; the money is exact (öre) and the rollups move in the same
//! transaction as the entries.

pub mod add_entry;
pub mod put_claim;
pub mod read;
pub mod reverse_entry;

use uuid::Uuid;

use super::Ctx;
use crate::db::idempotency::{self as idempotency_db, StoredResponse};
use crate::db::{AnyConnection, DbError, DbResult};
use crate::ops::idempotent::{self, Submission};

/// Who asked, once: the client's `Idempotency-Key` and the hash of what it sent with it.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub key: Option<Uuid>,
    pub request_hash: String,
}

/// The first answer (the new entry's document, as stored under the key), or the answer an
/// earlier request with the same key got.
pub enum Created {
    New(String),
    Earlier(Submission),
}

/// The answer an earlier request with this key got, if any; asked before the body is
/// checked, so a retry gets its first answer even if the same body would now be refused.
pub async fn earlier(
    ctx: &Ctx,
    scope: &'static str,
    attempt: &Attempt,
) -> Result<Option<Submission>, DbError> {
    match attempt.key {
        Some(key) => idempotent::earlier_answer(&ctx.db, scope, key, &attempt.request_hash).await,
        None => Ok(None),
    }
}

/// Stores the answer under the key: last in the transaction, so a concurrent retry with
/// the same key fails on the primary key and rolls back everything it wrote.
fn remember(
    conn: &mut AnyConnection,
    scope: &'static str,
    attempt: &Attempt,
    body: &str,
) -> DbResult<()> {
    let Some(key) = attempt.key else {
        return Ok(());
    };
    idempotency_db::insert(
        conn,
        scope,
        &key.to_string(),
        &StoredResponse {
            request_hash: attempt.request_hash.clone(),
            status: 201,
            location: None,
            response_body: body.to_owned(),
        },
    )
}
