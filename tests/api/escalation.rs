//! Deadlines, reminders, escalation and the acknowledgement link, with the app's clock moved
//! forward instead of sleeping.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::helpers::{assert_starts_with, count_events, find_event, mail_app, TestApp};
use crate::smtp_server::SmtpServer;

fn at(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("time"))
        .expect("rfc3339")
        .with_timezone(&Utc)
}

/// Moves the app's clock to just after `t`.
fn move_past(app: &TestApp, t: DateTime<Utc>) {
    let now = app.clock.now();
    if t > now {
        app.clock.advance(t - now + chrono::Duration::seconds(1));
    }
}

async fn deadlines(app: &TestApp, id: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    let history = app.history(id).await;
    let routed = history
        .iter()
        .find(|e| e["kind"] == "routed")
        .expect("routed");
    (
        at(&routed["data"]["remind_at"]),
        at(&routed["data"]["escalate_at"]),
    )
}

/// A case at Lyckeby skola whose first mail (to its manager) has gone out; returns the 201 body.
async fn case_mailed_to_lyckeby() -> (SmtpServer, TestApp, Value) {
    let (smtp, app) = mail_app(&[]).await;
    let created = app.report("Lyckeby skola", "near_miss", &[], None).await;
    smtp.wait_for(1, 20).await;
    (smtp, app, created)
}

#[actix_rt::test]
async fn an_unacknowledged_case_is_reminded_then_escalated_once() {
    let (smtp, app, created) = case_mailed_to_lyckeby().await;
    let id = created["id"].as_str().unwrap();
    let (remind_at, escalate_at) = deadlines(&app, id).await;
    let reported = at(&created["created_at"]);
    // Two Swedish working days: at least two calendar days, and the second deadline after.
    assert!(
        remind_at - reported >= chrono::Duration::days(2),
        "{reported} → {remind_at}"
    );
    assert!(escalate_at - remind_at >= chrono::Duration::days(2));

    // A second instance's worker on the same database: steps must still happen once.
    let second = crate::helpers::spawn_mail_app_at(&app.database_url, None, smtp.port, &[]).await;

    // Just before the deadline nothing happens.
    let almost = remind_at - chrono::Duration::minutes(5);
    move_past(&app, almost);
    move_past(&second, almost);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(smtp.received().len(), 1);

    move_past(&app, remind_at);
    move_past(&second, remind_at);
    let mails = smtp.wait_for(2, 20).await;
    let reminder = &mails[1];
    assert_eq!(reminder.to, ["petra.lindgren@example.se"]);
    assert_starts_with(
        &reminder.subject(),
        "[tillbud] Påminnelse: Halka vid entrén",
    );
    assert!(reminder.link("http://tillbud.test/ack/").is_some());

    move_past(&app, escalate_at);
    move_past(&second, escalate_at);
    let mails = smtp.wait_for(3, 20).await;
    let escalation = &mails[2];
    // One level up from Lyckeby skola: Grundskola's manager.
    assert_eq!(escalation.to, ["jonas.blom@example.se"]);
    assert_starts_with(&escalation.subject(), "[tillbud] Eskalering: ");

    // Later rounds of both workers add nothing.
    app.clock.advance(chrono::Duration::days(10));
    second.clock.advance(chrono::Duration::days(10));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(smtp.received().len(), 3);
    let history = app.history(id).await;
    assert_eq!(count_events(&history, "reminder_sent"), 1);
    assert_eq!(count_events(&history, "escalated"), 1);
    let escalated = find_event(&history, "escalated");
    assert_eq!(escalated["data"]["to"][0]["email"], "jonas.blom@example.se");
}

#[actix_rt::test]
async fn serious_events_have_a_four_hour_deadline() {
    let (smtp, app) = mail_app(&[("TILLBUD_SAFETY_COORDINATORS", "sakerhet@example.se")]).await;
    let created = app
        .report("Lyckeby skola", "extraordinary_event", &[], None)
        .await;
    let id = created["id"].as_str().unwrap();
    smtp.wait_for(3, 20).await;
    let (remind_at, escalate_at) = deadlines(&app, id).await;
    let reported = at(&created["created_at"]);
    assert_eq!(remind_at - reported, chrono::Duration::hours(4));
    assert_eq!(escalate_at - reported, chrono::Duration::hours(8));
    move_past(&app, remind_at);
    smtp.wait_for(4, 20).await;
    assert_eq!(smtp.to("petra.lindgren@example.se").len(), 2);
}

#[actix_rt::test]
async fn the_ack_link_confirms_only_on_post_and_stops_the_deadlines() {
    let (smtp, app) = mail_app(&[]).await;
    let created = app.report("Lyckeby skola", "near_miss", &[], None).await;
    let id = created["id"].as_str().unwrap();
    let code = created["tracking_code"].as_str().unwrap();
    let mails = smtp.wait_for(1, 20).await;
    let link = mails[0].link("http://tillbud.test/ack/").expect("ack link");
    let path = link.trim_start_matches("http://tillbud.test");

    // A mail scanner follows the link: a page with a button, nothing acknowledged.
    let page = app.get(path).await;
    assert_eq!(page.status, 200);
    assert!(page.content_type().starts_with("text/html"));
    assert!(page.raw.contains("<form method=\"post\""), "{}", page.raw);
    assert!(page.raw.contains("Jag har tagit emot ärendet"));
    assert!(!page.raw.contains("<script"));
    assert!(page
        .header("content-security-policy")
        .unwrap()
        .contains("form-action 'self'"));
    let track = app.get(&format!("/api/v1/track/{code}")).await;
    assert_eq!(track.body["status"], "new", "{}", track.raw);

    // Tampered and wrong tokens are refused.
    let tampered = format!("{}x", &path[..path.len() - 1]);
    assert_eq!(
        app.request("POST", &tampered, &[], Vec::new()).await.status,
        404
    );
    assert_eq!(app.get("/ack/nonsense").await.status, 404);

    // The button.
    let confirm = app
        .request(
            "POST",
            path,
            &[("content-type", "application/x-www-form-urlencoded")],
            Vec::new(),
        )
        .await;
    assert_eq!(confirm.status, 200, "{}", confirm.raw);
    assert!(confirm.raw.contains("bekräftat"));
    let track = app.get(&format!("/api/v1/track/{code}")).await;
    assert_eq!(track.body["status"], "acknowledged");
    let update = track.body["updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["kind"] == "acknowledged")
        .expect("the reporter sees the acknowledgement");
    assert!(update["text"].as_str().unwrap().contains("tagit emot"));
    // The reporter never learns who: no address in the public view.
    assert!(!track.raw.contains("petra.lindgren"));
    let again = app.request("POST", path, &[], Vec::new()).await;
    assert!(again.raw.contains("redan bekräftat"));
    let history = app.history(id).await;
    let ack = history
        .iter()
        .find(|e| e["kind"] == "acknowledged")
        .unwrap();
    assert_eq!(ack["actor"], "petra.lindgren@example.se");
    assert_eq!(ack["public"], true);
    assert_eq!(count_events(&history, "acknowledged"), 1);

    // No reminder for an acknowledged case.
    app.clock.advance(chrono::Duration::days(20));
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(smtp.received().len(), 1);

    // After 30 days the link has expired.
    app.clock.advance(chrono::Duration::days(15));
    assert_eq!(app.get(path).await.status, 410);
}

#[actix_rt::test]
async fn the_reminder_goes_to_the_deputy_if_the_manager_has_gone_away_since() {
    let (smtp, app, created) = case_mailed_to_lyckeby().await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(smtp.to("petra.lindgren@example.se").len(), 1);
    let unit = app.unit_id("Lyckeby skola").await;
    let today = chrono::Utc::now().date_naive();
    let reply = app
        .put_absence(
            &unit,
            &serde_json::json!({
                "away_from": today.to_string(),
                "away_until": (today + chrono::Duration::days(40)).to_string(),
            }),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.raw);
    let (remind_at, _) = deadlines(&app, id).await;
    move_past(&app, remind_at);
    let mails = smtp.wait_for(2, 20).await;
    assert_eq!(mails[1].to, ["erik.hedlund@example.se"]);
    assert!(mails[1].subject().starts_with("[tillbud] Påminnelse: "));
    let history = app.history(id).await;
    let reminded = history
        .iter()
        .find(|e| e["kind"] == "reminder_sent")
        .unwrap();
    assert_eq!(reminded["data"]["to"][0]["role"], "deputy");
}
