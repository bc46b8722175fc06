//! `PUT /api/v1/admin/org-units/{id}/absence`: mark a unit's manager away (or back); while
//! away, the deputy receives the unit's reports (`ops::admin::absence`).

use actix_web::{put, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::require_admin;
use crate::error::{ApiError, FieldError, Problem};
use crate::ops::admin::absence as ops;
use crate::routes::input::{self, Lenient};
use crate::routes::responses::{DatabaseBusy, JsonBodyErrors};
use crate::state::AppState;

/// The manager's absence, both days inclusive (Europe/Stockholm). Both `null` (or missing)
/// ends it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SetAbsence {
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-21")]
    pub away_from: Lenient<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "2027-01-06")]
    pub away_until: Lenient<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Absence {
    pub org_unit_id: Uuid,
    #[schema(format = Date)]
    pub away_from: Option<String>,
    #[schema(format = Date)]
    pub away_until: Option<String>,
}

fn date(field: &str, v: Lenient<String>, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    match v {
        Lenient::Missing => None,
        Lenient::Value(s) => match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new(field, "format", "YYYY-MM-DD"));
                None
            }
        },
        Lenient::Invalid => {
            errors.push(FieldError::new(field, "format", "YYYY-MM-DD"));
            None
        }
    }
}

/// Set or end a manager's absence
///
/// Requires `Authorization: Bearer <TILLBUD_ADMIN_TOKEN>`.
#[utoipa::path(
    tag = "admin",
    operation_id = "set_manager_absence",
    params(("id" = String, Path, format = Uuid, description = "The unit's id.")),
    request_body(content = SetAbsence, content_type = "application/json"),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The absence as stored.", body = Absence),
        JsonBodyErrors,
        (status = 401, description = "Missing or wrong admin token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit, or the admin API is off.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad dates: give both or neither, from ≤ until.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[put("/admin/org-units/{id}/absence")]
pub async fn set_manager_absence(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&req, &state).await?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let request: SetAbsence = input::json_body(&req, payload).await?;
    let period = request.check()?;
    if !ops::set_manager_absence(&state.ops(), id, period).await? {
        return Err(ApiError::NotFound);
    }
    let fmt = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    Ok(HttpResponse::Ok().json(Absence {
        org_unit_id: id,
        away_from: period.map(|(f, _)| fmt(f)),
        away_until: period.map(|(_, u)| fmt(u)),
    }))
}

impl SetAbsence {
    /// Both dates, in order, or neither (ends the absence); every bad field at once.
    fn check(self) -> Result<Option<(NaiveDate, NaiveDate)>, ApiError> {
        let mut errors = Vec::new();
        let from = date("away_from", self.away_from, &mut errors);
        let until = date("away_until", self.away_until, &mut errors);
        let period = match (from, until) {
            (Some(f), Some(u)) if f <= u => Some((f, u)),
            (Some(_), Some(_)) => {
                errors.push(FieldError::new(
                    "away_until",
                    "before_start",
                    "away_until < away_from",
                ));
                None
            }
            (None, None) => None,
            (Some(_), None) => {
                errors.push(FieldError::new(
                    "away_until",
                    "both_or_neither",
                    "away_from and away_until",
                ));
                None
            }
            (None, Some(_)) => {
                errors.push(FieldError::new(
                    "away_from",
                    "both_or_neither",
                    "away_from and away_until",
                ));
                None
            }
        };
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(period)
    }
}
