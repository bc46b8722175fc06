//! The Swedish calendar: local time in Europe/Stockholm, public holidays and working days.
//!
//! Computed, not looked up, so it needs no time-zone database and no yearly update: Easter by
//! the Gregorian computus, midsummer and All Saints' Day by their rules, and the EU summer-time
//! rule (last Sunday of March to last Sunday of October, switching at 01:00 UTC).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};

/// The last `weekday` of a month.
fn last_weekday(year: i32, month: u32, weekday: Weekday) -> Option<NaiveDate> {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let mut day = first_next.pred_opt()?;
    while day.weekday() != weekday {
        day = day.pred_opt()?;
    }
    Some(day)
}

/// Whether summer time (CEST, UTC+2) applies at this instant.
fn is_summer_time(at: DateTime<Utc>) -> bool {
    let year = at.year();
    let switch = |month| {
        last_weekday(year, month, Weekday::Sun)
            .and_then(|d| d.and_hms_opt(1, 0, 0))
            .map(|t| Utc.from_utc_datetime(&t))
    };
    match (switch(3), switch(10)) {
        (Some(start), Some(end)) => at >= start && at < end,
        _ => false,
    }
}

/// The offset from UTC in Stockholm at this instant.
pub fn stockholm_offset(at: DateTime<Utc>) -> Duration {
    if is_summer_time(at) {
        Duration::hours(2)
    } else {
        Duration::hours(1)
    }
}

/// Wall-clock time in Stockholm.
pub fn to_stockholm(at: DateTime<Utc>) -> NaiveDateTime {
    at.naive_utc() + stockholm_offset(at)
}

/// The UTC instant of a Stockholm wall-clock time. In the autumn hour that occurs twice the
/// earlier one is taken; a time in the skipped spring hour is read as winter time.
pub fn from_stockholm(local: NaiveDateTime) -> DateTime<Utc> {
    let summer = Utc.from_utc_datetime(&(local - Duration::hours(2)));
    if is_summer_time(summer) {
        summer
    } else {
        Utc.from_utc_datetime(&(local - Duration::hours(1)))
    }
}

/// Today's date in Stockholm.
pub fn stockholm_date(at: DateTime<Utc>) -> NaiveDate {
    to_stockholm(at).date()
}

/// Swedish format for people, e.g. `2026-11-25 kl. 08:45`.
pub fn format_swedish(at: DateTime<Utc>) -> String {
    to_stockholm(at).format("%Y-%m-%d kl. %H:%M").to_string()
}

/// Easter Sunday (Gregorian; the anonymous computus).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

/// The first `weekday` on or after `from`.
fn first_on_or_after(from: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() as i64
        - from.weekday().num_days_from_monday() as i64)
        % 7;
    from + Duration::days(ahead)
}

/// The days off of a year that fall on weekdays or weekends alike: the public holidays, plus
/// the eves (midsommarafton, julafton, nyårsafton) that are days off in practice and in most
/// collective agreements.
pub fn holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let mut days = Vec::new();
    let mut push = |d: Option<NaiveDate>, name| {
        if let Some(d) = d {
            days.push((d, name));
        }
    };
    push(ymd(1, 1), "nyårsdagen");
    push(ymd(1, 6), "trettondedag jul");
    if let Some(easter) = easter_sunday(year) {
        push(Some(easter - Duration::days(2)), "långfredagen");
        push(Some(easter), "påskdagen");
        push(Some(easter + Duration::days(1)), "annandag påsk");
        push(Some(easter + Duration::days(39)), "Kristi himmelfärdsdag");
        push(Some(easter + Duration::days(49)), "pingstdagen");
    }
    push(ymd(5, 1), "första maj");
    push(ymd(6, 6), "Sveriges nationaldag");
    if let Some(from) = ymd(6, 19) {
        let eve = first_on_or_after(from, Weekday::Fri);
        push(Some(eve), "midsommarafton");
        push(Some(eve + Duration::days(1)), "midsommardagen");
    }
    if let Some(from) = ymd(10, 31) {
        push(
            Some(first_on_or_after(from, Weekday::Sat)),
            "alla helgons dag",
        );
    }
    push(ymd(12, 24), "julafton");
    push(ymd(12, 25), "juldagen");
    push(ymd(12, 26), "annandag jul");
    push(ymd(12, 31), "nyårsafton");
    days
}

pub fn is_holiday(date: NaiveDate) -> bool {
    holidays(date.year()).iter().any(|(d, _)| *d == date)
}

/// Monday to Friday and not a holiday.
pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_holiday(date)
}

/// The instant `days` working days after `start`, at the same Stockholm time of day. A start
/// on a day off counts from the beginning (00:00) of the next working day: a report made on a
/// Saturday with `days = 2` is due Wednesday 00:00, after two whole working days.
pub fn add_working_days(start: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let mut local = to_stockholm(start);
    if !is_working_day(local.date()) {
        let mut d = local.date();
        // At most a few days off in a row; the bound only guards against a bug.
        for _ in 0..14 {
            d = d.succ_opt().unwrap_or(d);
            if is_working_day(d) {
                break;
            }
        }
        local = d.and_time(chrono::NaiveTime::MIN);
    }
    let time = local.time();
    let mut date = local.date();
    let mut left = days;
    let mut guard = 0;
    while left > 0 && guard < 10_000 {
        date = date.succ_opt().unwrap_or(date);
        if is_working_day(date) {
            left -= 1;
        }
        guard += 1;
    }
    from_stockholm(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn utc(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, h, min, 0).unwrap()
    }

    #[test]
    fn easter_by_computus() {
        assert_eq!(easter_sunday(2024), Some(d(2024, 3, 31)));
        assert_eq!(easter_sunday(2025), Some(d(2025, 4, 20)));
        assert_eq!(easter_sunday(2026), Some(d(2026, 4, 5)));
        assert_eq!(easter_sunday(2027), Some(d(2027, 3, 28)));
        assert_eq!(easter_sunday(2038), Some(d(2038, 4, 25)));
    }

    #[test]
    fn holidays_of_2026() {
        let days: Vec<NaiveDate> = holidays(2026).into_iter().map(|(d, _)| d).collect();
        for expected in [
            d(2026, 1, 1),
            d(2026, 1, 6),
            d(2026, 4, 3), // långfredag
            d(2026, 4, 6), // annandag påsk
            d(2026, 5, 1),
            d(2026, 5, 14), // Kristi himmelfärd
            d(2026, 6, 6),
            d(2026, 6, 19), // midsommarafton
            d(2026, 6, 20),
            d(2026, 10, 31), // alla helgons dag
            d(2026, 12, 24),
            d(2026, 12, 25),
            d(2026, 12, 26),
            d(2026, 12, 31),
        ] {
            assert!(days.contains(&expected), "{expected} should be a holiday");
        }
        assert!(!is_holiday(d(2026, 6, 18)));
        // 2025: midsommarafton 20 June, alla helgons dag 1 November.
        assert!(is_holiday(d(2025, 6, 20)));
        assert!(is_holiday(d(2025, 11, 1)));
        assert!(!is_holiday(d(2025, 10, 31)));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        assert!(is_working_day(d(2026, 11, 25)));
        assert!(!is_working_day(d(2026, 11, 28))); // Saturday
        assert!(!is_working_day(d(2026, 4, 3))); // långfredag
                                                 // Wednesday 10:00 + 2 → Friday 10:00 (Stockholm, winter: UTC+1).
        assert_eq!(
            add_working_days(utc(2026, 11, 25, 9, 0), 2),
            utc(2026, 11, 27, 9, 0)
        );
        // Thursday + 2 → Monday.
        assert_eq!(
            add_working_days(utc(2026, 11, 26, 9, 0), 2),
            utc(2026, 11, 30, 9, 0)
        );
        // Saturday → counts from Monday 00:00: Monday and Tuesday → Wednesday 00:00.
        assert_eq!(
            add_working_days(utc(2026, 11, 28, 12, 0), 2),
            utc(2026, 12, 1, 23, 0)
        );
        // Tuesday before Easter 2026 (31 March) + 2 → Thursday 2 April; + 3 → Tuesday 7 April.
        assert_eq!(
            add_working_days(utc(2026, 3, 31, 8, 0), 2),
            utc(2026, 4, 2, 8, 0)
        );
        assert_eq!(
            add_working_days(utc(2026, 3, 31, 8, 0), 3),
            utc(2026, 4, 7, 8, 0)
        );
        // 23 December 2026 (Wednesday) + 2: 24–27 off, 28 Monday, 29 Tuesday.
        assert_eq!(
            add_working_days(utc(2026, 12, 23, 9, 0), 2),
            utc(2026, 12, 29, 9, 0)
        );
    }

    #[test]
    fn stockholm_time_follows_summer_time() {
        assert_eq!(
            format_swedish(utc(2026, 11, 25, 7, 45)),
            "2026-11-25 kl. 08:45"
        );
        assert_eq!(
            format_swedish(utc(2026, 7, 1, 7, 45)),
            "2026-07-01 kl. 09:45"
        );
        // Switches on 29 March 2026 and 25 October 2026 at 01:00 UTC.
        assert_eq!(
            format_swedish(utc(2026, 3, 29, 0, 59)),
            "2026-03-29 kl. 01:59"
        );
        assert_eq!(
            format_swedish(utc(2026, 3, 29, 1, 0)),
            "2026-03-29 kl. 03:00"
        );
        assert_eq!(
            format_swedish(utc(2026, 10, 25, 0, 59)),
            "2026-10-25 kl. 02:59"
        );
        assert_eq!(
            format_swedish(utc(2026, 10, 25, 1, 0)),
            "2026-10-25 kl. 02:00"
        );
        let local = NaiveDate::from_ymd_opt(2026, 7, 1)
            .unwrap()
            .and_hms_opt(9, 45, 0)
            .unwrap();
        assert_eq!(from_stockholm(local), utc(2026, 7, 1, 7, 45));
    }
}
