//! `spawn_app()` and typed helpers shared by the integration tests.

use std::collections::BTreeMap;
use std::path::PathBuf;

use diesel::connection::SimpleConnection;
use diesel::Connection;
use serde_json::{json, Value};
use std::sync::Arc;

use tillbud::clock::Clock;
use tillbud::config::Settings;
use tillbud::db::Db;
use tillbud::mail::MailContext;
use tillbud::startup::Application;

pub struct TestApp {
    pub address: String,
    pub db: Db,
    pub database_url: String,
    pub clock: Arc<Clock>,
    pub mail: Arc<MailContext>,
    /// The photo upload bounds of an in-process app (`None` for a server in another process).
    pub photos: Option<Arc<tillbud::ops::photos::PhotoIntake>>,
    /// Where the `file` transport writes `.eml` files.
    pub mail_dir: PathBuf,
    client: awc::Client,
    _cleanup: Option<Cleanup>,
    _mail_dir: Cleanup,
}

/// The admin token tests configure.
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

/// Removes a test database when dropped.
pub enum Cleanup {
    Dir(PathBuf),
    PgDatabase { admin_url: String, name: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        match self {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::PgDatabase { admin_url, name } => {
                if let Ok(mut conn) = diesel::PgConnection::establish(admin_url) {
                    let _ =
                        conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}

/// The PostgreSQL server to test against, if any.
pub fn pg_admin_url() -> Option<String> {
    // Before the test's own PostgreSQL connections, so OpenSSL registers no exit handler.
    tillbud::db::init_tls();
    std::env::var("TILLBUD_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
}

/// A fresh, empty database: a temp SQLite file, or a new PostgreSQL database.
pub fn fresh_database() -> (String, Cleanup) {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    if let Some(admin_url) = pg_admin_url() {
        let name = format!("tillbud_test_{tag}");
        let mut conn = diesel::PgConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("cannot reach TILLBUD_TEST_DATABASE_URL: {e}"));
        conn.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(&admin_url);
        (
            format!("{base}/{name}"),
            Cleanup::PgDatabase { admin_url, name },
        )
    } else {
        let dir = std::env::temp_dir().join(format!("tillbud-test-{tag}"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        (
            dir.join("tillbud.db").display().to_string(),
            Cleanup::Dir(dir),
        )
    }
}

pub fn test_settings(database_url: &str, extra: &[(&str, &str)]) -> Settings {
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    env.insert("TILLBUD_LISTEN".into(), "127.0.0.1:0".into());
    env.insert("TILLBUD_DATABASE_URL".into(), database_url.into());
    env.insert("TILLBUD_DEMO".into(), "true".into());
    env.insert("TILLBUD_WORKERS".into(), "2".into());
    env.insert("TILLBUD_BASE_URL".into(), "http://tillbud.test".into());
    // The demo organisation's mail domain, as a deployment names its own: receipts go there.
    env.insert("TILLBUD_LOGIN_DOMAINS".into(), "example.se".into());
    // Every test reports from one address, many times; the limits have tests of their own.
    env.insert("TILLBUD_REPORT_RATE_LIMIT_CLIENT".into(), "100000".into());
    env.insert("TILLBUD_REPORT_RATE_LIMIT_REPORTER".into(), "100000".into());
    for (k, v) in extra {
        env.insert((*k).into(), (*v).into());
    }
    Settings::load_from(None, &env).expect("test settings")
}

/// Starts the app with the demo organisation on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let (database_url, cleanup) = fresh_database();
    spawn_app_at(&database_url, Some(cleanup), extra).await
}

/// Starts the app on an existing database (e.g. a second instance, or a restart).
pub async fn spawn_app_at(
    database_url: &str,
    cleanup: Option<Cleanup>,
    extra: &[(&str, &str)],
) -> TestApp {
    // Mail files of the default `file` transport go to a temp folder, never into the repo.
    let mail_dir = std::env::temp_dir().join(format!(
        "tillbud-test-mail-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let mail_dir_text = mail_dir.display().to_string();
    let mut all: Vec<(&str, &str)> = vec![("TILLBUD_MAIL_DIR", &mail_dir_text)];
    all.extend_from_slice(extra);
    let settings = test_settings(database_url, &all);
    let app = Application::build(settings).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    let clock = app.clock();
    let mail = app.mail();
    let photos = Some(app.photos());
    actix_rt::spawn(app.into_server());
    TestApp {
        address,
        db,
        database_url: database_url.to_owned(),
        clock,
        mail,
        photos,
        client: test_client(),
        _cleanup: cleanup,
        mail_dir: mail_dir.clone(),
        _mail_dir: Cleanup::Dir(mail_dir),
    }
}

/// The HTTP client of every TestApp: a generous timeout for a loaded 2-core machine.
fn test_client() -> awc::Client {
    awc::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .finish()
}

/// A client for a server that runs in another process (the real binary, see
/// `binary::Server`) on `database_url`.
pub fn attach(address: String, database_url: &str) -> TestApp {
    let settings = test_settings(database_url, &[]);
    let mail_dir = std::env::temp_dir().join(format!(
        "tillbud-test-mail-{}",
        uuid::Uuid::new_v4().simple()
    ));
    TestApp {
        address,
        db: Db::from_settings(&settings).expect("open the server's database"),
        database_url: database_url.to_owned(),
        clock: Arc::new(Clock::new()),
        mail: Arc::new(MailContext::from_settings(&settings)),
        photos: None,
        client: test_client(),
        _cleanup: None,
        mail_dir: mail_dir.clone(),
        _mail_dir: Cleanup::Dir(mail_dir),
    }
}

/// Settings for an app that sends to the test SMTP server on `port`, with short worker
/// intervals so tests are fast.
pub fn smtp_settings(port: &str) -> Vec<(&'static str, String)> {
    vec![
        ("TILLBUD_MAIL_TRANSPORT", "smtp".into()),
        ("TILLBUD_SMTP_HOST", "127.0.0.1".into()),
        ("TILLBUD_SMTP_PORT", port.into()),
        ("TILLBUD_SMTP_TLS", "none".into()),
        ("TILLBUD_SMTP_TIMEOUT_SECS", "5".into()),
        ("TILLBUD_MAIL_FROM", "Tillbud <tillbud@tillbud.test>".into()),
        ("TILLBUD_WORKER_POLL_MS", "50".into()),
        ("TILLBUD_OUTBOX_RETRY_BASE_MS", "50".into()),
        ("TILLBUD_OUTBOX_RETRY_MAX_MS", "200".into()),
        ("TILLBUD_ADMIN_TOKEN", ADMIN_TOKEN.into()),
        (
            "TILLBUD_ACK_SECRET",
            "test-ack-secret-0123456789abcdefghijklmnop".into(),
        ),
    ]
}

/// Starts an app that mails the test SMTP server on `port`; `extra` overrides.
pub async fn spawn_mail_app(port: u16, extra: &[(&str, &str)]) -> TestApp {
    let (database_url, cleanup) = fresh_database();
    spawn_mail_app_at(&database_url, Some(cleanup), port, extra).await
}

/// A fresh test SMTP server and an app that mails it; `extra` overrides.
pub async fn mail_app(extra: &[(&str, &str)]) -> (crate::smtp_server::SmtpServer, TestApp) {
    let smtp = crate::smtp_server::SmtpServer::start().await;
    let app = spawn_mail_app(smtp.port, extra).await;
    (smtp, app)
}

/// The string `key` of each item of the array `items` (ids, kinds, …), skipping non-strings.
pub fn strings<'a>(items: &'a Value, key: &str) -> Vec<&'a str> {
    items
        .as_array()
        .map(|a| a.iter().filter_map(|x| x[key].as_str()).collect())
        .unwrap_or_default()
}

pub async fn spawn_mail_app_at(
    database_url: &str,
    cleanup: Option<Cleanup>,
    port: u16,
    extra: &[(&str, &str)],
) -> TestApp {
    let port = port.to_string();
    let base = smtp_settings(&port);
    let mut all: Vec<(&str, &str)> = base.iter().map(|(k, v)| (*k, v.as_str())).collect();
    all.extend_from_slice(extra);
    spawn_app_at(database_url, cleanup, &all).await
}

pub struct Reply {
    pub status: u16,
    pub headers: awc::http::header::HeaderMap,
    pub body: Value,
    pub raw: String,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The (field, code) pairs of a 422 problem.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        self.body["errors"]
            .as_array()
            .map(|errs| {
                errs.iter()
                    .map(|e| {
                        (
                            e["field"].as_str().unwrap_or("").to_owned(),
                            e["code"].as_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `ETag` header (a test that reads one expects it).
    pub fn etag(&self) -> String {
        self.header("etag").expect("ETag").to_owned()
    }

    /// Asserts that the problem's `detail` contains `text`.
    pub fn assert_detail_contains(&self, text: &str) {
        let detail = self.body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(text), "{text:?} not in detail {detail:?}");
    }

    pub fn assert_problem(&self, status: u16) {
        assert_eq!(self.status, status, "body: {}", self.raw);
        assert!(
            self.content_type().starts_with("application/problem+json"),
            "content type {} for {}",
            self.content_type(),
            self.raw
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
    }
}

/// How many events of `kind` a case history (`TestApp::history`) holds.
pub fn count_events(history: &[Value], kind: &str) -> usize {
    history.iter().filter(|e| e["kind"] == kind).count()
}

/// The first event of `kind` in a case history; fails the test when there is none.
pub fn find_event<'a>(history: &'a [Value], kind: &str) -> &'a Value {
    history
        .iter()
        .find(|e| e["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} event in {history:?}"))
}

/// Asserts that `text` (a mail subject, say) starts with `prefix`.
pub fn assert_starts_with(text: &str, prefix: &str) {
    assert!(
        text.starts_with(prefix),
        "{text:?} does not start with {prefix:?}"
    );
}

/// Waits (polling every 25 ms, at most `secs` seconds) until `f` says yes.
pub async fn wait_until<F, Fut>(what: &str, secs: u64, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !f().await {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// `POST` of a JSON body with `headers` besides its content type (no Sec-Fetch-Site: as a
/// client other than the app's pages sends it).
pub async fn post_json(app: &TestApp, path: &str, headers: &[(&str, &str)], body: Value) -> Reply {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    app.request("POST", path, &all, body.to_string().into_bytes())
        .await
}

/// Asserts that a GET of each of `paths` answers with header `name` set to `value`.
pub async fn assert_header_on(app: &TestApp, paths: &[&str], name: &str, value: Option<&str>) {
    for path in paths {
        let r = app.get(path).await;
        assert_eq!(r.header(name), value, "{name} on {path}");
    }
}

/// Runs the `tillbud` binary with `args` on `database_url`; fails the test unless it succeeds.
pub fn run_cli(args: &[&str], database_url: &str) -> std::process::Output {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tillbud"))
        .args(args)
        .env("TILLBUD_DATABASE_URL", database_url)
        .output()
        .expect("run tillbud");
    assert!(
        out.status.success(),
        "tillbud {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

async fn reply(
    mut res: awc::ClientResponse<
        impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
            + Unpin,
    >,
) -> Reply {
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.body().limit(10 * 1024 * 1024).await.expect("read body");
    let raw = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        raw,
        bytes: bytes.to_vec(),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Reply {
        reply(self.client.get(self.url(path)).send().await.expect("GET")).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut req = self.client.get(self.url(path));
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        reply(req.send().await.expect("GET")).await
    }

    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Reply {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.client.request(method, self.url(path));
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        reply(req.send_body(body).await.expect("request")).await
    }

    pub async fn post_incident(&self, body: &Value, key: Option<&str>) -> Reply {
        let mut headers = vec![("content-type", "application/json")];
        if let Some(key) = key {
            headers.push(("Idempotency-Key", key));
        }
        self.request(
            "POST",
            "/api/v1/incidents",
            &headers,
            body.to_string().into_bytes(),
        )
        .await
    }

    /// The id of the demo unit with this name.
    pub async fn unit_id(&self, name: &str) -> String {
        let units = self.get("/api/v1/org-units").await;
        units.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|u| u["name"] == name)
            .unwrap_or_else(|| panic!("no unit named {name}"))["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// A report that passes every rule.
    pub async fn valid_report(&self) -> Value {
        json!({
            "kind": "near_miss",
            "org_unit_id": self.unit_id("Lyckeby skola").await,
            "occurred_at": (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339(),
            "title": "Halka vid entrén",
            "description": "Isfläcken vid huvudentrén var inte sandad.",
            "location": "Huvudentrén",
            "latitude": 56.1891,
            "longitude": 15.6474,
            "consequences": ["person"],
            "immediate_action": "Sandade.",
            "reporter": {"name": "Eva Ek", "email": "eva.ek@example.se", "phone": "0455-30 30 00"},
            "anonymous": false
        })
    }

    pub async fn admin_get(&self, path: &str) -> Reply {
        let auth = format!("Bearer {ADMIN_TOKEN}");
        self.get_with(path, &[("Authorization", auth.as_str())])
            .await
    }

    pub async fn admin_send(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        let auth = format!("Bearer {ADMIN_TOKEN}");
        let mut headers = vec![("Authorization", auth.as_str())];
        if body.is_some() {
            headers.push(("content-type", "application/json"));
        }
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        self.request(method, path, &headers, bytes).await
    }

    /// Reports an event at a demo unit; returns the 201 body.
    pub async fn report(
        &self,
        unit: &str,
        kind: &str,
        consequences: &[&str],
        reporter_email: Option<&str>,
    ) -> Value {
        let mut body = self.valid_report().await;
        body["org_unit_id"] = json!(self.unit_id(unit).await);
        body["kind"] = json!(kind);
        body["consequences"] = json!(consequences);
        match reporter_email {
            Some(e) => body["reporter"]["email"] = json!(e),
            None => body["reporter"] = json!({"name": "Eva Ek"}),
        }
        let reply = self.post_incident(&body, None).await;
        assert_eq!(reply.status, 201, "{}", reply.raw);
        reply.body
    }

    /// The case's full history through the admin API.
    pub async fn history(&self, incident_id: &str) -> Vec<Value> {
        let reply = self
            .admin_get(&format!("/api/v1/admin/incidents/{incident_id}/history"))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.raw);
        reply.body["events"].as_array().cloned().unwrap_or_default()
    }

    pub async fn incident_count(&self) -> i64 {
        self.db
            .read(tillbud::db::incidents::count)
            .await
            .expect("count incidents")
    }

    /// Sets a case's status straight in the database, for states a test does not walk to.
    pub async fn set_status(&self, incident_id: &str, status: &str) {
        let (id, status) = (incident_id.to_owned(), status.to_owned());
        self.db
            .write(move |c| {
                use diesel::prelude::*;
                use tillbud::db::schema::incidents as i;
                diesel::update(i::table.find(&id))
                    .set(i::status.eq(&status))
                    .execute(c)?;
                Ok(())
            })
            .await
            .expect("set status");
    }

    /// Logs in as a demo user through the real API; returns the `Cookie` header value.
    pub async fn login_as(&self, email: &str) -> String {
        let reply = self
            .send_as(
                None,
                "POST",
                "/api/v1/auth/demo-login",
                Some(&json!({ "email": email })),
                None,
            )
            .await;
        assert_eq!(reply.status, 201, "demo login as {email}: {}", reply.raw);
        let set_cookie = reply.header("set-cookie").expect("Set-Cookie");
        set_cookie
            .split(';')
            .next()
            .expect("cookie pair")
            .to_owned()
    }

    /// Sets or clears a unit's manager absence through the admin API.
    pub async fn put_absence(&self, unit_id: &str, body: &Value) -> Reply {
        let path = format!("/api/v1/admin/org-units/{unit_id}/absence");
        self.admin_send("PUT", &path, Some(body)).await
    }

    /// Asserts that each of `paths` answers a GET with a 404 problem.
    pub async fn assert_not_found(&self, paths: &[&str]) {
        for path in paths {
            self.get(path).await.assert_problem(404);
        }
    }

    /// `POST /api/v1/auth/session` with a login token, as the login page sends it.
    pub async fn start_session(&self, token: &str) -> Reply {
        let body = json!({ "token": token });
        self.send_as(None, "POST", "/api/v1/auth/session", Some(&body), None)
            .await
    }

    /// A report sent by the logged-in `email` (the demo user) under their own address.
    pub async fn report_as_self(&self, email: &str) -> Reply {
        let cookie = self.login_as(email).await;
        let mut body = self.valid_report().await;
        body["reporter"] = json!({ "email": email });
        self.send_as(
            Some(&cookie),
            "POST",
            "/api/v1/incidents",
            Some(&body),
            None,
        )
        .await
    }

    /// A request as a logged-in user (`cookie` from `login_as`, or `None` for no login), sent
    /// as the app's own pages send it (same origin), with an optional `If-Match`.
    pub async fn send_as(
        &self,
        cookie: Option<&str>,
        method: &str,
        path: &str,
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> Reply {
        let mut headers = vec![("Sec-Fetch-Site", "same-origin")];
        if let Some(cookie) = cookie {
            headers.push(("Cookie", cookie));
        }
        if body.is_some() {
            headers.push(("content-type", "application/json"));
        }
        if let Some(tag) = if_match {
            headers.push(("If-Match", tag));
        }
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        self.request(method, path, &headers, bytes).await
    }
}

/// A mail worker on the app's database, sending to the test SMTP server on `smtp_port`
/// (for tests that run with `TILLBUD_WORKER_ENABLED=false` and drive the worker themselves).
pub fn worker_for(app: &TestApp, smtp_port: u16) -> tillbud::mail::outbox_worker::Worker {
    let port = smtp_port.to_string();
    let env = smtp_settings(&port);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let settings = test_settings(&app.database_url, &env);
    tillbud::mail::outbox_worker::Worker::new(
        app.db.clone(),
        app.mail.clone(),
        app.clock.clone(),
        &settings.mail,
    )
    .expect("worker")
}

/// Every outbox row, straight from the database.
pub async fn outbox_rows(app: &TestApp) -> Vec<tillbud::db::outbox::OutboxRow> {
    app.db
        .read(|c| {
            let mut all = Vec::new();
            for state in tillbud::db::outbox::STATES {
                all.extend(tillbud::db::outbox::list(c, state, 1000)?);
            }
            Ok(all)
        })
        .await
        .expect("outbox rows")
}

/// Every login token row as (token hash, e-mail, used), straight from the database.
pub async fn login_token_rows(app: &TestApp) -> Vec<(String, String, bool)> {
    app.db
        .read(|c| {
            use diesel::prelude::*;
            use tillbud::db::schema::login_tokens as t;
            let rows: Vec<(String, String, Option<chrono::NaiveDateTime>)> = t::table
                .select((t::token_hash, t::email, t::used_at))
                .load(c)?;
            Ok(rows
                .into_iter()
                .map(|(h, e, u)| (h, e, u.is_some()))
                .collect())
        })
        .await
        .expect("login tokens")
}
