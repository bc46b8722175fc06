//! Signed acknowledgement links: `{incident}.{mail}.{expires}.{signature}`.
//!
//! The signature is HMAC-SHA256 under the configured secret over a purpose tag and the fields,
//! so a token made for acknowledging cannot be reused for anything else, cannot be altered to
//! name another case, and stops working when it expires. Nothing is stored per token.

use chrono::{DateTime, TimeZone, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

type HmacSha256 = Hmac<Sha256>;

/// The purpose bound into every signature.
const PURPOSE: &str = "tillbud-ack-v1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckClaims {
    pub incident_id: Uuid,
    /// The outbox row of the mail that carried the link: who was asked to acknowledge.
    pub mail_id: Uuid,
    pub expires: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AckTokenError {
    #[error("the link is not valid")]
    Invalid,
    #[error("the link has expired")]
    Expired,
}

fn mac(secret: &[u8], message: &str) -> HmacSha256 {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match HmacSha256::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => unreachable_hmac(),
    };
    mac.update(PURPOSE.as_bytes());
    mac.update(b"\0");
    mac.update(message.as_bytes());
    mac
}

#[cold]
fn unreachable_hmac() -> ! {
    panic!("HMAC accepts keys of every length")
}

pub fn sign(secret: &[u8], claims: &AckClaims) -> String {
    let body = format!(
        "{}.{}.{}",
        claims.incident_id.simple(),
        claims.mail_id.simple(),
        claims.expires.timestamp()
    );
    let sig = mac(secret, &body).finalize().into_bytes();
    format!("{body}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// Checks the signature (in constant time) and then the expiry.
pub fn verify(secret: &[u8], token: &str, now: DateTime<Utc>) -> Result<AckClaims, AckTokenError> {
    let (body, sig) = token.rsplit_once('.').ok_or(AckTokenError::Invalid)?;
    let sig = URL_SAFE_NO_PAD
        .decode(sig)
        .map_err(|_| AckTokenError::Invalid)?;
    mac(secret, body)
        .verify_slice(&sig)
        .map_err(|_| AckTokenError::Invalid)?;
    let mut parts = body.split('.');
    let (Some(incident), Some(mail), Some(exp), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AckTokenError::Invalid);
    };
    let incident_id = Uuid::parse_str(incident).map_err(|_| AckTokenError::Invalid)?;
    let mail_id = Uuid::parse_str(mail).map_err(|_| AckTokenError::Invalid)?;
    let expires = exp
        .parse::<i64>()
        .ok()
        .and_then(|s| Utc.timestamp_opt(s, 0).single())
        .ok_or(AckTokenError::Invalid)?;
    if now >= expires {
        return Err(AckTokenError::Expired);
    }
    Ok(AckClaims {
        incident_id,
        mail_id,
        expires,
    })
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // Compare fixed-length digests so that the length of the secret does not leak either.
    use sha2::Digest;
    let (da, db) = (Sha256::digest(a), Sha256::digest(b));
    da.iter()
        .zip(db.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn claims(now: DateTime<Utc>) -> AckClaims {
        AckClaims {
            incident_id: Uuid::now_v7(),
            mail_id: Uuid::now_v7(),
            expires: Utc
                .timestamp_opt((now + Duration::days(30)).timestamp(), 0)
                .unwrap(),
        }
    }

    #[test]
    fn a_signed_token_verifies_until_it_expires() {
        let now = Utc::now();
        let c = claims(now);
        let token = sign(b"secret", &c);
        assert_eq!(verify(b"secret", &token, now), Ok(c));
        assert_eq!(
            verify(b"secret", &token, now + Duration::days(31)),
            Err(AckTokenError::Expired)
        );
    }

    #[test]
    fn tampering_and_other_keys_fail() {
        let now = Utc::now();
        let c = claims(now);
        let token = sign(b"secret", &c);
        assert_eq!(verify(b"other", &token, now), Err(AckTokenError::Invalid));
        let other = Uuid::now_v7().simple().to_string();
        let forged = format!("{other}{}", &token[32..]);
        assert_eq!(verify(b"secret", &forged, now), Err(AckTokenError::Invalid));
        // A later expiry with the old signature.
        let (body, sig) = token.rsplit_once('.').unwrap();
        let (head, _) = body.rsplit_once('.').unwrap();
        let longer = format!("{head}.{}.{sig}", c.expires.timestamp() + 86_400);
        assert_eq!(verify(b"secret", &longer, now), Err(AckTokenError::Invalid));
        assert_eq!(verify(b"secret", "x", now), Err(AckTokenError::Invalid));
    }

    #[test]
    fn constant_time_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
