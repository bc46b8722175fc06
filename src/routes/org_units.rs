//! `GET /api/v1/org-units` and `GET /api/v1/org-units/{id}`: the unit picker's data.
//! No personal data here: managers' names and addresses stay inside.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::org_units::{self, OrgUnitRow};
use crate::domain::OrgUnitKind;
use crate::error::{ApiError, Problem};
use crate::routes::responses::DatabaseBusy;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgUnit {
    pub id: Uuid,
    /// The stable code from the HR system.
    pub code: String,
    pub name: String,
    pub kind: OrgUnitKind,
    pub parent_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgUnitList {
    pub items: Vec<OrgUnit>,
}

impl TryFrom<OrgUnitRow> for OrgUnit {
    type Error = ApiError;
    fn try_from(row: OrgUnitRow) -> Result<Self, ApiError> {
        let corrupt = |what: &str| {
            ApiError::Internal(anyhow::anyhow!("org unit {} has a bad {what}", row.id))
        };
        Ok(OrgUnit {
            id: Uuid::parse_str(&row.id).map_err(|_| corrupt("id"))?,
            kind: row.kind,
            parent_id: match &row.parent_id {
                Some(p) => Some(Uuid::parse_str(p).map_err(|_| corrupt("parent_id"))?),
                None => None,
            },
            code: row.code,
            name: row.name,
        })
    }
}

/// List active units
///
/// Every active unit of the organisation, ordered by name, for choosing where an event
/// happened.
#[utoipa::path(
    tag = "org",
    operation_id = "list_org_units",
    responses(
        (status = 200, description = "The active units.", body = OrgUnitList),
        DatabaseBusy,
    )
)]
#[get("/org-units")]
pub async fn list_org_units(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let rows = state.db.read(org_units::list_active).await?;
    let items = rows
        .into_iter()
        .map(OrgUnit::try_from)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok()
        // The list changes rarely; a short cache spares phones on weak networks.
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(OrgUnitList { items }))
}

/// Get one unit
#[utoipa::path(
    tag = "org",
    operation_id = "get_org_unit",
    params(("id" = String, Path, format = Uuid, description = "The unit's id.")),
    responses(
        (status = 200, description = "The unit.", body = OrgUnit),
        (status = 404, description = "No such unit.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[get("/org-units/{id}")]
pub async fn get_org_unit(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let row = state
        .db
        .read(move |c| org_units::find(c, &id))
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(OrgUnit::try_from(row)?))
}
