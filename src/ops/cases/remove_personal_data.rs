//! Removal on request (GDPR art. 17, or personal data written by mistake): a safety
//! coordinator removes a case's reporter data at once, or redacts one passage from its free
//! texts and comments, with a reason; the history records who, why and what kind of removal
//! — never the removed text.

use crate::db::{events, retention, AnyConnection, DbError};
use crate::domain::calendar::stockholm_date;
use crate::domain::case_event::CaseEvent;
use crate::domain::{Caller, CleanText};
use crate::ops::Ctx;

/// What to remove.
#[derive(Debug, Clone)]
pub enum Removal {
    /// The reporter's name, e-mail, phone and account link, wherever the case holds them.
    Reporter,
    /// Every occurrence of this passage in the free texts, comments and their history.
    Passage(CleanText),
}

#[derive(Debug, thiserror::Error)]
pub enum RemovalError {
    /// Not a safety coordinator, or no such case.
    #[error("the case is not visible to the caller")]
    Hidden,
    /// Nothing matched: no reporter data (an anonymous report), or the passage is nowhere.
    #[error("nothing to remove")]
    Nothing,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Removes it in one transaction; returns how many places changed.
pub async fn remove_personal_data(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    removal: Removal,
    reason: CleanText,
) -> Result<usize, RemovalError> {
    if !caller.roles.safety_coordinator {
        return Err(RemovalError::Hidden);
    }
    let (now, who, id) = (ctx.now, caller.clone(), id.to_owned());
    ctx.db
        .transaction(move |conn: &mut AnyConnection| {
            if !crate::db::cases::exists_id(conn, &id)? {
                return Err(RemovalError::Hidden);
            }
            let (what, changed) = match &removal {
                Removal::Reporter => (
                    "reporter",
                    usize::from(retention::remove_reporter(conn, &id, now.naive_utc())?),
                ),
                Removal::Passage(text) => {
                    let mark = format!("[borttaget {}]", stockholm_date(now).format("%Y-%m-%d"));
                    let n = retention::redact_passage(
                        conn,
                        &id,
                        text.as_str(),
                        &mark,
                        now.naive_utc(),
                    )?;
                    ("passage", n)
                }
            };
            if changed == 0 {
                return Err(RemovalError::Nothing);
            }
            let data = serde_json::json!({
                "what": what, "reason": reason.as_str(), "changed": changed,
            });
            events::append(
                conn,
                &id,
                now.naive_utc(),
                Some(&who.email),
                &CaseEvent::PersonalDataRemoved(data),
            )?;
            Ok(changed)
        })
        .await
}
