//! `GET /api/v1/actions`: the caller's own actions (`owner=me`), or the actions of every case
//! they read as staff; by state, soonest due first, cursor-paginated.

use crate::routes::cursor;
use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::db::actions::{self as actions_db, ListQuery, StateFilter};
use crate::domain::calendar::stockholm_date;
use crate::error::{ApiError, Problem};
use crate::routes::action_dto::{self, ActionView};
use crate::routes::input::Checker;
use crate::routes::responses::{DatabaseBusy, NotLoggedIn};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionQuery {
    /// `me`: only the actions the caller owns (whether or not they may read the case).
    #[param(example = "me")]
    pub owner: Option<String>,
    /// An action state, or `open` (neither verified nor cancelled), or `overdue` (planned or
    /// in progress past the due date).
    #[param(example = "overdue")]
    pub state: Option<String>,
    /// 1–100, default 25.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionPage {
    pub items: Vec<ActionView>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The query's parameters, checked.
struct Checked {
    own: bool,
    filter: StateFilter,
    limit: i64,
    after: Option<(String, String)>,
}

impl ActionQuery {
    /// Every bad parameter at once, as the other lists do.
    fn check(self) -> Result<Checked, ApiError> {
        let mut c = Checker::new();
        let own = match self.owner.as_deref() {
            None | Some("") => false,
            Some("me") => true,
            Some(_) => {
                c.fail("owner", "unknown_value");
                false
            }
        };
        let filter = match self.state.as_deref() {
            None | Some("") => Some(StateFilter::Any),
            Some("open") => Some(StateFilter::Open),
            Some("overdue") => Some(StateFilter::Overdue),
            Some(s) => s.parse().ok().map(StateFilter::Is),
        };
        if filter.is_none() {
            c.fail("state", "unknown_value");
        }
        let limit = match self.limit.as_deref() {
            None | Some("") => Some(25),
            Some(s) => s
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=100).contains(n)),
        };
        if limit.is_none() {
            c.fail("limit", "range");
        }
        let after = match self.cursor.as_deref() {
            None | Some("") => None,
            Some(raw) => {
                let decoded = cursor::decode(raw);
                if decoded.is_none() {
                    c.fail("cursor", "format");
                }
                decoded
            }
        };
        c.finish()?;
        let (Some(filter), Some(limit)) = (filter, limit) else {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "checked parameters missing"
            )));
        };
        Ok(Checked {
            own,
            filter,
            limit,
            after,
        })
    }
}

/// Corrective actions
///
/// `owner=me&state=overdue` is the owner's to-do list. Without `owner=me`: the actions of the
/// cases the caller reads as staff (a reporter's own case shows none).
#[utoipa::path(
    tag = "actions",
    operation_id = "list_actions",
    params(ActionQuery),
    responses(
        (status = 200, description = "One page of actions, soonest due first.", body = ActionPage),
        NotLoggedIn,
        (status = 422, description = "A parameter is invalid; every bad one is listed.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[get("/actions")]
pub async fn list_actions(
    caller: Caller,
    query: web::Query<ActionQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let Checked {
        own,
        filter,
        limit,
        after,
    } = query.into_inner().check()?;
    let today = stockholm_date(state.clock.now());
    let list = ListQuery {
        own,
        state: filter,
        today,
        after,
        // One more than asked tells whether there is a next page.
        limit: limit + 1,
    };
    let mut rows = state
        .db
        .read(move |conn| actions_db::list(conn, &caller, &list))
        .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| cursor::encode(r.due_date, &r.id))
    } else {
        None
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ActionPage {
            items: rows
                .into_iter()
                .map(|r| action_dto::view(r, today))
                .collect(),
            next_cursor,
        }))
}
