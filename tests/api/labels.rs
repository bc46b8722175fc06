//! The server's words for statuses and states: `GET /api/v1/labels` gives the same words as
//! the documents' `*_label` fields, and an action offers exactly the next states its
//! transition endpoint accepts. The pages show these instead of keeping copies.

use chrono::Duration;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Reply};
use tillbud::domain::calendar::stockholm_date;

const PETRA: &str = "petra.lindgren@example.se";
const EVA: &str = "eva.ek@example.se";

fn words(labels: &Value, set: &str, key: &str, value: &str) -> Value {
    labels[set]
        .as_array()
        .expect(set)
        .iter()
        .find(|x| x[key] == value)
        .map(|x| x["label"].clone())
        .unwrap_or(Value::Null)
}

#[actix_rt::test]
async fn labels_match_what_the_documents_say_in_both_languages() {
    let app = spawn_app().await;
    let sv = app.get("/api/v1/labels").await;
    assert_eq!(sv.status, 200, "{}", sv.raw);
    let en = app
        .get_with("/api/v1/labels", &[("Accept-Language", "en")])
        .await;
    assert_eq!(en.status, 200, "{}", en.raw);

    let statuses: Vec<&str> = sv.body["statuses"]
        .as_array()
        .expect("statuses")
        .iter()
        .map(|x| x["status"].as_str().expect("status"))
        .collect();
    assert_eq!(
        statuses,
        [
            "new",
            "acknowledged",
            "investigating",
            "action_planned",
            "resolved",
            "closed",
            "rejected",
            "duplicate"
        ]
    );
    // Which statuses are open, and the risk matrix, for the pages to use instead of copies.
    let open: Vec<&str> = sv.body["statuses"]
        .as_array()
        .expect("statuses")
        .iter()
        .filter(|x| x["open"] == true)
        .map(|x| x["status"].as_str().expect("status"))
        .collect();
    assert_eq!(
        open,
        [
            "new",
            "acknowledged",
            "investigating",
            "action_planned",
            "resolved"
        ]
    );
    assert_eq!(
        sv.body["risk_matrix"],
        json!([
            ["low", "low", "medium", "medium"],
            ["low", "medium", "high", "high"],
            ["medium", "high", "critical", "critical"],
            ["medium", "high", "critical", "critical"],
        ])
    );
    assert_eq!(words(&sv.body, "statuses", "status", "new"), "Mottagen");
    assert_eq!(
        words(&en.body, "statuses", "status", "investigating"),
        "Under investigation"
    );
    assert_eq!(
        words(&sv.body, "action_states", "state", "cancelled"),
        "Avbruten"
    );
    assert_eq!(
        words(&en.body, "duty_states", "state", "due"),
        "to be reported"
    );
    assert_eq!(words(&sv.body, "risk_levels", "level", "high"), "Hög");
    assert_eq!(words(&sv.body, "kinds", "kind", "near_miss"), "tillbud");

    // The tracking page's status words are the same as the list's.
    let created = app.report("Lyckeby skola", "near_miss", &[], None).await;
    let code = created["tracking_code"].as_str().expect("tracking code");
    let tracked = app
        .get_with(
            &format!("/api/v1/track/{code}"),
            &[("Accept-Language", "en")],
        )
        .await;
    assert_eq!(tracked.status, 200, "{}", tracked.raw);
    assert_eq!(
        tracked.body["status_label"],
        words(&en.body, "statuses", "status", "new")
    );
}

async fn step(
    app: &crate::helpers::TestApp,
    cookie: &str,
    path: &str,
    to: &str,
    tag: &str,
) -> Reply {
    app.send_as(
        Some(cookie),
        "POST",
        path,
        Some(&json!({"to": to})),
        Some(tag),
    )
    .await
}

fn offered(r: &Reply) -> Vec<String> {
    r.body["allowed_transitions"]
        .as_array()
        .expect("allowed_transitions")
        .iter()
        .map(|x| x["state"].as_str().expect("state").to_owned())
        .collect()
}

#[actix_rt::test]
async fn an_action_offers_the_states_its_transition_endpoint_accepts() {
    let app = spawn_app().await;
    let created = app.report("Lyckeby skola", "near_miss", &[], None).await;
    let case_id = created["id"].as_str().expect("id");
    let petra = app.login_as(PETRA).await;
    let due = stockholm_date(app.clock.now()) + Duration::days(5);
    let action = app
        .send_as(
            Some(&petra),
            "POST",
            &format!("/api/v1/incidents/{case_id}/actions"),
            Some(&json!({"title": "Laga ledstången", "owner_email": EVA, "due_date": due.to_string()})),
            None,
        )
        .await;
    assert_eq!(action.status, 201, "{}", action.raw);
    assert_eq!(
        action.body["allowed_transitions"],
        json!([
            {"state": "in_progress", "label": "Pågår"},
            {"state": "done", "label": "Utförd"},
            {"state": "cancelled", "label": "Avbruten"},
        ])
    );
    let path = format!(
        "/api/v1/actions/{}/transitions",
        action.body["id"].as_str().expect("action id")
    );

    // A state it does not offer is refused, naming the same list.
    let refused = step(&app, &petra, &path, "verified", "\"1\"").await;
    refused.assert_problem(409);
    assert_eq!(refused.body["allowed"], json!(offered(&action)));

    let done = step(&app, &petra, &path, "done", "\"1\"").await;
    assert_eq!(done.status, 200, "{}", done.raw);
    assert_eq!(offered(&done), ["verified", "in_progress", "cancelled"]);
    let tag = done.header("etag").expect("ETag").to_owned();
    let verified = step(&app, &petra, &path, "verified", &tag).await;
    assert_eq!(verified.status, 200, "{}", verified.raw);
    assert_eq!(verified.body["allowed_transitions"], json!([]));
}
