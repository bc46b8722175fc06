//! Corrective actions (åtgärder): their states and what may follow what.
//!
//! `planned → in_progress → done → verified`, or `cancelled` (with a reason) from any state
//! before `verified`. `done → in_progress` sends back work that was not finished. An action
//! counts as open until it is verified or cancelled: the follow-up that it worked is part of
//! systematic safety work (AFS 2023:1), so a case cannot close on unverified actions.

use chrono::NaiveDate;

string_enum! {
    /// Where a corrective action is.
    pub enum ActionState {
        Planned => "planned",
        InProgress => "in_progress",
        Done => "done",
        Verified => "verified",
        Cancelled => "cancelled",
    }
}

impl ActionState {
    pub fn is_open(self) -> bool {
        !matches!(self, ActionState::Verified | ActionState::Cancelled)
    }

    /// Still to be carried out (what due dates and reminders are about).
    pub fn is_pending(self) -> bool {
        matches!(self, ActionState::Planned | ActionState::InProgress)
    }

    pub fn allowed_next(self) -> &'static [ActionState] {
        use ActionState::*;
        match self {
            Planned => &[InProgress, Done, Cancelled],
            InProgress => &[Done, Cancelled],
            Done => &[Verified, InProgress, Cancelled],
            Verified | Cancelled => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionTransitionError {
    NotAllowed {
        from: ActionState,
        to: ActionState,
        allowed: Vec<ActionState>,
    },
    ReasonRequired,
}

pub fn check_transition(
    from: ActionState,
    to: ActionState,
    reason: Option<&str>,
) -> Result<(), ActionTransitionError> {
    if !from.allowed_next().contains(&to) {
        return Err(ActionTransitionError::NotAllowed {
            from,
            to,
            allowed: from.allowed_next().to_vec(),
        });
    }
    if to == ActionState::Cancelled && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(ActionTransitionError::ReasonRequired);
    }
    Ok(())
}

/// Whether an action is overdue on `today` (a Europe/Stockholm calendar date).
pub fn is_overdue(state: ActionState, due: NaiveDate, today: NaiveDate) -> bool {
    state.is_pending() && due < today
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActionState::*;

    #[test]
    fn transitions() {
        assert_eq!(check_transition(Planned, InProgress, None), Ok(()));
        assert_eq!(check_transition(Done, Verified, None), Ok(()));
        assert_eq!(
            check_transition(Planned, Cancelled, None),
            Err(ActionTransitionError::ReasonRequired)
        );
        assert_eq!(
            check_transition(Planned, Cancelled, Some("Ersatt av åtgärd 2")),
            Ok(())
        );
        for &to in ActionState::ALL {
            assert!(check_transition(Verified, to, Some("x")).is_err());
            assert!(check_transition(Cancelled, to, Some("x")).is_err());
        }
        assert!(matches!(
            check_transition(Planned, Verified, None),
            Err(ActionTransitionError::NotAllowed { .. })
        ));
    }

    #[test]
    fn open_and_overdue() {
        assert!(Done.is_open() && !Verified.is_open() && !Cancelled.is_open());
        let due = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let next_day = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert!(!is_overdue(Planned, due, due), "due today is not overdue");
        assert!(is_overdue(InProgress, due, next_day));
        assert!(!is_overdue(Done, due, next_day));
    }
}
