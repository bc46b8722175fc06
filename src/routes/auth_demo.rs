//! Demo mode only: `GET /api/v1/auth/demo-users` and `POST /api/v1/auth/demo-login` log in
//! as a seeded demo user with one click. Outside demo mode, and on a database that demo mode
//! did not seed, both answer 404, as if they did not exist.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::input::{self, Checker, Lenient};
use crate::auth::{csrf, hash_secret, session};
use crate::demo::DEMO_USERS;
use crate::error::{ApiError, FieldError, Problem};
use crate::i18n;
use crate::i18n::Msg;
use crate::ops::auth::demo_login::{self as ops, DemoLoginError};
use crate::routes::responses::{ForeignOrigin, JsonBodyErrors};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct DemoUserInfo {
    pub email: String,
    pub name: String,
    /// What the user shows in the demo, in the caller's language.
    pub role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DemoUsers {
    pub items: Vec<DemoUserInfo>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DemoLogin {
    #[serde(default)]
    #[schema(value_type = String, format = Email, required = true)]
    pub email: Lenient<String>,
}

/// Demo users (demo mode only)
#[utoipa::path(
    tag = "auth",
    operation_id = "list_demo_users",
    responses(
        (status = 200, description = "The seeded demo users.", body = DemoUsers),
        (status = 404, description = "Not in demo mode, or the database was not seeded by demo mode.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/auth/demo-users")]
pub async fn list_demo_users(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if !ops::available(&state.ops(), state.settings.demo).await? {
        return Err(ApiError::NotFound);
    }
    let lang = i18n::current();
    let items = DEMO_USERS
        .iter()
        .map(|u| DemoUserInfo {
            email: u.email.to_owned(),
            name: u.name.to_owned(),
            role: lang.pick(u.role.0, u.role.1).to_owned(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(DemoUsers { items }))
}

/// Log in as a demo user (demo mode only)
#[utoipa::path(
    tag = "auth",
    operation_id = "demo_login",
    request_body(content = DemoLogin, content_type = "application/json"),
    responses(
        (status = 201, description = "Logged in; the session cookie is set.", body = super::auth_session::SessionStarted),
        JsonBodyErrors,
        ForeignOrigin,
        (status = 404, description = "Not in demo mode, or the database was not seeded by demo mode.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not one of the demo users.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/demo-login")]
pub async fn demo_login(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.ops();
    if !ops::available(&ctx, state.settings.demo).await? {
        return Err(ApiError::NotFound);
    }
    csrf::check(&req, &state.settings)?;
    let request: DemoLogin = input::json_body(&req, payload).await?;
    let mut c = Checker::new();
    let email: String = c.value("email", request.email, true).unwrap_or_default();
    c.finish()?;
    let user = ops::demo_login(&ctx, &email).await.map_err(refused)?;
    if let Some(old) = req.cookie(session::cookie_name(&state.settings)) {
        session::end(&state, hash_secret(old.value())).await?;
    }
    let cookie = session::start(&state, &user).await?;
    Ok(HttpResponse::Created()
        .cookie(cookie)
        .json(super::auth_session::SessionStarted {
            user_id: user.id,
            email: user.email,
        }))
}

fn refused(e: DemoLoginError) -> ApiError {
    let lang = i18n::current();
    let (code, message) = match e {
        DemoLoginError::NotDemoUser => ("not_demo_user", lang.t(Msg::DemoNotDemoUser)),
        DemoLoginError::Disabled(id) => {
            tracing::info!(user_id = %id, "denied: demo login of a disabled user");
            ("disabled", lang.t(Msg::UserDisabled))
        }
        DemoLoginError::Db(e) => return e.into(),
    };
    ApiError::Validation(vec![FieldError::new("email", code, message)])
}
