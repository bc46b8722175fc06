//! The contract as an outside client reads it: which credentials an operation takes, what
//! its headers may be, and the OpenAPI links from an answer to the operations it unlocks —
//! checked in the document, and followed against the running app.

use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, TestApp, ADMIN_TOKEN};

fn spec() -> Value {
    serde_json::to_value(tillbud::routes::openapi()).unwrap()
}

/// (path, method, operation) for every operation.
fn operations(spec: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((path.clone(), method.clone(), op.clone()));
        }
    }
    out
}

fn operation(spec: &Value, id: &str) -> (String, String, Value) {
    operations(spec)
        .into_iter()
        .find(|(_, _, op)| op["operationId"] == id)
        .unwrap_or_else(|| panic!("no operation {id}"))
}

fn link_targets(spec: &Value, id: &str, status: &str) -> Vec<String> {
    let (_, _, op) = operation(spec, id);
    let mut targets: Vec<String> = op["responses"][status]["links"]
        .as_object()
        .map(|links| {
            links
                .values()
                .map(|l| l["operationId"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default();
    targets.sort();
    targets
}

#[test]
fn answers_link_to_the_operations_they_unlock() {
    let spec = spec();
    assert_eq!(
        link_targets(&spec, "create_incident", "201"),
        [
            "add_incident_attachment",
            "add_tracking_attachment",
            "add_tracking_comment",
            "incident_history",
            "track_incident"
        ]
    );
    assert_eq!(
        link_targets(&spec, "list_outbox", "200"),
        ["retry_outbox_mail"]
    );
    assert_eq!(
        link_targets(&spec, "list_users", "200"),
        ["grant_role", "update_user"]
    );
    assert_eq!(
        link_targets(&spec, "list_org_units", "200"),
        ["create_incident", "get_org_unit", "set_manager_absence"]
    );
    // Every link names an operation that exists and parameters that operation has.
    let all = operations(&spec);
    for (path, method, op) in &all {
        for (status, response) in op["responses"].as_object().unwrap() {
            for (name, link) in response["links"].as_object().into_iter().flatten() {
                let what = format!("{method} {path} {status} link {name}");
                let target = link["operationId"].as_str().unwrap();
                let (_, _, target_op) = all
                    .iter()
                    .find(|(_, _, o)| o["operationId"] == target)
                    .unwrap_or_else(|| panic!("{what}: no operation {target}"));
                for param in link["parameters"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|p| p.0)
                {
                    let (location, name) = param.split_once('.').unwrap_or(("", param));
                    let found = target_op["parameters"].as_array().is_some_and(|ps| {
                        ps.iter().any(|p| {
                            p["name"] == name && (location.is_empty() || p["in"] == location)
                        })
                    });
                    assert!(found, "{what}: {target} has no parameter {param}");
                }
            }
        }
    }
}

#[test]
fn credentials_are_alternatives_and_headers_never_null() {
    let spec = spec();
    let schemes = spec["components"]["securitySchemes"].as_object().unwrap();
    for scheme in ["admin_token", "api_token", "session"] {
        assert!(schemes.contains_key(scheme), "no security scheme {scheme}");
    }
    for (path, method, op) in operations(&spec) {
        let what = format!("{method} {path}");
        let tags: Vec<&str> = op["tags"]
            .as_array()
            .map(|t| t.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let security: Vec<Vec<String>> = op["security"]
            .as_array()
            .map(|alternatives| {
                alternatives
                    .iter()
                    .map(|a| a.as_object().unwrap().keys().cloned().collect())
                    .collect()
            })
            .unwrap_or_default();
        if tags.contains(&"admin") {
            // Either the operations token, or an administrator's API token or session: no
            // one credential is required, and "admin API off" is a documented 404.
            assert_eq!(
                security,
                [["admin_token"], ["api_token"], ["session"]],
                "{what}"
            );
            assert!(op["responses"]["404"].is_object(), "{what} lacks its 404");
        }
        if tags.contains(&"cases") || tags.contains(&"actions") {
            assert_eq!(security, [["api_token"], ["session"]], "{what}");
        }
        for param in op["parameters"].as_array().into_iter().flatten() {
            let name = param["name"].as_str().unwrap();
            assert!(
                !name.eq_ignore_ascii_case("authorization"),
                "{what}: Authorization belongs in the security schemes"
            );
            if param["in"] == "header" {
                assert!(
                    param["schema"]["type"].is_string(),
                    "{what}: header {name} has type {}",
                    param["schema"]["type"]
                );
            }
            if name == "Idempotency-Key" {
                assert_eq!(param["schema"]["type"], "string", "{what}");
                assert_eq!(param["schema"]["format"], "uuid", "{what}");
            }
        }
    }
}

/// Evaluates a link's runtime expression against one request and its answer.
fn evaluate(expression: &str, path_params: &Value, headers: &Value, body: &Value) -> Value {
    if let Some(pointer) = expression.strip_prefix("$response.body#") {
        return body.pointer(pointer).cloned().unwrap_or(Value::Null);
    }
    if let Some(name) = expression.strip_prefix("$request.path.") {
        return path_params[name].clone();
    }
    if let Some(name) = expression.strip_prefix("$request.header.") {
        return headers[name].clone();
    }
    panic!("unsupported expression {expression}");
}

/// Follows one link from an answer: fills the target's path and headers from it.
async fn follow(
    app: &TestApp,
    spec: &Value,
    (from, status, link): (&str, &str, &str),
    (path_params, headers, body): (&Value, &Value, &Value),
    extra_headers: &[(&str, &str)],
    request_body: Vec<u8>,
) -> crate::helpers::Reply {
    let (_, _, op) = operation(spec, from);
    let link = &op["responses"][status]["links"][link];
    let (mut path, method, _) = operation(spec, link["operationId"].as_str().unwrap());
    let mut sent: Vec<(String, String)> = Vec::new();
    for (param, expression) in link["parameters"].as_object().unwrap() {
        let value = evaluate(expression.as_str().unwrap(), path_params, headers, body);
        let value = value.as_str().expect("a text value").to_owned();
        match param.split_once('.') {
            Some(("header", name)) => sent.push((name.to_owned(), value)),
            _ => path = path.replace(&format!("{{{param}}}"), &value),
        }
    }
    let mut all: Vec<(&str, &str)> = sent.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    all.extend_from_slice(extra_headers);
    app.request(&method.to_uppercase(), &path, &all, request_body)
        .await
}

fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(16, 16, image::Rgb([10, 120, 200]));
    let mut out = Vec::new();
    img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new(&mut out))
        .unwrap();
    out
}

#[actix_rt::test]
async fn following_the_links_from_a_report_reaches_its_case() {
    let app = spawn_app_with(&[("TILLBUD_ADMIN_TOKEN", ADMIN_TOKEN)]).await;
    let spec: Value = app.get("/api/v1/openapi.json").await.body;
    let created = app.post_incident(&app.valid_report().await, None).await;
    assert_eq!(created.status, 201, "{}", created.raw);
    let answer = (&Value::Null, &Value::Null, &created.body);
    let multipart = {
        let mut body = b"--linkBoundary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\n".to_vec();
        body.extend_from_slice(&jpeg());
        body.extend_from_slice(b"\r\n--linkBoundary--\r\n");
        body
    };
    let form = [("content-type", "multipart/form-data; boundary=linkBoundary")];
    let admin = format!("Bearer {ADMIN_TOKEN}");

    let tracked = follow(
        &app,
        &spec,
        ("create_incident", "201", "track"),
        answer,
        &[],
        vec![],
    )
    .await;
    assert_eq!(tracked.status, 200, "{}", tracked.raw);
    let comment = follow(
        &app,
        &spec,
        ("create_incident", "201", "comment"),
        answer,
        &[("content-type", "application/json")],
        json!({ "text": "Det halkar fortfarande." })
            .to_string()
            .into_bytes(),
    )
    .await;
    assert_eq!(comment.status, 201, "{}", comment.raw);
    let by_code = follow(
        &app,
        &spec,
        ("create_incident", "201", "add_photo"),
        answer,
        &form,
        multipart.clone(),
    )
    .await;
    assert_eq!(by_code.status, 201, "{}", by_code.raw);
    let by_id = follow(
        &app,
        &spec,
        ("create_incident", "201", "add_photo_by_id"),
        answer,
        &form,
        multipart,
    )
    .await;
    assert_eq!(by_id.status, 201, "{}", by_id.raw);
    let history = follow(
        &app,
        &spec,
        ("create_incident", "201", "history"),
        answer,
        &[("Authorization", &admin)],
        vec![],
    )
    .await;
    assert_eq!(history.status, 200, "{}", history.raw);

    // A stored photo links on to where it is served, from either upload.
    let code = created.body["tracking_code"].clone();
    let photo = follow(
        &app,
        &spec,
        ("add_tracking_attachment", "201", "photo"),
        (
            &json!({ "tracking_code": code }),
            &Value::Null,
            &by_code.body,
        ),
        &[],
        vec![],
    )
    .await;
    assert_eq!(photo.status, 200);
    assert_eq!(photo.content_type(), "image/jpeg");
    let photo = follow(
        &app,
        &spec,
        ("add_incident_attachment", "201", "photo"),
        (
            &Value::Null,
            &json!({ "X-Tracking-Code": code }),
            &by_id.body,
        ),
        &[],
        vec![],
    )
    .await;
    assert_eq!(photo.status, 200);

    // The admin user list leads to changing a user.
    let users = app.admin_get("/api/v1/admin/users").await;
    assert_eq!(users.status, 200, "{}", users.raw);
    let update = follow(
        &app,
        &spec,
        ("list_users", "200", "update"),
        (&Value::Null, &Value::Null, &users.body),
        &[
            ("Authorization", &admin),
            ("content-type", "application/json"),
        ],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(update.status, 200, "{}", update.raw);
}
