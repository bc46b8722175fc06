//! Intake benchmark: `cargo bench --bench intake`.
//!
//! Starts the real `tillbud` binary (release build) on a fresh database, drives
//! `POST /api/v1/incidents` over loopback HTTP with 64 concurrent connections for a fixed number
//! of requests, and prints requests/s, p50/p99/max latency and the server's peak RSS. In the
//! same run and with the same database settings it measures the ceiling: raw diesel inserts of
//! one equivalent incident row per transaction, and prints the ratio.
//!
//! Routing is on: every report also writes its routing record, history event and outbox rows
//! (three mails here: manager, skyddsombud, receipt); the server's own mail worker is off so
//! that intake is measured alone. Then `tillbud worker` drains that outbox to an SMTP server in
//! this process (the tests' server, over TCP on loopback) and the drain rate is printed.
//!
//! SQLite always; PostgreSQL too when TILLBUD_TEST_DATABASE_URL is set. BENCH_REQUESTS sets the
//! number of requests (default 4000).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use tillbud::config::SqliteSync;
use tillbud::db::schema::incidents;
use tillbud::db::{Backend, Db};

#[allow(dead_code)]
#[path = "../tests/api/smtp_server.rs"]
mod smtp_server;

const CONNECTIONS: usize = 64;

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn start_server(database_url: &str) -> Server {
    let port = free_port();
    let mail_dir = std::env::temp_dir().join("tillbud-bench-mail");
    let child = Command::new(env!("CARGO_BIN_EXE_tillbud"))
        .args(["serve", "--demo"])
        .env("TILLBUD_DATABASE_URL", database_url)
        .env("TILLBUD_WORKER_ENABLED", "false")
        .env("TILLBUD_MAIL_DIR", &mail_dir)
        .env("TILLBUD_LISTEN", format!("127.0.0.1:{port}"))
        // One client and one reporter send every report: the limits would refuse most.
        .env("TILLBUD_REPORT_RATE_LIMIT_CLIENT", "100000")
        .env("TILLBUD_REPORT_RATE_LIMIT_REPORTER", "100000")
        // The demo organisation's domain, so each report still writes its receipt.
        .env("TILLBUD_LOGIN_DOMAINS", "example.se")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start tillbud");
    let base = format!("http://127.0.0.1:{port}");
    let server = Server { child, base };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("tillbud did not start");
}

fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn report_body(unit: &str, i: usize) -> serde_json::Value {
    serde_json::json!({
        "kind": "near_miss",
        "org_unit_id": unit,
        "occurred_at": "2026-11-20T08:30:00Z",
        "title": format!("Halka vid entrén {i}"),
        "description": "Isfläcken vid huvudentrén var inte sandad. En elev halkade.",
        "location": "Huvudentrén",
        "consequences": ["person"],
        "reporter": {"name": "Eva Ek", "email": "eva.ek@example.se"},
        "anonymous": false
    })
}

/// Drives the HTTP load; returns (wall time, latencies, failures).
fn drive_http(base: &str, requests: usize) -> (Duration, Vec<Duration>, usize) {
    actix_rt::System::new().block_on(async move {
        let units: serde_json::Value = awc::Client::default()
            .get(format!("{base}/api/v1/org-units"))
            .send()
            .await
            .expect("org units")
            .json()
            .limit(1 << 20)
            .await
            .expect("org units json");
        let unit = units["items"]
            .as_array()
            .and_then(|a| a.iter().find(|u| u["name"] == "Lyckeby skola"))
            .and_then(|u| u["id"].as_str())
            .expect("demo unit")
            .to_owned();
        let next = std::rc::Rc::new(std::cell::Cell::new(0usize));
        let started = Instant::now();
        let tasks = (0..CONNECTIONS).map(|_| {
            let next = next.clone();
            let unit = unit.clone();
            let base = base.to_owned();
            async move {
                // One client per task: its own keep-alive connection.
                let client = awc::Client::builder()
                    .timeout(Duration::from_secs(30))
                    .finish();
                let mut latencies = Vec::new();
                let mut failures = 0;
                loop {
                    let i = next.get();
                    if i >= requests {
                        break;
                    }
                    next.set(i + 1);
                    let body = report_body(&unit, i);
                    let t = Instant::now();
                    let res = client
                        .post(format!("{base}/api/v1/incidents"))
                        .insert_header(("Idempotency-Key", uuid::Uuid::new_v4().to_string()))
                        .send_json(&body)
                        .await;
                    match res {
                        Ok(mut r) if r.status().as_u16() == 201 => {
                            let _ = r.body().await;
                            latencies.push(t.elapsed());
                        }
                        _ => failures += 1,
                    }
                }
                (latencies, failures)
            }
        });
        let results = futures_util::future::join_all(tasks).await;
        let wall = started.elapsed();
        let mut all = Vec::with_capacity(requests);
        let mut failures = 0;
        for (l, f) in results {
            all.extend(l);
            failures += f;
        }
        (wall, all, failures)
    })
}

/// The ceiling: one equivalent incident row per transaction, straight through diesel, from as
/// many threads as the server has database connections, with the same settings.
fn raw_insert_rate(db: &Db, unit: &str, rows: usize, threads: usize) -> f64 {
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let db = db.clone();
            s.spawn(move || {
                let mut conn = db.conn().expect("connection");
                for i in (t..rows).step_by(threads) {
                    let now = chrono::Utc::now().naive_utc();
                    let id = uuid::Uuid::now_v7().to_string();
                    conn.transaction::<_, diesel::result::Error, _>(|c| {
                        diesel::insert_into(incidents::table)
                            .values((
                                incidents::id.eq(&id),
                                incidents::tracking_code
                                    .eq(tillbud::domain::TrackingCode::generate().to_string()),
                                incidents::kind.eq("near_miss"),
                                incidents::status.eq("new"),
                                incidents::org_unit_id.eq(unit),
                                incidents::occurred_at.eq(now),
                                incidents::title.eq(format!("Halka vid entrén {i}")),
                                incidents::description.eq(
                                    "Isfläcken vid huvudentrén var inte sandad. En elev halkade.",
                                ),
                                incidents::location.eq(Some("Huvudentrén")),
                                incidents::anonymous.eq(false),
                                incidents::reporter_name.eq(Some("Eva Ek")),
                                incidents::reporter_email.eq(Some("eva.ek@example.se")),
                                incidents::created_at.eq(now),
                                incidents::updated_at.eq(now),
                                incidents::version.eq(1i64),
                            ))
                            .execute(c)?;
                        Ok(())
                    })
                    .expect("raw insert");
                }
            });
        }
    });
    rows as f64 / started.elapsed().as_secs_f64()
}

/// Pending outbox rows of a database.
fn pending_mail(url: &str) -> i64 {
    let db = Db::connect(url, 1, SqliteSync::Full, Duration::from_secs(30)).expect("db");
    db.read_blocking(|c| {
        use tillbud::db::schema::outbox;
        Ok(outbox::table
            .filter(outbox::state.eq("pending"))
            .count()
            .get_result::<i64>(c)?)
    })
    .expect("count outbox")
}

/// Starts `tillbud worker` against an SMTP server in this process and times the drain of
/// every pending mail.
fn drain_rate(database_url: &str) -> (usize, f64, u64) {
    let pending = pending_mail(database_url) as usize;
    let (tx, rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let smtp_thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let server = std::sync::Arc::new(smtp_server::SmtpServer::start().await);
            tx.send(server.clone()).expect("send server");
            while stop_rx.try_recv().is_err() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
    });
    let smtp = rx.recv().expect("smtp server");
    let started = Instant::now();
    let mut worker = Command::new(env!("CARGO_BIN_EXE_tillbud"))
        .arg("worker")
        .env("TILLBUD_DATABASE_URL", database_url)
        .env("TILLBUD_MAIL_TRANSPORT", "smtp")
        .env("TILLBUD_SMTP_HOST", "127.0.0.1")
        .env("TILLBUD_SMTP_PORT", smtp.port.to_string())
        .env("TILLBUD_SMTP_TLS", "none")
        .env(
            "TILLBUD_ACK_SECRET",
            "bench-ack-secret-0123456789abcdefghijkl",
        )
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start tillbud worker");
    let limit = Instant::now() + Duration::from_secs(600);
    while smtp.count() < pending && Instant::now() < limit {
        std::thread::sleep(Duration::from_millis(10));
    }
    let elapsed = started.elapsed();
    let rss = peak_rss_kib(worker.id());
    let _ = worker.kill();
    let _ = worker.wait();
    let got = smtp.count();
    drop(smtp);
    let _ = stop_tx.send(());
    let _ = smtp_thread.join();
    (got, got as f64 / elapsed.as_secs_f64(), rss)
}

fn run(label: &str, http_url: &str, raw_url: &str, requests: usize) {
    println!("\n== {label} ==");
    let server = start_server(http_url);
    let pid = server.child.id();
    let (wall, mut latencies, failures) = drive_http(&server.base, requests);
    let rss = peak_rss_kib(pid);
    drop(server);
    let (mails, mail_rate, worker_rss) = drain_rate(http_url);
    latencies.sort();
    let ok = latencies.len();
    let rate = ok as f64 / wall.as_secs_f64();
    println!(
        "intake over HTTP, routing on: {ok} reports in {:.2} s with {CONNECTIONS} connections, {failures} failed",
        wall.as_secs_f64()
    );
    println!("  requests/s      {rate:>10.0}");
    println!(
        "  latency p50     {:>10.2} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1e3
    );
    println!(
        "  latency p99     {:>10.2} ms",
        percentile(&latencies, 0.99).as_secs_f64() * 1e3
    );
    println!(
        "  latency max     {:>10.2} ms",
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    println!("  server peak RSS {:>10.1} MB", rss as f64 / 1024.0);
    println!("outbox drain by `tillbud worker` to a loopback SMTP server (batch 16):");
    println!("  mails sent      {mails:>10}");
    println!("  mails/s         {mail_rate:>10.0}");
    println!("  worker peak RSS {:>10.1} MB", worker_rss as f64 / 1024.0);

    let settings_pool = 8;
    let db = Db::connect(
        raw_url,
        settings_pool,
        SqliteSync::Full,
        Duration::from_secs(30),
    )
    .expect("raw db");
    db.migrate().expect("migrate raw db");
    tillbud::demo::seed_if_empty(&db).expect("seed raw db");
    let unit: String = db
        .read_blocking(|c| {
            use tillbud::db::schema::org_units;
            Ok(org_units::table
                .filter(org_units::code.eq("UTB-GR-LYC"))
                .select(org_units::id)
                .first(c)?)
        })
        .expect("unit");
    let raw = raw_insert_rate(&db, &unit, requests, settings_pool as usize);
    println!("raw diesel insert, one row per transaction, {settings_pool} threads:");
    println!("  rows/s          {raw:>10.0}");
    println!("  ratio intake/raw {:>9.2}", rate / raw);
}

fn pg_database(admin: &str, name: &str) -> String {
    let mut conn = diesel::PgConnection::establish(admin).expect("postgres");
    // One statement each: PostgreSQL runs a multi-statement string as one transaction.
    conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .expect("drop old bench database");
    conn.batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create bench database");
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    format!("{base}/{name}")
}

fn main() {
    tillbud::db::init_tls();
    // `cargo bench` passes `--bench`; there is nothing to filter.
    let requests: usize = std::env::var("BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4000);
    let dir = std::env::temp_dir().join(format!("tillbud-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let http_db = dir.join("http.db").display().to_string();
    let raw_db = dir.join("raw.db").display().to_string();
    assert_eq!(Backend::of_url(&http_db), Backend::Sqlite);
    run(
        "SQLite (WAL, synchronous=FULL)",
        &http_db,
        &raw_db,
        requests,
    );
    let _ = std::fs::remove_dir_all(&dir);

    if let Ok(admin) = std::env::var("TILLBUD_TEST_DATABASE_URL") {
        let http = pg_database(&admin, "tillbud_bench_http");
        let raw = pg_database(&admin, "tillbud_bench_raw");
        run("PostgreSQL", &http, &raw, requests);
        if let Ok(mut conn) = diesel::PgConnection::establish(&admin) {
            for name in ["tillbud_bench_http", "tillbud_bench_raw"] {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}
