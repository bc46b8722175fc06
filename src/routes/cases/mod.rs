//! Case handling by staff: one file per operation, named by its verb. The case document
//! itself (`Case`, its parts and the access gate's answers) is in `routes::case_view`.

pub mod acknowledge;
pub mod comment;
pub mod events;
pub mod get;
pub mod list;
pub mod patch;
pub mod remove_personal_data;
pub mod transition;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::ops::cases::Gate;
use crate::routes::case_view;

/// The answer to a change refused at the gate, with the refusal logged.
fn case_refusal(gate: Gate, caller: &Caller, id: &str, what: &str) -> ApiError {
    match gate {
        Gate::Missing => case_view::denied(caller, id, what, ApiError::NotFound),
        Gate::ReadOnly => case_view::read_only(caller, id, what),
        Gate::Stale => ApiError::PreconditionFailed,
    }
}
