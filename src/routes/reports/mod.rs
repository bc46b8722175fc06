//! What a reporter does, by tracking code or as the one who submitted: submit a report, follow
//! it, add to it.

pub mod comment;
pub mod submit;
pub mod track;
