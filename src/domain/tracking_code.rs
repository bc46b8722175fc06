use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

/// The reporter's key to their case: 128 random bits, base64url without padding (22 chars).
/// It is a bearer secret: whoever has it sees the case's public view.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrackingCode(String);

impl TrackingCode {
    pub const LEN: usize = 22;

    pub fn generate() -> TrackingCode {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        TrackingCode(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accepts only strings that could have been generated, so lookups of junk never hit the
    /// database.
    pub fn parse(raw: &str) -> Option<TrackingCode> {
        let ok = raw.len() == Self::LEN
            && URL_SAFE_NO_PAD
                .decode(raw)
                .is_ok_and(|bytes| bytes.len() == 16);
        ok.then(|| TrackingCode(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_parse_and_differ() {
        let a = TrackingCode::generate();
        let b = TrackingCode::generate();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), TrackingCode::LEN);
        assert_eq!(TrackingCode::parse(a.as_str()), Some(a));
        assert_eq!(TrackingCode::parse("short"), None);
        assert_eq!(TrackingCode::parse("!!!!!!!!!!!!!!!!!!!!!!"), None);
    }
}
