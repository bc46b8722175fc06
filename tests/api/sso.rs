//! Single sign-on without a provider: what the app says when it is off, when the provider
//! cannot be reached and for a callback nobody started, and how its settings are checked. The
//! flow against a real provider is `tests/oidc/` (its own step, it needs Node).

use std::collections::BTreeMap;

use tillbud::config::Settings;

use crate::helpers::{spawn_app, spawn_app_with};

#[actix_rt::test]
async fn without_sso_the_login_methods_say_so_and_its_pages_explain() {
    let app = spawn_app().await;
    let methods = app.get("/api/v1/auth/methods").await;
    assert_eq!(methods.status, 200, "{}", methods.raw);
    assert!(methods.body["sso_login_url"].is_null());
    assert_eq!(methods.body["mailed_link_for_staff"], true);
    for path in ["/auth/oidc/login", "/auth/oidc/callback?code=x&state=y"] {
        let page = app.get(path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(
            page.content_type().starts_with("text/html"),
            "{path}: a page, not a problem"
        );
        assert!(page.raw.contains("inte inställd"), "{}", page.raw);
        assert!(page.raw.contains("not set up here"), "{}", page.raw);
    }
}

/// A provider address nothing listens on.
const NOWHERE: &str = "http://127.0.0.1:9";

#[actix_rt::test]
async fn an_unreachable_provider_ends_on_a_clear_page_not_a_500() {
    let app = spawn_app_with(&[
        ("TILLBUD_OIDC_ISSUER", NOWHERE),
        ("TILLBUD_OIDC_CLIENT_ID", "tillbud"),
        ("TILLBUD_OIDC_TIMEOUT_SECS", "2"),
    ])
    .await;
    let methods = app.get("/api/v1/auth/methods").await;
    assert_eq!(methods.body["sso_login_url"], "/auth/oidc/login");
    let page = app.get("/auth/oidc/login").await;
    assert_eq!(page.status, 503, "{}", page.raw);
    assert_eq!(page.header("retry-after"), Some("60"));
    assert!(page.raw.contains("svarar inte just nu"), "{}", page.raw);
    assert!(page.raw.contains("href=\"/login\""), "{}", page.raw);
    // A callback that no login of this browser started is refused before the provider is
    // asked anything.
    let page = app.get("/auth/oidc/callback?code=abc&state=forged").await;
    assert_eq!(page.status, 400, "{}", page.raw);
    assert!(
        page.raw.contains("startades inte i den här webbläsaren"),
        "{}",
        page.raw
    );
    let page = app.get("/auth/oidc/callback?error=access_denied").await;
    assert_eq!(page.status, 400, "no state: {}", page.raw);
}

#[actix_rt::test]
async fn the_login_page_offers_the_municipal_account_before_the_mailed_link() {
    let app = spawn_app().await;
    let page = app.get("/login").await;
    let sso = page.raw.find("id=\"sso\"").expect("the SSO section");
    let link = page
        .raw
        .find("id=\"request\"")
        .expect("the mailed-link section");
    assert!(sso < link, "the municipal account comes first");
    assert!(page.raw.contains("Logga in med kommunens konto"));
}

fn load(pairs: &[(&str, &str)]) -> Result<Settings, String> {
    let env: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::load_from(None, &env).map_err(|e| e.0)
}

#[test]
fn sso_settings_are_checked_at_start() {
    let issuer = ("TILLBUD_OIDC_ISSUER", "https://login.example/tenant/v2.0");
    let s = load(&[
        issuer,
        ("TILLBUD_OIDC_CLIENT_ID", "abc"),
        ("TILLBUD_BASE_URL", "https://tillbud.example.se/"),
        ("TILLBUD_OIDC_SCOPES", "openid email  profile"),
        ("TILLBUD_OIDC_GROUP_CLAIM", "groups"),
        ("TILLBUD_OIDC_GROUP_ROLES", "g1=coordinator,g2=finance"),
    ])
    .expect("valid SSO settings");
    let o = s.oidc.expect("SSO on");
    assert_eq!(
        o.redirect_url,
        "https://tillbud.example.se/auth/oidc/callback"
    );
    assert_eq!(o.post_logout_url, "https://tillbud.example.se/login");
    assert_eq!(o.scopes, ["email", "profile"]);
    assert_eq!(o.email_claim, "email");
    assert!(o.client_secret.is_none(), "a public client");
    assert!(o.staff_mailed_link);
    assert!(
        load(&[]).expect("defaults").oidc.is_none(),
        "off by default"
    );
    for (pairs, key) in [
        (vec![issuer], "oidc_client_id"),
        (
            vec![
                ("TILLBUD_OIDC_ISSUER", "login.example"),
                ("TILLBUD_OIDC_CLIENT_ID", "a"),
            ],
            "oidc_issuer",
        ),
        (
            vec![
                issuer,
                ("TILLBUD_OIDC_CLIENT_ID", "a"),
                ("TILLBUD_OIDC_GROUP_CLAIM", "groups"),
                ("TILLBUD_OIDC_GROUP_ROLES", "g1=manager"),
            ],
            "oidc_group_roles",
        ),
        (
            vec![
                issuer,
                ("TILLBUD_OIDC_CLIENT_ID", "a"),
                ("TILLBUD_OIDC_GROUP_ROLES", "g1=admin"),
            ],
            "oidc_group_roles",
        ),
        (
            vec![
                issuer,
                ("TILLBUD_OIDC_CLIENT_ID", "a"),
                ("TILLBUD_OIDC_STAFF_MAILED_LINK", "maybe"),
            ],
            "oidc_staff_mailed_link",
        ),
        (
            vec![
                issuer,
                ("TILLBUD_OIDC_CLIENT_ID", "a"),
                ("TILLBUD_OIDC_TIMEOUT_SECS", "0"),
            ],
            "oidc_timeout_secs",
        ),
    ] {
        let e = load(&pairs).expect_err(key);
        assert!(e.contains(key), "{e}");
    }
    // The secret never shows in a debug print.
    let s = load(&[
        issuer,
        ("TILLBUD_OIDC_CLIENT_ID", "a"),
        ("TILLBUD_OIDC_CLIENT_SECRET", "hemligt-värde"),
    ])
    .expect("with a secret");
    assert!(!format!("{:?}", s.oidc).contains("hemligt"));
}

/// With the mailed link turned off for staff, a link a manager got before no longer works; an
/// employee's still does.
#[actix_rt::test]
async fn a_staff_link_minted_before_the_switch_to_sso_no_longer_works() {
    use crate::helpers::{mail_app, post_json, spawn_app_at};
    use serde_json::json;
    let (smtp, before) = mail_app(&[]).await;
    for email in ["petra.lindgren@example.se", "eva.ek@example.se"] {
        let r = post_json(
            &before,
            "/api/v1/auth/login-link",
            &[],
            json!({ "email": email }),
        )
        .await;
        assert_eq!(r.status, 202, "{}", r.raw);
    }
    smtp.wait_for(2, 20).await;
    let token = |to: &str| {
        let mail = &smtp.to(to)[0];
        let link = mail
            .link("http://tillbud.test/login?token=")
            .unwrap_or_else(|| panic!("no login link in {}", mail.text()));
        link.split("token=").nth(1).unwrap_or_default().to_owned()
    };
    let (manager, employee) = (
        token("petra.lindgren@example.se"),
        token("eva.ek@example.se"),
    );
    // The same database, now with single sign-on and the link off for staff.
    let after = spawn_app_at(
        &before.database_url,
        None,
        &[
            ("TILLBUD_OIDC_ISSUER", NOWHERE),
            ("TILLBUD_OIDC_CLIENT_ID", "tillbud"),
            ("TILLBUD_OIDC_STAFF_MAILED_LINK", "false"),
        ],
    )
    .await;
    let same_origin = [("Sec-Fetch-Site", "same-origin")];
    let refused = post_json(
        &after,
        "/api/v1/auth/session",
        &same_origin,
        json!({ "token": manager }),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.raw);
    let started = post_json(
        &after,
        "/api/v1/auth/session",
        &same_origin,
        json!({ "token": employee }),
    )
    .await;
    assert_eq!(started.status, 201, "{}", started.raw);
}

/// The client follows no redirects: a discovery document that answers "look over there" (an
/// internal address, say) is not followed there, and the login ends on the 503 page.
#[actix_rt::test]
async fn discovery_follows_no_redirect() {
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let elsewhere = TcpListener::bind("127.0.0.1:0").expect("bind");
    let elsewhere_port = elsewhere.local_addr().expect("addr").port();
    elsewhere.set_nonblocking(true).expect("nonblocking");
    let redirector = TcpListener::bind("127.0.0.1:0").expect("bind");
    let issuer = format!(
        "http://127.0.0.1:{}",
        redirector.local_addr().expect("addr").port()
    );
    let asked = Arc::new(AtomicBool::new(false));
    let seen = asked.clone();
    std::thread::spawn(move || {
        // One request (discovery) is enough: answer it with a redirect.
        if let Ok((mut s, _)) = redirector.accept() {
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf);
            seen.store(true, Ordering::SeqCst);
            let answer = format!(
                "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{elsewhere_port}/.well-known/openid-configuration\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = s.write_all(answer.as_bytes());
        }
    });
    let app = spawn_app_with(&[
        ("TILLBUD_OIDC_ISSUER", issuer.as_str()),
        ("TILLBUD_OIDC_CLIENT_ID", "tillbud"),
        ("TILLBUD_OIDC_TIMEOUT_SECS", "3"),
    ])
    .await;
    let page = app.get("/auth/oidc/login").await;
    assert_eq!(page.status, 503, "{}", page.raw);
    assert!(asked.load(Ordering::SeqCst), "discovery was asked");
    assert!(
        elsewhere.accept().is_err(),
        "the redirect was not followed to the other address"
    );
}
