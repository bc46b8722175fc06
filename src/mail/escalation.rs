//! Reminders and escalations: when a case is not acknowledged by its deadline the responsible
//! person is reminded; after the second deadline the manager one level up is told.
//!
//! Each step is claimed with a conditional update in the same transaction as its mail and its
//! history event, so with several instances every step happens exactly once.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::templates::Purpose;
use super::{facts_of, MailContext};
use crate::db::routing::{self as routing_db, DueCase, Step};
use crate::db::{events, incidents, outbox, Db, DbResult};
use crate::domain::calendar::stockholm_date;
use crate::domain::case_event::{CaseEvent, MailedKind};
use crate::domain::routing::{escalation_target, responsible_in_line, Recipient, Role};

/// Takes every step due at `now`. Returns how many were taken by this instance.
pub async fn scan(
    db: &Db,
    ctx: &std::sync::Arc<MailContext>,
    now: DateTime<Utc>,
) -> DbResult<usize> {
    let due = db
        .read(move |c| routing_db::due(c, now.naive_utc(), 200))
        .await?;
    let mut taken = 0;
    for case in due {
        let step = if case.reminded_at.is_none() && case.remind_at <= now.naive_utc() {
            Step::Reminder
        } else {
            Step::Escalation
        };
        let ctx = ctx.clone();
        if db
            .write(move |c| take_step(c, &ctx, &case, step, now))
            .await?
        {
            taken += 1;
        }
    }
    if taken > 0 {
        ctx.wake.notify_one();
    }
    Ok(taken)
}

fn take_step(
    conn: &mut crate::db::AnyConnection,
    ctx: &MailContext,
    case: &DueCase,
    step: Step,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    if !routing_db::claim_step(conn, &case.incident_id, step, now.naive_utc())? {
        return Ok(false); // another instance took it
    }
    let Some(stored) = incidents::case_facts(conn, &case.incident_id)? else {
        return Ok(false);
    };
    let Some(facts) = facts_of(&stored, case.serious) else {
        return Ok(false);
    };
    let incident_id = Uuid::parse_str(&case.incident_id)
        .map_err(|e| crate::db::DbError::Corrupt(e.to_string()))?;
    let (purpose, kind, recipients) = match step {
        Step::Reminder => {
            const WHY: &str = "ärendet är inte bekräftat inom tidsfristen / the case was not acknowledged within the deadline";
            // Whoever is responsible *now* at the unit that got the case: if the manager has
            // gone away since, the reminder goes to the deputy.
            let chain = routing_db::chain(conn, &stored.org_unit_id)?;
            let current = case.responsible_unit_id.as_deref().and_then(|unit| {
                let at = chain.iter().position(|u| u.id == unit)?;
                responsible_in_line(&chain, at, stockholm_date(now))
            });
            let recipients: Vec<Recipient> = match current {
                Some(r) => vec![Recipient {
                    reason: format!("{WHY}; {}", r.reason),
                    ..r
                }],
                None => case
                    .responsible
                    .split(',')
                    .filter(|e| !e.is_empty())
                    .map(|email| Recipient {
                        email: email.to_owned(),
                        name: None,
                        role: Role::SafetyCoordinator,
                        unit_id: None,
                        reason: WHY.to_owned(),
                    })
                    .collect(),
            };
            (Purpose::Reminder, MailedKind::Reminder, recipients)
        }
        Step::Escalation => {
            let chain = routing_db::chain(conn, &stored.org_unit_id)?;
            let mut targets = escalation_target(
                &chain,
                case.responsible_unit_id.as_deref(),
                &ctx.policy,
                stockholm_date(now),
            );
            // Never "escalate" to the person who did not answer.
            targets.retain(|t| {
                !case
                    .responsible
                    .split(',')
                    .any(|r| r.eq_ignore_ascii_case(&t.email))
            });
            for t in &mut targets {
                t.reason = format!(
                    "eskalering: {} har inte bekräftat ärendet; {} / escalation: {} has not acknowledged the case; {}",
                    case.responsible, t.reason, case.responsible, t.reason
                );
            }
            (Purpose::Escalation, MailedKind::Escalation, targets)
        }
    };
    let mut mails = Vec::new();
    for r in &recipients {
        let mail = ctx.mail(purpose, r, &facts, incident_id, None);
        outbox::insert(conn, &mail, now.naive_utc())?;
        mails.push(serde_json::json!({"id": mail.id, "to": mail.recipient}));
    }
    let due_at = match step {
        Step::Reminder => case.remind_at,
        Step::Escalation => case.escalate_at,
    };
    let data = serde_json::json!({
        "deadline": DateTime::<Utc>::from_naive_utc_and_offset(due_at, Utc),
        "to": recipients.iter().map(|r| serde_json::json!({"email": r.email, "role": r.role.as_str(), "reason": r.reason})).collect::<Vec<_>>(),
        "mails": mails,
    });
    let event = CaseEvent::Mailed { kind, data };
    events::append(conn, &case.incident_id, now.naive_utc(), None, &event)?;
    Ok(true)
}
