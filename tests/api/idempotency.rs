use serde_json::json;

use crate::helpers::spawn_app;

#[actix_rt::test]
async fn a_retry_with_the_same_key_returns_the_first_answer_and_creates_nothing() {
    let app = spawn_app().await;
    let key = uuid::Uuid::new_v4().to_string();
    let report = app.valid_report().await;
    let first = app.post_incident(&report, Some(&key)).await;
    assert_eq!(first.status, 201, "{}", first.raw);
    let count = app.incident_count().await;

    // Same body with keys in another order and other whitespace is the same request.
    let reordered: serde_json::Value = serde_json::from_str(&report.to_string()).unwrap();
    let second = app.post_incident(&reordered, Some(&key)).await;
    assert_eq!(second.status, 201);
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("location"), first.header("location"));
    assert_eq!(app.incident_count().await, count);
}

#[actix_rt::test]
async fn the_same_key_with_another_body_is_422() {
    let app = spawn_app().await;
    let key = uuid::Uuid::new_v4().to_string();
    let mut report = app.valid_report().await;
    assert_eq!(app.post_incident(&report, Some(&key)).await.status, 201);
    let count = app.incident_count().await;
    report["title"] = json!("Något helt annat");
    let r = app.post_incident(&report, Some(&key)).await;
    r.assert_problem(422);
    assert_eq!(
        r.field_errors(),
        vec![("Idempotency-Key".to_owned(), "key_reused".to_owned())]
    );
    assert_eq!(app.incident_count().await, count);
}

#[actix_rt::test]
async fn a_key_must_be_a_uuid() {
    let app = spawn_app().await;
    let r = app
        .post_incident(&app.valid_report().await, Some("not-a-uuid"))
        .await;
    r.assert_problem(422);
    assert_eq!(r.field_errors()[0].0, "Idempotency-Key");
}

#[actix_rt::test]
async fn concurrent_requests_with_one_key_create_one_incident() {
    let app = spawn_app().await;
    let key = uuid::Uuid::new_v4().to_string();
    let report = app.valid_report().await;
    let before = app.incident_count().await;
    let replies =
        futures_util::future::join_all((0..12).map(|_| app.post_incident(&report, Some(&key))))
            .await;
    for r in &replies {
        assert_eq!(r.status, 201, "{}", r.raw);
        assert_eq!(r.body["id"], replies[0].body["id"]);
        assert_eq!(r.body["tracking_code"], replies[0].body["tracking_code"]);
    }
    assert_eq!(app.incident_count().await, before + 1);
}

#[actix_rt::test]
async fn different_keys_create_different_incidents() {
    let app = spawn_app().await;
    let report = app.valid_report().await;
    let before = app.incident_count().await;
    let a = app
        .post_incident(&report, Some(&uuid::Uuid::new_v4().to_string()))
        .await;
    let b = app
        .post_incident(&report, Some(&uuid::Uuid::new_v4().to_string()))
        .await;
    assert_ne!(a.body["id"], b.body["id"]);
    assert_eq!(app.incident_count().await, before + 2);
}
