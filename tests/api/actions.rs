//! Corrective actions: the API, who may do what, the owner's mails and reminders, and the
//! legal-duty reminders — with the in-process SMTP server and the app's clock moved forward.

use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

use crate::helpers::{
    assert_starts_with, count_events, mail_app, spawn_app_with, spawn_mail_app_at, Reply, TestApp,
    ADMIN_TOKEN,
};
use crate::smtp_server::{Received, SmtpServer};
use tillbud::domain::calendar::stockholm_date;

const PETRA: &str = "petra.lindgren@example.se";
const FREDRIK: &str = "fredrik.dahl@example.se";
const JONAS: &str = "jonas.blom@example.se";
const SKYDDSOMBUD: &str = "skyddsombud.lyckebyskola@example.se";
const MIKAEL: &str = "mikael.strand@example.se";
const LARS: &str = "lars.nystrom@example.se";
const EVA: &str = "eva.ek@example.se";

const DESCRIPTION: &str = "Byt ut den trasiga ledstången i trapphus B";

/// An app without mail server, with the admin API on (the tests read case histories).
async fn app() -> TestApp {
    spawn_app_with(&[("TILLBUD_ADMIN_TOKEN", ADMIN_TOKEN)]).await
}

fn today(app: &TestApp) -> NaiveDate {
    stockholm_date(app.clock.now())
}

fn action_body(owner: &str, due: NaiveDate) -> Value {
    json!({
        "title": "Laga ledstången",
        "description": DESCRIPTION,
        "owner_email": owner,
        "due_date": due.to_string(),
        "cost_estimate_ore": 150_000,
    })
}

/// A case at Lyckeby skola; returns its id.
async fn case(app: &TestApp) -> String {
    let created = app.report("Lyckeby skola", "near_miss", &[], None).await;
    created["id"].as_str().expect("id").to_owned()
}

async fn create(app: &TestApp, cookie: &str, case_id: &str, body: &Value) -> Reply {
    app.send_as(
        Some(cookie),
        "POST",
        &format!("/api/v1/incidents/{case_id}/actions"),
        Some(body),
        None,
    )
    .await
}

fn with_subject(mails: &[Received], prefix: &str) -> Vec<Received> {
    mails
        .iter()
        .filter(|m| m.subject().starts_with(prefix))
        .cloned()
        .collect()
}

#[actix_rt::test]
async fn the_owner_is_mailed_when_assigned_without_the_description() {
    let (smtp, app) = mail_app(&[]).await;
    let id = case(&app).await;
    let before = smtp.wait_for(1, 20).await.len();
    let petra = app.login_as(PETRA).await;
    let due = today(&app) + Duration::days(20);
    let created = create(
        &app,
        &petra,
        &id,
        &action_body("Vaktmastare@Example.se", due),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.raw);
    assert_eq!(created.etag(), "\"1\"");
    let a = &created.body;
    assert_eq!(a["incident_id"], id.as_str());
    assert_eq!(a["incident_title"], "Halka vid entrén");
    assert_eq!(a["owner_email"], "vaktmastare@example.se");
    assert_eq!(a["due_date"], due.to_string());
    assert_eq!(a["cost_estimate_ore"], 150_000);
    assert_eq!(a["currency"], "SEK");
    assert_eq!(a["state"], "planned");
    assert_eq!(a["state_label"], "Planerad");
    assert_eq!(a["overdue"], false);
    assert_eq!(a["version"], 1);

    let mails = smtp.wait_for(before + 1, 20).await;
    let mail = mails.last().unwrap();
    assert_eq!(mail.to, ["vaktmastare@example.se"]);
    assert_starts_with(&mail.subject(), "[tillbud] Ny åtgärd: Laga ledstången");
    assert_eq!(
        mail.link("http://tillbud.test/cases/").as_deref(),
        Some(format!("http://tillbud.test/cases/{id}").as_str())
    );
    assert!(mail.text().contains(&due.to_string()));
    assert!(mail.text().contains("-- English --"));
    assert!(!mail.text().contains(DESCRIPTION) && !mail.html().contains(DESCRIPTION));
    assert!(
        !mail.text().contains("Isfläcken"),
        "no case description either"
    );

    let history = app.history(&id).await;
    let event = history
        .iter()
        .find(|e| e["kind"] == "action_created")
        .expect("action_created");
    assert_eq!(event["actor"], PETRA);
    assert_eq!(event["data"]["owner_email"], "vaktmastare@example.se");

    // Reassigning mails the new owner, and is one history event with before → after.
    let patched = app
        .send_as(
            Some(&petra),
            "PATCH",
            &format!("/api/v1/actions/{}", a["id"].as_str().unwrap()),
            Some(&json!({"owner_email": EVA})),
            Some(&created.etag()),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.raw);
    assert_eq!(patched.etag(), "\"2\"");
    let mails = smtp.wait_for(before + 2, 20).await;
    assert_eq!(mails.last().unwrap().to, [EVA]);
    let history = app.history(&id).await;
    let change = history
        .iter()
        .find(|e| e["kind"] == "action_updated")
        .expect("action_updated");
    assert_eq!(change["data"]["field"], "owner_email");
    assert_eq!(change["data"]["before"], "vaktmastare@example.se");
    assert_eq!(change["data"]["after"], EVA);
}

#[actix_rt::test]
async fn reminders_before_and_after_the_due_date_then_escalation_once_each_with_two_workers() {
    let (smtp, app) = mail_app(&[]).await;
    let second = spawn_mail_app_at(&app.database_url, None, smtp.port, &[]).await;
    let id = case(&app).await;
    let petra = app.login_as(PETRA).await;
    let due = today(&app) + Duration::days(10);
    let created = create(&app, &petra, &id, &action_body(EVA, due)).await;
    assert_eq!(created.status, 201, "{}", created.raw);
    smtp.wait_for(2, 20).await;
    let advance = |days: i64| {
        app.clock.advance(Duration::days(days));
        second.clock.advance(Duration::days(days));
    };
    let action_mails = |prefix: &str| with_subject(&smtp.received(), prefix);

    // Six days on: still four days left, more than the three-day window.
    advance(6);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(action_mails("[tillbud] Påminnelse om åtgärd").is_empty());

    // Seven days on: three days left.
    advance(1);
    wait_until(&smtp, "[tillbud] Påminnelse om åtgärd", 1).await;
    let soon = action_mails("[tillbud] Påminnelse om åtgärd");
    assert_eq!(soon[0].to, [EVA]);
    assert!(soon[0].link("http://tillbud.test/cases/").is_some());

    // The due date itself is not overdue; the day after is.
    advance(3);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(action_mails("[tillbud] Försenad åtgärd").is_empty());
    advance(1);
    wait_until(&smtp, "[tillbud] Försenad åtgärd", 1).await;
    assert_eq!(action_mails("[tillbud] Försenad åtgärd")[0].to, [EVA]);

    // Six days overdue: no escalation yet; seven: to the case's responsible manager.
    advance(5);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(action_mails("[tillbud] Eskalering av försenad åtgärd").is_empty());
    advance(1);
    wait_until(&smtp, "[tillbud] Eskalering av försenad åtgärd", 1).await;
    let escalation = &action_mails("[tillbud] Eskalering av försenad åtgärd")[0];
    assert_eq!(escalation.to, [PETRA]);
    assert!(escalation.text().contains(EVA), "names the owner");

    // Later rounds of both workers add nothing.
    advance(30);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(action_mails("[tillbud] Påminnelse om åtgärd").len(), 1);
    assert_eq!(action_mails("[tillbud] Försenad åtgärd").len(), 1);
    assert_eq!(
        action_mails("[tillbud] Eskalering av försenad åtgärd").len(),
        1
    );
    let history = app.history(&id).await;
    assert_eq!(count_events(&history, "action_reminder_sent"), 1);
    assert_eq!(count_events(&history, "action_overdue_sent"), 1);
    assert_eq!(count_events(&history, "action_escalated"), 1);

    // The owner's list says so.
    let eva = app.login_as(EVA).await;
    let mine = app
        .send_as(
            Some(&eva),
            "GET",
            "/api/v1/actions?owner=me&state=overdue",
            None,
            None,
        )
        .await;
    assert_eq!(mine.status, 200, "{}", mine.raw);
    assert_eq!(mine.body["items"][0]["overdue"], true);
}

async fn wait_until(smtp: &SmtpServer, prefix: &str, n: usize) {
    for _ in 0..500 {
        if with_subject(&smtp.received(), prefix).len() >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!(
        "no {n} mail(s) '{prefix}…': {:?}",
        smtp.received()
            .iter()
            .map(|m| (m.to.clone(), m.subject()))
            .collect::<Vec<_>>()
    );
}

#[actix_rt::test]
async fn an_action_due_inside_the_window_gets_no_separate_reminder() {
    let (smtp, app) = mail_app(&[]).await;
    let id = case(&app).await;
    let petra = app.login_as(PETRA).await;
    let created = create(
        &app,
        &petra,
        &id,
        &action_body(EVA, today(&app) + Duration::days(1)),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.raw);
    wait_until(&smtp, "[tillbud] Ny åtgärd", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(with_subject(&smtp.received(), "[tillbud] Påminnelse om åtgärd").is_empty());
}

#[actix_rt::test]
async fn a_work_injury_duty_is_reminded_at_24_hours_and_escalated_at_48_once_each() {
    let (smtp, app) = mail_app(&[("TILLBUD_SAFETY_COORDINATORS", "sakerhet@example.se")]).await;
    let second = spawn_mail_app_at(
        &app.database_url,
        None,
        smtp.port,
        &[("TILLBUD_SAFETY_COORDINATORS", "sakerhet@example.se")],
    )
    .await;
    // An accident that hurt a person: Försäkringskassan is suggested from the report itself.
    let created = app
        .report("Lyckeby skola", "accident", &["person"], None)
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    // A near-miss without serious danger carries no duty: no reminders for it.
    let quiet = case(&app).await;
    smtp.wait_for(2, 20).await;
    let advance = |d: Duration| {
        app.clock.advance(d);
        second.clock.advance(d);
    };
    const REMINDER: &str = "[tillbud] Påminnelse om anmälan";
    const ESCALATION: &str = "[tillbud] Eskalering: anmälan inte gjord";

    advance(Duration::hours(23));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(with_subject(&smtp.received(), REMINDER).is_empty());

    advance(Duration::hours(1) + Duration::minutes(1));
    wait_until(&smtp, REMINDER, 1).await;
    let reminder = &with_subject(&smtp.received(), REMINDER)[0];
    assert_eq!(reminder.to, [PETRA]);
    assert!(
        reminder.subject().contains("Försäkringskassan"),
        "{}",
        reminder.subject()
    );
    assert_eq!(
        reminder.link("http://tillbud.test/cases/").as_deref(),
        Some(format!("http://tillbud.test/cases/{id}").as_str())
    );
    assert!(!reminder.text().contains("Isfläcken"), "no description");

    advance(Duration::hours(24));
    wait_until(&smtp, ESCALATION, 3).await;
    let mut to: Vec<String> = with_subject(&smtp.received(), ESCALATION)
        .iter()
        .flat_map(|m| m.to.clone())
        .collect();
    to.sort();
    // One level up from Lyckeby skola, and the coordinators (configured and flagged).
    assert_eq!(to, [JONAS, MIKAEL, "sakerhet@example.se"]);

    advance(Duration::days(5));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(with_subject(&smtp.received(), REMINDER).len(), 1);
    assert_eq!(with_subject(&smtp.received(), ESCALATION).len(), 3);
    let history = app.history(&id).await;
    assert_eq!(count_events(&history, "duty_reminder_sent"), 1);
    assert_eq!(count_events(&history, "duty_escalated"), 1);
    let reminded = history
        .iter()
        .find(|e| e["kind"] == "duty_reminder_sent")
        .unwrap();
    assert_eq!(reminded["data"]["authority"], "forsakringskassan");
    let history = app.history(&quiet).await;
    assert_eq!(count_events(&history, "duty_reminder_sent"), 0);
}

#[actix_rt::test]
async fn a_confirmed_duty_to_the_work_environment_authority_is_reminded_and_a_reported_one_is_not()
{
    use diesel::prelude::*;
    use tillbud::db::schema::incidents;
    let (smtp, app) = mail_app(&[]).await;
    let due_one = case(&app).await;
    let reported = case(&app).await;
    smtp.wait_for(2, 20).await;
    // What the case PATCH records: a confirmed duty, and one reported with a reference.
    let (a, b) = (due_one.clone(), reported.clone());
    let now = app.clock.now().naive_utc();
    app.db
        .write(move |c| {
            diesel::update(incidents::table.filter(incidents::id.eq(&a)))
                .set(incidents::av_confirmed.eq(Some(true)))
                .execute(c)?;
            diesel::update(incidents::table.filter(incidents::id.eq(&b)))
                .set((
                    incidents::av_confirmed.eq(Some(true)),
                    incidents::av_reported_at.eq(Some(now)),
                    incidents::av_reference.eq(Some("AV 2026/123")),
                ))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    app.clock.advance(Duration::hours(25));
    wait_until(&smtp, "[tillbud] Påminnelse om anmälan", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let reminders = with_subject(&smtp.received(), "[tillbud] Påminnelse om anmälan");
    assert_eq!(reminders.len(), 1);
    assert!(reminders[0].subject().contains("Arbetsmiljöverket"));
    assert_eq!(
        count_events(&app.history(&due_one).await, "duty_reminder_sent"),
        1
    );
    assert_eq!(
        count_events(&app.history(&reported).await, "duty_reminder_sent"),
        0
    );
}

#[actix_rt::test]
async fn my_overdue_actions_and_pagination() {
    let app = app().await;
    let id = case(&app).await;
    let petra = app.login_as(PETRA).await;
    let t = today(&app);
    for days in [1, 5, 9] {
        let r = create(
            &app,
            &petra,
            &id,
            &action_body(EVA, t + Duration::days(days)),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.raw);
    }
    let r = create(
        &app,
        &petra,
        &id,
        &action_body("annan@example.se", t + Duration::days(1)),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.raw);
    app.clock.advance(Duration::days(3));
    let eva = app.login_as(EVA).await;

    let overdue = app
        .send_as(
            Some(&eva),
            "GET",
            "/api/v1/actions?owner=me&state=overdue",
            None,
            None,
        )
        .await;
    assert_eq!(overdue.status, 200, "{}", overdue.raw);
    let items = overdue.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", overdue.raw);
    assert_eq!(items[0]["due_date"], (t + Duration::days(1)).to_string());
    assert_eq!(items[0]["overdue"], true);
    assert_eq!(items[0]["owner_email"], EVA);
    assert!(overdue.body["next_cursor"].is_null());

    // All of mine, two per page, soonest due first.
    let page1 = app
        .send_as(
            Some(&eva),
            "GET",
            "/api/v1/actions?owner=me&state=open&limit=2",
            None,
            None,
        )
        .await;
    assert_eq!(page1.body["items"].as_array().unwrap().len(), 2);
    let cursor = page1.body["next_cursor"].as_str().expect("next_cursor");
    let page2 = app
        .send_as(
            Some(&eva),
            "GET",
            &format!("/api/v1/actions?owner=me&state=open&limit=2&cursor={cursor}"),
            None,
            None,
        )
        .await;
    let rest = page2.body["items"].as_array().unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0]["due_date"], (t + Duration::days(9)).to_string());
    assert!(page2.body["next_cursor"].is_null());

    // Eva cannot read the case: without owner=me she sees nothing.
    let all = app
        .send_as(Some(&eva), "GET", "/api/v1/actions", None, None)
        .await;
    assert_eq!(
        all.body["items"].as_array().unwrap().len(),
        0,
        "{}",
        all.raw
    );
    // The manager sees both overdue ones of the case (her session from before has expired).
    let petra = app.login_as(PETRA).await;
    let managed = app
        .send_as(
            Some(&petra),
            "GET",
            "/api/v1/actions?state=overdue",
            None,
            None,
        )
        .await;
    assert_eq!(
        managed.body["items"].as_array().unwrap().len(),
        2,
        "{}",
        managed.raw
    );

    let bad = app
        .send_as(
            Some(&eva),
            "GET",
            "/api/v1/actions?owner=you&state=late&limit=0&cursor=%25",
            None,
            None,
        )
        .await;
    bad.assert_problem(422);
    let mut fields: Vec<String> = bad.field_errors().into_iter().map(|(f, _)| f).collect();
    fields.sort();
    assert_eq!(fields, ["cursor", "limit", "owner", "state"]);
}

#[actix_rt::test]
async fn a_stale_update_is_412_and_writes_nothing() {
    let app = app().await;
    let id = case(&app).await;
    let petra = app.login_as(PETRA).await;
    let created = create(
        &app,
        &petra,
        &id,
        &action_body(EVA, today(&app) + Duration::days(5)),
    )
    .await;
    let action = format!("/api/v1/actions/{}", created.body["id"].as_str().unwrap());
    let v1 = created.etag();
    let first = app
        .send_as(
            Some(&petra),
            "PATCH",
            &action,
            Some(&json!({"title": "Byt ledstången"})),
            Some(&v1),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.raw);
    assert_eq!(first.body["title"], "Byt ledstången");

    let stale = app
        .send_as(
            Some(&petra),
            "PATCH",
            &action,
            Some(&json!({"title": "Något annat"})),
            Some(&v1),
        )
        .await;
    stale.assert_problem(412);
    let stale_step = app
        .send_as(
            Some(&petra),
            "POST",
            &format!("{action}/transitions"),
            Some(&json!({"to": "in_progress"})),
            Some(&v1),
        )
        .await;
    stale_step.assert_problem(412);
    let missing = app
        .send_as(
            Some(&petra),
            "PATCH",
            &action,
            Some(&json!({"title": "Något annat"})),
            None,
        )
        .await;
    missing.assert_problem(428);
    // Not an ETag of this API (empty, bare number, `*`): also 428, for actions as for cases.
    for tag in ["", "3", "*"] {
        let odd = app
            .send_as(
                Some(&petra),
                "POST",
                &format!("{action}/transitions"),
                Some(&json!({"to": "in_progress"})),
                Some(tag),
            )
            .await;
        odd.assert_problem(428);
    }

    let list = app
        .send_as(
            Some(&petra),
            "GET",
            &format!("/api/v1/incidents/{id}/actions"),
            None,
            None,
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.raw);
    let stored = &list.body["items"][0];
    assert_eq!(stored["title"], "Byt ledstången");
    assert_eq!(stored["state"], "planned");
    assert_eq!(stored["version"], 2);
    let history = app.history(&id).await;
    assert_eq!(count_events(&history, "action_updated"), 1);

    // Every bad field at once.
    let bad = app
        .send_as(
            Some(&petra),
            "PATCH",
            &action,
            Some(&json!({"title": "x", "due_date": "2020-13-45", "cost_estimate_ore": -1, "owner_email": "nej"})),
            Some("\"2\""),
        )
        .await;
    bad.assert_problem(422);
    let mut fields: Vec<String> = bad.field_errors().into_iter().map(|(f, _)| f).collect();
    fields.sort();
    assert_eq!(
        fields,
        ["cost_estimate_ore", "due_date", "owner_email", "title"]
    );

    // The unchanged date of an overdue action may be sent back with other changes.
    app.clock.advance(Duration::days(6));
    let petra = app.login_as(PETRA).await;
    let due = (today(&app) - Duration::days(1)).to_string();
    let same = app
        .send_as(
            Some(&petra),
            "PATCH",
            &action,
            Some(&json!({"title": "Byt ledstången nu", "due_date": due})),
            Some("\"2\""),
        )
        .await;
    assert_eq!(same.status, 200, "{}", same.raw);
    assert_eq!(same.body["overdue"], true);
    let past = app
        .send_as(
            Some(&petra),
            "PATCH",
            &action,
            Some(&json!({"due_date": (today(&app) - Duration::days(2)).to_string()})),
            Some("\"3\""),
        )
        .await;
    past.assert_problem(422);
    assert_eq!(
        past.field_errors(),
        [("due_date".to_owned(), "in_past".to_owned())]
    );

    // Clearing optional fields with null.
    let cleared = app
        .send_as(
            Some(&petra),
            "PATCH",
            &action,
            Some(&json!({"description": null, "cost_estimate_ore": null})),
            Some("\"3\""),
        )
        .await;
    assert_eq!(cleared.status, 200, "{}", cleared.raw);
    assert!(cleared.body["description"].is_null() && cleared.body["cost_estimate_ore"].is_null());
}

#[actix_rt::test]
async fn the_owner_carries_out_and_a_manager_verifies_or_cancels() {
    let app = app().await;
    let id = case(&app).await;
    let petra = app.login_as(PETRA).await;
    let eva = app.login_as(EVA).await;
    let rep = app.login_as(SKYDDSOMBUD).await;
    let created = create(
        &app,
        &petra,
        &id,
        &action_body(EVA, today(&app) + Duration::days(5)),
    )
    .await;
    let action = format!("/api/v1/actions/{}", created.body["id"].as_str().unwrap());
    let step = |cookie: String, to: &'static str, tag: String| {
        let app = &app;
        let path = format!("{action}/transitions");
        async move {
            app.send_as(
                Some(&cookie),
                "POST",
                &path,
                Some(&json!({"to": to})),
                Some(&tag),
            )
            .await
        }
    };

    // The owner may not change the fields, and a skyddsombud may not move it.
    let r = app
        .send_as(
            Some(&eva),
            "PATCH",
            &action,
            Some(&json!({"title": "Eget namn"})),
            Some("\"1\""),
        )
        .await;
    r.assert_problem(403);
    step(rep.clone(), "in_progress", "\"1\"".into())
        .await
        .assert_problem(403);

    let started = step(eva.clone(), "in_progress", "\"1\"".into()).await;
    assert_eq!(started.status, 200, "{}", started.raw);
    assert_eq!(started.body["state"], "in_progress");
    assert_eq!(started.body["state_label"], "Pågår");

    // Not a step from in_progress: 409 naming the allowed ones.
    let illegal = step(eva.clone(), "verified", started.etag()).await;
    illegal.assert_problem(409);
    assert_eq!(illegal.body["allowed"], json!(["done", "cancelled"]));
    illegal.assert_detail_contains("done, cancelled");

    let done = step(eva.clone(), "done", started.etag()).await;
    assert_eq!(done.status, 200, "{}", done.raw);
    // Verifying needs a manager.
    step(eva.clone(), "verified", done.etag())
        .await
        .assert_problem(403);
    let verified = step(petra.clone(), "verified", done.etag()).await;
    assert_eq!(verified.status, 200, "{}", verified.raw);
    assert_eq!(verified.body["state"], "verified");
    // Finished: no more changes.
    let r = app
        .send_as(
            Some(&petra),
            "PATCH",
            &action,
            Some(&json!({"title": "Ändrad"})),
            Some(&verified.etag()),
        )
        .await;
    r.assert_problem(409);

    // Cancelling needs a reason.
    let other = create(
        &app,
        &petra,
        &id,
        &action_body(EVA, today(&app) + Duration::days(5)),
    )
    .await;
    let other_path = format!(
        "/api/v1/actions/{}/transitions",
        other.body["id"].as_str().unwrap()
    );
    let r = app
        .send_as(
            Some(&eva),
            "POST",
            &other_path,
            Some(&json!({"to": "cancelled", "reason": "Behövs inte"})),
            Some("\"1\""),
        )
        .await;
    r.assert_problem(403);
    let r = app
        .send_as(
            Some(&petra),
            "POST",
            &other_path,
            Some(&json!({"to": "cancelled"})),
            Some("\"1\""),
        )
        .await;
    r.assert_problem(422);
    assert_eq!(
        r.field_errors(),
        [("reason".to_owned(), "required".to_owned())]
    );
    let r = app
        .send_as(
            Some(&petra),
            "POST",
            &other_path,
            Some(&json!({"to": "cancelled", "reason": "Ersatt av en annan åtgärd"})),
            Some("\"1\""),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["state_reason"], "Ersatt av en annan åtgärd");

    let history = app.history(&id).await;
    let steps: Vec<(String, String)> = history
        .iter()
        .filter(|e| e["kind"] == "action_state_changed")
        .map(|e| {
            (
                e["data"]["before"].as_str().unwrap().to_owned(),
                e["data"]["after"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(steps.len(), 4);
    assert_eq!(steps[0], ("planned".into(), "in_progress".into()));
    assert_eq!(steps[3], ("planned".into(), "cancelled".into()));
}

#[actix_rt::test]
async fn who_may_see_and_add_actions() {
    let app = app().await;
    let id = case(&app).await;
    let petra = app.login_as(PETRA).await;
    let created = create(
        &app,
        &petra,
        &id,
        &action_body(EVA, today(&app) + Duration::days(5)),
    )
    .await;
    assert_eq!(created.status, 201);
    let action = format!("/api/v1/actions/{}", created.body["id"].as_str().unwrap());
    let case_actions = format!("/api/v1/incidents/{id}/actions");
    let body = action_body(EVA, today(&app) + Duration::days(5));

    // (who, GET case actions, POST case actions, PATCH action)
    let table: &[(&str, u16, u16, u16)] = &[
        (FREDRIK, 404, 404, 404),     // manager of the sibling unit
        (JONAS, 200, 201, 200),       // manager of the parent unit
        (SKYDDSOMBUD, 200, 403, 403), // reads and comments only
        (MIKAEL, 200, 201, 200),      // safety coordinator: every case
        (LARS, 404, 404, 404),        // finance: aggregates, not cases
        (EVA, 404, 404, 403),         // the action's owner, not a reader of the case
    ];
    for &(who, get, post, patch) in table {
        let cookie = app.login_as(who).await;
        let r = app
            .send_as(Some(&cookie), "GET", &case_actions, None, None)
            .await;
        assert_eq!(r.status, get, "GET as {who}: {}", r.raw);
        let r = app
            .send_as(Some(&cookie), "POST", &case_actions, Some(&body), None)
            .await;
        assert_eq!(r.status, post, "POST as {who}: {}", r.raw);
        let current = app
            .send_as(Some(&petra), "GET", &case_actions, None, None)
            .await;
        let version = format!("\"{}\"", current.body["items"][0]["version"]);
        let r = app
            .send_as(
                Some(&cookie),
                "PATCH",
                &action,
                Some(&json!({"cost_estimate_ore": 1})),
                Some(&version),
            )
            .await;
        assert_eq!(r.status, patch, "PATCH as {who}: {}", r.raw);
        // Nothing of the case leaks into the list of someone who may not read it.
        let r = app
            .send_as(Some(&cookie), "GET", "/api/v1/actions", None, None)
            .await;
        assert_eq!(r.status, 200);
        let sees = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["incident_id"] == id.as_str());
        assert_eq!(sees, get == 200, "GET /actions as {who}");
    }
    // Not logged in.
    assert_eq!(app.get(&case_actions).await.status, 401);
    // A cookie request from another site is refused before anything is written.
    let r = app
        .request(
            "POST",
            &case_actions,
            &[
                ("Cookie", petra.as_str()),
                ("content-type", "application/json"),
                ("Sec-Fetch-Site", "cross-site"),
            ],
            body.to_string().into_bytes(),
        )
        .await;
    r.assert_problem(403);
}

#[actix_rt::test]
async fn a_retried_creation_with_the_same_idempotency_key_creates_one_action() {
    let app = app().await;
    let id = case(&app).await;
    let petra = app.login_as(PETRA).await;
    let path = format!("/api/v1/incidents/{id}/actions");
    let body = action_body(EVA, today(&app) + Duration::days(5));
    let key = uuid::Uuid::new_v4().to_string();
    let send = |body: Value| {
        let (app, petra, path, key) = (&app, petra.clone(), path.clone(), key.clone());
        async move {
            app.request(
                "POST",
                &path,
                &[
                    ("Cookie", petra.as_str()),
                    ("Sec-Fetch-Site", "same-origin"),
                    ("content-type", "application/json"),
                    ("Idempotency-Key", key.as_str()),
                ],
                body.to_string().into_bytes(),
            )
            .await
        }
    };
    let first = send(body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.raw);
    let again = send(body.clone()).await;
    assert_eq!(again.status, 201, "{}", again.raw);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body["id"], first.body["id"]);
    let mut other = body.clone();
    other["title"] = json!("Något helt annat");
    let reused = send(other).await;
    reused.assert_problem(422);
    assert_eq!(reused.field_errors()[0].1, "key_reused");

    let list = app.send_as(Some(&petra), "GET", &path, None, None).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(count_events(&app.history(&id).await, "action_created"), 1);
}

#[actix_rt::test]
async fn two_racing_changes_with_one_version_make_one_200_and_one_412() {
    let app = app().await;
    let id = case(&app).await;
    let petra = app.login_as(PETRA).await;
    let created = create(
        &app,
        &petra,
        &id,
        &action_body(EVA, today(&app) + Duration::days(5)),
    )
    .await;
    let action = format!("/api/v1/actions/{}", created.body["id"].as_str().unwrap());
    let (first, second) = (
        json!({"title": "Första versionen"}),
        json!({"title": "Andra versionen"}),
    );
    let (a, b) = tokio::join!(
        app.send_as(Some(&petra), "PATCH", &action, Some(&first), Some("\"1\"")),
        app.send_as(Some(&petra), "PATCH", &action, Some(&second), Some("\"1\"")),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 412], "{} / {}", a.raw, b.raw);
    let list = app
        .send_as(
            Some(&petra),
            "GET",
            &format!("/api/v1/incidents/{id}/actions"),
            None,
            None,
        )
        .await;
    assert_eq!(list.body["items"][0]["version"], 2);
    assert_eq!(count_events(&app.history(&id).await, "action_updated"), 1);
}
