//! `GET /api/v1/costs/cases`: the cases with costs in a range, largest net first, a page at a
//! time — each with its cost view only — or all of them as CSV or XLSX.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::super::input::Checker;
use super::export::{self, ExportFormat};
use super::{default_range, dto, query, read_refused, tables, this_month};
use crate::auth::Caller;
use crate::domain::cost::BasisFilter;
use crate::domain::cost_period::{Month, PeriodKind, Range};
use crate::error::{ApiError, Problem};
use crate::i18n;
use crate::ops::costs::read::{self, CasesParams};
use crate::routes::cursor;
use crate::routes::responses::NotLoggedIn;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CasesQueryParams {
    /// First month of entries counted, `YYYY-MM` (default: 11 months back).
    #[param(value_type = Option<String>, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub from: Option<String>,
    /// Last month, `YYYY-MM` (default: this month).
    #[param(value_type = Option<String>, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub to: Option<String>,
    /// A unit id: cases whose entries count for it or its subtree.
    #[param(value_type = Option<String>, format = Uuid)]
    pub unit: Option<String>,
    #[param(value_type = Option<BasisFilter>)]
    pub basis: Option<String>,
    /// Page size, 1–100 (default 25; an export has every row).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// `json` (default), `csv` or `xlsx` (every case of the filter, at most
    /// `TILLBUD_COST_EXPORT_MAX_ROWS`).
    #[param(value_type = Option<String>, pattern = "^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

fn cursor(raw: &str) -> Option<(i64, String)> {
    let (net, id) = cursor::decode(raw)?;
    Some((
        net.parse().ok()?,
        uuid::Uuid::parse_str(&id).ok()?.to_string(),
    ))
}

impl CasesQueryParams {
    fn parse(self, now: Month) -> Result<(CasesParams, ExportFormat), ApiError> {
        let mut c = Checker::new();
        let (default_from, default_to) = default_range(PeriodKind::Month, now);
        let from = super::month(&mut c, "from", self.from).unwrap_or(default_from);
        let to = super::month(&mut c, "to", self.to).unwrap_or(default_to);
        let unit = super::unit(&mut c, self.unit);
        let basis = super::basis(&mut c, self.basis);
        let limit = super::limit(&mut c, self.limit);
        let after = super::param(&mut c, "cursor", self.cursor, |s| {
            cursor(&s).ok_or("format")
        });
        let format = super::param(&mut c, "format", self.format, |f| export::format(Some(&f)));
        c.finish()?;
        if let Err(e) = Range::new(PeriodKind::Month, from, to) {
            c = Checker::new();
            c.fail(e.field, e.code);
            c.finish()?;
        }
        let params = CasesParams {
            from,
            to,
            basis,
            unit,
            after,
            limit: limit + 1,
        };
        Ok((params, format.unwrap_or(ExportFormat::Json)))
    }
}

/// Cases with costs
///
/// Largest net first, with each case's cost view (reference, kind, unit, date, status,
/// title) — for finance's follow-up.
#[utoipa::path(
    tag = "costs",
    operation_id = "cost_cases",
    params(CasesQueryParams),
    responses(
        (status = 200, description = "A page of cases (JSON), or every case of the filter as CSV or XLSX with `format`.",
         content((dto::CostCaseList = "application/json"), (export::CsvFile = "text/csv"),
                 (export::XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        NotLoggedIn,
        (status = 403, description = "The caller has no rights to costs, or not to this unit's.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is not valid (or the export would be too large); `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy, or two exports are being built; try again.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/costs/cases")]
pub async fn cost_cases(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (mut params, format) = query::<CasesQueryParams>(&req)?.parse(this_month(&state))?;
    let refused = |e| read_refused(&caller, "cost_cases", e);
    let lang = i18n::current();
    if format != ExportFormat::Json {
        let rows = read::count_cost_cases(&state.db, &caller, params.clone())
            .await
            .map_err(refused)?;
        export::check_rows(rows, state.settings.cost_export_max_rows, lang)?;
        (params.after, params.limit) = (None, rows.max(1));
    }
    let page = (params.limit - 1).max(0) as usize;
    let (from, to) = (params.from.to_string(), params.to.to_string());
    let mut items: Vec<dto::CostCaseItem> = read::cost_cases(&state.db, &caller, params)
        .await
        .map_err(refused)?
        .into_iter()
        .map(|i| dto::case_item(i, lang))
        .collect();
    if format != ExportFormat::Json {
        return export::respond(tables::cases(&items, &from, &to, lang), format).await;
    }
    let next_cursor = (items.len() > page).then(|| {
        items.truncate(page);
        items.last().map(|l| cursor::encode(l.net_ore, &l.case.id))
    });
    let list = dto::CostCaseList {
        currency: dto::SEK.into(),
        items,
        next_cursor: next_cursor.flatten(),
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(list))
}
