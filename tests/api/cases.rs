//! The case API (B1): who may do what to which case (one table), the workflow through the
//! API, If-Match, history, moves, duties, lists.

use serde_json::{json, Value};

use crate::helpers::{assert_starts_with, mail_app, spawn_app, strings, TestApp};

const COORDINATOR: &str = "mikael.strand@example.se";

/// Reports an event at a demo unit as an anonymous-to-the-API reporter; returns the case id.
async fn case_at(app: &TestApp, unit: &str) -> String {
    let created = app
        .report(unit, "near_miss", &[], Some("reporter@example.se"))
        .await;
    created["id"].as_str().expect("id").to_owned()
}

async fn read(app: &TestApp, cookie: &str, id: &str) -> Value {
    let r = app
        .send_as(
            Some(cookie),
            "GET",
            &format!("/api/v1/incidents/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(
        r.header("etag"),
        Some(format!("\"{}\"", r.body["version"]).as_str())
    );
    r.body
}

fn etag(case: &Value) -> String {
    format!("\"{}\"", case["version"])
}

/// A workflow step that needs no reason, from each status the matrix passes through.
fn next_step(status: &str) -> &'static str {
    match status {
        "new" => "acknowledged",
        "acknowledged" => "investigating",
        "investigating" => "action_planned",
        _ => "investigating",
    }
}

/// Endpoint × role × case → status. The cases: `own` in Lyckeby skola (Petra's unit), `sib`
/// in the sibling Nättraby skola, `parent` in their parent unit Grundskola, and `mine`, in
/// Lyckeby skola too, reported by the employee while logged in.
const MATRIX: &[(&str, &str, &str, u16)] = &[
    // Petra Lindgren, manager of Lyckeby skola: her unit only.
    ("get", "manager", "own", 200),
    ("get", "manager", "sib", 404),
    ("get", "manager", "parent", 404),
    ("patch", "manager", "own", 200),
    ("patch", "manager", "sib", 404),
    ("patch", "manager", "parent", 404),
    ("transition", "manager", "own", 200),
    ("transition", "manager", "sib", 404),
    ("transition", "manager", "parent", 404),
    ("comment", "manager", "own", 201),
    ("comment", "manager", "sib", 404),
    ("comment", "manager", "parent", 404),
    ("events", "manager", "own", 200),
    ("events", "manager", "sib", 404),
    ("events", "manager", "parent", 404),
    // Fredrik Dahl, manager of the sibling Nättraby skola.
    ("get", "sibling_manager", "own", 404),
    ("get", "sibling_manager", "sib", 200),
    ("get", "sibling_manager", "parent", 404),
    ("patch", "sibling_manager", "own", 404),
    ("patch", "sibling_manager", "sib", 200),
    ("patch", "sibling_manager", "parent", 404),
    ("transition", "sibling_manager", "own", 404),
    ("transition", "sibling_manager", "sib", 200),
    ("transition", "sibling_manager", "parent", 404),
    ("comment", "sibling_manager", "own", 404),
    ("comment", "sibling_manager", "sib", 201),
    ("comment", "sibling_manager", "parent", 404),
    ("events", "sibling_manager", "own", 404),
    ("events", "sibling_manager", "sib", 200),
    ("events", "sibling_manager", "parent", 404),
    // Jonas Blom, manager of Grundskola: the whole subtree.
    ("get", "parent_manager", "own", 200),
    ("get", "parent_manager", "sib", 200),
    ("get", "parent_manager", "parent", 200),
    ("patch", "parent_manager", "own", 200),
    ("patch", "parent_manager", "sib", 200),
    ("patch", "parent_manager", "parent", 200),
    ("transition", "parent_manager", "own", 200),
    ("transition", "parent_manager", "sib", 200),
    ("transition", "parent_manager", "parent", 200),
    ("comment", "parent_manager", "own", 201),
    ("comment", "parent_manager", "sib", 201),
    ("comment", "parent_manager", "parent", 201),
    ("events", "parent_manager", "own", 200),
    ("events", "parent_manager", "sib", 200),
    ("events", "parent_manager", "parent", 200),
    // Skyddsombud of Lyckeby skola: reads and comments there, changes nothing.
    ("get", "safety_rep", "own", 200),
    ("get", "safety_rep", "sib", 404),
    ("get", "safety_rep", "parent", 404),
    ("patch", "safety_rep", "own", 403),
    ("patch", "safety_rep", "sib", 404),
    ("patch", "safety_rep", "parent", 404),
    ("transition", "safety_rep", "own", 403),
    ("transition", "safety_rep", "sib", 404),
    ("transition", "safety_rep", "parent", 404),
    ("comment", "safety_rep", "own", 201),
    ("comment", "safety_rep", "sib", 404),
    ("comment", "safety_rep", "parent", 404),
    ("events", "safety_rep", "own", 200),
    ("events", "safety_rep", "sib", 404),
    ("events", "safety_rep", "parent", 404),
    // The safety coordinator: every case.
    ("get", "coordinator", "own", 200),
    ("get", "coordinator", "sib", 200),
    ("get", "coordinator", "parent", 200),
    ("patch", "coordinator", "own", 200),
    ("patch", "coordinator", "sib", 200),
    ("patch", "coordinator", "parent", 200),
    ("transition", "coordinator", "own", 200),
    ("transition", "coordinator", "sib", 200),
    ("transition", "coordinator", "parent", 200),
    ("comment", "coordinator", "own", 201),
    ("comment", "coordinator", "sib", 201),
    ("comment", "coordinator", "parent", 201),
    ("events", "coordinator", "own", 200),
    ("events", "coordinator", "sib", 200),
    ("events", "coordinator", "parent", 200),
    // Finance: aggregates elsewhere, no cases.
    ("get", "finance", "own", 404),
    ("get", "finance", "sib", 404),
    ("get", "finance", "parent", 404),
    ("patch", "finance", "own", 404),
    ("patch", "finance", "sib", 404),
    ("patch", "finance", "parent", 404),
    ("transition", "finance", "own", 404),
    ("transition", "finance", "sib", 404),
    ("transition", "finance", "parent", 404),
    ("comment", "finance", "own", 404),
    ("comment", "finance", "sib", 404),
    ("comment", "finance", "parent", 404),
    ("events", "finance", "own", 404),
    ("events", "finance", "sib", 404),
    ("events", "finance", "parent", 404),
    // Admin: org tree, users, outbox — not cases.
    ("get", "admin", "own", 404),
    ("get", "admin", "sib", 404),
    ("get", "admin", "parent", 404),
    ("patch", "admin", "own", 404),
    ("patch", "admin", "sib", 404),
    ("patch", "admin", "parent", 404),
    ("transition", "admin", "own", 404),
    ("transition", "admin", "sib", 404),
    ("transition", "admin", "parent", 404),
    ("comment", "admin", "own", 404),
    ("comment", "admin", "sib", 404),
    ("comment", "admin", "parent", 404),
    ("events", "admin", "own", 404),
    ("events", "admin", "sib", 404),
    ("events", "admin", "parent", 404),
    // Eva Ek, an employee who reported none of them.
    ("get", "employee", "own", 404),
    ("get", "employee", "sib", 404),
    ("get", "employee", "parent", 404),
    ("patch", "employee", "own", 404),
    ("patch", "employee", "sib", 404),
    ("patch", "employee", "parent", 404),
    ("transition", "employee", "own", 404),
    ("transition", "employee", "sib", 404),
    ("transition", "employee", "parent", 404),
    ("comment", "employee", "own", 404),
    ("comment", "employee", "sib", 404),
    ("comment", "employee", "parent", 404),
    ("events", "employee", "own", 404),
    ("events", "employee", "sib", 404),
    ("events", "employee", "parent", 404),
    // No login at all.
    ("get", "anonymous", "own", 401),
    ("get", "anonymous", "sib", 401),
    ("get", "anonymous", "parent", 401),
    ("patch", "anonymous", "own", 401),
    ("patch", "anonymous", "sib", 401),
    ("patch", "anonymous", "parent", 401),
    ("transition", "anonymous", "own", 401),
    ("transition", "anonymous", "sib", 401),
    ("transition", "anonymous", "parent", 401),
    ("comment", "anonymous", "own", 401),
    ("comment", "anonymous", "sib", 401),
    ("comment", "anonymous", "parent", 401),
    ("events", "anonymous", "own", 401),
    ("events", "anonymous", "sib", 401),
    ("events", "anonymous", "parent", 401),
    // `mine`: a case in Lyckeby skola that Eva Ek (the employee) reported while logged in.
    // She reads it, adds to it and sees its public history, but changes nothing.
    ("get", "manager", "mine", 200),
    ("patch", "manager", "mine", 200),
    ("transition", "manager", "mine", 200),
    ("comment", "manager", "mine", 201),
    ("events", "manager", "mine", 200),
    ("get", "sibling_manager", "mine", 404),
    ("patch", "sibling_manager", "mine", 404),
    ("transition", "sibling_manager", "mine", 404),
    ("comment", "sibling_manager", "mine", 404),
    ("events", "sibling_manager", "mine", 404),
    ("get", "parent_manager", "mine", 200),
    ("patch", "parent_manager", "mine", 200),
    ("transition", "parent_manager", "mine", 200),
    ("comment", "parent_manager", "mine", 201),
    ("events", "parent_manager", "mine", 200),
    ("get", "safety_rep", "mine", 200),
    ("patch", "safety_rep", "mine", 403),
    ("transition", "safety_rep", "mine", 403),
    ("comment", "safety_rep", "mine", 201),
    ("events", "safety_rep", "mine", 200),
    ("get", "coordinator", "mine", 200),
    ("patch", "coordinator", "mine", 200),
    ("transition", "coordinator", "mine", 200),
    ("comment", "coordinator", "mine", 201),
    ("events", "coordinator", "mine", 200),
    ("get", "finance", "mine", 404),
    ("patch", "finance", "mine", 404),
    ("transition", "finance", "mine", 404),
    ("comment", "finance", "mine", 404),
    ("events", "finance", "mine", 404),
    ("get", "admin", "mine", 404),
    ("patch", "admin", "mine", 404),
    ("transition", "admin", "mine", 404),
    ("comment", "admin", "mine", 404),
    ("events", "admin", "mine", 404),
    ("get", "employee", "mine", 200),
    ("patch", "employee", "mine", 403),
    ("transition", "employee", "mine", 403),
    ("comment", "employee", "mine", 201),
    ("events", "employee", "mine", 200),
    ("get", "anonymous", "mine", 401),
    ("patch", "anonymous", "mine", 401),
    ("transition", "anonymous", "mine", 401),
    ("comment", "anonymous", "mine", 401),
    ("events", "anonymous", "mine", 401),
    // The list answers everyone logged in, with the cases they may read (below).
    ("list", "manager", "-", 200),
    ("list", "sibling_manager", "-", 200),
    ("list", "parent_manager", "-", 200),
    ("list", "safety_rep", "-", 200),
    ("list", "coordinator", "-", 200),
    ("list", "finance", "-", 200),
    ("list", "admin", "-", 200),
    ("list", "employee", "-", 200),
    ("list", "anonymous", "-", 401),
];

/// Which of the three cases each role's list shows (filtered to the Grundskola subtree, so
/// the demo's own reports elsewhere do not count).
const LISTED: &[(&str, &[&str])] = &[
    ("manager", &["own", "mine"]),
    ("sibling_manager", &["sib"]),
    ("parent_manager", &["own", "sib", "parent", "mine"]),
    ("safety_rep", &["own", "mine"]),
    ("coordinator", &["own", "sib", "parent", "mine"]),
    ("finance", &[]),
    ("admin", &[]),
    ("employee", &["mine"]),
];

const ROLES: &[(&str, Option<&str>)] = &[
    ("manager", Some("petra.lindgren@example.se")),
    ("sibling_manager", Some("fredrik.dahl@example.se")),
    ("parent_manager", Some("jonas.blom@example.se")),
    ("safety_rep", Some("skyddsombud.lyckebyskola@example.se")),
    ("coordinator", Some(COORDINATOR)),
    ("finance", Some("lars.nystrom@example.se")),
    ("admin", Some("admin@example.se")),
    ("employee", Some("eva.ek@example.se")),
    ("anonymous", None),
];

#[actix_rt::test]
async fn access_matrix() {
    let app = spawn_app().await;
    let coordinator = app.login_as(COORDINATOR).await;
    let mut cookies = Vec::new();
    for (role, email) in ROLES {
        let cookie = match email {
            Some(e) => Some(app.login_as(e).await),
            None => None,
        };
        cookies.push((*role, cookie));
    }
    let eva = cookies
        .iter()
        .find(|(r, _)| *r == "employee")
        .and_then(|(_, c)| c.clone())
        .expect("employee cookie");
    let report = app.valid_report().await;
    let mine = app
        .send_as(Some(&eva), "POST", "/api/v1/incidents", Some(&report), None)
        .await;
    assert_eq!(mine.status, 201, "{}", mine.raw);
    let cases = [
        ("own", case_at(&app, "Lyckeby skola").await),
        ("sib", case_at(&app, "Nättraby skola").await),
        ("parent", case_at(&app, "Grundskola").await),
        ("mine", mine.body["id"].as_str().expect("id").to_owned()),
    ];
    let grundskola = app.unit_id("Grundskola").await;
    let mut failures = Vec::new();
    for &(endpoint, role, case, expected) in MATRIX {
        let cookie = cookies
            .iter()
            .find(|(r, _)| *r == role)
            .and_then(|(_, c)| c.as_deref());
        let id = cases
            .iter()
            .find(|(name, _)| *name == case)
            .map(|(_, id)| id.as_str())
            .unwrap_or("");
        // The current version and status, read by someone who sees every case.
        let current = if id.is_empty() {
            Value::Null
        } else {
            read(&app, &coordinator, id).await
        };
        let tag = etag(&current);
        let path = format!("/api/v1/incidents/{id}");
        let reply = match endpoint {
            "list" => {
                app.send_as(
                    cookie,
                    "GET",
                    &format!("/api/v1/incidents?unit={grundskola}&limit=100"),
                    None,
                    None,
                )
                .await
            }
            "get" => app.send_as(cookie, "GET", &path, None, None).await,
            "patch" => {
                let body = json!({ "investigation": format!("Utredning av {role}") });
                app.send_as(cookie, "PATCH", &path, Some(&body), Some(&tag))
                    .await
            }
            "transition" => {
                let to = next_step(current["status"].as_str().unwrap_or("new"));
                app.send_as(
                    cookie,
                    "POST",
                    &format!("{path}/transitions"),
                    Some(&json!({ "to": to })),
                    Some(&tag),
                )
                .await
            }
            "comment" => {
                let body = json!({ "text": format!("Kommentar från {role}"), "public": false });
                app.send_as(
                    cookie,
                    "POST",
                    &format!("{path}/comments"),
                    Some(&body),
                    None,
                )
                .await
            }
            "events" => {
                app.send_as(cookie, "GET", &format!("{path}/events"), None, None)
                    .await
            }
            other => panic!("unknown endpoint {other}"),
        };
        if reply.status != expected {
            failures.push(format!(
                "{endpoint} as {role} on {case}: expected {expected}, got {} ({})",
                reply.status, reply.raw
            ));
            continue;
        }
        if expected >= 400 {
            reply.assert_problem(expected);
        }
        if endpoint == "list" && expected == 200 {
            let listed: Vec<&str> = reply.body["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter_map(|i| {
                    let id = i["id"].as_str()?;
                    cases.iter().find(|(_, c)| c == id).map(|(n, _)| *n)
                })
                .collect();
            let want = LISTED
                .iter()
                .find(|(r, _)| *r == role)
                .map(|(_, w)| *w)
                .expect("listed row");
            let mut got = listed.clone();
            got.sort();
            let mut want = want.to_vec();
            want.sort();
            if got != want {
                failures.push(format!("list as {role}: expected {want:?}, got {got:?}"));
            }
        }
        // A refused change wrote nothing.
        if matches!(endpoint, "patch" | "transition") && expected != 200 {
            let after = read(&app, &coordinator, id).await;
            if after["version"] != current["version"] {
                failures.push(format!("{endpoint} as {role} on {case} changed the case"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every field of the case document (`GET /incidents/{id}`) and who gets it: (field, staff,
/// reporter). The reporter's column is what the tracking page shows. A field added to either
/// view fails `every_field_has_a_reporter_column` until it is written down here — so a new
/// field is staff-only unless someone decides otherwise.
const CASE_FIELDS: &[(&str, bool, bool)] = &[
    ("id", true, true),
    ("kind", true, true),
    ("kind_label", true, true),
    ("title", true, true),
    ("status", true, true),
    ("status_label", true, true),
    ("org_unit_id", true, false),
    ("org_unit_name", true, true),
    ("occurred_at", true, false),
    ("created_at", true, true),
    ("risk_level", true, false),
    ("duties", true, false),
    ("overdue", true, false),
    ("description", true, false),
    ("location", true, false),
    ("immediate_action", true, false),
    ("latitude", true, false),
    ("longitude", true, false),
    ("consequences", true, false),
    ("reporter", true, false),
    ("risk", true, false),
    ("cause_category", true, false),
    ("investigation", true, false),
    ("injury_severity", true, false),
    ("several_injured", true, false),
    ("serious_danger", true, false),
    ("status_reason", true, false),
    ("duplicate_of", true, false),
    ("duty_details", true, false),
    ("can_manage", true, false),
    ("allowed_transitions", true, false),
    ("version", true, false),
    // Marks the reporter's view.
    ("access", false, true),
];

/// The same for a case in `GET /incidents`.
const LIST_FIELDS: &[(&str, bool, bool)] = &[
    ("id", true, true),
    ("kind", true, true),
    ("kind_label", true, true),
    ("title", true, true),
    ("status", true, true),
    ("status_label", true, true),
    ("org_unit_id", true, false),
    ("org_unit_name", true, true),
    ("occurred_at", true, false),
    ("created_at", true, true),
    ("risk_level", true, false),
    ("duties", true, false),
    ("overdue", true, false),
    ("access", false, true),
];

/// The same for a corrective action of the case (`GET /incidents/{id}/actions`,
/// `GET /actions`): the tracking page shows no actions, so the reporter gets none (unless they
/// own one).
const ACTION_FIELDS: &[(&str, bool, bool)] = &[
    ("id", true, false),
    ("incident_id", true, false),
    ("incident_title", true, false),
    ("title", true, false),
    ("description", true, false),
    ("owner_email", true, false),
    ("due_date", true, false),
    ("cost_estimate_ore", true, false),
    ("currency", true, false),
    ("state", true, false),
    ("state_label", true, false),
    ("allowed_transitions", true, false),
    ("state_reason", true, false),
    ("overdue", true, false),
    ("version", true, false),
    ("created_at", true, false),
    ("updated_at", true, false),
];

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

fn column(table: &[(&str, bool, bool)], reporter: bool) -> Vec<String> {
    let mut k: Vec<String> = table
        .iter()
        .filter(|(_, staff, rep)| if reporter { *rep } else { *staff })
        .map(|(f, _, _)| (*f).to_owned())
        .collect();
    k.sort();
    k
}

#[actix_rt::test]
async fn every_field_has_a_reporter_column() {
    let app = spawn_app().await;
    let eva = app.login_as("eva.ek@example.se").await;
    let report = app.valid_report().await;
    let mine = app
        .send_as(Some(&eva), "POST", "/api/v1/incidents", Some(&report), None)
        .await;
    assert_eq!(mine.status, 201, "{}", mine.raw);
    let id = mine.body["id"].as_str().unwrap().to_owned();
    // The manager classifies and investigates it and plans an action.
    let petra = app.login_as("petra.lindgren@example.se").await;
    let case = read(&app, &petra, &id).await;
    let secret = "Intern utredning: vaktmästaren hade inte sandat";
    let patched = app
        .send_as(
            Some(&petra),
            "PATCH",
            &format!("/api/v1/incidents/{id}"),
            Some(&json!({
                "risk": {"likelihood": 2, "consequence": 3},
                "cause_category": "organisation",
                "investigation": secret,
            })),
            Some(&etag(&case)),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.raw);
    let due = (chrono::Utc::now() + chrono::Duration::days(10)).date_naive();
    let action = app
        .send_as(
            Some(&petra),
            "POST",
            &format!("/api/v1/incidents/{id}/actions"),
            Some(&json!({
                "title": "Sandningsrutin",
                "description": "Samtal med vaktmästaren om rutinen",
                "owner_email": "fredrik.dahl@example.se",
                "due_date": due.to_string(),
                "cost_estimate_ore": 1_234_500,
            })),
            None,
        )
        .await;
    assert_eq!(action.status, 201, "{}", action.raw);

    let grundskola = app.unit_id("Grundskola").await;
    let coordinator = app.login_as(COORDINATOR).await;
    let rep = app.login_as("skyddsombud.lyckebyskola@example.se").await;
    for (who, cookie, reporter) in [
        ("manager", &petra, false),
        ("safety_rep", &rep, false),
        ("coordinator", &coordinator, false),
        ("reporter", &eva, true),
    ] {
        let one = app
            .send_as(
                Some(cookie),
                "GET",
                &format!("/api/v1/incidents/{id}"),
                None,
                None,
            )
            .await;
        assert_eq!(one.status, 200, "{who}: {}", one.raw);
        assert_eq!(
            keys(&one.body),
            column(CASE_FIELDS, reporter),
            "{who}: case"
        );
        let list = app
            .send_as(
                Some(cookie),
                "GET",
                &format!("/api/v1/incidents?unit={grundskola}&limit=100"),
                None,
                None,
            )
            .await;
        let item = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id.as_str())
            .unwrap_or_else(|| panic!("{who}: not listed: {}", list.raw));
        assert_eq!(
            keys(item),
            column(LIST_FIELDS, reporter),
            "{who}: list item"
        );
        let actions = app
            .send_as(
                Some(cookie),
                "GET",
                &format!("/api/v1/incidents/{id}/actions"),
                None,
                None,
            )
            .await;
        assert_eq!(actions.status, 200, "{who}: {}", actions.raw);
        let items = actions.body["items"].as_array().unwrap();
        let all = app
            .send_as(Some(cookie), "GET", "/api/v1/actions", None, None)
            .await;
        let in_all = all.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["incident_id"] == id.as_str())
            .count();
        if reporter {
            assert!(
                items.is_empty(),
                "the reporter sees no actions: {}",
                actions.raw
            );
            assert_eq!(in_all, 0, "{}", all.raw);
            // Nothing staff wrote, nothing about others, in anything the reporter got.
            for raw in [&one.raw, &list.raw, &actions.raw, &all.raw] {
                for hidden in [
                    secret,
                    "organisation",
                    "fredrik.dahl",
                    "1234500",
                    "Sandningsrutin",
                    "Isfläcken",
                ] {
                    assert!(!raw.contains(hidden), "{who} got {hidden}: {raw}");
                }
            }
        } else {
            assert_eq!(items.len(), 1, "{who}: {}", actions.raw);
            assert_eq!(
                keys(&items[0]),
                column(ACTION_FIELDS, false),
                "{who}: action"
            );
            assert_eq!(in_all, 1, "{who}: {}", all.raw);
        }
    }
    // Nor may the reporter reach the action by its id.
    let action_id = action.body["id"].as_str().unwrap();
    let r = app
        .send_as(
            Some(&eva),
            "PATCH",
            &format!("/api/v1/actions/{action_id}"),
            Some(&json!({"title": "Ny titel"})),
            Some("\"1\""),
        )
        .await;
    r.assert_problem(404);
}

#[actix_rt::test]
async fn can_manage_and_allowed_transitions_follow_the_role() {
    let app = spawn_app().await;
    let id = case_at(&app, "Lyckeby skola").await;
    let petra = app.login_as("petra.lindgren@example.se").await;
    let rep = app.login_as("skyddsombud.lyckebyskola@example.se").await;
    let case = read(&app, &petra, &id).await;
    assert_eq!(case["can_manage"], true);
    assert_eq!(
        case["allowed_transitions"],
        json!(["acknowledged", "rejected", "duplicate"])
    );
    assert_eq!(case["status"], "new");
    assert_eq!(case["org_unit_name"], "Lyckeby skola");
    assert_eq!(case["reporter"]["email"], "reporter@example.se");
    let seen_by_rep = read(&app, &rep, &id).await;
    assert_eq!(seen_by_rep["can_manage"], false);
    assert_eq!(seen_by_rep["allowed_transitions"], json!([]));
}

#[actix_rt::test]
async fn a_report_made_while_logged_in_is_readable_by_its_reporter_an_anonymous_one_is_not() {
    let app = spawn_app().await;
    let eva = app.login_as("eva.ek@example.se").await;
    let mut body = app.valid_report().await;
    let named = app
        .send_as(Some(&eva), "POST", "/api/v1/incidents", Some(&body), None)
        .await;
    assert_eq!(named.status, 201, "{}", named.raw);
    let named_id = named.body["id"].as_str().unwrap().to_owned();
    body["anonymous"] = json!(true);
    let anonymous = app
        .send_as(Some(&eva), "POST", "/api/v1/incidents", Some(&body), None)
        .await;
    assert_eq!(anonymous.status, 201, "{}", anonymous.raw);
    let anonymous_id = anonymous.body["id"].as_str().unwrap().to_owned();

    let case = app
        .send_as(
            Some(&eva),
            "GET",
            &format!("/api/v1/incidents/{named_id}"),
            None,
            None,
        )
        .await;
    assert_eq!(case.status, 200, "{}", case.raw);
    assert_eq!(case.body["access"], "reporter", "{}", case.raw);
    assert_eq!(case.header("etag"), None, "the reporter changes nothing");
    let r = app
        .send_as(
            Some(&eva),
            "GET",
            &format!("/api/v1/incidents/{anonymous_id}"),
            None,
            None,
        )
        .await;
    assert_eq!(
        r.status, 404,
        "an anonymous report is not tied to the session"
    );
    let list = app
        .send_as(Some(&eva), "GET", "/api/v1/incidents", None, None)
        .await;
    let ids = strings(&list.body["items"], "id");
    assert_eq!(ids, [named_id.as_str()]);
    // The reporter cannot change the case, but may add to it (always publicly) and sees
    // only the public history, without internal details.
    let tag = "\"1\"";
    let r = app
        .send_as(
            Some(&eva),
            "POST",
            &format!("/api/v1/incidents/{named_id}/transitions"),
            Some(&json!({"to": "acknowledged"})),
            Some(tag),
        )
        .await;
    r.assert_problem(403);
    let r = app
        .send_as(
            Some(&eva),
            "POST",
            &format!("/api/v1/incidents/{named_id}/comments"),
            Some(&json!({"text": "Det har hänt igen.", "public": false})),
            None,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.raw);
    let petra = app.login_as("petra.lindgren@example.se").await;
    let r = app
        .send_as(
            Some(&petra),
            "POST",
            &format!("/api/v1/incidents/{named_id}/comments"),
            Some(&json!({"text": "Intern anteckning", "public": false})),
            None,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.raw);
    let events = app
        .send_as(
            Some(&eva),
            "GET",
            &format!("/api/v1/incidents/{named_id}/events"),
            None,
            None,
        )
        .await;
    assert_eq!(events.status, 200);
    let items = events.body["items"].as_array().unwrap();
    assert!(items.iter().all(|e| e["public"] == true), "{items:?}");
    assert!(items.iter().all(|e| e["actor"].is_null()));
    assert!(items
        .iter()
        .any(|e| e["data"]["text"] == "Det har hänt igen."));
    assert!(!events.raw.contains("Intern anteckning"));
    assert!(!events.raw.contains("petra.lindgren"), "no routing details");
}

#[actix_rt::test]
async fn if_match_is_required_and_a_stale_one_overwrites_nothing() {
    let app = spawn_app().await;
    let id = case_at(&app, "Lyckeby skola").await;
    let petra = app.login_as("petra.lindgren@example.se").await;
    let path = format!("/api/v1/incidents/{id}");
    let first = read(&app, &petra, &id).await;
    let old = etag(&first);

    let body = json!({"investigation": "Första"});
    let r = app
        .send_as(Some(&petra), "PATCH", &path, Some(&body), None)
        .await;
    r.assert_problem(428);
    let r = app
        .send_as(
            Some(&petra),
            "POST",
            &format!("{path}/transitions"),
            Some(&json!({"to": "acknowledged"})),
            None,
        )
        .await;
    r.assert_problem(428);

    // `*` (and anything that is not one of our ETags) is not a version read.
    for tag in ["*", "\"abc\"", "", "1"] {
        let r = app
            .send_as(Some(&petra), "PATCH", &path, Some(&body), Some(tag))
            .await;
        r.assert_problem(428);
    }
    let r = app
        .send_as(Some(&petra), "PATCH", &path, Some(&body), Some(&old))
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    let new_tag = r.header("etag").unwrap().to_owned();
    assert_ne!(new_tag, old);
    assert_eq!(r.body["investigation"], "Första");

    // Someone else, still holding the old version, changes nothing.
    let stale = json!({"investigation": "Andra", "cause_category": "teknik"});
    let r = app
        .send_as(Some(&petra), "PATCH", &path, Some(&stale), Some(&old))
        .await;
    r.assert_problem(412);
    let r = app
        .send_as(
            Some(&petra),
            "POST",
            &format!("{path}/transitions"),
            Some(&json!({"to": "acknowledged"})),
            Some(&old),
        )
        .await;
    r.assert_problem(412);
    let now = read(&app, &petra, &id).await;
    assert_eq!(now["investigation"], "Första");
    assert_eq!(now["cause_category"], Value::Null);
    assert_eq!(now["status"], "new");
    assert_eq!(etag(&now), new_tag);
}

#[actix_rt::test]
async fn every_change_is_in_the_history_with_before_and_after() {
    let app = spawn_app().await;
    let id = case_at(&app, "Lyckeby skola").await;
    let petra = app.login_as("petra.lindgren@example.se").await;
    let path = format!("/api/v1/incidents/{id}");
    let case = read(&app, &petra, &id).await;
    let body = json!({
        "risk": {"likelihood": 3, "consequence": 2},
        "cause_category": "organisation",
        "investigation": "Varför 1: ingen sandning.",
    });
    let r = app
        .send_as(
            Some(&petra),
            "PATCH",
            &path,
            Some(&body),
            Some(&etag(&case)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(
        r.body["risk"],
        json!({"likelihood": 3, "consequence": 2, "level": "high"})
    );
    assert_eq!(r.body["risk_level"], "high");
    let r2 = app
        .send_as(
            Some(&petra),
            "PATCH",
            &path,
            Some(&json!({"risk": {"likelihood": 1, "consequence": 1}})),
            Some(&etag(&r.body)),
        )
        .await;
    assert_eq!(r2.status, 200, "{}", r2.raw);
    // Sending the same values again writes nothing.
    let r3 = app
        .send_as(
            Some(&petra),
            "PATCH",
            &path,
            Some(&json!({"cause_category": "organisation"})),
            Some(&etag(&r2.body)),
        )
        .await;
    assert_eq!(r3.status, 200);
    assert_eq!(r3.body["version"], r2.body["version"]);
    let r4 = app
        .send_as(
            Some(&petra),
            "POST",
            &format!("{path}/transitions"),
            Some(&json!({"to": "acknowledged"})),
            Some(&etag(&r3.body)),
        )
        .await;
    assert_eq!(r4.status, 200, "{}", r4.raw);

    let events = app
        .send_as(Some(&petra), "GET", &format!("{path}/events"), None, None)
        .await;
    assert_eq!(events.status, 200);
    let items = events.body["items"].as_array().unwrap().clone();
    assert_eq!(items[0]["kind"], "created");
    let changes: Vec<&Value> = items
        .iter()
        .filter(|e| e["kind"] == "field_changed")
        .collect();
    assert_eq!(changes.len(), 4, "{items:?}");
    assert!(changes
        .iter()
        .all(|e| e["actor"] == "petra.lindgren@example.se" && e["public"] == false));
    let risk: Vec<&&Value> = changes
        .iter()
        .filter(|e| e["data"]["field"] == "risk")
        .collect();
    assert_eq!(risk[0]["data"]["before"], Value::Null);
    assert_eq!(risk[0]["data"]["after"]["level"], "high");
    assert_eq!(risk[1]["data"]["before"]["level"], "high");
    assert_eq!(risk[1]["data"]["after"]["level"], "low");
    let cause = changes
        .iter()
        .find(|e| e["data"]["field"] == "cause_category")
        .unwrap();
    assert_eq!(cause["data"]["before"], Value::Null);
    assert_eq!(cause["data"]["after"], "organisation");
    let ack = items
        .iter()
        .find(|e| e["kind"] == "acknowledged")
        .expect("ack event");
    assert_eq!(ack["data"]["from"], "new");
    assert_eq!(ack["data"]["to"], "acknowledged");
    assert_eq!(ack["public"], true);
    // Oldest first.
    let times: Vec<&str> = items.iter().map(|e| e["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
}

#[actix_rt::test]
async fn bad_patches_name_every_bad_field() {
    let app = spawn_app().await;
    let id = case_at(&app, "Lyckeby skola").await;
    let petra = app.login_as("petra.lindgren@example.se").await;
    let case = read(&app, &petra, &id).await;
    let body = json!({
        "risk": {"likelihood": 5, "consequence": "x"},
        "cause_category": "slarv",
        "investigation": "x".repeat(20_001),
        "org_unit_id": "00000000-0000-0000-0000-000000000000",
        "injury_severity": "bad",
        "several_injured": "yes",
        "duties": {"arbetsmiljoverket": {"confirmed": "ja", "reported_at": "igår"}},
        "colour": "red",
    });
    let r = app
        .send_as(
            Some(&petra),
            "PATCH",
            &format!("/api/v1/incidents/{id}"),
            Some(&body),
            Some(&etag(&case)),
        )
        .await;
    r.assert_problem(422);
    let fields: Vec<String> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    for f in [
        "risk.likelihood",
        "risk.consequence",
        "cause_category",
        "investigation",
        "injury_severity",
        "several_injured",
        "duties.arbetsmiljoverket.confirmed",
        "duties.arbetsmiljoverket.reported_at",
        "colour",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} not in {fields:?}");
    }
    // An unknown unit is found in the database, after the access and version checks.
    let r = app
        .send_as(
            Some(&petra),
            "PATCH",
            &format!("/api/v1/incidents/{id}"),
            Some(&json!({"org_unit_id": "00000000-0000-0000-0000-000000000000"})),
            Some(&etag(&case)),
        )
        .await;
    r.assert_problem(422);
    assert_eq!(
        r.field_errors(),
        [("org_unit_id".to_owned(), "unknown_org_unit".to_owned())]
    );
    let cats = app
        .send_as(Some(&petra), "GET", "/api/v1/cause-categories", None, None)
        .await;
    assert_eq!(
        cats.body["items"],
        json!([
            "teknik",
            "organisation",
            "arbetsmiljö",
            "människa",
            "extern"
        ])
    );
}

#[actix_rt::test]
async fn illegal_steps_are_409_with_the_allowed_ones_and_closing_needs_a_rating() {
    let app = spawn_app().await;
    let id = case_at(&app, "Lyckeby skola").await;
    let petra = app.login_as("petra.lindgren@example.se").await;
    let path = format!("/api/v1/incidents/{id}");
    let case = read(&app, &petra, &id).await;
    let r = app
        .send_as(
            Some(&petra),
            "POST",
            &format!("{path}/transitions"),
            Some(&json!({"to": "closed"})),
            Some(&etag(&case)),
        )
        .await;
    r.assert_problem(409);
    assert_eq!(
        r.body["allowed"],
        json!(["acknowledged", "rejected", "duplicate"])
    );
    r.assert_detail_contains("acknowledged, rejected, duplicate");
    // Reject needs a reason; reopening too.
    let r = app
        .send_as(
            Some(&petra),
            "POST",
            &format!("{path}/transitions"),
            Some(&json!({"to": "rejected"})),
            Some(&etag(&case)),
        )
        .await;
    r.assert_problem(422);
    let mut tag = etag(&case);
    for to in ["acknowledged", "resolved"] {
        let r = app
            .send_as(
                Some(&petra),
                "POST",
                &format!("{path}/transitions"),
                Some(&json!({"to": to})),
                Some(&tag),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.raw);
        tag = etag(&r.body);
    }
    let r = app
        .send_as(
            Some(&petra),
            "POST",
            &format!("{path}/transitions"),
            Some(&json!({"to": "closed"})),
            Some(&tag),
        )
        .await;
    r.assert_problem(409);
    assert!(r.body.get("allowed").is_none());
    let r = app
        .send_as(
            Some(&petra),
            "PATCH",
            &path,
            Some(&json!({"risk": {"likelihood": 1, "consequence": 2}})),
            Some(&tag),
        )
        .await;
    tag = etag(&r.body);
    let r = app
        .send_as(
            Some(&petra),
            "POST",
            &format!("{path}/transitions"),
            Some(&json!({"to": "closed"})),
            Some(&tag),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["status"], "closed");
    assert_eq!(r.body["allowed_transitions"], json!(["acknowledged"]));
    // A duplicate names another case the caller can see.
    let other = case_at(&app, "Lyckeby skola").await;
    let second = read(&app, &petra, &other).await;
    let r = app
        .send_as(
            Some(&petra),
            "POST",
            &format!("/api/v1/incidents/{other}/transitions"),
            Some(&json!({"to": "duplicate", "duplicate_of": id})),
            Some(&etag(&second)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["duplicate_of"], json!(id));
}

#[actix_rt::test]
async fn acknowledging_through_the_api_stops_reminders() {
    let (smtp, app) = mail_app(&[]).await;
    let id = case_at(&app, "Lyckeby skola").await;
    let before = smtp.wait_for(1, 20).await.len();
    let petra = app.login_as("petra.lindgren@example.se").await;
    let case = read(&app, &petra, &id).await;
    let r = app
        .send_as(
            Some(&petra),
            "POST",
            &format!("/api/v1/incidents/{id}/transitions"),
            Some(&json!({"to": "acknowledged"})),
            Some(&etag(&case)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["overdue"], false);
    // Well past both deadlines: no reminder, no escalation.
    app.clock.advance(chrono::Duration::days(30));
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(smtp.received().len(), before);
    let history = app.history(&id).await;
    assert!(!history
        .iter()
        .any(|e| e["kind"] == "reminder_sent" || e["kind"] == "escalated"));
    let petra = app.login_as("petra.lindgren@example.se").await;
    let r = app
        .send_as(
            Some(&petra),
            "GET",
            &format!("/api/v1/incidents/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(r.body["overdue"], false);
}

#[actix_rt::test]
async fn an_unacknowledged_case_past_its_reminder_is_overdue_in_lists() {
    let app = spawn_app().await;
    let id = case_at(&app, "Lyckeby skola").await;
    let petra = app.login_as("petra.lindgren@example.se").await;
    assert_eq!(read(&app, &petra, &id).await["overdue"], false);
    app.clock.advance(chrono::Duration::days(10));
    // The session has expired meanwhile (idle timeout): log in again.
    let petra = app.login_as("petra.lindgren@example.se").await;
    assert_eq!(read(&app, &petra, &id).await["overdue"], true);
}

#[actix_rt::test]
async fn moving_a_case_reroutes_it_and_mails_the_new_manager() {
    let (smtp, app) = mail_app(&[]).await;
    let id = case_at(&app, "Lyckeby skola").await;
    let first = smtp.wait_for(1, 20).await.len();
    let jonas = app.login_as("jonas.blom@example.se").await;
    let case = read(&app, &jonas, &id).await;
    let nattraby = app.unit_id("Nättraby skola").await;
    let r = app
        .send_as(
            Some(&jonas),
            "PATCH",
            &format!("/api/v1/incidents/{id}"),
            Some(&json!({"org_unit_id": nattraby})),
            Some(&etag(&case)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["org_unit_name"], "Nättraby skola");
    let mails = smtp.wait_for(first + 1, 20).await;
    let moved = mails.last().unwrap();
    assert_eq!(moved.to, ["fredrik.dahl@example.se"]);
    assert_starts_with(&moved.subject(), "[tillbud] Ärende flyttat till din enhet");
    assert!(moved
        .link(&format!("http://tillbud.test/cases/{id}"))
        .is_some());
    assert!(
        !moved.text().contains("Isfläcken"),
        "no description in mail"
    );
    // Now Fredrik's case, no longer Petra's.
    let fredrik = app.login_as("fredrik.dahl@example.se").await;
    assert_eq!(read(&app, &fredrik, &id).await["can_manage"], true);
    let petra = app.login_as("petra.lindgren@example.se").await;
    let r = app
        .send_as(
            Some(&petra),
            "GET",
            &format!("/api/v1/incidents/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 404);
    let history = app.history(&id).await;
    let rerouted = history
        .iter()
        .find(|e| e["kind"] == "rerouted")
        .expect("rerouted");
    assert!(rerouted["data"]
        .to_string()
        .contains("fredrik.dahl@example.se"));
    let moved_event = history
        .iter()
        .find(|e| e["kind"] == "field_changed" && e["data"].to_string().contains("org_unit_id"))
        .expect("move event");
    assert!(moved_event["data"].to_string().contains(&nattraby));
    // A move out of the caller's own subtree still answers with the case as left.
    let own = case_at(&app, "Lyckeby skola").await;
    let c = read(&app, &petra, &own).await;
    let r = app
        .send_as(
            Some(&petra),
            "PATCH",
            &format!("/api/v1/incidents/{own}"),
            Some(&json!({"org_unit_id": nattraby})),
            Some(&etag(&c)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["can_manage"], false);
    // Let the worker finish sending before the runtime goes away.
    smtp.wait_for(first + 3, 20).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
}

async fn duty_list(app: &TestApp, cookie: &str, unit: &str, duty: &str) -> Vec<String> {
    let r = app
        .send_as(
            Some(cookie),
            "GET",
            &format!("/api/v1/incidents?unit={unit}&duty={duty}"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_rt::test]
async fn legal_duties_are_suggested_confirmed_overdue_and_reported() {
    let app = spawn_app().await;
    let created = app
        .report(
            "Lyckeby skola",
            "accident",
            &["person"],
            Some("reporter@example.se"),
        )
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let petra = app.login_as("petra.lindgren@example.se").await;
    let path = format!("/api/v1/incidents/{id}");
    let case = read(&app, &petra, &id).await;
    assert_eq!(case["duties"]["forsakringskassan"], "suggested");
    assert_eq!(case["duties"]["arbetsmiljoverket"], "not_applicable");
    let r = app
        .send_as(Some(&petra), "PATCH", &path, Some(&json!({"injury_severity": "serious", "duties": {"arbetsmiljoverket": {"confirmed": true}}})), Some(&etag(&case)))
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["duties"]["arbetsmiljoverket"], "due");
    assert_eq!(
        r.body["duty_details"]["arbetsmiljoverket"]["suggested"],
        true
    );
    assert_eq!(
        r.body["duty_details"]["arbetsmiljoverket"]["confirmed"],
        true
    );
    let unit = app.unit_id("Lyckeby skola").await;
    assert_eq!(
        duty_list(&app, &petra, &unit, "due").await,
        vec![id.clone()]
    );
    assert!(duty_list(&app, &petra, &unit, "overdue").await.is_empty());

    app.clock.advance(chrono::Duration::hours(25));
    // Sessions end after 8 idle hours: log in again.
    let petra = app.login_as("petra.lindgren@example.se").await;
    let case = read(&app, &petra, &id).await;
    assert_eq!(case["duties"]["arbetsmiljoverket"], "overdue");
    assert_eq!(
        case["duties"]["forsakringskassan"], "overdue",
        "suggested and undecided past 24 h"
    );
    assert_eq!(case["overdue"], true);
    assert_eq!(
        duty_list(&app, &petra, &unit, "overdue").await,
        vec![id.clone()]
    );
    assert!(duty_list(&app, &petra, &unit, "due").await.is_empty());

    let reported_at = (app.clock.now() - chrono::Duration::hours(1)).to_rfc3339();
    let body = json!({"duties": {
        "arbetsmiljoverket": {"reported_at": reported_at, "reference": "AV 2026/4711"},
        "forsakringskassan": {"confirmed": false},
    }});
    let r = app
        .send_as(
            Some(&petra),
            "PATCH",
            &path,
            Some(&body),
            Some(&etag(&case)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["duties"]["arbetsmiljoverket"], "reported");
    assert_eq!(r.body["duties"]["forsakringskassan"], "dismissed");
    assert_eq!(
        r.body["duty_details"]["arbetsmiljoverket"]["reference"],
        "AV 2026/4711"
    );
    assert!(duty_list(&app, &petra, &unit, "overdue").await.is_empty());
    let events = app
        .send_as(Some(&petra), "GET", &format!("{path}/events"), None, None)
        .await;
    assert!(events.raw.contains("duties.arbetsmiljoverket.reference"));
    assert!(events.raw.contains("duties.forsakringskassan.confirmed"));
}

#[actix_rt::test]
async fn lists_filter_and_page_newest_first() {
    let app = spawn_app().await;
    let coordinator = app.login_as(COORDINATOR).await;
    let unit = app.unit_id("Grundskola").await;
    // The demo's own cases there (its reports and its handled cases with costs).
    let demo_cases = app
        .send_as(
            Some(&coordinator),
            "GET",
            &format!("/api/v1/incidents?unit={unit}&limit=100"),
            None,
            None,
        )
        .await
        .body["items"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert!(demo_cases > 0 && demo_cases < 100, "{demo_cases}");
    let mut ids = Vec::new();
    for (i, place) in [
        "Lyckeby skola",
        "Nättraby skola",
        "Grundskola",
        "Lyckeby skola",
        "Nättraby skola",
    ]
    .iter()
    .enumerate()
    {
        let mut body = app.valid_report().await;
        body["org_unit_id"] = json!(app.unit_id(place).await);
        body["title"] = json!(format!("ÄNDRAD Händelse nummer {i} 100%_sant"));
        let r = app.post_incident(&body, None).await;
        assert_eq!(r.status, 201);
        ids.push(r.body["id"].as_str().unwrap().to_owned());
        app.clock.advance(chrono::Duration::seconds(1));
    }
    ids.reverse(); // newest first
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/incidents?unit={unit}&limit=2");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = app
            .send_as(Some(&coordinator), "GET", &path, None, None)
            .await;
        assert_eq!(r.status, 200, "{}", r.raw);
        let items = r.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_owned()));
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    // The demo's own cases are older than these and come last.
    assert_eq!(seen.len(), ids.len() + demo_cases);
    seen.retain(|i| ids.contains(i));
    assert_eq!(seen, ids);

    let mine = ids.clone();
    let get = |q: String| {
        let coordinator = coordinator.clone();
        let mine = mine.clone();
        let app = &app;
        async move {
            let r = app
                .send_as(
                    Some(&coordinator),
                    "GET",
                    &format!("/api/v1/incidents?{q}"),
                    None,
                    None,
                )
                .await;
            assert_eq!(r.status, 200, "{q}: {}", r.raw);
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned())
                // Only this test's cases, not the demo's own.
                .filter(|i| mine.contains(i))
                .collect::<Vec<_>>()
        }
    };
    let lyckeby = app.unit_id("Lyckeby skola").await;
    assert_eq!(
        get(format!("unit={lyckeby}"))
            .await
            .iter()
            .filter(|i| ids.contains(i))
            .count(),
        2
    );
    assert_eq!(get("q=NUMMER%203".into()).await, [ids[1].clone()]);
    // Swedish capitals in the title fold too (Ä → ä), on SQLite as on PostgreSQL.
    assert_eq!(get("q=%C3%A4ndrad%20h%C3%A4ndelse".into()).await.len(), 5);
    assert_eq!(
        get("q=100%25_".into()).await.len(),
        5,
        "wildcards are literal"
    );
    assert!(get("q=100%25x".into()).await.is_empty());
    assert!(get("state=closed".into()).await.is_empty());
    assert_eq!(
        get(format!("unit={unit}&state=new&kind=near_miss"))
            .await
            .len(),
        5
    );
    assert!(get(format!("unit={unit}&risk_level=high")).await.is_empty());
    let today = tillbud::domain::calendar::stockholm_date(app.clock.now()).to_string();
    assert_eq!(
        get(format!("unit={unit}&from={today}&to={today}"))
            .await
            .len(),
        5
    );
    assert!(get(format!("unit={unit}&to=2020-01-01")).await.is_empty());

    let r = app
        .send_as(Some(&coordinator), "GET", "/api/v1/incidents?state=open&kind=x&unit=y&from=ig%C3%A5r&limit=0&duty=soon&risk_level=huge&cursor=zz", None, None)
        .await;
    r.assert_problem(422);
    let fields: Vec<String> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    for f in [
        "state",
        "kind",
        "unit",
        "from",
        "limit",
        "duty",
        "risk_level",
        "cursor",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} not in {fields:?}");
    }
    let summary = &app
        .send_as(
            Some(&coordinator),
            "GET",
            &format!("/api/v1/incidents?unit={unit}&limit=1"),
            None,
            None,
        )
        .await
        .body["items"][0];
    for key in [
        "id",
        "kind",
        "kind_label",
        "title",
        "status",
        "status_label",
        "org_unit_id",
        "org_unit_name",
        "occurred_at",
        "created_at",
        "risk_level",
        "duties",
        "overdue",
    ] {
        assert!(summary.get(key).is_some(), "summary lacks {key}: {summary}");
    }
}

#[actix_rt::test]
async fn two_racing_changes_with_one_version_one_wins_one_is_412() {
    let app = spawn_app().await;
    let id = case_at(&app, "Lyckeby skola").await;
    let petra = app.login_as("petra.lindgren@example.se").await;
    let jonas = app.login_as("jonas.blom@example.se").await;
    let case = read(&app, &petra, &id).await;
    let tag = etag(&case);
    let path = format!("/api/v1/incidents/{id}");
    let a = json!({"investigation": "Petras version"});
    let b = json!({"investigation": "Jonas version"});
    let (ra, rb) = tokio::join!(
        app.send_as(Some(&petra), "PATCH", &path, Some(&a), Some(&tag)),
        app.send_as(Some(&jonas), "PATCH", &path, Some(&b), Some(&tag)),
    );
    let mut statuses = [ra.status, rb.status];
    statuses.sort();
    assert_eq!(statuses, [200, 412], "{} / {}", ra.raw, rb.raw);
    let winner = if ra.status == 200 { &a } else { &b };
    let now = read(&app, &petra, &id).await;
    assert_eq!(now["investigation"], winner["investigation"]);
    let events = app
        .send_as(Some(&petra), "GET", &format!("{path}/events"), None, None)
        .await;
    let changes = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "field_changed")
        .count();
    assert_eq!(changes, 1, "the loser wrote no history either");
}

#[actix_rt::test]
async fn after_a_move_reminders_and_escalation_follow_the_new_line() {
    let (smtp, app) = mail_app(&[]).await;
    let id = case_at(&app, "Lyckeby skola").await;
    let first = smtp.wait_for(1, 20).await.len();
    let coordinator = app.login_as(COORDINATOR).await;
    let case = read(&app, &coordinator, &id).await;
    let nattraby = app.unit_id("Nättraby skola").await;
    let r = app
        .send_as(
            Some(&coordinator),
            "PATCH",
            &format!("/api/v1/incidents/{id}"),
            Some(&json!({"org_unit_id": nattraby})),
            Some(&etag(&case)),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    smtp.wait_for(first + 1, 20).await;
    // Past both (fresh) deadlines: the new manager is reminded, then her line escalates.
    app.clock.advance(chrono::Duration::days(30));
    let mails = smtp.wait_for(first + 3, 20).await;
    let later = &mails[first + 1..];
    let reminder = later
        .iter()
        .find(|m| m.subject().starts_with("[tillbud] Påminnelse"))
        .expect("reminder");
    assert_eq!(reminder.to, ["fredrik.dahl@example.se"]);
    let escalation = later
        .iter()
        .find(|m| m.subject().starts_with("[tillbud] Eskalering"))
        .expect("escalation");
    assert_eq!(escalation.to, ["jonas.blom@example.se"]);
    assert!(!later
        .iter()
        .any(|m| m.to.iter().any(|t| t == "petra.lindgren@example.se")));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
}
