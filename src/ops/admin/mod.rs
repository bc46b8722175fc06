//! Operations staff: absences, mail delivery.

pub mod absence;
pub mod outbox_retry;
