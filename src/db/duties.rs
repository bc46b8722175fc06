//! What the legal-duty reminders read (cases whose duty to Arbetsmiljöverket or
//! Försäkringskassan may be unreported past its deadline) and how each step is claimed.

use chrono::NaiveDateTime;
use diesel::dsl::exists;
use diesel::prelude::*;

use super::schema::{incident_consequences, incidents, users};
use super::{AnyConnection, DbResult};
use crate::domain::legal_duty::{self, Authority, DutyRecord, InjurySeverity};
use crate::domain::{Consequence, IncidentKind, IncidentStatus};

/// confirmed, reported_at, reference, reminded_at, escalated_at
type DutyTuple = (
    Option<bool>,
    Option<NaiveDateTime>,
    Option<String>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

type CandidateTuple = (
    String,
    IncidentKind,
    NaiveDateTime,
    InjurySeverity,
    bool,
    bool,
    DutyTuple,
    DutyTuple,
);

/// One duty of a case as stored, with its claim columns.
#[derive(Debug, Clone)]
pub struct StoredDuty {
    pub record: DutyRecord,
    pub reminded_at: Option<NaiveDateTime>,
    pub escalated_at: Option<NaiveDateTime>,
}

/// A case one of whose duties may need a reminder or an escalation.
#[derive(Debug, Clone)]
pub struct DutyCandidate {
    pub incident_id: String,
    pub kind: IncidentKind,
    /// When the report reached us: the duty deadlines count from here.
    pub created_at: NaiveDateTime,
    pub injury: InjurySeverity,
    pub several_injured: bool,
    pub serious_danger: bool,
    pub consequences: Vec<Consequence>,
    pub av: StoredDuty,
    pub fk: StoredDuty,
}

impl DutyCandidate {
    pub fn duty(&self, authority: Authority) -> &StoredDuty {
        match authority {
            Authority::Arbetsmiljoverket => &self.av,
            Authority::Forsakringskassan => &self.fk,
        }
    }

    /// Whether the facts suggest the duty (the domain rule, the one source of truth).
    pub fn suggested(&self, authority: Authority) -> bool {
        legal_duty::suggested(
            authority,
            &legal_duty::DutyFacts {
                kind: self.kind,
                consequences: &self.consequences,
                injury: self.injury,
                several_injured: self.several_injured,
                serious_danger: self.serious_danger,
            },
        )
    }
}

fn stored((confirmed, reported_at, reference, reminded_at, escalated_at): DutyTuple) -> StoredDuty {
    StoredDuty {
        record: DutyRecord {
            confirmed,
            reported_at: reported_at.map(|t| t.and_utc()),
            reference,
        },
        reminded_at,
        escalated_at,
    }
}

/// Cases reported before `remind_before` with a duty that is not dismissed, not reported and
/// has a step left. The SQL narrows with the same conditions as `domain::legal_duty::suggested`
/// so that the scan does not read every old case at every round; the caller checks each
/// candidate with the domain rule itself.
pub fn candidates(
    conn: &mut AnyConnection,
    remind_before: NaiveDateTime,
    escalate_before: NaiveDateTime,
    limit: i64,
) -> DbResult<Vec<DutyCandidate>> {
    let av_suggested = incidents::injury_severity
        .eq_any([
            InjurySeverity::Serious.as_str(),
            InjurySeverity::Fatal.as_str(),
        ])
        .or(incidents::several_injured.eq(true))
        .or(incidents::kind
            .eq(IncidentKind::NearMiss.as_str())
            .and(incidents::serious_danger.eq(true)));
    let av_open = incidents::av_confirmed
        .eq(true)
        .or(incidents::av_confirmed.is_null().and(av_suggested))
        .and(
            incidents::av_reported_at
                .is_null()
                .or(incidents::av_reference.is_null())
                .or(incidents::av_reference.eq("")),
        )
        .and(
            incidents::av_reminded_at
                .is_null()
                .or(incidents::av_escalated_at
                    .is_null()
                    .and(incidents::created_at.le(escalate_before))),
        );
    let fk_suggested = incidents::kind
        .eq_any([
            IncidentKind::Accident.as_str(),
            IncidentKind::WorkIllness.as_str(),
            IncidentKind::CommutingAccident.as_str(),
        ])
        .and(exists(
            incident_consequences::table
                .filter(incident_consequences::incident_id.eq(incidents::id))
                .filter(incident_consequences::consequence.eq(Consequence::Person.as_str())),
        ));
    let fk_open = incidents::fk_confirmed
        .eq(true)
        .or(incidents::fk_confirmed.is_null().and(fk_suggested))
        .and(
            incidents::fk_reported_at
                .is_null()
                .or(incidents::fk_reference.is_null())
                .or(incidents::fk_reference.eq("")),
        )
        .and(
            incidents::fk_reminded_at
                .is_null()
                .or(incidents::fk_escalated_at
                    .is_null()
                    .and(incidents::created_at.le(escalate_before))),
        );
    let rows: Vec<CandidateTuple> = incidents::table
        .filter(incidents::created_at.le(remind_before))
        // A rejected report or a duplicate carries no duty of its own.
        .filter(incidents::status.ne_all([
            IncidentStatus::Rejected.as_str(),
            IncidentStatus::Duplicate.as_str(),
        ]))
        .filter(av_open.or(fk_open))
        .order((incidents::created_at.asc(), incidents::id.asc()))
        .limit(limit)
        .select((
            incidents::id,
            incidents::kind,
            incidents::created_at,
            incidents::injury_severity,
            incidents::several_injured,
            incidents::serious_danger,
            (
                incidents::av_confirmed,
                incidents::av_reported_at,
                incidents::av_reference,
                incidents::av_reminded_at,
                incidents::av_escalated_at,
            ),
            (
                incidents::fk_confirmed,
                incidents::fk_reported_at,
                incidents::fk_reference,
                incidents::fk_reminded_at,
                incidents::fk_escalated_at,
            ),
        ))
        .load(conn)?;
    let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
    let consequences: Vec<(String, Consequence)> = incident_consequences::table
        .filter(incident_consequences::incident_id.eq_any(ids))
        .select((
            incident_consequences::incident_id,
            incident_consequences::consequence,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, kind, created_at, injury, several, danger, av, fk)| DutyCandidate {
                consequences: consequences
                    .iter()
                    .filter(|(i, _)| *i == id)
                    .map(|(_, c)| *c)
                    .collect(),
                incident_id: id,
                kind,
                created_at,
                injury,
                several_injured: several,
                serious_danger: danger,
                av: stored(av),
                fk: stored(fk),
            },
        )
        .collect())
}

/// A step of a duty's follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DutyStep {
    Reminder,
    Escalation,
}

/// Claims a step once: `true` if this call set the column. Run in the transaction that
/// writes the step's mails and event. Leaves `version` (the case's ETag) alone: a reminder
/// going out changes nothing a manager edits, and must not make their next save a 412.
pub fn claim_step(
    conn: &mut AnyConnection,
    incident_id: &str,
    authority: Authority,
    step: DutyStep,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let target = incidents::table.filter(incidents::id.eq(incident_id));
    let n = match (authority, step) {
        (Authority::Arbetsmiljoverket, DutyStep::Reminder) => {
            diesel::update(target.filter(incidents::av_reminded_at.is_null()))
                .set(incidents::av_reminded_at.eq(Some(now)))
                .execute(conn)?
        }
        (Authority::Arbetsmiljoverket, DutyStep::Escalation) => {
            diesel::update(target.filter(incidents::av_escalated_at.is_null()))
                .set(incidents::av_escalated_at.eq(Some(now)))
                .execute(conn)?
        }
        (Authority::Forsakringskassan, DutyStep::Reminder) => {
            diesel::update(target.filter(incidents::fk_reminded_at.is_null()))
                .set(incidents::fk_reminded_at.eq(Some(now)))
                .execute(conn)?
        }
        (Authority::Forsakringskassan, DutyStep::Escalation) => {
            diesel::update(target.filter(incidents::fk_escalated_at.is_null()))
                .set(incidents::fk_escalated_at.eq(Some(now)))
                .execute(conn)?
        }
    };
    Ok(n == 1)
}

/// Users flagged as safety coordinators (besides the configured addresses).
pub fn coordinator_emails(conn: &mut AnyConnection) -> DbResult<Vec<String>> {
    Ok(users::table
        .filter(users::is_safety_coordinator.eq(true))
        .filter(users::disabled.eq(false))
        .order(users::email.asc())
        .select(users::email)
        .load(conn)?)
}
