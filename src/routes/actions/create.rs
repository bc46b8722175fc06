//! `POST /api/v1/incidents/{id}/actions`: a corrective action on a case; the rules (and the
//! owner's mail, in the same transaction) are in `ops::actions::create`.

use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::action_id;
use crate::auth::Caller;
use crate::domain::calendar::stockholm_date;
use crate::error::{ApiError, Problem};
use crate::i18n::Msg;
use crate::ops::actions::create::{Attempt, Created};
use crate::ops::actions::{self as ops, CreateActionError, NewActionInput};
use crate::routes::action_dto::{self, ActionView, Extra};
use crate::routes::idempotency;
use crate::routes::input::{self, Checker, Lenient};
use crate::routes::responses::{DatabaseBusy, JsonBodyErrors, NotLoggedIn};
use crate::state::AppState;

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
        JsonBodyErrors,
        NotLoggedIn,
        (status = 403, description = "The caller may read the case but not manage it, or the request is cross-site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case in the caller's scope.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed, rejected or a duplicate.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fields are missing or invalid (every bad field is listed), or the `Idempotency-Key` was used for another request.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
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
    // Not found is not found, whatever the body (the id is a case's, parsed like an action's).
    let incident_id = action_id(&id)?;
    let key = idempotency::key(&req)?;
    let body = input::read_body(&req, payload, input::JSON_LIMIT).await?;
    let value = input::parse_json_object(&req, &body)?;
    // The same key from another user or for another case is another request.
    let request_hash = crate::ops::idempotent::request_hash(&serde_json::json!({
        "user": caller.user_id, "incident": incident_id, "body": value,
    }));
    let ctx = state.ops();
    let attempt = Attempt { key, request_hash };
    // An earlier answer under the key comes before any check of the body.
    let (today, lang) = (stockholm_date(ctx.now), crate::i18n::current());
    let render = move |row| {
        let view: ActionView = action_dto::view_in(row, today, lang);
        serde_json::to_string(&view)
            .map(|json| (json, view.version))
            .map_err(|e| e.to_string())
    };
    let input = match ops::create::earlier(&ctx, &attempt).await? {
        Some(earlier) => return idempotency::respond(earlier),
        None => input::from_object::<CreateAction>(value)?.check(today)?,
    };
    match ops::create_action(&ctx, &caller, &incident_id, input, attempt, render).await {
        Ok(Created::New { body, version }) => Ok(HttpResponse::Created()
            .insert_header((actix_web::http::header::ETAG, format!("\"{version}\"")))
            .insert_header(("Cache-Control", "no-store"))
            .content_type("application/json")
            .body(body)),
        Ok(Created::Earlier(earlier)) => idempotency::respond(earlier),
        Err(e) => Err(refusal(e, &caller, &incident_id)),
    }
}

impl CreateAction {
    /// Every bad field at once (422), or the new action.
    fn check(self, today: chrono::NaiveDate) -> Result<NewActionInput, ApiError> {
        let mut c = Checker::new();
        let mut extra = Extra::default();
        let title = c.text("title", self.title, true, (3, 200), false);
        let description = c.text("description", self.description, false, (1, 5000), true);
        let owner = action_dto::owner(&mut c, self.owner_email, true);
        let due = action_dto::due_date(&mut c, &mut extra, self.due_date, true, Some(today));
        let cost = action_dto::cost(&mut c, self.cost_estimate_ore);
        extra.finish(c)?;
        let (Some(title), Some(owner_email), Some(due_date)) = (title, owner, due) else {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "checked fields missing"
            )));
        };
        Ok(NewActionInput {
            title: title.as_str().to_owned(),
            description: action_dto::text_of(description),
            owner_email,
            due_date,
            cost_estimate_ore: cost,
        })
    }
}

/// The answer to a refused action, with the refusal logged.
fn refusal(e: CreateActionError, caller: &Caller, incident_id: &str) -> ApiError {
    let lang = crate::i18n::current();
    match e {
        CreateActionError::Hidden => {
            action_dto::denied(
                &caller.user_id,
                "create_action",
                incident_id,
                "not in scope",
            );
            ApiError::NotFound
        }
        CreateActionError::ReadOnly => {
            action_dto::denied(&caller.user_id, "create_action", incident_id, "read only");
            ApiError::Forbidden(lang.t(Msg::ActionCreateReadOnly).to_owned())
        }
        CreateActionError::Closed(status) => ApiError::Conflict(format!(
            "{}: {}",
            lang.t(Msg::ActionCaseNotOpen),
            status.label(lang)
        )),
        CreateActionError::Render(why) => ApiError::Internal(anyhow::anyhow!(why)),
        CreateActionError::Db(e) => e.into(),
    }
}
