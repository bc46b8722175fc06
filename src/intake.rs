//! Receiving a report: the one transaction that makes a 201 true.
//!
//! Everything a report causes is written here, together, or not at all: the incident, its
//! first history event, its routing decision with one outbox row per mail, and the stored
//! answer for its `Idempotency-Key`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::idempotency::{self, StoredResponse};
use crate::db::{incidents, Db, DbError};
use crate::domain::{IncidentStatus, NewIncident, TrackingCode};
use crate::idempotent::{self, Submission};
use crate::mail::{self, MailContext};

pub const IDEMPOTENCY_SCOPE: &str = "incidents.create";

/// The answer to a stored report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IncidentCreated {
    /// The case id (UUID v7).
    pub id: Uuid,
    /// The reporter's secret key to follow the case; keep it.
    #[schema(example = "q8T3kZ0v2yXb1QmS7nWc4A")]
    pub tracking_code: String,
    pub status: IncidentStatus,
    pub created_at: DateTime<Utc>,
    /// Where the reporter can follow the case.
    pub tracking_url: String,
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
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The logged-in user who reported, when the report names a reporter.
#[derive(Debug, Clone)]
pub struct ReporterUser {
    pub user_id: String,
    /// Their login address: proven by the login, so a receipt may go there.
    pub email: String,
}

/// Stores a validated report in one transaction.
pub async fn submit(
    db: &Db,
    ctx: &Arc<MailContext>,
    now: DateTime<Utc>,
    key: Option<Uuid>,
    request_hash: String,
    incident: NewIncident,
    reporter_user: Option<ReporterUser>,
) -> Result<Submission, DbError> {
    let id = Uuid::now_v7();
    let tracking_code = TrackingCode::generate();
    let base_url = &ctx.base_url;
    let created = IncidentCreated {
        id,
        tracking_code: tracking_code.to_string(),
        status: IncidentStatus::New,
        created_at: now,
        tracking_url: format!("{base_url}/t/{tracking_code}"),
    };
    let location = format!("/api/v1/incidents/{id}");
    let body = serde_json::to_string(&created).map_err(|e| DbError::Task(e.to_string()))?;
    let stored = StoredResponse {
        request_hash: request_hash.clone(),
        status: 201,
        location: Some(location.clone()),
        response_body: body.clone(),
    };

    let tracking_url = created.tracking_url.clone();
    let ctx2 = ctx.clone();
    let result = db
        .write(move |conn| {
            if let Some(key) = key {
                idempotency::insert(conn, IDEMPOTENCY_SCOPE, &key.to_string(), &stored)?;
            }
            incidents::insert_new(conn, &id, &tracking_code, &incident, now.naive_utc())?;
            if let Some(user) = &reporter_user {
                crate::db::cases::set_reporter_user(conn, &id.to_string(), &user.user_id)?;
            }
            let verified = reporter_user.as_ref().map(|u| u.email.as_str());
            mail::route_new_incident(conn, &ctx2, id, &tracking_url, &incident, verified, now)
        })
        .await;

    match result {
        Ok(()) => {
            ctx.wake.notify_one();
            Ok(Submission::Created { location, body })
        }
        // Another request with the same key committed first: answer as it did.
        Err(e) => idempotent::after_conflict(db, IDEMPOTENCY_SCOPE, key, &request_hash, e).await,
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
