//! Demo mode only on a database that demo mode seeded: its users (an administrator among
//! them) log in with one click, so they must never appear beside real data.

use diesel::prelude::*;
use serde_json::json;

use crate::binary::Server;
use crate::helpers::{fresh_database, spawn_app};

const ONE_REAL_UNIT: &str = "code,name,kind,parent_code,manager_name,manager_email,deputy_name,deputy_email,safety_rep_email\n\
    KK,Karlskrona kommun,group,,Anna Chef,anna.chef@karlskrona.se,,,\n";

fn import_real_units(database_url: &str) {
    let dir = std::env::temp_dir().join(format!("tillbud-real-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("enheter.csv");
    std::fs::write(&file, ONE_REAL_UNIT).unwrap();
    let out = std::process::Command::new(crate::binary::path())
        .args(["org", "import"])
        .arg(&file)
        .env("TILLBUD_DATABASE_URL", database_url)
        .output()
        .expect("run tillbud org import");
    let _ = std::fs::remove_dir_all(dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn user_count(database_url: &str) -> i64 {
    let settings = crate::helpers::test_settings(database_url, &[]);
    let db = tillbud::db::Db::from_settings(&settings).unwrap();
    db.read_blocking(|c| {
        Ok(tillbud::db::schema::users::table
            .count()
            .get_result::<i64>(c)?)
    })
    .unwrap()
}

#[test]
fn serve_demo_refuses_a_database_that_demo_mode_did_not_seed() {
    let (database_url, _cleanup) = fresh_database();
    import_real_units(&database_url);
    for (args, env) in [
        (vec!["--demo"], vec![]),
        (vec![], vec![("TILLBUD_DEMO", "true")]),
    ] {
        let exit = match Server::try_start(&database_url, &args, &env) {
            Ok(_) => panic!("demo mode started on a database with real data ({args:?} {env:?})"),
            Err(exit) => exit,
        };
        assert!(
            exit.code.is_some_and(|c| c != 0),
            "exit code {:?}",
            exit.code
        );
        let refusal: Vec<&String> = exit
            .lines
            .iter()
            .filter(|l| l.contains("refusing --demo"))
            .collect();
        assert_eq!(refusal.len(), 1, "{:#?}", exit.lines);
        assert!(
            refusal[0].contains("not seeded by demo mode"),
            "{}",
            refusal[0]
        );
    }
    // No demo user was created on the way.
    assert_eq!(user_count(&database_url), 0);
}

#[test]
fn serve_demo_seeds_an_empty_database_and_starts_on_it_again() {
    let (database_url, _cleanup) = fresh_database();
    let first = Server::start(&database_url, &["--demo"], &[]);
    drop(first);
    assert!(user_count(&database_url) >= 8);
    // A restart finds its own demo database and starts.
    let _again = Server::start(&database_url, &["--demo"], &[]);
}

#[actix_rt::test]
async fn demo_logins_exist_only_on_a_database_that_demo_mode_seeded() {
    let app = spawn_app().await;
    assert_eq!(app.get("/api/v1/auth/demo-users").await.status, 200);
    // The same demo-mode server on a database without the mark (e.g. demo mode switched on
    // for a real database some other way) offers no demo login.
    app.db
        .write(|c| {
            diesel::delete(tillbud::db::schema::app_meta::table).execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    app.get("/api/v1/auth/demo-users").await.assert_problem(404);
    app.request(
        "POST",
        "/api/v1/auth/demo-login",
        &[
            ("content-type", "application/json"),
            ("Sec-Fetch-Site", "same-origin"),
        ],
        json!({ "email": "admin@example.se" })
            .to_string()
            .into_bytes(),
    )
    .await
    .assert_problem(404);
}
