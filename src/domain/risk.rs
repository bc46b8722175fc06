//! The risk matrix: likelihood 1–4 × consequence 1–4 gives a level.
//!
//! | likelihood \ consequence | 1 liten | 2 måttlig | 3 allvarlig | 4 mycket allvarlig |
//! |---|---|---|---|---|
//! | 4 mycket sannolik | medium | high | critical | critical |
//! | 3 sannolik        | medium | high | critical | critical |
//! | 2 möjlig          | low    | medium | high   | high     |
//! | 1 osannolik       | low    | low    | medium | medium   |
//!
//! The level follows the product: 1–2 low, 3–4 medium, 6–8 high, 9–16 critical.

use crate::i18n::{Lang, Msg};

string_enum! {
    /// A risk level from the matrix.
    pub enum RiskLevel {
        Low => "low",
        Medium => "medium",
        High => "high",
        Critical => "critical",
    }
}

impl RiskLevel {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            RiskLevel::Low => lang.t(Msg::RiskLow),
            RiskLevel::Medium => lang.t(Msg::RiskMedium),
            RiskLevel::High => lang.t(Msg::RiskHigh),
            RiskLevel::Critical => lang.t(Msg::RiskCritical),
        }
    }
}

/// A rating on one axis of the matrix, 1–4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grade(u8);

impl Grade {
    pub fn parse(value: i64) -> Option<Grade> {
        (1..=4).contains(&value).then_some(Grade(value as u8))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// A rated risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Risk {
    pub likelihood: Grade,
    pub consequence: Grade,
}

impl Risk {
    /// Likelihood `l` × consequence `c`, each 1–4.
    pub fn of(l: i64, c: i64) -> Option<Risk> {
        Some(Risk {
            likelihood: Grade::parse(l)?,
            consequence: Grade::parse(c)?,
        })
    }

    pub fn level(self) -> RiskLevel {
        match self.likelihood.0 * self.consequence.0 {
            0..=2 => RiskLevel::Low,
            3..=4 => RiskLevel::Medium,
            5..=8 => RiskLevel::High,
            _ => RiskLevel::Critical,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_as_documented() {
        use RiskLevel::*;
        // Rows: likelihood 1..4; columns: consequence 1..4.
        let table = [
            [Low, Low, Medium, Medium],
            [Low, Medium, High, High],
            [Medium, High, Critical, Critical],
            [Medium, High, Critical, Critical],
        ];
        for (l, row) in table.iter().enumerate() {
            for (c, expected) in row.iter().enumerate() {
                let risk = Risk {
                    likelihood: Grade::parse(l as i64 + 1).unwrap(),
                    consequence: Grade::parse(c as i64 + 1).unwrap(),
                };
                assert_eq!(risk.level(), *expected, "l={} c={}", l + 1, c + 1);
            }
        }
    }

    #[test]
    fn grades_are_one_to_four() {
        assert!(Grade::parse(0).is_none());
        assert!(Grade::parse(5).is_none());
        assert_eq!(Grade::parse(4).map(Grade::get), Some(4));
    }
}
