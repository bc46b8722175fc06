//! The cost API: a case's entries, totals and claim; the finance desk's trends, lists and
//! exports. Handlers extract, call one use case in `ops::costs`, and map its answer.

pub mod add_entry;
pub mod cases;
pub mod claims;
pub mod dto;
pub mod export;
pub mod list_entries;
pub mod put_claim;
pub mod reverse_entry;
pub mod tables;
pub mod trends;
pub mod vocabulary;

use actix_web::HttpRequest;
use serde::de::DeserializeOwned;

use super::input::{self, Checker};
use crate::auth::Caller;
use crate::domain::calendar::stockholm_date;
use crate::domain::cost::BasisFilter;
use crate::domain::cost_period::{Month, PeriodKind};
use crate::error::ApiError;
use crate::i18n::Msg;
use crate::i18n::{self, Lang};
use crate::ops::costs::read::ReadError;
use crate::ops::costs::Attempt;
use crate::state::AppState;

/// This month in Stockholm.
pub fn this_month(state: &AppState) -> Month {
    Month::of(stockholm_date(state.clock.now()))
}

/// The query string as `T`; a malformed one (a parameter given twice, say) is a 422.
pub fn query<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, ApiError> {
    actix_web::web::Query::<T>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .map_err(|e| {
            tracing::debug!(error = %e, "unreadable cost query");
            ApiError::field(
                "query",
                "format",
                input::message("format", i18n::current(), None),
            )
        })
}

/// The `Idempotency-Key` and what it names: this user, this case (and entry), this body.
pub fn attempt(
    req: &HttpRequest,
    caller: &Caller,
    path: &str,
    body: &serde_json::Value,
) -> Result<Attempt, ApiError> {
    Ok(Attempt {
        key: super::idempotency::key(req)?,
        request_hash: crate::ops::idempotent::request_hash(&serde_json::json!({
            "user": caller.user_id, "path": path, "body": body,
        })),
    })
}

fn forbidden(caller: &Caller, what: &str, sv: &str, en: &str) -> ApiError {
    tracing::info!(user_id = %caller.user_id, action = what, "denied");
    ApiError::Forbidden(i18n::current().pick_owned(sv, en))
}

/// 403 for a case the caller may see but whose money they may not.
pub fn case_only(caller: &Caller, what: &str) -> ApiError {
    forbidden(
        caller,
        what,
        "Du kan se ärendet men inte dess kostnader.",
        "You may see this case but not its costs.",
    )
}

pub fn hidden(caller: &Caller, what: &str) -> ApiError {
    tracing::info!(user_id = %caller.user_id, action = what, "denied: not in scope");
    ApiError::NotFound
}

/// The words for a refused read.
pub fn read_refused(caller: &Caller, what: &str, e: ReadError) -> ApiError {
    match e {
        ReadError::Hidden => hidden(caller, what),
        ReadError::CaseOnly => case_only(caller, what),
        ReadError::NoCosts => forbidden(
            caller,
            what,
            "Du har inte behörighet till kostnader.",
            "You have no access to costs.",
        ),
        ReadError::UnitOutsideScope => forbidden(
            caller,
            what,
            "Enhetens kostnader ingår inte i din behörighet.",
            "The unit's costs are outside your access.",
        ),
        ReadError::UnknownUnit => ApiError::field(
            "unit",
            "unknown_org_unit",
            i18n::current().t(Msg::UnitUnknown),
        ),
        ReadError::Db(e) => e.into(),
    }
}

trait PickOwned {
    fn pick_owned(self, sv: &str, en: &str) -> String;
}

impl PickOwned for Lang {
    fn pick_owned(self, sv: &str, en: &str) -> String {
        match self {
            Lang::Sv => sv.to_owned(),
            Lang::En => en.to_owned(),
        }
    }
}

/// A parameter as given. One that is present but blank (`?unit=`) is refused, naming it, rather
/// than read as absent: a client that sends it meant something by it.
pub fn given(c: &mut Checker, field: &str, raw: Option<String>) -> Option<String> {
    match raw {
        Some(s) if s.trim().is_empty() => {
            c.fail(field, "empty");
            None
        }
        other => other,
    }
}

/// A parameter as given, parsed; blank is refused (see [`given`]).
pub fn param<T>(
    c: &mut Checker,
    field: &str,
    raw: Option<String>,
    parse: impl FnOnce(String) -> Result<T, &'static str>,
) -> Option<T> {
    let raw = given(c, field, raw);
    c.parse(field, raw, parse)
}

/// A `YYYY-MM` parameter.
pub fn month(c: &mut Checker, field: &str, raw: Option<String>) -> Option<Month> {
    param(c, field, raw, |s| Month::parse(&s))
}

/// A unit id parameter.
pub fn unit(c: &mut Checker, raw: Option<String>) -> Option<String> {
    param(c, "unit", raw, |s| {
        uuid::Uuid::parse_str(s.trim())
            .map(|u| u.to_string())
            .map_err(|_| "format")
    })
}

pub fn basis(c: &mut Checker, raw: Option<String>) -> BasisFilter {
    param(c, "basis", raw, |s| {
        s.trim()
            .parse::<BasisFilter>()
            .map_err(|()| "unknown_value")
    })
    .unwrap_or(BasisFilter::Actual)
}

/// The default range of a period kind, ending with the current one: 12 months, 8 quarters,
/// 5 years (the last to date).
pub fn default_range(kind: PeriodKind, now: Month) -> (Month, Month) {
    let back = |months: i32| {
        let index = now.year() * 12 + now.number() as i32 - 1 - months;
        Month::new(index.div_euclid(12), (index.rem_euclid(12) + 1) as u32).unwrap_or(now)
    };
    match kind {
        PeriodKind::Month => (back(11), now),
        PeriodKind::Quarter => {
            let end = Month::new(now.year(), now.quarter() * 3).unwrap_or(now);
            let start = back((now.number() as i32 - 1) % 3 + 21);
            (start, end)
        }
        PeriodKind::Year => (Month::new(now.year() - 4, 1).unwrap_or(now), now),
    }
}

/// `limit`: 1–100, 25 by default.
pub fn limit(c: &mut Checker, raw: Option<String>) -> i64 {
    param(c, "limit", raw, |s| match s.trim().parse::<i64>() {
        Ok(n) if (1..=100).contains(&n) => Ok(n),
        Ok(_) => Err("range"),
        Err(_) => Err("type"),
    })
    .unwrap_or(25)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_ranges_end_now() {
        let now = Month::parse("2026-11").unwrap();
        let show = |(a, b): (Month, Month)| format!("{a}..{b}");
        assert_eq!(
            show(default_range(PeriodKind::Month, now)),
            "2025-12..2026-11"
        );
        assert_eq!(
            show(default_range(PeriodKind::Quarter, now)),
            "2025-01..2026-12"
        );
        assert_eq!(
            show(default_range(PeriodKind::Year, now)),
            "2022-01..2026-11"
        );
        let jan = Month::parse("2026-01").unwrap();
        assert_eq!(
            show(default_range(PeriodKind::Quarter, jan)),
            "2024-04..2026-03"
        );
    }
}
