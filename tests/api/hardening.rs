//! Smaller findings of the security probe: what the logs hold, what one-line text may
//! contain, HSTS, over-long URIs, and how malformed requests are logged.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::binary::Server;
use crate::helpers::{assert_header_on, attach, fresh_database, spawn_app, spawn_app_with};

#[actix_rt::test]
async fn one_line_fields_refuse_direction_overrides_and_invisible_characters() {
    let app = spawn_app().await;
    let mut report = app.valid_report().await;
    // "Faktura" + U+202E + "gpj.exe" shows as "Fakturaexe.jpg" in a mail subject.
    report["title"] = "Faktura\u{202E}gpj.exe".into();
    report["location"] = "Entrén\u{200B}".into();
    report["reporter"]["name"] = "Eva \u{2066}Ek\u{2069}".into();
    let refused = app.post_incident(&report, None).await;
    refused.assert_problem(422);
    let mut errors = refused.field_errors();
    errors.sort();
    assert_eq!(
        errors,
        [
            ("location".to_owned(), "invisible_character".to_owned()),
            ("reporter.name".to_owned(), "invisible_character".to_owned()),
            ("title".to_owned(), "invisible_character".to_owned()),
        ],
        "{}",
        refused.raw
    );
    // The description is many lines of free text and never part of a mail.
    let mut report = app.valid_report().await;
    report["description"] = "Isfläcken vid\u{200B} huvudentrén var inte sandad.".into();
    assert_eq!(app.post_incident(&report, None).await.status, 201);
}

#[actix_rt::test]
async fn hsts_is_sent_when_the_base_url_is_https() {
    let https = spawn_app_with(&[("TILLBUD_BASE_URL", "https://tillbud.karlskrona.se")]).await;
    let paths = ["/health/live", "/api/v1/org-units", "/api/v1/no-such-thing"];
    let hsts = Some("max-age=31536000");
    assert_header_on(&https, &paths, "strict-transport-security", hsts).await;
    let http = spawn_app().await;
    let r = http.get("/health/live").await;
    assert_eq!(r.header("strict-transport-security"), None);
}

#[actix_rt::test]
async fn an_over_long_uri_is_answered_with_a_problem_document() {
    let app = spawn_app().await;
    let long = format!("/api/v1/track/{}", "A".repeat(20_000));
    let r = app.get(&long).await;
    r.assert_problem(414);
    assert_eq!(r.body["type"], "urn:tillbud:problem:uri-too-long");
    // Up to the limit the API answers as usual.
    app.get(&format!("/api/v1/track/{}", "A".repeat(8000)))
        .await
        .assert_problem(404);
}

/// Sends raw bytes and returns the status line of the answer.
fn raw_status(address: &str, request: &[u8]) -> String {
    let host = address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // The server may answer and close before it has read everything; that is fine.
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

#[test]
fn malformed_requests_are_logged_as_warnings_not_errors() {
    let (database_url, _cleanup) = fresh_database();
    let server = Server::start(&database_url, &["--demo"], &[("RUST_LOG", "warn")]);
    let long_uri = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(70_000));
    let huge_head = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(140_000));
    let bad_header = "GET /health/live HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n".to_owned();
    for (request, status) in [(long_uri, "400"), (huge_head, "431"), (bad_header, "400")] {
        let line = raw_status(&server.address, request.as_bytes());
        assert!(line.contains(status), "{line}");
    }
    std::thread::sleep(Duration::from_millis(300));
    let logs = server.logs();
    let errors: Vec<&String> = logs
        .iter()
        .filter(|l| l.contains("\"level\":\"ERROR\""))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let warned = logs
        .iter()
        .filter(|l| l.contains("\"level\":\"WARN\"") && l.contains("request parse error"))
        .count();
    assert_eq!(warned, 3, "{logs:#?}");
}

#[actix_rt::test]
async fn log_lines_name_the_route_not_the_tracking_code() {
    let (database_url, _cleanup) = fresh_database();
    let server = Server::start(&database_url, &["--demo"], &[("RUST_LOG", "info")]);
    let app = attach(server.address.clone(), &database_url);
    let created = app.post_incident(&app.valid_report().await, None).await;
    assert_eq!(created.status, 201, "{}", created.raw);
    let code = created.body["tracking_code"].as_str().unwrap().to_owned();
    // A view, a missing photo (a WARN inside the request), a comment and a refused photo.
    assert_eq!(app.get(&format!("/api/v1/track/{code}")).await.status, 200);
    // A forged forwarded address from an untrusted peer is not the client in the logs either.
    let forged = app
        .request(
            "GET",
            "/api/v1/org-units/00000000-0000-7000-8000-000000000000",
            &[
                ("x-forwarded-for", "203.0.113.9"),
                ("forwarded", "for=203.0.113.9"),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(forged.status, 404, "{}", forged.raw);
    app.get(&format!(
        "/api/v1/track/{code}/attachments/{}",
        uuid::Uuid::now_v7()
    ))
    .await
    .assert_problem(404);
    let comment = app
        .request(
            "POST",
            &format!("/api/v1/track/{code}/comments"),
            &[("content-type", "application/json")],
            br#"{"text":"Det har halkat igen."}"#.to_vec(),
        )
        .await;
    assert_eq!(comment.status, 201, "{}", comment.raw);
    let photo = crate::photo_bombs::multipart(b"\xFF\xD8\xFF\xE0 damaged");
    let refused = app
        .request(
            "POST",
            &format!("/api/v1/track/{code}/attachments"),
            &[(
                "content-type",
                "multipart/form-data; boundary=tillbudBombBoundary7MA4YWxkTrZu0gW",
            )],
            photo,
        )
        .await;
    refused.assert_problem(422);
    std::thread::sleep(Duration::from_millis(300));
    let logs = server.logs();
    let leaking: Vec<&String> = logs.iter().filter(|l| l.contains(&code)).collect();
    assert!(leaking.is_empty(), "{leaking:#?}");
    let forged: Vec<&String> = logs.iter().filter(|l| l.contains("203.0.113.9")).collect();
    assert!(forged.is_empty(), "{forged:#?}");
    // The WARN about the missing photo names the route it was on.
    assert!(
        logs.iter().any(|l| l.contains("\"level\":\"WARN\"")
            && l.contains("\"http.target\":\"/api/v1/track/{tracking_code}/attachments/{id}\"")),
        "{logs:#?}"
    );
}
