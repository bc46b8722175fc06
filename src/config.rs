//! Layered settings: built-in defaults → optional TOML file → `TILLBUD_*` environment variables.
//!
//! Every setting is declared once in [`SETTINGS`] (name, default, meaning); the README table is
//! checked against it by a test. A bad value stops the program at start with one line naming
//! the setting and where its value came from.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One setting: its key (in the config file; the environment variable is `TILLBUD_` + upper
/// case), its default, and what it means.
pub struct SettingDoc {
    pub key: &'static str,
    pub default: &'static str,
    pub meaning: &'static str,
}

pub const SETTINGS: &[SettingDoc] = &[
    SettingDoc { key: "listen", default: "127.0.0.1:8080", meaning: "Address and port the HTTP server binds to." },
    SettingDoc { key: "database_url", default: "data/tillbud.db", meaning: "A SQLite file path (optionally `sqlite://PATH`), or a `postgres://` URL to use PostgreSQL." },
    SettingDoc { key: "database_pool_size", default: "8", meaning: "Database connections per instance." },
    SettingDoc { key: "sqlite_synchronous", default: "full", meaning: "SQLite `synchronous` pragma: `full` (a 201 survives power loss) or `normal` (survives a crash of tillbud, may lose the last commits on power loss)." },
    SettingDoc { key: "base_url", default: "http://127.0.0.1:8080", meaning: "Public URL of the service, used in links (tracking page, e-mails)." },
    SettingDoc { key: "demo", default: "false", meaning: "Seed a demo organisation when the database is empty (same as `serve --demo`)." },
    SettingDoc { key: "workers", default: "0", meaning: "HTTP worker threads; 0 means one per CPU core." },
    SettingDoc { key: "log_format", default: "text", meaning: "`text` for people, `json` for log collectors. The level is set with `RUST_LOG` (default `info`)." },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteSync {
    Full,
    Normal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database_url: String,
    pub database_pool_size: u32,
    pub sqlite_synchronous: SqliteSync,
    pub base_url: String,
    pub demo: bool,
    pub workers: usize,
    pub log_format: LogFormat,
    /// How long a request waits for a database connection before answering 503.
    pub db_acquire_timeout: Duration,
}

/// Where a value came from, for error messages.
#[derive(Debug, Clone)]
enum Source {
    Default,
    File(PathBuf),
    Env(String),
}

impl Source {
    fn describe(&self, key: &str) -> String {
        match self {
            Source::Default => format!("setting {key} (default)"),
            Source::File(p) => format!("setting {key} (in {})", p.display()),
            Source::Env(var) => format!("setting {key} (from {var})"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

pub fn env_name(key: &str) -> String {
    format!("TILLBUD_{}", key.to_ascii_uppercase())
}

impl Settings {
    /// Loads settings from the optional file and the process environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        Self::load_from(file, &env)
    }

    /// Loads settings from an explicit environment (tests use this).
    pub fn load_from(
        file: Option<&Path>,
        env: &BTreeMap<String, String>,
    ) -> Result<Settings, ConfigError> {
        let mut values: BTreeMap<&'static str, (String, Source)> = SETTINGS
            .iter()
            .map(|s| (s.key, (s.default.to_owned(), Source::Default)))
            .collect();

        let file = file
            .map(Path::to_path_buf)
            .or_else(|| env.get("TILLBUD_CONFIG").map(PathBuf::from));
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| ConfigError(format!("config file {}: {e}", path.display())))?;
            let table: toml::Table = toml::from_str(&text)
                .map_err(|e| ConfigError(format!("config file {}: {e}", path.display())))?;
            for (key, value) in table {
                let Some(doc) = SETTINGS.iter().find(|s| s.key == key) else {
                    return Err(ConfigError(format!(
                        "config file {}: unknown setting {key}",
                        path.display()
                    )));
                };
                let text = match value {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    _ => {
                        return Err(ConfigError(format!(
                            "config file {}: setting {key} must be a string, number or boolean",
                            path.display()
                        )))
                    }
                };
                values.insert(doc.key, (text, Source::File(path.clone())));
            }
        }

        for doc in SETTINGS {
            let var = env_name(doc.key);
            if let Some(v) = env.get(&var) {
                values.insert(doc.key, (v.clone(), Source::Env(var)));
            }
        }

        let get = |key: &str| -> (&str, &Source) {
            let (v, s) = &values[key];
            (v.as_str(), s)
        };
        let bad = |key: &str, why: String| {
            let (_, source) = get(key);
            ConfigError(format!("invalid {}: {why}", source.describe(key)))
        };

        let listen = {
            let (v, _) = get("listen");
            v.parse::<SocketAddr>().map_err(|_| {
                bad(
                    "listen",
                    format!("'{v}' is not an address like 127.0.0.1:8080"),
                )
            })?
        };
        let database_url = get("database_url").0.trim().to_owned();
        if database_url.is_empty() {
            return Err(bad("database_url", "it is empty".into()));
        }
        let database_pool_size = {
            let (v, _) = get("database_pool_size");
            match v.parse::<u32>() {
                Ok(n) if (1..=512).contains(&n) => n,
                _ => {
                    return Err(bad(
                        "database_pool_size",
                        format!("'{v}' is not a number from 1 to 512"),
                    ))
                }
            }
        };
        let sqlite_synchronous = match get("sqlite_synchronous").0.to_ascii_lowercase().as_str() {
            "full" => SqliteSync::Full,
            "normal" => SqliteSync::Normal,
            v => {
                return Err(bad(
                    "sqlite_synchronous",
                    format!("'{v}' is neither full nor normal"),
                ))
            }
        };
        let base_url = {
            let v = get("base_url").0.trim().trim_end_matches('/');
            if !(v.starts_with("http://") || v.starts_with("https://")) || v.len() < 10 {
                return Err(bad("base_url", format!("'{v}' is not an http(s) URL")));
            }
            v.to_owned()
        };
        let demo =
            parse_bool(get("demo").0).ok_or_else(|| bad("demo", "use true or false".into()))?;
        let workers = {
            let (v, _) = get("workers");
            v.parse::<usize>()
                .ok()
                .filter(|n| *n <= 256)
                .ok_or_else(|| bad("workers", format!("'{v}' is not a number from 0 to 256")))?
        };
        let log_format = match get("log_format").0.to_ascii_lowercase().as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            v => return Err(bad("log_format", format!("'{v}' is neither text nor json"))),
        };

        Ok(Settings {
            listen,
            database_url,
            database_pool_size,
            sqlite_synchronous,
            base_url,
            demo,
            workers,
            log_format,
            db_acquire_timeout: Duration::from_secs(5),
        })
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_load() {
        let s = Settings::load_from(None, &env(&[])).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.sqlite_synchronous, SqliteSync::Full);
        assert!(!s.demo);
    }

    #[test]
    fn env_overrides_file_overrides_default() {
        let dir = std::env::temp_dir().join(format!("tillbud-cfg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("tillbud.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\ndemo = true\nworkers = 2\n",
        )
        .unwrap();
        let s = Settings::load_from(Some(&file), &env(&[("TILLBUD_WORKERS", "3")])).unwrap();
        assert_eq!(s.listen.port(), 9000);
        assert!(s.demo);
        assert_eq!(s.workers, 3);
    }

    #[test]
    fn bad_values_name_the_setting_and_source() {
        let e = Settings::load_from(None, &env(&[("TILLBUD_LISTEN", "nope")])).unwrap_err();
        assert!(
            e.0.contains("listen") && e.0.contains("TILLBUD_LISTEN"),
            "{}",
            e.0
        );
        let e = Settings::load_from(None, &env(&[("TILLBUD_BASE_URL", "ftp://x")])).unwrap_err();
        assert!(e.0.contains("base_url"), "{}", e.0);
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        let dir = std::env::temp_dir().join(format!("tillbud-cfg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("tillbud.toml");
        std::fs::write(&file, "lisen = \"0.0.0.0:9000\"\n").unwrap();
        let e = Settings::load_from(Some(&file), &env(&[])).unwrap_err();
        assert!(e.0.contains("unknown setting lisen"), "{}", e.0);
    }
}
