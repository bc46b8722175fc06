//! The open statistics (issue 12) on a small organisation of its own: what is published and
//! what never is (small counts, units below the top level, free text, day-level dates, one
//! case's cost), the differencing attack over the published rows, and the cache headers.

// Amounts are written kronor_öre.
#![allow(clippy::inconsistent_digit_grouping)]

use std::collections::HashMap;

use chrono::{Datelike, Duration, TimeZone, Utc};
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, TestApp};
use tillbud::domain::disclosure::{recoverable, Relation};

const ORG: &str = "code,name,kind,parent_code,manager_name,manager_email,deputy_name,deputy_email,safety_rep_email,employees
KK,Koncernen,group,,Ada Chef,ada@example.se,,,,
ALFA,Alfaförvaltningen,administration,KK,Bo Chef,bo@example.se,,,,120
ALFA-1,Alfaskolan,unit,ALFA,Cia Chef,cia@example.se,,,,40
BETA,Betabolaget AB,company,KK,Dan Chef,dan@example.se,,,,
GAMMA,Gammaförvaltningen,administration,KK,Eva Chef,eva@example.se,,,,
";

struct Setup {
    app: TestApp,
    year: i32,
    ids: HashMap<&'static str, Vec<String>>,
}

async fn report(app: &TestApp, unit: &str, kind: &str, title: &str) -> String {
    let body = json!({
        "kind": kind,
        "org_unit_id": unit,
        "occurred_at": (Utc::now() - Duration::hours(1)).to_rfc3339(),
        "title": title,
        "description": "Hemlig beskrivning som aldrig får publiceras.",
        "consequences": [],
        "reporter": {"name": "Vera Rapport", "email": "vera@example.se"},
    });
    let r = app.post_incident(&body, None).await;
    assert_eq!(r.status, 201, "{}", r.raw);
    r.body["id"].as_str().unwrap().to_owned()
}

/// Last year, March: Alfaskolan 7 near-misses (published under Alfaförvaltningen), Alfa 2
/// accidents, Beta 6 near-misses, Gamma 8 near-misses; all acknowledged in time but Beta's.
async fn setup() -> Setup {
    let app = spawn_app_with(&[
        ("TILLBUD_DEMO", "false"),
        ("TILLBUD_WORKER_ENABLED", "false"),
        ("TILLBUD_SAFETY_COORDINATORS", "samordnare@example.se"),
    ])
    .await;
    let specs = tillbud::ops::org_import::parse_csv(ORG).expect("org");
    tillbud::ops::org_import::import(&app.db, &specs, true).expect("import");
    let year = Utc::now().year() - 1;
    let mut ids: HashMap<&'static str, Vec<String>> = HashMap::new();
    for (unit, kind, n) in [
        ("Alfaskolan", "near_miss", 7),
        ("Alfaförvaltningen", "accident", 2),
        ("Betabolaget AB", "near_miss", 6),
        ("Gammaförvaltningen", "near_miss", 8),
    ] {
        let unit_id = app.unit_id(unit).await;
        for _ in 0..n {
            let id = report(&app, &unit_id, kind, "Titel som inte publiceras").await;
            ids.entry(unit).or_default().push(id);
        }
    }
    let at = Utc
        .with_ymd_and_hms(year, 3, 10, 9, 0, 0)
        .unwrap()
        .naive_utc();
    let beta: Vec<String> = ids["Betabolaget AB"].clone();
    app.db
        .write(move |c| {
            use diesel::prelude::*;
            use tillbud::db::schema::{incident_routing as r, incidents as i};
            diesel::update(i::table)
                .set((i::created_at.eq(at), i::occurred_at.eq(at)))
                .execute(c)?;
            diesel::update(r::table)
                .set((
                    r::remind_at.eq(at + Duration::hours(48)),
                    r::acknowledged_at.eq(Some(at + Duration::hours(1))),
                ))
                .execute(c)?;
            diesel::update(r::table.filter(r::incident_id.eq_any(&beta)))
                .set(r::acknowledged_at.eq(None::<chrono::NaiveDateTime>))
                .execute(c)?;
            Ok(())
        })
        .await
        .expect("backdate");
    Setup { app, year, ids }
}

async fn refresh(app: &TestApp) {
    let settings = crate::helpers::test_settings(&app.database_url, &[]).statistics;
    tillbud::ops::statistics::refresh::refresh(&app.db, &settings, Utc::now())
        .await
        .expect("refresh");
}

type Key = (Option<String>, Option<String>, Option<String>);

fn key(c: &Value) -> Key {
    let s = |v: &Value| v.as_str().map(str::to_owned);
    (s(&c["month"]), s(&c["unit"]), s(&c["kind"]))
}

/// The differencing attack on the published report rows alone: each total (a row with a
/// dimension left out) is the sum of the rows that spell that dimension out.
fn attack(rows: &[Value]) -> Vec<(usize, i64)> {
    let index: HashMap<Key, usize> = rows.iter().enumerate().map(|(i, c)| (key(c), i)).collect();
    assert_eq!(index.len(), rows.len(), "one row per cell");
    let mut relations = Vec::new();
    for (i, c) in rows.iter().enumerate() {
        let (m, u, k) = key(c);
        let parts = |f: &dyn Fn(&Key) -> bool| -> Vec<usize> {
            index
                .iter()
                .filter(|(k, _)| f(k))
                .map(|(_, j)| *j)
                .collect()
        };
        if m.is_none() {
            relations.push(Relation {
                total: i,
                parts: parts(&|x| x.0.is_some() && x.1 == u && x.2 == k),
            });
        }
        if u.is_none() {
            relations.push(Relation {
                total: i,
                parts: parts(&|x| x.1.is_some() && x.0 == m && x.2 == k),
            });
        }
        if k.is_none() {
            relations.push(Relation {
                total: i,
                parts: parts(&|x| x.2.is_some() && x.0 == m && x.1 == u),
            });
        }
    }
    let visible: Vec<Option<i64>> = rows
        .iter()
        .map(|c| c["reports"]["value"].as_i64())
        .collect();
    recoverable(&visible, &relations)
}

fn cell<'a>(
    rows: &'a [Value],
    month: Option<&str>,
    unit: Option<&str>,
    kind: Option<&str>,
) -> &'a Value {
    rows.iter()
        .find(|c| {
            c["month"].as_str() == month && c["unit"].as_str() == unit && c["kind"].as_str() == kind
        })
        .unwrap_or_else(|| panic!("no cell {month:?} {unit:?} {kind:?}"))
}

#[actix_rt::test]
async fn the_open_statistics_publish_no_small_count_and_leak_nothing() {
    let s = setup().await;
    let app = &s.app;
    // Costs: five Beta cases, one of 90 000 kr (dominates); five Gamma cases of 1 000 kr.
    let finance = finance_login(app).await;
    for (i, id) in s.ids["Betabolaget AB"].iter().take(5).enumerate() {
        let ore = if i == 0 { 90_000_00 } else { 1_000_00 };
        let body = crate::costs::entry("egendom", ore, "actual", &format!("{}-03-15", s.year));
        let r = crate::costs::add(app, &finance, id, &body).await;
        assert_eq!(r.status, 201, "{}", r.raw);
    }
    for id in s.ids["Gammaförvaltningen"].iter().take(5) {
        let body = crate::costs::entry("egendom", 1_000_00, "actual", &format!("{}-03-15", s.year));
        let r = crate::costs::add(app, &finance, id, &body).await;
        assert_eq!(r.status, 201, "{}", r.raw);
    }
    refresh(app).await;
    let r = app
        .get(&format!("/api/v1/public/statistics?year={}", s.year))
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.header("cache-control"), Some("public, max-age=300"));
    assert!(r.header("last-modified").is_some());
    let b = &r.body;
    assert!(b["licence"].as_str().unwrap().starts_with("CC0"));
    assert!(b["data_as_of"].as_str().is_some());
    assert_eq!(b["threshold"], 5);
    // Only the units directly under the group (and the group's own cases).
    let codes: Vec<&str> = b["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["ALFA", "BETA", "GAMMA", "KK"]);
    assert!(!r.raw.contains("ALFA-1") && !r.raw.contains("Alfaskolan"));
    // No free text, no reporter, no day-level date other than the date of the data.
    for secret in ["Titel som inte", "Hemlig", "Vera", "vera@example.se"] {
        assert!(!r.raw.contains(secret), "{secret} published");
    }
    let dated = r.raw.matches(&format!("{}-03-10", s.year)).count();
    assert_eq!(dated, 0, "a day-level date");
    let rows = b["reports"].as_array().unwrap();
    let march = format!("{}-03", s.year);
    let m = Some(march.as_str());
    // Alfaskolan's 7 near-misses count under Alfaförvaltningen; Gamma's 8 and the total 21.
    assert_eq!(
        cell(rows, m, Some("ALFA"), Some("near_miss"))["reports"]["value"],
        7
    );
    assert_eq!(
        cell(rows, m, Some("GAMMA"), Some("near_miss"))["reports"]["value"],
        8
    );
    assert_eq!(
        cell(rows, m, None, Some("near_miss"))["reports"]["value"],
        21
    );
    assert_eq!(cell(rows, None, None, None)["reports"]["value"], 23);
    // Alfa's 2 accidents: "< 5", never 2.
    let small = &cell(rows, m, Some("ALFA"), Some("accident"))["reports"];
    assert!(small["value"].is_null());
    assert_eq!(small["protected"], "small");
    for c in rows {
        if let Some(v) = c["reports"]["value"].as_i64() {
            assert!(v >= 5, "{c}");
        }
    }
    // The group's own 0 near-misses in March are hidden, so one more in that column is too.
    assert!(rows
        .iter()
        .any(|c| c["reports"]["protected"] == "secondary"));
    assert!(
        attack(rows).is_empty(),
        "a hidden cell follows from the totals"
    );
    // Handled within the deadline: Alfa and Gamma all, Beta none; the group 17 of 23.
    let share = |u: Option<&str>| {
        b["handled_within_deadline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["unit"].as_str() == u)
            .unwrap()["share_bp"]
            .clone()
    };
    assert_eq!(share(Some("ALFA")), 10_000);
    assert_eq!(share(Some("BETA")), 0);
    assert_eq!(share(None), 7391);
    // Net cost: Beta dominated by one case, Gamma 5 000 kr; the group 99 000 kr.
    let cost = |u: Option<&str>| {
        b["net_cost"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["year"] == s.year && c["unit"].as_str() == u)
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(cost(Some("BETA"))["protected"], "dominated");
    assert_eq!(cost(Some("GAMMA"))["value"], 5_000_00);
    assert_eq!(cost(Some("ALFA"))["protected"], "small");
    assert!(
        cost(None)["value"].is_null(),
        "91 % of the group's cost is one case"
    );
    // The same as CSV: "< 5" where the JSON has no value.
    let csv = app
        .get(&format!(
            "/api/v1/public/statistics?year={}&format=csv",
            s.year
        ))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.raw.starts_with('\u{feff}'));
    assert!(
        csv.raw.contains(&format!(
            "reports;{};{march};Alfaförvaltningen;olycka;< 5\r\n",
            s.year
        )),
        "{}",
        csv.raw
    );
    assert!(csv.raw.contains(&format!(
        "net_cost_sek;{};alla;Gammaförvaltningen;alla;5000,00",
        s.year
    )));
    assert!(csv.raw.contains("licence;"));
    assert!(!csv.raw.contains("Hemlig"));
}

/// A finance user with a session made in the database (this organisation has no demo
/// logins); the `Cookie` header value.
async fn finance_login(app: &TestApp) -> String {
    let id = format!("test-session-{}", uuid::Uuid::new_v4().simple());
    let hash = tillbud::domain::secret::hash_secret(&id);
    app.db
        .write(move |c| {
            let now = Utc::now().naive_utc();
            let flags = tillbud::db::users::NewUserFlags {
                finance: true,
                ..Default::default()
            };
            let user =
                tillbud::db::users::find_or_create(c, "ekonomi@example.se", None, flags, now)?;
            tillbud::db::users::insert_session(c, &hash, &user.id, now, now + Duration::days(1))
        })
        .await
        .expect("session");
    format!("tillbud_session={id}")
}

#[actix_rt::test]
async fn before_the_first_refresh_the_answer_is_503_and_a_bad_year_is_named() {
    let app = spawn_app_with(&[("TILLBUD_WORKER_ENABLED", "false")]).await;
    let r = app.get("/api/v1/public/statistics").await;
    r.assert_problem(503);
    refresh(&app).await;
    let ok = app.get("/api/v1/public/statistics").await;
    assert_eq!(ok.status, 200, "{}", ok.raw);
    assert_eq!(ok.body["years"].as_array().unwrap().len(), 5);
    for (q, field) in [
        ("year=1999", "year"),
        ("year=abc", "year"),
        ("format=xlsx", "format"),
    ] {
        let bad = app.get(&format!("/api/v1/public/statistics?{q}")).await;
        bad.assert_problem(422);
        assert!(
            bad.field_errors().iter().any(|(f, _)| f == field),
            "{q}: {}",
            bad.raw
        );
    }
}
