//! Comment on a case: staff internally or visibly to the reporter; an employee who reported
//! the case while logged in adds to it, always visibly (it is their report).

use crate::db::{access, cases, events, AnyConnection, DbError};
use crate::domain::case_event::{CaseEvent, Comment};
use crate::domain::{Caller, CleanText};
use crate::ops::Ctx;

#[derive(Debug, thiserror::Error)]
pub enum CommentError {
    #[error("the case is not visible to the caller")]
    Hidden,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Adds the comment; returns the history event's id.
pub async fn add_case_comment(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    text: CleanText,
    public: bool,
) -> Result<String, CommentError> {
    let (now, who, id) = (ctx.now, caller.clone(), id.to_owned());
    ctx.db
        .transaction(move |conn: &mut AnyConnection| {
            if cases::find(conn, &id, access::readable(&who))?.is_none() {
                return Err(CommentError::Hidden);
            }
            let staff = cases::passes(conn, &id, access::staff_readable(&who))?;
            let event = CaseEvent::Comment(Comment {
                text: text.as_str().to_owned(),
                by_reporter: !staff,
                public: public || !staff,
            });
            Ok(events::append(
                conn,
                &id,
                now.naive_utc(),
                Some(&who.email),
                &event,
            )?)
        })
        .await
}
