use crate::i18n::{Lang, Msg};

string_enum! {
    /// Where a case is in its handling.
    pub enum IncidentStatus {
        New => "new",
        Acknowledged => "acknowledged",
        Investigating => "investigating",
        ActionPlanned => "action_planned",
        Resolved => "resolved",
        Closed => "closed",
        Rejected => "rejected",
        Duplicate => "duplicate",
    }
}

impl IncidentStatus {
    /// The status in plain words, as the reporter sees it.
    pub fn label(self, lang: Lang) -> &'static str {
        use IncidentStatus::*;
        match self {
            New => lang.t(Msg::StatusReceived),
            Acknowledged => lang.t(Msg::StatusAcknowledgedByManager),
            Investigating => lang.t(Msg::StatusUnderInvestigation),
            ActionPlanned => lang.t(Msg::StatusActionsPlanned),
            Resolved => lang.t(Msg::StatusResolved),
            Closed => lang.t(Msg::StatusClosed),
            Rejected => lang.t(Msg::StatusRejected),
            Duplicate => lang.t(Msg::StatusDuplicate),
        }
    }

    /// Whether the reporter may still add to the case.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            IncidentStatus::Closed | IncidentStatus::Rejected | IncidentStatus::Duplicate
        )
    }
}
