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
    app.assert_not_found(&[
        "/api/v1/track/AAAAAAAAAAAAAAAAAAAAAA",
        "/api/v1/track/short",
    ])
    .await;
}

#[actix_rt::test]
async fn the_reporter_can_add_a_comment_that_shows_as_a_public_update() {
    let app = spawn_app().await;
    let created = app.post_incident(&app.valid_report().await, None).await;
    let code = created.body["tracking_code"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/track/{code}/comments");
    let json = [("content-type", "application/json")];

    let r = app
        .request(
            "POST",
            &path,
            &json,
            br#"{"text": "  Det har halkat igen idag.  "}"#.to_vec(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.raw);
    let tracked = app.get(&format!("/api/v1/track/{code}")).await;
    let updates = tracked.body["updates"].as_array().unwrap();
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[1]["kind"], "reporter_comment");
    assert_eq!(updates[1]["text"], "Det har halkat igen idag.");

    let r = app
        .request("POST", &path, &json, br#"{"text": "   "}"#.to_vec())
        .await;
    r.assert_problem(422);
    assert_eq!(
        r.field_errors(),
        vec![("text".to_owned(), "length".to_owned())]
    );
    let r = app.request("POST", &path, &json, br#"{}"#.to_vec()).await;
    assert_eq!(
        r.field_errors(),
        vec![("text".to_owned(), "required".to_owned())]
    );
    app.request(
        "POST",
        "/api/v1/track/AAAAAAAAAAAAAAAAAAAAAA/comments",
        &json,
        br#"{"text": "Hej"}"#.to_vec(),
    )
    .await
    .assert_problem(404);
    assert_eq!(
        app.get(&format!("/api/v1/track/{code}")).await.body["updates"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[actix_rt::test]
async fn a_closed_case_takes_no_more_comments() {
    let app = spawn_app().await;
    let created = app.post_incident(&app.valid_report().await, None).await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    let code = created.body["tracking_code"].as_str().unwrap().to_owned();
    let before = app.get(&format!("/api/v1/track/{code}")).await;
    assert_eq!(before.body["open"], true, "{}", before.raw);
    app.set_status(&id, "closed").await;
    // The page hides the comment form on the server's word, not on its own list of statuses.
    let after = app.get(&format!("/api/v1/track/{code}")).await;
    assert_eq!(after.body["open"], false, "{}", after.raw);
    let r = app
        .request(
            "POST",
            &format!("/api/v1/track/{code}/comments"),
            &[("content-type", "application/json")],
            br#"{"text": "Hej"}"#.to_vec(),
        )
        .await;
    r.assert_problem(409);
}
