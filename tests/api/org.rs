use std::process::Command;

use crate::helpers::{fresh_database, spawn_app, TestApp};

const HEADER: &str = "code,name,kind,parent_code,manager_name,manager_email,deputy_name,deputy_email,safety_rep_email\n";

#[actix_rt::test]
async fn the_demo_group_lists_active_units_without_personal_data() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/org-units").await;
    assert_eq!(r.status, 200);
    let items = r.body["items"].as_array().unwrap();
    assert!(items.len() >= 40, "{} units", items.len());
    for unit in items {
        let keys: Vec<&str> = unit
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 5, "{unit}");
        for key in ["id", "code", "name", "kind", "parent_id"] {
            assert!(keys.contains(&key), "{unit}");
        }
    }
    assert!(
        !r.raw.contains("@example.se"),
        "personal data in the unit list"
    );
    let roots: Vec<_> = items.iter().filter(|u| u["parent_id"].is_null()).collect();
    assert_eq!(roots.len(), 1);
    assert_eq!(roots[0]["kind"], "group");

    let id = app.unit_id("Lyckeby skola").await;
    let one = app.get(&format!("/api/v1/org-units/{id}")).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["code"], "UTB-GR-LYC");
    let unknown = format!("/api/v1/org-units/{}", uuid::Uuid::now_v7());
    app.assert_not_found(&[&unknown, "/api/v1/org-units/nope"])
        .await;
}

#[actix_rt::test]
async fn subtrees_come_from_the_closure_table() {
    let app = spawn_app().await;
    let utb = uuid::Uuid::parse_str(&app.unit_id("Utbildningsförvaltningen").await).unwrap();
    let lyckeby = app.unit_id("Lyckeby skola").await;
    let hemtjanst = app.unit_id("Hemtjänst Lyckeby").await;
    let ids = app
        .db
        .read(move |c| tillbud::db::org_units::subtree_ids(c, &utb))
        .await
        .unwrap();
    assert!(ids.contains(&utb.to_string()));
    assert!(ids.contains(&lyckeby));
    assert!(!ids.contains(&hemtjanst));
}

fn import(app: &TestApp, file_name: &str, text: &str) -> std::process::Output {
    import_with(app, file_name, text, &[])
}

fn import_with(
    app: &TestApp,
    file_name: &str,
    text: &str,
    env: &[(&str, &str)],
) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("tillbud-import-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(file_name);
    std::fs::write(&file, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tillbud"))
        .args(["org", "import"])
        .arg(&file)
        .env("TILLBUD_DATABASE_URL", &app.database_url)
        .envs(env.iter().copied())
        .output()
        .expect("run tillbud org import");
    let _ = std::fs::remove_dir_all(dir);
    out
}

async fn unit_count(app: &TestApp) -> i64 {
    app.db.read(tillbud::db::org_units::count).await.unwrap()
}

#[actix_rt::test]
async fn import_creates_then_updates_by_code_without_duplicates() {
    let app = spawn_app().await;
    let before = unit_count(&app).await;
    let csv = format!(
        "{HEADER}NY,Nya förvaltningen,administration,KK,Nils Ny,nils.ny@example.se,,,\n\
         NY-1,Nya enheten,unit,NY,,,,,\n"
    );
    let out = import(&app, "units.csv", &csv);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 unit(s) created, 0 updated"));
    assert_eq!(unit_count(&app).await, before + 2);

    let json = r#"[{"code":"NY-1","name":"Omdöpta enheten","kind":"unit","parent_code":"UTB"}]"#;
    let out = import(&app, "units.json", json);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 unit(s) created, 1 updated"));
    assert_eq!(unit_count(&app).await, before + 2);

    let renamed = app.unit_id("Omdöpta enheten").await;
    let utb = uuid::Uuid::parse_str(&app.unit_id("Utbildningsförvaltningen").await).unwrap();
    let under_utb = app
        .db
        .read(move |c| tillbud::db::org_units::subtree_ids(c, &utb))
        .await
        .unwrap();
    assert!(
        under_utb.contains(&renamed),
        "moved unit not in its new parent's subtree"
    );
}

#[actix_rt::test]
async fn a_bad_row_is_reported_by_line_and_nothing_is_written() {
    let app = spawn_app().await;
    let before = unit_count(&app).await;
    let csv = format!(
        "{HEADER}A1,Första,unit,KK,,,,,\n\
         A2,Andra,unit,KK,,,,,\n\
         A3,Tredje,unit,KK,,inte-en-adress,,,\n"
    );
    let out = import(&app, "bad.csv", &csv);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 4") && stderr.contains("manager_email"),
        "{stderr}"
    );
    assert_eq!(unit_count(&app).await, before);

    let cycle = format!("{HEADER}C1,Ett,unit,C2,,,,,\nC2,Två,unit,C1,,,,,\n");
    let out = import(&app, "cycle.csv", &cycle);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("own ancestor"));
    let orphan = format!("{HEADER}O1,Föräldralös,unit,FINNS-INTE,,,,,\n");
    let out = import(&app, "orphan.csv", &orphan);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("FINNS-INTE"));
    assert_eq!(unit_count(&app).await, before);
}

#[test]
fn import_into_an_empty_database_then_migrate_again_is_a_no_op() {
    let (url, _cleanup) = fresh_database();
    let out = crate::helpers::run_cli(&["migrate"], &url);
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .count();
    assert!(migrations >= 2);
    let applied = format!("{migrations} migration(s) applied");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&applied),
        "expected {applied}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let again = Command::new(env!("CARGO_BIN_EXE_tillbud"))
        .arg("migrate")
        .env("TILLBUD_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 migration(s) applied"));
}

#[actix_rt::test]
async fn an_import_that_leaves_a_unit_unreachable_is_refused() {
    let app = spawn_app().await;
    let before = unit_count(&app).await;
    // A second root with no one in it: its reports would reach no one.
    let csv = format!("{HEADER}NYROT,Ny stiftelse,group,,,,,,\nNYROT-1,Kansliet,unit,NYROT,,,,,\n");
    let out = import(&app, "unreachable.csv", &csv);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("NYROT") && stderr.contains("TILLBUD_SAFETY_COORDINATORS"),
        "{stderr}"
    );
    assert_eq!(unit_count(&app).await, before);
    // With safety coordinators configured they are the fallback, and the import goes through.
    let out = import_with(
        &app,
        "unreachable.csv",
        &csv,
        &[("TILLBUD_SAFETY_COORDINATORS", "sakerhet@example.se")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(unit_count(&app).await, before + 2);
}

#[actix_rt::test]
async fn the_import_sets_manager_absences() {
    let app = spawn_app().await;
    let csv = "code,name,kind,parent_code,manager_name,manager_email,deputy_name,deputy_email,safety_rep_email,manager_away_from,manager_away_until\n\
               UTB-GR-LYC,Lyckeby skola,unit,UTB-GR,Petra Lindgren,petra.lindgren@example.se,Erik Hedlund,erik.hedlund@example.se,,2026-12-21,2027-01-06\n";
    let out = import(&app, "away.csv", csv);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let unit = app.unit_id("Lyckeby skola").await;
    let stored = app
        .db
        .read(move |c| tillbud::db::routing::absence(c, &unit))
        .await
        .unwrap();
    assert_eq!(
        stored,
        Some(("2026-12-21".to_owned(), "2027-01-06".to_owned()))
    );
    let bad = "code,name,kind,parent_code,manager_away_from,manager_away_until\nX1,X,unit,KK,2027-01-06,2026-12-21\n";
    let out = import(&app, "bad-away.csv", bad);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2"));
}
