use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use uuid::Uuid;

use super::{CleanText, Consequence, Email, IncidentKind};

/// A report that has passed every input rule and may be stored.
#[derive(Debug, Clone)]
pub struct NewIncident {
    pub kind: IncidentKind,
    pub org_unit_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub title: CleanText,
    pub description: CleanText,
    pub location: Option<CleanText>,
    pub coordinates: Option<Coordinates>,
    pub consequences: BTreeSet<Consequence>,
    pub immediate_action: Option<CleanText>,
    /// `None` for anonymous reports: then nothing about the reporter is stored at all.
    pub reporter: Option<Reporter>,
}

/// Who reported, as far as they chose to say.
#[derive(Debug, Clone, Default)]
pub struct Reporter {
    pub name: Option<CleanText>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
}

impl Reporter {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.email.is_none() && self.phone.is_none()
    }
}

/// A WGS 84 position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

/// How far in the future `occurred_at` may be, for phones whose clocks run fast.
pub const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

/// When an event may have occurred: not more than [`MAX_CLOCK_SKEW`] ahead of `now`, and not
/// before 1970 (older dates are typing mistakes, not reports).
pub fn check_occurred_at(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), &'static str> {
    if at > now + MAX_CLOCK_SKEW {
        return Err("in_future");
    }
    let earliest = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).single();
    if earliest.is_some_and(|e| at < e) {
        return Err("too_early");
    }
    Ok(())
}

/// A phone number as people write them: digits with optional `+`, spaces, dashes and
/// parentheses; 5–20 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, &'static str> {
        let s = raw.trim();
        let allowed = s.char_indices().all(|(i, c)| {
            c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (c == '+' && i == 0)
        });
        let digits = s.chars().filter(char::is_ascii_digit).count();
        if !allowed || !(5..=20).contains(&digits) || s.len() > 30 {
            return Err("phone");
        }
        Ok(Phone(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurred_at_allows_small_skew_only() {
        let now = Utc::now();
        assert!(check_occurred_at(now + Duration::minutes(4), now).is_ok());
        assert_eq!(
            check_occurred_at(now + Duration::minutes(6), now),
            Err("in_future")
        );
        assert!(check_occurred_at(now - Duration::days(400), now).is_ok());
        let old = Utc.with_ymd_and_hms(1969, 12, 31, 0, 0, 0).unwrap();
        assert_eq!(check_occurred_at(old, now), Err("too_early"));
    }

    #[test]
    fn phones() {
        assert!(Phone::parse("+46 455-30 30 00").is_ok());
        assert!(Phone::parse("0455 (30) 3000").is_ok());
        assert!(Phone::parse("12").is_err());
        assert!(Phone::parse("46+123456").is_err());
        assert!(Phone::parse("ring mig").is_err());
    }
}
