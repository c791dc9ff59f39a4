//! Text formatting for the screen: prices, changes, ages, counts, and the New York clock.
//! Pure functions of their inputs; the views choose colours, this module only spells.

use crate::domain::types::Ts;
use chrono_tz::America::New_York;
use rust_decimal::{Decimal, RoundingStrategy};

/// Shown wherever a value is missing.
pub const MISSING: &str = "—";

/// Decimal places for a price: 4 below one dollar (sub-penny quotes), otherwise 2.
pub fn price_dp(price: Decimal) -> u32 {
    if price.abs() < Decimal::ONE {
        4
    } else {
        2
    }
}

pub fn price(p: Decimal) -> String {
    fixed(p, price_dp(p))
}

/// A change in dollars with an explicit sign, at the precision of `reference` (the price).
pub fn signed(change: Decimal, reference: Decimal) -> String {
    signed_fixed(change, price_dp(reference))
}

/// A percentage, already rounded by the snapshot, as `+0.52%`.
pub fn pct(change_pct: Decimal) -> String {
    format!("{}%", signed_fixed(change_pct, 2))
}

/// Half away from zero, as people round on paper (`round_dp` alone is banker's rounding).
fn round(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

fn fixed(d: Decimal, dp: u32) -> String {
    let rounded = round(d, dp);
    // Rounding can leave a negative zero ("-0.00"); a change that rounds to zero has no sign.
    let rounded = if rounded.is_zero() {
        Decimal::ZERO
    } else {
        rounded
    };
    format!("{:.*}", dp as usize, rounded)
}

fn signed_fixed(d: Decimal, dp: u32) -> String {
    let s = fixed(d, dp);
    if round(d, dp) > Decimal::ZERO {
        format!("+{s}")
    } else {
        s
    }
}

/// `850ms`, `12s`, `3m`, `5h`, `2d`; negative (a timestamp in the future) keeps its sign.
pub fn age(age_ms: i64) -> String {
    let sign = if age_ms < 0 { "-" } else { "" };
    let ms = age_ms.unsigned_abs();
    let body = match ms {
        0..1_000 => format!("{ms}ms"),
        1_000..60_000 => format!("{}s", ms / 1_000),
        60_000..3_600_000 => format!("{}m", ms / 60_000),
        3_600_000..86_400_000 => format!("{}h", ms / 3_600_000),
        _ => format!("{}d", ms / 86_400_000),
    };
    format!("{sign}{body}")
}

/// A span of time with two units where it matters: `45s`, `3m12s`, `2h05m`, `3d04h`.
/// Negative spans read as zero: a countdown that has passed is due now.
pub fn duration(ms: i64) -> String {
    let secs = ms.max(0) / 1_000;
    match secs {
        0..60 => format!("{secs}s"),
        60..3_600 => format!("{}m{:02}s", secs / 60, secs % 60),
        3_600..86_400 => format!("{}h{:02}m", secs / 3_600, (secs / 60) % 60),
        _ => format!("{}d{:02}h", secs / 86_400, (secs / 3_600) % 24),
    }
}

/// Time left until a deadline `remaining_ms` away, rounded up so "in 0s" never shows
/// while something is still pending: `7s`, `1m05s`.
pub fn countdown(remaining_ms: i64) -> String {
    let ms = remaining_ms.max(0);
    duration((ms + 999) / 1_000 * 1_000)
}

/// A latency in microseconds in the unit that reads best: `850µs`, `1.2ms`, `250ms`,
/// `1.25s`, then whole seconds, minutes...
pub fn micros(us: u64) -> String {
    // f64 is fine here: display only.
    match us {
        0..1_000 => format!("{us}µs"),
        1_000..100_000 => format!("{:.1}ms", us as f64 / 1e3),
        100_000..1_000_000 => format!("{}ms", us / 1_000),
        1_000_000..60_000_000 => format!("{:.2}s", us as f64 / 1e6),
        _ => age(i64::try_from(us / 1_000).unwrap_or(i64::MAX)),
    }
}

/// `12,345,678`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Share volume in a short form: `950`, `12.3K`, `4.56M`, `1.2B`.
pub fn volume(shares: i64) -> String {
    let n = shares.unsigned_abs();
    let sign = if shares < 0 { "-" } else { "" };
    let (scaled, unit) = match n {
        0..10_000 => return format!("{sign}{n}"),
        10_000..1_000_000 => (n as f64 / 1e3, "K"),
        1_000_000..1_000_000_000 => (n as f64 / 1e6, "M"),
        _ => (n as f64 / 1e9, "B"),
    };
    // f64 is fine here: display only, never money.
    format!("{sign}{scaled:.1}{unit}")
}

/// Wall-clock time in New York: (`10:04:31 ET`, `Fri 2024-03-15`).
pub fn ny_clock(t: Ts) -> (String, String) {
    let dt = t.to_datetime().with_timezone(&New_York);
    (
        dt.format("%H:%M:%S ET").to_string(),
        dt.format("%a %Y-%m-%d").to_string(),
    )
}

/// Midnight in New York of the day `t` falls in: where a chart's "day" starts.
pub fn ny_day_start(t: Ts) -> Ts {
    use chrono::TimeZone;
    let day = t.to_datetime().with_timezone(&New_York).date_naive();
    day.and_hms_opt(0, 0, 0)
        .and_then(|midnight| New_York.from_local_datetime(&midnight).earliest())
        .map_or(t, |d| Ts::from_secs(d.timestamp()))
}

/// Event-log timestamps: `10:04:31`, New York time.
pub fn ny_time(t: Ts) -> String {
    t.to_datetime()
        .with_timezone(&New_York)
        .format("%H:%M:%S")
        .to_string()
}

/// Replay position since the fixture's start: `+00:01:23.4`.
pub fn replay_position(position_ms: i64) -> String {
    let sign = if position_ms < 0 { "-" } else { "+" };
    let ms = position_ms.unsigned_abs();
    let (h, m, s, tenths) = (
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1_000) % 60,
        (ms % 1_000) / 100,
    );
    format!("{sign}{h:02}:{m:02}:{s:02}.{tenths}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn prices_and_changes() {
        let cases = [
            ("171.485", "171.49"),
            ("0.23156", "0.2316"),
            ("1", "1.00"),
            ("52000.1", "52000.10"),
        ];
        for (input, want) in cases {
            assert_eq!(price(d(input)), want, "price {input}");
        }
        assert_eq!(signed(d("1.234"), d("170")), "+1.23");
        assert_eq!(signed(d("-0.004"), d("170")), "0.00");
        assert_eq!(signed(d("-0.0123"), d("0.5")), "-0.0123");
        assert_eq!(pct(d("0.52")), "+0.52%");
        assert_eq!(pct(d("-3.1")), "-3.10%");
        assert_eq!(pct(d("0")), "0.00%");
    }

    #[test]
    fn ages() {
        let cases = [
            (0, "0ms"),
            (850, "850ms"),
            (12_400, "12s"),
            (185_000, "3m"),
            (7_200_000, "2h"),
            (200_000_000, "2d"),
            (-1_500, "-1s"),
        ];
        for (ms, want) in cases {
            assert_eq!(age(ms), want, "age {ms}");
        }
    }

    #[test]
    fn durations_countdowns_and_latencies() {
        let cases = [
            (0, "0s"),
            (45_900, "45s"),
            (192_000, "3m12s"),
            (7_500_000, "2h05m"),
            (273_600_000, "3d04h"),
            (-5, "0s"),
        ];
        for (ms, want) in cases {
            assert_eq!(duration(ms), want, "duration {ms}");
        }
        assert_eq!(countdown(6_001), "7s");
        assert_eq!(countdown(7_000), "7s");
        assert_eq!(countdown(1), "1s");
        assert_eq!(countdown(-3_000), "0s");
        assert_eq!(countdown(64_200), "1m05s");
        let cases = [
            (850, "850µs"),
            (1_234, "1.2ms"),
            (85_340, "85.3ms"),
            (250_400, "250ms"),
            (1_250_000, "1.25s"),
            (125_000_000, "2m"),
        ];
        for (us, want) in cases {
            assert_eq!(micros(us), want, "micros {us}");
        }
    }

    #[test]
    fn counts_and_volumes() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(12_345_678), "12,345,678");
        assert_eq!(volume(950), "950");
        assert_eq!(volume(12_345), "12.3K");
        assert_eq!(volume(4_560_000), "4.6M");
        assert_eq!(volume(1_200_000_000), "1.2B");
    }

    #[test]
    fn new_york_clock_follows_daylight_saving() {
        // 14:04:31 UTC is 10:04:31 in New York in March after the DST switch (UTC-4)...
        let summer = Ts::parse_rfc3339("2024-03-15T14:04:31Z").unwrap();
        assert_eq!(
            ny_clock(summer),
            ("10:04:31 ET".to_string(), "Fri 2024-03-15".to_string())
        );
        // ...and 09:04:31 in January (UTC-5).
        let winter = Ts::parse_rfc3339("2024-01-15T14:04:31Z").unwrap();
        assert_eq!(ny_time(winter), "09:04:31");
    }

    #[test]
    fn the_new_york_day_starts_at_local_midnight() {
        let t = Ts::parse_rfc3339("2026-11-17T15:04:31Z").unwrap();
        assert_eq!(
            ny_day_start(t),
            Ts::parse_rfc3339("2026-11-17T05:00:00Z").unwrap()
        );
        // 01:00 UTC is still the evening before in New York.
        let t = Ts::parse_rfc3339("2026-11-18T01:00:00Z").unwrap();
        assert_eq!(
            ny_day_start(t),
            Ts::parse_rfc3339("2026-11-17T05:00:00Z").unwrap()
        );
    }

    #[test]
    fn replay_positions() {
        assert_eq!(replay_position(0), "+00:00:00.0");
        assert_eq!(replay_position(83_450), "+00:01:23.4");
        assert_eq!(replay_position(3_723_000), "+01:02:03.0");
    }
}
