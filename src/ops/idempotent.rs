//! Creating requests that may be retried: the client's `Idempotency-Key` names one attempt,
//! and its first answer is stored in the same transaction as what it created.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::idempotency::{self, StoredResponse};
use crate::db::{Db, DbError};

/// One attempt at a creating request: the client's key, if sent, and the hash of its body.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub key: Option<Uuid>,
    pub request_hash: String,
}

/// A stable hash of a JSON request: object keys sorted, so key order and whitespace do not
/// make a retry look like a different request.
pub fn request_hash(value: &serde_json::Value) -> String {
    fn canonical(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::Object(map) => {
                let mut keys: Vec<_> = map.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::String(k.clone()).to_string());
                    out.push(':');
                    canonical(&map[k], out);
                }
                out.push('}');
            }
            serde_json::Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    canonical(item, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut text = String::new();
    canonical(value, &mut text);
    crate::domain::secret::hex(&Sha256::digest(text.as_bytes()))
}

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

/// The answer an earlier request with this attempt's key got, if it sent a key.
pub async fn earlier(
    db: &Db,
    scope: &'static str,
    attempt: &Attempt,
) -> Result<Option<Submission>, DbError> {
    match attempt.key {
        Some(key) => earlier_answer(db, scope, key, &attempt.request_hash).await,
        None => Ok(None),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_ignores_key_order_and_whitespace() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"a":1,"b":{"y":[1,2],"x":"å"}}"#).unwrap();
        let b: serde_json::Value =
            serde_json::from_str(r#"{ "b": {"x":"å","y":[1, 2]}, "a": 1 }"#).unwrap();
        let c: serde_json::Value =
            serde_json::from_str(r#"{"a":1,"b":{"y":[2,1],"x":"å"}}"#).unwrap();
        assert_eq!(request_hash(&a), request_hash(&b));
        assert_ne!(request_hash(&a), request_hash(&c));
    }
}
