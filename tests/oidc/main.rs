//! End-to-end single sign-on against a real OpenID Connect provider: oauth2-mock-server 8 from
//! npm, started per test on loopback by `tests/oidc/provider.mjs`. Each test drives the whole
//! flow over HTTP as a browser would (tillbud → provider → callback → session), with the
//! provider told who logs in and how to misbehave.
//!
//! Needs Node and `npm ci` in tests/oidc/, hence its own step:
//! `cargo test --test oidc` (plain `cargo test` leaves it out; CI runs it; see the README).

// The shared helpers serve the main suite too; not all of them are used here.
#![allow(dead_code)]

#[path = "../api/helpers.rs"]
mod helpers;
#[path = "../api/smtp_server.rs"]
mod smtp_server;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use helpers::{spawn_app_with, TestApp, ADMIN_TOKEN};

/// The base URL the test apps run under (helpers::test_settings): the provider redirects the
/// browser there, and the test sends it to the app's real address instead.
const BASE: &str = "http://tillbud.test";
const CLIENT_ID: &str = "tillbud-e2e";
/// A unit manager in the demo organisation (Lyckeby skola).
const MANAGER: &str = "petra.lindgren@example.se";

/// The provider process; killed when the test ends.
struct Provider {
    child: Child,
    url: String,
    http: awc::Client,
}

impl Provider {
    fn start() -> Provider {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc");
        assert!(
            dir.join("node_modules/oauth2-mock-server").is_dir(),
            "the OIDC provider is not installed: run `npm ci` in tests/oidc (see the README)"
        );
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .arg("0")
            .arg("--until-stdin-closes")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start node tests/oidc/provider.mjs (is Node installed?)");
        let stdout = child.stdout.take().expect("provider stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the provider's READY line");
        let port: u16 = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("provider did not start: {line:?}"));
        Provider {
            child,
            url: format!("http://127.0.0.1:{port}"),
            http: no_redirects(),
        }
    }

    async fn scenario(&self, scenario: Value) {
        let r = self
            .http
            .post(format!("{}/_test/scenario", self.url))
            .send_json(&scenario)
            .await
            .expect("set scenario");
        assert_eq!(r.status(), 200);
    }

    async fn rotate(&self) {
        let r = self
            .http
            .post(format!("{}/_test/rotate", self.url))
            .send()
            .await
            .expect("rotate keys");
        assert_eq!(r.status(), 200);
    }

    async fn log(&self) -> Value {
        let mut r = self
            .http
            .get(format!("{}/_test/log", self.url))
            .send()
            .await
            .expect("provider log");
        r.json().await.expect("log JSON")
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn no_redirects() -> awc::Client {
    awc::Client::builder()
        .disable_redirects()
        .timeout(std::time::Duration::from_secs(30))
        .finish()
}

/// What a response said.
struct Answer {
    status: u16,
    location: Option<String>,
    set_cookies: Vec<String>,
    body: String,
}

/// A browser: follows nothing by itself, keeps the app's cookies.
struct Browser {
    http: awc::Client,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    fn new() -> Browser {
        Browser {
            http: no_redirects(),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// A GET; cookies are sent to and taken from the app only (`to_app`).
    async fn get(&mut self, url: &str, to_app: bool) -> Answer {
        let mut req = self.http.get(url);
        if to_app && !self.cookies.is_empty() {
            req = req.insert_header(("Cookie", self.cookie_header()));
        }
        let mut res = req.send().await.expect("GET");
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let set_cookies: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect();
        let bytes = res.body().limit(1 << 20).await.expect("body");
        if to_app {
            for c in &set_cookies {
                let pair = c.split(';').next().unwrap_or("");
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                if value.is_empty() || c.to_ascii_lowercase().contains("max-age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        Answer {
            status,
            location,
            set_cookies,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// The session cookie pair (`tillbud_session=…`), if logged in.
    fn session(&self) -> Option<String> {
        self.cookies
            .get("tillbud_session")
            .map(|v| format!("tillbud_session={v}"))
    }
}

/// The app, with single sign-on at `provider` and `extra` settings.
async fn sso_app(provider: &Provider, extra: &[(&str, &str)]) -> TestApp {
    let mut all: Vec<(&str, &str)> = vec![
        ("TILLBUD_OIDC_ISSUER", &provider.url),
        ("TILLBUD_OIDC_CLIENT_ID", CLIENT_ID),
        ("TILLBUD_OIDC_CLIENT_SECRET", "e2e-secret"),
        ("TILLBUD_OIDC_GROUP_CLAIM", "groups"),
        (
            "TILLBUD_OIDC_GROUP_ROLES",
            "grp-coordinators=coordinator,grp-ekonomi=finance",
        ),
        ("TILLBUD_ADMIN_TOKEN", ADMIN_TOKEN),
    ];
    all.extend_from_slice(extra);
    spawn_app_with(&all).await
}

/// Where the provider sent the browser back to, pointed at the app's real address.
fn to_app(app: &TestApp, url: &str) -> String {
    url.replacen(BASE, &app.address, 1)
}

/// Starts a login at the app and goes through the provider; returns the callback URL (at the
/// app) the provider redirected to.
async fn through_provider(app: &TestApp, browser: &mut Browser, next: &str) -> String {
    let start = browser
        .get(&app.url(&format!("/auth/oidc/login{next}")), true)
        .await;
    assert_eq!(start.status, 303, "start login: {}", start.body);
    let authorize = start.location.expect("Location to the provider");
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "{authorize}"
    );
    assert!(authorize.contains("nonce="), "{authorize}");
    assert!(
        authorize.contains(&format!(
            "redirect_uri={}",
            enc(&format!("{BASE}/auth/oidc/callback"))
        )),
        "{authorize}"
    );
    let at_provider = browser.get(&authorize, false).await;
    assert_eq!(at_provider.status, 302, "provider: {}", at_provider.body);
    let back = at_provider.location.expect("provider redirects back");
    assert!(
        back.starts_with(&format!("{BASE}/auth/oidc/callback?")),
        "{back}"
    );
    to_app(app, &back)
}

fn enc(s: &str) -> String {
    s.replace(':', "%3A").replace('/', "%2F")
}

/// The whole flow; returns the callback's answer.
async fn log_in(app: &TestApp, browser: &mut Browser) -> Answer {
    let callback = through_provider(app, browser, "").await;
    browser.get(&callback, true).await
}

async fn me(app: &TestApp, browser: &Browser) -> helpers::Reply {
    let cookie = browser.session();
    app.send_as(cookie.as_deref(), "GET", "/api/v1/me", None, None)
        .await
}

/// A refusal page: its status, both languages, no session.
fn assert_refused(answer: &Answer, status: u16, sv: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert!(
        answer.body.contains("Inloggningen gick inte"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("Login failed"), "{}", answer.body);
    assert!(
        answer.body.contains(sv),
        "expected {sv:?} in {}",
        answer.body
    );
    assert!(
        !answer
            .set_cookies
            .iter()
            .any(|c| c.starts_with("tillbud_session=") && !c.starts_with("tillbud_session=;")),
        "no session cookie on a refusal: {:?}",
        answer.set_cookies
    );
}

#[actix_rt::test]
async fn a_manager_logs_in_and_me_shows_the_roles_of_the_group_claim() {
    let provider = Provider::start();
    let app = sso_app(&provider, &[]).await;
    // The e-mail in another case than the org tree's: matched without regard to case.
    provider
        .scenario(
            json!({ "email": "Petra.Lindgren@Example.SE", "groups": ["grp-ekonomi", "other"] }),
        )
        .await;
    let mut browser = Browser::new();
    let callback = through_provider(&app, &mut browser, "?next=/cases/abc").await;
    let done = browser.get(&callback, true).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/cases/abc"));
    // The same session cookie as the mailed link's: HttpOnly, SameSite=Lax, path /.
    let cookie = done
        .set_cookies
        .iter()
        .find(|c| c.starts_with("tillbud_session=") && !c.starts_with("tillbud_session=;"))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let me = me(&app, &browser).await;
    assert_eq!(me.status, 200, "{}", me.raw);
    assert_eq!(me.body["email"], MANAGER);
    assert_eq!(me.body["authenticated_by"], "session");
    let roles = roles_of(&me.body);
    assert!(roles.contains(&"manager"), "{roles:?}");
    assert!(
        roles.contains(&"finance"),
        "from the group claim: {roles:?}"
    );
    assert!(!roles.contains(&"safety_coordinator"), "{roles:?}");
    // Her inbox answers.
    let cookie = browser.session();
    let inbox = app
        .send_as(cookie.as_deref(), "GET", "/api/v1/incidents", None, None)
        .await;
    assert_eq!(inbox.status, 200, "{}", inbox.raw);
    // The same CSRF rule: a change with the cookie from a foreign page is refused.
    let foreign = app
        .request(
            "POST",
            "/api/v1/me/tokens",
            &[
                ("Cookie", cookie.as_deref().unwrap_or("")),
                ("content-type", "application/json"),
                ("Origin", "https://evil.example"),
            ],
            br#"{"name":"x"}"#.to_vec(),
        )
        .await;
    assert_eq!(foreign.status, 403, "{}", foreign.raw);
    // Without a `next`, a coordinator by group lands on the cases; finance on the desk.
    provider
        .scenario(json!({ "email": "lars.nystrom@example.se", "groups": ["grp-ekonomi"] }))
        .await;
    let mut other = Browser::new();
    let done = log_in(&app, &mut other).await;
    assert_eq!(done.location.as_deref(), Some("/ekonomi"), "{}", done.body);
}

#[actix_rt::test]
async fn a_group_mapped_to_a_role_lets_its_member_in_with_that_role() {
    let provider = Provider::start();
    let app = sso_app(&provider, &[]).await;
    // Not in the org tree, not a user, not in a login domain.
    provider
        .scenario(json!({ "email": "samordnare@kommun.example", "groups": ["grp-coordinators"] }))
        .await;
    let mut browser = Browser::new();
    let done = log_in(&app, &mut browser).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let me = me(&app, &browser).await;
    assert!(
        roles_of(&me.body).contains(&"safety_coordinator"),
        "{}",
        me.raw
    );
    // The same person without the group may not log in.
    provider
        .scenario(json!({ "email": "someone@kommun.example" }))
        .await;
    let mut stranger = Browser::new();
    let refused = log_in(&app, &mut stranger).await;
    assert_refused(&refused, 403, "har inte tillgång");
}

#[actix_rt::test]
async fn a_wrong_or_foreign_state_is_refused() {
    let provider = Provider::start();
    let app = sso_app(&provider, &[]).await;
    provider.scenario(json!({ "email": MANAGER })).await;
    let mut browser = Browser::new();
    let callback = through_provider(&app, &mut browser, "").await;
    // A state this server never issued.
    let forged = regex_replace_state(&callback, "forged-state");
    let refused = browser.get(&forged, true).await;
    assert_refused(&refused, 400, "startades inte i den här webbläsaren");
    // The right state, but in another browser (no state cookie): login CSRF.
    let mut other = Browser::new();
    let refused = other.get(&callback, true).await;
    assert_refused(&refused, 400, "startades inte i den här webbläsaren");
    assert_eq!(me(&app, &other).await.status, 401);
}

/// The callback URL with another `state`.
fn roles_of(me: &Value) -> Vec<&str> {
    me["roles"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn regex_replace_state(url: &str, state: &str) -> String {
    let (base, query) = url.split_once('?').expect("query");
    let query: Vec<String> = query
        .split('&')
        .map(|p| {
            if p.starts_with("state=") {
                format!("state={state}")
            } else {
                p.to_owned()
            }
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

fn param(url: &str, name: &str) -> String {
    url.split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
        .split('&')
        .find_map(|p| p.strip_prefix(&format!("{name}=")))
        .unwrap_or_default()
        .to_owned()
}

#[actix_rt::test]
async fn a_replayed_callback_or_code_is_refused() {
    let provider = Provider::start();
    let app = sso_app(&provider, &[]).await;
    provider.scenario(json!({ "email": MANAGER })).await;
    let mut browser = Browser::new();
    let callback = through_provider(&app, &mut browser, "").await;
    let state_cookie = browser.cookies.get("tillbud_sso_state").cloned();
    let done = browser.get(&callback, true).await;
    assert_eq!(done.status, 303, "{}", done.body);
    // The same callback again, with the state cookie put back: the state works once.
    let mut replay = Browser::new();
    if let Some(c) = state_cookie {
        replay.cookies.insert("tillbud_sso_state".into(), c);
    }
    let refused = replay.get(&callback, true).await;
    assert_refused(&refused, 400, "redan använts");
    // The used code under a fresh login's state: the provider refuses it (PKCE, used code).
    let mut thief = Browser::new();
    let fresh = through_provider(&app, &mut thief, "").await;
    let stolen = format!(
        "{}/auth/oidc/callback?code={}&state={}",
        app.address,
        param(&callback, "code"),
        param(&fresh, "state")
    );
    let refused = thief.get(&stolen, true).await;
    assert_refused(&refused, 400, "godtog inte inloggningen");
    assert_eq!(me(&app, &thief).await.status, 401);
}

#[actix_rt::test]
async fn tampered_foreign_and_expired_id_tokens_are_refused() {
    let provider = Provider::start();
    let app = sso_app(&provider, &[]).await;
    for scenario in [
        json!({ "email": MANAGER, "tamper": true }),
        json!({ "email": MANAGER, "aud": "another-application" }),
        json!({ "email": MANAGER, "expired": true }),
    ] {
        provider.scenario(scenario.clone()).await;
        let mut browser = Browser::new();
        let refused = log_in(&app, &mut browser).await;
        assert_refused(&refused, 400, "kunde inte kontrolleras");
        assert_eq!(me(&app, &browser).await.status, 401, "{scenario}");
    }
    // The same provider, behaving: the login works (the refusals were the tokens').
    provider.scenario(json!({ "email": MANAGER })).await;
    let mut browser = Browser::new();
    assert_eq!(log_in(&app, &mut browser).await.status, 303);
}

#[actix_rt::test]
async fn denied_consent_ends_on_a_clear_page() {
    let provider = Provider::start();
    let app = sso_app(&provider, &[]).await;
    provider
        .scenario(json!({ "email": MANAGER, "deny": true }))
        .await;
    let mut browser = Browser::new();
    let refused = log_in(&app, &mut browser).await;
    assert_refused(&refused, 403, "avbröts");
    assert!(
        refused.body.contains("href=\"/login\""),
        "a way back: {}",
        refused.body
    );
}

#[actix_rt::test]
async fn a_user_disabled_in_tillbud_cannot_log_in() {
    let provider = Provider::start();
    let app = sso_app(&provider, &[]).await;
    provider.scenario(json!({ "email": MANAGER })).await;
    let mut browser = Browser::new();
    assert_eq!(log_in(&app, &mut browser).await.status, 303);
    let me_before = me(&app, &browser).await;
    let id = me_before.body["id"].as_str().expect("user id").to_owned();
    let patched = app
        .admin_send(
            "PATCH",
            &format!("/api/v1/admin/users/{id}"),
            Some(&json!({ "disabled": true })),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.raw);
    assert_eq!(
        me(&app, &browser).await.status,
        401,
        "the SSO session ended too"
    );
    let mut again = Browser::new();
    let refused = log_in(&app, &mut again).await;
    assert_refused(&refused, 403, "avstängt");
    assert_eq!(me(&app, &again).await.status, 401);
}

#[actix_rt::test]
async fn logout_ends_the_session_and_sends_the_browser_to_the_provider() {
    let provider = Provider::start();
    let app = sso_app(&provider, &[]).await;
    provider.scenario(json!({ "email": MANAGER })).await;
    let mut browser = Browser::new();
    assert_eq!(log_in(&app, &mut browser).await.status, 303);
    let cookie = browser.session();
    let out = app
        .send_as(
            cookie.as_deref(),
            "DELETE",
            "/api/v1/auth/session",
            None,
            None,
        )
        .await;
    assert_eq!(out.status, 200, "{}", out.raw);
    let logout = out.body["logout_url"]
        .as_str()
        .expect("logout_url")
        .to_owned();
    assert!(
        logout.starts_with(&format!("{}/endsession?", provider.url)),
        "{logout}"
    );
    let hint = param(&logout, "id_token_hint");
    assert_eq!(hint.split('.').count(), 3, "an ID token as hint: {logout}");
    assert!(
        logout.contains(&format!(
            "post_logout_redirect_uri={}",
            enc(&format!("{BASE}/login"))
        )),
        "{logout}"
    );
    assert_eq!(me(&app, &browser).await.status, 401, "logged out here");
    // The provider ends its session and sends the browser back to the login page.
    let at_provider = browser.get(&logout, false).await;
    assert_eq!(at_provider.status, 302, "{}", at_provider.body);
    assert_eq!(
        at_provider.location.as_deref(),
        Some(&*format!("{BASE}/login"))
    );
    let log = provider.log().await;
    assert_eq!(
        log["end_sessions"][0]["id_token_hint"].as_str(),
        Some(&*hint)
    );
    // A session begun with a mailed link (here the demo login) logs out as before: 204.
    let demo = app.login_as("eva.ek@example.se").await;
    let out = app
        .send_as(Some(&demo), "DELETE", "/api/v1/auth/session", None, None)
        .await;
    assert_eq!(out.status, 204, "{}", out.raw);
}

#[actix_rt::test]
async fn rotated_keys_are_fetched_again_at_most_once_a_minute() {
    let provider = Provider::start();
    let app = sso_app(&provider, &[]).await;
    provider.scenario(json!({ "email": MANAGER })).await;
    let mut browser = Browser::new();
    assert_eq!(
        log_in(&app, &mut browser).await.status,
        303,
        "keys from discovery"
    );
    // A new key a minute later: one refresh of the keys, and the login works.
    provider.rotate().await;
    app.clock.advance(chrono::Duration::seconds(61));
    let mut b = Browser::new();
    assert_eq!(log_in(&app, &mut b).await.status, 303, "after one rotation");
    // Another new key at once: no second refresh within the minute.
    provider.rotate().await;
    let mut b = Browser::new();
    let refused = log_in(&app, &mut b).await;
    assert_refused(&refused, 400, "kunde inte kontrolleras");
    app.clock.advance(chrono::Duration::seconds(61));
    let mut b = Browser::new();
    assert_eq!(log_in(&app, &mut b).await.status, 303, "a minute later");
}

#[actix_rt::test]
async fn with_the_mailed_link_off_for_staff_only_employees_get_one() {
    let provider = Provider::start();
    let app = sso_app(&provider, &[("TILLBUD_OIDC_STAFF_MAILED_LINK", "false")]).await;
    let methods = app.get("/api/v1/auth/methods").await;
    assert_eq!(methods.status, 200);
    assert_eq!(methods.body["sso_login_url"], "/auth/oidc/login");
    assert_eq!(methods.body["mailed_link_for_staff"], false);
    for email in [MANAGER, "eva.ek@example.se"] {
        let r = helpers::post_json(
            &app,
            "/api/v1/auth/login-link",
            &[],
            json!({ "email": email }),
        )
        .await;
        assert_eq!(r.status, 202, "{}", r.raw);
    }
    helpers::wait_until("the login mails handled", 20, || async {
        helpers::outbox_rows(&app)
            .await
            .iter()
            .all(|r| r.sent_at.is_some())
    })
    .await;
    // The employee's login mail was sent; the manager's was dropped (no row is kept).
    let logins: Vec<String> = helpers::outbox_rows(&app)
        .await
        .into_iter()
        .filter(|r| r.purpose == "login")
        .map(|r| r.recipient)
        .collect();
    assert_eq!(
        logins,
        ["eva.ek@example.se"],
        "staff use the municipal account"
    );
    // She still logs in with it.
    provider.scenario(json!({ "email": MANAGER })).await;
    let mut browser = Browser::new();
    assert_eq!(log_in(&app, &mut browser).await.status, 303);
}

#[actix_rt::test]
async fn the_email_is_read_from_the_configured_claim() {
    let provider = Provider::start();
    // Entra ID often carries the work address in `upn` rather than `email`.
    let app = sso_app(&provider, &[("TILLBUD_OIDC_EMAIL_CLAIM", "upn")]).await;
    provider
        .scenario(json!({ "email": MANAGER, "email_claim": "upn" }))
        .await;
    let mut browser = Browser::new();
    assert_eq!(log_in(&app, &mut browser).await.status, 303);
    assert_eq!(me(&app, &browser).await.body["email"], MANAGER);
    // A token without that claim names nobody.
    provider
        .scenario(json!({ "email": MANAGER, "email_claim": "email" }))
        .await;
    let mut other = Browser::new();
    let refused = log_in(&app, &mut other).await;
    assert_refused(&refused, 403, "ingen e-postadress");
    // Nor does an `email` the provider itself calls unverified.
    let app = sso_app(&provider, &[]).await;
    provider
        .scenario(json!({ "email": MANAGER, "email_verified": false }))
        .await;
    let mut third = Browser::new();
    let refused = log_in(&app, &mut third).await;
    assert_refused(&refused, 403, "ingen e-postadress");
}
