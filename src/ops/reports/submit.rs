//! Submit a report: the one transaction that makes a 201 true.
//!
//! Everything a report causes is written here, together, or not at all: the incident, its
//! first history event, its routing decision with one outbox row per mail, and the stored
//! answer for its `Idempotency-Key`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::db::idempotency::{self, StoredResponse};
use crate::db::{incidents, DbError};
use crate::domain::{IncidentStatus, NewIncident, TrackingCode};
use crate::mail;
use crate::ops::idempotent::{self, Attempt, Submission};
use crate::ops::Ctx;

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

/// The logged-in user who reported, when the report names a reporter.
#[derive(Debug, Clone)]
pub struct ReporterUser {
    pub user_id: String,
    /// Their login address: proven by the login, so a receipt may go there.
    pub email: String,
}

/// A retry of an earlier report with this key: its stored answer (or `KeyReused`). Asked
/// before the body is checked, so a retry is answered as the first attempt was.
pub async fn earlier(ctx: &Ctx, attempt: &Attempt) -> Result<Option<Submission>, DbError> {
    idempotent::earlier(&ctx.db, IDEMPOTENCY_SCOPE, attempt).await
}

/// Stores a validated report in one transaction.
pub async fn submit_report(
    ctx: &Ctx,
    attempt: Attempt,
    incident: NewIncident,
    reporter_user: Option<ReporterUser>,
) -> Result<Submission, DbError> {
    let (now, key, request_hash) = (ctx.now, attempt.key, attempt.request_hash);
    let id = Uuid::now_v7();
    let tracking_code = TrackingCode::generate();
    let base_url = &ctx.mail.base_url;
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
    let mail_ctx = ctx.mail.clone();
    let result = ctx
        .db
        .write(move |conn| {
            if let Some(key) = key {
                idempotency::insert(conn, IDEMPOTENCY_SCOPE, &key.to_string(), &stored)?;
            }
            incidents::insert_new(conn, &id, &tracking_code, &incident, now.naive_utc())?;
            if let Some(user) = &reporter_user {
                crate::db::cases::set_reporter_user(conn, &id.to_string(), &user.user_id)?;
            }
            let verified = reporter_user.as_ref().map(|u| u.email.as_str());
            mail::route_new_incident(conn, &mail_ctx, id, &tracking_url, &incident, verified, now)
        })
        .await;

    match result {
        Ok(()) => {
            ctx.mail.wake.notify_one();
            Ok(Submission::Created { location, body })
        }
        // Another request with the same key committed first: answer as it did.
        Err(e) => {
            idempotent::after_conflict(&ctx.db, IDEMPOTENCY_SCOPE, key, &request_hash, e).await
        }
    }
}
