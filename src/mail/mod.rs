//! Mail: what routing decided becomes outbox rows in the transaction of the event that caused
//! them; the worker (`outbox_worker`) sends them through a transport (`transport`), and
//! `escalation` adds reminders and escalations when deadlines pass.

pub mod action_mail;
pub mod duty_reminders;
pub mod escalation;
pub mod housekeeping;
pub mod links;
pub mod outbox_worker;
pub mod reroute;
pub mod templates;
pub mod transport;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::config::Settings;
use crate::db::outbox::{self, NewMail};
use crate::db::{events, incidents, routing as routing_db, AnyConnection, DbResult};
use crate::domain::ack_token::{self, AckClaims};
use crate::domain::calendar::{add_working_days, stockholm_date};
use crate::domain::case_event::CaseEvent;
use crate::domain::routing::{self, Recipient, RoutingDecision, RoutingPolicy};
use crate::domain::NewIncident;
use templates::{Facts, Links, Purpose};

/// What mail rendering, routing and the worker share.
pub struct MailContext {
    pub base_url: String,
    /// The domain part of every Message-ID.
    pub host: String,
    ack_secret: Vec<u8>,
    pub policy: RoutingPolicy,
    pub ack_link_days: u32,
    pub deadline_serious_hours: u32,
    pub deadline_working_days: u32,
    /// Calendar days before an action's due date when its owner is reminded.
    pub action_reminder_days_before: u32,
    /// Calendar days after an action's due date when it is escalated.
    pub action_escalation_days: u32,
    /// Wakes the worker after a commit that wrote mail, so it does not wait for its next poll.
    pub wake: Notify,
    /// Lower-case mail domains whose addresses may log in (the worker decides, see `links`).
    pub login_domains: Vec<String>,
    pub login_link_ttl: Duration,
    /// Receipts to any address (else only to the login domains and a logged-in reporter).
    pub receipts_to_any_address: bool,
    /// Days a sent mail stays in the outbox before the worker prunes it.
    pub sent_mail_days: u32,
    /// Sessions idle this long are deleted by the worker (they no longer log in anyway).
    pub session_idle: Duration,
    /// Retention by decision, which the worker applies once a day.
    pub retention: crate::domain::retention::RetentionRules,
    /// Whether staff may log in with a mailed link (false only with single sign-on and
    /// `oidc_staff_mailed_link = false`: they use the municipal account).
    pub staff_mailed_link: bool,
}

/// The host of a URL, for Message-IDs (`https://tillbud.example.se:8443/x` → `tillbud.example.se`).
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host = rest.split(['/', ':', '?', '#']).next().unwrap_or("");
    if host.is_empty() {
        "localhost".to_owned()
    } else {
        host.to_owned()
    }
}

impl MailContext {
    pub fn from_settings(settings: &Settings) -> MailContext {
        let m = &settings.mail;
        let ack_secret = match &m.ack_secret {
            Some(secret) => secret.as_bytes().to_vec(),
            None => {
                tracing::warn!(
                    "TILLBUD_ACK_SECRET is not set: acknowledgement links are signed with a \
                     random key that changes at every start, so links in mails sent before a \
                     restart will not work (set it in production)"
                );
                let mut key = vec![0u8; 32];
                rand::fill(&mut key[..]);
                key
            }
        };
        MailContext {
            base_url: settings.base_url.clone(),
            host: host_of(&settings.base_url),
            ack_secret,
            policy: RoutingPolicy {
                safety_coordinators: m.safety_coordinators.clone(),
                safety_rep_kinds: m.safety_rep_kinds.iter().copied().collect(),
                ..RoutingPolicy::default()
            },
            ack_link_days: m.ack_link_days,
            deadline_serious_hours: m.deadline_serious_hours,
            deadline_working_days: m.deadline_working_days,
            action_reminder_days_before: m.action_reminder_days_before,
            action_escalation_days: m.action_escalation_days,
            wake: Notify::new(),
            login_domains: settings.auth.login_domains.clone(),
            login_link_ttl: settings.auth.login_link_ttl,
            receipts_to_any_address: m.receipts_to_any_address,
            sent_mail_days: m.sent_days,
            session_idle: settings.auth.session_idle,
            retention: settings.retention.clone(),
            staff_mailed_link: settings.oidc.as_ref().is_none_or(|o| o.staff_mailed_link),
        }
    }

    pub fn ack_secret(&self) -> &[u8] {
        &self.ack_secret
    }

    /// Whether a receipt may go to `email`: anyone could type any address into a report, so
    /// only addresses of our own domains, or the logged-in reporter's own (`verified`), get
    /// mail from us unless the setting allows any.
    pub fn may_receive_receipt(&self, email: &str, verified: Option<&str>) -> bool {
        self.receipts_to_any_address
            || verified.is_some_and(|v| v.eq_ignore_ascii_case(email))
            || email.rsplit_once('@').is_some_and(|(_, domain)| {
                self.login_domains
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(domain))
            })
    }

    /// Where staff open a case.
    pub fn case_url(&self, incident_id: &str) -> String {
        format!("{}/cases/{incident_id}", self.base_url)
    }

    pub fn ack_url(&self, incident_id: Uuid, mail_id: Uuid, now: DateTime<Utc>) -> String {
        let token = ack_token::sign(
            &self.ack_secret,
            &AckClaims {
                incident_id,
                mail_id,
                expires: now + Duration::days(self.ack_link_days.into()),
            },
        );
        format!("{}/ack/{token}", self.base_url)
    }

    /// When the reminder and the escalation are due for a case reported at `from`: the
    /// second deadline is as long again as the first.
    pub fn deadlines(&self, serious: bool, from: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        if serious {
            let h = Duration::hours(self.deadline_serious_hours.into());
            (from + h, from + h + h)
        } else {
            let n = self.deadline_working_days;
            (add_working_days(from, n), add_working_days(from, 2 * n))
        }
    }

    /// Renders one mail about a case for one recipient. An acknowledgement link is left as a
    /// placeholder, signed when the mail is sent (`links`).
    pub fn mail(
        &self,
        purpose: Purpose,
        recipient: &Recipient,
        facts: &Facts,
        incident_id: Uuid,
        tracking_url: Option<&str>,
    ) -> NewMail {
        let id = Uuid::now_v7();
        let case_url = match purpose {
            Purpose::Receipt => tracking_url.map(str::to_owned).unwrap_or_default(),
            _ => self.case_url(&incident_id.to_string()),
        };
        let wants_ack = matches!(
            purpose,
            Purpose::Notify | Purpose::Reminder | Purpose::Escalation | Purpose::Moved
        );
        let links = Links {
            case: &case_url,
            ack: wants_ack.then_some(links::ACK_LINK),
        };
        let rendered = templates::render(purpose, facts, &links, &recipient.reason);
        NewMail {
            id,
            incident_id: Some(incident_id.to_string()),
            purpose: purpose.as_str(),
            role: recipient.role.as_str().to_owned(),
            recipient: recipient.email.clone(),
            subject: rendered.subject,
            body_text: rendered.text,
            body_html: rendered.html,
        }
    }
}

fn recipient_json(r: &Recipient) -> serde_json::Value {
    serde_json::json!({
        "email": r.email, "name": r.name, "role": r.role.as_str(),
        "unit_id": r.unit_id, "reason": r.reason,
    })
}

/// Routes a new report and writes its routing record, its `routed` history event and one
/// outbox row per mail. Call inside the report's transaction. `verified_email` is the
/// logged-in reporter's own address, if any.
pub fn route_new_incident(
    conn: &mut AnyConnection,
    ctx: &MailContext,
    incident_id: Uuid,
    tracking_url: &str,
    incident: &NewIncident,
    verified_email: Option<&str>,
    now: DateTime<Utc>,
) -> DbResult<()> {
    let id = incident_id.to_string();
    let chain = routing_db::chain(conn, &incident.org_unit_id.to_string())?;
    let reporter_email = incident
        .reporter
        .as_ref()
        .and_then(|r| r.email.as_ref())
        .map(|e| e.as_str());
    let decision = routing::route(
        incident.kind,
        &incident.consequences,
        reporter_email,
        &chain,
        &ctx.policy,
        stockholm_date(now),
    );
    let decision: RoutingDecision = match decision {
        Ok(mut d) => {
            d.receipt = d
                .receipt
                .filter(|email| ctx.may_receive_receipt(email, verified_email));
            d
        }
        Err(e) => {
            // The import refuses trees where this can happen; if it does anyway, the report
            // must still be stored: record why no one was told, loudly.
            tracing::error!(incident = %id, error = %e, "report could not be routed");
            let event = CaseEvent::Routed(serde_json::json!({ "error": e.to_string() }));
            return events::append(conn, &id, now.naive_utc(), None, &event).map(drop);
        }
    };
    let facts = Facts {
        kind: incident.kind,
        title: incident.title.as_str().to_owned(),
        unit_name: chain.first().map(|u| u.name.clone()).unwrap_or_default(),
        occurred_at: incident.occurred_at,
        consequences: incident.consequences.iter().copied().collect(),
        serious: decision.serious,
    };
    let mut mails = Vec::new();
    for r in &decision.responsible {
        mails.push(ctx.mail(Purpose::Notify, r, &facts, incident_id, None));
    }
    for r in &decision.copies {
        mails.push(ctx.mail(Purpose::Copy, r, &facts, incident_id, None));
    }
    if let Some(email) = &decision.receipt {
        let reporter = Recipient {
            email: email.clone(),
            name: None,
            role: routing::Role::Reporter,
            unit_id: None,
            reason: String::new(),
        };
        mails.push(ctx.mail(
            Purpose::Receipt,
            &reporter,
            &facts,
            incident_id,
            Some(tracking_url),
        ));
    }
    for mail in &mails {
        outbox::insert(conn, mail, now.naive_utc())?;
    }

    let (remind_at, escalate_at) = ctx.deadlines(decision.serious, now);
    routing_db::insert(
        conn,
        &routing_db::NewRouting {
            incident_id: &id,
            responsible: decision
                .responsible
                .iter()
                .map(|r| r.email.as_str())
                .collect::<Vec<_>>()
                .join(","),
            responsible_unit_id: decision.responsible.first().and_then(|r| r.unit_id.clone()),
            serious: decision.serious,
            remind_at: remind_at.naive_utc(),
            escalate_at: escalate_at.naive_utc(),
        },
    )?;
    let data = serde_json::json!({
        "responsible": decision.responsible.iter().map(recipient_json).collect::<Vec<_>>(),
        "copies": decision.copies.iter().map(recipient_json).collect::<Vec<_>>(),
        "receipt_to_reporter": decision.receipt.is_some(),
        "serious": decision.serious,
        "remind_at": remind_at,
        "escalate_at": escalate_at,
        "mails": mails.iter().map(|m| serde_json::json!({"id": m.id, "to": m.recipient, "purpose": m.purpose})).collect::<Vec<_>>(),
    });
    events::append(conn, &id, now.naive_utc(), None, &CaseEvent::Routed(data)).map(drop)
}

/// Facts of a stored case, for reminder and escalation mails.
pub fn facts_of(case: &incidents::CaseFacts, serious: bool) -> Option<Facts> {
    Some(Facts {
        kind: case.kind,
        title: case.title.clone(),
        unit_name: case.org_unit_name.clone(),
        occurred_at: DateTime::from_naive_utc_and_offset(case.occurred_at, Utc),
        consequences: case.consequences.clone(),
        serious,
    })
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn hosts_of_urls() {
        assert_eq!(
            host_of("https://tillbud.example.se:8443/x"),
            "tillbud.example.se"
        );
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_of("http://tillbud.test"), "tillbud.test");
    }
}
