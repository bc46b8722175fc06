//! Corrective actions (åtgärder): add one to a case, change it, move it along.

pub mod create;
pub mod transition;
pub mod update;

pub use create::{create_action, CreateActionError, NewActionInput};
pub use transition::{transition_action, TransitionActionError};
pub use update::{update_action, ActionEdit, UpdateActionError};
