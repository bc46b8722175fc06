//! `GET /api/v1/costs/trends`: costs, recoveries, net and cases per month, quarter or year,
//! for a unit's subtree, broken down by category, kind or child unit, with the same period a
//! year earlier beside each — as JSON, CSV or XLSX.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::super::input::Checker;
use super::export::{self, ExportFormat};
use super::{default_range, dto, query, read_refused, tables, this_month};
use crate::auth::Caller;
use crate::domain::cost::BasisFilter;
use crate::domain::cost_period::{GroupBy, Month, PeriodKind, Range, RangeError};
use crate::domain::cost_trend::TrendQuery;
use crate::error::{ApiError, Problem};
use crate::i18n::Msg;
use crate::i18n::{self, Lang};
use crate::ops::costs::read::{self, Source, TrendParams};
use crate::routes::responses::NotLoggedIn;
use crate::state::AppState;

/// Every parameter is optional.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendQueryParams {
    /// `month` (default), `quarter` or `year`.
    #[param(value_type = Option<PeriodKind>)]
    pub period: Option<String>,
    /// First month, `YYYY-MM`. Quarters start in January, April, July or October; years in
    /// January. Default: 12 months, 8 quarters or 5 years back.
    #[param(value_type = Option<String>, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub from: Option<String>,
    /// Last month, `YYYY-MM` (default: this month; for quarters the current quarter's last).
    /// Quarters end in March, June, September or December; a year may end in any month and
    /// is then a year to date, compared with the same months a year earlier. At most 20 years.
    #[param(value_type = Option<String>, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub to: Option<String>,
    /// A unit id: that unit and its whole subtree. Default: everything the caller may see.
    #[param(value_type = Option<String>, format = Uuid)]
    pub unit: Option<String>,
    /// `none` (default), `category`, `kind`, or `unit` (the unit's direct children, each with
    /// its subtree, and the unit's own cases).
    #[param(value_type = Option<GroupBy>)]
    pub group_by: Option<String>,
    /// `actual` (default), `estimate` or `both`.
    #[param(value_type = Option<BasisFilter>)]
    pub basis: Option<String>,
    /// `json` (default), `csv` (Swedish Excel) or `xlsx`.
    #[param(value_type = Option<String>, pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

fn range_error(e: RangeError, lang: Lang) -> ApiError {
    let message = match e.code {
        "before_from" => lang.t(Msg::CostRangeBeforeFrom),
        "range" => lang.t(Msg::CostRangeTooLong),
        "period_start" => lang.t(Msg::CostRangePeriodStart),
        _ => lang.t(Msg::CostRangePeriodEnd),
    };
    ApiError::field(e.field, e.code, message)
}

impl TrendQueryParams {
    fn parse(self, now: Month) -> Result<(TrendParams, ExportFormat), ApiError> {
        let mut c = Checker::new();
        let kind = super::param(&mut c, "period", self.period, |s| {
            s.trim().parse::<PeriodKind>().map_err(|()| "unknown_value")
        })
        .unwrap_or(PeriodKind::Month);
        let group_by = super::param(&mut c, "group_by", self.group_by, |s| {
            s.trim().parse::<GroupBy>().map_err(|()| "unknown_value")
        })
        .unwrap_or(GroupBy::None);
        let (default_from, default_to) = default_range(kind, now);
        let from = super::month(&mut c, "from", self.from).unwrap_or(default_from);
        let to = super::month(&mut c, "to", self.to).unwrap_or(default_to);
        let unit = super::unit(&mut c, self.unit);
        let basis = super::basis(&mut c, self.basis);
        let format = super::param(&mut c, "format", self.format, |f| export::format(Some(&f)));
        c.finish()?;
        let range = Range::new(kind, from, to).map_err(|e| range_error(e, i18n::current()))?;
        let query = TrendQuery {
            range,
            group_by,
            basis,
        };
        Ok((
            TrendParams { query, unit },
            format.unwrap_or(ExportFormat::Json),
        ))
    }
}

/// Cost trends
///
/// For finance (group-wide or granted subtrees), managers (their subtrees) and safety
/// coordinators. Read from rollups kept in the same transaction as every entry; equal, öre
/// for öre, to a plain sum over the entries.
#[utoipa::path(
    tag = "costs",
    operation_id = "cost_trends",
    params(TrendQueryParams),
    responses(
        (status = 200, description = "The trend (JSON), or the same rows as a CSV or XLSX download with `format`.",
         content((dto::TrendView = "application/json"), (export::CsvFile = "text/csv"),
                 (export::XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotLoggedIn,
        (status = 403, description = "The caller has no rights to costs, or not to this unit's.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is not valid (or the export would be too large); `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy, or two exports are being built; try again.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/costs/trends")]
pub async fn cost_trends(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (params, format) = query::<TrendQueryParams>(&req)?.parse(this_month(&state))?;
    let categories = &state.settings.cost_categories;
    let answer = read::trends(&state.db, &caller, params, categories, Source::Rollups)
        .await
        .map_err(|e| read_refused(&caller, "cost_trends", e))?;
    let lang = i18n::current();
    let view = dto::trend_view(answer, categories, lang);
    if format == ExportFormat::Json {
        return Ok(HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(view));
    }
    export::check_rows(
        tables::trend_rows(&view),
        state.settings.cost_export_max_rows,
        lang,
    )?;
    export::respond(tables::trend(&view, lang), format).await
}
