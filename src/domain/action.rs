//! Corrective actions (åtgärder): their states and what may follow what.
//!
//! `planned → in_progress → done → verified`, or `cancelled` (with a reason) from any state
//! before `verified`. `done → in_progress` sends back work that was not finished. An action
//! counts as open until it is verified or cancelled: the follow-up that it worked is part of
//! systematic safety work (AFS 2023:1), so a case cannot close on unverified actions.

use chrono::NaiveDate;

use crate::i18n::{Lang, Msg};

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
    /// The state in plain words.
    pub fn label(self, lang: Lang) -> &'static str {
        use ActionState::*;
        match self {
            Planned => lang.t(Msg::ActionPlanned),
            InProgress => lang.t(Msg::ActionInProgress),
            Done => lang.t(Msg::ActionDone),
            Verified => lang.t(Msg::ActionVerified),
            Cancelled => lang.t(Msg::ActionCancelled),
        }
    }

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

/// A reminder step of a corrective action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderStep {
    /// To the owner, `days_before` calendar days before the due date.
    DueSoon,
    /// To the owner, on the first day after the due date.
    Overdue,
    /// To the case's responsible manager, `escalation_days` after the due date.
    Escalation,
}

/// When the reminders come, in Europe/Stockholm calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderSchedule {
    pub days_before: u32,
    pub escalation_days: u32,
}

/// Which steps have been taken already.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepsTaken {
    pub due_soon: bool,
    pub overdue: bool,
    pub escalated: bool,
}

impl ReminderSchedule {
    /// Whether a due date is already inside the "due soon" window on `today`: then the
    /// assignment mail says the date, and no separate reminder follows it.
    pub fn inside_window(&self, due: NaiveDate, today: NaiveDate) -> bool {
        (due - today).num_days() <= i64::from(self.days_before)
    }

    /// The step due on `today`, if any. One at a time, in order: an action found overdue
    /// gets its "overdue" mail before any escalation; "due soon" is skipped once the due
    /// date has passed (the "overdue" mail says more).
    pub fn next_step(
        &self,
        state: ActionState,
        due: NaiveDate,
        today: NaiveDate,
        taken: StepsTaken,
    ) -> Option<ReminderStep> {
        if !state.is_pending() {
            return None;
        }
        if today > due {
            if !taken.overdue {
                return Some(ReminderStep::Overdue);
            }
            if !taken.escalated && (today - due).num_days() >= i64::from(self.escalation_days) {
                return Some(ReminderStep::Escalation);
            }
            return None;
        }
        (!taken.due_soon && self.inside_window(due, today)).then_some(ReminderStep::DueSoon)
    }
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

    #[test]
    fn reminder_steps_in_order() {
        let s = ReminderSchedule {
            days_before: 3,
            escalation_days: 7,
        };
        let due = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let none = StepsTaken::default();
        assert_eq!(s.next_step(Planned, due, day(6), none), None);
        assert_eq!(
            s.next_step(Planned, due, day(7), none),
            Some(ReminderStep::DueSoon)
        );
        assert_eq!(
            s.next_step(InProgress, due, day(10), none),
            Some(ReminderStep::DueSoon)
        );
        let soon = StepsTaken {
            due_soon: true,
            ..none
        };
        assert_eq!(s.next_step(Planned, due, day(10), soon), None);
        assert_eq!(
            s.next_step(Planned, due, day(11), soon),
            Some(ReminderStep::Overdue)
        );
        assert_eq!(
            s.next_step(Planned, due, day(20), none),
            Some(ReminderStep::Overdue)
        );
        let late = StepsTaken {
            overdue: true,
            ..soon
        };
        assert_eq!(s.next_step(Planned, due, day(16), late), None);
        assert_eq!(
            s.next_step(Planned, due, day(17), late),
            Some(ReminderStep::Escalation)
        );
        let all = StepsTaken {
            escalated: true,
            ..late
        };
        assert_eq!(s.next_step(Planned, due, day(30), all), None);
        assert_eq!(s.next_step(Done, due, day(30), none), None);
        assert!(s.inside_window(due, day(7)) && !s.inside_window(due, day(6)));
    }
}
