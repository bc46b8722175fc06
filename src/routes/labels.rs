//! `GET /api/v1/labels`: the server's words for the values the pages show outside a document
//! that already carries its own label (a list filter, a history entry, a select's options), so
//! the pages keep no copy of the server's vocabulary.

use actix_web::{get, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::action::ActionState;
use crate::domain::legal_duty::DutyState;
use crate::domain::risk::{Risk, RiskLevel};
use crate::domain::{IncidentKind, IncidentStatus};
use crate::i18n::{self, Lang};

/// A case status and its words.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusLabel {
    pub status: IncidentStatus,
    pub label: String,
    /// Whether a case in this status is still open (work on it goes on; the reporter may add
    /// to it). Closed: `closed`, `rejected`, `duplicate`.
    pub open: bool,
}

/// A corrective action's state and its words.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionStateLabel {
    pub state: ActionState,
    pub label: String,
}

impl ActionStateLabel {
    pub fn new(state: ActionState, lang: Lang) -> Self {
        ActionStateLabel {
            state,
            label: state.label(lang).to_owned(),
        }
    }
}

/// Where a case stands with a legal duty, in words.
#[derive(Debug, Serialize, ToSchema)]
pub struct DutyStateLabel {
    pub state: DutyState,
    pub label: String,
}

/// A kind of report and its words.
#[derive(Debug, Serialize, ToSchema)]
pub struct KindLabel {
    pub kind: IncidentKind,
    pub label: String,
}

/// A risk level and its words.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskLevelLabel {
    pub level: RiskLevel,
    pub label: String,
}

/// Every value of each set, in the order the pages offer them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Labels {
    pub statuses: Vec<StatusLabel>,
    pub action_states: Vec<ActionStateLabel>,
    pub duty_states: Vec<DutyStateLabel>,
    pub risk_levels: Vec<RiskLevelLabel>,
    pub kinds: Vec<KindLabel>,
    /// The risk matrix: the level of each likelihood (rows, 1–4) × consequence (columns,
    /// 1–4), as the server rates a case.
    pub risk_matrix: Vec<Vec<RiskLevel>>,
}

pub fn labels(lang: Lang) -> Labels {
    Labels {
        statuses: IncidentStatus::ALL
            .iter()
            .map(|&status| StatusLabel {
                status,
                label: status.label(lang).to_owned(),
                open: status.is_open(),
            })
            .collect(),
        action_states: ActionState::ALL
            .iter()
            .map(|&s| ActionStateLabel::new(s, lang))
            .collect(),
        duty_states: DutyState::ALL
            .iter()
            .map(|&state| DutyStateLabel {
                state,
                label: state.label(lang).to_owned(),
            })
            .collect(),
        risk_levels: RiskLevel::ALL
            .iter()
            .map(|&level| RiskLevelLabel {
                level,
                label: level.label(lang).to_owned(),
            })
            .collect(),
        kinds: IncidentKind::ALL
            .iter()
            .map(|&kind| KindLabel {
                kind,
                label: kind.label(lang).to_owned(),
            })
            .collect(),
        risk_matrix: (1..=4)
            .map(|l| {
                (1..=4)
                    .filter_map(|c| Some(Risk::of(l, c)?.level()))
                    .collect()
            })
            .collect(),
    }
}

/// Labels
///
/// The words for case statuses, action states, legal-duty states, risk levels and report
/// kinds, in the caller's language (`Accept-Language`): the same words the documents carry in
/// their `*_label` fields.
#[utoipa::path(
    tag = "incidents",
    operation_id = "list_labels",
    responses(
        (status = 200, description = "The labels.", body = Labels),
    )
)]
#[get("/labels")]
pub async fn list_labels() -> HttpResponse {
    HttpResponse::Ok().json(labels(i18n::current()))
}
