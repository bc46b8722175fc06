//! Creating requests that may be retried: the client's `Idempotency-Key` names one attempt,
//! and its first answer is stored in the same transaction as what it created.

use uuid::Uuid;

use crate::db::idempotency::{self, StoredResponse};
use crate::db::{Db, DbError};

/// What a submission came to.
pub enum Submission {
    Created {
        location: String,
        body: String,
    },
    /// A request with this key was answered before: answer the same.
    Replayed(StoredResponse),
    /// The key was used before with a different body.
    KeyReused,
}

fn replay_or_conflict(stored: StoredResponse, request_hash: &str) -> Submission {
    if stored.request_hash == request_hash {
        Submission::Replayed(stored)
    } else {
        Submission::KeyReused
    }
}

/// Looks up an earlier answer for this key, before any work on the request's meaning.
pub async fn earlier_answer(
    db: &Db,
    scope: &'static str,
    key: Uuid,
    request_hash: &str,
) -> Result<Option<Submission>, DbError> {
    let found = db
        .read(move |c| idempotency::find(c, scope, &key.to_string()))
        .await?;
    Ok(found.map(|stored| replay_or_conflict(stored, request_hash)))
}

/// After a failed write: if another request with the same key committed first (a unique
/// violation on the key), answer as it did; any other error stands.
pub async fn after_conflict(
    db: &Db,
    scope: &'static str,
    key: Option<Uuid>,
    request_hash: &str,
    error: DbError,
) -> Result<Submission, DbError> {
    match key {
        Some(key) if error.is_unique_violation() => earlier_answer(db, scope, key, request_hash)
            .await?
            .ok_or(error),
        _ => Err(error),
    }
}
