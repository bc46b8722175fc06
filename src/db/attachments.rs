//! Photos attached to cases, stored as the re-encoded bytes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{attachments, incidents};
use super::{AnyConnection, DbResult};
use crate::domain::photo::{CleanPhoto, MAX_PER_INCIDENT};
use crate::domain::IncidentStatus;

/// A stored photo without its bytes.
#[derive(Debug, Clone, Queryable)]
pub struct AttachmentMeta {
    pub id: String,
    pub content_type: String,
    pub width: i32,
    pub height: i32,
    pub size_bytes: i64,
    pub created_at: NaiveDateTime,
}

/// Why a photo was not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    Closed,
    Full,
}

pub struct NewAttachment<'a> {
    pub id: &'a str,
    pub incident_id: &'a str,
    pub photo: &'a CleanPhoto,
    pub sha256: &'a str,
    pub uploaded_by: &'a str,
    pub now: NaiveDateTime,
}

/// Whether the case takes another photo now: it exists, is open and has room. A cheap read
/// before any decoding; [`add`] checks again under the case's lock.
pub fn room(conn: &mut AnyConnection, incident_id: &str) -> DbResult<Result<(), Refusal>> {
    let status: Option<String> = incidents::table
        .filter(incidents::id.eq(incident_id))
        .select(incidents::status)
        .first(conn)
        .optional()?;
    let Some(status) = status else {
        return Ok(Err(Refusal::Unknown));
    };
    let open = IncidentStatus::ALL
        .iter()
        .any(|s| s.is_open() && s.as_str() == status);
    if !open {
        return Ok(Err(Refusal::Closed));
    }
    let held: i64 = attachments::table
        .filter(attachments::incident_id.eq(incident_id))
        .count()
        .get_result(conn)?;
    Ok(if held >= MAX_PER_INCIDENT {
        Err(Refusal::Full)
    } else {
        Ok(())
    })
}

/// Adds a photo if the case is open and has room. Call inside a write transaction.
///
/// The first statement updates the case row, which on PostgreSQL locks it until commit, so
/// two uploads racing for the last free place are counted one after the other (SQLite has a
/// single writer anyway).
pub fn add(conn: &mut AnyConnection, new: &NewAttachment) -> DbResult<Result<(), Refusal>> {
    let open: Vec<&str> = IncidentStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect();
    let touched = diesel::update(
        incidents::table
            .filter(incidents::id.eq(new.incident_id))
            .filter(incidents::status.eq_any(&open)),
    )
    .set(incidents::updated_at.eq(new.now))
    .execute(conn)?;
    if touched == 0 {
        let exists: i64 = incidents::table
            .filter(incidents::id.eq(new.incident_id))
            .count()
            .get_result(conn)?;
        return Ok(Err(if exists == 0 {
            Refusal::Unknown
        } else {
            Refusal::Closed
        }));
    }
    let held: i64 = attachments::table
        .filter(attachments::incident_id.eq(new.incident_id))
        .count()
        .get_result(conn)?;
    if held >= MAX_PER_INCIDENT {
        return Ok(Err(Refusal::Full));
    }
    let photo = new.photo;
    diesel::insert_into(attachments::table)
        .values((
            attachments::id.eq(new.id),
            attachments::incident_id.eq(new.incident_id),
            attachments::content_type.eq(photo.content_type),
            attachments::width.eq(i32::try_from(photo.width).unwrap_or(i32::MAX)),
            attachments::height.eq(i32::try_from(photo.height).unwrap_or(i32::MAX)),
            attachments::size_bytes.eq(i64::try_from(photo.bytes.len()).unwrap_or(i64::MAX)),
            attachments::sha256.eq(new.sha256),
            attachments::uploaded_by.eq(new.uploaded_by),
            attachments::data.eq(&photo.bytes),
            attachments::created_at.eq(new.now),
        ))
        .execute(conn)?;
    Ok(Ok(()))
}

/// The photos of a case, oldest first.
pub fn list(conn: &mut AnyConnection, incident_id: &str) -> DbResult<Vec<AttachmentMeta>> {
    Ok(attachments::table
        .filter(attachments::incident_id.eq(incident_id))
        .order((attachments::created_at.asc(), attachments::id.asc()))
        .select((
            attachments::id,
            attachments::content_type,
            attachments::width,
            attachments::height,
            attachments::size_bytes,
            attachments::created_at,
        ))
        .load(conn)?)
}

/// One photo's type and bytes, only if it belongs to that case.
pub fn data(
    conn: &mut AnyConnection,
    incident_id: &str,
    attachment_id: &str,
) -> DbResult<Option<(String, Vec<u8>)>> {
    Ok(attachments::table
        .filter(attachments::id.eq(attachment_id))
        .filter(attachments::incident_id.eq(incident_id))
        .select((attachments::content_type, attachments::data))
        .first(conn)
        .optional()?)
}
