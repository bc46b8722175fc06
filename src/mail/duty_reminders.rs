//! Legal-duty follow-up: a duty to Arbetsmiljöverket or Försäkringskassan that is confirmed
//! or suggested, and not reported 24 hours after the report, is reminded to the responsible
//! manager; at 48 hours it is escalated to the manager one level up and the safety
//! coordinators. Each step is claimed (`*_reminded_at`, `*_escalated_at`) in the transaction
//! that writes its mails and its history event, so it happens once across instances.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::action_mail::{coordinators, responsible_now};
use super::templates::{self, DutyMail};
use super::{facts_of, MailContext};
use crate::db::duties::{self, DutyCandidate, DutyStep};
use crate::db::outbox::{self, NewMail};
use crate::db::{events, incidents, routing as routing_db, AnyConnection, Db, DbResult};
use crate::domain::calendar::stockholm_date;
use crate::domain::case_event::{CaseEvent, MailedKind};
use crate::domain::legal_duty::{self, Authority, DutyState};
use crate::domain::routing::{escalation_target, Recipient};

/// The step due for one duty of a case at `now`, if any.
pub fn step_due(
    case: &DutyCandidate,
    authority: Authority,
    now: DateTime<Utc>,
) -> Option<DutyStep> {
    let duty = case.duty(authority);
    let reported_to_us = case.created_at.and_utc();
    let state = legal_duty::state(case.suggested(authority), &duty.record, reported_to_us, now);
    // Overdue is exactly "confirmed or suggested, not reported, deadline passed".
    if state != DutyState::Overdue {
        return None;
    }
    if duty.reminded_at.is_none() {
        return Some(DutyStep::Reminder);
    }
    (duty.escalated_at.is_none() && now >= reported_to_us + legal_duty::ESCALATION)
        .then_some(DutyStep::Escalation)
}

/// Takes every duty step due at `now`. Returns how many this instance took.
pub async fn scan(db: &Db, ctx: &Arc<MailContext>, now: DateTime<Utc>) -> DbResult<usize> {
    let remind_before = (now - legal_duty::DEADLINE).naive_utc();
    let escalate_before = (now - legal_duty::ESCALATION).naive_utc();
    let candidates = db
        .read(move |c| duties::candidates(c, remind_before, escalate_before, 200))
        .await?;
    let mut taken = 0;
    for case in candidates {
        for authority in Authority::ALL.iter().copied() {
            let Some(step) = step_due(&case, authority, now) else {
                continue;
            };
            let ctx = ctx.clone();
            let case = case.clone();
            if db
                .write(move |c| take_step(c, &ctx, &case, authority, step, now))
                .await?
            {
                taken += 1;
            }
        }
    }
    if taken > 0 {
        ctx.wake.notify_one();
    }
    Ok(taken)
}

fn take_step(
    conn: &mut AnyConnection,
    ctx: &MailContext,
    case: &DutyCandidate,
    authority: Authority,
    step: DutyStep,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    if !duties::claim_step(conn, &case.incident_id, authority, step, now.naive_utc())? {
        return Ok(false); // another instance took it
    }
    let Some(stored) = incidents::case_facts(conn, &case.incident_id)? else {
        return Ok(false);
    };
    let Some(facts) = facts_of(&stored, false) else {
        return Ok(false);
    };
    let today = stockholm_date(now);
    let label = authority.label(crate::i18n::Lang::Sv);
    let responsible = responsible_now(conn, ctx, &stored.org_unit_id, today)?;
    let (which, kind, deadline, recipients): (DutyMail, MailedKind, _, Vec<Recipient>) = match step {
        DutyStep::Reminder => (
            DutyMail::Reminder,
            MailedKind::DutyReminder,
            case.created_at.and_utc() + legal_duty::DEADLINE,
            responsible
                .into_iter()
                .map(|r| Recipient {
                    reason: format!("{label} är inte registrerad inom 24 timmar / not recorded within 24 hours; {}", r.reason),
                    ..r
                })
                .collect(),
        ),
        DutyStep::Escalation => {
            let chain = routing_db::chain(conn, &stored.org_unit_id)?;
            let unit = responsible.iter().find_map(|r| r.unit_id.clone());
            let mut targets = escalation_target(&chain, unit.as_deref(), &ctx.policy, today);
            let why = format!("{label} är inte registrerad inom 48 timmar / not recorded within 48 hours");
            targets.extend(coordinators(conn, ctx, "säkerhetssamordnare / safety coordinator")?);
            // Never "escalate" to whoever did not report, and nobody twice.
            let mut out: Vec<Recipient> = Vec::new();
            for t in targets {
                let is_responsible = responsible
                    .iter()
                    .any(|r| r.email.eq_ignore_ascii_case(&t.email));
                if is_responsible || out.iter().any(|o| o.email.eq_ignore_ascii_case(&t.email)) {
                    continue;
                }
                out.push(Recipient {
                    reason: format!("{why}; {}", t.reason),
                    ..t
                });
            }
            (
                DutyMail::Escalation,
                MailedKind::DutyEscalation,
                case.created_at.and_utc() + legal_duty::DEADLINE,
                out,
            )
        }
    };
    let case_url = ctx.case_url(&case.incident_id);
    let mut mails = Vec::new();
    for r in &recipients {
        let rendered =
            templates::duty_mail(which, authority, &facts, deadline, &case_url, &r.reason);
        let m = NewMail {
            id: uuid::Uuid::now_v7(),
            incident_id: Some(case.incident_id.clone()),
            purpose: which.purpose(),
            role: r.role.as_str().to_owned(),
            recipient: r.email.clone(),
            subject: rendered.subject,
            body_text: rendered.text,
            body_html: rendered.html,
        };
        outbox::insert(conn, &m, now.naive_utc())?;
        mails.push(serde_json::json!({"id": m.id, "to": m.recipient}));
    }
    let data = serde_json::json!({
        "authority": authority.as_str(),
        "deadline": deadline,
        "to": recipients.iter().map(|r| serde_json::json!({"email": r.email, "role": r.role.as_str(), "reason": r.reason})).collect::<Vec<_>>(),
        "mails": mails,
    });
    let event = CaseEvent::Mailed { kind, data };
    events::append(conn, &case.incident_id, now.naive_utc(), None, &event)?;
    Ok(true)
}
