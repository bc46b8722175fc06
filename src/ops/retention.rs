//! Retention by decision: every closed case past its kind's rule has its personal data
//! removed (`db::retention::anonymise_case`), each case in its own transaction with an
//! `anonymised` history event naming the rule and the decision. Idempotent (an anonymised
//! case is never picked again) and safe to interrupt (a case is done wholly or not at all).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::{events, meta, retention as db, Db, DbResult};
use crate::domain::calendar::stockholm_date;
use crate::domain::case_event::CaseEvent;
use crate::domain::retention::{marker, start_of_month, Keep, RetentionRules};

/// Cases looked at per query.
const PAGE: i64 = 200;

/// When the worker last ran retention (`app_meta`, RFC 3339): it runs once a day.
pub const LAST_RUN: &str = "retention_last_run";

#[derive(Debug, Clone, Serialize)]
pub struct RuleReport {
    pub kind: String,
    pub period: String,
    pub decision: String,
    /// The cases anonymised (or, in a dry run, that would be).
    pub cases: Vec<String>,
    /// Closed cases this rule keeps for now (not yet past it, or a `keep` rule).
    pub kept: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RetentionReport {
    pub dry_run: bool,
    pub rules: Vec<RuleReport>,
    pub anonymised: usize,
}

/// Runs the rules at `now`. With `dry_run` nothing is written. Blocking (the CLI; the worker
/// calls it through `run`).
pub fn run_blocking(
    db: &Db,
    rules: &RetentionRules,
    now: DateTime<Utc>,
    dry_run: bool,
) -> DbResult<RetentionReport> {
    let mut report = RetentionReport {
        dry_run,
        rules: Vec::new(),
        anonymised: 0,
    };
    for rule in &rules.0 {
        let mut r = RuleReport {
            kind: rule.kind.as_str().to_owned(),
            period: rule.period_label(true),
            decision: rule.decision.clone(),
            cases: Vec::new(),
            kept: 0,
        };
        let mut after: Option<String> = None;
        loop {
            let kinds = [rule.kind];
            let cursor = after.clone();
            let page = db.read_blocking(|c| db::candidates(c, &kinds, cursor.as_deref(), PAGE))?;
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            for case in &page {
                if !rule.is_due(case.closed_at.and_utc(), now) {
                    r.kept += 1;
                    continue;
                }
                if dry_run || anonymise_one(db, &case.id, rule, now)? {
                    r.cases.push(case.id.clone());
                }
            }
            if (page.len() as i64) < PAGE {
                break;
            }
        }
        tracing::info!(
            kind = %r.kind, period = %r.period, decision = %r.decision,
            cases = r.cases.len(), kept = r.kept, dry_run,
            "retention rule applied"
        );
        report.anonymised += r.cases.len();
        report.rules.push(r);
    }
    if !dry_run {
        db.write_blocking(|c| meta::set(c, LAST_RUN, &now.to_rfc3339(), now.naive_utc()))?;
    }
    Ok(report)
}

/// One case in one transaction; `false` if another run got there first.
fn anonymise_one(
    db: &Db,
    id: &str,
    rule: &crate::domain::retention::RetentionRule,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    let text = marker(stockholm_date(now), &rule.decision);
    db.write_blocking(|c| {
        if db::is_anonymised(c, id)? {
            return Ok(false);
        }
        let occurred = db::occurred_at(c, id)?;
        let month = start_of_month(occurred.and_utc()).naive_utc();
        let removed = db::anonymise_case(c, id, &text, month, now.naive_utc())?;
        let months = match rule.keep {
            Keep::Months(m) => Some(m),
            Keep::Always => None,
        };
        let data = serde_json::json!({
            "rule": {"kind": rule.kind.as_str(), "keep_months": months, "decision": rule.decision},
            "marker": text,
            "removed": removed,
        });
        events::append(c, id, now.naive_utc(), None, &CaseEvent::Anonymised(data))?;
        Ok(true)
    })
    .inspect(|done| {
        if *done {
            // After the commit: a line in the log is a case wholly done.
            tracing::info!(case = %id, decision = %rule.decision, "case anonymised by retention rule");
        }
    })
}

/// Once a day (by the application's clock, remembered in the database so a restart does not
/// run it again): the rules at `now`. Returns the report if it ran.
pub async fn run_if_due(
    db: &Db,
    rules: &RetentionRules,
    now: DateTime<Utc>,
) -> DbResult<Option<RetentionReport>> {
    if rules.0.is_empty() {
        return Ok(None);
    }
    let last = db.read(|c| meta::get(c, LAST_RUN)).await?;
    let last = last
        .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
        .map(|t| t.with_timezone(&Utc));
    if last.is_some_and(|t| now - t < chrono::Duration::days(1)) {
        return Ok(None);
    }
    let (db, rules) = (db.clone(), rules.clone());
    let report = actix_web::web::block(move || run_blocking(&db, &rules, now, false))
        .await
        .map_err(|e| crate::db::DbError::Task(e.to_string()))??;
    Ok(Some(report))
}
