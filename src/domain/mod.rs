//! Pure types and rules: no I/O, no SQL, no HTTP. Everything here parses once and then
//! carries its meaning in its type.

#[macro_use]
mod string_enum;

pub mod ack_token;
pub mod action;
pub mod calendar;
pub mod caller;
pub mod case_event;
pub mod consequence;
pub mod cost;
pub mod cost_period;
pub mod cost_trend;
pub mod disclosure;
pub mod email;
pub mod incident;
pub mod incident_kind;
pub mod legal_duty;
pub mod money;
pub mod network;
pub mod open_stats;
pub mod org;
pub mod org_tree;
pub mod photo;
pub mod rate_limit;
pub mod retention;
pub mod risk;
pub mod routing;
pub mod secret;
pub mod sso;
pub mod status;
pub mod text;
pub mod tracking_code;
pub mod workflow;
pub mod yearly;

pub use caller::{Caller, Roles, Via};
pub use consequence::Consequence;
pub use email::Email;
pub use incident::{Coordinates, NewIncident, Reporter};
pub use incident_kind::IncidentKind;
pub use org::{OrgCode, OrgUnitKind};
pub use status::IncidentStatus;
pub use text::CleanText;
pub use tracking_code::TrackingCode;

#[cfg(test)]
mod tests {
    #[test]
    fn wire_names_match_stored_names() {
        super::IncidentKind::assert_wire_names();
        super::Consequence::assert_wire_names();
        super::IncidentStatus::assert_wire_names();
        super::OrgUnitKind::assert_wire_names();
        super::action::ActionState::assert_wire_names();
        super::risk::RiskLevel::assert_wire_names();
        super::legal_duty::Authority::assert_wire_names();
        super::legal_duty::DutyState::assert_wire_names();
        super::legal_duty::InjurySeverity::assert_wire_names();
    }
}
