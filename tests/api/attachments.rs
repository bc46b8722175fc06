//! Photos on a case: accepted by content, stored re-encoded without metadata, refused with a
//! problem naming the field, never stored in part.

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

use crate::helpers::{spawn_app, spawn_app_with, strings, Reply, TestApp};

pub const BOUNDARY: &str = "tillbudTestBoundary7MA4YWxkTrZu0gW";
const GPS_MARK: &[u8] = b"GPS-56.1891N-15.6474E";

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = Vec::new();
    img.write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90))
        .unwrap();
    out
}

/// A JPEG carrying an EXIF block: orientation 6 (rotate 90°) and an ASCII tag holding a
/// position-like marker, the way a phone stores where a photo was taken.
fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let plain = jpeg(width, height);
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&0x0112u16.to_le_bytes());
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&6u32.to_le_bytes());
    tiff.extend_from_slice(&0x010Eu16.to_le_bytes()); // ImageDescription, ASCII
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&(GPS_MARK.len() as u32 + 1).to_le_bytes());
    tiff.extend_from_slice(&38u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(GPS_MARK);
    tiff.push(0);
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&plain[2..]);
    out
}

pub fn multipart(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, bytes) in parts {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"bild.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

struct Case {
    id: String,
    code: String,
}

async fn new_case(app: &TestApp) -> Case {
    let created = app.post_incident(&app.valid_report().await, None).await;
    assert_eq!(created.status, 201, "{}", created.raw);
    Case {
        id: created.body["id"].as_str().unwrap().to_owned(),
        code: created.body["tracking_code"].as_str().unwrap().to_owned(),
    }
}

async fn upload(app: &TestApp, case: &Case, file: &[u8], key: Option<&str>) -> Reply {
    upload_body(app, case, multipart(&[("file", file)]), key).await
}

async fn upload_body(app: &TestApp, case: &Case, body: Vec<u8>, key: Option<&str>) -> Reply {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let mut headers = vec![("content-type", content_type.as_str())];
    if let Some(key) = key {
        headers.push(("Idempotency-Key", key));
    }
    app.request(
        "POST",
        &format!("/api/v1/track/{}/attachments", case.code),
        &headers,
        body,
    )
    .await
}

async fn stored(app: &TestApp, case: &Case) -> Vec<serde_json::Value> {
    let tracked = app.get(&format!("/api/v1/track/{}", case.code)).await;
    assert_eq!(tracked.status, 200, "{}", tracked.raw);
    tracked.body["attachments"].as_array().unwrap().clone()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[actix_rt::test]
async fn a_photo_is_stored_rotated_and_without_its_exif() {
    let app = spawn_app().await;
    let case = new_case(&app).await;
    let upload_bytes = jpeg_with_exif(60, 30);
    assert!(contains(&upload_bytes, GPS_MARK));

    // By case id with the code in a header, as the form does right after submitting.
    let by_id = app
        .request(
            "POST",
            &format!("/api/v1/incidents/{}/attachments", case.id),
            &[
                (
                    "content-type",
                    &format!("multipart/form-data; boundary={BOUNDARY}"),
                ),
                ("X-Tracking-Code", &case.code),
            ],
            multipart(&[("file", &upload_bytes)]),
        )
        .await;
    assert_eq!(by_id.status, 201, "{}", by_id.raw);
    assert_eq!(by_id.body["content_type"], "image/jpeg");
    assert_eq!(
        (by_id.body["width"].as_u64(), by_id.body["height"].as_u64()),
        (Some(30), Some(60))
    );
    assert_eq!(by_id.header("location"), by_id.body["url"].as_str());

    // By tracking code, as the tracking page does.
    let by_code = upload(&app, &case, &upload_bytes, None).await;
    assert_eq!(by_code.status, 201, "{}", by_code.raw);

    let listed = stored(&app, &case).await;
    assert_eq!(listed.len(), 2);
    for photo in &listed {
        let served = app.get(photo["url"].as_str().unwrap()).await;
        assert_eq!(served.status, 200);
        assert_eq!(served.content_type(), "image/jpeg");
        assert!(!contains(&served.bytes, b"Exif\0\0"), "EXIF survived");
        assert!(!contains(&served.bytes, GPS_MARK), "position survived");
        let decoded = image::load_from_memory(&served.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (30, 60));
    }
    let tracked = app.get(&format!("/api/v1/track/{}", case.code)).await;
    let kinds = strings(&tracked.body["updates"], "kind");
    assert_eq!(kinds, ["created", "photo_added", "photo_added"]);
}

#[actix_rt::test]
async fn the_tracking_code_is_the_credential() {
    let app = spawn_app().await;
    let case = new_case(&app).await;
    let other = new_case(&app).await;
    let body = multipart(&[("file", &jpeg(8, 8))]);
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let path = format!("/api/v1/incidents/{}/attachments", case.id);
    for headers in [
        vec![("content-type", ct.as_str())],
        vec![
            ("content-type", ct.as_str()),
            ("X-Tracking-Code", other.code.as_str()),
        ],
        vec![
            ("content-type", ct.as_str()),
            ("X-Tracking-Code", "not-a-code"),
        ],
    ] {
        let r = app.request("POST", &path, &headers, body.clone()).await;
        r.assert_problem(404);
    }
    let unknown = Case {
        id: case.id.clone(),
        code: "AAAAAAAAAAAAAAAAAAAAAA".to_owned(),
    };
    upload(&app, &unknown, &jpeg(8, 8), None)
        .await
        .assert_problem(404);

    let added = upload(&app, &case, &jpeg(8, 8), None).await;
    let url = added.body["url"].as_str().unwrap();
    // The photo is not reachable through another case's code.
    let foreign = url.replace(&case.code, &other.code);
    app.get(&foreign).await.assert_problem(404);
    assert!(stored(&app, &other).await.is_empty());
}

#[actix_rt::test]
async fn bad_uploads_get_a_problem_naming_the_field_and_store_nothing() {
    let app = spawn_app().await;
    let case = new_case(&app).await;
    let mut truncated = jpeg(64, 64);
    truncated.truncate(60);
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "gif",
            b"GIF89a\x01\0\x01\0\0\0\0;".to_vec(),
            415,
            "unsupported_type",
        ),
        (
            "pdf named .jpg",
            b"%PDF-1.7 not an image".to_vec(),
            415,
            "unsupported_type",
        ),
        ("heic", heic, 415, "unsupported_type"),
        ("damaged jpeg", truncated, 422, "undecodable"),
        ("empty", Vec::new(), 422, "required"),
    ];
    for (what, file, status, code) in cases {
        let r = upload(&app, &case, &file, None).await;
        r.assert_problem(status);
        assert_eq!(
            r.field_errors(),
            [("file".to_owned(), code.to_owned())],
            "{what}: {}",
            r.raw
        );
    }

    let no_file = upload_body(&app, &case, multipart(&[("note", b"hej")]), None).await;
    no_file.assert_problem(422);
    assert_eq!(
        no_file.field_errors(),
        [("file".to_owned(), "required".to_owned())]
    );

    let two = multipart(&[("file", &jpeg(8, 8)), ("file", &jpeg(8, 8))]);
    let r = upload_body(&app, &case, two, None).await;
    r.assert_problem(422);
    assert_eq!(
        r.field_errors(),
        [("file".to_owned(), "one_file".to_owned())]
    );

    let big = vec![0xFFu8; 10 * 1024 * 1024 + 1];
    upload(&app, &case, &big, None).await.assert_problem(413);

    let json = app
        .request(
            "POST",
            &format!("/api/v1/track/{}/attachments", case.code),
            &[("content-type", "application/json")],
            b"{}".to_vec(),
        )
        .await;
    json.assert_problem(415);
    json.assert_detail_contains("multipart/form-data");

    let garbled = app
        .request(
            "POST",
            &format!("/api/v1/track/{}/attachments", case.code),
            &[("content-type", "multipart/form-data; boundary=x")],
            b"--x\r\nno headers here".to_vec(),
        )
        .await;
    assert!(
        garbled.status == 400 || garbled.status == 422,
        "{}",
        garbled.raw
    );
    garbled.assert_problem(garbled.status);

    assert!(
        stored(&app, &case).await.is_empty(),
        "a refused upload was stored"
    );
}

#[actix_rt::test]
async fn a_case_holds_at_most_five_photos_even_when_uploads_race() {
    let app = spawn_app().await;
    let case = new_case(&app).await;
    for _ in 0..3 {
        assert_eq!(upload(&app, &case, &jpeg(8, 8), None).await.status, 201);
    }
    // Four uploads race for the last two places.
    let photo = jpeg(8, 8);
    let racing = (0..4).map(|_| upload(&app, &case, &photo, None));
    let answers = futures_util::future::join_all(racing).await;
    let created = answers.iter().filter(|r| r.status == 201).count();
    assert_eq!(
        created,
        2,
        "{:?}",
        answers.iter().map(|r| &r.raw).collect::<Vec<_>>()
    );
    for refused in answers.iter().filter(|r| r.status != 201) {
        refused.assert_problem(422);
        assert_eq!(
            refused.field_errors(),
            [("file".to_owned(), "too_many".to_owned())]
        );
    }
    assert_eq!(stored(&app, &case).await.len(), 5);
}

#[actix_rt::test]
async fn a_retried_upload_with_its_key_is_stored_once() {
    let app = spawn_app().await;
    let case = new_case(&app).await;
    let key = uuid::Uuid::new_v4().to_string();
    let photo = jpeg(16, 16);
    let first = upload(&app, &case, &photo, Some(&key)).await;
    assert_eq!(first.status, 201, "{}", first.raw);
    let again = upload(&app, &case, &photo, Some(&key)).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let other = upload(&app, &case, &jpeg(17, 17), Some(&key)).await;
    other.assert_problem(422);
    assert_eq!(
        other.field_errors(),
        [("Idempotency-Key".to_owned(), "key_reused".to_owned())]
    );
    assert_eq!(stored(&app, &case).await.len(), 1);
}

#[actix_rt::test]
async fn a_closed_case_takes_no_photos() {
    let app = spawn_app().await;
    let case = new_case(&app).await;
    app.set_status(&case.id, "closed").await;
    upload(&app, &case, &jpeg(8, 8), None)
        .await
        .assert_problem(409);
    assert!(stored(&app, &case).await.is_empty());
}

#[actix_rt::test]
async fn a_full_case_is_refused_before_the_photo_is_read() {
    let app = spawn_app().await;
    let case = new_case(&app).await;
    for _ in 0..5 {
        assert_eq!(upload(&app, &case, &jpeg(8, 8), None).await.status, 201);
    }
    // Each of these would get its own refusal if it were looked at: a damaged image is
    // `undecodable`, a GIF is 415 and a bomb is `dimensions`. A full case answers `too_many`
    // to all of them, so nothing was sniffed or decoded.
    let mut damaged = jpeg(64, 64);
    damaged.truncate(60);
    for (what, file) in [
        ("damaged jpeg", damaged),
        ("gif", b"GIF89a\x01\0\x01\0\0\0\0;".to_vec()),
        ("png bomb", crate::photo_bombs::png_bomb(7000, 7000)),
    ] {
        let r = upload(&app, &case, &file, None).await;
        r.assert_problem(422);
        assert_eq!(
            r.field_errors(),
            [("file".to_owned(), "too_many".to_owned())],
            "{what}: {}",
            r.raw
        );
    }
    assert_eq!(stored(&app, &case).await.len(), 5);
}

#[actix_rt::test]
async fn uploads_to_one_case_are_rate_limited() {
    let app = spawn_app_with(&[("TILLBUD_PHOTO_RATE_LIMIT", "4")]).await;
    let case = new_case(&app).await;
    let other = new_case(&app).await;
    let mut damaged = jpeg(64, 64);
    damaged.truncate(60);
    // Refused uploads count too: a client cannot probe the decoder without limit.
    for _ in 0..3 {
        upload(&app, &case, &damaged, None)
            .await
            .assert_problem(422);
    }
    assert_eq!(upload(&app, &case, &jpeg(8, 8), None).await.status, 201);
    let limited = upload(&app, &case, &jpeg(8, 8), None).await;
    limited.assert_problem(429);
    let wait: u64 = limited
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=15 * 60).contains(&wait), "{wait}");
    // Another case has its own count; the limited one is free again after the window.
    assert_eq!(upload(&app, &other, &jpeg(8, 8), None).await.status, 201);
    app.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(upload(&app, &case, &jpeg(8, 8), None).await.status, 201);
    assert_eq!(stored(&app, &case).await.len(), 2);
}

#[actix_rt::test]
async fn busy_decoders_answer_503_with_retry_after() {
    let app = spawn_app_with(&[("TILLBUD_PHOTO_DECODERS", "1")]).await;
    let case = new_case(&app).await;
    let photos = app.photos.clone().expect("in-process app");
    let turn = photos.gate.try_enter().expect("a free decoder");
    assert!(photos.gate.try_enter().is_none(), "one decoder only");
    // With the one decoder taken, one upload waits for it and the next finds the queue full.
    let photo = jpeg(32, 32);
    let first = Box::pin(upload(&app, &case, &photo, None));
    let second = Box::pin(upload(&app, &case, &photo, None));
    let (refused, waiting) = match futures_util::future::select(first, second).await {
        futures_util::future::Either::Left((r, other)) => (r, other),
        futures_util::future::Either::Right((r, other)) => (r, other),
    };
    refused.assert_problem(503);
    assert!(refused.header("retry-after").is_some());
    assert!(stored(&app, &case).await.is_empty());
    // The waiting one gets the decoder as soon as it is free.
    drop(turn);
    let stored_reply = waiting.await;
    assert_eq!(stored_reply.status, 201, "{}", stored_reply.raw);
    assert_eq!(stored(&app, &case).await.len(), 1);
}
