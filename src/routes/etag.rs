//! `If-Match` on updates: the ETag (version) from the caller's last read.

use actix_web::http::header;
use actix_web::HttpRequest;

use crate::error::ApiError;

/// The version named by `If-Match`. Without one, or with something that is not one of our
/// ETags (also `*`: overwriting whatever is there is exactly what If-Match is here to
/// prevent), 428: send the ETag from your last read.
pub fn if_match(req: &HttpRequest) -> Result<i64, ApiError> {
    let raw = req
        .headers()
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?
        .to_str()
        .map_err(|_| ApiError::PreconditionRequired)?;
    let tag = raw.trim();
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    // An ETag is quoted (RFC 9110); a bare number is not one we sent.
    let Some(digits) = tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else {
        return Err(ApiError::PreconditionRequired);
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::PreconditionRequired);
    }
    // Shaped like one of our ETags but beyond any version there is: it cannot match.
    digits
        .parse::<i64>()
        .map_err(|_| ApiError::PreconditionFailed)
}
