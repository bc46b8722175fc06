use crate::i18n::Lang;

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
            New => lang.pick("Mottagen", "Received"),
            Acknowledged => lang.pick("Mottagen av chef", "Acknowledged by manager"),
            Investigating => lang.pick("Under utredning", "Under investigation"),
            ActionPlanned => lang.pick("Åtgärder planeras", "Actions planned"),
            Resolved => lang.pick("Åtgärdad", "Resolved"),
            Closed => lang.pick("Avslutad", "Closed"),
            Rejected => lang.pick("Avvisad", "Rejected"),
            Duplicate => lang.pick("Dubblett", "Duplicate"),
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
