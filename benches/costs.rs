//! Cost trend benchmark: `cargo bench --bench costs` (not in CI).
//!
//! Seeds the demo organisation and then, with bulk inserts, 100 000 cases over ten years and
//! 1 000 000 cost entries on them (about 3 % of them reversals), builds the rollups
//! (`tillbud costs rebuild` does the same), starts the release binary on that database and asks
//! the finance desk's three dashboard questions over HTTP as the demo finance user:
//!
//! 1. one administration's subtree (Utbildningsförvaltningen) by month over three years, by
//!    category;
//! 2. the whole group by year over ten years, by category;
//! 3. one unit (Lyckeby skola) year to date against the same months last year.
//!
//! For each it prints p50/p99 of the API and, in the same run, of the plain `SUM … GROUP BY`
//! over the entries (the same answer built without the rollups), the ratio, and checks that
//! both answers are equal. SQLite always; PostgreSQL too when TILLBUD_TEST_DATABASE_URL is set.
//! BENCH_COST_ENTRIES (default 1 000 000; cases are a tenth), BENCH_HTTP_RUNS (200) and
//! BENCH_PLAIN_RUNS (10) scale it.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use diesel::connection::SimpleConnection;
use diesel::Connection;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use tillbud::config::SqliteSync;
use tillbud::db::{Backend, Db};
use tillbud::domain::cost::{BasisFilter, CostCategories};
use tillbud::domain::cost_period::{GroupBy, Month, PeriodKind, Range};
use tillbud::domain::cost_trend::TrendQuery;
use tillbud::domain::{Caller, Roles, Via};
use tillbud::i18n::Lang;
use tillbud::ops::costs::read::{self, Source, TrendParams};

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

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn start_server(database_url: &str) -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let child = Command::new(env!("CARGO_BIN_EXE_tillbud"))
        .args(["serve", "--demo"])
        .env("TILLBUD_DATABASE_URL", database_url)
        .env("TILLBUD_WORKER_ENABLED", "false")
        .env(
            "TILLBUD_MAIL_DIR",
            std::env::temp_dir().join("tillbud-bench-mail"),
        )
        .env("TILLBUD_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start tillbud");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..300 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("tillbud did not start");
}

const KINDS: [&str; 6] = [
    "property_damage",
    "accident",
    "threat_violence",
    "near_miss",
    "work_illness",
    "environmental",
];

/// Loads `cases` cases and `entries` entries with multi-row inserts, in transactions of
/// about 20 000 rows. Values are the benchmark's own (ids, codes, numbers), written as SQL
/// literals.
fn seed(db: &Db, cases: usize, entries: usize) {
    let categories = CostCategories::defaults();
    let units: Vec<String> = db
        .read_blocking(tillbud::db::demo_costs::unit_ids)
        .expect("units")
        .into_iter()
        .filter(|(code, _)| code != "KK")
        .map(|(_, id)| id)
        .collect();
    let mut rng = StdRng::seed_from_u64(20_261_201);
    let today = Utc::now().date_naive();
    let start = today - chrono::Duration::days(3652);
    let this_month = Month::of(today);
    let per_case = entries as f64 / cases as f64;
    let mut written = 0usize;
    let mut case_rows = Vec::new();
    let mut entry_rows = Vec::new();
    let flush = |case_rows: &mut Vec<String>, entry_rows: &mut Vec<String>| {
        if case_rows.is_empty() && entry_rows.is_empty() {
            return;
        }
        let mut sql = String::new();
        for chunk in case_rows.chunks(500) {
            sql.push_str(
                "INSERT INTO incidents (id, tracking_code, kind, status, org_unit_id, occurred_at, \
                 title, description, anonymous, created_at, updated_at, version) VALUES ",
            );
            sql.push_str(&chunk.join(","));
            sql.push(';');
        }
        for chunk in entry_rows.chunks(500) {
            sql.push_str(
                "INSERT INTO cost_entries (id, incident_id, org_unit_id, category, direction, basis, \
                 amount_ore, sign, incurred_on, month, voucher_ref, origin, reverses_id, reason, \
                 entered_by, entered_at) VALUES ",
            );
            sql.push_str(&chunk.join(","));
            sql.push(';');
        }
        db.write_blocking(|c| Ok(c.batch_execute(&sql)?))
            .expect("bulk insert");
        case_rows.clear();
        entry_rows.clear();
    };
    for n in 0..cases {
        let id = uuid::Uuid::new_v4().to_string();
        let unit = &units[rng.random_range(0..units.len())];
        let day = start + chrono::Duration::days(rng.random_range(0..3652));
        let at = format!("{} 08:30:00", day.format("%Y-%m-%d"));
        let kind = KINDS[rng.random_range(0..KINDS.len())];
        case_rows.push(format!(
            "('{id}','bench{n:09}','{kind}','closed','{unit}','{at}','Skada {n}',\
             'Genererad för benchmark.',FALSE,'{at}','{at}',1)"
        ));
        // Entries for this case so that the total lands on `entries`.
        let target = (((n + 1) as f64 * per_case).round() as usize).min(entries);
        while written < target {
            let offset = rng.random_range(0..180);
            let mut on = day + chrono::Duration::days(offset);
            if Month::of(on) > this_month {
                on = today;
            }
            let month = Month::of(on).key();
            let cat = &categories.all()[rng.random_range(0..categories.all().len())];
            let basis = if rng.random_bool(0.85) {
                "actual"
            } else {
                "estimate"
            };
            let ore: i64 = rng.random_range(50_000..20_000_000);
            let entry_id = uuid::Uuid::new_v4().to_string();
            let on_text = on.format("%Y-%m-%d");
            let row = |eid: &str, sign: i32, origin: &str, reverses: &str| {
                format!(
                    "('{eid}','{id}','{unit}','{code}','{dir}','{basis}',{ore},{sign},'{on_text}',{month},\
                     'V{n}','{origin}',{reverses},NULL,'bench','{at}')",
                    code = cat.code,
                    dir = cat.direction,
                )
            };
            entry_rows.push(row(&entry_id, 1, "entry", "NULL"));
            written += 1;
            if written < target && rng.random_bool(0.03) {
                let rid = uuid::Uuid::new_v4().to_string();
                entry_rows.push(row(&rid, -1, "reversal", &format!("'{entry_id}'")));
                written += 1;
            }
        }
        if case_rows.len() >= 2_000 {
            flush(&mut case_rows, &mut entry_rows);
        }
    }
    flush(&mut case_rows, &mut entry_rows);
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

struct Question {
    name: &'static str,
    query: TrendQuery,
    unit: Option<String>,
}

fn query_string(q: &Question) -> String {
    let t = &q.query;
    let mut s = format!(
        "period={}&from={}&to={}&group_by={}&basis={}",
        t.range.kind, t.range.from, t.range.to, t.group_by, t.basis
    );
    if let Some(u) = &q.unit {
        s.push_str(&format!("&unit={u}"));
    }
    s
}

fn questions(db: &Db) -> Vec<Question> {
    let units = db
        .read_blocking(tillbud::db::demo_costs::unit_ids)
        .expect("units");
    let now = Month::of(Utc::now().date_naive());
    let last_month = Month::of(now.first_day().pred_opt().unwrap_or(NaiveDate::MIN));
    let month = |y: i32, m: u32| Month::new(y, m).expect("month");
    let range = |kind, from, to| Range::new(kind, from, to).expect("range");
    let back_36 = {
        let i = now.year() * 12 + now.number() as i32 - 1 - 35;
        month(i.div_euclid(12), (i.rem_euclid(12) + 1) as u32)
    };
    vec![
        Question {
            name: "1. Utbildningsförvaltningen, month × category, 3 years",
            query: TrendQuery {
                range: range(PeriodKind::Month, back_36, now),
                group_by: GroupBy::Category,
                basis: BasisFilter::Actual,
            },
            unit: units.get("UTB").cloned(),
        },
        Question {
            name: "2. whole group, year × category, 10 years",
            query: TrendQuery {
                range: range(
                    PeriodKind::Year,
                    month(now.year() - 9, 1),
                    month(now.year(), 12),
                ),
                group_by: GroupBy::Category,
                basis: BasisFilter::Actual,
            },
            unit: None,
        },
        Question {
            name: "3. Lyckeby skola, year to date vs last year",
            query: TrendQuery {
                range: range(PeriodKind::Year, month(last_month.year(), 1), last_month),
                group_by: GroupBy::None,
                basis: BasisFilter::Actual,
            },
            unit: units.get("UTB-GR-LYC").cloned(),
        },
    ]
}

fn login(base: &str) -> String {
    actix_rt::System::new().block_on(async {
        let res = awc::Client::default()
            .post(format!("{base}/api/v1/auth/demo-login"))
            .insert_header(("Sec-Fetch-Site", "same-origin"))
            .send_json(&serde_json::json!({"email": "lars.nystrom@example.se"}))
            .await
            .expect("demo login");
        let cookie = res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("session cookie")
            .to_owned();
        cookie
    })
}

/// `runs` sequential GETs over one keep-alive connection: latencies and the last answer.
fn over_http(base: &str, cookie: &str, path: &str, runs: usize) -> (Vec<Duration>, Value) {
    actix_rt::System::new().block_on(async {
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(120))
            .finish();
        let mut latencies = Vec::with_capacity(runs);
        let mut last = Value::Null;
        for _ in 0..runs {
            let t = Instant::now();
            let mut res = client
                .get(format!("{base}{path}"))
                .insert_header(("Cookie", cookie))
                .send()
                .await
                .expect("trend request");
            let body = res.body().limit(16 << 20).await.expect("trend body");
            latencies.push(t.elapsed());
            assert_eq!(
                res.status().as_u16(),
                200,
                "{}",
                String::from_utf8_lossy(&body)
            );
            last = serde_json::from_slice(&body).expect("json");
        }
        latencies.sort();
        (latencies, last)
    })
}

/// The same question answered by the plain aggregation over the entries, in process.
fn plain(db: &Db, q: &Question, runs: usize) -> (Vec<Duration>, Value) {
    let caller = Caller {
        user_id: "bench".into(),
        email: "lars.nystrom@example.se".into(),
        name: None,
        roles: Roles {
            finance: true,
            ..Roles::default()
        },
        via: Via::ApiToken,
    };
    let categories = CostCategories::defaults();
    actix_rt::System::new().block_on(async {
        let mut latencies = Vec::with_capacity(runs);
        let mut last = Value::Null;
        for _ in 0..runs {
            let params = TrendParams {
                query: q.query,
                unit: q.unit.clone(),
            };
            let t = Instant::now();
            let answer = read::trends(db, &caller, params, &categories, Source::Plain)
                .await
                .expect("plain trend");
            let view = tillbud::routes::costs::dto::trend_view(answer, &categories, Lang::Sv);
            latencies.push(t.elapsed());
            last = serde_json::to_value(view).expect("json");
        }
        latencies.sort();
        (latencies, last)
    })
}

fn count(db: &Db, table: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    db.read_blocking(|c| {
        use diesel::RunQueryDsl;
        let rows: Vec<N> = match c {
            tillbud::db::AnyConnection::Postgresql(pg) => diesel::sql_query(&sql).load(pg)?,
            tillbud::db::AnyConnection::Sqlite(lite) => diesel::sql_query(&sql).load(lite)?,
        };
        Ok(rows.first().map(|r| r.n).unwrap_or(0))
    })
    .expect("count")
}

fn run(label: &str, url: &str) {
    let entries = env_number("BENCH_COST_ENTRIES", 1_000_000);
    let cases = (entries / 10).max(1);
    let http_runs = env_number("BENCH_HTTP_RUNS", 200);
    let plain_runs = env_number("BENCH_PLAIN_RUNS", 10);
    println!("\n== {label} ==");
    let db = Db::connect(url, 4, SqliteSync::Full, Duration::from_secs(600)).expect("db");
    db.migrate().expect("migrate");
    tillbud::demo::seed_if_empty(&db).expect("demo");
    let t = Instant::now();
    seed(&db, cases, entries);
    println!(
        "bulk insert: {cases} cases, {} entries in {:.1} s",
        count(&db, "cost_entries"),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    db.write_blocking(tillbud::db::costs::rollup::rebuild)
        .expect("rebuild");
    println!("rollups rebuilt in {:.1} s:", t.elapsed().as_secs_f64());
    for table in [
        "cost_rollup_unit",
        "cost_rollup_group",
        "cost_case_counts_unit",
        "cost_case_counts_group",
    ] {
        println!("  {table:<24} {:>9} rows", count(&db, table));
    }
    if Backend::of_url(url) == Backend::Postgres {
        // Statistics and the visibility map after a bulk load, as autovacuum would make them.
        if let Ok(mut pg) = diesel::PgConnection::establish(url) {
            let _ = pg.batch_execute("VACUUM ANALYZE");
        }
    }
    let server = start_server(url);
    let cookie = login(&server.base);
    println!(
        "{:<56} {:>9} {:>9} {:>11} {:>11} {:>7}  equal",
        "question", "API p50", "API p99", "plain p50", "plain p99", "ratio"
    );
    for q in questions(&db) {
        let path = format!("/api/v1/costs/trends?{}", query_string(&q));
        let (api, api_answer) = over_http(&server.base, &cookie, &path, http_runs);
        let (raw, plain_answer) = plain(&db, &q, plain_runs);
        let equal = api_answer == plain_answer;
        let (a50, a99, p50, p99) = (
            percentile(&api, 0.5),
            percentile(&api, 0.99),
            percentile(&raw, 0.5),
            percentile(&raw, 0.99),
        );
        println!(
            "{:<56} {:>6.1} ms {:>6.1} ms {:>8.1} ms {:>8.1} ms {:>6.1}×  {}",
            q.name,
            ms(a50),
            ms(a99),
            ms(p50),
            ms(p99),
            p50.as_secs_f64() / a50.as_secs_f64().max(1e-9),
            if equal { "yes" } else { "NO" }
        );
        assert!(
            equal,
            "{}: the API and the plain aggregation differ",
            q.name
        );
    }
    println!("(API: {http_runs} requests over HTTP; plain: {plain_runs} runs in process)");
}

fn pg_database(admin: &str, name: &str) -> String {
    let mut conn = diesel::PgConnection::establish(admin).expect("postgres");
    conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .expect("drop old bench database");
    conn.batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create bench database");
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
    format!("{base}/{name}")
}

fn main() {
    tillbud::db::init_tls();
    let dir = std::env::temp_dir().join(format!("tillbud-bench-costs-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("costs.db").display().to_string();
    run("SQLite (WAL, synchronous=FULL)", &file);
    let _ = std::fs::remove_dir_all(&dir);
    if let Ok(admin) = std::env::var("TILLBUD_TEST_DATABASE_URL") {
        let url = pg_database(&admin, "tillbud_bench_costs");
        run("PostgreSQL", &url);
        if let Ok(mut conn) = diesel::PgConnection::establish(&admin) {
            let _ = conn.batch_execute("DROP DATABASE IF EXISTS tillbud_bench_costs WITH (FORCE)");
        }
    }
}
