//! Identity: login links through real SMTP, sessions (expiry, logout, revocation), API tokens,
//! the same-origin rule for cookie requests, rate limits, and the admin role.

use chrono::Duration;
use serde_json::json;

use crate::helpers::{mail_app, post_json, spawn_app, spawn_app_with, Reply, TestApp, ADMIN_TOKEN};

const SAME_ORIGIN: (&str, &str) = ("Sec-Fetch-Site", "same-origin");

/// The `name=value` of the session cookie a reply sets.
fn session_cookie(reply: &Reply) -> String {
    let set = reply
        .headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tillbud_session="))
        .unwrap_or_else(|| panic!("no session cookie in {:?}", reply.headers));
    set.split(';').next().unwrap().to_owned()
}

async fn me(app: &TestApp, cookie: &str) -> Reply {
    app.get_with("/api/v1/me", &[("cookie", cookie)]).await
}

#[actix_rt::test]
async fn a_login_link_arrives_by_smtp_and_works_once() {
    let (smtp, app) = mail_app(&[]).await;
    let asked = post_json(
        &app,
        "/api/v1/auth/login-link",
        &[],
        json!({ "email": "Petra.Lindgren@example.se" }),
    )
    .await;
    assert_eq!(asked.status, 202, "{}", asked.raw);
    let mails = smtp.wait_for(1, 20).await;
    assert_eq!(mails.len(), 1);
    let mail = &smtp.to("petra.lindgren@example.se")[0];
    assert_eq!(
        mail.subject(),
        "[tillbud] Din inloggningslänk / Your login link"
    );
    let link = mail
        .link("http://tillbud.test/login?token=")
        .unwrap_or_else(|| panic!("no login link in {}", mail.text()));
    let token = link.split("token=").nth(1).unwrap().to_owned();
    assert!(token.len() >= 40, "{token}");
    assert!(mail.text().contains("15 minuter"));

    let started = post_json(
        &app,
        "/api/v1/auth/session",
        &[SAME_ORIGIN],
        json!({ "token": token }),
    )
    .await;
    assert_eq!(started.status, 201, "{}", started.raw);
    let set = started
        .headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap()
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attribute), "{set}");
    }
    let cookie = session_cookie(&started);
    let who = me(&app, &cookie).await;
    assert_eq!(who.status, 200, "{}", who.raw);
    assert_eq!(who.body["email"], "petra.lindgren@example.se");
    assert_eq!(who.body["roles"], json!(["employee", "manager"]));
    assert_eq!(who.body["managed_units"][0]["name"], "Lyckeby skola");
    assert_eq!(who.body["can"]["manage_cases"], true);
    assert_eq!(who.body["authenticated_by"], "session");

    // Single use.
    let again = post_json(
        &app,
        "/api/v1/auth/session",
        &[SAME_ORIGIN],
        json!({ "token": token }),
    )
    .await;
    again.assert_problem(422);
    assert_eq!(again.field_errors(), [("token".into(), "invalid".into())]);
}

#[actix_rt::test]
async fn unknown_addresses_get_the_same_answer_and_no_mail() {
    let (smtp, app) = mail_app(&[]).await;
    let unknown = post_json(
        &app,
        "/api/v1/auth/login-link",
        &[],
        json!({ "email": "nobody@elsewhere.example" }),
    )
    .await;
    let known = post_json(
        &app,
        "/api/v1/auth/login-link",
        &[],
        json!({ "email": "fredrik.dahl@example.se" }),
    )
    .await;
    assert_eq!((unknown.status, known.status), (202, 202));
    assert_eq!(unknown.body, known.body, "the answers must not differ");
    // The known address's mail arrives; nothing for the unknown one was queued before it.
    smtp.wait_for(1, 20).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let all = smtp.received();
    assert_eq!(all.len(), 1);
    assert!(smtp.to("nobody@elsewhere.example").is_empty());

    // Not an address at all: a clear 422 naming the field.
    let bad = post_json(
        &app,
        "/api/v1/auth/login-link",
        &[],
        json!({ "email": "petra" }),
    )
    .await;
    bad.assert_problem(422);
    assert_eq!(bad.field_errors()[0].0, "email");
}

#[actix_rt::test]
async fn a_login_link_expires_after_fifteen_minutes() {
    let (smtp, app) = mail_app(&[]).await;
    let asked = post_json(
        &app,
        "/api/v1/auth/login-link",
        &[],
        json!({ "email": "petra.lindgren@example.se" }),
    )
    .await;
    assert_eq!(asked.status, 202);
    smtp.wait_for(1, 20).await;
    let link = smtp.to("petra.lindgren@example.se")[0]
        .link("http://tillbud.test/login?token=")
        .unwrap();
    let token = link.split("token=").nth(1).unwrap().to_owned();
    app.clock.advance(Duration::minutes(16));
    let late = post_json(
        &app,
        "/api/v1/auth/session",
        &[SAME_ORIGIN],
        json!({ "token": token }),
    )
    .await;
    late.assert_problem(422);
}

#[actix_rt::test]
async fn login_links_are_rate_limited_the_same_for_known_and_unknown_addresses() {
    let app = spawn_app().await;
    for email in ["petra.lindgren@example.se", "nobody@elsewhere.example"] {
        for i in 0..5 {
            let r = post_json(
                &app,
                "/api/v1/auth/login-link",
                &[],
                json!({ "email": email }),
            )
            .await;
            assert_eq!(r.status, 202, "{email} request {i}: {}", r.raw);
        }
        let sixth = post_json(
            &app,
            "/api/v1/auth/login-link",
            &[],
            json!({ "email": email }),
        )
        .await;
        sixth.assert_problem(429);
        let wait: i64 = sixth.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=900).contains(&wait), "{wait}");
    }
    // After the window the address may ask again.
    app.clock.advance(Duration::minutes(16));
    let later = post_json(
        &app,
        "/api/v1/auth/login-link",
        &[],
        json!({ "email": "petra.lindgren@example.se" }),
    )
    .await;
    assert_eq!(later.status, 202);
}

#[actix_rt::test]
async fn sessions_end_when_idle_or_too_old_and_at_logout() {
    let app = spawn_app_with(&[("TILLBUD_SESSION_MAX_DAYS", "1")]).await;
    let cookie = app.login_as("petra.lindgren@example.se").await;
    assert_eq!(me(&app, &cookie).await.status, 200);
    // Idle: 8 hours by default.
    app.clock.advance(Duration::minutes(479));
    assert_eq!(
        me(&app, &cookie).await.status,
        200,
        "still within the idle time"
    );
    app.clock.advance(Duration::minutes(481));
    me(&app, &cookie).await.assert_problem(401);

    // Absolute lifetime (1 day here), however active.
    let cookie = app.login_as("petra.lindgren@example.se").await;
    for _ in 0..3 {
        app.clock.advance(Duration::hours(7));
        assert_eq!(me(&app, &cookie).await.status, 200);
    }
    app.clock.advance(Duration::hours(4));
    me(&app, &cookie).await.assert_problem(401);

    // Logout.
    let cookie = app.login_as("petra.lindgren@example.se").await;
    let out = app
        .request(
            "DELETE",
            "/api/v1/auth/session",
            &[("cookie", &cookie), SAME_ORIGIN],
            vec![],
        )
        .await;
    assert_eq!(out.status, 204);
    let removal = out.header("set-cookie").unwrap_or("");
    assert!(removal.starts_with("tillbud_session=;"), "{removal}");
    me(&app, &cookie).await.assert_problem(401);
}

#[actix_rt::test]
async fn each_login_gets_a_new_session_id_and_ends_the_old_one() {
    let app = spawn_app().await;
    let first = app.login_as("petra.lindgren@example.se").await;
    let r = post_json(
        &app,
        "/api/v1/auth/demo-login",
        &[SAME_ORIGIN, ("cookie", &first)],
        json!({ "email": "petra.lindgren@example.se" }),
    )
    .await;
    let second = session_cookie(&r);
    assert_ne!(first, second);
    me(&app, &first).await.assert_problem(401);
    assert_eq!(me(&app, &second).await.status, 200);
}

#[actix_rt::test]
async fn disabling_a_user_ends_their_sessions_and_tokens_at_once() {
    let app = spawn_app_with(&[("TILLBUD_ADMIN_TOKEN", ADMIN_TOKEN)]).await;
    let cookie = app.login_as("eva.ek@example.se").await;
    let token = post_json(
        &app,
        "/api/v1/me/tokens",
        &[("cookie", &cookie), SAME_ORIGIN],
        json!({ "name": "export" }),
    )
    .await;
    assert_eq!(token.status, 201, "{}", token.raw);
    let bearer = format!("Bearer {}", token.body["token"].as_str().unwrap());
    let user_id = me(&app, &cookie).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let patched = app
        .admin_send(
            "PATCH",
            &format!("/api/v1/admin/users/{user_id}"),
            Some(&json!({ "disabled": true })),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.raw);
    assert_eq!(patched.body["disabled"], true);
    me(&app, &cookie).await.assert_problem(401);
    app.get_with("/api/v1/me", &[("authorization", &bearer)])
        .await
        .assert_problem(401);
    // A disabled user cannot log in again, not even with the demo buttons.
    let demo = post_json(
        &app,
        "/api/v1/auth/demo-login",
        &[SAME_ORIGIN],
        json!({ "email": "eva.ek@example.se" }),
    )
    .await;
    demo.assert_problem(422);
    let again = post_json(
        &app,
        "/api/v1/auth/login-link",
        &[],
        json!({ "email": "eva.ek@example.se" }),
    )
    .await;
    assert_eq!(again.status, 202, "same answer as for anyone");
}

#[actix_rt::test]
async fn re_enabling_a_user_does_not_revive_their_old_sessions_or_tokens() {
    let app = spawn_app_with(&[("TILLBUD_ADMIN_TOKEN", ADMIN_TOKEN)]).await;
    let cookie = app.login_as("eva.ek@example.se").await;
    let token = post_json(
        &app,
        "/api/v1/me/tokens",
        &[("cookie", &cookie), SAME_ORIGIN],
        json!({ "name": "export" }),
    )
    .await;
    assert_eq!(token.status, 201, "{}", token.raw);
    let bearer = format!("Bearer {}", token.body["token"].as_str().unwrap());
    let user_id = me(&app, &cookie).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/admin/users/{user_id}");
    for disabled in [true, false] {
        let r = app
            .admin_send("PATCH", &path, Some(&json!({ "disabled": disabled })))
            .await;
        assert_eq!(r.status, 200, "{}", r.raw);
        assert_eq!(r.body["disabled"], disabled);
    }
    // Enabled again, but what existed before the disabling stays dead.
    app.get_with("/api/v1/me", &[("authorization", &bearer)])
        .await
        .assert_problem(401);
    me(&app, &cookie).await.assert_problem(401);
    let listed = app
        .get_with(
            "/api/v1/me/tokens",
            &[("cookie", &app.login_as("eva.ek@example.se").await)],
        )
        .await;
    assert_eq!(listed.status, 200, "{}", listed.raw);
    assert!(
        listed.body["items"][0]["revoked_at"].is_string(),
        "{}",
        listed.raw
    );
    // A new login and a new token work.
    let fresh = app.login_as("eva.ek@example.se").await;
    assert_eq!(me(&app, &fresh).await.status, 200);
}

#[actix_rt::test]
async fn api_tokens_work_until_revoked_and_only_their_owner_revokes_them() {
    let app = spawn_app().await;
    let cookie = app.login_as("mikael.strand@example.se").await;
    let created = post_json(
        &app,
        "/api/v1/me/tokens",
        &[("cookie", &cookie), SAME_ORIGIN],
        json!({ "name": "Power BI" }),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.raw);
    let secret = created.body["token"].as_str().unwrap().to_owned();
    let id = created.body["id"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {secret}");

    let who = app
        .get_with("/api/v1/me", &[("authorization", &bearer)])
        .await;
    assert_eq!(who.status, 200, "{}", who.raw);
    assert_eq!(who.body["authenticated_by"], "api_token");
    assert!(who.body["roles"]
        .as_array()
        .unwrap()
        .contains(&json!("safety_coordinator")));

    let listed = app
        .get_with("/api/v1/me/tokens", &[("cookie", &cookie)])
        .await;
    assert_eq!(listed.body["items"][0]["name"], "Power BI");
    assert!(
        !listed.raw.contains(&secret),
        "the secret is never shown again"
    );
    assert!(listed.body["items"][0]["last_used_at"].is_string());

    // Someone else cannot revoke it.
    let other = app.login_as("petra.lindgren@example.se").await;
    app.request(
        "DELETE",
        &format!("/api/v1/me/tokens/{id}"),
        &[("cookie", &other), SAME_ORIGIN],
        vec![],
    )
    .await
    .assert_problem(404);
    assert_eq!(
        app.get_with("/api/v1/me", &[("authorization", &bearer)])
            .await
            .status,
        200
    );

    // Bearer calls need no same-origin header: browsers never send tokens by themselves.
    let revoked = app
        .request(
            "DELETE",
            &format!("/api/v1/me/tokens/{id}"),
            &[("authorization", &bearer)],
            vec![],
        )
        .await;
    assert_eq!(revoked.status, 204);
    app.get_with("/api/v1/me", &[("authorization", &bearer)])
        .await
        .assert_problem(401);
}

#[actix_rt::test]
async fn cookie_requests_that_change_something_must_come_from_our_pages() {
    let app = spawn_app().await;
    let cookie = app.login_as("petra.lindgren@example.se").await;
    let body = json!({ "name": "x" });
    for (what, headers) in [
        (
            "cross-site fetch",
            vec![
                ("cookie", cookie.as_str()),
                ("Sec-Fetch-Site", "cross-site"),
            ],
        ),
        (
            "same-site subdomain",
            vec![("cookie", cookie.as_str()), ("Sec-Fetch-Site", "same-site")],
        ),
        (
            "foreign origin",
            vec![
                ("cookie", cookie.as_str()),
                ("Origin", "http://evil.example"),
            ],
        ),
        ("no origin at all", vec![("cookie", cookie.as_str())]),
    ] {
        let r = post_json(&app, "/api/v1/me/tokens", &headers, body.clone()).await;
        assert_eq!(r.status, 403, "{what}: {}", r.raw);
        r.assert_problem(403);
    }
    let ours = post_json(
        &app,
        "/api/v1/me/tokens",
        &[("cookie", &cookie), ("Origin", "http://tillbud.test")],
        body.clone(),
    )
    .await;
    assert_eq!(ours.status, 201, "{}", ours.raw);
    // Reading needs no such header.
    assert_eq!(me(&app, &cookie).await.status, 200);
    // Nor may a foreign page log a browser in.
    let forced = post_json(
        &app,
        "/api/v1/auth/demo-login",
        &[("Sec-Fetch-Site", "cross-site")],
        json!({ "email": "petra.lindgren@example.se" }),
    )
    .await;
    forced.assert_problem(403);
}

#[actix_rt::test]
async fn without_a_login_there_is_no_me_and_demo_login_exists_only_in_demo_mode() {
    let app = spawn_app().await;
    let anonymous = app.get("/api/v1/me").await;
    anonymous.assert_problem(401);
    assert!(anonymous.header("www-authenticate").is_some());
    let listed = app.get("/api/v1/auth/demo-users").await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 8);

    let live = spawn_app_with(&[("TILLBUD_DEMO", "false")]).await;
    live.get("/api/v1/auth/demo-users")
        .await
        .assert_problem(404);
    post_json(
        &live,
        "/api/v1/auth/demo-login",
        &[SAME_ORIGIN],
        json!({ "email": "petra.lindgren@example.se" }),
    )
    .await
    .assert_problem(404);
}

#[actix_rt::test]
async fn the_admin_api_takes_admin_users_and_refuses_others() {
    let app = spawn_app().await;
    let admin = app.login_as("admin@example.se").await;
    let users = app
        .get_with("/api/v1/admin/users", &[("cookie", &admin)])
        .await;
    assert_eq!(users.status, 200, "{}", users.raw);
    assert!(users.raw.contains("petra.lindgren@example.se"));
    let manager = app.login_as("petra.lindgren@example.se").await;
    app.get_with("/api/v1/admin/users", &[("cookie", &manager)])
        .await
        .assert_problem(403);
    // No login and no admin token configured: the admin API does not exist.
    app.get("/api/v1/admin/users").await.assert_problem(404);

    // An explicit grant makes a user manager of another unit at once.
    let fredrik = me(&app, &app.login_as("fredrik.dahl@example.se").await).await;
    let fredrik_id = fredrik.body["id"].as_str().unwrap();
    let unit = app.unit_id("Rödebyskolan").await;
    let granted = post_json(
        &app,
        &format!("/api/v1/admin/users/{fredrik_id}/grants"),
        &[("cookie", &admin), SAME_ORIGIN],
        json!({ "org_unit_id": unit, "role": "manager" }),
    )
    .await;
    assert_eq!(granted.status, 204, "{}", granted.raw);
    let cookie = app.login_as("fredrik.dahl@example.se").await;
    let names: Vec<String> = me(&app, &cookie).await.body["managed_units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Nättraby skola", "Rödebyskolan"]);
}

/// Asks for a login link as if from `headers` (e.g. a forwarded client address).
async fn ask_link(app: &TestApp, email: &str, headers: &[(&str, &str)]) -> Reply {
    post_json(
        app,
        "/api/v1/auth/login-link",
        headers,
        json!({ "email": email }),
    )
    .await
}

#[actix_rt::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    // One link per address and client, four per client: the fifth address from one client
    // is refused.
    let app = spawn_app_with(&[
        ("TILLBUD_LOGIN_RATE_LIMIT", "1"),
        ("TILLBUD_TRUSTED_PROXIES", "10.9.0.0/16, 127.0.0.1"),
    ])
    .await;
    for i in 0..6 {
        let client = format!("198.51.100.{i}");
        let r = ask_link(
            &app,
            &format!("n{i}@elsewhere.example"),
            &[("X-Forwarded-For", &client)],
        )
        .await;
        assert_eq!(r.status, 202, "client {client}: {}", r.raw);
    }
    // The client is the right-most hop that is not a proxy of ours: what it wrote to the left
    // of that is its own word and does not make it someone else.
    for i in 0..4 {
        let forged = format!("203.0.113.{i}, 192.0.2.77, 10.9.0.3");
        let r = ask_link(
            &app,
            &format!("m{i}@elsewhere.example"),
            &[("X-Forwarded-For", &forged)],
        )
        .await;
        assert_eq!(r.status, 202, "{forged}: {}", r.raw);
    }
    let fifth = ask_link(
        &app,
        "m9@elsewhere.example",
        &[("X-Forwarded-For", "203.0.113.99, 192.0.2.77")],
    )
    .await;
    fifth.assert_problem(429);
    assert!(fifth.header("retry-after").is_some());
}

#[actix_rt::test]
async fn forwarded_headers_from_an_untrusted_peer_do_not_change_the_client() {
    let app = spawn_app_with(&[("TILLBUD_LOGIN_RATE_LIMIT", "1")]).await;
    for i in 0..4 {
        let forged = format!("198.51.100.{i}");
        let forwarded = format!("for={forged}");
        let r = ask_link(
            &app,
            &format!("n{i}@elsewhere.example"),
            &[("X-Forwarded-For", &forged), ("Forwarded", &forwarded)],
        )
        .await;
        assert_eq!(r.status, 202, "{}", r.raw);
    }
    ask_link(
        &app,
        "n9@elsewhere.example",
        &[("X-Forwarded-For", "198.51.100.200")],
    )
    .await
    .assert_problem(429);
}

#[actix_rt::test]
async fn the_forwarded_header_of_rfc_7239_is_read_when_configured() {
    let app = spawn_app_with(&[
        ("TILLBUD_LOGIN_RATE_LIMIT", "1"),
        ("TILLBUD_TRUSTED_PROXIES", "127.0.0.1"),
        ("TILLBUD_FORWARDED_HEADER", "forwarded"),
    ])
    .await;
    for i in 0..6 {
        let forwarded = format!("for=\"198.51.100.{i}:4711\";proto=https");
        let r = ask_link(
            &app,
            &format!("n{i}@elsewhere.example"),
            &[("Forwarded", &forwarded)],
        )
        .await;
        assert_eq!(r.status, 202, "{forwarded}: {}", r.raw);
    }
    // X-Forwarded-For is not the configured header: ignored, so these are all the proxy.
    for i in 0..4 {
        let r = ask_link(
            &app,
            &format!("x{i}@elsewhere.example"),
            &[("X-Forwarded-For", &format!("192.0.2.{i}"))],
        )
        .await;
        assert_eq!(r.status, 202, "{}", r.raw);
    }
    ask_link(
        &app,
        "x9@elsewhere.example",
        &[("X-Forwarded-For", "192.0.2.99")],
    )
    .await
    .assert_problem(429);
}

async fn post_token(app: &TestApp, headers: Vec<(&str, &str)>) -> Reply {
    post_json(app, "/api/v1/me/tokens", &headers, json!({ "name": "x" })).await
}

#[actix_rt::test]
async fn the_origin_check_believes_forwarded_host_and_scheme_only_from_trusted_proxies() {
    let direct = spawn_app().await;
    let cookie = direct.login_as("petra.lindgren@example.se").await;
    let here = direct.address.clone();
    let https_here = here.replacen("http://", "https://", 1);
    // Forged by the client itself: a foreign origin with a matching X-Forwarded-Host.
    for (what, origin, extra) in [
        (
            "x-forwarded-host",
            "http://evil.example",
            ("X-Forwarded-Host", "evil.example"),
        ),
        (
            "forwarded host",
            "http://evil.example",
            ("Forwarded", "host=evil.example"),
        ),
        (
            "https origin over plain http",
            https_here.as_str(),
            ("X-Forwarded-Proto", "https"),
        ),
    ] {
        let r = post_token(
            &direct,
            vec![("cookie", &cookie), ("Origin", origin), extra],
        )
        .await;
        assert_eq!(r.status, 403, "{what}: {}", r.raw);
        r.assert_problem(403);
    }
    // The host as addressed, with its real scheme, is fine.
    let r = post_token(&direct, vec![("cookie", &cookie), ("Origin", &here)]).await;
    assert_eq!(r.status, 201, "{}", r.raw);

    // Behind a trusted proxy the forwarded scheme and host are what the browser saw.
    let proxied = spawn_app_with(&[("TILLBUD_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let cookie = proxied.login_as("petra.lindgren@example.se").await;
    let forwarded = [
        ("X-Forwarded-Host", "tillbud.intern.example"),
        ("X-Forwarded-Proto", "https"),
    ];
    let with = |origin: &'static str| {
        let mut h = vec![("cookie", cookie.as_str()), ("Origin", origin)];
        h.extend_from_slice(&forwarded);
        h
    };
    let r = post_token(&proxied, with("https://tillbud.intern.example")).await;
    assert_eq!(r.status, 201, "{}", r.raw);
    let r = post_token(&proxied, with("http://tillbud.intern.example")).await;
    assert_eq!(r.status, 403, "the scheme counts too: {}", r.raw);
    let r = post_token(&proxied, with("https://evil.example")).await;
    assert_eq!(r.status, 403, "{}", r.raw);
}

#[actix_rt::test]
async fn known_and_unknown_addresses_take_the_same_path_on_the_request() {
    let (smtp, app) = mail_app(&[("TILLBUD_WORKER_ENABLED", "false")]).await;
    let known = ask_link(&app, "fredrik.dahl@example.se", &[]).await;
    let unknown = ask_link(&app, "nobody@elsewhere.example", &[]).await;
    assert_eq!((known.status, unknown.status), (202, 202));
    assert_eq!(known.body, unknown.body);
    // The request did the same for both: one queued mail each, alike but for the address,
    // and nothing else (no token, no lookup result) written on the way.
    let rows = crate::helpers::outbox_rows(&app).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let (a, b) = (&rows[0], &rows[1]);
    assert_eq!(
        (&a.purpose, &a.state, &a.subject, &a.body_text, &a.body_html),
        (&b.purpose, &b.state, &b.subject, &b.body_text, &b.body_html)
    );
    let mut to: Vec<&str> = rows.iter().map(|r| r.recipient.as_str()).collect();
    to.sort();
    assert_eq!(to, ["fredrik.dahl@example.se", "nobody@elsewhere.example"]);
    assert!(crate::helpers::login_token_rows(&app).await.is_empty());

    // The worker sends the known one and drops the other without a trace.
    let worker = crate::helpers::worker_for(&app, smtp.port);
    assert_eq!(worker.drain_once().await.unwrap(), 2);
    let mails = smtp.wait_for(1, 10).await;
    assert_eq!(mails.len(), 1);
    assert!(smtp.to("nobody@elsewhere.example").is_empty());
    let rows = crate::helpers::outbox_rows(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].recipient, "fredrik.dahl@example.se");
    assert_eq!(rows[0].state, "sent");
    let tokens = crate::helpers::login_token_rows(&app).await;
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].1, "fredrik.dahl@example.se");
}

#[actix_rt::test]
async fn a_stranger_cannot_lock_someone_out_and_a_login_starts_the_count_afresh() {
    let (smtp, app) = mail_app(&[
        ("TILLBUD_LOGIN_RATE_LIMIT", "2"),
        ("TILLBUD_TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    let petra = "petra.lindgren@example.se";
    let stranger = [("X-Forwarded-For", "203.0.113.66")];
    let owner = [("X-Forwarded-For", "198.51.100.10")];
    for _ in 0..2 {
        assert_eq!(ask_link(&app, petra, &stranger).await.status, 202);
    }
    ask_link(&app, petra, &stranger).await.assert_problem(429);
    // Petra, from her own network, is not held up by the stranger's requests.
    for _ in 0..2 {
        let r = ask_link(&app, petra, &owner).await;
        assert_eq!(r.status, 202, "{}", r.raw);
    }
    ask_link(&app, petra, &owner).await.assert_problem(429);
    // She logs in with a link she got; then she (and anyone) may ask again.
    let mails = smtp.wait_for(4, 20).await;
    let link = mails
        .iter()
        .find_map(|m| m.link("http://tillbud.test/login?token="))
        .unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let started = post_json(
        &app,
        "/api/v1/auth/session",
        &[SAME_ORIGIN],
        json!({ "token": token }),
    )
    .await;
    assert_eq!(started.status, 201, "{}", started.raw);
    let r = ask_link(&app, petra, &owner).await;
    assert_eq!(r.status, 202, "{}", r.raw);
}
