//! Recovery after a crash: a worker killed with SIGKILL while it sends leaves its mail leased;
//! the next one sends it within a minute with the default settings, each mail at most twice.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::binary::Server;
use crate::helpers::{mail_app, wait_until, TestApp};

/// What a `tillbud serve` child needs to mail the test SMTP server, with the default worker
/// settings (poll, lease, SMTP timeout) left as they are.
fn child_env(smtp_port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("TILLBUD_MAIL_TRANSPORT", "smtp".into()),
        ("TILLBUD_SMTP_HOST", "127.0.0.1".into()),
        ("TILLBUD_SMTP_PORT", smtp_port.to_string()),
        ("TILLBUD_SMTP_TLS", "none".into()),
        ("TILLBUD_MAIL_FROM", "Tillbud <tillbud@tillbud.test>".into()),
        (
            "TILLBUD_ACK_SECRET",
            "test-ack-secret-0123456789abcdefghijklmnop".into(),
        ),
        ("RUST_LOG", "warn".into()),
    ]
}

async fn shown(app: &TestApp, state: &str) -> serde_json::Value {
    let reply = app
        .admin_get(&format!("/api/v1/admin/outbox?state={state}&limit=500"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    reply.body
}

#[actix_rt::test]
async fn a_worker_killed_mid_batch_is_replaced_and_its_mail_arrives_within_a_minute() {
    let (smtp, app) = mail_app(&[("TILLBUD_WORKER_ENABLED", "false")]).await;
    for _ in 0..3 {
        app.report(
            "Lyckeby skola",
            "near_miss",
            &["person"],
            Some("eva.ek@example.se"),
        )
        .await;
    }
    let expected = shown(&app, "pending").await["counts"]["pending"]
        .as_i64()
        .unwrap() as usize;
    assert!(expected >= 6, "{expected} mails");
    // The server takes two mails, then hangs: the worker is in the middle of its batch.
    smtp.stall_after(Some(2));
    let env = child_env(smtp.port);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = Server::start(&app.database_url, &[], &env);
    smtp.wait_for(2, 30).await;
    wait_until("the rest leased", 30, || async {
        let counts = shown(&app, "sending").await["counts"].clone();
        counts["pending"] == 0 && counts["sending"].as_i64() >= Some(expected as i64 - 2)
    })
    .await;
    // The admin list shows them as `sending` with the lease's expiry, not as pending.
    let sending = shown(&app, "sending").await;
    assert_eq!(sending["counts"]["pending"], 0, "{sending}");
    for item in sending["items"].as_array().unwrap() {
        assert_eq!(item["state"], "sending");
        let until: chrono::DateTime<chrono::Utc> =
            item["lease_until"].as_str().unwrap().parse().unwrap();
        let ahead = until - chrono::Utc::now();
        assert!(ahead <= chrono::Duration::seconds(31), "lease {ahead}");
    }
    // SIGKILL, in the middle of the batch.
    drop(first);
    let killed = Instant::now();
    smtp.stall_after(None);
    let _second = Server::start(&app.database_url, &[], &env);
    let deadline = Duration::from_secs(60);
    loop {
        let mut per_id: BTreeMap<String, usize> = BTreeMap::new();
        for m in smtp.received() {
            *per_id.entry(m.message_id()).or_default() += 1;
        }
        if per_id.len() == expected {
            assert!(
                per_id.values().all(|n| *n <= 2),
                "a mail arrived more than twice: {per_id:?}"
            );
            break;
        }
        assert!(
            killed.elapsed() < deadline,
            "only {} of {expected} mails within 60 s of the crash",
            per_id.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("all mail arrived {:?} after the crash", killed.elapsed());
    wait_until("all recorded as sent", 20, || async {
        shown(&app, "sent").await["counts"]["sent"].as_i64() == Some(expected as i64)
    })
    .await;
    // Still at most twice, now that the second worker has finished.
    let mut per_id: BTreeMap<String, usize> = BTreeMap::new();
    for m in smtp.received() {
        *per_id.entry(m.message_id()).or_default() += 1;
    }
    assert!(per_id.values().all(|n| *n <= 2), "{per_id:?}");
}

#[actix_rt::test]
async fn a_slow_send_keeps_its_lease_so_no_other_worker_takes_the_mail() {
    let (smtp, app) = mail_app(&[
        ("TILLBUD_WORKER_ENABLED", "false"),
        ("TILLBUD_OUTBOX_LEASE_SECS", "5"),
        ("TILLBUD_SMTP_TIMEOUT_SECS", "60"),
    ])
    .await;
    app.report("Lyckeby skola", "near_miss", &[], None).await;
    smtp.stall_after(Some(0));
    let port = smtp.port.to_string();
    let mut env = crate::helpers::smtp_settings(&port);
    env.push(("TILLBUD_OUTBOX_LEASE_SECS", "5".into()));
    env.push(("TILLBUD_SMTP_TIMEOUT_SECS", "60".into()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let settings = crate::helpers::test_settings(&app.database_url, &env);
    let slow = tillbud::mail::outbox_worker::Worker::new(
        app.db.clone(),
        app.mail.clone(),
        app.clock.clone(),
        &settings.mail,
    )
    .unwrap();
    let other = tillbud::mail::outbox_worker::Worker::new(
        app.db.clone(),
        app.mail.clone(),
        app.clock.clone(),
        &settings.mail,
    )
    .unwrap();
    let sending = tokio::task::spawn_local(async move { slow.drain_once().await });
    // The slow worker holds the mail before the other one starts looking.
    wait_until("the mail leased", 10, || async {
        shown(&app, "sending").await["counts"]["sending"] == 1
    })
    .await;
    // Three lease lengths pass while the first worker waits for the server.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(12) {
        let n = other.drain_once().await.unwrap();
        assert_eq!(n, 0, "the other worker took a held mail");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    smtp.stall_after(None);
    assert_eq!(sending.await.unwrap().unwrap(), 1);
    smtp.wait_for(1, 10).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.count(), 1, "the held mail was sent twice");
}
