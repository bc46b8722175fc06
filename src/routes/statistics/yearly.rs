//! `GET /api/v1/reports/yearly`: the yearly follow-up of a unit's subtree, as JSON or CSV.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::super::costs::export::{self, ExportFormat};
use super::super::costs::{query, this_month};
use super::super::input::Checker;
use super::view::{self, DeadlinesView, Frame, YearlyReportView};
use super::yearly_tables;
use crate::auth::Caller;
use crate::domain::cost_period::Month;
use crate::domain::legal_duty::DEADLINE;
use crate::domain::yearly::{Period, PeriodError};
use crate::error::{ApiError, Problem};
use crate::i18n::{self, Lang, Msg};
use crate::ops::statistics::yearly::{self as op, YearlyError, YearlyParams};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearlyQuery {
    /// A calendar year (default: this year, to date). Not with `from`/`to`.
    #[param(value_type = Option<String>, pattern = "^[0-9]{4}$")]
    pub year: Option<String>,
    /// First month `YYYY-MM` of another period (with `to`; at most 24 months).
    #[param(value_type = Option<String>, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub from: Option<String>,
    /// Last month `YYYY-MM` (with `from`).
    #[param(value_type = Option<String>, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub to: Option<String>,
    /// A unit id: that unit with its subtree. Default: the group (coordinators), else the
    /// caller's own subtree.
    #[param(value_type = Option<String>, format = Uuid)]
    pub unit: Option<String>,
    /// `json` (default) or `csv` (Swedish Excel: `;`, decimal comma, UTF-8 with BOM).
    #[param(value_type = Option<String>, pattern = "^(json|csv)$")]
    pub format: Option<String>,
}

fn year(s: String) -> Result<i32, &'static str> {
    let t = s.trim();
    let y: i32 = t.parse().map_err(|_| "format")?;
    (t.len() == 4 && (1970..=9999).contains(&y))
        .then_some(y)
        .ok_or("format")
}

/// `json` or `csv`; given empty is not "absent" but a bad value, as the pattern says.
pub fn csv_or_json(f: String) -> Result<ExportFormat, &'static str> {
    match f.trim() {
        "json" => Ok(ExportFormat::Json),
        "csv" => Ok(ExportFormat::Csv),
        _ => Err("unknown_value"),
    }
}

fn month(s: String) -> Result<Month, &'static str> {
    Month::parse(&s)
}

fn unit_id(s: String) -> Result<String, &'static str> {
    uuid::Uuid::parse_str(s.trim())
        .map(|u| u.to_string())
        .map_err(|_| "format")
}

impl YearlyQuery {
    fn parse(self, now: Month) -> Result<(YearlyParams, ExportFormat), ApiError> {
        let mut c = Checker::new();
        // A parameter given empty is refused like any other value that breaks its pattern.
        let y = c.parse("year", self.year, year);
        let from = c.parse("from", self.from, month);
        let to = c.parse("to", self.to, month);
        let unit = c.parse("unit", self.unit, unit_id);
        let format = c.parse("format", self.format, csv_or_json);
        if from.is_some() != to.is_some() {
            c.fail(if from.is_some() { "to" } else { "from" }, "required");
        }
        c.finish()?;
        if y.is_some() && from.is_some() {
            return Err(ApiError::field(
                "year",
                "conflict",
                i18n::current().t(Msg::YearlyYearOrRange),
            ));
        }
        let period = match (y, from, to) {
            (_, Some(f), Some(t)) => Period::new(f, t).map_err(period_error)?,
            (y, _, _) => Period::year(y.unwrap_or(now.year()))
                .ok_or_else(|| period_error(PeriodError::BeforeFrom))?,
        };
        Ok((
            YearlyParams { period, unit },
            format.unwrap_or(ExportFormat::Json),
        ))
    }
}

fn period_error(e: PeriodError) -> ApiError {
    let lang = i18n::current();
    match e {
        PeriodError::BeforeFrom => {
            ApiError::field("to", "before_from", lang.t(Msg::YearlyBeforeFrom))
        }
        PeriodError::TooLong => ApiError::field("to", "range", lang.t(Msg::YearlyTooLong)),
    }
}

fn refused(caller: &Caller, e: YearlyError) -> ApiError {
    let lang = i18n::current();
    tracing::info!(user_id = %caller.user_id, reason = %e, "yearly follow-up refused");
    match e {
        YearlyError::Nothing => ApiError::Forbidden(lang.t(Msg::YearlyNoFollowUp).to_owned()),
        YearlyError::OutsideScope => {
            ApiError::Forbidden(lang.t(Msg::YearlyOutsideScope).to_owned())
        }
        YearlyError::UnknownUnit => {
            ApiError::field("unit", "unknown_org_unit", lang.t(Msg::YearlyUnknownUnit))
        }
        YearlyError::Db(e) => e.into(),
    }
}

fn frame(state: &AppState) -> Frame {
    Frame {
        municipality: state.settings.statistics.municipality_name.clone(),
        generated_at: state.clock.now(),
        deadlines: DeadlinesView {
            serious_hours: state.settings.mail.deadline_serious_hours,
            working_days: state.settings.mail.deadline_working_days,
            legal_duty_hours: DEADLINE.num_hours(),
        },
    }
}

/// The yearly follow-up
///
/// "Resultatet av arbetet ska årligen utvärderas och redovisas": the vision lines, reporting
/// culture, handling, legal duties, corrective actions, costs and each child unit side by
/// side, for a year (or 1–24 whole months) and a unit with its subtree. Coordinators any
/// unit, managers their subtrees, finance the cost sections only (`cases` absent).
#[utoipa::path(
    tag = "statistics",
    operation_id = "yearly_report",
    params(YearlyQuery),
    responses(
        (status = 200, description = "The follow-up (JSON), or the same figures as a CSV download with `format=csv`.",
         content((YearlyReportView = "application/json"), (export::CsvFile = "text/csv"))),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller has no follow-up, or not of this unit.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is not valid; `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy; try again.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/yearly")]
pub async fn yearly_report(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (params, format) = query::<YearlyQuery>(&req)?.parse(this_month(&state))?;
    let settings = &state.settings.statistics;
    let answer = op::yearly(&state.db, &caller, params, settings, state.clock.now())
        .await
        .map_err(|e| refused(&caller, e))?;
    let lang: Lang = i18n::current();
    let view = view::view(answer, frame(&state), lang);
    if format == ExportFormat::Json {
        return Ok(HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(view));
    }
    export::respond(yearly_tables::table(&view, lang), format).await
}
