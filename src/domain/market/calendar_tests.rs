//! Tests for [`super::calendar`]: the holiday table against the NYSE rules, session
//! times across DST, the open/close edges and the next-open search.

use super::calendar::{
    covered_until, current_or_next_session, holiday_on, is_open, market_date, next_open,
    session_on, DayKind, SPECIAL_DAYS,
};
use crate::domain::types::Ts;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::BTreeSet;

fn ts(s: &str) -> Ts {
    Ts::parse_rfc3339(s).unwrap_or_else(|| panic!("bad test timestamp {s}"))
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn ymd(date: NaiveDate) -> (i32, u32, u32) {
    (date.year(), date.month(), date.day())
}

fn nth_weekday(y: i32, m: u32, wd: Weekday, n: u8) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(y, m, wd, n).unwrap()
}

fn last_monday_of_may(y: i32) -> NaiveDate {
    let mut date = d(y, 5, 31);
    while date.weekday() != Weekday::Mon {
        date = date.pred_opt().unwrap();
    }
    date
}

/// Anonymous Gregorian computus.
fn easter(y: i32) -> NaiveDate {
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let dd = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - dd - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    d(y, month as u32, day as u32)
}

/// Saturday holidays move to Friday, Sunday ones to Monday.
fn observed(date: NaiveDate) -> NaiveDate {
    match date.weekday() {
        Weekday::Sat => date - Duration::days(1),
        Weekday::Sun => date + Duration::days(1),
        _ => date,
    }
}

/// The NYSE rules, computed independently of the table.
fn rule_closures(y: i32) -> BTreeSet<(i32, u32, u32)> {
    let mut out = BTreeSet::new();
    let new_year = d(y, 1, 1);
    if new_year.weekday() != Weekday::Sat {
        out.insert(ymd(observed(new_year)));
    }
    out.insert(ymd(nth_weekday(y, 1, Weekday::Mon, 3)));
    out.insert(ymd(nth_weekday(y, 2, Weekday::Mon, 3)));
    out.insert(ymd(easter(y) - Duration::days(2)));
    out.insert(ymd(last_monday_of_may(y)));
    out.insert(ymd(observed(d(y, 6, 19))));
    out.insert(ymd(observed(d(y, 7, 4))));
    out.insert(ymd(nth_weekday(y, 9, Weekday::Mon, 1)));
    out.insert(ymd(nth_weekday(y, 11, Weekday::Thu, 4)));
    out.insert(ymd(observed(d(y, 12, 25))));
    out
}

fn rule_early_closes(y: i32) -> BTreeSet<(i32, u32, u32)> {
    let is_plain_weekday = |date: NaiveDate| {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
            && !rule_closures(y).contains(&ymd(date))
    };
    let mut out = BTreeSet::new();
    let july_3 = d(y, 7, 3);
    if is_plain_weekday(july_3) {
        out.insert(ymd(july_3));
    }
    out.insert(ymd(nth_weekday(y, 11, Weekday::Thu, 4) + Duration::days(1)));
    let christmas_eve = d(y, 12, 24);
    if is_plain_weekday(christmas_eve) {
        out.insert(ymd(christmas_eve));
    }
    out
}

#[test]
fn table_is_sorted_unique_weekdays_within_coverage() {
    for pair in SPECIAL_DAYS.windows(2) {
        assert!(pair[0].ymd < pair[1].ymd, "{:?} out of order", pair[1].ymd);
    }
    for s in SPECIAL_DAYS {
        let (y, m, day) = s.ymd;
        let date = d(y, m, day);
        assert!(
            !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
            "{date} ({}) falls on a weekend",
            s.name
        );
        assert!(
            date <= covered_until() && y >= 2024,
            "{date} outside coverage"
        );
    }
}

#[test]
fn table_matches_nyse_rules_for_every_covered_year() {
    let one_offs: BTreeSet<_> = [(2025, 1, 9)].into_iter().collect();
    for y in 2024..=2028 {
        let in_year = |kind| -> BTreeSet<(i32, u32, u32)> {
            SPECIAL_DAYS
                .iter()
                .filter(|s| s.ymd.0 == y && s.kind == kind && !one_offs.contains(&s.ymd))
                .map(|s| s.ymd)
                .collect()
        };
        assert_eq!(in_year(DayKind::Closed), rule_closures(y), "closures {y}");
        assert_eq!(
            in_year(DayKind::EarlyClose),
            rule_early_closes(y),
            "early {y}"
        );
    }
}

#[test]
fn every_2026_and_2027_holiday_is_closed() {
    let holidays = [
        d(2026, 1, 1),
        d(2026, 1, 19),
        d(2026, 2, 16),
        d(2026, 4, 3),
        d(2026, 5, 25),
        d(2026, 6, 19),
        d(2026, 7, 3),
        d(2026, 9, 7),
        d(2026, 11, 26),
        d(2026, 12, 25),
        d(2027, 1, 1),
        d(2027, 1, 18),
        d(2027, 2, 15),
        d(2027, 3, 26),
        d(2027, 5, 31),
        d(2027, 6, 18),
        d(2027, 7, 5),
        d(2027, 9, 6),
        d(2027, 11, 25),
        d(2027, 12, 24),
    ];
    for date in holidays {
        assert_eq!(session_on(date), None, "{date}");
        assert!(holiday_on(date).is_some(), "{date} has no name");
        let midday = ts(&format!("{date}T17:00:00Z"));
        assert!(!is_open(midday), "{date} midday should be closed");
    }
    assert_eq!(holiday_on(d(2026, 4, 3)), Some("Good Friday"));
    assert_eq!(
        holiday_on(d(2025, 1, 9)).map(|n| n.contains("Carter")),
        Some(true)
    );
}

#[test]
fn early_closes_end_at_13_00_new_york() {
    let cases = [
        (d(2024, 7, 3), "2024-07-03T17:00:00Z"),
        (d(2024, 11, 29), "2024-11-29T18:00:00Z"),
        (d(2024, 12, 24), "2024-12-24T18:00:00Z"),
        (d(2025, 7, 3), "2025-07-03T17:00:00Z"),
        (d(2025, 11, 28), "2025-11-28T18:00:00Z"),
        (d(2025, 12, 24), "2025-12-24T18:00:00Z"),
        (d(2026, 11, 27), "2026-11-27T18:00:00Z"),
        (d(2026, 12, 24), "2026-12-24T18:00:00Z"),
        (d(2027, 11, 26), "2027-11-26T18:00:00Z"),
        (d(2028, 7, 3), "2028-07-03T17:00:00Z"),
        (d(2028, 11, 24), "2028-11-24T18:00:00Z"),
    ];
    for (date, close) in cases {
        let s = session_on(date).unwrap_or_else(|| panic!("{date} should trade"));
        assert!(s.early_close, "{date}");
        assert_eq!(s.close, ts(close), "{date}");
        assert!(is_open(s.close.plus_millis(-1_000)), "{date} before 13:00");
        assert!(!is_open(s.close), "{date} at 13:00");
    }
    // Full days where a naive rule might put a half day.
    let full_days = [
        (d(2026, 7, 2), "2026-07-02T20:00:00Z"),
        (d(2027, 7, 2), "2027-07-02T20:00:00Z"),
        (d(2027, 12, 23), "2027-12-23T21:00:00Z"),
        (d(2027, 12, 31), "2027-12-31T21:00:00Z"),
    ];
    for (date, close) in full_days {
        let s = session_on(date).unwrap_or_else(|| panic!("{date} should trade"));
        assert!(!s.early_close, "{date}");
        assert_eq!(s.close, ts(close), "{date}");
    }
}

#[test]
fn session_times_follow_dst() {
    let cases = [
        (
            d(2026, 3, 6),
            "2026-03-06T14:30:00Z",
            "2026-03-06T21:00:00Z",
        ),
        (
            d(2026, 3, 9),
            "2026-03-09T13:30:00Z",
            "2026-03-09T20:00:00Z",
        ),
        (
            d(2026, 10, 30),
            "2026-10-30T13:30:00Z",
            "2026-10-30T20:00:00Z",
        ),
        (
            d(2026, 11, 2),
            "2026-11-02T14:30:00Z",
            "2026-11-02T21:00:00Z",
        ),
    ];
    for (date, open, close) in cases {
        let s = session_on(date).unwrap_or_else(|| panic!("{date} should trade"));
        assert_eq!((s.date, s.open, s.close), (date, ts(open), ts(close)));
    }
}

#[test]
fn open_close_edges_and_weekends() {
    let cases = [
        ("2026-11-17T14:29:59Z", false), // 09:29:59 EST
        ("2026-11-17T14:30:00Z", true),
        ("2026-11-17T20:59:59Z", true), // 15:59:59 EST
        ("2026-11-17T21:00:00Z", false),
        ("2026-06-17T13:29:59Z", false), // 09:29:59 EDT
        ("2026-06-17T13:30:00Z", true),
        ("2026-06-17T19:59:59.999999999Z", true),
        ("2026-06-17T20:00:00Z", false),
        ("2026-11-14T16:00:00Z", false), // Saturday
        ("2026-11-15T16:00:00Z", false), // Sunday
        ("2026-11-18T02:00:00Z", false), // Tue 21:00 EST, UTC date already Wednesday
    ];
    for (at, open) in cases {
        assert_eq!(is_open(ts(at)), open, "{at}");
    }
    assert_eq!(market_date(ts("2026-11-18T02:00:00Z")), d(2026, 11, 17));
}

#[test]
fn demo_fixture_window_is_open() {
    let start = ts("2026-11-17T15:00:00Z");
    for minute in 0..=10 {
        assert!(is_open(start.plus_millis(minute * 60_000)), "+{minute} min");
    }
}

#[test]
fn next_open_skips_nights_weekends_and_holidays() {
    let cases = [
        // Friday evening -> Monday.
        ("2026-11-20T22:00:00Z", "2026-11-23T14:30:00Z"),
        // Friday evening before MLK day -> Tuesday.
        ("2026-01-16T22:00:00Z", "2026-01-20T14:30:00Z"),
        // Before today's open -> today's open; at or after it -> tomorrow's.
        ("2026-11-17T12:00:00Z", "2026-11-17T14:30:00Z"),
        ("2026-11-17T14:30:00Z", "2026-11-18T14:30:00Z"),
        ("2026-11-17T16:00:00Z", "2026-11-18T14:30:00Z"),
        // Thanksgiving eve -> the half day after.
        ("2026-11-25T22:00:00Z", "2026-11-27T14:30:00Z"),
        // Observed Christmas on Friday 2027-12-24 -> Monday.
        ("2027-12-23T22:00:00Z", "2027-12-27T14:30:00Z"),
        // Weekend across the DST change: Friday EDT -> Monday EST.
        ("2026-10-30T21:00:00Z", "2026-11-02T14:30:00Z"),
        // No New Year holiday in 2028: Friday 2027-12-31 trades.
        ("2027-12-30T22:00:00Z", "2027-12-31T14:30:00Z"),
        // Past the table: weekday-only, so Monday 2029-01-01 counts as a session.
        ("2028-12-29T22:00:00Z", "2029-01-01T14:30:00Z"),
    ];
    for (now, want) in cases {
        assert_eq!(next_open(ts(now)), Some(ts(want)), "from {now}");
    }
}

#[test]
fn current_or_next_session_picks_the_running_one_first() {
    let cases = [
        ("2026-11-17T12:00:00Z", d(2026, 11, 17)), // before the open
        ("2026-11-17T15:05:00Z", d(2026, 11, 17)), // during
        ("2026-11-17T21:00:00Z", d(2026, 11, 18)), // at the close
        ("2026-11-21T15:00:00Z", d(2026, 11, 23)), // Saturday
        ("2026-11-27T18:30:00Z", d(2026, 11, 30)), // after the early close
    ];
    for (now, want) in cases {
        let s = current_or_next_session(ts(now)).unwrap_or_else(|| panic!("{now}"));
        assert_eq!(s.date, want, "from {now}");
    }
}

#[test]
fn coverage_ends_2028_and_falls_back_to_weekdays() {
    assert_eq!(covered_until(), d(2028, 12, 31));
    assert!(
        session_on(d(2029, 7, 4)).is_some(),
        "weekday-only after the table"
    );
    assert_eq!(session_on(d(2029, 7, 7)), None, "Saturday");
}
