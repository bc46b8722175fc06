//! Logging in with the municipal account (OpenID Connect), as browser pages rather than JSON
//! API: `GET /auth/oidc/login` sends the browser to the provider, `GET /auth/oidc/callback` is
//! where it comes back. Every refusal ends on a page in Swedish and English (never a 500) and
//! is logged with its reason, never a token. The use cases are `ops::auth::sso_*`.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::auth::{hash_secret, session};
use crate::config::Settings;
use crate::domain::sso::{own_path, SsoRefusal};
use crate::i18n::{Lang, Msg};
use crate::mail::templates::escape_html;
use crate::ops::auth::sso_callback::{self, Callback, CallbackError, LoggedIn, LoginRules};
use crate::ops::auth::sso_start::{self, StartError, LOGIN_TTL};
use crate::state::AppState;
use crate::web::{Pages, RefusalPage, PAGE_CSP};

#[derive(Debug, Default, Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The cookie that binds a login under way to the browser that started it.
fn state_cookie_name(settings: &Settings) -> &'static str {
    if settings.base_url.starts_with("https://") {
        "__Host-tillbud_sso_state"
    } else {
        "tillbud_sso_state"
    }
}

fn state_cookie(settings: &Settings, value: String) -> Cookie<'static> {
    Cookie::build(state_cookie_name(settings), value)
        .path("/")
        .http_only(true)
        .secure(settings.base_url.starts_with("https://"))
        // Lax: the provider's redirect back is a top-level GET, which carries it.
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(LOGIN_TTL.num_seconds()))
        .finish()
}

fn see_other(location: &str) -> actix_web::HttpResponseBuilder {
    let mut r = HttpResponse::SeeOther();
    r.insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    r
}

fn message(why: SsoRefusal) -> Msg {
    match why {
        SsoRefusal::Denied => Msg::SsoDenied,
        SsoRefusal::BadState => Msg::SsoBadState,
        SsoRefusal::CodeRefused => Msg::SsoCodeRefused,
        SsoRefusal::BadToken => Msg::SsoBadToken,
        SsoRefusal::NoEmail => Msg::SsoNoEmail,
        SsoRefusal::NotAllowed => Msg::SsoNotAllowed,
        SsoRefusal::Disabled => Msg::SsoDisabled,
        SsoRefusal::Busy => Msg::SsoBusy,
        SsoRefusal::Unavailable => Msg::SsoUnavailable,
    }
}

fn status(why: SsoRefusal) -> StatusCode {
    match why {
        SsoRefusal::BadState | SsoRefusal::CodeRefused | SsoRefusal::BadToken => {
            StatusCode::BAD_REQUEST
        }
        SsoRefusal::Denied
        | SsoRefusal::NoEmail
        | SsoRefusal::NotAllowed
        | SsoRefusal::Disabled => StatusCode::FORBIDDEN,
        SsoRefusal::Busy | SsoRefusal::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The page a refused login ends on: the catalogue's words in both languages, and the way
/// back to the login page.
fn page(pages: &Pages, code: StatusCode, text: Msg) -> HttpResponse {
    let part = |lang: Lang, attr: &str| {
        format!(
            "<section{attr}>\n<h1>{}</h1>\n<p>{}</p>\n<p><a class=\"button\" href=\"/login\">{}</a></p>\n</section>",
            escape_html(lang.t(Msg::SsoTitle)),
            escape_html(lang.t(text)),
            escape_html(lang.t(Msg::SsoBackToLogin)),
        )
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<title>{title} – Tillbud</title>\n\
         <link rel=\"stylesheet\" href=\"/static/{v}/app.css\">\n</head>\n<body>\n\
         <main id=\"main\" class=\"wrap\">\n{sv}\n{en}\n</main>\n</body>\n</html>\n",
        title = escape_html(Lang::Sv.t(Msg::SsoTitle)),
        v = pages.version,
        sv = part(Lang::Sv, ""),
        en = part(Lang::En, " lang=\"en\""),
    );
    let mut r = HttpResponse::build(code);
    if code == StatusCode::SERVICE_UNAVAILABLE {
        r.insert_header((header::RETRY_AFTER, "60"));
    }
    let mut page = r
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
        .body(html);
    page.extensions_mut().insert(RefusalPage);
    page
}

fn refusal(pages: &Pages, why: SsoRefusal, detail: &str) -> HttpResponse {
    tracing::warn!(reason = why.reason(), detail, "sso: login refused");
    page(pages, status(why), message(why))
}

/// Logins one client address may start per 15 minutes: a whole office behind one address
/// logs in in the morning, so generously; the pending logins are capped as well.
fn limited(req: &HttpRequest, state: &AppState) -> bool {
    let ip = crate::auth::client::address(req, &state.settings.proxies);
    let keys = [(
        format!("sso:{ip}"),
        state.settings.auth.login_rate_limit * 20,
    )];
    state.login_limiter.check(&keys, state.clock.now()).is_err()
}

/// `GET /auth/oidc/login?next=/cases/…`: to the provider, with a fresh state bound to this
/// browser by a cookie.
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
) -> HttpResponse {
    let Some(provider) = state.oidc.as_deref() else {
        return page(&pages, StatusCode::NOT_FOUND, Msg::SsoNotConfigured);
    };
    if limited(&req, &state) {
        return refusal(&pages, SsoRefusal::Busy, "client rate limit");
    }
    let query = web::Query::<LoginQuery>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let next = query.next.as_deref().and_then(own_path);
    match sso_start::start_sso_login(&state.ops(), provider, next).await {
        Ok(redirect) => see_other(&redirect.url)
            .cookie(state_cookie(&state.settings, redirect.state))
            .finish(),
        Err(StartError::Refused(why, detail)) => refusal(&pages, why, &detail),
        Err(StartError::Db(e)) => refusal(&pages, SsoRefusal::Unavailable, &e.to_string()),
    }
}

/// What the provider and the browser brought to the callback.
fn callback_input(req: &HttpRequest, settings: &Settings) -> Callback {
    let query = web::Query::<CallbackQuery>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    Callback {
        state: query.state,
        state_cookie: req
            .cookie(state_cookie_name(settings))
            .map(|c| c.value().to_owned()),
        code: query.code,
        error: query.error,
    }
}

fn login_rules(settings: &Settings) -> LoginRules<'_> {
    LoginRules {
        coordinators: &settings.mail.safety_coordinators,
        login_domains: &settings.auth.login_domains,
        session_max: settings.auth.session_max,
    }
}

/// The page asked for, else the desk of one's role.
fn landing(done: &LoggedIn) -> String {
    let finance = done.user.is_finance || done.roles.finance;
    done.next
        .clone()
        .unwrap_or_else(|| if finance { "/ekonomi" } else { "/cases" }.to_owned())
}

/// `GET /auth/oidc/callback?code=…&state=…`: finish the login, start the session, and go on to
/// the page asked for. The state cookie is removed whatever happens.
pub async fn callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
) -> HttpResponse {
    let Some(provider) = state.oidc.as_deref() else {
        return page(&pages, StatusCode::NOT_FOUND, Msg::SsoNotConfigured);
    };
    let settings = &state.settings;
    let input = callback_input(&req, settings);
    let old = req
        .cookie(session::cookie_name(settings))
        .map(|c| hash_secret(c.value()));
    let mut gone = state_cookie(settings, String::new());
    gone.make_removal();
    let rules = login_rules(settings);
    let mut refused = match sso_callback::finish_sso_login(
        &state.ops(),
        provider,
        input,
        old,
        rules,
    )
    .await
    {
        Ok(done) => {
            tracing::info!(user_id = %done.user.id, roles = %done.roles.to_text(), "login: session started (sso)");
            return see_other(&landing(&done))
                .cookie(session::cookie(settings, done.session_id))
                .cookie(gone)
                .finish();
        }
        Err(CallbackError::Refused(why, detail)) => refusal(&pages, why, &detail),
        Err(CallbackError::Db(e)) => refusal(&pages, SsoRefusal::Unavailable, &e.to_string()),
    };
    let _ = refused.add_removal_cookie(&gone);
    refused
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/oidc/login", web::get().to(login))
        .route("/auth/oidc/callback", web::get().to(callback));
}
