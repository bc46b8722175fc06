//! `PATCH /api/v1/actions/{id}`: change a corrective action's fields (If-Match); the rules
//! are in `ops::actions::update`.

use actix_web::{patch, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::action_id;
use crate::auth::Caller;
use crate::domain::calendar::stockholm_date;
use crate::error::{ApiError, Problem};
use crate::i18n::Msg;
use crate::ops::actions::{self as ops, ActionEdit, UpdateActionError};
use crate::routes::action_dto::{self, ActionView, Extra};
use crate::routes::input::{self, Checker, Lenient, Patch};
use crate::routes::responses::{DatabaseBusy, IfMatchRequired, JsonBodyErrors, NotLoggedIn};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateAction {
    #[serde(default)]
    #[schema(value_type = Option<String>, min_length = 3, max_length = 200)]
    pub title: Lenient<String>,
    /// `null` or `""` clears it.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub description: Patch<String>,
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
    pub cost_estimate_ore: Patch<i64>,
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
        JsonBodyErrors,
        NotLoggedIn,
        (status = 403, description = "The caller may see the action (owner, reader of the case) but not change it, or the request is cross-site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such action visible to the caller.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The action is verified or cancelled.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Someone changed the action since the caller read it; nothing was written.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fields are invalid; every bad field is listed.", body = Problem, content_type = "application/problem+json"),
        IfMatchRequired,
        DatabaseBusy,
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
    let id = action_id(&id)?;
    let expected = action_dto::if_match(&req)?;
    let request: UpdateAction = input::json_body(&req, payload).await?;
    let edit = request.check()?;
    let ctx = state.ops();
    match ops::update_action(&ctx, &caller, &id, expected, edit).await {
        Ok(row) => {
            let view: ActionView = action_dto::view(row, stockholm_date(ctx.now));
            Ok(action_dto::respond(HttpResponse::Ok(), &view))
        }
        Err(e) => Err(refusal(e, &caller, &id)),
    }
}

impl UpdateAction {
    /// Every bad field at once (422), or the edit: `null` (or `""`) clears the description
    /// and `null` the estimate; an absent field stays as it is.
    fn check(self) -> Result<ActionEdit, ApiError> {
        let mut c = Checker::new();
        let mut extra = Extra::default();
        let clear_description = self.description.is_null()
            || matches!(&self.description, Patch::Value(s) if s.trim().is_empty());
        let clear_cost = self.cost_estimate_ore.is_null();
        let title = c.text("title", self.title, false, (3, 200), false);
        let description = c.text(
            "description",
            self.description.into_lenient(),
            false,
            (1, 5000),
            true,
        );
        let owner_email = action_dto::owner(&mut c, self.owner_email, false);
        // A past date is checked in the use case, and only if it is a change.
        let due_date = action_dto::due_date(&mut c, &mut extra, self.due_date, false, None);
        let cost = action_dto::cost(&mut c, self.cost_estimate_ore.into_lenient());
        extra.finish(c)?;
        Ok(ActionEdit {
            title: action_dto::text_of(title),
            description: match action_dto::text_of(description) {
                Some(d) => Some(Some(d)),
                None if clear_description => Some(None),
                None => None,
            },
            owner_email,
            due_date,
            cost_estimate_ore: match cost {
                Some(n) => Some(Some(n)),
                None if clear_cost => Some(None),
                None => None,
            },
        })
    }
}

/// The answer to a refused change, with the refusal logged.
fn refusal(e: UpdateActionError, caller: &Caller, id: &str) -> ApiError {
    let lang = crate::i18n::current();
    match e {
        UpdateActionError::Hidden => {
            action_dto::denied(&caller.user_id, "update_action", id, "not visible");
            ApiError::NotFound
        }
        UpdateActionError::ReadOnly => {
            action_dto::denied(
                &caller.user_id,
                "update_action",
                id,
                "may not manage the case",
            );
            ApiError::Forbidden(lang.t(Msg::ActionUpdateReadOnly).to_owned())
        }
        UpdateActionError::Stale => ApiError::PreconditionFailed,
        UpdateActionError::PastDue => {
            let mut extra = Extra::default();
            extra.fail_past_due();
            ApiError::Validation(extra.0)
        }
        UpdateActionError::Finished(s) => ApiError::Conflict(format!(
            "{}: {}",
            lang.t(Msg::ActionFinished),
            s.label(lang)
        )),
        UpdateActionError::Db(e) => e.into(),
    }
}
