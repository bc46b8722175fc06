//! `GET /api/v1/incidents`: the cases the caller may read, filtered, newest first, a page at
//! a time (keyset pagination on `created_at desc, id desc`).

use std::str::FromStr;

use crate::routes::cursor;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::db::access;
use crate::db::cases::{self, DutyFilter, ListFilter};
use crate::domain::calendar::from_stockholm;
use crate::domain::risk::RiskLevel;
use crate::domain::{IncidentKind, IncidentStatus};
use crate::error::{ApiError, Problem};
use crate::routes::case_view::{self, CaseListItem};
use crate::routes::input::{self, Checker};
use crate::routes::responses::{DatabaseBusy, NotLoggedIn};
use crate::state::AppState;

/// Every filter is optional; unknown values are 422 with the field named.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only cases in this status.
    #[param(value_type = Option<IncidentStatus>)]
    pub state: Option<String>,
    /// Only this kind of report.
    #[param(value_type = Option<IncidentKind>)]
    pub kind: Option<String>,
    /// An org unit id: cases of that unit and everything below it.
    #[param(value_type = Option<String>, format = Uuid)]
    pub unit: Option<String>,
    /// Reported on or after this day (Europe/Stockholm).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Reported on or before this day (Europe/Stockholm).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
    #[param(value_type = Option<RiskLevel>)]
    pub risk_level: Option<String>,
    /// `due` or `overdue`: cases with a legal duty in that state.
    #[param(value_type = Option<String>, pattern = "^(due|overdue)$")]
    pub duty: Option<String>,
    /// Text to find in the title (case-insensitive).
    #[param(value_type = Option<String>, max_length = 200)]
    pub q: Option<String>,
    /// Page size, 1–100 (default 25).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    /// Staff get each case's summary; an employee gets the reporter's view of their own.
    pub items: Vec<CaseListItem>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

fn encode_cursor(at: NaiveDateTime, id: &str) -> String {
    let nanos = at.and_utc().timestamp_nanos_opt().unwrap_or_default();
    cursor::encode(nanos, id)
}

fn decode_cursor(raw: &str) -> Option<(NaiveDateTime, String)> {
    let (nanos, id) = cursor::decode(raw)?;
    let at = chrono::DateTime::from_timestamp_nanos(nanos.parse().ok()?).naive_utc();
    let id = uuid::Uuid::parse_str(&id).ok()?.to_string();
    Some((at, id))
}

fn day(s: &str) -> Result<NaiveDate, &'static str> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| "format")
}

fn start_of(d: NaiveDate) -> NaiveDateTime {
    from_stockholm(d.and_time(chrono::NaiveTime::MIN)).naive_utc()
}

impl ListQuery {
    /// An empty `cursor` or `q` (`?cursor=`, as a form sends it) counts as not given; an empty
    /// value of a typed filter is refused like any other bad value.
    fn drop_empty(self) -> ListQuery {
        let keep = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        ListQuery {
            q: keep(self.q),
            cursor: keep(self.cursor),
            ..self
        }
    }

    fn parse(self) -> Result<(ListFilter, i64), ApiError> {
        let this = self.drop_empty();
        let mut c = Checker::new();
        let enum_of = |s: String| -> Result<String, &'static str> { Ok(s.trim().to_owned()) };
        let status = c.parse("state", this.state.map(enum_of), |s| {
            s.and_then(|s| IncidentStatus::from_str(&s).map_err(|()| "unknown_value"))
        });
        let kind = c.parse("kind", this.kind.map(enum_of), |s| {
            s.and_then(|s| IncidentKind::from_str(&s).map_err(|()| "unknown_value"))
        });
        let unit = c.parse("unit", this.unit, |s| {
            uuid::Uuid::parse_str(s.trim())
                .map(|u| u.to_string())
                .map_err(|_| "format")
        });
        let from = c.parse("from", this.from, |s| day(&s));
        let to = c.parse("to", this.to, |s| day(&s));
        let risk_level = c.parse("risk_level", this.risk_level, |s| {
            RiskLevel::from_str(s.trim()).map_err(|()| "unknown_value")
        });
        let duty = c.parse("duty", this.duty, |s| match s.trim() {
            "due" => Ok(DutyFilter::Due),
            "overdue" => Ok(DutyFilter::Overdue),
            _ => Err("unknown_value"),
        });
        let q = c.parse("q", this.q, |s| {
            let s = s.trim().to_lowercase();
            if s.chars().count() > 200 {
                Err("length")
            } else if s.chars().any(char::is_control) {
                Err("control_character")
            } else {
                Ok(s)
            }
        });
        let limit = c.parse("limit", this.limit, |s| match s.trim().parse::<i64>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            Ok(_) => Err("range"),
            Err(_) => Err("type"),
        });
        let after = c.parse("cursor", this.cursor, |s| decode_cursor(&s).ok_or("format"));
        c.finish()?;
        let limit = limit.unwrap_or(25);
        Ok((
            ListFilter {
                status,
                kind,
                unit,
                from: from.map(start_of),
                // Inclusive day: up to the start of the next one.
                to: to.and_then(|d| d.succ_opt()).map(start_of),
                risk_level,
                duty,
                q: q.filter(|q| !q.is_empty()),
                limit: limit + 1,
                after,
            },
            limit,
        ))
    }
}

/// List cases
///
/// The cases the caller may read (their units' subtrees; all for a safety coordinator; their
/// own reports for an employee), newest first.
#[utoipa::path(
    tag = "cases",
    operation_id = "list_incidents",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of cases.", body = CaseList),
        NotLoggedIn,
        (status = 422, description = "A filter is not valid (or given twice); `errors` names each.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[get("/incidents")]
pub async fn list_incidents(
    req: HttpRequest,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Parsed here, after the login check, so that a caller without one always gets 401 and a
    // malformed query string (e.g. a filter given twice) is a 422 like any other bad filter.
    let query = web::Query::<ListQuery>::from_query(req.query_string()).map_err(|e| {
        tracing::debug!(error = %e, "unreadable list query");
        ApiError::field(
            "query",
            "format",
            input::message("format", crate::i18n::current(), None),
        )
    })?;
    let (filter, page) = query.into_inner().parse()?;
    let now = state.clock.now();
    let (rows, staff) = state
        .db
        .read(move |c| {
            let rows = cases::list(c, access::readable(&caller), &filter, now.naive_utc())?;
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            // Which of them the caller reads as staff; the others are their own reports.
            let staff = cases::passing(c, &ids, access::staff_readable(&caller))?;
            Ok((cases::decorate(c, rows)?, staff))
        })
        .await?;
    let more = rows.len() as i64 > page;
    let shown = &rows[..rows.len().min(page as usize)];
    let next_cursor = if more {
        shown
            .last()
            .map(|l| encode_cursor(l.row.created_at, &l.row.id))
    } else {
        None
    };
    let items = shown
        .iter()
        .map(|c| case_view::list_item(c, staff.contains(&c.row.id), now))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(CaseList { items, next_cursor }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let at = chrono::DateTime::from_timestamp(1_764_000_000, 123_456_789)
            .unwrap()
            .naive_utc();
        let id = uuid::Uuid::now_v7().to_string();
        assert_eq!(decode_cursor(&encode_cursor(at, &id)), Some((at, id)));
        assert_eq!(decode_cursor("not a cursor"), None);
    }
}
