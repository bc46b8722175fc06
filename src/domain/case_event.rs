//! A case's history, typed. Each [`CaseEvent`] knows its kind (the stored word), whether the
//! reporter sees it on the tracking page (public), and the data it carries. Written through
//! `db::events::append` and read through `db::events::list`; nothing else touches the table.
//!
//! The data of each kind is what the API has always sent (`GET …/events`, the admin
//! history): the structs below serialise to exactly those objects.

use serde::Serialize;
use serde_json::Value;

use super::action::ActionState;
use super::IncidentStatus;
use crate::i18n::Lang;

string_enum! {
    /// What a history entry records.
    pub enum EventKind {
        Created => "created",
        Routed => "routed",
        Rerouted => "rerouted",
        StatusChanged => "status_changed",
        Acknowledged => "acknowledged",
        FieldChanged => "field_changed",
        Comment => "comment",
        ReporterComment => "reporter_comment",
        PhotoAdded => "photo_added",
        ActionCreated => "action_created",
        ActionUpdated => "action_updated",
        ActionStateChanged => "action_state_changed",
        ReminderSent => "reminder_sent",
        Escalated => "escalated",
        DutyReminderSent => "duty_reminder_sent",
        DutyEscalated => "duty_escalated",
        ActionReminderSent => "action_reminder_sent",
        ActionOverdueSent => "action_overdue_sent",
        ActionEscalated => "action_escalated",
        MailSent => "mail_sent",
        Anonymised => "anonymised",
        PersonalDataRemoved => "personal_data_removed",
    }
}

/// One entry to append to a case's history.
#[derive(Debug, Clone)]
pub enum CaseEvent {
    /// The report was stored.
    Created,
    /// Who routing told, or why no one was told (`{"error": …}`). The record is built by
    /// `mail` (recipients, deadlines, mail ids) and kept as it built it.
    Routed(Value),
    /// The case moved to another unit: who is responsible now, or why no one could be.
    Rerouted(Value),
    /// A workflow step (public: the tracking page shows its `text`).
    StatusChanged(StatusChange),
    /// The case was taken, by the mail's link or the workflow step (public).
    Acknowledged(StatusChange),
    /// One field of the case changed.
    FieldChanged(FieldChange),
    /// A comment by staff (public when they chose so) or by the reporter logged in.
    Comment(Comment),
    /// A comment from the tracking page (public).
    ReporterComment {
        text: String,
    },
    /// A photo from the reporter (public).
    PhotoAdded {
        attachment_id: String,
    },
    ActionCreated(ActionCreated),
    /// One field of a corrective action changed.
    ActionUpdated(ActionFieldChange),
    ActionStateChanged(ActionStep),
    /// A reminder or escalation mail (of the case, a legal duty or an action) went to the
    /// outbox: `kind` says which, `data` who was told and why.
    Mailed {
        kind: MailedKind,
        data: Value,
    },
    /// A sent mail was pruned from the outbox; the history keeps that it went (purpose, role,
    /// when).
    MailSent(Value),
    /// A retention rule removed the case's personal data (the rule, the marker, the counts).
    Anonymised(Value),
    /// A coordinator removed personal data on request (what kind, why, how many places).
    PersonalDataRemoved(Value),
}

/// The reminder and escalation kinds of [`CaseEvent::Mailed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailedKind {
    Reminder,
    Escalation,
    DutyReminder,
    DutyEscalation,
    ActionReminder,
    ActionOverdue,
    ActionEscalation,
}

impl MailedKind {
    pub fn kind(self) -> EventKind {
        match self {
            MailedKind::Reminder => EventKind::ReminderSent,
            MailedKind::Escalation => EventKind::Escalated,
            MailedKind::DutyReminder => EventKind::DutyReminderSent,
            MailedKind::DutyEscalation => EventKind::DutyEscalated,
            MailedKind::ActionReminder => EventKind::ActionReminderSent,
            MailedKind::ActionOverdue => EventKind::ActionOverdueSent,
            MailedKind::ActionEscalation => EventKind::ActionEscalated,
        }
    }
}

/// Status, reason and original of a case, before or after a step.
#[derive(Debug, Clone, Serialize)]
pub struct StatusState {
    pub status: IncidentStatus,
    pub status_reason: Option<String>,
    pub duplicate_of: Option<String>,
}

/// A status step: from, to, why, and the new status in words for the tracking page (never
/// the reason, which may name people).
#[derive(Debug, Clone, Serialize)]
pub struct StatusChange {
    /// `api` or `mail_link`.
    pub via: &'static str,
    pub from: IncidentStatus,
    pub to: IncidentStatus,
    pub reason: Option<String>,
    pub duplicate_of: Option<String>,
    pub before: StatusState,
    pub after: StatusState,
    pub text: String,
}

impl StatusChange {
    /// The step from `before` to `to` with `reason` and `duplicate_of`.
    pub fn new(
        via: &'static str,
        before: StatusState,
        to: IncidentStatus,
        reason: Option<String>,
        duplicate_of: Option<String>,
    ) -> StatusChange {
        StatusChange {
            via,
            from: before.status,
            to,
            reason: reason.clone(),
            duplicate_of: duplicate_of.clone(),
            after: StatusState {
                status: to,
                status_reason: reason,
                duplicate_of,
            },
            before,
            text: format!("{} / {}", to.label(Lang::Sv), to.label(Lang::En)),
        }
    }
}

/// A case field's value before and after.
#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    /// The field's name in the API (`duties.arbetsmiljoverket.state`, say).
    pub field: String,
    pub before: Value,
    pub after: Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comment {
    pub text: String,
    pub by_reporter: bool,
    /// Not part of the data: the event's public flag.
    #[serde(skip)]
    pub public: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionCreated {
    pub action_id: String,
    pub title: String,
    pub owner_email: String,
    pub due_date: chrono::NaiveDate,
    pub cost_estimate_ore: Option<i64>,
    /// The assignment mail's id.
    pub mail: uuid::Uuid,
}

/// A corrective action's field before and after; an owner change names the mail that told
/// the new owner (`null` when there was none to write).
#[derive(Debug, Clone, Serialize)]
pub struct ActionFieldChange {
    pub action_id: String,
    pub field: &'static str,
    pub before: Value,
    pub after: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mail: Option<Option<uuid::Uuid>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionStep {
    pub action_id: String,
    pub title: String,
    pub before: ActionState,
    pub after: ActionState,
    pub reason: Option<String>,
}

impl CaseEvent {
    pub fn kind(&self) -> EventKind {
        match self {
            CaseEvent::Created => EventKind::Created,
            CaseEvent::Routed(_) => EventKind::Routed,
            CaseEvent::Rerouted(_) => EventKind::Rerouted,
            CaseEvent::StatusChanged(_) => EventKind::StatusChanged,
            CaseEvent::Acknowledged(_) => EventKind::Acknowledged,
            CaseEvent::FieldChanged(_) => EventKind::FieldChanged,
            CaseEvent::Comment(_) => EventKind::Comment,
            CaseEvent::ReporterComment { .. } => EventKind::ReporterComment,
            CaseEvent::PhotoAdded { .. } => EventKind::PhotoAdded,
            CaseEvent::ActionCreated(_) => EventKind::ActionCreated,
            CaseEvent::ActionUpdated(_) => EventKind::ActionUpdated,
            CaseEvent::ActionStateChanged(_) => EventKind::ActionStateChanged,
            CaseEvent::Mailed { kind, .. } => kind.kind(),
            CaseEvent::MailSent(_) => EventKind::MailSent,
            CaseEvent::Anonymised(_) => EventKind::Anonymised,
            CaseEvent::PersonalDataRemoved(_) => EventKind::PersonalDataRemoved,
        }
    }

    /// Whether the reporter sees it on the tracking page.
    pub fn public(&self) -> bool {
        match self {
            CaseEvent::Created
            | CaseEvent::StatusChanged(_)
            | CaseEvent::Acknowledged(_)
            | CaseEvent::ReporterComment { .. }
            | CaseEvent::PhotoAdded { .. } => true,
            CaseEvent::Comment(c) => c.public,
            CaseEvent::Routed(_)
            | CaseEvent::Rerouted(_)
            | CaseEvent::FieldChanged(_)
            | CaseEvent::ActionCreated(_)
            | CaseEvent::ActionUpdated(_)
            | CaseEvent::ActionStateChanged(_)
            | CaseEvent::Mailed { .. }
            | CaseEvent::MailSent(_)
            | CaseEvent::Anonymised(_)
            | CaseEvent::PersonalDataRemoved(_) => false,
        }
    }

    /// What it carries, as stored and sent.
    pub fn data(&self) -> Value {
        fn to<T: Serialize>(v: &T) -> Value {
            // These structs hold strings, numbers, dates and enums only: serialising them
            // cannot fail.
            serde_json::to_value(v).unwrap_or(Value::Null)
        }
        match self {
            CaseEvent::Created => Value::Object(Default::default()),
            CaseEvent::Routed(v) | CaseEvent::Rerouted(v) => v.clone(),
            CaseEvent::Mailed { data, .. } => data.clone(),
            CaseEvent::MailSent(v)
            | CaseEvent::Anonymised(v)
            | CaseEvent::PersonalDataRemoved(v) => v.clone(),
            CaseEvent::StatusChanged(c) | CaseEvent::Acknowledged(c) => to(c),
            CaseEvent::FieldChanged(c) => to(c),
            CaseEvent::Comment(c) => to(c),
            CaseEvent::ReporterComment { text } => serde_json::json!({ "text": text }),
            CaseEvent::PhotoAdded { attachment_id } => {
                serde_json::json!({ "attachment_id": attachment_id })
            }
            CaseEvent::ActionCreated(a) => to(a),
            CaseEvent::ActionUpdated(a) => to(a),
            CaseEvent::ActionStateChanged(a) => to(a),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_changes_carry_before_after_and_words() {
        let before = StatusState {
            status: IncidentStatus::New,
            status_reason: None,
            duplicate_of: None,
        };
        let e = CaseEvent::Acknowledged(StatusChange::new(
            "mail_link",
            before,
            IncidentStatus::Acknowledged,
            None,
            None,
        ));
        assert_eq!(e.kind().as_str(), "acknowledged");
        assert!(e.public());
        let d = e.data();
        assert_eq!(d["via"], "mail_link");
        assert_eq!(d["before"]["status"], "new");
        assert_eq!(d["after"]["status"], "acknowledged");
        assert_eq!(d["from"], "new");
        assert!(d["text"].as_str().unwrap().contains(" / "));
    }

    #[test]
    fn an_owner_change_names_its_mail_and_other_fields_do_not() {
        let change = |field, mail| {
            CaseEvent::ActionUpdated(ActionFieldChange {
                action_id: "a".into(),
                field,
                before: json!("x"),
                after: json!("y"),
                mail,
            })
            .data()
        };
        assert_eq!(change("owner_email", Some(None))["mail"], Value::Null);
        assert!(change("owner_email", Some(None))
            .as_object()
            .unwrap()
            .contains_key("mail"));
        assert!(!change("title", None)
            .as_object()
            .unwrap()
            .contains_key("mail"));
    }

    #[test]
    fn comments_keep_their_public_flag_out_of_the_data() {
        let e = CaseEvent::Comment(Comment {
            text: "hej".into(),
            by_reporter: false,
            public: true,
        });
        assert!(e.public());
        assert_eq!(e.data(), json!({"text": "hej", "by_reporter": false}));
        assert!(!CaseEvent::Routed(json!({})).public());
        EventKind::assert_wire_names();
    }
}
