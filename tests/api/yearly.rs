//! The yearly follow-up (issue 12): figures of a hand-built year on the demo organisation,
//! each section against a known answer, and who gets what (coordinator, managers of a unit
//! and of its sibling, finance, skyddsombud, a reporter, no login). The year is 2019, which
//! the demo data never touches.

// Amounts are written kronor_öre.
#![allow(clippy::inconsistent_digit_grouping)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::Value;

use crate::costs::{add, entry, COORDINATOR, FINANCE};
use crate::helpers::{spawn_app_with, TestApp};

/// Moves a case into the past: reported at `at`, its deadline `deadline_hours` later, and
/// acknowledged `ack_minutes` after the report (or never); the rating and injury as given.
async fn backdate(
    app: &TestApp,
    id: &str,
    at: DateTime<Utc>,
    deadline_hours: i64,
    ack_minutes: Option<i64>,
    injury: &str,
    risk: Option<(i32, i32)>,
) {
    let (id, injury) = (id.to_owned(), injury.to_owned());
    app.db
        .write(move |c| {
            use diesel::prelude::*;
            use tillbud::db::schema::{incident_routing as r, incidents as i};
            let t = at.naive_utc();
            diesel::update(i::table.find(&id))
                .set((
                    i::created_at.eq(t),
                    i::updated_at.eq(t),
                    i::occurred_at.eq(t),
                    i::injury_severity.eq(&injury),
                    i::risk_likelihood.eq(risk.map(|r| r.0)),
                    i::risk_consequence.eq(risk.map(|r| r.1)),
                ))
                .execute(c)?;
            diesel::update(r::table.find(&id))
                .set((
                    r::remind_at.eq(t + Duration::hours(deadline_hours)),
                    r::escalate_at.eq(t + Duration::hours(2 * deadline_hours)),
                    r::acknowledged_at.eq(ack_minutes.map(|m| t + Duration::minutes(m))),
                ))
                .execute(c)?;
            Ok(())
        })
        .await
        .expect("backdate");
}

async fn refresh(app: &TestApp) {
    let settings = crate::helpers::test_settings(&app.database_url, &[]).statistics;
    tillbud::ops::statistics::refresh::refresh(&app.db, &settings, Utc::now())
        .await
        .expect("refresh");
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

struct Year {
    app: TestApp,
    l1: String,
    s1: String,
}

/// Lyckeby skola: a serious accident (acknowledged in 60 min, rated 2×3) and a near-miss
/// (20 min); Nättraby skola: a risk observation never acknowledged; Socialförvaltningen: an
/// extraordinary event (30 min, 4 h deadline). 2018: one accident at Lyckeby.
async fn year() -> Year {
    let app = spawn_app_with(&[("TILLBUD_WORKER_ENABLED", "false")]).await;
    let mut ids = Vec::new();
    for (unit, kind, consequences) in [
        ("Lyckeby skola", "accident", vec!["person"]),
        ("Lyckeby skola", "near_miss", vec![]),
        ("Nättraby skola", "risk_observation", vec![]),
        (
            "Socialförvaltningen",
            "extraordinary_event",
            vec!["service"],
        ),
        ("Lyckeby skola", "accident", vec!["person"]),
    ] {
        let created = app
            .report(unit, kind, &consequences, Some("reporter@example.se"))
            .await;
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    backdate(
        &app,
        &ids[0],
        at(2019, 2, 10, 9),
        48,
        Some(60),
        "serious",
        Some((2, 3)),
    )
    .await;
    backdate(&app, &ids[1], at(2019, 3, 5, 8), 48, Some(20), "none", None).await;
    backdate(&app, &ids[2], at(2019, 4, 1, 8), 48, None, "none", None).await;
    backdate(&app, &ids[3], at(2019, 5, 1, 8), 4, Some(30), "none", None).await;
    backdate(&app, &ids[4], at(2018, 6, 1, 8), 48, Some(10), "none", None).await;
    let finance = app.login_as(FINANCE).await;
    for (case, body) in [
        (&ids[0], entry("sjuklon", 10_000_00, "actual", "2019-02-15")),
        (
            &ids[0],
            entry("forsakring", 2_000_00, "actual", "2019-03-01"),
        ),
        (&ids[3], entry("egendom", 5_000_00, "actual", "2019-05-02")),
        (&ids[4], entry("egendom", 3_000_00, "actual", "2018-06-02")),
    ] {
        let r = add(&app, &finance, case, &body).await;
        assert_eq!(r.status, 201, "{}", r.raw);
    }
    refresh(&app).await;
    Year {
        l1: ids[0].clone(),
        s1: ids[3].clone(),
        app,
    }
}

async fn yearly(app: &TestApp, cookie: Option<&str>, query: &str) -> crate::helpers::Reply {
    app.send_as(
        cookie,
        "GET",
        &format!("/api/v1/reports/yearly?{query}"),
        None,
        None,
    )
    .await
}

fn vision<'a>(body: &'a Value, line: &str) -> &'a Value {
    body["cases"]["vision"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["line"] == line)
        .unwrap()
}

fn child<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["cases"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["unit"]["name"] == name)
        .unwrap_or_else(|| panic!("no row for {name}"))
}

#[actix_rt::test]
async fn the_group_year_has_known_figures_in_every_section() {
    let y = year().await;
    let coordinator = y.app.login_as(COORDINATOR).await;
    let r = yearly(&y.app, Some(&coordinator), "year=2019").await;
    assert_eq!(r.status, 200, "{}", r.raw);
    let b = &r.body;
    assert_eq!(b["unit"]["name"], "Karlskrona kommunkoncern");
    assert_eq!(b["period"]["from"], "2019-01");
    assert_eq!(b["period"]["previous_to"], "2018-12");
    assert!(b["municipality"].as_str().unwrap().contains("Karlskrona"));
    // The vision: one serious injury (none the year before), one extraordinary event.
    let serious = vision(b, "serious_injuries");
    assert_eq!(
        (serious["count"].as_i64(), serious["previous"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(serious["cases"][0], y.l1.as_str());
    assert_eq!(vision(b, "extraordinary_events")["cases"][0], y.s1.as_str());
    assert_eq!(vision(b, "deaths")["count"], 0);
    // Reporting culture, from the rollup: 4 reports (1 the year before), by month.
    let rep = &b["cases"]["reporting"];
    assert_eq!(
        (rep["reports"].as_i64(), rep["previous_reports"].as_i64()),
        (Some(4), Some(1))
    );
    let accident = rep["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "accident")
        .unwrap();
    assert_eq!(accident["months"][1], 1, "February");
    assert_eq!(
        (accident["total"].as_i64(), accident["previous"].as_i64()),
        (Some(1), Some(1))
    );
    // One near-miss and one observation to one accident: 2.00.
    assert_eq!(rep["proactive_per_accident_x100"], 200);
    assert!(b["reporting_note"].as_str().unwrap().contains("tecken"));
    // Handling: 20, 30, 60 minutes; three of four within their deadline.
    let h = &b["cases"]["handling"];
    assert_eq!(h["acknowledged"], 3);
    assert_eq!(h["ack_median_minutes"], 30);
    assert_eq!(h["ack_p90_minutes"], 60);
    assert_eq!(h["within_deadline_bp"], 7500);
    assert_eq!(h["risk_matrix"][1][2], 1);
    assert_eq!(h["unrated"], 3);
    assert_eq!(b["deadlines"]["legal_duty_hours"], 24);
    // Legal duties: the serious accident is due to both authorities, not reported.
    let duties = b["cases"]["duties"].as_array().unwrap();
    assert_eq!(duties[0]["authority"], "arbetsmiljoverket");
    assert_eq!(
        (duties[0]["due"].as_i64(), duties[0]["open"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(duties[1]["due"], 1);
    // Costs: 10 000 − 2 000 at Lyckeby, 5 000 at Socialförvaltningen; 3 000 the year before.
    let costs = &b["costs"];
    assert_eq!(costs["total"]["cost_ore"], 15_000_00);
    assert_eq!(costs["total"]["recovery_ore"], 2_000_00);
    assert_eq!(costs["total"]["net_ore"], 13_000_00);
    assert_eq!(costs["total"]["previous_net_ore"], 3_000_00);
    let utb_money = costs["by_unit"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"]["name"] == "Utbildningsförvaltningen")
        .unwrap();
    assert_eq!(utb_money["net_ore"], 8_000_00);
    // Per child unit: Utbildningsförvaltningen 3 reports, Socialförvaltningen 1.
    let utb = child(b, "Utbildningsförvaltningen");
    assert_eq!(
        (utb["reports"].as_i64(), utb["accidents"].as_i64()),
        (Some(1 + 2), Some(1))
    );
    assert_eq!(utb["within_deadline_bp"], 6667);
    assert_eq!(child(b, "Socialförvaltningen")["reports"], 1);
    // The same figures as CSV for Swedish Excel.
    let csv = yearly(&y.app, Some(&coordinator), "year=2019&format=csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv.content_type().starts_with("text/csv"));
    assert!(csv.raw.starts_with('\u{feff}'));
    assert!(
        csv.raw
            .contains("Nettokostnad;Hela enheten;2019-01–2019-12;13000,00"),
        "{}",
        csv.raw
    );
    assert!(csv
        .raw
        .contains(";Utbildningsförvaltningen;2019-01–2019-12;3\r\n"));
}

#[actix_rt::test]
async fn each_role_gets_its_own_subtree_or_nothing() {
    let y = year().await;
    let app = &y.app;
    let lyckeby = app.unit_id("Lyckeby skola").await;
    let utb = app.unit_id("Utbildningsförvaltningen").await;
    // Petra manages Lyckeby skola: her school by default, two reports; not the administration.
    let petra = app.login_as("petra.lindgren@example.se").await;
    let own = yearly(app, Some(&petra), "year=2019").await;
    assert_eq!(own.status, 200, "{}", own.raw);
    assert_eq!(own.body["unit"]["id"], lyckeby.as_str());
    assert_eq!(own.body["cases"]["reporting"]["reports"], 2);
    assert_eq!(own.body["costs"]["total"]["net_ore"], 8_000_00);
    yearly(app, Some(&petra), &format!("year=2019&unit={utb}"))
        .await
        .assert_problem(403);
    // Fredrik manages the sibling school: his one report, never Lyckeby's.
    let fredrik = app.login_as("fredrik.dahl@example.se").await;
    let sibling = yearly(app, Some(&fredrik), "year=2019").await;
    assert_eq!(sibling.body["cases"]["reporting"]["reports"], 1);
    assert_eq!(sibling.body["cases"]["vision"][1]["count"], 0);
    yearly(app, Some(&fredrik), &format!("year=2019&unit={lyckeby}"))
        .await
        .assert_problem(403);
    // Jonas manages Grundskola: both schools.
    let jonas = app.login_as("jonas.blom@example.se").await;
    let line = yearly(app, Some(&jonas), "year=2019").await;
    assert_eq!(line.body["cases"]["reporting"]["reports"], 3);
    // Finance: the group's costs and nothing about the cases.
    let finance = app.login_as(FINANCE).await;
    let money = yearly(app, Some(&finance), "year=2019").await;
    assert_eq!(money.status, 200, "{}", money.raw);
    assert!(money.body["cases"].is_null(), "{}", money.raw);
    assert_eq!(money.body["costs"]["total"]["net_ore"], 13_000_00);
    assert!(
        !money.raw.contains(&y.l1),
        "finance sees no case references"
    );
    // A skyddsombud, an employee who reported, and nobody at all.
    for who in ["skyddsombud.lyckebyskola@example.se", "eva.ek@example.se"] {
        let cookie = app.login_as(who).await;
        yearly(app, Some(&cookie), "year=2019")
            .await
            .assert_problem(403);
    }
    yearly(app, None, "year=2019").await.assert_problem(401);
}

#[actix_rt::test]
async fn bad_parameters_are_named() {
    let app = spawn_app_with(&[("TILLBUD_WORKER_ENABLED", "false")]).await;
    let coordinator = app.login_as(COORDINATOR).await;
    for (query, field) in [
        ("year=19", "year"),
        ("year=2019&from=2019-01&to=2019-12", "year"),
        ("from=2019-01", "to"),
        ("from=2019-01&to=2021-06", "to"),
        ("from=2019-05&to=2019-01", "to"),
        ("unit=nope", "unit"),
        ("format=xlsx", "format"),
        ("year=", "year"),
        ("format=", "format"),
        ("unit=", "unit"),
    ] {
        let r = yearly(&app, Some(&coordinator), query).await;
        r.assert_problem(422);
        assert!(
            r.field_errors().iter().any(|(f, _)| f == field),
            "{query}: {}",
            r.raw
        );
    }
    let unknown = uuid::Uuid::new_v4();
    yearly(&app, Some(&coordinator), &format!("unit={unknown}"))
        .await
        .assert_problem(422);
}
