//! Duties to report to authorities, and where a case stands with them.
//!
//! - Arbetsmiljöverket (arbetsmiljölagen 3 kap. 3 a §): a death, a serious injury, several
//!   injured at once, or a near-miss that meant serious danger — "without delay"; tracked here
//!   as due within 24 hours of the report.
//! - Försäkringskassan (socialförsäkringsbalken 42 kap. 10 §): every work injury — an accident,
//!   work illness or commuting accident where a person was affected.
//!
//! The system suggests; the manager confirms (or dismisses) a duty; a duty is done when its
//! report date and reference are filled in.

use chrono::{DateTime, Duration, Utc};

use super::{Consequence, IncidentKind};
use crate::i18n::{Lang, Msg};

string_enum! {
    /// The authority a duty is owed to.
    pub enum Authority {
        /// Arbetsmiljöverket: serious events.
        Arbetsmiljoverket => "arbetsmiljoverket",
        /// Försäkringskassan: work injuries.
        Forsakringskassan => "forsakringskassan",
    }
}

string_enum! {
    /// Where a case stands with one duty.
    pub enum DutyState {
        /// Nothing suggests the duty applies.
        NotApplicable => "not_applicable",
        /// The facts suggest it; a manager has not yet confirmed or dismissed it.
        Suggested => "suggested",
        /// Confirmed, not yet reported, deadline not passed.
        Due => "due",
        /// Confirmed, not reported, deadline passed.
        Overdue => "overdue",
        /// Reported (date and reference filled in).
        Reported => "reported",
        /// A manager judged that it does not apply.
        Dismissed => "dismissed",
    }
}

impl DutyState {
    /// The state in plain words, as the case page writes it after "Läge:".
    pub fn label(self, lang: Lang) -> &'static str {
        use DutyState::*;
        match self {
            NotApplicable => lang.t(Msg::DutyDoesNotApply),
            Suggested => lang.t(Msg::DutySuggestedNotAssessed),
            Due => lang.t(Msg::DutyToBeReported),
            Overdue => lang.t(Msg::DutyOverdue),
            Reported => lang.t(Msg::DutyReported),
            Dismissed => lang.t(Msg::DutyDoesNotApplyAssessed),
        }
    }
}

impl Authority {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Authority::Arbetsmiljoverket => lang.t(Msg::AuthorityArbetsmiljoverket),
            Authority::Forsakringskassan => lang.t(Msg::AuthorityForsakringskassan),
        }
    }
}

string_enum! {
    /// How badly people were hurt, as the manager (or the reporter) marked it.
    pub enum InjurySeverity {
        None => "none",
        Minor => "minor",
        Serious => "serious",
        Fatal => "fatal",
    }
}

/// The facts of a case the duties depend on.
#[derive(Debug, Clone)]
pub struct DutyFacts<'a> {
    pub kind: IncidentKind,
    pub consequences: &'a [Consequence],
    pub injury: InjurySeverity,
    pub several_injured: bool,
    pub serious_danger: bool,
}

/// Whether the facts suggest a duty to this authority.
pub fn suggested(authority: Authority, facts: &DutyFacts) -> bool {
    match authority {
        Authority::Arbetsmiljoverket => {
            matches!(
                facts.injury,
                InjurySeverity::Serious | InjurySeverity::Fatal
            ) || facts.several_injured
                || (facts.kind == IncidentKind::NearMiss && facts.serious_danger)
        }
        Authority::Forsakringskassan => {
            matches!(
                facts.kind,
                IncidentKind::Accident
                    | IncidentKind::WorkIllness
                    | IncidentKind::CommutingAccident
            ) && facts.consequences.contains(&Consequence::Person)
        }
    }
}

/// What a manager recorded about one duty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DutyRecord {
    /// `Some(true)` confirmed, `Some(false)` dismissed, `None` not decided.
    pub confirmed: Option<bool>,
    pub reported_at: Option<DateTime<Utc>>,
    pub reference: Option<String>,
}

/// How long after the report a confirmed duty becomes overdue.
pub const DEADLINE: Duration = Duration::hours(24);

/// How long after the report an unreported duty is escalated one level up the line and to
/// the safety coordinators (the reminder to the responsible manager comes at [`DEADLINE`]).
pub const ESCALATION: Duration = Duration::hours(48);

/// The state of one duty now.
pub fn state(
    suggested: bool,
    record: &DutyRecord,
    reported_to_us_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DutyState {
    if record.reported_at.is_some() && record.reference.as_deref().is_some_and(|r| !r.is_empty()) {
        return DutyState::Reported;
    }
    match record.confirmed {
        Some(false) => DutyState::Dismissed,
        Some(true) if now > reported_to_us_at + DEADLINE => DutyState::Overdue,
        Some(true) => DutyState::Due,
        None if suggested && now > reported_to_us_at + DEADLINE => DutyState::Overdue,
        None if suggested => DutyState::Suggested,
        None => DutyState::NotApplicable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(kind: IncidentKind, person: bool) -> DutyFacts<'static> {
        DutyFacts {
            kind,
            consequences: if person { &[Consequence::Person] } else { &[] },
            injury: InjurySeverity::None,
            several_injured: false,
            serious_danger: false,
        }
    }

    #[test]
    fn work_environment_authority_for_serious_events() {
        let a = Authority::Arbetsmiljoverket;
        assert!(!suggested(a, &facts(IncidentKind::Accident, true)));
        for injury in [InjurySeverity::Serious, InjurySeverity::Fatal] {
            let f = DutyFacts {
                injury,
                ..facts(IncidentKind::Accident, true)
            };
            assert!(suggested(a, &f));
        }
        let minor = DutyFacts {
            injury: InjurySeverity::Minor,
            ..facts(IncidentKind::Accident, true)
        };
        assert!(!suggested(a, &minor));
        let several = DutyFacts {
            several_injured: true,
            ..facts(IncidentKind::Accident, true)
        };
        assert!(suggested(a, &several));
        let danger = DutyFacts {
            serious_danger: true,
            ..facts(IncidentKind::NearMiss, false)
        };
        assert!(suggested(a, &danger));
        // "Serious danger" is what makes a near-miss reportable, not any other kind.
        let danger_obs = DutyFacts {
            serious_danger: true,
            ..facts(IncidentKind::RiskObservation, false)
        };
        assert!(!suggested(a, &danger_obs));
    }

    #[test]
    fn social_insurance_for_work_injuries_to_a_person() {
        let a = Authority::Forsakringskassan;
        for kind in [
            IncidentKind::Accident,
            IncidentKind::WorkIllness,
            IncidentKind::CommutingAccident,
        ] {
            assert!(suggested(a, &facts(kind, true)), "{kind}");
            assert!(!suggested(a, &facts(kind, false)), "{kind} without person");
        }
        assert!(!suggested(a, &facts(IncidentKind::NearMiss, true)));
        assert!(!suggested(a, &facts(IncidentKind::PropertyDamage, true)));
    }

    #[test]
    fn states_over_time() {
        let t0: DateTime<Utc> = "2026-11-20T08:00:00Z".parse().unwrap();
        let soon = t0 + Duration::hours(3);
        let late = t0 + Duration::hours(25);
        let undecided = DutyRecord::default();
        assert_eq!(state(false, &undecided, t0, late), DutyState::NotApplicable);
        assert_eq!(state(true, &undecided, t0, soon), DutyState::Suggested);
        assert_eq!(state(true, &undecided, t0, late), DutyState::Overdue);
        let confirmed = DutyRecord {
            confirmed: Some(true),
            ..Default::default()
        };
        assert_eq!(state(true, &confirmed, t0, soon), DutyState::Due);
        assert_eq!(state(false, &confirmed, t0, late), DutyState::Overdue);
        let dismissed = DutyRecord {
            confirmed: Some(false),
            ..Default::default()
        };
        assert_eq!(state(true, &dismissed, t0, late), DutyState::Dismissed);
        let half = DutyRecord {
            confirmed: Some(true),
            reported_at: Some(soon),
            reference: None,
        };
        assert_eq!(
            state(true, &half, t0, late),
            DutyState::Overdue,
            "a date without a reference is not done"
        );
        let done = DutyRecord {
            reference: Some("AV 2026/12345".into()),
            ..half
        };
        assert_eq!(state(true, &done, t0, late), DutyState::Reported);
    }
}
