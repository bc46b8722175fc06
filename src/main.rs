//! The `tillbud` command: serve | worker | migrate | org import | seed-demo | stats | openapi.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tillbud::config::Settings;
use tillbud::db::Db;
use tillbud::ops::org_import;
use tillbud::startup::Application;
use tillbud::{demo, routes, telemetry};

#[derive(Parser)]
#[command(
    name = "tillbud",
    version,
    about = "Incident and near-miss reporting (tillbudsrapportering)"
)]
struct Cli {
    /// A TOML file with settings (overridden by TILLBUD_* environment variables).
    #[arg(long, global = true, env = "TILLBUD_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrates the database first).
    Serve {
        /// Seed a demo organisation, users and reports when the database is empty. Refused on a
        /// database with data that demo mode did not seed.
        #[arg(long)]
        demo: bool,
    },
    /// Run only the mail worker: send the outbox, take reminder and escalation steps.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage the org tree.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Seed the demo organisation and users if the database is empty (and mark it a demo database).
    SeedDemo,
    /// Print the OpenAPI document (YAML), as committed in openapi.yaml.
    Openapi,
    /// Print row counts (units, incidents, open incidents, photos) as one JSON line.
    Stats,
    /// Retention by decision: remove the personal data of closed cases past their rule.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// The yearly follow-up and open statistics: recompute the rollup and the published figures
    /// now (the worker does it every `stats_refresh_minutes`).
    Statistics {
        #[command(subcommand)]
        command: StatisticsCommand,
    },
    /// Damage costs: check or rebuild the rollups the trends are read from.
    Costs {
        #[command(subcommand)]
        command: CostsCommand,
    },
}

#[derive(Subcommand)]
enum StatisticsCommand {
    /// Recompute the statistics rollup and the open statistics from the cases.
    Refresh,
}

#[derive(Subcommand)]
enum CostsCommand {
    /// Recompute every rollup from the cost entries and compare with the stored ones; exits
    /// non-zero and lists the differences if any.
    Verify,
    /// Replace every rollup with what the cost entries say (after a repair or a bulk load).
    Rebuild,
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Anonymise every closed case past its kind's rule (TILLBUD_RETENTION_RULES), each case
    /// in its own transaction; prints the counts per rule.
    Run {
        /// List what would be anonymised, per rule, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create or update units from a CSV or JSON file (by code; all or nothing).
    Import { file: PathBuf },
}

fn open_db(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::from_settings(settings)?;
    db.migrate()?;
    Ok(db)
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Openapi = cli.command {
        print!("{}", routes::openapi_yaml());
        return Ok(());
    }
    let mut settings = Settings::load(cli.config.as_deref())?;
    telemetry::init(settings.log_format);
    match cli.command {
        Command::Serve { demo } => {
            settings.demo |= demo;
            let system = actix_web::rt::System::new();
            system.block_on(async move {
                let app = Application::build(settings.clone()).await?;
                tracing::info!(
                    listen = %settings.listen, base_url = %settings.base_url,
                    "tillbud is serving on port {}", app.port()
                );
                app.run_until_stopped().await?;
                anyhow::Ok(())
            })?;
        }
        Command::Worker => {
            let db = open_db(&settings)?;
            tillbud::mail::outbox_worker::release_leases_of_earlier_runs(&db)?;
            let system = actix_web::rt::System::new();
            system.block_on(async move {
                let clock = std::sync::Arc::new(tillbud::clock::Clock::new());
                let ctx = std::sync::Arc::new(tillbud::mail::MailContext::from_settings(&settings));
                tillbud::startup::spawn_retention(
                    db.clone(),
                    clock.clone(),
                    settings.retention.clone(),
                );
                tillbud::ops::statistics::refresh::spawn(
                    db.clone(),
                    settings.statistics.clone(),
                    clock.clone(),
                );
                let worker =
                    tillbud::mail::outbox_worker::Worker::new(db, ctx, clock, &settings.mail)?;
                worker.run().await;
                anyhow::Ok(())
            })?;
        }
        Command::Migrate => {
            let applied = Db::from_settings(&settings)?.migrate()?;
            println!("{} migration(s) applied", applied.len());
        }
        Command::Org {
            command: OrgCommand::Import { file },
        } => {
            let db = open_db(&settings)?;
            let specs = org_import::parse_file(&file)?;
            let have_coordinators = !settings.mail.safety_coordinators.is_empty();
            let summary = org_import::import(&db, &specs, have_coordinators)?;
            println!(
                "{}: {} unit(s) created, {} updated",
                file.display(),
                summary.created,
                summary.updated
            );
        }
        Command::SeedDemo => {
            let db = open_db(&settings)?;
            if demo::seed_if_empty(&db)? {
                println!("demo organisation seeded");
            } else {
                println!("the database is not empty; nothing seeded");
            }
        }
        Command::Stats => {
            let db = open_db(&settings)?;
            let counts = db.read_blocking(tillbud::db::stats::counts)?;
            println!("{}", serde_json::to_string(&counts)?);
        }
        Command::Costs { command } => costs(&open_db(&settings)?, command)?,
        Command::Retention {
            command: RetentionCommand::Run { dry_run },
        } => retention(&open_db(&settings)?, &settings, dry_run)?,
        Command::Statistics {
            command: StatisticsCommand::Refresh,
        } => {
            let db = open_db(&settings)?;
            let system = actix_web::rt::System::new();
            let summary = system.block_on(async move {
                tillbud::ops::statistics::refresh::refresh(
                    &db,
                    &settings.statistics,
                    chrono::Utc::now(),
                )
                .await
            })?;
            println!(
                "statistics refresh: {} case(s) counted, {} rollup row(s) changed",
                summary.cases, summary.rows_changed
            );
        }
        Command::Openapi => unreachable!("handled above"),
    }
    Ok(())
}

fn retention(db: &Db, settings: &Settings, dry_run: bool) -> anyhow::Result<()> {
    if settings.retention.0.is_empty() {
        println!("retention: no rules (TILLBUD_RETENTION_RULES); nothing is removed");
        return Ok(());
    }
    let now = chrono::Utc::now();
    let report = tillbud::ops::retention::run_blocking(db, &settings.retention, now, dry_run)?;
    let verb = if dry_run {
        "would be anonymised"
    } else {
        "anonymised"
    };
    for r in &report.rules {
        println!(
            "{} ({}, {}): {} case(s) {verb}, {} closed case(s) kept",
            r.kind,
            r.period,
            if r.decision.is_empty() {
                "-"
            } else {
                &r.decision
            },
            r.cases.len(),
            r.kept
        );
        if dry_run {
            for id in &r.cases {
                println!("  {id}");
            }
        }
    }
    println!("retention: {} case(s) {verb} in all", report.anonymised);
    Ok(())
}

fn costs(db: &Db, command: CostsCommand) -> anyhow::Result<()> {
    use tillbud::db::costs::rollup;
    match command {
        CostsCommand::Verify => {
            let (entries, differences) =
                db.read_blocking(|c| Ok((rollup::entry_count(c)?, rollup::verify(c)?)))?;
            if differences.is_empty() {
                println!("costs verify: {entries} entries; every rollup agrees with them");
                return Ok(());
            }
            for d in differences.iter().take(50) {
                println!(
                    "{} {}: stored {}, from the entries {}",
                    d.table, d.key, d.stored, d.expected
                );
            }
            anyhow::bail!(
                "{} rollup row(s) differ from the {entries} cost entries (`tillbud costs rebuild` repairs them)",
                differences.len()
            )
        }
        CostsCommand::Rebuild => {
            db.write_blocking(rollup::rebuild)?;
            println!("costs rebuild: rollups rebuilt from the entries");
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    tillbud::db::init_tls();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One clear line; the chain says which setting or file is at fault.
            eprintln!("tillbud: {e:#}");
            ExitCode::FAILURE
        }
    }
}
