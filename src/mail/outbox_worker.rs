//! The worker: claims due outbox rows with a lease, sends them with no transaction open, and
//! records the outcome; between rounds it takes due reminder and escalation steps.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use rand::Rng;
use uuid::Uuid;

use super::transport::{build_message, SendError, Transport};
use super::{action_mail, duty_reminders, escalation, housekeeping, links, MailContext};
use crate::clock::Clock;
use crate::config::MailSettings;
use crate::db::outbox::{self, OutboxRow};
use crate::db::{Db, DbResult};
use crate::metrics::Metrics;

/// Attempts after which a permanently refused (5xx) mail is given up, whatever
/// `outbox_max_attempts` says: a relay answering 5xx rarely changes its mind, but a short
/// misconfiguration should not kill mail at the first answer.
pub const PERMANENT_ATTEMPTS: u32 = 3;

/// How often the worker logs how many mails are failing or dead.
const REPORT_EVERY: Duration = Duration::from_secs(300);

pub struct Worker {
    pub db: Db,
    pub ctx: Arc<MailContext>,
    pub transport: Transport,
    pub clock: Arc<Clock>,
    pub settings: MailSettings,
    /// This worker's lease owner name.
    pub owner: String,
    /// Where it counts sends and deadline steps (the application's, see `with_metrics`).
    pub metrics: Arc<Metrics>,
    /// When this worker last pruned (once an hour, by the application's clock).
    last_prune: std::sync::Mutex<Option<chrono::DateTime<chrono::Utc>>>,
}

/// The delay before attempt `attempts + 1`: base × 2^(attempts−1), capped, ±25 % jitter so
/// that many failed mails do not all come back at the same instant.
pub fn backoff(attempts: u32, base: Duration, max: Duration, jitter: f64) -> Duration {
    let exp = attempts.saturating_sub(1).min(30);
    let raw = base.saturating_mul(1u32 << exp.min(31)).min(max);
    raw.mul_f64((1.0 + jitter).max(0.0))
}

/// What to record after a failed attempt: (dead, delay until the next attempt).
pub fn after_failure(
    attempts_before: u32,
    error: &SendError,
    settings: &MailSettings,
    jitter: f64,
) -> (bool, Duration) {
    let attempts = attempts_before + 1;
    let limit = if error.permanent {
        settings.max_attempts.min(PERMANENT_ATTEMPTS)
    } else {
        settings.max_attempts
    };
    (
        attempts >= limit,
        backoff(attempts, settings.retry_base, settings.retry_max, jitter),
    )
}

impl Worker {
    pub fn new(
        db: Db,
        ctx: Arc<MailContext>,
        clock: Arc<Clock>,
        settings: &MailSettings,
    ) -> anyhow::Result<Worker> {
        Ok(Worker {
            transport: Transport::from_settings(settings)?,
            db,
            ctx,
            clock,
            settings: settings.clone(),
            owner: format!("worker-{}", Uuid::now_v7()),
            metrics: Arc::new(Metrics::new()),
            last_prune: std::sync::Mutex::new(None),
        })
    }

    /// Counts into `metrics` (the application's registry) instead of a private one.
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Worker {
        self.metrics = metrics;
        self
    }

    /// Claims one batch, sends it concurrently, records the outcomes. Returns how many rows
    /// it handled.
    pub async fn drain_once(&self) -> DbResult<usize> {
        let now = self.clock.now();
        let lease = chrono::Duration::from_std(self.settings.lease)
            .unwrap_or_else(|_| chrono::Duration::minutes(5));
        let (owner, batch) = (self.owner.clone(), self.settings.batch as i64);
        let rows = self
            .db
            .write(move |c| {
                outbox::claim(c, &owner, now.naive_utc(), (now + lease).naive_utc(), batch)
            })
            .await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let n = rows.len();
        let rows = self.prepare(rows).await?;
        // The transaction that claimed is committed; the SMTP conversations run outside it,
        // while a heartbeat keeps the lease alive: a slow server does not let another worker
        // take (and send again) what this one is still sending, and a short lease still frees
        // the mail soon after a crash.
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let results = {
            let sending = join_all(rows.iter().map(|row| self.send(row)));
            tokio::pin!(sending);
            let mut beat = tokio::time::interval(heartbeat_every(self.settings.lease));
            beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            beat.tick().await;
            loop {
                tokio::select! {
                    results = &mut sending => break results,
                    _ = beat.tick() => self.renew(&ids).await,
                }
            }
        };
        let done = self.clock.now();
        let settings = self.settings.clone();
        let owner = self.owner.clone();
        let outcomes: Vec<(OutboxRow, Result<(), SendError>, f64)> = rows
            .into_iter()
            .zip(results)
            .map(|(row, r)| (row, r, rand::rng().random_range(-0.25..=0.25)))
            .collect();
        for (row, result, _) in &outcomes {
            let attempts = u32::try_from(row.attempts).unwrap_or(0);
            let label = match result {
                Ok(()) => "sent",
                Err(e) if after_failure(attempts, e, &self.settings, 0.0).0 => "dead",
                Err(_) => "failed",
            };
            self.metrics.mail_attempts.with_label_values(&[label]).inc();
            match result {
                Ok(()) => {
                    tracing::info!(mail = %row.id, to = %row.recipient, purpose = %row.purpose, "mail sent")
                }
                Err(e) => {
                    tracing::warn!(mail = %row.id, to = %row.recipient, attempt = row.attempts + 1, permanent = e.permanent, error = %e.message, "mail not sent")
                }
            }
        }
        // One transaction records the whole batch: one commit (one fsync on SQLite) per round.
        self.db
            .write(move |c| {
                for (row, result, jitter) in &outcomes {
                    match result {
                        Ok(()) => outbox::mark_sent(c, &row.id, &owner, done.naive_utc())?,
                        Err(e) => {
                            let attempts = u32::try_from(row.attempts).unwrap_or(0);
                            let (dead, delay) = after_failure(attempts, e, &settings, *jitter);
                            if dead {
                                tracing::error!(mail = %row.id, to = %row.recipient, error = %e.message, "mail is dead: given up after {} attempt(s)", attempts + 1);
                            }
                            let next = done
                                + chrono::Duration::from_std(delay)
                                    .unwrap_or_else(|_| chrono::Duration::hours(1));
                            let message: String = e.message.chars().take(1000).collect();
                            outbox::mark_failed(
                                c,
                                &row.id,
                                &owner,
                                &message,
                                dead,
                                next.naive_utc(),
                                done.naive_utc(),
                            )?;
                        }
                    }
                }
                Ok(())
            })
            .await?;
        Ok(n)
    }

    /// Puts the links into the claimed rows (`links`): acknowledgement links are signed now;
    /// login mails get their token (one transaction for the batch's login mails), or are
    /// dropped or given up. Returns the rows to send.
    async fn prepare(&self, rows: Vec<OutboxRow>) -> DbResult<Vec<OutboxRow>> {
        let now = self.clock.now();
        let (logins, others): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .partition(|r| r.purpose == links::LOGIN_PURPOSE);
        let mut ready: Vec<OutboxRow> = others
            .into_iter()
            .map(|row| links::fill_ack(&self.ctx, row, now))
            .collect();
        if !logins.is_empty() {
            let (ctx, owner) = (self.ctx.clone(), self.owner.clone());
            let prepared = self
                .db
                .write(move |c| {
                    logins
                        .into_iter()
                        .map(|row| links::prepare_login(c, &ctx, &owner, row, now))
                        .collect::<DbResult<Vec<_>>>()
                })
                .await?;
            ready.extend(prepared.into_iter().flatten());
        }
        Ok(ready)
    }

    /// Pushes the lease of the rows still held a full lease ahead.
    async fn renew(&self, ids: &[String]) {
        let until = self.clock.now()
            + chrono::Duration::from_std(self.settings.lease)
                .unwrap_or_else(|_| chrono::Duration::seconds(30));
        let (owner, ids) = (self.owner.clone(), ids.to_vec());
        match self
            .db
            .write(move |c| outbox::renew(c, &owner, &ids, until.naive_utc()))
            .await
        {
            Ok(n) => tracing::debug!(renewed = n, "outbox lease renewed"),
            Err(e) => tracing::warn!(error = %e, "cannot renew the outbox lease"),
        }
    }

    async fn send(&self, row: &OutboxRow) -> Result<(), SendError> {
        let message = build_message(
            row,
            &self.settings.from,
            self.settings.reply_to.as_deref(),
            &self.ctx.host,
        )?;
        self.transport.send(message, row).await
    }

    /// One round: due deadlines first (they write mail), then mail until none is due.
    pub async fn round(&self) -> DbResult<usize> {
        // A failing deadline scan must not stop mail from going out, nor the other way round.
        // Each scan on its own: one failing must not stop the others.
        let now = self.clock.now();
        let mut steps = 0;
        for (what, result) in [
            (
                "acknowledgement",
                escalation::scan(&self.db, &self.ctx, now).await,
            ),
            (
                "corrective action",
                action_mail::scan(&self.db, &self.ctx, now).await,
            ),
            (
                "legal duty",
                duty_reminders::scan(&self.db, &self.ctx, now).await,
            ),
        ] {
            match result {
                Ok(n) => {
                    let scan = what.replace(' ', "_");
                    self.metrics
                        .deadline_steps
                        .with_label_values(&[&scan])
                        .inc_by(n as u64);
                    steps += n
                }
                Err(e) => {
                    tracing::warn!(error = %e, scan = what, "deadline scan failed; trying again next round")
                }
            }
        }
        self.housekeeping(now).await;
        let mut sent = 0;
        loop {
            let n = self.drain_once().await?;
            sent += n;
            if n < self.settings.batch {
                break;
            }
        }
        Ok(steps + sent)
    }

    /// Pruning once an hour; the dead-mail summary whenever one is due. Failures are logged
    /// and tried again later: they must not stop mail.
    async fn housekeeping(&self, now: chrono::DateTime<chrono::Utc>) {
        let prune_due = {
            let mut last = self.last_prune.lock().unwrap_or_else(|p| p.into_inner());
            let due = last.is_none_or(|t| now - t >= housekeeping::EVERY);
            if due {
                *last = Some(now);
            }
            due
        };
        if prune_due {
            if let Err(e) = housekeeping::prune(&self.db, &self.ctx, now).await {
                tracing::warn!(error = %e, "pruning failed; trying again in an hour");
            }
        }
        match housekeeping::alarm_dead(&self.db, &self.ctx, now).await {
            Ok(0) => {}
            Ok(_) => self.metrics.dead_alarms.inc(),
            Err(e) => tracing::warn!(error = %e, "cannot write the dead-mail summary"),
        }
    }

    async fn report_counts(&self) {
        match self.db.read(outbox::counts).await {
            Ok(counts) => {
                let get = |s: &str| {
                    counts
                        .iter()
                        .find(|(state, _)| state == s)
                        .map_or(0, |(_, n)| *n)
                };
                let (failing, dead) = (get(outbox::FAILED), get(outbox::DEAD));
                if failing > 0 || dead > 0 {
                    tracing::warn!(
                        failing,
                        dead,
                        pending = get(outbox::PENDING),
                        "outbox has mail that is failing or dead (GET /api/v1/admin/outbox)"
                    );
                } else {
                    tracing::info!(
                        pending = get(outbox::PENDING),
                        sent = get(outbox::SENT),
                        "outbox ok"
                    );
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot count the outbox"),
        }
    }

    /// Runs until the process ends.
    pub async fn run(self) {
        tracing::info!(owner = %self.owner, "mail worker started");
        let mut last_report: Option<Instant> = None;
        loop {
            if last_report.is_none_or(|t| t.elapsed() >= REPORT_EVERY) {
                self.report_counts().await;
                last_report = Some(Instant::now());
            }
            if let Err(e) = self.round().await {
                tracing::warn!(error = %e, "mail worker round failed; trying again");
            }
            // A commit that wrote mail wakes us at once; otherwise look again after a poll.
            tokio::select! {
                _ = self.ctx.wake.notified() => {}
                _ = tokio::time::sleep(self.settings.worker_poll) => {}
            }
        }
    }
}

/// How often a sending worker renews its lease: three times per lease, so one slow renewal
/// (a busy database) does not let it lapse.
pub fn heartbeat_every(lease: Duration) -> Duration {
    (lease / 3).max(Duration::from_millis(500))
}

/// At the start of a process that runs the worker: on SQLite, where one instance owns the
/// file, every lease left in the outbox was held by an earlier run that died (SIGKILL, power
/// loss), so its mail may go at once instead of when the lease runs out. On PostgreSQL other
/// instances may be sending right now; their leases are left to run out.
pub fn release_leases_of_earlier_runs(db: &Db) -> DbResult<usize> {
    if db.backend() != crate::db::Backend::Sqlite {
        return Ok(0);
    }
    // Read first: a start with nothing leased (the usual case) writes nothing.
    if db.read_blocking(outbox::leased_count)? == 0 {
        return Ok(0);
    }
    let n = db.write_blocking(outbox::release_all_leases)?;
    if n > 0 {
        tracing::warn!(
            released = n,
            "released the outbox leases of an earlier run that ended while sending"
        );
    }
    Ok(n)
}

/// Starts a worker on the current (actix/tokio) runtime.
pub fn spawn(worker: Worker) -> tokio::task::JoinHandle<()> {
    tokio::task::spawn_local(worker.run())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let base = Duration::from_secs(30);
        let max = Duration::from_secs(3600);
        assert_eq!(backoff(1, base, max, 0.0), Duration::from_secs(30));
        assert_eq!(backoff(2, base, max, 0.0), Duration::from_secs(60));
        assert_eq!(backoff(4, base, max, 0.0), Duration::from_secs(240));
        assert_eq!(backoff(20, base, max, 0.0), max);
        assert_eq!(backoff(2, base, max, 0.25), Duration::from_secs(75));
    }

    #[test]
    fn the_default_schedule_tries_for_about_a_day() {
        let base = Duration::from_secs(30);
        let max = Duration::from_secs(3600);
        let total: Duration = (1..30).map(|a| backoff(a, base, max, 0.0)).sum();
        let hours = total.as_secs_f64() / 3600.0;
        assert!((20.0..30.0).contains(&hours), "{hours} h");
    }
}
