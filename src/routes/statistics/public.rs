//! `GET /api/v1/public/statistics`: the open statistics, no login. A stored document, cut to
//! one year: no request reads a case.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::super::costs::export::{self, ExportFormat};
use super::super::costs::query;
use super::super::input::Checker;
use super::public_tables;
use crate::domain::open_stats::OpenStatistics;
use crate::error::{ApiError, Problem};
use crate::i18n;
use crate::ops::statistics::public::{self as op, PublicError};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicQuery {
    /// The year (default: the latest); `years` in the answer lists those published.
    #[param(value_type = Option<String>, pattern = "^[0-9]{4}$")]
    pub year: Option<String>,
    /// `json` (default) or `csv` (`;`, decimal comma, UTF-8 with BOM).
    #[param(value_type = Option<String>, pattern = "^(json|csv)$")]
    pub format: Option<String>,
}

/// The open statistics of one year (the cost and Arbetsmiljöverket tables: every year).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicStatisticsView {
    pub municipality: String,
    pub licence: String,
    /// When the figures were computed from the cases (the date of the data).
    pub data_as_of: DateTime<Utc>,
    pub year: i32,
    pub currency: &'static str,
    #[serde(flatten)]
    pub statistics: OpenStatistics,
}

fn refused(e: PublicError) -> ApiError {
    let lang = i18n::current();
    match e {
        PublicError::NotYet => ApiError::Unavailable("the statistics are being computed".into()),
        PublicError::UnknownYear(years) => ApiError::field(
            "year",
            "unknown_value",
            lang.fill(
                i18n::Msg::StatisticsUnknownYear,
                &[(
                    "years",
                    &years
                        .iter()
                        .map(i32::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                )],
            ),
        ),
        PublicError::Db(e) => e.into(),
    }
}

fn parse(q: PublicQuery) -> Result<(Option<i32>, ExportFormat), ApiError> {
    let mut c = Checker::new();
    let year = c.parse("year", q.year, |s| {
        let t = s.trim();
        t.parse::<i32>()
            .ok()
            .filter(|_| t.len() == 4)
            .ok_or("format")
    });
    let format = c.parse("format", q.format, super::yearly::csv_or_json);
    c.finish()?;
    Ok((year, format.unwrap_or(ExportFormat::Json)))
}

/// Open statistics
///
/// Reports per month × kind × administration or company (never a smaller unit), the share
/// acknowledged within the deadline, events reportable to Arbetsmiljöverket and the net damage
/// cost per year. Counts below the threshold read `protected: small` with no value, and
/// enough other cells are hidden (`secondary`) that none can be recovered from the totals; a
/// cost sum where one case is over 80 % is `dominated`. No free text, no day-level dates.
#[utoipa::path(
    tag = "statistics",
    operation_id = "public_statistics",
    params(PublicQuery),
    responses(
        (status = 200, description = "The statistics (JSON), or the same tables as CSV with `format=csv`. Cached for five minutes.",
         content((PublicStatisticsView = "application/json"), (export::CsvFile = "text/csv"))),
        (status = 422, description = "A parameter is not valid; `errors` names it.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The statistics are being computed (just after the first start), or the database is busy.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/public/statistics")]
pub async fn public_statistics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (year, format) = parse(query::<PublicQuery>(&req)?)?;
    let stored = op::read(&state.db, year).await.map_err(refused)?;
    let settings = &state.settings.statistics;
    let view = PublicStatisticsView {
        municipality: settings.municipality_name.clone(),
        licence: settings.licence.clone(),
        data_as_of: stored.computed_at,
        year: year.unwrap_or_else(|| stored.statistics.years.last().copied().unwrap_or(0)),
        currency: "SEK",
        statistics: stored.statistics,
    };
    let mut ok = HttpResponse::Ok();
    ok.insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((
            header::LAST_MODIFIED,
            view.data_as_of.to_rfc2822().replace("+0000", "GMT"),
        ))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"));
    if format == ExportFormat::Json {
        return Ok(ok.json(view));
    }
    let lang = i18n::current();
    let bytes = export::csv(&public_tables::table(&view, lang));
    Ok(ok
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"statistik-{}.csv\"", view.year),
        ))
        .body(bytes))
}
