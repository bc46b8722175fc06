use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

#[actix_rt::test]
async fn a_valid_report_is_stored_and_answered_201() {
    let app = spawn_app().await;
    let before = app.incident_count().await;
    let r = app.post_incident(&app.valid_report().await, None).await;
    assert_eq!(r.status, 201, "{}", r.raw);
    let id = r.body["id"].as_str().unwrap();
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v1/incidents/{id}").as_str())
    );
    assert_eq!(r.body["status"], "new");
    let code = r.body["tracking_code"].as_str().unwrap();
    assert_eq!(code.len(), 22);
    assert!(code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    assert_eq!(
        r.body["tracking_url"],
        format!("http://tillbud.test/t/{code}")
    );
    assert!(r.body["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(app.incident_count().await, before + 1);
}

#[actix_rt::test]
async fn text_is_trimmed_and_nfc_normalised() {
    let app = spawn_app().await;
    let mut report = app.valid_report().await;
    report["title"] = json!("   Halka vid a\u{030A}n   ");
    let r = app.post_incident(&report, None).await;
    assert_eq!(r.status, 201, "{}", r.raw);
    let tracked = app
        .get(&format!(
            "/api/v1/track/{}",
            r.body["tracking_code"].as_str().unwrap()
        ))
        .await;
    assert_eq!(tracked.body["title"], "Halka vid \u{e5}n");
}

#[actix_rt::test]
async fn anonymous_reports_store_no_reporter_data_even_if_sent() {
    let app = spawn_app().await;
    let mut report = app.valid_report().await;
    report["anonymous"] = json!(true);
    let r = app.post_incident(&report, None).await;
    assert_eq!(r.status, 201, "{}", r.raw);
    let incident_id = r.body["id"].as_str().unwrap().to_owned();
    let stored = app
        .db
        .read(move |c| {
            use diesel::prelude::*;
            use tillbud::db::schema::incidents as i;
            Ok(i::table
                .filter(i::id.eq(&incident_id))
                .select((
                    i::anonymous,
                    i::reporter_name,
                    i::reporter_email,
                    i::reporter_phone,
                ))
                .first::<(bool, Option<String>, Option<String>, Option<String>)>(c)?)
        })
        .await
        .unwrap();
    assert_eq!(stored, (true, None, None, None));
}

/// One broken field at a time: (field to change, new value or None to remove, expected field, code).
fn single_field_cases() -> Vec<(&'static str, Option<Value>, &'static str, &'static str)> {
    let now = chrono::Utc::now();
    vec![
        ("kind", None, "kind", "required"),
        ("kind", Some(json!("olycka")), "kind", "unknown_value"),
        ("kind", Some(json!(7)), "kind", "type"),
        ("org_unit_id", None, "org_unit_id", "required"),
        (
            "org_unit_id",
            Some(json!("not-a-uuid")),
            "org_unit_id",
            "format",
        ),
        (
            "org_unit_id",
            Some(json!(uuid::Uuid::now_v7().to_string())),
            "org_unit_id",
            "unknown_org_unit",
        ),
        ("occurred_at", None, "occurred_at", "required"),
        ("occurred_at", Some(json!("igår")), "occurred_at", "format"),
        (
            "occurred_at",
            Some(json!("2026-01-01 10:00")),
            "occurred_at",
            "format",
        ),
        (
            "occurred_at",
            Some(json!((now + chrono::Duration::minutes(10)).to_rfc3339())),
            "occurred_at",
            "in_future",
        ),
        (
            "occurred_at",
            Some(json!("1969-07-20T20:17:00Z")),
            "occurred_at",
            "too_early",
        ),
        ("title", None, "title", "required"),
        ("title", Some(json!("ab")), "title", "length"),
        ("title", Some(json!("   ab   ")), "title", "length"),
        ("title", Some(json!("x".repeat(121))), "title", "length"),
        (
            "title",
            Some(json!("Halka\u{0007}")),
            "title",
            "control_character",
        ),
        (
            "title",
            Some(json!("Två\nrader")),
            "title",
            "control_character",
        ),
        ("title", Some(json!(["a"])), "title", "type"),
        ("description", None, "description", "required"),
        (
            "description",
            Some(json!("för kort")),
            "description",
            "length",
        ),
        (
            "description",
            Some(json!("å".repeat(5001))),
            "description",
            "length",
        ),
        (
            "description",
            Some(json!("Tio tecken\u{001b}[31m")),
            "description",
            "control_character",
        ),
        (
            "location",
            Some(json!("x".repeat(201))),
            "location",
            "length",
        ),
        (
            "immediate_action",
            Some(json!("x".repeat(2001))),
            "immediate_action",
            "length",
        ),
        ("latitude", Some(json!(91.0)), "latitude", "range"),
        ("latitude", Some(json!("56.1")), "latitude", "type"),
        (
            "consequences",
            Some(json!(["person", "fire"])),
            "consequences",
            "unknown_value",
        ),
        (
            "consequences",
            Some(json!(["person", "person"])),
            "consequences",
            "duplicate",
        ),
        (
            "consequences",
            Some(json!("person")),
            "consequences",
            "type",
        ),
        ("reporter", Some(json!("Eva")), "reporter", "type"),
        ("reporter", Some(json!([null, null])), "reporter", "type"),
        (
            "reporter",
            Some(json!({"email": ""})),
            "reporter.email",
            "email",
        ),
        (
            "reporter",
            Some(json!({"email": "eva@"})),
            "reporter.email",
            "email",
        ),
        (
            "reporter",
            Some(json!({"phone": "ring mig"})),
            "reporter.phone",
            "phone",
        ),
        (
            "reporter",
            Some(json!({"name": "x".repeat(201)})),
            "reporter.name",
            "length",
        ),
        ("anonymous", Some(json!("ja")), "anonymous", "type"),
    ]
}

#[actix_rt::test]
async fn every_input_rule_gives_422_naming_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let before = app.incident_count().await;
    for (field, value, expected_field, code) in single_field_cases() {
        let mut report = app.valid_report().await;
        match value {
            Some(v) => report[field] = v,
            None => {
                report.as_object_mut().unwrap().remove(field);
            }
        }
        let r = app.post_incident(&report, None).await;
        r.assert_problem(422);
        let errors = r.field_errors();
        assert_eq!(
            errors,
            vec![(expected_field.to_owned(), code.to_owned())],
            "{field} = {:?}: {}",
            report.get(field),
            r.raw
        );
        assert!(r.body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(
        app.incident_count().await,
        before,
        "a refused report was written"
    );
}

#[actix_rt::test]
async fn coordinates_come_in_pairs() {
    let app = spawn_app().await;
    let mut report = app.valid_report().await;
    report.as_object_mut().unwrap().remove("longitude");
    let r = app.post_incident(&report, None).await;
    assert_eq!(
        r.field_errors(),
        vec![("longitude".to_owned(), "both_or_neither".to_owned())]
    );
    report["longitude"] = json!(15.59);
    let r = app.post_incident(&report, None).await;
    assert_eq!(r.status, 201, "{}", r.raw);
}

#[actix_rt::test]
async fn all_bad_fields_are_listed_at_once_in_the_callers_language() {
    let app = spawn_app().await;
    let body = json!({"kind": "x", "title": 1, "reporter": {"email": "bad"}});
    let r = app
        .request(
            "POST",
            "/api/v1/incidents",
            &[
                ("content-type", "application/json"),
                ("accept-language", "en-GB,en;q=0.8"),
            ],
            body.to_string().into_bytes(),
        )
        .await;
    r.assert_problem(422);
    let fields: Vec<String> = r.field_errors().into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        [
            "kind",
            "org_unit_id",
            "occurred_at",
            "title",
            "description",
            "reporter.email"
        ]
    );
    assert_eq!(r.body["title"], "Invalid input");
    assert_eq!(r.body["errors"][1]["message"], "This field is required.");
}

async fn assert_refused(app: &TestApp, headers: &[(&str, &str)], body: Vec<u8>, status: u16) {
    let before = app.incident_count().await;
    let r = app
        .request("POST", "/api/v1/incidents", headers, body)
        .await;
    r.assert_problem(status);
    assert_eq!(app.incident_count().await, before);
}

#[actix_rt::test]
async fn malformed_wrong_type_and_oversized_bodies_are_problems() {
    let app = spawn_app().await;
    let json_ct = [("content-type", "application/json")];
    assert_refused(&app, &json_ct, b"{\"kind\": ".to_vec(), 400).await;
    assert_refused(&app, &json_ct, b"[1, 2]".to_vec(), 400).await;
    assert_refused(&app, &json_ct, b"".to_vec(), 400).await;
    let report = app.valid_report().await.to_string().into_bytes();
    assert_refused(&app, &[("content-type", "text/plain")], report.clone(), 415).await;
    assert_refused(&app, &[], report, 415).await;
    let mut big = app.valid_report().await;
    big["description"] = json!("x".repeat(70 * 1024));
    assert_refused(&app, &json_ct, big.to_string().into_bytes(), 413).await;
}

/// A report with this reporter address (`None`: no reporter at all).
async fn report_as(app: &TestApp, email: Option<&str>) -> crate::helpers::Reply {
    let mut body = app.valid_report().await;
    match email {
        Some(e) => body["reporter"] = json!({ "email": e }),
        None => body["anonymous"] = json!(true),
    }
    app.post_incident(&body, None).await
}

#[actix_rt::test]
async fn reports_are_limited_per_client_and_per_reporter_address() {
    let app = crate::helpers::spawn_app_with(&[
        ("TILLBUD_REPORT_RATE_LIMIT_CLIENT", "4"),
        ("TILLBUD_REPORT_RATE_LIMIT_REPORTER", "2"),
    ])
    .await;
    let key = uuid::Uuid::new_v4().to_string();
    let mut accepted = app.valid_report().await;
    accepted["reporter"] = json!({ "email": "x@phish.example" });
    let first = app.post_incident(&accepted, Some(&key)).await;
    assert_eq!(first.status, 201, "{}", first.raw);
    assert_eq!(report_as(&app, Some("X@Phish.example")).await.status, 201);
    let before = app.incident_count().await;
    // A third naming the same reporter address within the hour.
    let third = report_as(&app, Some("x@phish.example")).await;
    third.assert_problem(429);
    let wait: i64 = third.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    assert_eq!(app.incident_count().await, before, "nothing stored");
    // A retry of an accepted report is answered as before, never refused.
    let replay = app.post_incident(&accepted, Some(&key)).await;
    assert_eq!(replay.status, 201, "{}", replay.raw);
    assert_eq!(replay.body, first.body);
    // Other reporters from the same client, up to the client's limit.
    assert_eq!(report_as(&app, Some("y@phish.example")).await.status, 201);
    assert_eq!(report_as(&app, None).await.status, 201);
    report_as(&app, None).await.assert_problem(429);
    // An hour later the client may report again.
    app.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(report_as(&app, Some("x@phish.example")).await.status, 201);
}

#[actix_rt::test]
async fn strangers_cannot_use_up_a_logged_in_reporters_own_address() {
    let app = crate::helpers::spawn_app_with(&[("TILLBUD_REPORT_RATE_LIMIT_REPORTER", "2")]).await;
    for _ in 0..2 {
        assert_eq!(report_as(&app, Some("eva.ek@example.se")).await.status, 201);
    }
    report_as(&app, Some("eva.ek@example.se"))
        .await
        .assert_problem(429);
    // Eva herself, logged in and reporting under her own address, is counted as herself.
    let r = app.report_as_self("eva.ek@example.se").await;
    assert_eq!(r.status, 201, "{}", r.raw);
}
