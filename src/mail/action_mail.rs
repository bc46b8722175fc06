//! Mails about corrective actions: to the owner when assigned, before the due date and when
//! overdue; to the case's responsible manager when long overdue. Each reminder step is claimed
//! with a conditional update in the transaction that writes its mail and history event, so
//! with several workers each happens once.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::templates::{self, ActionFacts, ActionMail};
use super::MailContext;
use crate::db::actions::{self as actions_db, CaseBrief, DueAction};
use crate::db::outbox::{self, NewMail};
use crate::db::{duties, events, routing as routing_db, AnyConnection, Db, DbResult};
use crate::domain::action::{ActionState, ReminderSchedule, ReminderStep, StepsTaken};
use crate::domain::calendar::stockholm_date;
use crate::domain::case_event::{CaseEvent, MailedKind};
use crate::domain::routing::{escalation_target, responsible_in_line, Recipient, Role};

impl MailContext {
    pub fn action_schedule(&self) -> ReminderSchedule {
        ReminderSchedule {
            days_before: self.action_reminder_days_before,
            escalation_days: self.action_escalation_days,
        }
    }
}

/// What the mail may say about an action and its case.
pub fn facts(
    case: &CaseBrief,
    title: &str,
    owner_email: &str,
    due_date: NaiveDate,
    state: ActionState,
) -> DbResult<ActionFacts> {
    Ok(ActionFacts {
        action_title: title.to_owned(),
        case_title: case.title.clone(),
        kind: case.kind,
        unit_name: case.org_unit_name.clone(),
        due_date,
        state,
        owner_email: owner_email.to_owned(),
    })
}

/// One mail about an action, rendered for one recipient.
pub fn mail(
    ctx: &MailContext,
    which: ActionMail,
    f: &ActionFacts,
    incident_id: &str,
    to: &str,
    role: &str,
) -> NewMail {
    let rendered = templates::action_mail(which, f, &ctx.case_url(incident_id));
    NewMail {
        id: Uuid::now_v7(),
        incident_id: Some(incident_id.to_owned()),
        purpose: which.purpose(),
        role: role.to_owned(),
        recipient: to.to_owned(),
        subject: rendered.subject,
        body_text: rendered.text,
        body_html: rendered.html,
    }
}

/// Writes the assignment mail to the owner. Call inside the transaction that creates or
/// reassigns the action; returns the mail's id for the history event.
pub fn write_assignment(
    conn: &mut AnyConnection,
    ctx: &MailContext,
    f: &ActionFacts,
    incident_id: &str,
    now: DateTime<Utc>,
) -> DbResult<Uuid> {
    let m = mail(
        ctx,
        ActionMail::Assigned,
        f,
        incident_id,
        &f.owner_email,
        "action_owner",
    );
    outbox::insert(conn, &m, now.naive_utc())?;
    Ok(m.id)
}

/// The safety coordinators: configured addresses and users flagged as such, without repeats.
pub fn coordinators(
    conn: &mut AnyConnection,
    ctx: &MailContext,
    reason: &str,
) -> DbResult<Vec<Recipient>> {
    let mut emails: Vec<String> = ctx.policy.safety_coordinators.clone();
    for e in duties::coordinator_emails(conn)? {
        if !emails.iter().any(|x| x.eq_ignore_ascii_case(&e)) {
            emails.push(e);
        }
    }
    Ok(emails
        .into_iter()
        .map(|email| Recipient {
            email,
            name: None,
            role: Role::SafetyCoordinator,
            unit_id: None,
            reason: reason.to_owned(),
        })
        .collect())
}

/// Whoever is responsible for a unit's cases today (manager, deputy while away, or up the
/// line); the safety coordinators when no one is.
pub fn responsible_now(
    conn: &mut AnyConnection,
    ctx: &MailContext,
    unit_id: &str,
    today: NaiveDate,
) -> DbResult<Vec<Recipient>> {
    let chain = routing_db::chain(conn, unit_id)?;
    match responsible_in_line(&chain, 0, today) {
        Some(r) => Ok(vec![r]),
        None => coordinators(
            conn,
            ctx,
            "ingen i linjen är tillgänglig: säkerhetssamordnare / no one in the line is available: safety coordinators",
        ),
    }
}

/// Takes every action reminder step due at `now`. Returns how many this instance took.
pub async fn scan(db: &Db, ctx: &Arc<MailContext>, now: DateTime<Utc>) -> DbResult<usize> {
    let today = stockholm_date(now);
    let schedule = ctx.action_schedule();
    let due = db
        .read(move |c| {
            actions_db::due_steps(
                c,
                today,
                schedule.days_before,
                schedule.escalation_days,
                200,
            )
        })
        .await?;
    let mut taken = 0;
    for action in due {
        let state: ActionState = action.state;
        let due_date = action.due_date;
        let steps = StepsTaken {
            due_soon: action.reminded_before_at.is_some(),
            overdue: action.reminded_overdue_at.is_some(),
            escalated: action.escalated_at.is_some(),
        };
        let Some(step) = schedule.next_step(state, due_date, today, steps) else {
            continue;
        };
        let ctx = ctx.clone();
        if db
            .write(move |c| take_step(c, &ctx, &action, state, due_date, step, now))
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
    conn: &mut AnyConnection,
    ctx: &MailContext,
    action: &DueAction,
    state: ActionState,
    due_date: NaiveDate,
    step: ReminderStep,
    now: DateTime<Utc>,
) -> DbResult<bool> {
    if !actions_db::claim_step(conn, &action.id, step, now.naive_utc())? {
        return Ok(false); // another worker took it, or the action was finished meanwhile
    }
    let Some(case) = actions_db::case_brief(conn, &action.incident_id)? else {
        return Ok(false);
    };
    let f = facts(&case, &action.title, &action.owner_email, due_date, state)?;
    let today = stockholm_date(now);
    let (which, kind, recipients): (ActionMail, MailedKind, Vec<(String, String, String)>) =
        match step {
            ReminderStep::DueSoon => (
                ActionMail::DueSoon,
                MailedKind::ActionReminder,
                vec![(
                    action.owner_email.clone(),
                    "action_owner".into(),
                    String::new(),
                )],
            ),
            ReminderStep::Overdue => (
                ActionMail::Overdue,
                MailedKind::ActionOverdue,
                vec![(
                    action.owner_email.clone(),
                    "action_owner".into(),
                    String::new(),
                )],
            ),
            ReminderStep::Escalation => {
                let mut targets = responsible_now(conn, ctx, &case.org_unit_id, today)?;
                // The owner is often the manager: then the escalation goes one level further up.
                if targets
                    .iter()
                    .any(|t| t.email.eq_ignore_ascii_case(&action.owner_email))
                {
                    let chain = routing_db::chain(conn, &case.org_unit_id)?;
                    let unit = targets.iter().find_map(|t| t.unit_id.clone());
                    targets = escalation_target(&chain, unit.as_deref(), &ctx.policy, today);
                    targets.retain(|t| !t.email.eq_ignore_ascii_case(&action.owner_email));
                }
                (
                    ActionMail::Escalation,
                    MailedKind::ActionEscalation,
                    targets
                        .into_iter()
                        .map(|t| (t.email, t.role.as_str().to_owned(), t.reason))
                        .collect(),
                )
            }
        };
    let mut mails = Vec::new();
    for (email, role, reason) in &recipients {
        let m = mail(ctx, which, &f, &case.id, email, role);
        outbox::insert(conn, &m, now.naive_utc())?;
        mails.push(serde_json::json!({"id": m.id, "to": email, "role": role, "reason": reason}));
    }
    let data = serde_json::json!({
        "action_id": action.id,
        "title": action.title,
        "due_date": action.due_date,
        "owner_email": action.owner_email,
        "mails": mails,
    });
    let event = CaseEvent::Mailed { kind, data };
    events::append(conn, &case.id, now.naive_utc(), None, &event)?;
    Ok(true)
}
