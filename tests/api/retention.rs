//! Retention by decision: after the rule's period the case keeps its figures and loses every
//! piece of personal data; a dry run changes nothing; a `keep` rule keeps; an interrupted run
//! leaves no case half-done.

use serde_json::{json, Value};

use crate::attachments::{jpeg, multipart, BOUNDARY};
use crate::helpers::{fresh_database, spawn_app_at, spawn_app_with, wait_until, TestApp};

const RULES: &str = "near_miss=1y:KS 2026/123, informationshanteringsplan; accident=keep";
const NAME: &str = "Greta Personsson";
const PHONE: &str = "0701234567";
const COORDINATOR: &str = "mikael.strand@example.se";

/// A report full of personal data, with a photo, a reporter's comment and a cost; closed.
async fn personal_case(app: &TestApp, kind: &str, coordinator: &str) -> (String, String) {
    let mut body = app.valid_report().await;
    body["kind"] = json!(kind);
    body["title"] = json!(format!("{NAME} halkade i trappan"));
    body["description"] = json!(format!("{NAME} halkade i trappan och slog i knät."));
    body["location"] = json!("Trappan vid aulan");
    body["immediate_action"] = json!("Sandade trappan och ringde Greta hem");
    body["consequences"] = json!(["person"]);
    body["reporter"] =
        json!({"name": NAME, "email": "greta.personsson@example.se", "phone": PHONE});
    let created = app.post_incident(&body, None).await;
    assert_eq!(created.status, 201, "{}", created.raw);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let code = created.body["tracking_code"].as_str().unwrap().to_owned();
    let photo = app
        .request(
            "POST",
            &format!("/api/v1/track/{code}/attachments"),
            &[(
                "content-type",
                &format!("multipart/form-data; boundary={BOUNDARY}"),
            )],
            multipart(&[("file", &jpeg(64, 48))]),
        )
        .await;
    assert_eq!(photo.status, 201, "{}", photo.raw);
    let comment = crate::helpers::post_json(
        app,
        &format!("/api/v1/track/{code}/comments"),
        &[],
        json!({"text": "Greta har ont i knät fortfarande"}),
    )
    .await;
    assert_eq!(comment.status, 201, "{}", comment.raw);
    let cost = crate::costs::add(
        app,
        coordinator,
        &id,
        &crate::costs::entry("egendom", 123_400, "actual", "2026-11-20"),
    )
    .await;
    assert_eq!(cost.status, 201, "{}", cost.raw);
    app.set_status(&id, "closed").await;
    (id, code)
}

/// Every figure the statistics and the cost trends give, to compare before and after.
/// (The yearly follow-up of issue 12 belongs here too once it exists.)
async fn figures(app: &TestApp, coordinator: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for query in [
        "period=month&from=2026-01&to=2026-12&basis=both",
        "period=year&from=2025-01&to=2026-12&basis=both&group_by=category",
        "period=quarter&from=2026-01&to=2026-12&basis=actual&group_by=unit",
    ] {
        let r = crate::costs::trend(app, coordinator, query).await;
        out.push((format!("trends {query}"), r.body));
    }
    let cases = app
        .send_as(
            Some(coordinator),
            "GET",
            "/api/v1/costs/cases?from=2026-01&to=2026-12",
            None,
            None,
        )
        .await;
    assert_eq!(cases.status, 200, "{}", cases.raw);
    // The cost figures per case (titles and the occurred day are not figures).
    let per_case: Vec<Value> = cases.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            json!({
                "id": c["case"]["id"], "kind": c["case"]["kind"], "unit": c["case"]["unit"]["id"],
                "month": c["case"]["occurred_on"].as_str().map(|s| &s[..7]),
                "cost": c["cost_ore"], "recovery": c["recovery_ore"], "net": c["net_ore"],
                "claim": c["claim_state"],
            })
        })
        .collect();
    out.push(("cost cases".into(), json!(per_case)));
    // What a case counts by: kind, unit, status, consequences, risk, cause, month, duties.
    let list = app
        .send_as(
            Some(coordinator),
            "GET",
            "/api/v1/incidents?limit=100",
            None,
            None,
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.raw);
    let counted: Vec<Value> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            json!({
                "kind": c["kind"], "unit": c["org_unit_id"], "status": c["status"],
                "consequences": c["consequences"], "risk": c["risk_level"],
                "cause": c["cause_category"], "month": stockholm_month(&c["occurred_at"]),
                "duties": c["legal_duties"],
            })
        })
        .collect();
    out.push(("cases as counted".into(), json!(counted)));
    out
}

/// The Stockholm month of an RFC 3339 time, as every count by month uses it.
fn stockholm_month(at: &Value) -> Option<String> {
    let at: chrono::DateTime<chrono::Utc> = at.as_str()?.parse().ok()?;
    Some(
        tillbud::domain::calendar::stockholm_date(at)
            .format("%Y-%m")
            .to_string(),
    )
}

async fn case_json(app: &TestApp, coordinator: &str, id: &str, code: &str) -> String {
    let mut all = String::new();
    for path in [
        format!("/api/v1/incidents/{id}"),
        format!("/api/v1/incidents/{id}/events"),
        format!("/api/v1/incidents/{id}/actions"),
        format!("/api/v1/incidents/{id}/costs"),
    ] {
        let r = app
            .send_as(Some(coordinator), "GET", &path, None, None)
            .await;
        assert_eq!(r.status, 200, "{path}: {}", r.raw);
        all.push_str(&r.raw);
    }
    let tracked = app.get(&format!("/api/v1/track/{code}")).await;
    assert_eq!(tracked.status, 200, "{}", tracked.raw);
    all.push_str(&tracked.raw);
    all.push_str(&serde_json::to_string(&app.history(id).await).unwrap());
    for state in ["pending", "sending", "failed", "sent", "dead"] {
        let r = app
            .admin_get(&format!("/api/v1/admin/outbox?state={state}&limit=500"))
            .await;
        for item in r.body["items"].as_array().unwrap() {
            if item["incident_id"] == json!(id) {
                all.push_str(&item.to_string());
            }
        }
    }
    all
}

fn assert_no_personal_data(text: &str) {
    for needle in [
        "greta",
        "personsson",
        PHONE,
        "trappan",
        "sandade",
        "knät",
        "@",
    ] {
        assert!(
            !text.to_lowercase().contains(needle),
            "{needle:?} is still there: {text}"
        );
    }
}

#[actix_rt::test]
async fn past_its_rule_a_case_keeps_its_figures_and_loses_its_personal_data() {
    let app = spawn_app_with(&[
        ("TILLBUD_RETENTION_RULES", RULES),
        ("TILLBUD_ADMIN_TOKEN", crate::helpers::ADMIN_TOKEN),
    ])
    .await;
    let coordinator = app.login_as(COORDINATOR).await;
    let (id, code) = personal_case(&app, "near_miss", &coordinator).await;
    let (kept_id, kept_code) = personal_case(&app, "accident", &coordinator).await;
    let photo = app.get(&format!("/api/v1/track/{code}")).await.body["photos"][0]["id"]
        .as_str()
        .map(str::to_owned);
    let before = figures(&app, &coordinator).await;
    assert!(case_json(&app, &coordinator, &id, &code)
        .await
        .contains(NAME));

    // Two years on, the worker's daily run anonymises the near-miss.
    app.clock.advance(chrono::Duration::days(2 * 366));
    wait_until("the case anonymised", 30, || async {
        crate::helpers::count_events(&app.history(&id).await, "anonymised") == 1
    })
    .await;
    let coordinator = app.login_as(COORDINATOR).await;
    let after = figures(&app, &coordinator).await;
    for ((name, b), (_, a)) in before.iter().zip(&after) {
        assert_eq!(b, a, "{name} changed");
    }

    let text = case_json(&app, &coordinator, &id, &code).await;
    assert_no_personal_data(&text);
    assert!(
        text.contains("enligt KS 2026/123, informationshanteringsplan"),
        "{text}"
    );
    let history = app.history(&id).await;
    let event = crate::helpers::find_event(&history, "anonymised");
    assert_eq!(
        event["data"]["rule"]["decision"],
        "KS 2026/123, informationshanteringsplan"
    );
    assert_eq!(event["data"]["rule"]["kind"], "near_miss");
    let case = app
        .send_as(
            Some(&coordinator),
            "GET",
            &format!("/api/v1/incidents/{id}"),
            None,
            None,
        )
        .await;
    let occurred = case.body["occurred_at"].as_str().unwrap().to_owned();
    assert!(
        occurred.ends_with("T23:00:00Z") || occurred.ends_with("T22:00:00Z"),
        "{occurred}"
    );
    // Photos are gone.
    if let Some(photo) = photo {
        let r = app
            .get(&format!("/api/v1/track/{code}/attachments/{photo}"))
            .await;
        assert_eq!(r.status, 404, "{}", r.raw);
    }
    // A search by the reporter's name finds only the case that a `keep` rule keeps.
    let found = app
        .send_as(
            Some(&coordinator),
            "GET",
            "/api/v1/incidents?q=Personsson",
            None,
            None,
        )
        .await;
    let ids = crate::helpers::strings(&found.body["items"], "id");
    assert_eq!(ids, [kept_id.as_str()], "{}", found.raw);
    assert!(case_json(&app, &coordinator, &kept_id, &kept_code)
        .await
        .contains(PHONE));
}

fn cli(args: &[&str], database_url: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_tillbud"))
        .args(args)
        .env_remove("TILLBUD_CONFIG")
        .env("TILLBUD_DATABASE_URL", database_url)
        .env("TILLBUD_RETENTION_RULES", RULES)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run tillbud")
}

/// Moves every case's closing two years back (the CLI runs on the real clock).
async fn close_long_ago(app: &TestApp) {
    app.db
        .write(|c| {
            use diesel::prelude::*;
            use tillbud::db::schema::incidents as i;
            let long_ago = (chrono::Utc::now() - chrono::Duration::days(800)).naive_utc();
            diesel::update(i::table)
                .set(i::updated_at.eq(long_ago))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
}

#[actix_rt::test]
async fn a_dry_run_lists_per_rule_and_changes_nothing_and_the_run_is_idempotent() {
    let (url, cleanup) = fresh_database();
    let app = spawn_app_at(
        &url,
        Some(cleanup),
        &[
            ("TILLBUD_WORKER_ENABLED", "false"),
            ("TILLBUD_ADMIN_TOKEN", crate::helpers::ADMIN_TOKEN),
        ],
    )
    .await;
    let coordinator = app.login_as(COORDINATOR).await;
    let (id, code) = personal_case(&app, "near_miss", &coordinator).await;
    close_long_ago(&app).await;
    let before = case_json(&app, &coordinator, &id, &code).await;
    let dry = cli(&["retention", "run", "--dry-run"], &url);
    let out = String::from_utf8_lossy(&dry.stdout).into_owned();
    assert!(
        dry.status.success(),
        "{out} {}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(out.contains("near_miss (1 år, KS 2026/123, informationshanteringsplan): 1 case(s) would be anonymised"), "{out}");
    assert!(out.contains(&id), "{out}");
    assert!(out.contains("accident (bevaras"), "{out}");
    let unchanged = case_json(&app, &coordinator, &id, &code).await;
    // Only the admin list's own timestamps could differ; the case's data must not.
    assert!(unchanged.contains(NAME) && unchanged.contains(PHONE));
    assert_eq!(
        before.matches(NAME).count(),
        unchanged.matches(NAME).count()
    );

    let run = cli(&["retention", "run"], &url);
    let out = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(out.contains("1 case(s) anonymised in all"), "{out}");
    assert_no_personal_data(&case_json(&app, &coordinator, &id, &code).await);
    let again = cli(&["retention", "run"], &url);
    let out = String::from_utf8_lossy(&again.stdout).into_owned();
    assert!(out.contains("0 case(s) anonymised in all"), "{out}");
    assert_eq!(
        crate::helpers::count_events(&app.history(&id).await, "anonymised"),
        1
    );
}

#[actix_rt::test]
async fn a_run_killed_halfway_leaves_no_case_half_done() {
    let (url, cleanup) = fresh_database();
    let app = spawn_app_at(
        &url,
        Some(cleanup),
        &[
            ("TILLBUD_WORKER_ENABLED", "false"),
            ("TILLBUD_ADMIN_TOKEN", crate::helpers::ADMIN_TOKEN),
        ],
    )
    .await;
    let mut ids = Vec::new();
    for _ in 0..40 {
        let mut body = app.valid_report().await;
        body["reporter"] = json!({"name": NAME, "phone": PHONE});
        let created = app.post_incident(&body, None).await;
        assert_eq!(created.status, 201, "{}", created.raw);
        let id = created.body["id"].as_str().unwrap().to_owned();
        app.set_status(&id, "closed").await;
        ids.push(id);
    }
    close_long_ago(&app).await;
    // Killed after its first case, then run again.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tillbud"))
        .args(["retention", "run"])
        .env_remove("TILLBUD_CONFIG")
        .env("TILLBUD_DATABASE_URL", &url)
        .env("TILLBUD_RETENTION_RULES", RULES)
        .env("TILLBUD_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    while let Some(Ok(line)) = lines.next() {
        if line.contains("case anonymised") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let states = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            db.read(|c| {
                use diesel::prelude::*;
                use tillbud::db::schema::incidents as i;
                let rows: Vec<(
                    String,
                    Option<chrono::NaiveDateTime>,
                    Option<String>,
                    String,
                )> = i::table
                    .select((i::id, i::anonymised_at, i::reporter_name, i::description))
                    .load(c)?;
                Ok(rows)
            })
            .await
            .unwrap()
        }
    };
    let rows = states(&app).await;
    let done = rows
        .iter()
        .filter(|r| r.1.is_some() && ids.contains(&r.0))
        .count();
    eprintln!(
        "{done} of {} cases done when the run was killed",
        rows.len()
    );
    assert!(done >= 1);
    for (id, anonymised, name, description) in rows.iter().filter(|r| ids.contains(&r.0)) {
        // Wholly done or not at all.
        let whole = anonymised.is_some() && name.is_none() && description.starts_with("Gallrad ");
        let untouched = anonymised.is_none()
            && name.as_deref() == Some(NAME)
            && !description.starts_with("Gallrad ");
        assert!(whole || untouched, "case {id} is half-done");
        let events = crate::helpers::count_events(&app.history(id).await, "anonymised");
        assert_eq!(events, usize::from(anonymised.is_some()), "case {id}");
    }
    let rerun = cli(&["retention", "run"], &url);
    let out = String::from_utf8_lossy(&rerun.stdout).into_owned();
    assert!(out.contains("case(s) anonymised in all"), "{out}");
    assert!(states(&app)
        .await
        .iter()
        .filter(|r| ids.contains(&r.0))
        .all(|r| r.1.is_some() && r.2.is_none()));
}

#[actix_rt::test]
async fn a_coordinator_removes_reporter_data_or_a_passage_on_request() {
    let app = spawn_app_with(&[("TILLBUD_ADMIN_TOKEN", crate::helpers::ADMIN_TOKEN)]).await;
    let coordinator = app.login_as(COORDINATOR).await;
    let (id, code) = personal_case(&app, "near_miss", &coordinator).await;
    let path = format!("/api/v1/incidents/{id}/personal-data-removals");
    // Only a safety coordinator may.
    let manager = app.login_as("eva.ek@example.se").await;
    let body = json!({"what": "reporter", "reason": "Begäran enligt GDPR art. 17"});
    let refused = app
        .send_as(Some(&manager), "POST", &path, Some(&body), None)
        .await;
    assert_eq!(refused.status, 404, "{}", refused.raw);
    let bad = app
        .send_as(
            Some(&coordinator),
            "POST",
            &path,
            Some(&json!({"what": "passage", "reason": "x"})),
            None,
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.raw);

    let done = app
        .send_as(Some(&coordinator), "POST", &path, Some(&body), None)
        .await;
    assert_eq!(done.status, 200, "{}", done.raw);
    let text = case_json(&app, &coordinator, &id, &code).await;
    assert!(
        !text.contains(PHONE) && !text.contains("greta.personsson@"),
        "{text}"
    );
    // Again: nothing left to remove.
    let again = app
        .send_as(Some(&coordinator), "POST", &path, Some(&body), None)
        .await;
    assert_eq!(again.status, 409, "{}", again.raw);

    // A name written into the free texts by mistake.
    let passage = json!({"what": "passage", "passage": NAME, "reason": "Namn skrivet av misstag"});
    let redacted = app
        .send_as(Some(&coordinator), "POST", &path, Some(&passage), None)
        .await;
    assert_eq!(redacted.status, 200, "{}", redacted.raw);
    let text = case_json(&app, &coordinator, &id, &code).await;
    assert!(!text.contains(NAME), "{text}");
    assert!(text.contains("[borttaget "), "{text}");
    let history = app.history(&id).await;
    assert_eq!(
        crate::helpers::count_events(&history, "personal_data_removed"),
        2
    );
    let event = crate::helpers::find_event(&history, "personal_data_removed");
    assert_eq!(event["data"]["reason"], "Begäran enligt GDPR art. 17");
}

#[actix_rt::test]
async fn the_privacy_page_states_the_configured_rules_in_both_languages() {
    let app = spawn_app_with(&[("TILLBUD_RETENTION_RULES", RULES)]).await;
    let page = app.get("/personuppgifter").await;
    assert_eq!(page.status, 200);
    assert!(page.content_type().starts_with("text/html"));
    for text in [
        "Tillbud: 1 år efter att ärendet avslutats (KS 2026/123, informationshanteringsplan)",
        "bevaras (gallras inte)",
        "1 year after the case is closed",
        "anonymt</strong> sparas ingenting",
        "arbetsmiljölagen 3 kap. 3 a §",
        "socialförsäkringsbalken 42 kap. 10 §",
    ] {
        assert!(
            page.raw.to_lowercase().contains(&text.to_lowercase()),
            "{text}: {}",
            page.raw
        );
    }
    let form = app.get("/").await;
    assert!(form.raw.contains("href=\"/personuppgifter\""));
    let none = spawn_app_with(&[]).await;
    assert!(none
        .get("/personuppgifter")
        .await
        .raw
        .contains("Inga gallringsregler"));
}
