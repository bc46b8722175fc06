//! Change a corrective action's fields (with the version last read). A new owner is mailed
//! in the same transaction; a new owner or due date starts the reminders afresh.

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::super::Ctx;
use crate::db::actions::{self as actions_db, ActionChanges, ActionRow, CaseAccess};
use crate::db::{events, AnyConnection, DbError};
use crate::domain::action::ActionState;
use crate::domain::calendar::stockholm_date;
use crate::domain::case_event::{ActionFieldChange, CaseEvent};
use crate::domain::Caller;
use crate::mail::action_mail;

/// The fields to change: `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Debug, Default)]
pub struct ActionEdit {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub owner_email: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub cost_estimate_ore: Option<Option<i64>>,
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateActionError {
    #[error("no such action visible to the caller")]
    Hidden,
    #[error("the caller may see the action but not manage its case")]
    ReadOnly,
    #[error("the action changed since it was read")]
    Stale,
    #[error("the action is finished ({0:?})")]
    Finished(ActionState),
    /// A changed due date before today (an unchanged past date is kept).
    #[error("the new due date has passed")]
    PastDue,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// One changed field for the history: name, before, after.
type Change = (&'static str, Value, Value);

/// Only what differs from the stored row counts as a change (and as a history event).
fn diff(
    row: &ActionRow,
    edit: ActionEdit,
    today: NaiveDate,
) -> Result<(ActionChanges, Vec<Change>), UpdateActionError> {
    let mut ch = ActionChanges::default();
    let mut events: Vec<Change> = Vec::new();
    if let Some(t) = edit.title.filter(|t| *t != row.title) {
        events.push(("title", json!(row.title), json!(t)));
        ch.title = Some(t);
    }
    if let Some(d) = edit.description.filter(|d| *d != row.description) {
        events.push(("description", json!(row.description), json!(d)));
        ch.description = Some(d);
    }
    if let Some(o) = edit.owner_email.filter(|o| *o != row.owner_email) {
        events.push(("owner_email", json!(row.owner_email), json!(o)));
        ch.owner_email = Some(o);
    }
    if let Some(d) = edit.due_date.filter(|d| *d != row.due_date) {
        // A past date is refused only if it is a change: a page that sends the whole form
        // back with an overdue action's unchanged date must not fail.
        if d < today {
            return Err(UpdateActionError::PastDue);
        }
        events.push(("due_date", json!(row.due_date), json!(d)));
        ch.due_date = Some(d);
    }
    if let Some(n) = edit
        .cost_estimate_ore
        .filter(|n| *n != row.cost_estimate_ore)
    {
        events.push(("cost_estimate_ore", json!(row.cost_estimate_ore), json!(n)));
        ch.cost_estimate_ore = Some(n);
    }
    Ok((ch, events))
}

/// Changes the action and returns it as stored now.
pub async fn update_action(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    expected: i64,
    edit: ActionEdit,
) -> Result<ActionRow, UpdateActionError> {
    let (ctx2, who, id) = (ctx.clone(), caller.clone(), id.to_owned());
    let row = ctx
        .db
        .transaction(move |conn| write(conn, &ctx2, &who, &id, expected, edit))
        .await?;
    ctx.mail.wake.notify_one();
    Ok(row)
}

fn write(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    who: &Caller,
    id: &str,
    expected: i64,
    edit: ActionEdit,
) -> Result<ActionRow, UpdateActionError> {
    let (now, today) = (ctx.now, stockholm_date(ctx.now));
    let Some((row, access)) = actions_db::find_visible(conn, who, id)? else {
        return Err(UpdateActionError::Hidden);
    };
    if access != CaseAccess::Manage {
        return Err(UpdateActionError::ReadOnly);
    }
    if row.version != expected {
        return Err(UpdateActionError::Stale);
    }
    let current: ActionState = row.state;
    if !current.is_open() {
        return Err(UpdateActionError::Finished(current));
    }
    let (mut ch, changes) = diff(&row, edit, today)?;
    if changes.is_empty() {
        return Ok(row);
    }
    let due_date = match ch.due_date {
        Some(d) => d,
        None => row.due_date,
    };
    if ch.owner_email.is_some() || ch.due_date.is_some() {
        let inside = ctx.mail.action_schedule().inside_window(due_date, today);
        ch.restart_reminders = Some(inside.then_some(now.naive_utc()));
    }
    if !actions_db::update(conn, id, expected, &ch, now.naive_utc())? {
        return Err(UpdateActionError::Stale);
    }
    let mut mail_id = None;
    if let Some(new_owner) = &ch.owner_email {
        if let Some(case) = actions_db::case_brief(conn, &row.incident_id)? {
            let title = ch.title.as_deref().unwrap_or(&row.title);
            let facts = action_mail::facts(&case, title, new_owner, due_date, current)?;
            mail_id = Some(action_mail::write_assignment(
                conn, &ctx.mail, &facts, &case.id, now,
            )?);
        }
    }
    for (field, before, after) in changes {
        let event = CaseEvent::ActionUpdated(ActionFieldChange {
            action_id: id.to_owned(),
            field,
            before,
            after,
            mail: (field == "owner_email").then_some(mail_id),
        });
        events::append(
            conn,
            &row.incident_id,
            now.naive_utc(),
            Some(&who.email),
            &event,
        )?;
    }
    Ok(actions_db::find(conn, id)?.ok_or_else(|| DbError::Corrupt("the action is gone".into()))?)
}
