//! The binary itself: bad configuration fails at start with one line naming the setting.

use std::process::Command;

#[test]
fn bad_configuration_fails_with_one_line_naming_the_setting() {
    let out = Command::new(env!("CARGO_BIN_EXE_tillbud"))
        .arg("migrate")
        .env("TILLBUD_LISTEN", "somewhere")
        .output()
        .expect("run tillbud");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("TILLBUD_LISTEN") && stderr.contains("listen"),
        "{stderr}"
    );
}

#[test]
fn the_committed_readme_documents_every_setting() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for setting in tillbud::config::SETTINGS {
        let var = tillbud::config::env_name(setting.key);
        assert!(readme.contains(&var), "README does not document {var}");
    }
}

#[actix_rt::test]
async fn stats_counts_what_the_database_holds() {
    let app = crate::helpers::spawn_app().await;
    let stats = || {
        let out = crate::helpers::run_cli(&["stats"], &app.database_url);
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let before = app.incident_count().await;
    // The demo holds handled (closed) cases with costs too.
    let open_before = stats()["open_incidents"].as_i64().unwrap();
    assert!(open_before < before, "{open_before} open of {before}");
    for _ in 0..2 {
        let r = app.post_incident(&app.valid_report().await, None).await;
        assert_eq!(r.status, 201, "{}", r.raw);
    }
    let counts = stats();
    assert_eq!(counts["incidents"], before + 2);
    assert_eq!(counts["open_incidents"], open_before + 2);
    assert_eq!(counts["attachments"], 0);
    assert!(counts["org_units"].as_i64().unwrap() > 10);
}
