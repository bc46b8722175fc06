//! Routing and delivery against a real SMTP server in the test process.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{
    assert_starts_with, find_event, fresh_database, mail_app, post_json, spawn_mail_app,
    spawn_mail_app_at, wait_until, ADMIN_TOKEN,
};
use crate::smtp_server::{Mode, SmtpServer};

const DESCRIPTION: &str = "Isfläcken vid huvudentrén";

/// The rows of one state in the admin API.
async fn outbox(app: &crate::helpers::TestApp, state: &str) -> Value {
    let reply = app
        .admin_get(&format!("/api/v1/admin/outbox?state={state}"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    reply.body
}

#[actix_rt::test]
async fn a_report_goes_to_the_unit_manager_with_copies_and_a_receipt() {
    let (smtp, app) = mail_app(&[]).await;
    let created = app
        .report(
            "Lyckeby skola",
            "near_miss",
            &["person"],
            Some("eva.ek@example.se"),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let mails = smtp.wait_for(3, 20).await;
    assert_eq!(mails.len(), 3, "{mails:?}");

    let manager = &smtp.to("petra.lindgren@example.se")[0];
    assert_eq!(
        manager.subject(),
        "[tillbud] Ny händelse: Halka vid entrén – Lyckeby skola (tillbud)"
    );
    assert_eq!(manager.from, "tillbud@tillbud.test");
    let text = manager.text();
    assert!(text.contains("Enhet: Lyckeby skola"), "{text}");
    assert!(
        text.contains("Typ: tillbud") && text.contains("Kind: near miss"),
        "{text}"
    );
    assert!(text.contains("Konsekvenser: person"), "{text}");
    assert!(
        text.contains(&format!("http://tillbud.test/cases/{id}")),
        "{text}"
    );
    assert!(manager.link("http://tillbud.test/ack/").is_some(), "{text}");
    assert!(manager.html().contains("Lyckeby skola"));
    let message_id = manager.message_id();
    assert!(
        message_id.starts_with("<outbox-") && message_id.ends_with("@tillbud.test>"),
        "{message_id}"
    );

    let rep = &smtp.to("skyddsombud.lyckebyskola@example.se")[0];
    assert_starts_with(&rep.subject(), "[tillbud] För kännedom: Halka vid entrén");
    assert!(
        rep.link("http://tillbud.test/ack/").is_none(),
        "copies carry no ack link"
    );

    let receipt = &smtp.to("eva.ek@example.se")[0];
    let tracking = created["tracking_url"].as_str().unwrap();
    assert!(receipt.text().contains(tracking), "{}", receipt.text());

    // No free text or reporter details in any mail.
    for m in &mails {
        assert!(!m.text().contains(DESCRIPTION) && !m.html().contains(DESCRIPTION));
        assert!(!m.text().contains("0455-30 30 00"));
    }
    // Every Message-ID is its own, and matches an outbox row. The worker records "sent" after
    // the SMTP server has the mails, so wait for that first.
    wait_until("three sent", 10, || async {
        outbox(&app, "sent").await["counts"]["sent"] == 3
    })
    .await;
    let sent = outbox(&app, "sent").await;
    let ids: Vec<String> = sent["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| format!("<outbox-{}@tillbud.test>", i["id"].as_str().unwrap()))
        .collect();
    for m in &mails {
        assert!(
            ids.contains(&m.message_id()),
            "{} not in {ids:?}",
            m.message_id()
        );
    }

    // The decision is in the case's history.
    let history = app.history(id).await;
    let routed = history
        .iter()
        .find(|e| e["kind"] == "routed")
        .expect("routed event");
    assert_eq!(routed["public"], false);
    assert_eq!(
        routed["data"]["responsible"][0]["email"],
        "petra.lindgren@example.se"
    );
    assert_eq!(routed["data"]["responsible"][0]["role"], "manager");
    assert_eq!(routed["data"]["copies"][0]["role"], "safety_representative");
    assert!(routed["data"]["responsible"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("Lyckeby skola"));
}

#[actix_rt::test]
async fn the_deputy_gets_it_while_the_manager_is_away() {
    let (smtp, app) = mail_app(&[]).await;
    let unit = app.unit_id("Lyckeby skola").await;
    let today = chrono::Utc::now().date_naive();
    let reply = app
        .put_absence(
            &unit,
            &json!({
                "away_from": (today - chrono::Duration::days(2)).to_string(),
                "away_until": (today + chrono::Duration::days(2)).to_string(),
            }),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    app.report("Lyckeby skola", "near_miss", &[], None).await;
    let mails = smtp.wait_for(1, 20).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["erik.hedlund@example.se"]);

    // Back again: the manager gets the next one.
    let reply = app
        .put_absence(&unit, &json!({"away_from": null, "away_until": null}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    app.report("Lyckeby skola", "near_miss", &[], None).await;
    smtp.wait_for(2, 20).await;
    assert_eq!(smtp.to("petra.lindgren@example.se").len(), 1);

    // Bad bodies are 422 listing the fields.
    let reply = app
        .put_absence(&unit, &json!({"away_from": "2026-12-24"}))
        .await;
    reply.assert_problem(422);
}

#[actix_rt::test]
async fn a_unit_without_anyone_routes_up_the_line() {
    let (smtp, app) = mail_app(&[]).await;
    // Nättraby förskola has no manager or deputy; Förskola above it has.
    let created = app
        .report("Nättraby förskola", "risk_observation", &[], None)
        .await;
    let mails = smtp.wait_for(1, 20).await;
    assert_eq!(mails[0].to, ["annika.moberg@example.se"]);
    let history = app.history(created["id"].as_str().unwrap()).await;
    let routed = find_event(&history, "routed");
    assert_eq!(routed["data"]["responsible"][0]["role"], "line_manager");
}

#[actix_rt::test]
async fn extraordinary_events_alert_coordinators_and_the_head_of_the_administration() {
    let (smtp, app) = mail_app(&[(
        "TILLBUD_SAFETY_COORDINATORS",
        "sakerhet@example.se, beredskap@example.se",
    )])
    .await;
    app.report("Lyckeby skola", "extraordinary_event", &[], None)
        .await;
    let mails = smtp.wait_for(4, 20).await;
    assert_eq!(
        mails.len(),
        4,
        "{:?}",
        mails.iter().map(|m| &m.to).collect::<Vec<_>>()
    );
    let manager = &smtp.to("petra.lindgren@example.se")[0];
    assert_starts_with(&manager.subject(), "[tillbud] Allvarlig händelse: ");
    // The head of Utbildningsförvaltningen and both coordinators.
    assert_eq!(smtp.to("karin.sjoberg@example.se").len(), 1);
    assert_eq!(smtp.to("sakerhet@example.se").len(), 1);
    assert_eq!(smtp.to("beredskap@example.se").len(), 1);
}

#[actix_rt::test]
async fn smtp_down_at_report_time_delays_mail_but_not_the_answer() {
    let smtp = SmtpServer::down();
    let app = spawn_mail_app(smtp.port, &[]).await;
    let started = std::time::Instant::now();
    let created = app.report("Lyckeby skola", "near_miss", &[], None).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the 201 must not wait for mail"
    );
    assert!(created["id"].is_string());
    // The worker tries and fails while the server is down.
    wait_until("a failed attempt", 20, || async {
        outbox(&app, "failed").await["counts"]["failed"] == 1
    })
    .await;
    let failed = outbox(&app, "failed").await;
    assert!(failed["items"][0]["last_error"].as_str().is_some());
    smtp.up().await;
    let mails = smtp.wait_for(1, 20).await;
    assert_eq!(mails[0].to, ["petra.lindgren@example.se"]);
}

#[actix_rt::test]
async fn a_temporary_smtp_error_is_retried() {
    let smtp = SmtpServer::start().await;
    smtp.fail_temporarily(2);
    let app = spawn_mail_app(smtp.port, &[]).await;
    app.report("Lyckeby skola", "near_miss", &[], None).await;
    let mails = smtp.wait_for(1, 20).await;
    assert_eq!(mails.len(), 1);
    wait_until("the row marked sent", 10, || async {
        outbox(&app, "sent").await["counts"]["sent"] == 1
    })
    .await;
    let sent = outbox(&app, "sent").await;
    assert_eq!(sent["items"][0]["attempts"], 3, "{sent}");
    assert!(sent["items"][0]["last_error"]
        .as_str()
        .unwrap()
        .contains("451"));
}

#[actix_rt::test]
async fn a_permanent_error_goes_dead_is_listed_and_can_be_retried() {
    let smtp = SmtpServer::start().await;
    smtp.set_mode(Mode::PermFail);
    let app = spawn_mail_app(smtp.port, &[("TILLBUD_OUTBOX_MAX_ATTEMPTS", "3")]).await;
    app.report("Lyckeby skola", "near_miss", &[], None).await;
    // Besides the dead-mail summary to the demo's coordinator (which dies too here).
    let not_summary = |v: &Value| -> Vec<Value> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["purpose"] != "dead_alarm")
            .cloned()
            .collect()
    };
    wait_until("a dead mail", 20, || async {
        not_summary(&outbox(&app, "dead").await).len() == 1
    })
    .await;
    let dead = not_summary(&outbox(&app, "dead").await);
    let item = &dead[0];
    assert_eq!(item["attempts"], 3);
    assert_eq!(item["recipient"], "petra.lindgren@example.se");
    assert!(
        item["last_error"].as_str().unwrap().contains("550"),
        "{item}"
    );
    assert!(smtp.received().is_empty());

    // The admin API is guarded.
    let reply = app.get("/api/v1/admin/outbox?state=dead").await;
    reply.assert_problem(401);
    assert!(reply.header("www-authenticate").is_some());
    let reply = app
        .get_with(
            "/api/v1/admin/outbox?state=dead",
            &[("Authorization", "Bearer wrong-token-xxxxxxxx")],
        )
        .await;
    reply.assert_problem(401);
    let reply = app.admin_get("/api/v1/admin/outbox?state=lost").await;
    reply.assert_problem(422);

    // Fixed on the server side: an admin retries, and it goes.
    smtp.set_mode(Mode::Accept);
    let id = item["id"].as_str().unwrap();
    let reply = app
        .admin_send("POST", &format!("/api/v1/admin/outbox/{id}/retry"), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    assert_eq!(reply.body["state"], "pending");
    // (The dead-mail summary to the demo's safety coordinator may go out beside it.)
    let message_id = format!("<outbox-{id}@tillbud.test>");
    wait_until("the retried mail", 20, || async {
        smtp.received().iter().any(|m| m.message_id() == message_id)
    })
    .await;
    // A sent mail cannot be retried.
    wait_until("sent", 10, || async {
        crate::helpers::strings(&outbox(&app, "sent").await["items"], "id").contains(&id)
    })
    .await;
    let reply = app
        .admin_send("POST", &format!("/api/v1/admin/outbox/{id}/retry"), None)
        .await;
    reply.assert_problem(409);
    let reply = app
        .admin_send("POST", "/api/v1/admin/outbox/nope/retry", None)
        .await;
    reply.assert_problem(404);
}

#[actix_rt::test]
async fn without_a_configured_token_the_admin_api_does_not_exist() {
    let app = crate::helpers::spawn_app().await;
    let reply = app
        .get_with(
            "/api/v1/admin/outbox",
            &[("Authorization", &format!("Bearer {ADMIN_TOKEN}"))],
        )
        .await;
    reply.assert_problem(404);
}

#[actix_rt::test]
async fn mail_committed_before_a_crash_is_sent_after_the_restart() {
    let smtp = SmtpServer::start().await;
    let (url, cleanup) = fresh_database();
    // The first instance commits the report but dies before its worker sends anything.
    let first = spawn_mail_app_at(
        &url,
        None,
        smtp.port,
        &[("TILLBUD_WORKER_ENABLED", "false")],
    )
    .await;
    first
        .report("Lyckeby skola", "near_miss", &[], Some("eva.ek@example.se"))
        .await;
    assert_eq!(outbox(&first, "pending").await["counts"]["pending"], 2);
    drop(first);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(smtp.received().is_empty());
    // The restarted instance finds the committed rows and sends them.
    let second = spawn_mail_app_at(&url, Some(cleanup), smtp.port, &[]).await;
    let mails = smtp.wait_for(2, 20).await;
    assert_eq!(mails.len(), 2);
    wait_until("both sent", 10, || async {
        outbox(&second, "sent").await["counts"]["sent"] == 2
    })
    .await;
}

#[actix_rt::test]
async fn two_workers_on_one_outbox_send_each_mail_once() {
    // On PostgreSQL this is two workers with their own pools racing with SKIP LOCKED; on
    // SQLite the same race through the conditional lease update.
    let (smtp, app) = mail_app(&[
        ("TILLBUD_WORKER_ENABLED", "false"),
        ("TILLBUD_OUTBOX_BATCH", "4"),
    ])
    .await;
    for _ in 0..15 {
        app.report(
            "Lyckeby skola",
            "near_miss",
            &["person"],
            Some("eva.ek@example.se"),
        )
        .await;
    }
    let expected = 45;
    assert_eq!(outbox(&app, "pending").await["counts"]["pending"], expected);

    let port = smtp.port.to_string();
    let mut env: Vec<(String, String)> = crate::helpers::smtp_settings(&port)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    env.push(("TILLBUD_OUTBOX_BATCH".into(), "4".into()));
    let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let settings = crate::helpers::test_settings(&app.database_url, &env_ref);
    let mut handles = Vec::new();
    for _ in 0..2 {
        let db = tillbud::db::Db::from_settings(&settings).expect("second pool");
        let worker = tillbud::mail::outbox_worker::Worker::new(
            db,
            app.mail.clone(),
            app.clock.clone(),
            &settings.mail,
        )
        .expect("worker");
        handles.push(tillbud::mail::outbox_worker::spawn(worker));
    }
    let mails = smtp.wait_for(expected as usize, 60).await;
    wait_until("all sent", 20, || async {
        outbox(&app, "sent").await["counts"]["sent"] == expected
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mails = if smtp.count() > mails.len() {
        smtp.received()
    } else {
        mails
    };
    let mut ids: Vec<String> = mails.iter().map(|m| m.message_id()).collect();
    ids.sort();
    let before = ids.len();
    ids.dedup();
    assert_eq!(before, ids.len(), "a mail was sent twice");
    assert_eq!(ids.len(), expected as usize);
    for h in handles {
        h.abort();
    }
}

#[actix_rt::test]
async fn the_default_file_transport_writes_eml_files() {
    // No mail server: what would have been sent is in the mail folder, one file per mail.
    let app = crate::helpers::spawn_app().await;
    app.report("Lyckeby skola", "near_miss", &[], Some("eva.ek@example.se"))
        .await;
    let dir = app.mail_dir.clone();
    wait_until("two .eml files", 20, || {
        let dir = dir.clone();
        async move {
            std::fs::read_dir(&dir)
                .map(|d| {
                    d.flatten()
                        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                        .count()
                        == 2
                })
                .unwrap_or(false)
        }
    })
    .await;
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&app.mail_dir).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let stem = entry
            .path()
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            text.contains(&format!("Message-ID: <outbox-{stem}@tillbud.test>")),
            "{text}"
        );
        assert!(text.contains("multipart/alternative"));
        names.push(stem);
    }
    assert_eq!(names.len(), 2);
}

#[actix_rt::test]
async fn a_worker_that_died_holding_a_lease_is_replaced_when_the_lease_runs_out() {
    let (smtp, app) = mail_app(&[("TILLBUD_WORKER_ENABLED", "false")]).await;
    app.report("Lyckeby skola", "near_miss", &[], None).await;
    // A worker claims the row and dies before sending or recording anything.
    let now = app.clock.now();
    let lease_until = now + chrono::Duration::minutes(5);
    let claimed = app
        .db
        .write(move |c| {
            tillbud::db::outbox::claim(
                c,
                "crashed-worker",
                now.naive_utc(),
                lease_until.naive_utc(),
                10,
            )
        })
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    // A live worker does not take the leased row …
    let worker = tillbud::mail::outbox_worker::Worker::new(
        app.db.clone(),
        app.mail.clone(),
        app.clock.clone(),
        &crate::helpers::test_settings(
            &app.database_url,
            &crate::helpers::smtp_settings(&smtp.port.to_string())
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .mail,
    )
    .unwrap();
    assert_eq!(worker.drain_once().await.unwrap(), 0);
    // … until the lease has run out; then it sends it, with the same Message-ID.
    app.clock.advance(chrono::Duration::minutes(6));
    assert_eq!(worker.drain_once().await.unwrap(), 1);
    let mails = smtp.wait_for(1, 10).await;
    assert_eq!(
        mails[0].message_id(),
        format!("<outbox-{}@tillbud.test>", claimed[0].id)
    );
}

/// Whatever in a text looks like an acknowledgement or login token: (kind, token).
fn token_candidates(text: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (kind, marker) in [("ack", "/ack/"), ("login", "token=")] {
        for (i, _) in text.match_indices(marker) {
            let token: String = text[i + marker.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
                .collect();
            if !token.is_empty() {
                out.push((kind, token));
            }
        }
    }
    out
}

/// No outbox row holds a token that works: none of `known` (the tokens actually delivered)
/// appears in any column, and nothing in a body that looks like a token is accepted.
async fn assert_no_working_token(
    app: &crate::helpers::TestApp,
    rows: &[tillbud::db::outbox::OutboxRow],
    known: &[&str],
) {
    for row in rows {
        let stored = serde_json::to_string(row).unwrap();
        for token in known {
            assert!(
                !stored.contains(token),
                "outbox row {} holds a delivered token: {stored}",
                row.id
            );
        }
        let bodies = format!("{}\n{}", row.body_text, row.body_html);
        for (kind, token) in token_candidates(&bodies) {
            match kind {
                "ack" => {
                    let page = app.get(&format!("/ack/{token}")).await;
                    assert_ne!(page.status, 200, "a working ack link in row {}", row.id);
                }
                _ => {
                    let r = app.start_session(&token).await;
                    assert_eq!(r.status, 422, "a working login token in row {}", row.id);
                }
            }
        }
    }
}

#[actix_rt::test]
async fn no_working_link_rests_in_the_outbox_and_a_retried_mail_still_carries_one() {
    let (smtp, app) = mail_app(&[("TILLBUD_WORKER_ENABLED", "false")]).await;
    // One mail with an acknowledgement link (to the manager), one with a login link.
    app.report("Lyckeby skola", "near_miss", &[], None).await;
    let asked = post_json(
        &app,
        "/api/v1/auth/login-link",
        &[],
        json!({ "email": "petra.lindgren@example.se" }),
    )
    .await;
    assert_eq!(asked.status, 202, "{}", asked.raw);
    let before = crate::helpers::outbox_rows(&app).await;
    assert_eq!(before.len(), 2, "{before:?}");
    assert_no_working_token(&app, &before, &[]).await;

    // The first attempt of each is refused for now (4xx), the second goes through.
    smtp.fail_temporarily(2);
    let worker = crate::helpers::worker_for(&app, smtp.port);
    assert_eq!(worker.drain_once().await.unwrap(), 2);
    assert_eq!(smtp.count(), 0);
    app.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(worker.drain_once().await.unwrap(), 2);
    let mails = smtp.wait_for(2, 10).await;
    assert_eq!(mails.len(), 2);

    let after = crate::helpers::outbox_rows(&app).await;
    assert!(
        after.iter().all(|r| r.state == "sent" && r.attempts == 2),
        "{after:?}"
    );
    let ack_link = mails
        .iter()
        .find_map(|m| m.link("http://tillbud.test/ack/"))
        .expect("an ack link was delivered");
    let login_link = mails
        .iter()
        .find_map(|m| m.link("http://tillbud.test/login?token="))
        .expect("a login link was delivered");
    let ack_token = ack_link.trim_start_matches("http://tillbud.test/ack/");
    let login_token = login_link.split("token=").nth(1).unwrap();
    let delivered = [ack_token, login_token];
    assert_no_working_token(&app, &before, &delivered).await;
    assert_no_working_token(&app, &after, &delivered).await;

    // What was delivered works, although it is stored nowhere.
    let ack_path = format!("/ack/{ack_token}");
    assert_eq!(app.get(&ack_path).await.status, 200);
    let confirmed = app
        .request(
            "POST",
            &ack_path,
            &[("content-type", "application/x-www-form-urlencoded")],
            Vec::new(),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.raw);
    assert!(confirmed.raw.contains("bekräftat"), "{}", confirmed.raw);
    let session = app.start_session(login_token).await;
    assert_eq!(session.status, 201, "{}", session.raw);
    // The failed attempt's token was replaced, not left alive beside the delivered one.
    let tokens = crate::helpers::login_token_rows(&app).await;
    assert_eq!(tokens.len(), 1, "{tokens:?}");
    assert!(tokens[0].2, "the one token is the delivered one, now used");
}

const PHISHING_TITLE: &str = "Ditt konto spärras – logga in på evil.example";

/// Reports with a phishing title and this reporter address; returns the 201 body.
async fn phishing_report(app: &crate::helpers::TestApp, email: &str) -> Value {
    let mut body = app.valid_report().await;
    body["title"] = json!(PHISHING_TITLE);
    body["reporter"] = json!({ "email": email });
    let r = app.post_incident(&body, None).await;
    assert_eq!(r.status, 201, "{}", r.raw);
    r.body
}

#[actix_rt::test]
async fn a_receipt_carries_no_text_the_reporter_typed_and_goes_only_to_our_domains() {
    let (smtp, app) = mail_app(&[("TILLBUD_LOGIN_DOMAINS", "example.se")]).await;
    // An outside address gets nothing from us; the manager and skyddsombud still hear of it.
    phishing_report(&app, "victim@elsewhere.example").await;
    let own = phishing_report(&app, "eva.ek@example.se").await;
    // Two reports: manager and skyddsombud each twice, and one receipt.
    smtp.wait_for(5, 20).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.count(), 5);
    assert!(smtp.to("victim@elsewhere.example").is_empty());
    let receipt = &smtp.to("eva.ek@example.se")[0];
    let (subject, text, html) = (receipt.subject(), receipt.text(), receipt.html());
    for part in [&subject, &text, &html] {
        assert!(!part.contains("evil.example"), "{part}");
        assert!(!part.contains("spärras"), "{part}");
        assert!(!part.contains(DESCRIPTION), "{part}");
        assert!(!part.contains("Huvudentrén"), "no location: {part}");
    }
    assert_eq!(
        subject,
        "[tillbud] Din rapport är mottagen – Lyckeby skola (tillbud)"
    );
    assert!(
        text.contains("Typ: tillbud") && text.contains("Enhet: Lyckeby skola"),
        "{text}"
    );
    assert!(
        text.contains(own["tracking_url"].as_str().unwrap()),
        "{text}"
    );
    // Staff mail still names the case by its title.
    let manager = &smtp.to("petra.lindgren@example.se")[0];
    assert!(manager.subject().contains(PHISHING_TITLE));

    let history = app.history(own["id"].as_str().unwrap()).await;
    let routed = find_event(&history, "routed");
    assert_eq!(routed["data"]["receipt_to_reporter"], true);
    wait_until("every mail recorded as sent", 10, || async {
        outbox(&app, "sent").await["counts"]["sent"] == 5
    })
    .await;
}

#[actix_rt::test]
async fn receipts_go_to_a_logged_in_reporters_own_address_or_anywhere_when_allowed() {
    let smtp = SmtpServer::start().await;
    // Login domains that do not cover the demo users' addresses.
    let app = spawn_mail_app(smtp.port, &[("TILLBUD_LOGIN_DOMAINS", "karlskrona.se")]).await;
    phishing_report(&app, "eva.ek@example.se").await;
    let r = app.report_as_self("eva.ek@example.se").await;
    assert_eq!(r.status, 201, "{}", r.raw);
    // Manager and skyddsombud twice, and one receipt: for the logged-in report only.
    smtp.wait_for(5, 20).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.count(), 5);
    assert_eq!(smtp.to("eva.ek@example.se").len(), 1);

    let smtp2 = SmtpServer::start().await;
    let any = spawn_mail_app(smtp2.port, &[("TILLBUD_RECEIPTS_TO_ANY_ADDRESS", "true")]).await;
    phishing_report(&any, "someone@elsewhere.example").await;
    smtp2.wait_for(3, 20).await;
    let receipt = &smtp2.to("someone@elsewhere.example")[0];
    assert!(!receipt.subject().contains("evil.example"));
    assert!(!receipt.text().contains("evil.example"));
    // The workers record their sends before the test's runtime goes: a send cut off half-way
    // drops lettre's pooled connection outside the runtime, which panics.
    for (app, n) in [(&app, 5), (&any, 3)] {
        wait_until("every mail recorded as sent", 10, || async {
            outbox(app, "sent").await["counts"]["sent"] == n
        })
        .await;
    }
}
