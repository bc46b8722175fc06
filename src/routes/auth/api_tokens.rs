//! Personal API tokens for integrations: `GET/POST /api/v1/me/tokens`,
//! `DELETE /api/v1/me/tokens/{id}`. The secret is shown once, at creation; only its hash is
//! stored.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::users;
use crate::error::{ApiError, Problem};
use crate::ops::auth::api_tokens::{self as ops, RevokeTokenError};
use crate::routes::input::{self, Checker, Lenient};
use crate::routes::responses::{ForeignOrigin, JsonBodyErrors, NotLoggedIn};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateToken {
    /// What the token is for, e.g. "Power BI-export".
    #[serde(default)]
    #[schema(value_type = String, min_length = 1, max_length = 100, required = true)]
    pub name: Lenient<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreated {
    pub id: String,
    pub name: String,
    /// Send as `Authorization: Bearer <token>`. Shown only now; it cannot be read again.
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<TokenInfo>,
}

/// List my API tokens
#[utoipa::path(
    tag = "auth",
    operation_id = "list_api_tokens",
    responses(
        (status = 200, description = "The caller's tokens, without their secrets.", body = TokenList),
        NotLoggedIn,
    )
)]
#[get("/me/tokens")]
pub async fn list_api_tokens(
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let rows = state
        .db
        .read(move |c| users::list_api_tokens(c, &caller.user_id))
        .await?;
    let items = rows
        .into_iter()
        .map(|t| TokenInfo {
            id: t.id,
            name: t.name,
            created_at: t.created_at.and_utc(),
            last_used_at: t.last_used_at.map(|t| t.and_utc()),
            revoked_at: t.revoked_at.map(|t| t.and_utc()),
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenList { items }))
}

/// Create an API token
#[utoipa::path(
    tag = "auth",
    operation_id = "create_api_token",
    request_body(content = CreateToken, content_type = "application/json"),
    responses(
        (status = 201, description = "The token; its secret is shown only now.", body = TokenCreated),
        JsonBodyErrors,
        NotLoggedIn,
        ForeignOrigin,
        (status = 422, description = "The name is missing or too long.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/tokens")]
pub async fn create_api_token(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let request: CreateToken = input::json_body(&req, payload).await?;
    let mut c = Checker::new();
    let name = c.text("name", request.name, true, (1, 100), false);
    c.finish()?;
    let name = name.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("token name missing")))?;
    let created = ops::create_api_token(&state.ops(), &caller, &name).await?;
    let (id, token, name) = (created.id, created.token, name.as_str().to_owned());
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenCreated { id, name, token }))
}

/// Revoke an API token
#[utoipa::path(
    tag = "auth",
    operation_id = "revoke_api_token",
    params(("id" = String, Path, description = "The token's id.")),
    responses(
        (status = 204, description = "Revoked (or already revoked)."),
        NotLoggedIn,
        ForeignOrigin,
        (status = 404, description = "The caller has no such token.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/me/tokens/{id}")]
pub async fn revoke_api_token(
    caller: Caller,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    match ops::revoke_api_token(&state.ops(), &caller, &id).await {
        Ok(()) => Ok(HttpResponse::NoContent().finish()),
        Err(RevokeTokenError::Unknown) => Err(ApiError::NotFound),
        Err(RevokeTokenError::Db(e)) => Err(e.into()),
    }
}
