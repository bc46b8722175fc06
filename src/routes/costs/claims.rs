//! `GET /api/v1/costs/claims`: insurance claims by state (by default the pending ones: filed
//! or approved, not yet paid), the longest waiting first.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde::Deserialize;
use utoipa::IntoParams;

use super::super::input::Checker;
use super::{dto, query, read_refused};
use crate::auth::Caller;
use crate::domain::cost::ClaimState;
use crate::error::{ApiError, Problem};
use crate::i18n;
use crate::ops::costs::read::{self, ClaimsParams};
use crate::routes::cursor;
use crate::routes::responses::{DatabaseBusy, NotLoggedIn};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClaimsQueryParams {
    /// `pending` (default: `filed` and `approved`), or one of `filed`, `approved`, `paid`,
    /// `denied`, `none`.
    #[param(value_type = Option<String>, pattern = "^(pending|none|filed|approved|paid|denied)$")]
    pub state: Option<String>,
    /// A unit id: claims of cases in its subtree.
    #[param(value_type = Option<String>, format = Uuid)]
    pub unit: Option<String>,
    /// Page size, 1–100 (default 25).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

fn cursor(raw: &str) -> Option<(NaiveDateTime, String)> {
    let (nanos, id) = cursor::decode(raw)?;
    let at = chrono::DateTime::from_timestamp_nanos(nanos.parse().ok()?).naive_utc();
    Some((at, uuid::Uuid::parse_str(&id).ok()?.to_string()))
}

impl ClaimsQueryParams {
    fn parse(self) -> Result<ClaimsParams, ApiError> {
        let mut c = Checker::new();
        let states = super::param(&mut c, "state", self.state, |s| match s.trim() {
            "pending" => Ok(vec![ClaimState::Filed, ClaimState::Approved]),
            other => other
                .parse::<ClaimState>()
                .map(|s| vec![s])
                .map_err(|()| "unknown_value"),
        })
        .unwrap_or_else(|| vec![ClaimState::Filed, ClaimState::Approved]);
        let unit = super::unit(&mut c, self.unit);
        let limit = super::limit(&mut c, self.limit);
        let after = super::param(&mut c, "cursor", self.cursor, |s| {
            cursor(&s).ok_or("format")
        });
        c.finish()?;
        Ok(ClaimsParams {
            states,
            unit,
            after,
            limit: limit + 1,
        })
    }
}

/// Insurance claims
///
/// For finance and safety coordinators: claims with their case's cost view, what has been
/// recovered so far and what is still outstanding.
#[utoipa::path(
    tag = "costs",
    operation_id = "cost_claims",
    params(ClaimsQueryParams),
    responses(
        (status = 200, description = "A page of claims.", body = dto::ClaimList),
        NotLoggedIn,
        (status = 403, description = "The caller does not handle claims, or not this unit's.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is not valid; `errors` names it.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[get("/costs/claims")]
pub async fn cost_claims(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let params = query::<ClaimsQueryParams>(&req)?.parse()?;
    let page = (params.limit - 1) as usize;
    let lang = i18n::current();
    let mut items: Vec<dto::ClaimItemView> = read::claims(&state.db, &caller, params)
        .await
        .map_err(|e| read_refused(&caller, "cost_claims", e))?
        .into_iter()
        .map(|i| dto::claim_item(i, lang))
        .collect();
    let next_cursor = (items.len() > page).then(|| {
        items.truncate(page);
        items.last().and_then(|l| {
            let at = l.claim.updated_at?.timestamp_nanos_opt()?;
            Some(cursor::encode(at, &l.case.id))
        })
    });
    let list = dto::ClaimList {
        currency: dto::SEK.into(),
        items,
        next_cursor: next_cursor.flatten(),
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(list))
}
