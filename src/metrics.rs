//! The operator's figures in the Prometheus text format. One registry per application (not a
//! process-global recorder), so each instance — and each test app — counts for itself.
//!
//! Counters (requests, sends) are moved where things happen; the figures the database knows
//! (outbox by state, oldest waiting mail, legal duties) are read at scrape time and passed in
//! as a [`Snapshot`], so they are right on every instance, whichever one sent the mail.

use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry, TextEncoder,
};

/// What the database says at scrape time.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Outbox rows per shown state (pending, sending, failed, sent, dead).
    pub outbox: Vec<(String, i64)>,
    /// Age in seconds of the oldest mail not yet sent (0 when none waits).
    pub oldest_unsent_secs: f64,
    /// Cases with a legal duty (Arbetsmiljöverket or Försäkringskassan) due, and overdue.
    pub duties_due: i64,
    pub duties_overdue: i64,
    pub pool: PoolFigures,
}

/// The connection pool and the writers, as `db::Db` counts them.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolFigures {
    pub size: u32,
    pub in_use: u32,
    /// Connections handed out, and the seconds callers waited for them in all.
    pub acquired: u64,
    pub wait_secs: f64,
    /// Write transactions waiting for SQLite's single writer turn right now.
    pub writers_waiting: i64,
    /// Write transactions finished, and the seconds they took in all (turn and statements).
    pub writes: u64,
    pub write_secs: f64,
}

pub struct Metrics {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_seconds: HistogramVec,
    /// Send attempts by result: sent, failed (will be retried), dead (given up).
    pub mail_attempts: IntCounterVec,
    /// Reminder and escalation steps taken, by scan (acknowledgement, corrective_action,
    /// legal_duty).
    pub deadline_steps: IntCounterVec,
    /// Dead-mail summaries written to the safety coordinators.
    pub dead_alarms: IntCounter,
    outbox_rows: IntGaugeVec,
    oldest_unsent: Gauge,
    duties: IntGaugeVec,
    pool_size: IntGauge,
    pool_in_use: IntGauge,
    pool_acquired: IntCounter,
    pool_wait: prometheus::Counter,
    writers_waiting: IntGauge,
    writes: IntCounter,
    write_secs: prometheus::Counter,
}

fn must<T>(r: prometheus::Result<T>) -> T {
    // The names below are constants and each is registered once: an error is a typo here.
    match r {
        Ok(v) => v,
        Err(e) => panic!("metric definition: {e}"),
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry =
            Registry::new_custom(Some("tillbud".into()), None).unwrap_or_else(|_| Registry::new());
        let r = &registry;
        fn reg<T: prometheus::core::Collector + Clone + 'static>(r: &Registry, c: T) -> T {
            must(r.register(Box::new(c.clone())));
            c
        }
        let build = reg(
            r,
            must(IntGaugeVec::new(
                Opts::new("build_info", "The running build (always 1)."),
                &["version"],
            )),
        );
        build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        Metrics {
            http_requests: reg(
                r,
                must(IntCounterVec::new(
                    Opts::new(
                        "http_requests_total",
                        "HTTP requests by route template and status class.",
                    ),
                    &["route", "status"],
                )),
            ),
            http_seconds: reg(
                r,
                must(HistogramVec::new(
                    HistogramOpts::new(
                        "http_request_duration_seconds",
                        "Time from request to response, by route template.",
                    )
                    .buckets(vec![
                        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                    ]),
                    &["route"],
                )),
            ),
            mail_attempts: reg(
                r,
                must(IntCounterVec::new(
                    Opts::new(
                        "mail_send_attempts_total",
                        "Mail send attempts by this instance's worker, by result (sent, failed, dead).",
                    ),
                    &["result"],
                )),
            ),
            deadline_steps: reg(
                r,
                must(IntCounterVec::new(
                    Opts::new(
                        "deadline_steps_total",
                        "Reminders and escalations taken by this instance's worker, by scan.",
                    ),
                    &["scan"],
                )),
            ),
            dead_alarms: reg(
                r,
                must(IntCounter::new(
                    "dead_mail_alarms_total",
                    "Summaries of dead mail written to the safety coordinators.",
                )),
            ),
            outbox_rows: reg(
                r,
                must(IntGaugeVec::new(
                    Opts::new(
                        "outbox_rows",
                        "Outbox rows by state; `sending` is leased by a worker now.",
                    ),
                    &["state"],
                )),
            ),
            oldest_unsent: reg(
                r,
                must(Gauge::new(
                    "outbox_oldest_unsent_age_seconds",
                    "Age of the oldest mail not yet sent (pending, sending or failed); 0 if none.",
                )),
            ),
            duties: reg(
                r,
                must(IntGaugeVec::new(
                    Opts::new(
                        "legal_duties_open",
                        "Cases with a report to Arbetsmiljöverket or Försäkringskassan not yet made, by state (due, overdue).",
                    ),
                    &["state"],
                )),
            ),
            pool_size: reg(
                r,
                must(IntGauge::new(
                    "db_pool_connections",
                    "Connections the pool holds.",
                )),
            ),
            pool_in_use: reg(
                r,
                must(IntGauge::new(
                    "db_pool_connections_in_use",
                    "Connections handed out now.",
                )),
            ),
            pool_acquired: reg(
                r,
                must(IntCounter::new(
                    "db_pool_acquired_total",
                    "Connections handed out from the pool.",
                )),
            ),
            pool_wait: reg(
                r,
                must(prometheus::Counter::new(
                    "db_pool_wait_seconds_total",
                    "Seconds spent waiting for a pooled connection.",
                )),
            ),
            writers_waiting: reg(
                r,
                must(IntGauge::new(
                    "db_writers_waiting",
                    "Write transactions queued for SQLite's single writer (always 0 on PostgreSQL).",
                )),
            ),
            writes: reg(
                r,
                must(IntCounter::new(
                    "db_write_transactions_total",
                    "Write transactions finished.",
                )),
            ),
            write_secs: reg(
                r,
                must(prometheus::Counter::new(
                    "db_write_transaction_seconds_total",
                    "Seconds spent in write transactions, the wait for the writer turn included.",
                )),
            ),
            registry,
        }
    }

    /// One finished HTTP request.
    pub fn observe_request(&self, route: &str, status: u16, seconds: f64) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        self.http_requests.with_label_values(&[route, class]).inc();
        self.http_seconds
            .with_label_values(&[route])
            .observe(seconds);
    }

    /// The text exposition, with the database's figures of this moment.
    pub fn render(&self, snap: &Snapshot) -> String {
        for (state, n) in &snap.outbox {
            self.outbox_rows.with_label_values(&[state]).set(*n);
        }
        self.oldest_unsent.set(snap.oldest_unsent_secs.max(0.0));
        self.duties.with_label_values(&["due"]).set(snap.duties_due);
        self.duties
            .with_label_values(&["overdue"])
            .set(snap.duties_overdue);
        let p = snap.pool;
        self.pool_size.set(i64::from(p.size));
        self.pool_in_use.set(i64::from(p.in_use));
        // Counters only go up: add what the pool counted since the last scrape.
        self.pool_acquired
            .inc_by(p.acquired.saturating_sub(self.pool_acquired.get()));
        self.pool_wait
            .inc_by((p.wait_secs - self.pool_wait.get()).max(0.0));
        self.writers_waiting.set(p.writers_waiting);
        self.writes
            .inc_by(p.writes.saturating_sub(self.writes.get()));
        self.write_secs
            .inc_by((p.write_secs - self.write_secs.get()).max(0.0));
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            return format!("# encoding failed: {e}\n");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_snapshot_and_the_counters() {
        let m = Metrics::new();
        m.observe_request("/api/v1/incidents", 201, 0.02);
        m.mail_attempts.with_label_values(&["sent"]).inc();
        let text = m.render(&Snapshot {
            outbox: vec![("dead".into(), 2)],
            ..Snapshot::default()
        });
        assert!(
            text.contains("tillbud_outbox_rows{state=\"dead\"} 2"),
            "{text}"
        );
        assert!(text
            .contains("tillbud_http_requests_total{route=\"/api/v1/incidents\",status=\"2xx\"} 1"));
        assert!(text.contains("tillbud_mail_send_attempts_total{result=\"sent\"} 1"));
        assert!(text.contains("tillbud_build_info{version="));
    }
}
