//! The case state machine: which status may follow which, and what each step needs.
//!
//! ```text
//! new ──► acknowledged ──► investigating ──► action_planned ──► resolved ──► closed
//!   │          │   └──────────────┬──────────────┘  ▲   │          ▲  │
//!   │          └──────────────────┼─────────────────┘   └──────────┘  │ (back to work)
//!   └──► rejected / duplicate ◄───┘                                    │
//! closed, rejected, duplicate ──reopen──► acknowledged ◄───────────────┘
//! ```
//!
//! The rules are pure: the caller supplies what the guards need (open actions, the rating).

use super::IncidentStatus;

/// What a transition request brings besides its target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransitionInput {
    /// Why: required to reject, to mark as duplicate and to reopen.
    pub reason: Option<String>,
    /// The other case, required (and only allowed) for `duplicate`.
    pub duplicate_of: Option<String>,
}

/// What the case looks like for the guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFacts {
    /// Corrective actions neither verified nor cancelled.
    pub open_actions: u32,
    /// Whether the risk has been rated (likelihood × consequence).
    pub risk_rated: bool,
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// Not a step the state machine has; `allowed` lists the ones it has from here.
    NotAllowed {
        from: IncidentStatus,
        to: IncidentStatus,
        allowed: Vec<IncidentStatus>,
    },
    ReasonRequired,
    DuplicateOfRequired,
    DuplicateOfItself,
    DuplicateOfNotExpected,
    OpenActions(u32),
    RiskNotRated,
}

/// The steps allowed from a status, in the order a manager usually takes them.
pub fn allowed_from(from: IncidentStatus) -> &'static [IncidentStatus] {
    use IncidentStatus::*;
    match from {
        New => &[Acknowledged, Rejected, Duplicate],
        Acknowledged => &[Investigating, ActionPlanned, Resolved, Rejected, Duplicate],
        Investigating => &[ActionPlanned, Resolved, Rejected, Duplicate],
        ActionPlanned => &[Resolved, Investigating],
        Resolved => &[Closed, ActionPlanned, Investigating],
        // Reopening: back to a manager's desk.
        Closed | Rejected | Duplicate => &[Acknowledged],
    }
}

/// Whether `from → to` reopens a finished case (it then needs a reason).
pub fn is_reopen(from: IncidentStatus, to: IncidentStatus) -> bool {
    !from.is_open() && to.is_open()
}

/// Checks one transition of the case `case_id`.
pub fn check(
    case_id: &str,
    from: IncidentStatus,
    to: IncidentStatus,
    input: &TransitionInput,
    facts: CaseFacts,
) -> Result<(), TransitionError> {
    use IncidentStatus::*;
    let allowed = allowed_from(from);
    if !allowed.contains(&to) {
        return Err(TransitionError::NotAllowed {
            from,
            to,
            allowed: allowed.to_vec(),
        });
    }
    let has_reason = input
        .reason
        .as_deref()
        .is_some_and(|r| !r.trim().is_empty());
    if (to == Rejected || is_reopen(from, to)) && !has_reason {
        return Err(TransitionError::ReasonRequired);
    }
    match (to, input.duplicate_of.as_deref()) {
        (Duplicate, None) => return Err(TransitionError::DuplicateOfRequired),
        (Duplicate, Some(other)) if other == case_id => {
            return Err(TransitionError::DuplicateOfItself)
        }
        (Duplicate, Some(_)) | (_, None) => {}
        (_, Some(_)) => return Err(TransitionError::DuplicateOfNotExpected),
    }
    if to == Closed {
        if facts.open_actions > 0 {
            return Err(TransitionError::OpenActions(facts.open_actions));
        }
        if !facts.risk_rated {
            return Err(TransitionError::RiskNotRated);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use IncidentStatus::*;

    const DONE: CaseFacts = CaseFacts {
        open_actions: 0,
        risk_rated: true,
    };

    fn with_reason() -> TransitionInput {
        TransitionInput {
            reason: Some("Felregistrerad".into()),
            duplicate_of: None,
        }
    }

    /// Every pair of statuses: allowed exactly when the table says so, and a refusal lists
    /// precisely the table's steps.
    #[test]
    fn every_pair_follows_the_table() {
        for &from in IncidentStatus::ALL {
            for &to in IncidentStatus::ALL {
                let input = TransitionInput {
                    reason: Some("skäl".into()),
                    duplicate_of: (to == Duplicate).then(|| "other".to_owned()),
                };
                let result = check("case", from, to, &input, DONE);
                let expected = allowed_from(from).contains(&to);
                assert_eq!(result.is_ok(), expected, "{from} → {to}: {result:?}");
                if let Err(TransitionError::NotAllowed { allowed, .. }) = result {
                    assert_eq!(allowed, allowed_from(from));
                }
            }
        }
    }

    /// Walks: from `new`, any sequence of allowed steps keeps the machine in a known status,
    /// every status is reachable, and every status can reach `closed` (no dead ends).
    #[test]
    fn every_status_is_reachable_and_can_finish() {
        let mut seen = vec![New];
        let mut frontier = vec![New];
        while let Some(s) = frontier.pop() {
            for &next in allowed_from(s) {
                if !seen.contains(&next) {
                    seen.push(next);
                    frontier.push(next);
                }
            }
        }
        assert_eq!(seen.len(), IncidentStatus::ALL.len());
        for &start in IncidentStatus::ALL {
            let mut reach = vec![start];
            let mut frontier = vec![start];
            while let Some(s) = frontier.pop() {
                for &next in allowed_from(s) {
                    if !reach.contains(&next) {
                        reach.push(next);
                        frontier.push(next);
                    }
                }
            }
            assert!(reach.contains(&Closed), "{start} cannot reach closed");
        }
    }

    #[test]
    fn guards() {
        let none = TransitionInput::default();
        assert_eq!(
            check("c", New, Rejected, &none, DONE),
            Err(TransitionError::ReasonRequired)
        );
        assert_eq!(check("c", New, Rejected, &with_reason(), DONE), Ok(()));
        assert_eq!(
            check("c", Closed, Acknowledged, &none, DONE),
            Err(TransitionError::ReasonRequired)
        );
        assert_eq!(
            check("c", New, Duplicate, &with_reason(), DONE),
            Err(TransitionError::DuplicateOfRequired)
        );
        let itself = TransitionInput {
            reason: None,
            duplicate_of: Some("c".into()),
        };
        assert_eq!(
            check("c", New, Duplicate, &itself, DONE),
            Err(TransitionError::DuplicateOfItself)
        );
        assert_eq!(
            check("c", New, Acknowledged, &itself, DONE),
            Err(TransitionError::DuplicateOfNotExpected)
        );
        let open = CaseFacts {
            open_actions: 2,
            risk_rated: true,
        };
        assert_eq!(
            check("c", Resolved, Closed, &none, open),
            Err(TransitionError::OpenActions(2))
        );
        let unrated = CaseFacts {
            open_actions: 0,
            risk_rated: false,
        };
        assert_eq!(
            check("c", Resolved, Closed, &none, unrated),
            Err(TransitionError::RiskNotRated)
        );
        assert_eq!(check("c", Resolved, Closed, &none, DONE), Ok(()));
    }
}
