//! Retention by decision (gallringsbeslut): per report kind, how long after a case is closed
//! its personal data is kept, and the decision the rule follows. No rule, no removal.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};

use super::calendar::{from_stockholm, stockholm_date};
use super::IncidentKind;

/// How long a closed case keeps its personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// This many months after closing (years are counted as 12 months).
    Months(u32),
    /// Never anonymised.
    Always,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRule {
    pub kind: IncidentKind,
    pub keep: Keep,
    /// The decision the rule follows, e.g. "KS 2026/123, informationshanteringsplan".
    pub decision: String,
}

/// The configured rules, at most one per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionRules(pub Vec<RetentionRule>);

fn parse_period(p: &str) -> Option<Keep> {
    let p = p.trim().to_ascii_lowercase();
    if p == "keep" {
        return Some(Keep::Always);
    }
    // `5y`, `18m`, `2y6m`.
    let mut months: u32 = 0;
    let mut digits = String::new();
    let mut any = false;
    for c in p.chars() {
        match c {
            '0'..='9' => digits.push(c),
            'y' | 'm' => {
                let n: u32 = digits.parse().ok()?;
                digits.clear();
                months = months.checked_add(if c == 'y' { n.checked_mul(12)? } else { n })?;
                any = true;
            }
            _ => return None,
        }
    }
    (any && digits.is_empty() && months <= 100 * 12).then_some(Keep::Months(months))
}

impl RetentionRules {
    /// `kind=period:decision` separated by `;`, period `5y`, `18m`, `2y6m` or `keep`, e.g.
    /// `accident=10y:KS 2026/123; near_miss=2y:KS 2026/123; security=keep`. The decision is
    /// required unless the period is `keep`.
    pub fn parse(text: &str) -> Result<RetentionRules, String> {
        let mut rules: Vec<RetentionRule> = Vec::new();
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((kind, rest)) = part.split_once('=') else {
                return Err(format!("'{part}' is not kind=period:decision"));
            };
            let kind: IncidentKind = kind
                .trim()
                .parse()
                .map_err(|()| format!("'{}' is not a report kind", kind.trim()))?;
            let (period, decision) = rest.split_once(':').unwrap_or((rest, ""));
            let keep = parse_period(period).ok_or_else(|| {
                format!(
                    "'{}' is not a period like 5y, 18m, 2y6m or keep",
                    period.trim()
                )
            })?;
            let decision = decision.trim().to_owned();
            if decision.is_empty() && keep != Keep::Always {
                return Err(format!(
                    "the rule for {} names no decision (kind=period:decision)",
                    kind.as_str()
                ));
            }
            if decision.chars().count() > 200 || decision.chars().any(char::is_control) {
                return Err(format!("the decision of {} is too long", kind.as_str()));
            }
            if rules.iter().any(|r| r.kind == kind) {
                return Err(format!("{} has two rules", kind.as_str()));
            }
            rules.push(RetentionRule {
                kind,
                keep,
                decision,
            });
        }
        Ok(RetentionRules(rules))
    }

    pub fn for_kind(&self, kind: IncidentKind) -> Option<&RetentionRule> {
        self.0.iter().find(|r| r.kind == kind)
    }
}

impl RetentionRule {
    /// Whether a case closed at `closed_at` is past this rule at `now` (its personal data is
    /// to be removed). Months are calendar months in Europe/Stockholm.
    pub fn is_due(&self, closed_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        match self.keep {
            Keep::Always => false,
            Keep::Months(m) => {
                let closed = stockholm_date(closed_at);
                closed
                    .checked_add_months(Months::new(m))
                    .is_some_and(|until| stockholm_date(now) > until)
            }
        }
    }

    /// The period in words, as the privacy page shows it.
    pub fn period_label(&self, sv: bool) -> String {
        match self.keep {
            Keep::Always => if sv { "bevaras" } else { "kept" }.to_owned(),
            Keep::Months(m) => {
                let (y, mo) = (m / 12, m % 12);
                let mut parts = Vec::new();
                if y > 0 {
                    parts.push(match (sv, y) {
                        (true, 1) => "1 år".to_owned(),
                        (true, y) => format!("{y} år"),
                        (false, 1) => "1 year".to_owned(),
                        (false, y) => format!("{y} years"),
                    });
                }
                if mo > 0 || y == 0 {
                    parts.push(match (sv, mo) {
                        (true, 1) => "1 månad".to_owned(),
                        (true, mo) => format!("{mo} månader"),
                        (false, 1) => "1 month".to_owned(),
                        (false, mo) => format!("{mo} months"),
                    });
                }
                let join = if sv { " och " } else { " and " };
                parts.join(join)
            }
        }
    }
}

/// The fixed text that replaces each free text: "Gallrad 2031-05-01 enligt KS 2026/123".
pub fn marker(on: NaiveDate, decision: &str) -> String {
    format!("Gallrad {} enligt {decision}", on.format("%Y-%m-%d"))
}

/// The first instant of the Stockholm month that `at` falls in: an occurred time kept "to
/// the month" stays in the same month, so every count by month, quarter or year is the same.
pub fn start_of_month(at: DateTime<Utc>) -> DateTime<Utc> {
    let d = stockholm_date(at);
    let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
    from_stockholm(first.and_hms_opt(0, 0, 0).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_with_periods_and_decisions() {
        let r = RetentionRules::parse(
            "accident=10y:KS 2026/123, informationshanteringsplan; near_miss=18m:KS 1; security=keep",
        )
        .unwrap();
        assert_eq!(r.0.len(), 3);
        assert_eq!(r.0[0].keep, Keep::Months(120));
        assert_eq!(r.0[0].decision, "KS 2026/123, informationshanteringsplan");
        assert_eq!(r.0[1].keep, Keep::Months(18));
        assert_eq!(r.0[2].keep, Keep::Always);
        assert_eq!(parse_period("2y6m"), Some(Keep::Months(30)));
        assert!(RetentionRules::parse("accident=5y").is_err());
        assert!(RetentionRules::parse("olycka=5y:x").is_err());
        assert!(RetentionRules::parse("accident=5w:x").is_err());
        assert!(RetentionRules::parse("accident=5y:x;accident=keep").is_err());
        assert_eq!(RetentionRules::parse("").unwrap().0.len(), 0);
    }

    #[test]
    fn a_rule_is_due_the_day_after_its_period() {
        let rule = RetentionRule {
            kind: IncidentKind::Accident,
            keep: Keep::Months(12),
            decision: "KS 1".into(),
        };
        let closed: DateTime<Utc> = "2026-03-10T10:00:00Z".parse().unwrap();
        assert!(!rule.is_due(closed, "2027-03-10T12:00:00Z".parse().unwrap()));
        assert!(rule.is_due(closed, "2027-03-11T00:30:00Z".parse().unwrap()));
        assert_eq!(rule.period_label(true), "1 år");
        assert_eq!(
            marker(NaiveDate::from_ymd_opt(2031, 5, 1).unwrap(), "KS 2026/123"),
            "Gallrad 2031-05-01 enligt KS 2026/123"
        );
    }

    #[test]
    fn the_month_start_stays_in_the_stockholm_month() {
        // 1 March 00:30 in Stockholm is 28 February 23:30 UTC.
        let at: DateTime<Utc> = "2026-03-15T12:00:00Z".parse().unwrap();
        assert_eq!(start_of_month(at).to_rfc3339(), "2026-02-28T23:00:00+00:00");
        let summer: DateTime<Utc> = "2026-07-31T21:59:00Z".parse().unwrap();
        assert_eq!(
            start_of_month(summer).to_rfc3339(),
            "2026-06-30T22:00:00+00:00"
        );
    }
}
