//! `GET /metrics`: Prometheus text that a real parser reads, behind the admin token, with
//! outbox figures that move when mail is sent and when it dies.

use prometheus_parse::{Scrape, Value};

use crate::helpers::{mail_app, wait_until, TestApp, ADMIN_TOKEN};
use crate::smtp_server::Mode;

async fn scrape(app: &TestApp) -> Scrape {
    let reply = app
        .get_with(
            "/metrics",
            &[("Authorization", &format!("Bearer {ADMIN_TOKEN}"))],
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    assert!(reply
        .content_type()
        .starts_with("text/plain; version=0.0.4"));
    let lines: Vec<String> = reply.raw.lines().map(str::to_owned).collect();
    let scrape = Scrape::parse(lines.iter().cloned().map(Ok)).expect("Prometheus text format");
    // Every sample line was understood (the parser skips what it cannot read); a
    // histogram's _bucket, _sum and _count lines become one sample.
    for line in lines
        .iter()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let name = line.split(['{', ' ']).next().unwrap_or("");
        let base = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .unwrap_or(name);
        assert!(
            scrape
                .samples
                .iter()
                .any(|s| s.metric == name || s.metric == base),
            "not understood: {line}"
        );
    }
    scrape
}

fn value(scrape: &Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match &s.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
            other => panic!("{metric} is {other:?}"),
        })
        .unwrap_or_else(|| panic!("no {metric} {labels:?}"))
}

#[actix_rt::test]
async fn metrics_need_the_admin_token() {
    let (_smtp, app) = mail_app(&[]).await;
    app.get("/metrics").await.assert_problem(401);
    app.get_with(
        "/metrics",
        &[("Authorization", "Bearer wrong-token-0123456789")],
    )
    .await
    .assert_problem(401);
}

#[actix_rt::test]
async fn outbox_figures_move_when_mail_is_sent_and_when_it_dies() {
    let (smtp, app) = mail_app(&[("TILLBUD_OUTBOX_MAX_ATTEMPTS", "1")]).await;
    let before = scrape(&app).await;
    assert_eq!(
        value(&before, "tillbud_outbox_rows", &[("state", "sent")]),
        0.0
    );
    assert_eq!(
        value(&before, "tillbud_outbox_rows", &[("state", "dead")]),
        0.0
    );
    assert_eq!(value(&before, "tillbud_build_info", &[]), 1.0);
    app.report("Lyckeby skola", "near_miss", &[], Some("eva.ek@example.se"))
        .await;
    smtp.wait_for(2, 20).await;
    wait_until("sent counted", 20, || async {
        value(
            &scrape(&app).await,
            "tillbud_outbox_rows",
            &[("state", "sent")],
        ) == 2.0
    })
    .await;
    let sent = scrape(&app).await;
    assert_eq!(
        value(
            &sent,
            "tillbud_mail_send_attempts_total",
            &[("result", "sent")]
        ),
        2.0
    );
    assert_eq!(
        value(&sent, "tillbud_outbox_oldest_unsent_age_seconds", &[]),
        0.0
    );
    assert!(
        value(
            &sent,
            "tillbud_http_requests_total",
            &[("route", "/api/v1/incidents"), ("status", "2xx")]
        ) >= 1.0
    );
    assert!(value(&sent, "tillbud_db_pool_connections", &[]) >= 1.0);
    assert!(value(&sent, "tillbud_db_write_transactions_total", &[]) >= 1.0);
    assert!(sent
        .samples
        .iter()
        .any(|s| s.metric == "tillbud_http_request_duration_seconds"
            && matches!(s.value, Value::Histogram(_))));
    // A permanent refusal with one attempt allowed: the mails die (and the summary to the
    // demo's safety coordinator, written after them, dies too: at least two).
    smtp.set_mode(Mode::PermFail);
    app.report("Lyckeby skola", "near_miss", &[], Some("eva.ek@example.se"))
        .await;
    wait_until("dead counted", 20, || async {
        value(
            &scrape(&app).await,
            "tillbud_outbox_rows",
            &[("state", "dead")],
        ) >= 2.0
    })
    .await;
    let dead = scrape(&app).await;
    assert!(
        value(
            &dead,
            "tillbud_mail_send_attempts_total",
            &[("result", "dead")]
        ) >= 2.0
    );
    assert_eq!(
        value(&dead, "tillbud_outbox_rows", &[("state", "sent")]),
        2.0
    );
}
