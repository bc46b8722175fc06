use crate::helpers::spawn_app;

#[actix_rt::test]
async fn live_and_ready_answer_ok() {
    let app = spawn_app().await;
    let live = app.get("/health/live").await;
    assert_eq!(live.status, 200);
    assert_eq!(live.body["status"], "ok");
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status, 200);
}

#[actix_rt::test]
async fn unknown_paths_are_problem_404_and_wrong_methods_405_with_allow() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/nothing-here").await;
    r.assert_problem(404);
    let r = app
        .request("DELETE", "/api/v1/incidents", &[], vec![])
        .await;
    r.assert_problem(405);
    assert_eq!(r.header("allow"), Some("GET, POST, HEAD"));
    let r = app.request("POST", "/api/v1/org-units", &[], vec![]).await;
    r.assert_problem(405);
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
}

#[actix_rt::test]
async fn every_response_carries_security_headers() {
    let app = spawn_app().await;
    for path in ["/health/live", "/api/v1/org-units", "/api/v1/nothing"] {
        let r = app.get(path).await;
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert!(
            r.header("content-security-policy")
                .is_some_and(|c| c.contains("frame-ancestors 'none'")),
            "{path}"
        );
        assert!(r.header("referrer-policy").is_some(), "{path}");
    }
}
