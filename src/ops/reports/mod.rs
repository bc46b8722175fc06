//! What a reporter does: submit a report, add to it through its tracking code.

pub mod comment;
pub mod submit;
