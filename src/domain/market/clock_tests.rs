//! Tests for [`super::clock`]: `/v2/clock` bodies, good and bad, and when the clock
//! outranks the calendar.

use super::clock::{is_open_with, market_hours, parse_clock, MarketClock, MarketHours};
use crate::domain::types::Ts;

fn ts(s: &str) -> Ts {
    Ts::parse_rfc3339(s).unwrap_or_else(|| panic!("bad test timestamp {s}"))
}

const GOOD: &str = r#"{"timestamp":"2024-03-15T10:04:31.123456789-04:00","is_open":true,"next_open":"2024-03-18T09:30:00-04:00","next_close":"2024-03-15T16:00:00-04:00"}"#;

#[test]
fn parses_the_documented_body() {
    let clock = parse_clock(GOOD).unwrap();
    assert_eq!(
        clock,
        MarketClock {
            timestamp: ts("2024-03-15T14:04:31.123456789Z"),
            is_open: true,
            next_open: ts("2024-03-18T13:30:00Z"),
            next_close: ts("2024-03-15T20:00:00Z"),
        }
    );
    // Extra fields and whitespace are fine.
    let padded = r#" { "is_open": false, "timestamp": "2024-03-16T12:00:00Z",
        "next_open": "2024-03-18T13:30:00Z", "next_close": "2024-03-18T20:00:00Z", "x": 1 } "#;
    assert!(!parse_clock(padded).unwrap().is_open);
}

#[test]
fn bad_bodies_name_the_field() {
    let cases = [
        ("", "not JSON"),
        ("<html>502</html>", "not JSON"),
        ("[]", "not a JSON object"),
        (
            r#"{"timestamp":"2024-03-15T10:04:31Z","next_open":"2024-03-18T09:30:00-04:00","next_close":"2024-03-15T16:00:00-04:00"}"#,
            "`is_open` is missing",
        ),
        (
            r#"{"timestamp":"2024-03-15T10:04:31Z","is_open":"true","next_open":"2024-03-18T09:30:00-04:00","next_close":"2024-03-15T16:00:00-04:00"}"#,
            "`is_open` should be a boolean",
        ),
        (
            r#"{"timestamp":1710511471,"is_open":true,"next_open":"2024-03-18T09:30:00-04:00","next_close":"2024-03-15T16:00:00-04:00"}"#,
            "`timestamp` should be an RFC 3339 string",
        ),
        (
            r#"{"timestamp":"2024-03-15T10:04:31Z","is_open":true,"next_open":"Monday 9:30","next_close":"2024-03-15T16:00:00-04:00"}"#,
            "`next_open` is not an RFC 3339 timestamp: \"Monday 9:30\"",
        ),
        (
            r#"{"timestamp":"2024-03-15T10:04:31Z","is_open":true,"next_open":"2024-03-18T09:30:00-04:00","next_close":null}"#,
            "`next_close` is missing",
        ),
    ];
    for (body, want) in cases {
        let err = parse_clock(body).unwrap_err().to_string();
        assert!(err.starts_with("Alpaca /v2/clock: "), "{err}");
        assert!(
            err.contains(want),
            "body {body:?}: got {err:?}, want {want:?}"
        );
    }
}

/// Alpaca says closed during what the calendar thinks is a regular Tuesday session
/// (an unscheduled closure the table cannot know about).
fn closed_clock_at(at: &str) -> MarketClock {
    MarketClock {
        timestamp: ts(at),
        is_open: false,
        next_open: ts("2026-11-18T14:30:00Z"),
        next_close: ts("2026-11-18T21:00:00Z"),
    }
}

#[test]
fn fresh_clock_wins_stale_clock_falls_back_to_calendar() {
    let now = ts("2026-11-17T15:05:00Z");
    let cases = [
        // (clock timestamp, now, expected is_open, expected source)
        ("2026-11-17T15:04:59Z", now, false, "alpaca clock"),
        ("2026-11-17T14:50:00Z", now, false, "alpaca clock"), // exactly 15 min old
        ("2026-11-17T15:20:00Z", now, false, "alpaca clock"), // 15 min ahead (skew)
        ("2026-11-17T14:49:59Z", now, true, "calendar"),      // stale
        ("2026-11-17T15:20:01Z", now, true, "calendar"),      // too far ahead
    ];
    for (stamp, now, open, source) in cases {
        let clock = closed_clock_at(stamp);
        assert_eq!(is_open_with(Some(&clock), now), open, "clock at {stamp}");
        assert_eq!(market_hours(Some(&clock), now).label(), source, "{stamp}");
    }
    assert!(is_open_with(None, now), "no clock: calendar");
    assert_eq!(market_hours(None, now), MarketHours::Calendar);
}

#[test]
fn clock_is_not_trusted_past_its_announced_boundary() {
    // Open clock fetched a minute before the close; one second after the close it is
    // still within 15 minutes but no longer describes the market.
    let clock = MarketClock {
        timestamp: ts("2026-11-17T20:59:00Z"),
        is_open: true,
        next_open: ts("2026-11-18T14:30:00Z"),
        next_close: ts("2026-11-17T21:00:00Z"),
    };
    assert!(is_open_with(Some(&clock), ts("2026-11-17T20:59:59Z")));
    assert_eq!(
        market_hours(Some(&clock), ts("2026-11-17T21:00:00Z")),
        MarketHours::Calendar
    );
    assert!(!is_open_with(Some(&clock), ts("2026-11-17T21:00:01Z")));

    // A fresh "open" answer on a day the calendar calls closed is believed.
    let surprise = MarketClock {
        timestamp: ts("2026-11-26T15:00:00Z"),
        is_open: true,
        next_open: ts("2026-11-27T14:30:00Z"),
        next_close: ts("2026-11-26T21:00:00Z"),
    };
    assert!(is_open_with(Some(&surprise), ts("2026-11-26T15:01:00Z")));
}
