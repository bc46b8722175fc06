//! `GET /api/v1/admin/outbox?state=…`: mail by delivery state, with the last error.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{require_admin, utc};
use crate::db::outbox::{self, OutboxRow};
use crate::error::{ApiError, Problem};
use crate::routes::responses::DatabaseBusy;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// `pending`, `sending` (leased by a worker now), `failed` (will be retried), `sent` or
    /// `dead` (given up). Default `failed`.
    #[param(pattern = "^(pending|sending|failed|sent|dead)$")]
    pub state: Option<String>,
    /// At most this many rows, newest first (1–500, default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// One mail; the body is left out.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxItem {
    pub id: String,
    pub incident_id: Option<String>,
    /// notify, copy, receipt, reminder or escalation.
    pub purpose: String,
    /// Why the recipient gets it (manager, deputy, safety_representative, …).
    pub role: String,
    pub recipient: String,
    pub subject: String,
    /// pending, sending (a worker holds it until `lease_until`), failed, sent or dead.
    pub state: String,
    /// While `sending`: when the worker's lease runs out (it renews it while it sends; after a
    /// crash another worker takes the mail from then on).
    pub lease_until: Option<DateTime<Utc>>,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl OutboxItem {
    /// The row as shown at `now` (`sending` while leased).
    pub fn at(r: OutboxRow, now: chrono::NaiveDateTime) -> Self {
        let state = outbox::shown_state(&r, now);
        OutboxItem {
            lease_until: r.lease_until.filter(|_| state == outbox::SENDING).map(utc),
            id: r.id,
            incident_id: r.incident_id,
            purpose: r.purpose,
            role: r.role,
            recipient: r.recipient,
            subject: r.subject,
            state: state.to_owned(),
            attempts: r.attempts,
            next_attempt_at: utc(r.next_attempt_at),
            last_error: r.last_error,
            created_at: utc(r.created_at),
            sent_at: r.sent_at.map(utc),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sending: i64,
    pub failed: i64,
    pub sent: i64,
    pub dead: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxList {
    pub state: String,
    pub items: Vec<OutboxItem>,
    /// How many mails are in each state in all.
    pub counts: OutboxCounts,
}

/// List mail by delivery state
///
/// Requires `Authorization: Bearer <TILLBUD_ADMIN_TOKEN>`.
#[utoipa::path(
    tag = "admin",
    operation_id = "list_outbox",
    params(OutboxQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Mail in this state, newest first.", body = OutboxList),
        (status = 400, description = "A query parameter is malformed.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong admin token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No admin token is configured: the admin API is off.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown state or limit out of range.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[get("/admin/outbox")]
pub async fn list_outbox(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<OutboxQuery>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&req, &state).await?;
    let wanted = query
        .state
        .clone()
        .unwrap_or_else(|| outbox::FAILED.to_owned());
    let Some(wanted) = outbox::SHOWN_STATES.iter().find(|s| **s == wanted) else {
        return Err(ApiError::field(
            "state",
            "unknown_value",
            "pending | sending | failed | sent | dead",
        ));
    };
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field("limit", "range", "1–500"));
    }
    let now = state.clock.now().naive_utc();
    let (rows, counts) = state
        .db
        .read(move |c| {
            Ok((
                outbox::list_shown(c, wanted, now, limit)?,
                outbox::shown_counts(c, now)?,
            ))
        })
        .await?;
    let count = |s: &str| counts.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(OutboxList {
            state: (*wanted).to_owned(),
            items: rows.into_iter().map(|r| OutboxItem::at(r, now)).collect(),
            counts: OutboxCounts {
                pending: count(outbox::PENDING),
                sending: count(outbox::SENDING),
                failed: count(outbox::FAILED),
                sent: count(outbox::SENT),
                dead: count(outbox::DEAD),
            },
        }))
}
