//! `PATCH /api/v1/actions/{id}`: change a corrective action's fields (If-Match). A new owner
//! is mailed in the same transaction; a new owner or due date starts the reminders afresh.

use actix_web::{patch, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;
use uuid::Uuid;

use super::action_dto::{self, ActionView, Extra};
use super::input::{self, Checker, Lenient};
use crate::auth::Caller;
use crate::db::actions::{self as actions_db, ActionChanges, ActionRow, CaseAccess};
use crate::db::{incidents, DbError};
use crate::domain::action::ActionState;
use crate::domain::calendar::stockholm_date;
use crate::error::{ApiError, Problem};
use crate::mail::action_mail;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateAction {
    #[serde(default)]
    #[schema(value_type = Option<String>, min_length = 3, max_length = 200)]
    pub title: Lenient<String>,
    /// `null` or `""` clears it.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub description: Lenient<String>,
    /// A new owner is mailed.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Email)]
    pub owner_email: Lenient<String>,
    /// `YYYY-MM-DD`, today or later.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Lenient<String>,
    /// In öre; `null` clears it.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 10_000_000_000i64)]
    pub cost_estimate_ore: Lenient<i64>,
}

enum Outcome {
    Updated(Box<ActionRow>),
    Hidden,
    ReadOnly,
    Stale,
    Finished(ActionState),
    PastDue,
}

/// Change a corrective action
///
/// For those who may manage its case. Send `If-Match` with the ETag (version) last read.
#[utoipa::path(
    tag = "actions",
    operation_id = "update_action",
    params(
        ("id" = String, Path, format = Uuid, description = "The action's id."),
        // Declared optional so that its absence is documented as what it is here: 428.
        ("If-Match" = Option<String>, Header, pattern = r#"^(W/)?"[0-9]+"$"#,
         description = "Required: the `ETag` of the last read, e.g. `\"3\"`; 428 without it."),
    ),
    request_body(content = UpdateAction, content_type = "application/json"),
    responses(
        (status = 200, description = "The action as changed, with its new `ETag`.", body = ActionView,
            headers(("ETag" = String, description = "The action's version, for `If-Match`."))),
        (status = 400, description = "The body is not valid JSON.", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may see the action (owner, reader of the case) but not change it, or the request is cross-site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such action visible to the caller.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The action is verified or cancelled.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Someone changed the action since the caller read it; nothing was written.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 64 KiB.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fields are invalid; every bad field is listed.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "`If-Match` is missing or is not an ETag of this API.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy; try again.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/actions/{id}")]
pub async fn update_action(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let action_id = Uuid::parse_str(&id)
        .map_err(|_| ApiError::NotFound)?
        .to_string();
    let expected = action_dto::if_match(&req)?;
    let body = input::read_body(&req, payload, input::JSON_LIMIT).await?;
    let object = input::parse_json_object(&req, &body)?;
    // An explicit `null` clears an optional field; an absent one leaves it alone.
    let cleared = |field: &str| object.get(field).is_some_and(Value::is_null);
    let clear_description = cleared("description");
    let clear_cost = cleared("cost_estimate_ore");
    let request: UpdateAction = input::from_object(object.clone())?;
    let now = state.clock.now();
    let today = stockholm_date(now);
    let mut c = Checker::new();
    let mut extra = Extra::default();
    let empty_description =
        matches!(&request.description, Lenient::Value(s) if s.trim().is_empty());
    let title = c.text("title", request.title, false, (3, 200), false);
    let description = c.text("description", request.description, false, (1, 5000), true);
    let owner = action_dto::owner(&mut c, request.owner_email, false);
    // A past date is refused only if it is a change: a page that sends the whole form back
    // with an overdue action's unchanged date must not fail.
    let due = action_dto::due_date(&mut c, &mut extra, request.due_date, false, None);
    let cost = action_dto::cost(&mut c, request.cost_estimate_ore);
    extra.finish(c)?;
    let description = match action_dto::text_of(description) {
        Some(d) => Some(Some(d)),
        None if clear_description || empty_description => Some(None),
        None => None,
    };
    let cost = match cost {
        Some(n) => Some(Some(n)),
        None if clear_cost => Some(None),
        None => None,
    };
    let title = action_dto::text_of(title);

    let ctx = state.mail.clone();
    let who = caller.clone();
    let id = action_id.clone();
    let outcome = state
        .db
        .write(move |conn| {
            let Some((row, access)) = actions_db::find_visible(conn, &who, &id)? else {
                return Ok(Outcome::Hidden);
            };
            if access != CaseAccess::Manage {
                return Ok(Outcome::ReadOnly);
            }
            if row.version != expected {
                return Ok(Outcome::Stale);
            }
            let current: ActionState = row
                .state
                .parse()
                .map_err(|()| DbError::Task(format!("stored state {:?}", row.state)))?;
            if !current.is_open() {
                return Ok(Outcome::Finished(current));
            }
            // Only what differs counts as a change (and as a history event).
            let mut ch = ActionChanges::default();
            let mut events: Vec<(&str, Value, Value)> = Vec::new();
            if let Some(t) = title.filter(|t| *t != row.title) {
                events.push(("title", json!(row.title), json!(t)));
                ch.title = Some(t);
            }
            if let Some(d) = description.filter(|d| *d != row.description) {
                events.push(("description", json!(row.description), json!(d)));
                ch.description = Some(d);
            }
            if let Some(o) = owner.filter(|o| *o != row.owner_email) {
                events.push(("owner_email", json!(row.owner_email), json!(o)));
                ch.owner_email = Some(o);
            }
            if let Some(d) = due.filter(|d| actions_db::date_text(*d) != row.due_date) {
                if d < today {
                    return Ok(Outcome::PastDue);
                }
                events.push(("due_date", json!(row.due_date), json!(d)));
                ch.due_date = Some(d);
            }
            if let Some(n) = cost.filter(|n| *n != row.cost_estimate_ore) {
                events.push(("cost_estimate_ore", json!(row.cost_estimate_ore), json!(n)));
                ch.cost_estimate_ore = Some(n);
            }
            if events.is_empty() {
                return Ok(Outcome::Updated(Box::new(row)));
            }
            let due_date = match ch.due_date {
                Some(d) => d,
                None => chrono::NaiveDate::parse_from_str(&row.due_date, "%Y-%m-%d")
                    .map_err(|e| DbError::Task(e.to_string()))?,
            };
            if ch.owner_email.is_some() || ch.due_date.is_some() {
                let inside = ctx.action_schedule().inside_window(due_date, today);
                ch.restart_reminders = Some(inside.then_some(now.naive_utc()));
            }
            if !actions_db::update(conn, &id, expected, &ch, now.naive_utc())? {
                return Ok(Outcome::Stale);
            }
            let mut mail_id = None;
            if let Some(new_owner) = &ch.owner_email {
                if let Some(case) = actions_db::case_brief(conn, &row.incident_id)? {
                    let title = ch.title.as_deref().unwrap_or(&row.title);
                    let facts = action_mail::facts(&case, title, new_owner, due_date, current)?;
                    mail_id = Some(action_mail::write_assignment(
                        conn, &ctx, &facts, &case.id, now,
                    )?);
                }
            }
            for (field, before, after) in events {
                let mut data = json!({
                    "action_id": id, "field": field, "before": before, "after": after,
                });
                if field == "owner_email" {
                    data["mail"] = json!(mail_id);
                }
                incidents::append_event(
                    conn,
                    &row.incident_id,
                    now.naive_utc(),
                    Some(&who.email),
                    "action_updated",
                    false,
                    &data.to_string(),
                )?;
            }
            let row = actions_db::find(conn, &id)?
                .ok_or_else(|| DbError::Task("the action is gone".into()))?;
            Ok(Outcome::Updated(Box::new(row)))
        })
        .await?;
    match outcome {
        Outcome::Updated(row) => {
            state.mail.wake.notify_one();
            let view: ActionView = action_dto::view(*row, today);
            Ok(action_dto::respond(HttpResponse::Ok(), &view))
        }
        Outcome::Hidden => {
            action_dto::denied(&caller.user_id, "update_action", &action_id, "not visible");
            Err(ApiError::NotFound)
        }
        Outcome::ReadOnly => {
            action_dto::denied(
                &caller.user_id,
                "update_action",
                &action_id,
                "may not manage the case",
            );
            Err(ApiError::Forbidden(
                crate::i18n::current()
                    .pick(
                        "Bara den som hanterar ärendet kan ändra åtgärden. Som ansvarig för åtgärden kan du ändra dess status.",
                        "Only those who manage the case may change the action. As its owner you may change its state.",
                    )
                    .to_owned(),
            ))
        }
        Outcome::Stale => Err(ApiError::PreconditionFailed),
        Outcome::PastDue => {
            let mut extra = Extra::default();
            extra.fail_past_due();
            Err(ApiError::Validation(extra.0))
        }
        Outcome::Finished(s) => {
            let lang = crate::i18n::current();
            Err(ApiError::Conflict(format!(
                "{}: {}",
                lang.pick("Åtgärden är avslutad", "The action is finished"),
                s.label(lang)
            )))
        }
    }
}
