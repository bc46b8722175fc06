//! `GET /api/v1/admin/users`, `PATCH /api/v1/admin/users/{id}` and
//! `POST /api/v1/admin/users/{id}/grants`: who may log in and with which roles beyond the
//! org tree. Disabling a user ends all their sessions at once.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::users::{self, UserRow};
use crate::error::{ApiError, FieldError, Problem};
use crate::i18n;
use crate::i18n::Msg;
use crate::ops::admin::users::{self as ops, UnitRole, UserAdminError, UserChange};
use crate::routes::admin::require_admin;
use crate::routes::input::{self, Checker, Lenient};
use crate::routes::responses::JsonBodyErrors;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct UserInfo {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub is_admin: bool,
    pub is_safety_coordinator: bool,
    pub is_finance: bool,
    pub disabled: bool,
}

impl From<UserRow> for UserInfo {
    fn from(u: UserRow) -> Self {
        UserInfo {
            id: u.id,
            email: u.email,
            name: u.name,
            is_admin: u.is_admin,
            is_safety_coordinator: u.is_safety_coordinator,
            is_finance: u.is_finance,
            disabled: u.disabled,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserInfo>,
}

/// Every field optional: what is sent changes.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateUser {
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub disabled: Lenient<bool>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub is_admin: Lenient<bool>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub is_safety_coordinator: Lenient<bool>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub is_finance: Lenient<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewGrant {
    #[serde(default)]
    #[schema(value_type = String, format = Uuid, required = true)]
    pub org_unit_id: Lenient<String>,
    /// `manager`, `safety_rep` or `finance` (the subtree's costs and trends): rights over
    /// the unit and its subtree.
    #[serde(default)]
    #[schema(value_type = String, pattern = "^(manager|safety_rep|finance)$", required = true)]
    pub role: Lenient<String>,
}

/// List users
#[utoipa::path(
    tag = "admin",
    operation_id = "list_users",
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "Every user.", body = UserList),
        (status = 401, description = "Not logged in and no admin token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The admin API is off.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/admin/users")]
pub async fn list_users(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    require_admin(&req, &state).await?;
    let rows = state.db.read(users::list).await?;
    Ok(HttpResponse::Ok().json(UserList {
        items: rows.into_iter().map(UserInfo::from).collect(),
    }))
}

/// Change a user
///
/// Disable or enable a user (disabling ends their sessions and stops their API tokens at
/// once), or set the roles that are not tied to a unit.
#[utoipa::path(
    tag = "admin",
    operation_id = "update_user",
    params(("id" = String, Path, description = "The user's id.")),
    request_body(content = UpdateUser, content_type = "application/json"),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The user as now stored.", body = UserInfo),
        JsonBodyErrors,
        (status = 401, description = "Not logged in and no admin token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator, or not sent from tillbud's own pages.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user, or the admin API is off.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field has the wrong type.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/admin/users/{id}")]
pub async fn update_user(
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let admin = require_admin(&req, &state).await?;
    let request: UpdateUser = input::json_body(&req, payload).await?;
    let mut c = Checker::new();
    let disabled = c.value("disabled", request.disabled, false);
    let is_admin = c.value("is_admin", request.is_admin, false);
    let coordinator = c.value(
        "is_safety_coordinator",
        request.is_safety_coordinator,
        false,
    );
    let finance = c.value("is_finance", request.is_finance, false);
    c.finish()?;
    let change = UserChange {
        disabled,
        is_admin,
        is_safety_coordinator: coordinator,
        is_finance: finance,
    };
    let user = ops::update_user(&state.ops(), &id, change)
        .await
        .map_err(refused)?;
    tracing::info!(user_id = %user.id, by = %admin.actor(), disabled = user.disabled, "user changed");
    Ok(HttpResponse::Ok().json(UserInfo::from(user)))
}

/// Grant a role over a unit
///
/// Gives a user manager or skyddsombud rights over a unit and its subtree, beyond what the
/// org tree's e-mails say (e.g. an acting manager), or finance rights over the subtree's
/// costs (e.g. the controller of one company).
#[utoipa::path(
    tag = "admin",
    operation_id = "grant_role",
    params(("id" = String, Path, description = "The user's id.")),
    request_body(content = NewGrant, content_type = "application/json"),
    security(("admin_token" = [])),
    responses(
        (status = 204, description = "Granted (or already granted)."),
        JsonBodyErrors,
        (status = 401, description = "Not logged in and no admin token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator, or not sent from tillbud's own pages.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user, or the admin API is off.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown unit or role.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/admin/users/{id}/grants")]
pub async fn grant_role(
    req: HttpRequest,
    payload: web::Payload,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let admin = require_admin(&req, &state).await?;
    let request: NewGrant = input::json_body(&req, payload).await?;
    let mut c = Checker::new();
    let unit: Option<String> = c.value("org_unit_id", request.org_unit_id, true);
    let role: Option<String> = c.value("role", request.role, true);
    let role = role.map(|r| UnitRole::parse(&r));
    if matches!(role, Some(None)) {
        c.fail("role", "one_of");
    }
    c.finish()?;
    let (Some(unit), Some(Some(role))) = (unit, role) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "checked grant fields missing"
        )));
    };
    ops::grant_role(&state.ops(), &id, &unit, role)
        .await
        .map_err(refused)?;
    tracing::info!(user_id = %id, by = %admin.actor(), "role granted");
    Ok(HttpResponse::NoContent().finish())
}

fn refused(e: UserAdminError) -> ApiError {
    match e {
        UserAdminError::UnknownUser => ApiError::NotFound,
        UserAdminError::UnknownUnit => ApiError::Validation(vec![FieldError::new(
            "org_unit_id",
            "unknown",
            i18n::current().t(Msg::UnitUnknown),
        )]),
        UserAdminError::Db(e) => e.into(),
    }
}
