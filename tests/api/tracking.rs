use crate::helpers::spawn_app;

#[actix_rt::test]
async fn a_report_can_be_followed_by_its_tracking_code_without_personal_data() {
    let app = spawn_app().await;
    let report = app.valid_report().await;
    let created = app.post_incident(&report, None).await;
    assert_eq!(created.status, 201, "{}", created.raw);
    let code = created.body["tracking_code"].as_str().unwrap();

    let tracked = app.get(&format!("/api/v1/track/{code}")).await;
    assert_eq!(tracked.status, 200, "{}", tracked.raw);
    assert_eq!(tracked.body["title"], "Halka vid entrén");
    assert_eq!(tracked.body["org_unit_name"], "Lyckeby skola");
    assert_eq!(tracked.body["status"], "new");
    assert_eq!(tracked.body["status_label"], "Mottagen");
    assert_eq!(tracked.body["updates"][0]["kind"], "created");
    for secret in [
        "eva.ek@example.se",
        "Eva Ek",
        "0455",
        "Isfläcken",
        "Sandade",
    ] {
        assert!(
            !tracked.raw.contains(secret),
            "tracking view leaks {secret}: {}",
            tracked.raw
        );
    }

    let en = app
        .get_with(
            &format!("/api/v1/track/{code}"),
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(en.body["status_label"], "Received");
}

#[actix_rt::test]
async fn unknown_or_malformed_codes_are_404_problems() {
    let app = spawn_app().await;
    app.get("/api/v1/track/AAAAAAAAAAAAAAAAAAAAAA")
        .await
        .assert_problem(404);
    app.get("/api/v1/track/short").await.assert_problem(404);
}
