//! Add a corrective action to an open case. The owner is mailed in the same transaction;
//! a retry with the same `Idempotency-Key` creates nothing and gets the first answer.

use chrono::NaiveDate;
use uuid::Uuid;

use super::super::Ctx;
use crate::db::actions::{self as actions_db, ActionRow, CaseAccess, NewAction};
use crate::db::idempotency::{self as idempotency_db, StoredResponse};
use crate::db::{events, AnyConnection, DbError};
use crate::domain::action::ActionState;
use crate::domain::calendar::stockholm_date;
use crate::domain::case_event::{ActionCreated, CaseEvent};
use crate::domain::{Caller, IncidentStatus};
use crate::mail::action_mail;
use crate::ops::idempotent::{self, Submission};

/// Scope of this operation's `Idempotency-Key`s.
const IDEMPOTENCY_SCOPE: &str = "actions.create";

/// A checked new action.
#[derive(Debug)]
pub struct NewActionInput {
    pub title: String,
    pub description: Option<String>,
    pub owner_email: String,
    pub due_date: NaiveDate,
    pub cost_estimate_ore: Option<i64>,
}

pub use crate::ops::idempotent::Attempt;

/// The first answer: the new action's document (as stored under the key) and its version,
/// or the answer an earlier request with the same key got.
pub enum Created {
    New { body: String, version: i64 },
    Earlier(Submission),
}

#[derive(Debug, thiserror::Error)]
pub enum CreateActionError {
    #[error("the case is not visible to the caller")]
    Hidden,
    #[error("the caller may read the case but not add actions")]
    ReadOnly,
    #[error("the case is not open ({0:?})")]
    Closed(IncidentStatus),
    /// The document of the new action could not be made.
    #[error("rendering the new action: {0}")]
    Render(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The answer an earlier request with this key got, if any. Asked before the body is
/// checked, so a retry gets its first answer even where the same body would now be refused
/// (a due date that has passed since).
pub async fn earlier(ctx: &Ctx, attempt: &Attempt) -> Result<Option<Submission>, DbError> {
    idempotent::earlier(&ctx.db, IDEMPOTENCY_SCOPE, attempt).await
}

/// Creates the action (a concurrent request with the same key that commits first wins, and
/// its answer is returned). `render` makes the answer's body and version from the stored row,
/// inside the transaction, so that the same body is stored for a retry.
pub async fn create_action<R>(
    ctx: &Ctx,
    caller: &Caller,
    incident_id: &str,
    input: NewActionInput,
    attempt: Attempt,
    render: R,
) -> Result<Created, CreateActionError>
where
    R: FnOnce(ActionRow) -> Result<(String, i64), String> + Send + 'static,
{
    let Attempt { key, request_hash } = attempt;
    let action = NewAction {
        id: Uuid::now_v7().to_string(),
        incident_id: incident_id.to_owned(),
        title: input.title,
        description: input.description,
        owner_email: input.owner_email,
        due_date: input.due_date,
        cost_estimate_ore: input.cost_estimate_ore,
        created_by: caller.user_id.clone(),
        reminded_before_at: ctx
            .mail
            .action_schedule()
            .inside_window(input.due_date, stockholm_date(ctx.now))
            .then_some(ctx.now.naive_utc()),
    };
    let (ctx2, who, hash) = (ctx.clone(), caller.clone(), request_hash.clone());
    let written = ctx
        .db
        .transaction(move |conn| write(conn, &ctx2, &who, &action, key.map(|k| (k, hash)), render))
        .await;
    match written {
        Ok((body, version)) => {
            ctx.mail.wake.notify_one();
            Ok(Created::New { body, version })
        }
        // A concurrent retry with the same key committed first: answer as it did.
        Err(CreateActionError::Db(e)) => Ok(Created::Earlier(
            idempotent::after_conflict(&ctx.db, IDEMPOTENCY_SCOPE, key, &request_hash, e).await?,
        )),
        Err(refused) => Err(refused),
    }
}

fn write<R>(
    conn: &mut AnyConnection,
    ctx: &Ctx,
    who: &Caller,
    action: &NewAction,
    key: Option<(Uuid, String)>,
    render: R,
) -> Result<(String, i64), CreateActionError>
where
    R: FnOnce(ActionRow) -> Result<(String, i64), String>,
{
    match actions_db::case_access(conn, who, &action.incident_id)? {
        CaseAccess::Hidden => return Err(CreateActionError::Hidden),
        CaseAccess::Read | CaseAccess::Reporter => return Err(CreateActionError::ReadOnly),
        CaseAccess::Manage => {}
    }
    let Some(case) = actions_db::case_brief(conn, &action.incident_id)? else {
        return Err(CreateActionError::Hidden);
    };
    let status: IncidentStatus = case.status;
    if !status.is_open() {
        return Err(CreateActionError::Closed(status));
    }
    actions_db::insert(conn, action, ctx.now.naive_utc())?;
    let facts = action_mail::facts(
        &case,
        &action.title,
        &action.owner_email,
        action.due_date,
        ActionState::Planned,
    )?;
    let mail_id = action_mail::write_assignment(conn, &ctx.mail, &facts, &case.id, ctx.now)?;
    let event = CaseEvent::ActionCreated(ActionCreated {
        action_id: action.id.clone(),
        title: action.title.clone(),
        owner_email: action.owner_email.clone(),
        due_date: action.due_date,
        cost_estimate_ore: action.cost_estimate_ore,
        mail: mail_id,
    });
    events::append(
        conn,
        &case.id,
        ctx.now.naive_utc(),
        Some(&who.email),
        &event,
    )?;
    let row = actions_db::find(conn, &action.id)?
        .ok_or_else(|| DbError::Corrupt("the new action is gone".into()))?;
    let (body, version) = render(row).map_err(CreateActionError::Render)?;
    if let Some((key, request_hash)) = key {
        // Last in the transaction: a concurrent retry with the same key fails here on the
        // primary key and rolls back everything above, mail included.
        idempotency_db::insert(
            conn,
            IDEMPOTENCY_SCOPE,
            &key.to_string(),
            &StoredResponse {
                request_hash,
                status: 201,
                location: None,
                response_body: body.clone(),
            },
        )?;
    }
    Ok((body, version))
}
