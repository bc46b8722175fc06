//! Periods of the cost trends: calendar months (`yyyymm`), quarters and years, the ranges a
//! question may span, and the keys under which a case counts as "a case with costs".
//!
//! Every period is keyed `yyyy*100 + n` — n the month, the quarter, or 0 for a year — so the
//! same period a year earlier is always `key − 100`.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use super::cost::Basis;

/// A calendar month (Europe/Stockholm dates), ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(i32);

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=12).contains(&month) && (1..=9999).contains(&year))
            .then(|| Month(year * 100 + month as i32))
    }

    pub fn of(date: NaiveDate) -> Month {
        Month(date.year() * 100 + date.month() as i32)
    }

    /// `YYYY-MM`.
    pub fn parse(text: &str) -> Result<Month, &'static str> {
        let t = text.trim();
        let (y, m) = t.split_once('-').ok_or("format")?;
        if y.len() != 4 || m.len() != 2 {
            return Err("format");
        }
        let year: i32 = y.parse().map_err(|_| "format")?;
        let month: u32 = m.parse().map_err(|_| "format")?;
        Month::new(year, month).ok_or("format")
    }

    pub fn from_key(key: i32) -> Option<Month> {
        Month::new(key / 100, (key % 100).try_into().ok()?)
    }

    /// `yyyymm`, as stored.
    pub fn key(self) -> i32 {
        self.0
    }

    pub fn year(self) -> i32 {
        self.0 / 100
    }

    pub fn number(self) -> u32 {
        (self.0 % 100) as u32
    }

    pub fn quarter(self) -> u32 {
        (self.number() - 1) / 3 + 1
    }

    pub fn next(self) -> Month {
        if self.number() == 12 {
            Month((self.year() + 1) * 100 + 1)
        } else {
            Month(self.0 + 1)
        }
    }

    pub fn year_earlier(self) -> Month {
        Month(self.0 - 100)
    }

    /// Months from `self` to `to`, both included (0 when `to` is earlier).
    pub fn months_until(self, to: Month) -> i32 {
        (to.year() - self.year()) * 12 + to.number() as i32 - self.number() as i32 + 1
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), self.number(), 1).unwrap_or_default()
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or_default()
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.number())
    }
}

string_enum! {
    /// How a trend is divided in time.
    pub enum PeriodKind {
        Month => "month",
        Quarter => "quarter",
        Year => "year",
    }
}

string_enum! {
    /// How each period of a trend is broken down.
    pub enum GroupBy {
        /// One total per period.
        None => "none",
        /// By cost category.
        Category => "category",
        /// By the kind of event (olycka, tillbud, …).
        Kind => "kind",
        /// By the unit's direct children (each with its subtree), for drilling down.
        Unit => "unit",
    }
}

/// The grain at which distinct case counts are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grain {
    Month,
    Quarter,
    Year,
    /// January up to and including the month.
    YearToDate,
}

impl Grain {
    pub const ALL: [Grain; 4] = [Grain::Month, Grain::Quarter, Grain::Year, Grain::YearToDate];

    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Month => "m",
            Grain::Quarter => "q",
            Grain::Year => "y",
            Grain::YearToDate => "ytd",
        }
    }

    pub fn parse(s: &str) -> Option<Grain> {
        Grain::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// The key of the period of `kind` that holds `month`.
pub fn bucket_key(kind: PeriodKind, month: Month) -> i32 {
    match kind {
        PeriodKind::Month => month.key(),
        PeriodKind::Quarter => month.year() * 100 + month.quarter() as i32,
        PeriodKind::Year => month.year() * 100,
    }
}

/// The longest range a trend may span, in months (20 years).
pub const MAX_MONTHS: i32 = 240;

/// Why a range was refused; the field it concerns and a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeError {
    pub field: &'static str,
    pub code: &'static str,
}

/// One period of a trend: its key, the months it covers and where its case count is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub key: i32,
    pub first: Month,
    pub last: Month,
    pub grain: Grain,
    /// The period key of the count at `grain` (differs from `key` for a year to date).
    pub count_period: i32,
}

impl Bucket {
    /// `2026-03`, `2026-Q1`, `2026` (machine keys; the pages word them).
    pub fn label(&self, kind: PeriodKind) -> String {
        match kind {
            PeriodKind::Month => self.first.to_string(),
            PeriodKind::Quarter => format!("{}-Q{}", self.key / 100, self.key % 100),
            PeriodKind::Year => format!("{}", self.key / 100),
        }
    }
}

/// A range of whole periods, `from` and `to` included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub kind: PeriodKind,
    pub from: Month,
    pub to: Month,
}

impl Range {
    /// Quarters run from a quarter's first month to a quarter's last; years from January to
    /// December, except that the last year may end earlier: it is then a year to date, and
    /// compared with the same months a year before.
    pub fn new(kind: PeriodKind, from: Month, to: Month) -> Result<Range, RangeError> {
        if to < from {
            return Err(RangeError {
                field: "to",
                code: "before_from",
            });
        }
        if from.months_until(to) > MAX_MONTHS {
            return Err(RangeError {
                field: "to",
                code: "range",
            });
        }
        let aligned = match kind {
            PeriodKind::Month => (true, true),
            PeriodKind::Quarter => (from.number() % 3 == 1, to.number().is_multiple_of(3)),
            PeriodKind::Year => (from.number() == 1, true),
        };
        if !aligned.0 {
            return Err(RangeError {
                field: "from",
                code: "period_start",
            });
        }
        if !aligned.1 {
            return Err(RangeError {
                field: "to",
                code: "period_end",
            });
        }
        Ok(Range { kind, from, to })
    }

    pub fn year_earlier(&self) -> Range {
        Range {
            kind: self.kind,
            from: self.from.year_earlier(),
            to: self.to.year_earlier(),
        }
    }

    pub fn buckets(&self) -> Vec<Bucket> {
        let mut out: Vec<Bucket> = Vec::new();
        let mut m = self.from;
        while m <= self.to {
            let key = bucket_key(self.kind, m);
            match out.last_mut() {
                Some(b) if b.key == key => b.last = m,
                _ => out.push(Bucket {
                    key,
                    first: m,
                    last: m,
                    grain: Grain::Month,
                    count_period: key,
                }),
            }
            m = m.next();
        }
        for b in &mut out {
            (b.grain, b.count_period) = match self.kind {
                PeriodKind::Month => (Grain::Month, b.key),
                PeriodKind::Quarter => (Grain::Quarter, b.key),
                PeriodKind::Year if b.last.number() == 12 => (Grain::Year, b.key),
                PeriodKind::Year => (Grain::YearToDate, b.last.key()),
            };
        }
        out
    }
}

/// The dimension a rollup row or count belongs to.
pub fn category_dim(code: &str) -> String {
    format!("c:{code}")
}

pub fn kind_dim(kind: &str) -> String {
    format!("k:{kind}")
}

/// Every category and kind together (counts only: money adds up over categories).
pub const ALL_DIM: &str = "*";

/// The basis key of counts for "actual and estimate".
pub const BOTH_BASIS: &str = "both";

/// The periods an entry of `month` counts in: its month, quarter, year, and every year to
/// date from its month to December.
pub fn count_periods(month: Month) -> Vec<(Grain, i32)> {
    let mut periods = vec![
        (Grain::Month, month.key()),
        (Grain::Quarter, bucket_key(PeriodKind::Quarter, month)),
        (Grain::Year, month.year() * 100),
    ];
    for m in month.number()..=12 {
        periods.push((Grain::YearToDate, month.year() * 100 + m as i32));
    }
    periods
}

/// One place a case is counted: grain, period, dimension, basis.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountKey {
    pub grain: Grain,
    pub period: i32,
    pub dim: String,
    pub basis: &'static str,
}

/// Where a standing entry makes its case count: its month, quarter, year and every year to
/// date from its month on; for its category, its case's kind and all; for its basis and both.
pub fn count_keys(month: Month, category: &str, kind: &str, basis: Basis) -> Vec<CountKey> {
    let periods = count_periods(month);
    let dims = [category_dim(category), kind_dim(kind), ALL_DIM.to_owned()];
    let mut keys = Vec::with_capacity(periods.len() * 6);
    for (grain, period) in periods {
        for dim in &dims {
            for b in [basis.as_str(), BOTH_BASIS] {
                keys.push(CountKey {
                    grain,
                    period,
                    dim: dim.clone(),
                    basis: b,
                });
            }
        }
    }
    keys
}

/// How the counts change when a case's set of keys goes from `before` to `after`: +1 for
/// each key it enters, −1 for each it leaves.
pub fn count_changes<K: Ord + Clone>(before: &BTreeSet<K>, after: &BTreeSet<K>) -> Vec<(K, i64)> {
    let gone = before.difference(after).map(|k| (k.clone(), -1));
    let new = after.difference(before).map(|k| (k.clone(), 1));
    gone.chain(new).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn months_parse_and_step() {
        assert_eq!(m("2026-03").key(), 202603);
        assert_eq!(m("2026-12").next(), m("2027-01"));
        assert_eq!(m("2026-03").to_string(), "2026-03");
        assert_eq!(m("2024-02").last_day().to_string(), "2024-02-29");
        assert_eq!(m("2025-01").months_until(m("2026-12")), 24);
        for bad in ["2026-13", "2026-3", "26-03", "2026/03", "", "2026-00"] {
            assert!(Month::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Month::from_key(202611), Some(m("2026-11")));
        assert_eq!(Month::from_key(202613), None);
    }

    #[test]
    fn ranges_must_be_whole_periods_except_a_year_to_date() {
        use PeriodKind::*;
        assert!(Range::new(Month, m("2026-02"), m("2026-05")).is_ok());
        assert_eq!(
            Range::new(Quarter, m("2026-02"), m("2026-06"))
                .unwrap_err()
                .field,
            "from"
        );
        assert_eq!(
            Range::new(Quarter, m("2026-01"), m("2026-05"))
                .unwrap_err()
                .code,
            "period_end"
        );
        assert_eq!(
            Range::new(Year, m("2026-02"), m("2026-12"))
                .unwrap_err()
                .code,
            "period_start"
        );
        assert_eq!(
            Range::new(Month, m("2026-02"), m("2026-01"))
                .unwrap_err()
                .code,
            "before_from"
        );
        assert_eq!(
            Range::new(Month, m("2000-01"), m("2020-01"))
                .unwrap_err()
                .code,
            "range"
        );
        let ytd = Range::new(Year, m("2025-01"), m("2026-11")).unwrap();
        let b = ytd.buckets();
        assert_eq!(b.len(), 2);
        assert_eq!((b[0].grain, b[0].count_period), (Grain::Year, 202500));
        assert_eq!((b[1].grain, b[1].count_period), (Grain::YearToDate, 202611));
        assert_eq!(b[1].label(Year), "2026");
        let q = Range::new(Quarter, m("2026-01"), m("2026-12"))
            .unwrap()
            .buckets();
        assert_eq!(
            q.iter().map(|b| b.key).collect::<Vec<_>>(),
            [202601, 202602, 202603, 202604]
        );
        assert_eq!(q[1].label(Quarter), "2026-Q2");
        assert_eq!((q[1].first, q[1].last), (m("2026-04"), m("2026-06")));
        let earlier = ytd.year_earlier().buckets();
        assert_eq!(earlier[1].count_period, 202511);
    }

    #[test]
    fn a_standing_entry_counts_in_each_grain_once() {
        let keys = count_keys(m("2026-10"), "egendom", "accident", Basis::Actual);
        // month, quarter, year and Oct–Dec to date; × 3 dims × 2 bases.
        assert_eq!(keys.len(), 6 * 6);
        assert!(keys.contains(&CountKey {
            grain: Grain::YearToDate,
            period: 202612,
            dim: "*".into(),
            basis: "both",
        }));
        assert!(!keys
            .iter()
            .any(|k| k.grain == Grain::YearToDate && k.period == 202609));
        let before: BTreeSet<i32> = [1, 2, 3].into();
        let after: BTreeSet<i32> = [2, 3, 4].into();
        assert_eq!(count_changes(&before, &after), [(1, -1), (4, 1)]);
    }
}
