//! Corrective actions: one file per operation, named by its verb; the shared `Action`
//! document is in `routes::action_dto`.

pub mod create;
pub mod list;
pub mod list_for_case;
pub mod transition;
pub mod update;

use uuid::Uuid;

use crate::error::ApiError;

/// An action id from the path: anything but a UUID names no action.
fn action_id(raw: &str) -> Result<String, ApiError> {
    Ok(Uuid::parse_str(raw)
        .map_err(|_| ApiError::NotFound)?
        .to_string())
}
