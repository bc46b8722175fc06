//! Layered settings: built-in defaults → optional TOML file → `TILLBUD_*` environment variables.
//!
//! Every setting is declared once in [`SETTINGS`] (name, default, meaning); the README table is
//! checked against it by a test. A bad value stops the program at start with one line naming
//! the setting and where its value came from.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub mod oidc;

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
    SettingDoc { key: "demo", default: "false", meaning: "Seed a demo organisation when the database is empty (same as `serve --demo`); refused on a database with data demo mode did not seed." },
    SettingDoc { key: "workers", default: "0", meaning: "HTTP worker threads; 0 means one per CPU core." },
    SettingDoc { key: "photo_decoders", default: "0", meaning: "Photos decoded at once across the process; 0 means one per CPU core. As many again wait up to 2 s for a turn; beyond that an upload is answered 503 with `Retry-After`." },
    SettingDoc { key: "photo_max_decode_mb", default: "72", meaning: "Memory (MiB) one photo may need to decode, read from its header before decoding: width × height × bytes per pixel, plus a progressive JPEG's coefficients and a WebP's working frame. A 12-megapixel photo is 36 MB in RGB. Larger photos get 422 `dimensions`." },
    SettingDoc { key: "photo_rate_limit", default: "20", meaning: "Photo uploads one case (tracking code) may receive per 15 minutes, refused ones included; more get 429." },
    SettingDoc { key: "log_format", default: "text", meaning: "`text` for people, `json` for log collectors. The level is set with `RUST_LOG` (default `info`)." },
    SettingDoc { key: "mail_transport", default: "file", meaning: "`file` writes each mail as an `.eml` file under `mail_dir` (no mail server needed); `smtp` sends through the SMTP server below." },
    SettingDoc { key: "mail_dir", default: "data/mail", meaning: "Folder for `.eml` files when `mail_transport` is `file`." },
    SettingDoc { key: "mail_from", default: "tillbud <tillbud@localhost>", meaning: "Sender of every mail, e.g. `Tillbud <tillbud@karlskrona.se>`." },
    SettingDoc { key: "mail_reply_to", default: "", meaning: "Optional Reply-To address, e.g. the safety coordinators' shared mailbox." },
    SettingDoc { key: "smtp_host", default: "localhost", meaning: "SMTP server (with `mail_transport = smtp`)." },
    SettingDoc { key: "smtp_port", default: "587", meaning: "SMTP port: usually 587 with `starttls`, 465 with `tls`, 25 with `none`." },
    SettingDoc { key: "smtp_tls", default: "starttls", meaning: "`starttls`, `tls` (implicit TLS) or `none` (only for a local test server)." },
    SettingDoc { key: "smtp_username", default: "", meaning: "SMTP user name; empty sends without authentication." },
    SettingDoc { key: "smtp_password", default: "", meaning: "SMTP password (with `smtp_username`)." },
    SettingDoc { key: "smtp_timeout_secs", default: "30", meaning: "Timeout of one SMTP conversation, in seconds." },
    SettingDoc { key: "safety_coordinators", default: "", meaning: "Comma-separated e-mail addresses of the safety coordinators: alerted at once for extraordinary events, and the fallback when no one in the line can receive a report." },
    SettingDoc { key: "safety_rep_kinds", default: "threat_violence,accident,work_illness,commuting_accident", meaning: "Comma-separated report kinds for which the unit's skyddsombud gets a copy (always also for the `person` consequence)." },
    SettingDoc { key: "admin_token", default: "", meaning: "Bearer token for `/api/v1/admin/*` (at least 16 characters). Empty: the admin API answers 404." },
    SettingDoc { key: "ack_secret", default: "", meaning: "Secret key (at least 32 characters) that signs acknowledgement links. Empty: a random key per start, with a warning: links in mails sent before a restart stop working." },
    SettingDoc { key: "ack_link_days", default: "30", meaning: "Days an acknowledgement link in a mail stays valid." },
    SettingDoc { key: "ack_deadline_serious_hours", default: "4", meaning: "Hours to acknowledge a serious report (extraordinary event) before a reminder; as long again before escalation one level up." },
    SettingDoc { key: "ack_deadline_working_days", default: "2", meaning: "Swedish working days to acknowledge any other report before a reminder; as long again before escalation." },
    SettingDoc { key: "worker_enabled", default: "true", meaning: "Run the mail worker (outbox, reminders, escalations) inside `serve`. Turn off when separate `tillbud worker` processes send." },
    SettingDoc { key: "worker_poll_ms", default: "1000", meaning: "How often the worker looks for due mail and deadlines, in milliseconds (a new report wakes it at once)." },
    SettingDoc { key: "outbox_batch", default: "16", meaning: "Mails one worker claims and sends concurrently per round." },
    SettingDoc { key: "outbox_lease_secs", default: "30", meaning: "How long a claimed mail is reserved for one worker before another may take it; the worker renews it every third of this while it sends, so a crashed worker's mail goes again after at most this (plus one poll)." },
    SettingDoc { key: "outbox_sent_days", default: "30", meaning: "Days a sent mail is kept in the outbox before the worker deletes it (the case's history keeps a `mail_sent` event: purpose, role and when)." },
    SettingDoc { key: "retention_rules", default: "", meaning: "Retention by decision: `kind=period:decision` separated by `;`, period `5y`, `18m`, `2y6m` or `keep`, e.g. `accident=10y:KS 2026/123, informationshanteringsplan; near_miss=2y:KS 2026/123; security=keep`. A closed case of a kind with a rule has its personal data removed once the period after closing has passed (see Retention). No rule, no removal." },
    SettingDoc { key: "outbox_retry_base_ms", default: "30000", meaning: "First retry delay after a failed send; doubles per attempt, with ±25 % jitter." },
    SettingDoc { key: "outbox_retry_max_ms", default: "3600000", meaning: "Longest delay between two attempts." },
    SettingDoc { key: "session_idle_minutes", default: "480", meaning: "A login session ends after this many minutes without a request." },
    SettingDoc { key: "session_max_days", default: "7", meaning: "A login session ends this many days after login, however active." },
    SettingDoc { key: "login_link_minutes", default: "15", meaning: "How long a mailed login link stays valid (it works once)." },
    SettingDoc { key: "login_domains", default: "", meaning: "Comma-separated mail domains whose addresses may log in as employees (e.g. `karlskrona.se`); in demo mode, when empty, `example.se`. Managers, deputies, skyddsombud (from the org tree), coordinators and existing users may always." },
    SettingDoc { key: "login_rate_limit", default: "5", meaning: "Login links one e-mail address may ask for from one client address per 15 minutes (a successful login starts its count afresh), and one client address four times as many in all; more get 429." },
    SettingDoc { key: "oidc_issuer", default: "", meaning: "Issuer URL of the municipality's OpenID Connect provider (discovery at `…/.well-known/openid-configuration`), e.g. `https://login.microsoftonline.com/TENANT-ID/v2.0` for Entra ID. Empty: no single sign-on." },
    SettingDoc { key: "oidc_client_id", default: "", meaning: "The client (application) id tillbud is registered with at the provider. Required with `oidc_issuer`." },
    SettingDoc { key: "oidc_client_secret", default: "", meaning: "The client secret; empty for a public client (PKCE only). Never logged." },
    SettingDoc { key: "oidc_scopes", default: "openid email profile", meaning: "Scopes asked for, space-separated (`openid` is always sent)." },
    SettingDoc { key: "oidc_email_claim", default: "email", meaning: "The ID token claim that holds the work e-mail: `email`, or for Entra ID often `preferred_username` or `upn`. Matched to users without regard to case." },
    SettingDoc { key: "oidc_group_claim", default: "", meaning: "Optional ID token claim with the person's groups (Entra ID: `groups`, with group object ids). Empty: roles come only from tillbud." },
    SettingDoc { key: "oidc_group_roles", default: "", meaning: "Groups mapped to roles, `group=role` comma-separated, role one of `coordinator`, `finance`, `admin` (e.g. `5c1e…=coordinator,9a0b…=finance`). The roles last as long as the session; a mapped group also lets its members log in." },
    SettingDoc { key: "oidc_staff_mailed_link", default: "true", meaning: "With single sign-on configured: may staff (managers, deputies, skyddsombud, coordinators, finance, admins) still log in with a mailed link? `false` sends them to the municipal account; employees keep the link." },
    SettingDoc { key: "oidc_timeout_secs", default: "10", meaning: "Timeout of one request to the provider (discovery, keys, token exchange), in seconds." },
    SettingDoc { key: "action_reminder_days_before", default: "3", meaning: "Calendar days (Europe/Stockholm) before a corrective action's due date when its owner is reminded; 0 reminds on the due date itself." },
    SettingDoc { key: "action_escalation_days", default: "7", meaning: "Calendar days after its due date when an unfinished corrective action is escalated to the case's responsible manager (the owner is reminded on the first overdue day)." },
    SettingDoc { key: "cause_categories", default: "teknik,organisation,arbetsmiljö,människa,extern", meaning: "Comma-separated cause categories a manager picks from when classifying a case (`PATCH /api/v1/incidents/{id}`, `GET /api/v1/cause-categories`)." },
    SettingDoc { key: "cost_categories", default: crate::domain::cost::DEFAULT_CATEGORIES, meaning: "Cost categories, `code:direction:svenska:English` separated by `;`; direction `cost` or `recovery`. Codes are stored with each entry: rename the names freely, never reuse a code for something else. See Damage costs." },
    SettingDoc { key: "cost_export_max_rows", default: "10000", meaning: "The most rows one CSV or XLSX export of the finance desk may have (counted before the file is built; more is a 422 asking for a shorter range)." },
    SettingDoc { key: "report_rate_limit_client", default: "60", meaning: "Reports one client address may send per hour (a whole office behind one address shares it); more get 429 with Retry-After. The web form keeps a refused report and sends it again later." },
    SettingDoc { key: "report_rate_limit_reporter", default: "10", meaning: "Reports naming one reporter e-mail address may be sent per hour (a logged-in reporter giving their own address is counted as themselves, so others cannot use it up); more get 429." },
    SettingDoc { key: "receipts_to_any_address", default: "false", meaning: "Send the reporter's receipt to whatever address they give. `false`: only to addresses in `login_domains` and to a logged-in reporter's own address, so the service cannot be made to mail strangers." },
    SettingDoc { key: "trusted_proxies", default: "", meaning: "Comma-separated IP addresses or CIDR networks (e.g. `10.0.0.0/8`) of the load balancers or reverse proxies in front of tillbud. Only from these is the client's address (for rate limits) taken from the forwarded header, and the scheme and host (for the same-origin check); from anyone else those headers are ignored." },
    SettingDoc { key: "forwarded_header", default: "x-forwarded-for", meaning: "Which header the trusted proxies set: `x-forwarded-for` (with `X-Forwarded-Proto` and `X-Forwarded-Host`) or `forwarded` (RFC 7239)." },
    SettingDoc { key: "municipality_name", default: "Karlskrona kommun", meaning: "The municipality's name, printed on the yearly follow-up and the open statistics." },
    SettingDoc { key: "large_loss_kronor", default: "1000000", meaning: "A case whose net damage cost (actual costs minus recoveries) reaches this many kronor is a large loss of economic value against the vision in the yearly follow-up." },
    SettingDoc { key: "stats_threshold", default: "5", meaning: "Open statistics: a count below this (and a cost sum of fewer cases) is shown as `< 5`, never as its number; at least 3." },
    SettingDoc { key: "stats_licence", default: "CC0 1.0 Universell (https://creativecommons.org/publicdomain/zero/1.0/deed.sv)", meaning: "The licence line published with the open statistics (JSON, CSV and the page)." },
    SettingDoc { key: "stats_refresh_minutes", default: "15", meaning: "How often the worker recomputes the statistics rollup and the open statistics from the cases; the figures are as old as this at most, and say when they were computed." },
    SettingDoc { key: "outbox_max_attempts", default: "30", meaning: "Attempts before a mail is marked dead (the default is about a day of trying). A permanent (5xx) answer makes it dead after at most 3 attempts." },
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
    pub mail: MailSettings,
    pub auth: AuthSettings,
    /// The cause categories a case may be classified with, in the configured order.
    pub cause_categories: Vec<String>,
    pub photos: PhotoSettings,
    /// Cost categories (with their direction and names), in the configured order.
    pub cost_categories: crate::domain::cost::CostCategories,
    /// The most rows one cost export may have.
    pub cost_export_max_rows: i64,
    pub proxies: ProxySettings,
    pub report_limits: ReportLimits,
    /// Retention by decision, per report kind.
    pub retention: crate::domain::retention::RetentionRules,
    /// Single sign-on; `None` when no issuer is configured.
    pub oidc: Option<oidc::OidcSettings>,
    pub statistics: StatisticsSettings,
}

/// The yearly follow-up and the open statistics.
#[derive(Debug, Clone)]
pub struct StatisticsSettings {
    pub municipality_name: String,
    /// Net cost (öre) from which a case is a large loss.
    pub large_loss_ore: i64,
    pub threshold: i64,
    pub licence: String,
    pub refresh: Duration,
}

/// How many reports per hour one client address, and one reporter address, may send.
#[derive(Debug, Clone, Copy)]
pub struct ReportLimits {
    pub per_client: usize,
    pub per_reporter: usize,
}

/// Which forwarded header the trusted proxies set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardedHeader {
    XForwardedFor,
    Forwarded,
}

/// The proxies in front of tillbud, whose forwarded headers are believed.
#[derive(Debug, Clone)]
pub struct ProxySettings {
    pub trusted: crate::domain::network::TrustedProxies,
    pub header: ForwardedHeader,
}

/// Bounds on photo uploads.
#[derive(Debug, Clone)]
pub struct PhotoSettings {
    /// Concurrent decodes (already resolved: never 0).
    pub decoders: usize,
    pub max_decode_bytes: u64,
    /// Uploads per tracking code per 15 minutes.
    pub rate_limit: usize,
}

/// The mail domain of the demo organisation.
pub const DEMO_DOMAIN: &str = "example.se";

/// Login and session settings.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    pub session_idle: chrono::Duration,
    pub session_max: chrono::Duration,
    pub login_link_ttl: chrono::Duration,
    /// Lower-case mail domains whose addresses may log in as employees.
    pub login_domains: Vec<String>,
    pub login_rate_limit: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailTransportKind {
    File,
    Smtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    None,
    StartTls,
    Tls,
}

/// Mail, routing and deadline settings.
#[derive(Clone)]
pub struct MailSettings {
    pub transport: MailTransportKind,
    pub dir: PathBuf,
    pub from: String,
    pub reply_to: Option<String>,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub smtp_timeout: Duration,
    pub safety_coordinators: Vec<String>,
    pub safety_rep_kinds: Vec<crate::domain::IncidentKind>,
    pub admin_token: Option<String>,
    /// `None`: generate one at start.
    pub ack_secret: Option<String>,
    pub ack_link_days: u32,
    pub deadline_serious_hours: u32,
    pub deadline_working_days: u32,
    pub worker_enabled: bool,
    pub worker_poll: Duration,
    pub batch: usize,
    pub lease: Duration,
    pub retry_base: Duration,
    pub retry_max: Duration,
    pub max_attempts: u32,
    /// Days before a corrective action's due date when its owner is reminded.
    pub action_reminder_days_before: u32,
    /// Days after the due date when an unfinished action is escalated.
    pub action_escalation_days: u32,
    /// Receipts to any address, not only the login domains'.
    pub receipts_to_any_address: bool,
    /// Days a sent mail stays in the outbox.
    pub sent_days: u32,
}

// Secrets stay out of logs and panics.
impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("transport", &self.transport)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("worker_enabled", &self.worker_enabled)
            .finish_non_exhaustive()
    }
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

        let number = |key: &str, min: u64, max: u64| -> Result<u64, ConfigError> {
            let (v, _) = get(key);
            v.trim()
                .parse::<u64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| bad(key, format!("'{v}' is not a number from {min} to {max}")))
        };
        let optional = |key: &str| -> Option<String> {
            let v = get(key).0.trim();
            (!v.is_empty()).then(|| v.to_owned())
        };
        let transport = match get("mail_transport").0.trim().to_ascii_lowercase().as_str() {
            "file" => MailTransportKind::File,
            "smtp" => MailTransportKind::Smtp,
            v => {
                return Err(bad(
                    "mail_transport",
                    format!("'{v}' is neither file nor smtp"),
                ))
            }
        };
        let smtp_tls = match get("smtp_tls").0.trim().to_ascii_lowercase().as_str() {
            "none" => SmtpTls::None,
            "starttls" => SmtpTls::StartTls,
            "tls" => SmtpTls::Tls,
            v => {
                return Err(bad(
                    "smtp_tls",
                    format!("'{v}' is not one of none, starttls, tls"),
                ))
            }
        };
        let mailbox = |key: &str, v: &str| -> Result<String, ConfigError> {
            v.parse::<lettre::message::Mailbox>()
                .map(|_| v.to_owned())
                .map_err(|_| bad(key, format!("'{v}' is not an e-mail address")))
        };
        let from = mailbox("mail_from", get("mail_from").0.trim())?;
        let reply_to = optional("mail_reply_to")
            .map(|v| mailbox("mail_reply_to", &v))
            .transpose()?;
        let mut safety_coordinators = Vec::new();
        for part in get("safety_coordinators").0.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let email = crate::domain::Email::parse(part).map_err(|_| {
                bad(
                    "safety_coordinators",
                    format!("'{part}' is not an e-mail address"),
                )
            })?;
            safety_coordinators.push(email.as_str().to_owned());
        }
        let mut safety_rep_kinds = Vec::new();
        for part in get("safety_rep_kinds").0.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let kind = part
                .parse::<crate::domain::IncidentKind>()
                .map_err(|()| bad("safety_rep_kinds", format!("'{part}' is not a report kind")))?;
            safety_rep_kinds.push(kind);
        }
        let admin_token = optional("admin_token");
        if admin_token.as_ref().is_some_and(|t| t.chars().count() < 16) {
            return Err(bad(
                "admin_token",
                "it must be at least 16 characters".into(),
            ));
        }
        let ack_secret = optional("ack_secret");
        if ack_secret.as_ref().is_some_and(|t| t.chars().count() < 32) {
            return Err(bad(
                "ack_secret",
                "it must be at least 32 characters".into(),
            ));
        }
        let worker_enabled = parse_bool(get("worker_enabled").0)
            .ok_or_else(|| bad("worker_enabled", "use true or false".into()))?;
        let retry_base = Duration::from_millis(number("outbox_retry_base_ms", 1, 86_400_000)?);
        let retry_max = Duration::from_millis(number("outbox_retry_max_ms", 1, 604_800_000)?);
        let mail = MailSettings {
            transport,
            dir: PathBuf::from(get("mail_dir").0.trim()),
            from,
            reply_to,
            smtp_host: get("smtp_host").0.trim().to_owned(),
            smtp_port: number("smtp_port", 1, 65_535)? as u16,
            smtp_tls,
            smtp_username: optional("smtp_username"),
            smtp_password: optional("smtp_password"),
            smtp_timeout: Duration::from_secs(number("smtp_timeout_secs", 1, 600)?),
            safety_coordinators,
            safety_rep_kinds,
            admin_token,
            ack_secret,
            ack_link_days: number("ack_link_days", 1, 365)? as u32,
            deadline_serious_hours: number("ack_deadline_serious_hours", 1, 720)? as u32,
            deadline_working_days: number("ack_deadline_working_days", 1, 60)? as u32,
            worker_enabled,
            worker_poll: Duration::from_millis(number("worker_poll_ms", 10, 3_600_000)?),
            batch: number("outbox_batch", 1, 256)? as usize,
            lease: Duration::from_secs(number("outbox_lease_secs", 5, 86_400)?),
            retry_base,
            retry_max: retry_max.max(retry_base),
            max_attempts: number("outbox_max_attempts", 1, 1000)? as u32,
            action_reminder_days_before: number("action_reminder_days_before", 0, 365)? as u32,
            action_escalation_days: number("action_escalation_days", 1, 365)? as u32,
            receipts_to_any_address: parse_bool(get("receipts_to_any_address").0)
                .ok_or_else(|| bad("receipts_to_any_address", "use true or false".into()))?,
            sent_days: number("outbox_sent_days", 1, 36_500)? as u32,
        };
        // Kept as configured (trimmed, duplicates dropped): they are shown to managers as is.
        let mut cause_categories: Vec<String> = Vec::new();
        for part in get("cause_categories").0.split(',') {
            let part = part.trim();
            if !part.is_empty() && !cause_categories.iter().any(|c| c == part) {
                cause_categories.push(part.to_owned());
            }
        }
        if cause_categories.is_empty() {
            return Err(bad("cause_categories", "name at least one category".into()));
        }
        let photos = PhotoSettings {
            decoders: match number("photo_decoders", 0, 256)? as usize {
                0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
                n => n,
            },
            max_decode_bytes: number("photo_max_decode_mb", 1, 4096)? * 1024 * 1024,
            rate_limit: number("photo_rate_limit", 1, 10_000)? as usize,
        };
        let cost_categories = crate::domain::cost::CostCategories::parse(get("cost_categories").0)
            .map_err(|why| bad("cost_categories", why))?;
        let mut auth = AuthSettings {
            session_idle: chrono::Duration::minutes(
                number("session_idle_minutes", 1, 10_080)? as i64
            ),
            session_max: chrono::Duration::days(number("session_max_days", 1, 90)? as i64),
            login_link_ttl: chrono::Duration::minutes(number("login_link_minutes", 1, 1440)? as i64),
            login_domains: get("login_domains")
                .0
                .split(',')
                .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
            login_rate_limit: number("login_rate_limit", 1, 1000)? as usize,
        };
        // The demo organisation's addresses are at example.se: without a domain set, demo
        // mode would send no receipts and let no employee log in by link.
        if demo && auth.login_domains.is_empty() {
            auth.login_domains.push(DEMO_DOMAIN.to_owned());
        }

        let mut trusted = Vec::new();
        for part in get("trusted_proxies").0.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let net = crate::domain::network::Network::parse(part).ok_or_else(|| {
                bad(
                    "trusted_proxies",
                    format!("'{part}' is not an IP address or a network like 10.0.0.0/8"),
                )
            })?;
            trusted.push(net);
        }
        let header = match get("forwarded_header")
            .0
            .trim()
            .to_ascii_lowercase()
            .as_str()
        {
            "x-forwarded-for" => ForwardedHeader::XForwardedFor,
            "forwarded" => ForwardedHeader::Forwarded,
            v => {
                return Err(bad(
                    "forwarded_header",
                    format!("'{v}' is neither x-forwarded-for nor forwarded"),
                ))
            }
        };
        let report_limits = ReportLimits {
            per_client: number("report_rate_limit_client", 1, 100_000)? as usize,
            per_reporter: number("report_rate_limit_reporter", 1, 100_000)? as usize,
        };
        let retention = crate::domain::retention::RetentionRules::parse(get("retention_rules").0)
            .map_err(|why| bad("retention_rules", why))?;
        let proxies = ProxySettings {
            trusted: crate::domain::network::TrustedProxies(trusted),
            header,
        };

        let oidc = oidc::parse(&|key| get(key).0.to_owned(), &bad, &base_url)?;

        let statistics = StatisticsSettings {
            municipality_name: optional("municipality_name")
                .ok_or_else(|| bad("municipality_name", "must not be empty".into()))?,
            large_loss_ore: number("large_loss_kronor", 1, 1_000_000_000)? as i64 * 100,
            threshold: number("stats_threshold", 3, 1000)? as i64,
            licence: optional("stats_licence")
                .ok_or_else(|| bad("stats_licence", "must not be empty".into()))?,
            refresh: Duration::from_secs(number("stats_refresh_minutes", 1, 1440)? * 60),
        };

        Ok(Settings {
            oidc,
            statistics,
            listen,
            database_url,
            database_pool_size,
            sqlite_synchronous,
            base_url,
            demo,
            workers,
            log_format,
            db_acquire_timeout: Duration::from_secs(5),
            mail,
            auth,
            cause_categories,
            cost_categories,
            cost_export_max_rows: number("cost_export_max_rows", 1, 1_000_000)? as i64,
            proxies,
            report_limits,
            retention,
            photos,
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
        assert_eq!(
            s.photos.max_decode_bytes,
            crate::domain::photo::DEFAULT_MAX_DECODE_BYTES
        );
        assert!(s.photos.decoders >= 1);
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
    fn demo_mode_without_login_domains_uses_the_demo_domain() {
        let s = Settings::load_from(None, &env(&[("TILLBUD_DEMO", "true")])).unwrap();
        assert_eq!(s.auth.login_domains, vec![DEMO_DOMAIN.to_owned()]);
        let s = Settings::load_from(None, &env(&[])).unwrap();
        assert!(s.auth.login_domains.is_empty());
        let s = Settings::load_from(
            None,
            &env(&[
                ("TILLBUD_DEMO", "true"),
                ("TILLBUD_LOGIN_DOMAINS", "karlskrona.se"),
            ]),
        )
        .unwrap();
        assert_eq!(s.auth.login_domains, vec!["karlskrona.se".to_owned()]);
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
    fn mail_settings_parse_and_refuse_bad_values() {
        let s = Settings::load_from(
            None,
            &env(&[
                ("TILLBUD_MAIL_TRANSPORT", "smtp"),
                ("TILLBUD_SMTP_TLS", "tls"),
                ("TILLBUD_SMTP_PORT", "465"),
                (
                    "TILLBUD_SAFETY_COORDINATORS",
                    " a@example.se, b@example.se ,",
                ),
                ("TILLBUD_SAFETY_REP_KINDS", "accident"),
            ]),
        )
        .unwrap();
        assert_eq!(s.mail.transport, MailTransportKind::Smtp);
        assert_eq!(s.mail.smtp_tls, SmtpTls::Tls);
        assert_eq!(s.mail.smtp_port, 465);
        assert_eq!(s.mail.safety_coordinators, ["a@example.se", "b@example.se"]);
        assert_eq!(
            s.mail.safety_rep_kinds,
            [crate::domain::IncidentKind::Accident]
        );
        assert!(s.mail.worker_enabled);
        assert_eq!(s.mail.transport, MailTransportKind::Smtp);
        for (var, value, key) in [
            ("TILLBUD_SMTP_TLS", "ssl", "smtp_tls"),
            ("TILLBUD_MAIL_TRANSPORT", "sendmail", "mail_transport"),
            (
                "TILLBUD_SAFETY_COORDINATORS",
                "inte-en-adress",
                "safety_coordinators",
            ),
            ("TILLBUD_SAFETY_REP_KINDS", "olycka", "safety_rep_kinds"),
            ("TILLBUD_ADMIN_TOKEN", "short", "admin_token"),
            ("TILLBUD_ACK_SECRET", "too-short", "ack_secret"),
            ("TILLBUD_OUTBOX_MAX_ATTEMPTS", "0", "outbox_max_attempts"),
            ("TILLBUD_MAIL_FROM", "not an address", "mail_from"),
            (
                "TILLBUD_TRUSTED_PROXIES",
                "10.0.0.0/8, lb.example",
                "trusted_proxies",
            ),
            ("TILLBUD_FORWARDED_HEADER", "x-real-ip", "forwarded_header"),
        ] {
            let e = Settings::load_from(None, &env(&[(var, value)])).unwrap_err();
            assert!(e.0.contains(key) && e.0.contains(var), "{}", e.0);
        }
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
