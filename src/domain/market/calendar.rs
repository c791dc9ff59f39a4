//! The NYSE trading calendar: regular sessions (09:30–16:00 America/New_York), full-day
//! closures and 13:00 early closes, as explicit data for 2024–2028.
//!
//! Pure: every function takes the date or `now` it answers for. Outside the table
//! (before 2024-01-01 or after [`covered_until`]) the calendar falls back to weekday-only
//! rules: Monday–Friday are full sessions, so holidays there read as open.

use crate::domain::types::Ts;
use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
use chrono_tz::America::New_York;

/// Regular session open, 09:30 New York time.
const OPEN_HM: (u32, u32) = (9, 30);
/// Regular session close, 16:00 New York time.
const CLOSE_HM: (u32, u32) = (16, 0);
/// Early close on the scheduled half days, 13:00 New York time.
const EARLY_CLOSE_HM: (u32, u32) = (13, 0);

/// Last date [`SPECIAL_DAYS`] knows about.
const COVERED_UNTIL_YMD: (i32, u32, u32) = (2028, 12, 31);

/// Longest run of days without a session we ever search across. Real runs are at most
/// four days (a weekend plus a holiday plus a one-off closure); beyond the table the
/// weekday fallback finds a session within three.
const MAX_SCAN_DAYS: u32 = 14;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum DayKind {
    /// No session at all.
    Closed,
    /// Session from 09:30 to 13:00 New York time.
    EarlyClose,
}

#[derive(Copy, Clone, Debug)]
pub(crate) struct SpecialDay {
    pub(crate) ymd: (i32, u32, u32),
    pub(crate) kind: DayKind,
    pub(crate) name: &'static str,
}

const fn closed(y: i32, m: u32, d: u32, name: &'static str) -> SpecialDay {
    SpecialDay {
        ymd: (y, m, d),
        kind: DayKind::Closed,
        name,
    }
}

const fn early(y: i32, m: u32, d: u32, name: &'static str) -> SpecialDay {
    SpecialDay {
        ymd: (y, m, d),
        kind: DayKind::EarlyClose,
        name,
    }
}

/// Every non-regular weekday, sorted by date (a test checks the order, the weekdays and
/// the holiday rules). Source: NYSE Group's published holiday and early-closings
/// calendars ("NYSE Group Announces 2022, 2023 and 2024 …", "… 2025, 2026 and 2027 …",
/// "… 2026, 2027 and 2028 Holiday and Early Closings Calendar"; nyse.com/markets/hours-calendars),
/// plus the one-off closure of 2025-01-09 that NYSE announced for President Carter's
/// national day of mourning. Dates are as observed: a Saturday holiday moves to Friday and
/// a Sunday one to Monday, except New Year's Day on a Saturday, which NYSE Rule 7.2 does
/// not observe at all (no holiday on Fri 2027-12-31). The day before Independence Day and
/// Christmas Eve close early only when they are ordinary weekdays; when the holiday itself
/// is observed on an adjacent day (2026, 2027) there is no early close.
pub(crate) const SPECIAL_DAYS: &[SpecialDay] = &[
    // 2024
    closed(2024, 1, 1, "New Year's Day"),               // Mon
    closed(2024, 1, 15, "Martin Luther King, Jr. Day"), // Mon
    closed(2024, 2, 19, "Washington's Birthday"),       // Mon
    closed(2024, 3, 29, "Good Friday"),                 // Fri (Easter Mar 31)
    closed(2024, 5, 27, "Memorial Day"),                // Mon
    closed(2024, 6, 19, "Juneteenth"),                  // Wed
    early(2024, 7, 3, "Day before Independence Day"),   // Wed
    closed(2024, 7, 4, "Independence Day"),             // Thu
    closed(2024, 9, 2, "Labor Day"),                    // Mon
    closed(2024, 11, 28, "Thanksgiving Day"),           // Thu
    early(2024, 11, 29, "Day after Thanksgiving"),      // Fri
    early(2024, 12, 24, "Christmas Eve"),               // Tue
    closed(2024, 12, 25, "Christmas Day"),              // Wed
    // 2025
    closed(2025, 1, 1, "New Year's Day"), // Wed
    closed(2025, 1, 9, "National Day of Mourning for President Carter"), // Thu, one-off
    closed(2025, 1, 20, "Martin Luther King, Jr. Day"), // Mon
    closed(2025, 2, 17, "Washington's Birthday"), // Mon
    closed(2025, 4, 18, "Good Friday"),   // Fri (Easter Apr 20)
    closed(2025, 5, 26, "Memorial Day"),  // Mon
    closed(2025, 6, 19, "Juneteenth"),    // Thu
    early(2025, 7, 3, "Day before Independence Day"), // Thu
    closed(2025, 7, 4, "Independence Day"), // Fri
    closed(2025, 9, 1, "Labor Day"),      // Mon
    closed(2025, 11, 27, "Thanksgiving Day"), // Thu
    early(2025, 11, 28, "Day after Thanksgiving"), // Fri
    early(2025, 12, 24, "Christmas Eve"), // Wed
    closed(2025, 12, 25, "Christmas Day"), // Thu
    // 2026
    closed(2026, 1, 1, "New Year's Day"),               // Thu
    closed(2026, 1, 19, "Martin Luther King, Jr. Day"), // Mon
    closed(2026, 2, 16, "Washington's Birthday"),       // Mon
    closed(2026, 4, 3, "Good Friday"),                  // Fri (Easter Apr 5)
    closed(2026, 5, 25, "Memorial Day"),                // Mon
    closed(2026, 6, 19, "Juneteenth"),                  // Fri
    closed(2026, 7, 3, "Independence Day (observed)"),  // Fri; Jul 4 is a Saturday
    closed(2026, 9, 7, "Labor Day"),                    // Mon
    closed(2026, 11, 26, "Thanksgiving Day"),           // Thu
    early(2026, 11, 27, "Day after Thanksgiving"),      // Fri
    early(2026, 12, 24, "Christmas Eve"),               // Thu
    closed(2026, 12, 25, "Christmas Day"),              // Fri
    // 2027
    closed(2027, 1, 1, "New Year's Day"),               // Fri
    closed(2027, 1, 18, "Martin Luther King, Jr. Day"), // Mon
    closed(2027, 2, 15, "Washington's Birthday"),       // Mon
    closed(2027, 3, 26, "Good Friday"),                 // Fri (Easter Mar 28)
    closed(2027, 5, 31, "Memorial Day"),                // Mon
    closed(2027, 6, 18, "Juneteenth (observed)"),       // Fri; Jun 19 is a Saturday
    closed(2027, 7, 5, "Independence Day (observed)"),  // Mon; Jul 4 is a Sunday
    closed(2027, 9, 6, "Labor Day"),                    // Mon
    closed(2027, 11, 25, "Thanksgiving Day"),           // Thu
    early(2027, 11, 26, "Day after Thanksgiving"),      // Fri
    closed(2027, 12, 24, "Christmas Day (observed)"),   // Fri; Dec 25 is a Saturday
    // 2028 (Sat Jan 1: no New Year's holiday, per NYSE Rule 7.2)
    closed(2028, 1, 17, "Martin Luther King, Jr. Day"), // Mon
    closed(2028, 2, 21, "Washington's Birthday"),       // Mon
    closed(2028, 4, 14, "Good Friday"),                 // Fri (Easter Apr 16)
    closed(2028, 5, 29, "Memorial Day"),                // Mon
    closed(2028, 6, 19, "Juneteenth"),                  // Mon
    early(2028, 7, 3, "Day before Independence Day"),   // Mon
    closed(2028, 7, 4, "Independence Day"),             // Tue
    closed(2028, 9, 4, "Labor Day"),                    // Mon
    closed(2028, 11, 23, "Thanksgiving Day"),           // Thu
    early(2028, 11, 24, "Day after Thanksgiving"),      // Fri
    closed(2028, 12, 25, "Christmas Day"),              // Mon; Christmas Eve is a Sunday
];

/// One trading session. `open`/`close` are UTC instants, so DST is already applied.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The New York calendar date of the session.
    pub date: NaiveDate,
    pub open: Ts,
    pub close: Ts,
    /// True on the scheduled 13:00 closes.
    pub early_close: bool,
}

impl Session {
    /// True while `now` is inside `[open, close)`.
    pub fn contains(&self, now: Ts) -> bool {
        self.open <= now && now < self.close
    }
}

pub(crate) fn special_day(date: NaiveDate) -> Option<&'static SpecialDay> {
    let key = (date.year(), date.month(), date.day());
    SPECIAL_DAYS
        .binary_search_by_key(&key, |s| s.ymd)
        .ok()
        .and_then(|i| SPECIAL_DAYS.get(i))
}

/// The last date the holiday table covers; later dates use weekday-only rules.
pub fn covered_until() -> NaiveDate {
    let (y, m, d) = COVERED_UNTIL_YMD;
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// The New York calendar date at `now` (the date a session belongs to).
pub fn market_date(now: Ts) -> NaiveDate {
    now.to_datetime().with_timezone(&New_York).date_naive()
}

/// Why the market is shut all day on `date`, when the table says so ("Good Friday",
/// "Independence Day (observed)", …). `None` on weekends, sessions and uncovered dates.
pub fn holiday_on(date: NaiveDate) -> Option<&'static str> {
    special_day(date)
        .filter(|s| s.kind == DayKind::Closed)
        .map(|s| s.name)
}

/// `hh:mm` New York wall time on `date` as a UTC instant. Session times are never inside
/// a DST gap or overlap (those are at 02:00), so the local time maps to exactly one instant.
fn new_york_instant(date: NaiveDate, (hour, minute): (u32, u32)) -> Option<Ts> {
    let local = date.and_hms_opt(hour, minute, 0)?;
    let instant = New_York.from_local_datetime(&local).earliest()?;
    instant.timestamp_nanos_opt().map(Ts)
}

/// The session on the New York date `date`, or `None` on weekends and full-day closures.
/// Beyond [`covered_until`] (and before 2024) only the weekend rule applies.
pub fn session_on(date: NaiveDate) -> Option<Session> {
    if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        return None;
    }
    let kind = special_day(date).map(|s| s.kind);
    if kind == Some(DayKind::Closed) {
        return None;
    }
    let early_close = kind == Some(DayKind::EarlyClose);
    let close_hm = if early_close {
        EARLY_CLOSE_HM
    } else {
        CLOSE_HM
    };
    Some(Session {
        date,
        open: new_york_instant(date, OPEN_HM)?,
        close: new_york_instant(date, close_hm)?,
        early_close,
    })
}

/// True while a regular session is running at `now` (open inclusive, close exclusive).
pub fn is_open(now: Ts) -> bool {
    session_on(market_date(now)).is_some_and(|s| s.contains(now))
}

/// The first session, starting with `now`'s New York date, that `keep` accepts.
fn first_session_from(now: Ts, keep: impl Fn(&Session) -> bool) -> Option<Session> {
    let mut date = market_date(now);
    for _ in 0..MAX_SCAN_DAYS {
        if let Some(session) = session_on(date).filter(&keep) {
            return Some(session);
        }
        date = date.succ_opt()?;
    }
    None
}

/// The next session open strictly after `now`: today's open when `now` is before it,
/// otherwise the open of the next trading day.
pub fn next_open(now: Ts) -> Option<Ts> {
    first_session_from(now, |s| s.open > now).map(|s| s.open)
}

/// The session running at `now`, or else the next one to open.
pub fn current_or_next_session(now: Ts) -> Option<Session> {
    first_session_from(now, |s| now < s.close)
}
