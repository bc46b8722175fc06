//! What the case endpoints answer with (`CaseSummary`, `Case` for staff; `ReporterCase` for an
//! employee reading the case they reported), how they are built from stored rows, and what
//! they share: loading a case through the access rule, `ETag`/`If-Match`.

use actix_web::http::header;
use actix_web::HttpResponse;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::access::CaseAccess;
use crate::db::cases::{self, CaseRow, LoadedCase};
use crate::domain::legal_duty::{
    self, Authority, DutyFacts, DutyRecord, DutyState, InjurySeverity,
};
use crate::domain::risk::RiskLevel;
use crate::domain::{workflow, Consequence, IncidentKind, IncidentStatus};
use crate::error::ApiError;
use crate::i18n;
use crate::i18n::Msg;

/// Where a case stands with each authority.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutyStates {
    pub arbetsmiljoverket: DutyState,
    pub forsakringskassan: DutyState,
}

/// A case in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: String,
    pub kind: IncidentKind,
    /// The kind in words, in the caller's language.
    pub kind_label: String,
    pub title: String,
    pub status: IncidentStatus,
    pub status_label: String,
    pub org_unit_id: String,
    pub org_unit_name: String,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub risk_level: Option<RiskLevel>,
    pub duties: DutyStates,
    /// A legal duty is overdue, or the case was not acknowledged by its reminder deadline.
    pub overdue: bool,
}

/// Who reported (never present for an anonymous report).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReporterView {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The rating on the 4×4 matrix.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskView {
    #[schema(minimum = 1, maximum = 4)]
    pub likelihood: i32,
    #[schema(minimum = 1, maximum = 4)]
    pub consequence: i32,
    pub level: RiskLevel,
}

/// One legal duty in detail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutyDetail {
    /// Whether the facts of the case suggest the duty.
    pub suggested: bool,
    pub state: DutyState,
    /// `true` confirmed, `false` dismissed by a manager, `null` not decided.
    pub confirmed: Option<bool>,
    pub reported_at: Option<DateTime<Utc>>,
    pub reference: Option<String>,
    /// When the report to the authority is due (24 hours after the case was reported).
    pub due_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DutyDetails {
    pub arbetsmiljoverket: DutyDetail,
    pub forsakringskassan: DutyDetail,
}

/// A whole case, for staff who may read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Case {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub description: String,
    pub location: Option<String>,
    pub immediate_action: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub consequences: Vec<Consequence>,
    pub reporter: Option<ReporterView>,
    pub risk: Option<RiskView>,
    pub cause_category: Option<String>,
    pub investigation: Option<String>,
    pub injury_severity: InjurySeverity,
    pub several_injured: bool,
    pub serious_danger: bool,
    pub status_reason: Option<String>,
    pub duplicate_of: Option<String>,
    pub duty_details: DutyDetails,
    /// Whether the caller may change the case.
    pub can_manage: bool,
    /// The statuses the caller may move the case to (empty unless `can_manage`).
    pub allowed_transitions: Vec<IncidentStatus>,
    /// The case's version; send it back as `If-Match: "<version>"`.
    pub version: i64,
}

/// Which view a case document is (only the reporter's view says so).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ViewOf {
    Reporter,
}

// A type of its own, not a filtered `Case`: a field added to the staff view is never in the
// reporter's view unless someone adds it here (and to the field table in tests/api/cases.rs).
/// A case as the employee who reported it sees it: what the tracking page shows (kind, title,
/// unit, status, when it was reported), nothing staff wrote or decided.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReporterCase {
    /// Always `reporter`: this is the reporter's view, not the whole case.
    pub access: ViewOf,
    pub id: String,
    pub kind: IncidentKind,
    pub kind_label: String,
    pub title: String,
    pub status: IncidentStatus,
    pub status_label: String,
    pub org_unit_name: String,
    pub created_at: DateTime<Utc>,
}

/// A case as the caller may see it: the whole case for staff, the reporter's view for an
/// employee reading the case they reported.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CaseDocument {
    Staff(Box<Case>),
    Reporter(ReporterCase),
}

/// A case in a list, as the caller may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CaseListItem {
    Staff(CaseSummary),
    Reporter(ReporterCase),
}

pub fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// The parsed facts the views and rules need from a row.
pub struct Parsed {
    pub kind: IncidentKind,
    pub status: IncidentStatus,
    pub injury: InjurySeverity,
    pub consequences: Vec<Consequence>,
}

pub fn parse(case: &LoadedCase) -> Result<Parsed, ApiError> {
    let r = &case.row;
    Ok(Parsed {
        kind: r.kind,
        status: r.status,
        injury: r.injury_severity,
        consequences: case.consequences.clone(),
    })
}

fn record(
    confirmed: Option<bool>,
    at: Option<NaiveDateTime>,
    reference: &Option<String>,
) -> DutyRecord {
    DutyRecord {
        confirmed,
        reported_at: at.map(utc),
        reference: reference.clone(),
    }
}

/// Both duties of a case now.
fn duty_details(row: &CaseRow, p: &Parsed, now: DateTime<Utc>) -> DutyDetails {
    let facts = DutyFacts {
        kind: p.kind,
        consequences: &p.consequences,
        injury: p.injury,
        several_injured: row.several_injured,
        serious_danger: row.serious_danger,
    };
    let t0 = utc(row.created_at);
    let detail = |authority: Authority, rec: DutyRecord| {
        let suggested = legal_duty::suggested(authority, &facts);
        DutyDetail {
            suggested,
            state: legal_duty::state(suggested, &rec, t0, now),
            confirmed: rec.confirmed,
            reported_at: rec.reported_at,
            reference: rec.reference,
            due_at: utc(cases::duty_deadline(row.created_at)),
        }
    };
    DutyDetails {
        arbetsmiljoverket: detail(
            Authority::Arbetsmiljoverket,
            record(row.av_confirmed, row.av_reported_at, &row.av_reference),
        ),
        forsakringskassan: detail(
            Authority::Forsakringskassan,
            record(row.fk_confirmed, row.fk_reported_at, &row.fk_reference),
        ),
    }
}

fn summary_with(
    case: &LoadedCase,
    p: &Parsed,
    duties: &DutyDetails,
    now: DateTime<Utc>,
) -> Result<CaseSummary, ApiError> {
    let lang = i18n::current();
    let r = &case.row;
    let risk_level = r.risk_level;
    let duty_late = [&duties.arbetsmiljoverket, &duties.forsakringskassan]
        .iter()
        .any(|d| d.state == DutyState::Overdue);
    // Only a case still waiting for its manager can be late to be acknowledged.
    let ack_late = p.status == IncidentStatus::New
        && case.acknowledged_at.is_none()
        && case.remind_at.is_some_and(|at| utc(at) <= now);
    Ok(CaseSummary {
        id: r.id.clone(),
        kind: p.kind,
        kind_label: p.kind.label(lang).to_owned(),
        title: r.title.clone(),
        status: p.status,
        status_label: p.status.label(lang).to_owned(),
        org_unit_id: r.org_unit_id.clone(),
        org_unit_name: case.org_unit_name.clone(),
        occurred_at: utc(r.occurred_at),
        created_at: utc(r.created_at),
        risk_level,
        duties: DutyStates {
            arbetsmiljoverket: duties.arbetsmiljoverket.state,
            forsakringskassan: duties.forsakringskassan.state,
        },
        overdue: duty_late || ack_late,
    })
}

/// The reporter's view of a case.
pub fn reporter_view(case: &LoadedCase) -> Result<ReporterCase, ApiError> {
    let p = parse(case)?;
    let lang = i18n::current();
    let r = &case.row;
    Ok(ReporterCase {
        access: ViewOf::Reporter,
        id: r.id.clone(),
        kind: p.kind,
        kind_label: p.kind.label(lang).to_owned(),
        title: r.title.clone(),
        status: p.status,
        status_label: p.status.label(lang).to_owned(),
        org_unit_name: case.org_unit_name.clone(),
        created_at: utc(r.created_at),
    })
}

/// A case in a list, in the view the caller's access gives.
pub fn list_item(
    case: &LoadedCase,
    staff: bool,
    now: DateTime<Utc>,
) -> Result<CaseListItem, ApiError> {
    Ok(if staff {
        CaseListItem::Staff(summary(case, now)?)
    } else {
        CaseListItem::Reporter(reporter_view(case)?)
    })
}

/// The case in the view the caller's access gives; `None` when it is hidden.
pub fn document(
    case: LoadedCase,
    access: CaseAccess,
    now: DateTime<Utc>,
) -> Result<Option<CaseDocument>, ApiError> {
    Ok(match access {
        CaseAccess::Hidden => None,
        CaseAccess::Reporter => Some(CaseDocument::Reporter(reporter_view(&case)?)),
        CaseAccess::Read | CaseAccess::Manage => Some(CaseDocument::Staff(Box::new(full(
            case,
            access == CaseAccess::Manage,
            now,
        )?))),
    })
}

pub fn summary(case: &LoadedCase, now: DateTime<Utc>) -> Result<CaseSummary, ApiError> {
    let p = parse(case)?;
    let duties = duty_details(&case.row, &p, now);
    summary_with(case, &p, &duties, now)
}

pub fn full(case: LoadedCase, can_manage: bool, now: DateTime<Utc>) -> Result<Case, ApiError> {
    let p = parse(&case)?;
    let duties = duty_details(&case.row, &p, now);
    let summary = summary_with(&case, &p, &duties, now)?;
    let r = case.row;
    let risk = match (r.risk_likelihood, r.risk_consequence, summary.risk_level) {
        (Some(likelihood), Some(consequence), Some(level)) => Some(RiskView {
            likelihood,
            consequence,
            level,
        }),
        _ => None,
    };
    let reporter = (!r.anonymous).then_some(ReporterView {
        name: r.reporter_name,
        email: r.reporter_email,
        phone: r.reporter_phone,
    });
    Ok(Case {
        description: r.description,
        location: r.location,
        immediate_action: r.immediate_action,
        latitude: r.latitude,
        longitude: r.longitude,
        consequences: p.consequences,
        reporter,
        risk,
        cause_category: r.cause_category,
        investigation: r.investigation,
        injury_severity: p.injury,
        several_injured: r.several_injured,
        serious_danger: r.serious_danger,
        status_reason: r.status_reason,
        duplicate_of: r.duplicate_of,
        duty_details: duties,
        can_manage,
        allowed_transitions: if can_manage {
            workflow::allowed_from(p.status).to_vec()
        } else {
            Vec::new()
        },
        version: r.version,
        summary,
    })
}

/// 200 with the case as the caller may see it; the staff view with its `ETag` (the reporter
/// changes nothing, so their view has none).
pub fn respond_document(doc: &CaseDocument) -> HttpResponse {
    match doc {
        CaseDocument::Staff(case) => respond(case),
        CaseDocument::Reporter(_) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(doc),
    }
}

/// Logs a refusal (the user id only) and makes the error the caller gets.
pub fn denied(caller: &Caller, id: &str, what: &str, err: ApiError) -> ApiError {
    tracing::info!(user_id = %caller.user_id, case = %id, action = what, "denied");
    err
}

/// 403 for a case the caller may read but not change.
pub fn read_only(caller: &Caller, id: &str, what: &str) -> ApiError {
    denied(
        caller,
        id,
        what,
        ApiError::Forbidden(i18n::current().t(Msg::CaseReadOnly).to_owned()),
    )
}

pub use super::etag::if_match;

/// 200 with the case and its `ETag`.
pub fn respond(case: &Case) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", case.version)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(case)
}

/// A case id from the path: anything that is not a UUID names no case.
pub fn case_id(raw: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(raw)
        .map(|u| u.to_string())
        .map_err(|_| ApiError::NotFound)
}
