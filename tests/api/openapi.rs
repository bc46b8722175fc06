//! The committed `openapi.yaml` must be what the code generates.

use crate::helpers::spawn_app;

#[test]
fn committed_openapi_matches_the_code() {
    let generated = tillbud::routes::openapi_yaml();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml");
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(path, &generated).expect("write openapi.yaml");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi.yaml differs from the code. Regenerate it with\n    \
         cargo run -- openapi > openapi.yaml\n(or UPDATE_OPENAPI=1 cargo test --test api openapi) and commit it."
    );
}

#[test]
fn every_response_has_a_description_and_errors_a_problem_schema() {
    let spec = serde_json::to_value(tillbud::routes::openapi()).unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                let what = format!("{method} {path} {status}");
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{what} has no description"
                );
                // A 204 carries no body by definition.
                if status == "204" {
                    assert!(response.get("content").is_none(), "{what} has content");
                    continue;
                }
                let content = response["content"]
                    .as_object()
                    .unwrap_or_else(|| panic!("{what} has no content"));
                assert!(
                    content.values().all(|c| c.get("schema").is_some()),
                    "{what} has no schema"
                );
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        content.contains_key("application/problem+json"),
                        "{what} is not a problem"
                    );
                }
            }
        }
    }
}

#[actix_rt::test]
async fn the_spec_is_served() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["paths"]["/api/v1/incidents"]["post"]["operationId"],
        "create_incident"
    );
}
