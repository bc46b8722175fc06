//! Money: an exact number of öre (SEK × 100), never a float. Formatted the Swedish way:
//! `1 234 567 kr`, `−12 300,50 kr` — a no-break space groups thousands and precedes `kr`, the
//! minus is U+2212, öre are shown only when there are some. This is what
//! `Intl.NumberFormat("sv-SE")` prints, so the server's and the pages' texts agree.

use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub};

/// An amount in öre. Sums of amounts stay exact (i64 holds ±92 233 biljoner kronor).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ore(pub i64);

/// The largest single amount accepted: 100 miljarder kronor.
pub const MAX_AMOUNT: Ore = Ore(10_000_000_000_000);

const NBSP: char = '\u{a0}';
const MINUS: char = '\u{2212}';

impl Ore {
    pub const ZERO: Ore = Ore(0);

    pub fn ore(self) -> i64 {
        self.0
    }

    /// Whole kronor and the öre beyond them, both without sign.
    fn parts(self) -> (u64, u64) {
        let abs = self.0.unsigned_abs();
        (abs / 100, abs % 100)
    }

    /// Kronor as a number for spreadsheets (exact for every amount below 2^53 öre).
    pub fn kronor_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// `1234,50` / `-1234,50` / `1234,00`: the plain decimal-comma form Swedish Excel reads as
    /// a number from CSV (no thousands separator, ASCII minus).
    pub fn decimal_comma(self) -> String {
        let (kr, ore) = self.parts();
        let sign = if self.0 < 0 { "-" } else { "" };
        format!("{sign}{kr},{ore:02}")
    }

    /// Parses a Swedish amount as people write it: `1 234 567 kr`, `−12 300,50 kr`,
    /// `1234,5`, `-99`, `12 300.50 SEK`. Grouping spaces may be plain, no-break or narrow
    /// no-break; at most two decimals; the minus may be `-` or `−`.
    pub fn parse_sv(text: &str) -> Result<Ore, &'static str> {
        let mut s = text.trim();
        for suffix in ["kr", "SEK", "sek", ":-"] {
            if let Some(rest) = s.strip_suffix(suffix) {
                s = rest.trim_end_matches([' ', NBSP, '\u{202f}']);
                break;
            }
        }
        let (negative, s) = match s.strip_prefix('-').or_else(|| s.strip_prefix(MINUS)) {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, frac) = match s.split_once([',', '.']) {
            Some((w, f)) => (w, f),
            None => (s, ""),
        };
        let digits: String = whole
            .chars()
            .filter(|c| ![' ', NBSP, '\u{202f}'].contains(c))
            .collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("format");
        }
        // Groups of three after the first when spaces are used, so `12 34` is refused.
        if whole.contains([' ', NBSP, '\u{202f}']) {
            let groups: Vec<&str> = whole.split([' ', NBSP, '\u{202f}']).collect();
            let well_grouped = groups.first().is_some_and(|g| (1..=3).contains(&g.len()))
                && groups[1..].iter().all(|g| g.len() == 3);
            if !well_grouped {
                return Err("format");
            }
        }
        if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err("format");
        }
        let kr: i64 = digits.parse().map_err(|_| "range")?;
        let ore: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| "format")? * 10,
            _ => frac.parse().map_err(|_| "format")?,
        };
        let total = kr
            .checked_mul(100)
            .and_then(|v| v.checked_add(ore))
            .ok_or("range")?;
        Ok(Ore(if negative { -total } else { total }))
    }
}

impl fmt::Display for Ore {
    /// `1 234 567 kr`, `−12 300,50 kr` (no-break spaces, U+2212 minus).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kr, ore) = self.parts();
        let digits = kr.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 * 2);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(NBSP);
            }
            grouped.push(c);
        }
        if self.0 < 0 {
            write!(f, "{MINUS}")?;
        }
        if ore == 0 {
            write!(f, "{grouped}{NBSP}kr")
        } else {
            write!(f, "{grouped},{ore:02}{NBSP}kr")
        }
    }
}

impl Add for Ore {
    type Output = Ore;
    fn add(self, rhs: Ore) -> Ore {
        Ore(self.0 + rhs.0)
    }
}

impl AddAssign for Ore {
    fn add_assign(&mut self, rhs: Ore) {
        self.0 += rhs.0;
    }
}

impl Sub for Ore {
    type Output = Ore;
    fn sub(self, rhs: Ore) -> Ore {
        Ore(self.0 - rhs.0)
    }
}

impl Neg for Ore {
    type Output = Ore;
    fn neg(self) -> Ore {
        Ore(-self.0)
    }
}

impl std::iter::Sum for Ore {
    fn sum<I: Iterator<Item = Ore>>(iter: I) -> Ore {
        iter.fold(Ore::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(s: String) -> String {
        s.replace(NBSP, " ").replace(MINUS, "-")
    }

    #[test]
    fn formats_the_swedish_way() {
        assert_eq!(Ore(123_456_700).to_string(), "1\u{a0}234\u{a0}567\u{a0}kr");
        assert_eq!(plain(Ore(-1_230_050).to_string()), "-12 300,50 kr");
        assert!(Ore(-1_230_050).to_string().starts_with('\u{2212}'));
        assert_eq!(plain(Ore(0).to_string()), "0 kr");
        assert_eq!(plain(Ore(5).to_string()), "0,05 kr");
        assert_eq!(plain(Ore(100_000).to_string()), "1 000 kr");
        assert_eq!(plain(Ore(99_999).to_string()), "999,99 kr");
        assert_eq!(
            plain(Ore(i64::MIN + 1).to_string()),
            "-92 233 720 368 547 758,07 kr"
        );
    }

    #[test]
    fn decimal_comma_is_what_excel_reads() {
        assert_eq!(Ore(123_456_700).decimal_comma(), "1234567,00");
        assert_eq!(Ore(-1_230_050).decimal_comma(), "-12300,50");
        assert_eq!(Ore(7).decimal_comma(), "0,07");
    }

    #[test]
    fn parses_what_people_write() {
        for (text, ore) in [
            ("1 234 567 kr", 123_456_700),
            ("1\u{a0}234\u{a0}567\u{a0}kr", 123_456_700),
            ("\u{2212}12\u{a0}300,50\u{a0}kr", -1_230_050),
            ("-12 300,50 kr", -1_230_050),
            ("1234,5", 123_450),
            ("99", 9_900),
            ("12 300.50 SEK", 1_230_050),
            ("0,07", 7),
            ("250:-", 25_000),
        ] {
            assert_eq!(Ore::parse_sv(text), Ok(Ore(ore)), "{text}");
        }
        for bad in [
            "",
            "kr",
            "12 34",
            "1,234",
            "1.2.3",
            "abc",
            "1 2345",
            "--5",
            "9999999999999999999",
        ] {
            assert!(Ore::parse_sv(bad).is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn formatting_and_parsing_round_trip() {
        for ore in [
            0,
            1,
            99,
            100,
            12_345,
            -12_345,
            123_456_789_012,
            -987_654_321,
        ] {
            assert_eq!(Ore::parse_sv(&Ore(ore).to_string()), Ok(Ore(ore)));
        }
    }
}
