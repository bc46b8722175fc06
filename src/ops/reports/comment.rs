//! The reporter adds to their open case through its tracking code; the comment is a public
//! update on the tracking page.

use crate::db::{events, incidents, AnyConnection, DbError};
use crate::domain::case_event::CaseEvent;
use crate::domain::{CleanText, IncidentStatus, TrackingCode};
use crate::ops::Ctx;

#[derive(Debug, thiserror::Error)]
pub enum ReporterCommentError {
    #[error("no case has this tracking code")]
    Unknown,
    #[error("the case is closed")]
    Closed,
    #[error(transparent)]
    Db(#[from] DbError),
}

pub async fn add_reporter_comment(
    ctx: &Ctx,
    code: TrackingCode,
    text: CleanText,
) -> Result<(), ReporterCommentError> {
    let now = ctx.now;
    ctx.db
        .transaction(move |conn: &mut AnyConnection| {
            let Some((id, status)): Option<(String, IncidentStatus)> =
                incidents::find_by_tracking_code(conn, &code)?
            else {
                return Err(ReporterCommentError::Unknown);
            };
            if !status.is_open() {
                return Err(ReporterCommentError::Closed);
            }
            let event = CaseEvent::ReporterComment {
                text: text.as_str().to_owned(),
            };
            events::append(conn, &id, now.naive_utc(), Some("reporter"), &event)?;
            Ok(())
        })
        .await
}
