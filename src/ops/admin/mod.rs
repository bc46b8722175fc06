//! Operations staff: absences, mail delivery, users.

pub mod absence;
pub mod outbox_retry;
pub mod users;
