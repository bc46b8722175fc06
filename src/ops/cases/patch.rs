//! Change a case (with the version last read): rating, cause, investigation, unit (a move
//! routes the case again and mails the new unit's manager), injury facts and legal duties.
//! Every changed field becomes one history event (before → after); an unchanged request
//! writes nothing.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{gate, reload, Gate, Visible};
use crate::db::cases::{self, CaseChanges, CaseRow};
use crate::db::{events, AnyConnection, DbError};
use crate::domain::case_event::{CaseEvent, FieldChange};
use crate::domain::legal_duty::InjurySeverity;
use crate::domain::risk::{Risk, RiskLevel};
use crate::domain::Caller;
use crate::mail::reroute;
use crate::ops::Ctx;

/// A field's new value: `None` leaves it, `Some(None)` clears it.
pub type Set<T> = Option<Option<T>>;

/// What is recorded about one legal duty.
#[derive(Debug, Default)]
pub struct DutyEdit {
    pub confirmed: Set<bool>,
    pub reported_at: Set<DateTime<Utc>>,
    pub reference: Set<String>,
}

/// The checked changes to a case.
#[derive(Debug, Default)]
pub struct CaseEdit {
    pub risk: Set<Risk>,
    pub cause_category: Set<String>,
    pub investigation: Set<String>,
    pub org_unit_id: Option<String>,
    pub injury_severity: Option<InjurySeverity>,
    pub several_injured: Option<bool>,
    pub serious_danger: Option<bool>,
    /// Arbetsmiljöverket.
    pub av: DutyEdit,
    /// Försäkringskassan.
    pub fk: DutyEdit,
}

#[derive(Debug, thiserror::Error)]
pub enum PatchCaseError {
    #[error("refused: {0:?}")]
    Refused(Gate),
    /// The case changed after the caller read it (found when writing).
    #[error("the case changed since it was read")]
    Stale,
    #[error("the new unit does not exist or is not active")]
    UnknownUnit,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Changes the case; returns it as the caller sees it now.
pub async fn patch_case(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    version: i64,
    edit: CaseEdit,
) -> Result<Visible, PatchCaseError> {
    let (ctx2, who, id) = (ctx.clone(), caller.clone(), id.to_owned());
    let (case, mails) = ctx
        .db
        .transaction(move |conn| write(conn, &ctx2, &who, &id, version, edit))
        .await?;
    if mails > 0 {
        ctx.mail.wake.notify_one();
    }
    Ok(case)
}

fn write(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    version: i64,
    edit: CaseEdit,
) -> Result<(Visible, usize), PatchCaseError> {
    let row = gate(conn, caller, id, version)?.map_err(PatchCaseError::Refused)?;
    let moved_to = edit.org_unit_id.clone().filter(|u| *u != row.org_unit_id);
    if let Some(unit) = &moved_to {
        if !cases::unit_is_active(conn, unit)? {
            return Err(PatchCaseError::UnknownUnit);
        }
    }
    let (changes, log) = diff(&row, edit);
    if log.is_empty() {
        // Nothing to change: no new version, no history entry.
        return Ok((reload(conn, caller, id)?, 0));
    }
    let now = ctx.now;
    if !cases::update(conn, id, version, &changes, now.naive_utc())? {
        return Err(PatchCaseError::Stale);
    }
    for c in log {
        let event = CaseEvent::FieldChanged(FieldChange {
            field: event_field(c.field),
            before: c.before,
            after: c.after,
        });
        events::append(conn, id, now.naive_utc(), Some(&caller.email), &event)?;
    }
    if let Some(unit) = &moved_to {
        // Costs follow the case: re-booked on the new unit in this transaction.
        crate::db::costs::rebook_for_move(conn, id, unit, &caller.email, now.naive_utc())?;
    }
    let mails = match moved_to {
        Some(_) => reroute::reroute_moved_case(conn, &ctx.mail, id, &caller.email, now)?,
        None => 0,
    };
    Ok((reload(conn, caller, id)?, mails))
}

/// One changed field for the history.
struct Changed {
    field: &'static str,
    before: Value,
    after: Value,
}

fn risk_json(l: Option<i32>, c: Option<i32>, level: &Option<RiskLevel>) -> Value {
    match (l, c) {
        (Some(l), Some(c)) => json!({"likelihood": l, "consequence": c, "level": level}),
        _ => Value::Null,
    }
}

/// Compares the edit with the stored case: only real changes are written and recorded.
fn diff(row: &CaseRow, p: CaseEdit) -> (CaseChanges, Vec<Changed>) {
    let mut ch = CaseChanges::default();
    let mut log = Vec::new();
    let mut note = |field: &'static str, before: Value, after: Value| {
        log.push(Changed {
            field,
            before,
            after,
        })
    };
    if let Some(risk) = p.risk {
        let (l, k, level) = match risk {
            Some(r) => (
                Some(i32::from(r.likelihood.get())),
                Some(i32::from(r.consequence.get())),
                Some(r.level()),
            ),
            None => (None, None, None),
        };
        if (l, k) != (row.risk_likelihood, row.risk_consequence) {
            note(
                "risk",
                risk_json(row.risk_likelihood, row.risk_consequence, &row.risk_level),
                risk_json(l, k, &level),
            );
            ch.risk_likelihood = Some(l);
            ch.risk_consequence = Some(k);
            ch.risk_level = Some(level);
        }
    }
    macro_rules! opt_field {
        ($name:ident, $value:expr, $stored:expr) => {
            if let Some(v) = $value {
                if v != $stored {
                    note(stringify!($name), json!($stored), json!(v));
                    ch.$name = Some(v);
                }
            }
        };
    }
    opt_field!(cause_category, p.cause_category, row.cause_category);
    opt_field!(investigation, p.investigation, row.investigation);
    if let Some(unit) = p.org_unit_id {
        if unit != row.org_unit_id {
            note("org_unit_id", json!(row.org_unit_id), json!(unit));
            ch.org_unit_id = Some(unit);
        }
    }
    if let Some(s) = p.injury_severity {
        if s != row.injury_severity {
            note("injury_severity", json!(row.injury_severity), json!(s));
            ch.injury_severity = Some(s);
        }
    }
    opt_field!(several_injured, p.several_injured, row.several_injured);
    opt_field!(serious_danger, p.serious_danger, row.serious_danger);
    let naive = |v: Set<DateTime<Utc>>| v.map(|o| o.map(|t| t.naive_utc()));
    macro_rules! duty_field {
        ($name:ident, $value:expr, $stored:expr) => {
            if let Some(v) = $value {
                if v != $stored {
                    note(
                        stringify!($name),
                        json!($stored.map(|t| t.and_utc())),
                        json!(v.map(|t| t.and_utc())),
                    );
                    ch.$name = Some(v);
                }
            }
        };
    }
    opt_field!(av_confirmed, p.av.confirmed, row.av_confirmed);
    opt_field!(av_reference, p.av.reference, row.av_reference);
    duty_field!(av_reported_at, naive(p.av.reported_at), row.av_reported_at);
    opt_field!(fk_confirmed, p.fk.confirmed, row.fk_confirmed);
    opt_field!(fk_reference, p.fk.reference, row.fk_reference);
    duty_field!(fk_reported_at, naive(p.fk.reported_at), row.fk_reported_at);
    (ch, log)
}

/// The history's name of a field: duties under their authority.
fn event_field(field: &str) -> String {
    match field.split_once('_') {
        Some(("av", rest)) => format!("duties.arbetsmiljoverket.{rest}"),
        Some(("fk", rest)) => format!("duties.forsakringskassan.{rest}"),
        _ => field.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::event_field;

    #[test]
    fn duty_fields_are_named_under_their_authority_in_the_history() {
        assert_eq!(
            event_field("av_reported_at"),
            "duties.arbetsmiljoverket.reported_at"
        );
        assert_eq!(
            event_field("fk_confirmed"),
            "duties.forsakringskassan.confirmed"
        );
        assert_eq!(event_field("cause_category"), "cause_category");
    }
}
