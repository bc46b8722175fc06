//! `POST /api/v1/incidents/{id}/costs`: a cost or recovery on a case (finance, the case's
//! manager, coordinators).

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::super::case_view::case_id;
use super::super::idempotency;
use super::super::input::{self, Checker, Lenient};
use super::{attempt, case_only, dto, hidden};
use crate::auth::Caller;
use crate::domain::calendar::stockholm_date;
use crate::domain::cost::{Basis, CostCategories};
use crate::domain::money::{Ore, MAX_AMOUNT};
use crate::error::{ApiError, Problem};
use crate::i18n;
use crate::ops::costs::add_entry::{self, AddEntryError, NewEntryInput, IDEMPOTENCY_SCOPE};
use crate::ops::costs::{earlier, Created};
use crate::routes::responses::{DatabaseBusy, JsonBodyErrors, NotLoggedIn};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCostEntry {
    /// One of the configured categories (`GET /api/v1/costs/categories`); its direction
    /// (cost or recovery) comes with it.
    #[serde(default)]
    #[schema(value_type = String, required = true)]
    pub category: Lenient<String>,
    /// Öre (SEK × 100), an integer above 0 — never a decimal number.
    #[serde(default)]
    #[schema(value_type = i64, minimum = 1, maximum = 10_000_000_000_000i64, required = true)]
    pub amount_ore: Lenient<i64>,
    /// `SEK` (the only currency); may be left out.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = "^SEK$")]
    pub currency: Lenient<String>,
    #[serde(default)]
    #[schema(value_type = Basis, required = true)]
    pub basis: Lenient<String>,
    /// The day the cost arose (Europe/Stockholm), not after today.
    #[serde(default)]
    #[schema(value_type = String, format = Date, required = true)]
    pub incurred_on: Lenient<String>,
    /// Verifikationsnummer in the ledger.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 50)]
    pub voucher_ref: Lenient<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub note: Lenient<String>,
}

/// The earliest day an entry may carry.
const EARLIEST: (i32, u32, u32) = (2000, 1, 1);

fn parse(
    r: NewCostEntry,
    categories: &CostCategories,
    today: NaiveDate,
) -> Result<NewEntryInput, ApiError> {
    let mut c = Checker::new();
    let category = c.value("category", r.category, true).and_then(|code| {
        let found = categories.find(code.trim()).cloned();
        if found.is_none() {
            c.fail("category", "unknown_value");
        }
        found
    });
    let amount = c.value("amount_ore", r.amount_ore, true);
    if amount.is_some_and(|a| a < 1 || a > MAX_AMOUNT.ore()) {
        c.fail("amount_ore", "range");
    }
    if c.value("currency", r.currency, false)
        .is_some_and(|cur| cur != "SEK")
    {
        c.fail("currency", "unknown_value");
    }
    let basis = c.value("basis", r.basis, true);
    let basis = c.parse("basis", basis, |b| {
        b.trim().parse::<Basis>().map_err(|()| "unknown_value")
    });
    let day = c.value("incurred_on", r.incurred_on, true);
    let earliest = NaiveDate::from_ymd_opt(EARLIEST.0, EARLIEST.1, EARLIEST.2).unwrap_or(today);
    let incurred_on = c.parse("incurred_on", day, |d| {
        match NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d") {
            Err(_) => Err("format"),
            Ok(d) if d > today => Err("in_future"),
            Ok(d) if d < earliest => Err("too_early"),
            Ok(d) => Ok(d),
        }
    });
    let voucher_ref = c.text("voucher_ref", r.voucher_ref, false, (1, 50), false);
    let note = c.text("note", r.note, false, (1, 1000), true);
    c.finish()?;
    let (Some(category), Some(amount), Some(basis), Some(incurred_on)) =
        (category, amount, basis, incurred_on)
    else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "checked fields missing"
        )));
    };
    Ok(NewEntryInput {
        direction: category.direction,
        category: category.code,
        basis,
        amount: Ore(amount),
        incurred_on,
        voucher_ref: voucher_ref.map(|t| t.as_str().to_owned()),
        note: note.map(|t| t.as_str().to_owned()),
    })
}

/// Add a cost entry to a case
///
/// Finance (group-wide or for granted subtrees), the case's manager and safety coordinators.
/// Entries are never changed afterwards: correct one by reversing it.
#[utoipa::path(
    tag = "costs",
    operation_id = "add_cost_entry",
    params(
        ("id" = String, Path, format = Uuid, description = "The case's id."),
        ("Idempotency-Key" = Option<String>, Header, format = Uuid, description = "A UUID made once per new entry, so that a retry writes nothing."),
    ),
    request_body(content = NewCostEntry, content_type = "application/json"),
    responses(
        (status = 201, description = "Stored, with the case's rollups. A retry with the same `Idempotency-Key` gets the first answer (with `Idempotent-Replayed: true`).", body = dto::EntryView),
        JsonBodyErrors,
        NotLoggedIn,
        (status = 403, description = "The caller may see the case but not its costs, or the request is cross-site.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case in the caller's scope.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fields are missing or invalid (every bad field is listed), or the `Idempotency-Key` was used for another request.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[post("/incidents/{id}/costs")]
pub async fn add_cost_entry(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let incident_id = case_id(&id)?;
    let body = input::read_body(&req, payload, input::JSON_LIMIT).await?;
    let value = input::parse_json_object(&req, &body)?;
    let attempt = attempt(&req, &caller, &format!("costs/{incident_id}"), &value)?;
    let ctx = state.ops();
    if let Some(answer) = earlier(&ctx, IDEMPOTENCY_SCOPE, &attempt).await? {
        return idempotency::respond(answer);
    }
    let categories = state.settings.cost_categories.clone();
    let today = stockholm_date(ctx.now);
    let entry = parse(input::from_object(value)?, &categories, today)?;
    let lang = i18n::current();
    let render = move |e: &_| {
        serde_json::to_string(&dto::entry_view(e, None, &categories, lang))
            .map_err(|e| e.to_string())
    };
    match add_entry::add_entry(&ctx, &caller, &incident_id, entry, attempt, render).await {
        Ok(Created::New(body)) => Ok(created(body)),
        Ok(Created::Earlier(answer)) => idempotency::respond(answer),
        Err(AddEntryError::Hidden) => Err(hidden(&caller, "add_cost_entry")),
        Err(AddEntryError::CaseOnly) => Err(case_only(&caller, "add_cost_entry")),
        Err(AddEntryError::Db(e)) => Err(e.into()),
    }
}

/// 201 with a stored entry's document.
pub fn created(body: String) -> HttpResponse {
    HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .content_type("application/json")
        .body(body)
}
