//! `GET /metrics`: the operator's figures in the Prometheus text format, behind the admin
//! token (see `crate::metrics`).

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::admin::require_admin;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Metrics for Prometheus
///
/// The text exposition format (version 0.0.4). Requires the admin token (a scrape config's
/// `authorization: {credentials: …}`) or an administrator's login.
#[utoipa::path(
    tag = "admin",
    operation_id = "metrics",
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Prometheus text format.", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 401, description = "Missing or wrong admin token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No admin token is configured: the admin API is off.", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is busy; try again.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&req, &state).await?;
    let now = state.clock.now().naive_utc();
    let mut snapshot = state
        .db
        .read(move |c| crate::db::metrics::snapshot(c, now))
        .await?;
    snapshot.pool = state.db.pool_figures();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&snapshot)))
}
