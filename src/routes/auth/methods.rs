//! `GET /api/v1/auth/methods`: how one may log in here, for the login page.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginMethods {
    /// Where "Logga in med kommunens konto" leads (`/auth/oidc/login`, append
    /// `?next=/cases/…`); `null` when single sign-on is not configured.
    #[schema(example = "/auth/oidc/login")]
    pub sso_login_url: Option<String>,
    /// Whether staff (managers, deputies, skyddsombud, coordinators, finance, admins) may
    /// still log in with a mailed link; employees always may.
    pub mailed_link_for_staff: bool,
}

/// How to log in
///
/// Whether single sign-on with the municipal account is offered, and whether staff may
/// still use a mailed link.
#[utoipa::path(
    tag = "auth",
    operation_id = "login_methods",
    responses(
        (status = 200, description = "The ways to log in.", body = LoginMethods),
    )
)]
#[get("/auth/methods")]
pub async fn login_methods(state: web::Data<AppState>) -> HttpResponse {
    let oidc = state.settings.oidc.as_ref();
    HttpResponse::Ok().json(LoginMethods {
        sso_login_url: oidc.map(|_| "/auth/oidc/login".to_owned()),
        mailed_link_for_staff: oidc.is_none_or(|o| o.staff_mailed_link),
    })
}
