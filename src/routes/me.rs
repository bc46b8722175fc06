//! `GET /api/v1/me`: who the caller is and what they may do.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Caller, Via};
use crate::db::org_units;
use crate::error::ApiError;
use crate::routes::responses::NotLoggedIn;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    /// `employee` always; then `manager`, `safety_representative`, `safety_coordinator`,
    /// `finance`, `admin` as they apply.
    #[schema(example = json!(["employee", "manager"]))]
    pub roles: Vec<String>,
    /// Units whose cases (with their subtrees) the caller manages.
    pub managed_units: Vec<UnitRef>,
    /// Units whose cases (with their subtrees) the caller follows as skyddsombud.
    pub safety_rep_units: Vec<UnitRef>,
    /// Units whose costs (with their subtrees) the caller handles as finance by a grant
    /// (group-wide finance has the `finance` role and no units here).
    pub finance_units: Vec<UnitRef>,
    /// What the pages may offer.
    pub can: Permissions,
    /// `session` or `api_token`.
    pub authenticated_by: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Permissions {
    /// Read cases beyond one's own reports.
    pub read_cases: bool,
    /// Change cases: workflow, rating, actions.
    pub manage_cases: bool,
    pub read_all_cases: bool,
    /// See and enter costs and cost trends (finance, managers for their units, coordinators):
    /// the finance desk and a case's cost panel.
    pub read_costs: bool,
    /// Set insurance claims and see the claims list (finance, coordinators).
    pub handle_claims: bool,
    pub administer: bool,
}

/// What the pages may offer, from the roles.
fn permissions(r: &crate::domain::Roles) -> Permissions {
    Permissions {
        read_cases: r.safety_coordinator
            || !r.managed_units.is_empty()
            || !r.safety_rep_units.is_empty(),
        manage_cases: r.safety_coordinator || !r.managed_units.is_empty(),
        read_all_cases: r.safety_coordinator,
        read_costs: r.finance
            || r.safety_coordinator
            || !r.finance_units.is_empty()
            || !r.managed_units.is_empty(),
        handle_claims: r.finance || r.safety_coordinator || !r.finance_units.is_empty(),
        administer: r.admin,
    }
}

/// Who am I
///
/// The caller's identity, roles and the units they have rights over.
#[utoipa::path(
    tag = "auth",
    operation_id = "get_me",
    responses(
        (status = 200, description = "The caller.", body = Me),
        NotLoggedIn,
    )
)]
#[get("/me")]
pub async fn get_me(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let managed = caller.roles.managed_units.clone();
    let reps = caller.roles.safety_rep_units.clone();
    let finance = caller.roles.finance_units.clone();
    let (managed, reps, finance) = state
        .db
        .read(move |c| {
            Ok((
                org_units::names(c, &managed)?,
                org_units::names(c, &reps)?,
                org_units::names(c, &finance)?,
            ))
        })
        .await?;
    let unit_refs = |list: Vec<(String, String)>| {
        list.into_iter()
            .map(|(id, name)| UnitRef { id, name })
            .collect()
    };
    let body = Me {
        roles: caller
            .roles
            .names()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        can: permissions(&caller.roles),
        managed_units: unit_refs(managed),
        safety_rep_units: unit_refs(reps),
        finance_units: unit_refs(finance),
        authenticated_by: match caller.via {
            Via::Session(_) => "session".to_owned(),
            Via::ApiToken => "api_token".to_owned(),
        },
        id: caller.user_id,
        email: caller.email,
        name: caller.name,
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(body))
}
