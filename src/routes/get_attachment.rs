//! `GET /api/v1/track/{code}/attachments/{id}`: a photo of a case, as stored (re-encoded,
//! without metadata). The tracking code in the path is the credential, so an `<img>` on the
//! tracking page can load it without custom headers.

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use crate::db::{attachments, incidents};
use crate::domain::TrackingCode;
use crate::error::{ApiError, Problem};
use crate::routes::responses::DatabaseBusy;
use crate::state::AppState;

/// The bytes of a stored photo.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PhotoBytes(pub Vec<u8>);

/// Get a photo
///
/// The stored photo of a case, found by the case's tracking code.
#[utoipa::path(
    tag = "incidents",
    operation_id = "get_tracking_attachment",
    params(
        ("tracking_code" = String, Path, description = "The code from the receipt.", min_length = 22, max_length = 22),
        ("id" = Uuid, Path, description = "The photo's id."),
    ),
    responses(
        (status = 200, description = "The photo.", content(
            (PhotoBytes = "image/jpeg"),
            (PhotoBytes = "image/png"),
        )),
        (status = 404, description = "No such photo on a case with this code.", body = Problem, content_type = "application/problem+json"),
        DatabaseBusy,
    )
)]
#[get("/track/{tracking_code}/attachments/{id}")]
pub async fn get_tracking_attachment(
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (code, id) = path.into_inner();
    let code = TrackingCode::parse(&code).ok_or(ApiError::NotFound)?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound)?;
    let (content_type, data) = state
        .db
        .read(move |c| {
            let Some((incident_id, _)) = incidents::find_by_tracking_code(c, &code)? else {
                return Ok(None);
            };
            attachments::data(c, &incident_id, &id.to_string())
        })
        .await?
        .ok_or(ApiError::NotFound)?;
    // A stored photo never changes; private because the URL is a credential.
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Cache-Control", "private, max-age=31536000, immutable"))
        .insert_header(("Content-Disposition", "inline"))
        .body(data))
}
