use std::fmt;

use validator::ValidateEmail;

/// A syntactically valid e-mail address, trimmed and with a lower-cased domain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Email, &'static str> {
        let s = raw.trim();
        if s.len() > Self::MAX_LEN || !s.validate_email() {
            return Err("email");
        }
        // The local part is case-sensitive in theory; the domain never is.
        let (local, domain) = s.rsplit_once('@').ok_or("email")?;
        Ok(Email(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises_domain() {
        assert_eq!(
            Email::parse(" Anna.Berg@Karlskrona.SE ").unwrap().as_str(),
            "Anna.Berg@karlskrona.se"
        );
        assert!(Email::parse("not-an-email").is_err());
        assert!(Email::parse("a@").is_err());
        assert!(Email::parse(&format!("{}@example.se", "a".repeat(250))).is_err());
    }
}
