//! What the corrective-action operations share: the `Action` document, its ETag, `If-Match`,
//! and the checks of the fields a manager writes.

use actix_web::http::header;
use actix_web::HttpResponse;
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::input::{Checker, Lenient};
use super::labels::ActionStateLabel;
use crate::db::actions::ActionRow;
use crate::domain::action::{is_overdue, ActionState};
use crate::error::{ApiError, FieldError};
use crate::i18n::Msg;
use crate::i18n::{self, Lang};

/// A corrective action (åtgärd).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Action)]
pub struct ActionView {
    pub id: String,
    pub incident_id: String,
    /// The case's title, so a list of one's own actions makes sense without opening each case.
    pub incident_title: String,
    pub title: String,
    pub description: Option<String>,
    pub owner_email: String,
    /// `YYYY-MM-DD`, a Europe/Stockholm calendar date.
    #[schema(value_type = String, format = Date)]
    pub due_date: NaiveDate,
    /// The estimated cost in öre (1 SEK = 100 öre).
    pub cost_estimate_ore: Option<i64>,
    /// Always `SEK`.
    #[schema(example = "SEK")]
    pub currency: &'static str,
    pub state: ActionState,
    pub state_label: String,
    /// The states the action may move to next (`POST /actions/{id}/transitions`), by the
    /// workflow's rules, with their words; whether the caller may move it is `can_manage` on
    /// its case.
    pub allowed_transitions: Vec<ActionStateLabel>,
    /// Why it was cancelled (or other state change reason).
    pub state_reason: Option<String>,
    /// Planned or in progress, and the due date has passed (Stockholm calendar).
    pub overdue: bool,
    /// Send as `If-Match: "<version>"` when changing the action.
    pub version: i64,
    pub created_at: chrono::DateTime<Utc>,
    pub updated_at: chrono::DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionList {
    pub items: Vec<ActionView>,
}

/// A stored row as the API shows it, with `overdue` as of `today`.
pub fn view(row: ActionRow, today: NaiveDate) -> ActionView {
    view_in(row, today, i18n::current())
}

/// [`view`] in a given language (inside a blocking database task the request's language is
/// not at hand).
pub fn view_in(row: ActionRow, today: NaiveDate, lang: Lang) -> ActionView {
    let state: ActionState = row.state;
    ActionView {
        overdue: is_overdue(state, row.due_date, today),
        state_label: state.label(lang).to_owned(),
        allowed_transitions: state
            .allowed_next()
            .iter()
            .map(|&s| ActionStateLabel::new(s, lang))
            .collect(),
        state,
        id: row.id,
        incident_id: row.incident_id,
        incident_title: row.incident_title,
        title: row.title,
        description: row.description,
        owner_email: row.owner_email,
        due_date: row.due_date,
        cost_estimate_ore: row.cost_estimate_ore,
        currency: "SEK",
        state_reason: row.state_reason,
        version: row.version,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    }
}

/// An action answer with its ETag.
pub fn respond(mut builder: actix_web::HttpResponseBuilder, action: &ActionView) -> HttpResponse {
    builder
        .insert_header((header::ETAG, format!("\"{}\"", action.version)))
        .insert_header(("Cache-Control", "no-store"))
        .json(action)
}

pub use super::etag::if_match;

/// The most a single action's estimate may be: 10 000 000 000 öre (100 MSEK). Larger is
/// surely a typo (öre taken for kronor twice over).
pub const MAX_COST_ORE: i64 = 10_000_000_000;

/// Field errors with messages of their own (codes the shared messages do not know).
#[derive(Default)]
pub struct Extra(pub Vec<FieldError>);

impl Extra {
    pub fn fail(&mut self, field: &str, code: &str, sv: &str, en: &str) {
        let message = match i18n::current() {
            Lang::Sv => sv,
            Lang::En => en,
        };
        self.0.push(FieldError::new(field, code, message));
    }

    /// A due date before today.
    pub fn fail_past_due(&mut self) {
        self.fail(
            "due_date",
            "in_past",
            "Datumet har redan passerat.",
            "The date has already passed.",
        );
    }

    /// Every error of the request as one 422.
    pub fn finish(self, checker: Checker) -> Result<(), ApiError> {
        match checker.finish() {
            Err(ApiError::Validation(mut errors)) => {
                errors.extend(self.0);
                Err(ApiError::Validation(errors))
            }
            Err(other) => Err(other),
            Ok(()) if self.0.is_empty() => Ok(()),
            Ok(()) => Err(ApiError::Validation(self.0)),
        }
    }
}

/// A due date: `YYYY-MM-DD`, and (with `today`) not before today (Stockholm).
pub fn due_date(
    c: &mut Checker,
    extra: &mut Extra,
    v: Lenient<String>,
    required: bool,
    today: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let raw = c.value("due_date", v, required)?;
    let Ok(date) = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") else {
        c.fail("due_date", "format");
        return None;
    };
    if today.is_some_and(|today| date < today) {
        extra.fail_past_due();
        return None;
    }
    Some(date)
}

/// An estimate in öre: a whole number from 0.
pub fn cost(c: &mut Checker, v: Lenient<i64>) -> Option<i64> {
    let n = c.value("cost_estimate_ore", v, false)?;
    if !(0..=MAX_COST_ORE).contains(&n) {
        c.fail("cost_estimate_ore", "range");
        return None;
    }
    Some(n)
}

/// An owner address, stored lower-case like every address auth compares.
pub fn owner(c: &mut Checker, v: Lenient<String>, required: bool) -> Option<String> {
    if required && matches!(v, Lenient::Missing) {
        c.fail("owner_email", "required");
        return None;
    }
    c.email("owner_email", v)
        .map(|e| crate::auth::normalise_email(e.as_str()))
}

/// Problem details' `detail` when a step is not allowed: the allowed ones in words.
pub fn not_allowed_detail(from: ActionState, allowed: &[ActionState]) -> String {
    let lang = i18n::current();
    let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
    let list = if names.is_empty() {
        lang.t(Msg::NoneWord).to_owned()
    } else {
        names.join(", ")
    };
    match lang {
        Lang::Sv => format!(
            "Åtgärden är {} ({}). Tillåtna steg härifrån: {list}.",
            from.label(lang).to_lowercase(),
            from.as_str()
        ),
        Lang::En => format!(
            "The action is {} ({}). Allowed steps from here: {list}.",
            from.label(lang).to_lowercase(),
            from.as_str()
        ),
    }
}

/// Normalised text as stored.
pub fn text_of(t: Option<crate::domain::CleanText>) -> Option<String> {
    t.map(|t| t.as_str().to_owned())
}

/// 409 for a step the state machine does not have, with the allowed ones both in `detail`
/// and as the extension member `allowed` (RFC 9457 §3.2).
pub fn not_allowed(from: ActionState, allowed: &[ActionState]) -> HttpResponse {
    let problem = ApiError::Conflict(not_allowed_detail(from, allowed)).to_problem();
    let mut body = serde_json::to_value(&problem).unwrap_or_default();
    if let Some(map) = body.as_object_mut() {
        map.insert("allowed".into(), serde_json::json!(allowed));
    }
    HttpResponse::Conflict()
        .insert_header((header::CONTENT_TYPE, "application/problem+json"))
        .body(body.to_string())
}

/// Logs a refusal: the user id and what was refused, no other personal data.
pub fn denied(user_id: &str, operation: &str, action_or_case: &str, why: &str) {
    tracing::info!(user_id = %user_id, operation, target = %action_or_case, why, "denied");
}
