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
