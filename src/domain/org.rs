use std::fmt;

string_enum! {
    /// The level of a unit in the line organisation.
    pub enum OrgUnitKind {
        /// Kommunkoncern: the root.
        Group => "group",
        /// Förvaltning.
        Administration => "administration",
        /// Bolag.
        Company => "company",
        /// Avdelning.
        Department => "department",
        /// Enhet.
        Unit => "unit",
    }
}

/// A unit's stable code from the HR system: 1–64 of `A–Z a–z 0–9 - _ .`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgCode(String);

impl OrgCode {
    pub fn parse(raw: &str) -> Result<OrgCode, &'static str> {
        let s = raw.trim();
        if s.is_empty() || s.chars().count() > 64 {
            return Err("length");
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err("format");
        }
        Ok(OrgCode(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse() {
        assert_eq!(OrgCode::parse(" UTB-01 ").unwrap().as_str(), "UTB-01");
        assert_eq!(OrgCode::parse(""), Err("length"));
        assert_eq!(OrgCode::parse("a b"), Err("format"));
        assert_eq!(OrgCode::parse(&"x".repeat(65)), Err("length"));
    }
}
