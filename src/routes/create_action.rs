//! `POST /api/v1/incidents/{id}/actions`: a corrective action on a case; the owner is mailed
//! in the same transaction.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::action_dto::{self, ActionView, Extra};
use super::idempotency;
use super::input::{self, Checker, Lenient};
use crate::auth::Caller;
use crate::db::actions::{self as actions_db, CaseAccess, NewAction};
use crate::db::idempotency::{self as idempotency_db, StoredResponse};
use crate::db::{incidents, DbError};
use crate::domain::action::ActionState;
use crate::domain::calendar::stockholm_date;
use crate::domain::IncidentStatus;
use crate::error::{ApiError, Problem};
use crate::idempotent;
use crate::mail::action_mail;
use crate::startup::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateAction {
    /// What is to be done.
    #[serde(default)]
    #[schema(value_type = String, min_length = 3, max_length = 200, required = true)]
    pub title: Lenient<String>,
    /// How, in more words. Shown in tillbud only, never in e-mail.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub description: Lenient<String>,
    /// Who carries it out; mailed at once.
    #[serde(default)]
    #[schema(value_type = String, format = Email, required = true)]
    pub owner_email: Lenient<String>,
    /// `YYYY-MM-DD` (Europe/Stockholm), today or later.
    #[serde(default)]
    #[schema(value_type = String, format = Date, required = true)]
    pub due_date: Lenient<String>,
    /// Estimated cost in öre (SEK × 100), 0 or more.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000_000i64)]
    pub cost_estimate_ore: Lenient<i64>,
}

/// Scope of this operation's `Idempotency-Key`s.
const IDEMPOTENCY_SCOPE: &str = "actions.create";

enum Outcome {
    /// The new action, as JSON (also stored under the `Idempotency-Key`), and its version.
    Created(String, i64),
    Hidden,
    ReadOnly,
    Closed(IncidentStatus),
}

/// Add a corrective action to a case
///
/// Only those who may manage the case (its unit's manager up the line, safety coordinators).
#[utoipa::path(
    tag = "actions",
    operation_id = "create_action",
    params(
        ("id" = String, Path, format = Uuid, description = "The case's id."),
        ("Idempotency-Key" = Option<String>, Header, format = Uuid, description = "A UUID made once per new action, so that a retry creates nothing."),
    ),
    request_body(content = CreateAction, content_type = "application/json"),
    responses(
        (status = 201, description = "Created; the owner is mailed. `ETag` holds its version. A retry with the same `Idempotency-Key` gets the first answer (with `Idempotent-Replayed: true`) and creates nothing.", body = ActionView,
            headers(("ETag" = String, description = "The action's version, for `If-Match`."))),
        (status = 400, description = "The body is not valid JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may read the case but not manage it, or the request is cross-site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case in the caller's scope.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed, rejected or a duplicate.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 64 KiB.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fields are missing or invalid (every bad field is listed), or the `Idempotency-Key` was used for another request.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy; try again.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/incidents/{id}/actions")]
pub async fn create_action(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let incident_id = Uuid::parse_str(&id)
        .map_err(|_| ApiError::NotFound)?
        .to_string();
    let key = idempotency::key(&req)?;
    let body = input::read_body(&req, payload, input::JSON_LIMIT).await?;
    let value = input::parse_json_object(&req, &body)?;
    // The same key from another user or for another case is another request.
    let hash = crate::intake::request_hash(&serde_json::json!({
        "user": caller.user_id, "incident": incident_id, "body": value,
    }));
    if let Some(key) = key {
        if let Some(earlier) =
            idempotent::earlier_answer(&state.db, IDEMPOTENCY_SCOPE, key, &hash).await?
        {
            return idempotency::respond(earlier);
        }
    }
    let request: CreateAction = input::from_object(value)?;
    let now = state.clock.now();
    let today = stockholm_date(now);
    let mut c = Checker::new();
    let mut extra = Extra::default();
    let title = c.text("title", request.title, true, (3, 200), false);
    let description = c.text("description", request.description, false, (1, 5000), true);
    let owner = action_dto::owner(&mut c, request.owner_email, true);
    let due = action_dto::due_date(&mut c, &mut extra, request.due_date, true, Some(today));
    let cost = action_dto::cost(&mut c, request.cost_estimate_ore);
    extra.finish(c)?;
    let (Some(title), Some(owner), Some(due)) = (title, owner, due) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "checked fields missing"
        )));
    };
    let action = NewAction {
        id: Uuid::now_v7().to_string(),
        incident_id: incident_id.clone(),
        title: title.as_str().to_owned(),
        description: action_dto::text_of(description),
        owner_email: owner,
        due_date: due,
        cost_estimate_ore: cost,
        created_by: caller.user_id.clone(),
        reminded_before_at: state
            .mail
            .action_schedule()
            .inside_window(due, today)
            .then_some(now.naive_utc()),
    };
    let ctx = state.mail.clone();
    let who = caller.clone();
    let lang = crate::i18n::current();
    let request_hash = hash.clone();
    let written = state
        .db
        .write(move |conn| {
            match actions_db::case_access(conn, &who, &action.incident_id)? {
                CaseAccess::Hidden => return Ok(Outcome::Hidden),
                CaseAccess::Read | CaseAccess::Reporter => return Ok(Outcome::ReadOnly),
                CaseAccess::Manage => {}
            }
            let Some(case) = actions_db::case_brief(conn, &action.incident_id)? else {
                return Ok(Outcome::Hidden);
            };
            let status: IncidentStatus = case
                .status
                .parse()
                .map_err(|()| DbError::Task(format!("stored status {:?}", case.status)))?;
            if !status.is_open() {
                return Ok(Outcome::Closed(status));
            }
            actions_db::insert(conn, &action, now.naive_utc())?;
            let facts = action_mail::facts(
                &case,
                &action.title,
                &action.owner_email,
                action.due_date,
                ActionState::Planned,
            )?;
            let mail_id = action_mail::write_assignment(conn, &ctx, &facts, &case.id, now)?;
            let data = serde_json::json!({
                "action_id": action.id,
                "title": action.title,
                "owner_email": action.owner_email,
                "due_date": action.due_date,
                "cost_estimate_ore": action.cost_estimate_ore,
                "mail": mail_id,
            })
            .to_string();
            incidents::append_event(
                conn,
                &case.id,
                now.naive_utc(),
                Some(&who.email),
                "action_created",
                false,
                &data,
            )?;
            let row = actions_db::find(conn, &action.id)?
                .ok_or_else(|| DbError::Task("the new action is gone".into()))?;
            let view: ActionView = action_dto::view_in(row, today, lang);
            let json = serde_json::to_string(&view).map_err(|e| DbError::Task(e.to_string()))?;
            if let Some(key) = key {
                // Last in the transaction: a concurrent retry with the same key fails here on
                // the primary key and rolls back everything above, mail included.
                idempotency_db::insert(
                    conn,
                    IDEMPOTENCY_SCOPE,
                    &key.to_string(),
                    &StoredResponse {
                        request_hash,
                        status: 201,
                        location: None,
                        response_body: json.clone(),
                    },
                )?;
            }
            Ok(Outcome::Created(json, view.version))
        })
        .await;
    let outcome = match written {
        Ok(outcome) => outcome,
        Err(e) => {
            let earlier =
                idempotent::after_conflict(&state.db, IDEMPOTENCY_SCOPE, key, &hash, e).await?;
            return idempotency::respond(earlier);
        }
    };
    match outcome {
        Outcome::Created(json, version) => {
            state.mail.wake.notify_one();
            Ok(HttpResponse::Created()
                .insert_header((actix_web::http::header::ETAG, format!("\"{version}\"")))
                .insert_header(("Cache-Control", "no-store"))
                .content_type("application/json")
                .body(json))
        }
        Outcome::Hidden => {
            action_dto::denied(
                &caller.user_id,
                "create_action",
                &incident_id,
                "not in scope",
            );
            Err(ApiError::NotFound)
        }
        Outcome::ReadOnly => {
            action_dto::denied(&caller.user_id, "create_action", &incident_id, "read only");
            Err(ApiError::Forbidden(
                crate::i18n::current()
                    .pick(
                        "Du kan läsa ärendet men inte lägga till åtgärder.",
                        "You may read this case but not add actions to it.",
                    )
                    .to_owned(),
            ))
        }
        Outcome::Closed(status) => {
            let lang = crate::i18n::current();
            Err(ApiError::Conflict(format!(
                "{}: {}",
                lang.pick(
                    "Ärendet är inte öppet för nya åtgärder",
                    "The case is not open for new actions"
                ),
                status.label(lang)
            )))
        }
    }
}
