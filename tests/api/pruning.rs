//! Pruning with the controllable clock: sent mail after `TILLBUD_OUTBOX_SENT_DAYS` (the
//! history keeps the fact), expired sessions and login tokens; and the dead-mail summary to
//! the safety coordinators, at most one an hour.

use crate::helpers::{mail_app, outbox_rows, worker_for, TestApp};

/// The outbox rows of one case.
async fn of_case(app: &TestApp, id: &str) -> Vec<tillbud::db::outbox::OutboxRow> {
    outbox_rows(app)
        .await
        .into_iter()
        .filter(|r| r.incident_id.as_deref() == Some(id))
        .collect()
}
use crate::smtp_server::Mode;

const COORDINATOR: &str = "samordnare@example.se";

async fn count(app: &TestApp, table: &'static str) -> i64 {
    app.db
        .read(move |c| {
            use diesel::prelude::*;
            use tillbud::db::schema::{login_tokens, sessions};
            Ok(match table {
                "sessions" => sessions::table.count().get_result(c)?,
                _ => login_tokens::table.count().get_result(c)?,
            })
        })
        .await
        .unwrap()
}

#[actix_rt::test]
async fn sent_mail_and_expired_logins_are_pruned_and_the_history_keeps_the_fact() {
    let (smtp, app) = mail_app(&[
        ("TILLBUD_WORKER_ENABLED", "false"),
        ("TILLBUD_OUTBOX_SENT_DAYS", "30"),
    ])
    .await;
    let worker = worker_for(&app, smtp.port);
    let created = app
        .report("Lyckeby skola", "near_miss", &[], Some("eva.ek@example.se"))
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    app.login_as("mikael.strand@example.se").await;
    worker.round().await.unwrap();
    smtp.wait_for(2, 10).await;
    let first: Vec<String> = of_case(&app, &id).await.into_iter().map(|r| r.id).collect();
    assert_eq!(first.len(), 2);
    assert!(count(&app, "sessions").await >= 1);
    let still = |rows: Vec<tillbud::db::outbox::OutboxRow>| {
        rows.into_iter().filter(|r| first.contains(&r.id)).count()
    };
    // 29 days on: nothing is old enough (reminders written meanwhile are new mail).
    app.clock.advance(chrono::Duration::days(29));
    worker.round().await.unwrap();
    assert_eq!(still(of_case(&app, &id).await), 2);
    // 31 days on (and past the sessions' 7 days): pruned.
    app.clock.advance(chrono::Duration::days(2));
    worker.round().await.unwrap();
    assert_eq!(still(of_case(&app, &id).await), 0);
    let history = app.history(&id).await;
    assert_eq!(crate::helpers::count_events(&history, "mail_sent"), 2);
    let event = crate::helpers::find_event(&history, "mail_sent");
    assert!(event["data"]["purpose"].is_string() && event["data"]["sent_at"].is_string());
    assert_eq!(count(&app, "sessions").await, 0);
    assert_eq!(count(&app, "login_tokens").await, 0);
}

#[actix_rt::test]
async fn dead_mail_is_summarised_to_the_coordinators_at_most_once_an_hour() {
    let (smtp, app) = mail_app(&[
        ("TILLBUD_WORKER_ENABLED", "false"),
        ("TILLBUD_SAFETY_COORDINATORS", COORDINATOR),
    ])
    .await;
    let worker = worker_for(&app, smtp.port);
    smtp.set_mode(Mode::PermFail);
    let created = app
        .report("Lyckeby skola", "near_miss", &[], Some("eva.ek@example.se"))
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    // A permanent refusal: dead after its third attempt.
    for _ in 0..3 {
        worker.round().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    let dead: Vec<_> = of_case(&app, &id)
        .await
        .into_iter()
        .filter(|r| r.state == "dead")
        .collect();
    assert_eq!(dead.len(), 2);
    smtp.set_mode(Mode::Accept);
    worker.round().await.unwrap();
    let alarms = smtp.to(COORDINATOR);
    assert_eq!(alarms.len(), 1, "one summary");
    let text = alarms[0].text();
    assert!(text.contains(&id), "{text}");
    for row in &dead {
        assert!(text.contains(&row.recipient), "{text}");
    }
    // Another mail dies within the hour: no second summary yet …
    smtp.set_mode(Mode::PermFail);
    app.report("Lyckeby skola", "near_miss", &[], None).await;
    for _ in 0..3 {
        worker.round().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    smtp.set_mode(Mode::Accept);
    app.clock.advance(chrono::Duration::minutes(30));
    worker.round().await.unwrap();
    assert_eq!(smtp.to(COORDINATOR).len(), 1);
    // … an hour after the first, one naming only the new one.
    app.clock.advance(chrono::Duration::minutes(31));
    worker.round().await.unwrap();
    let alarms = smtp.to(COORDINATOR);
    assert_eq!(alarms.len(), 2);
    assert!(!alarms[1].text().contains(&id));
    assert!(
        alarms[1].subject().contains(": 1"),
        "{}",
        alarms[1].subject()
    );
}
