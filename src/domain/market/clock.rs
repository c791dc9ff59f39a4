//! Alpaca Trading API `GET /v2/clock`: the response parser ([`parse_clock`]) and the
//! rule for when to believe it over the local calendar ([`market_hours`]).
//!
//! Alpaca's clock knows about closures our table cannot (a one-off closure announced
//! yesterday), so a fresh answer wins; a stale or outlived one falls back to
//! [`super::calendar`].

use super::calendar;
use crate::domain::types::Ts;
use serde_json::Value;

/// How far apart Alpaca's `timestamp` and our `now` may be for the clock to count as fresh.
pub const CLOCK_FRESH_MS: i64 = 15 * 60 * 1000;

/// One `/v2/clock` answer, instants in UTC.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct MarketClock {
    /// Alpaca's "now" when it answered.
    pub timestamp: Ts,
    pub is_open: bool,
    pub next_open: Ts,
    pub next_close: Ts,
}

#[derive(Debug, thiserror::Error)]
pub enum ClockError {
    #[error("Alpaca /v2/clock: response is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("Alpaca /v2/clock: response is not a JSON object")]
    NotObject,
    #[error("Alpaca /v2/clock: field `{field}` is missing")]
    Missing { field: &'static str },
    #[error("Alpaca /v2/clock: field `{field}` should be {expected}")]
    WrongType {
        field: &'static str,
        expected: &'static str,
    },
    #[error("Alpaca /v2/clock: field `{field}` is not an RFC 3339 timestamp: {value:?}")]
    BadTimestamp { field: &'static str, value: String },
}

fn field<'a>(
    obj: &'a serde_json::Map<String, Value>,
    name: &'static str,
) -> Result<&'a Value, ClockError> {
    match obj.get(name) {
        None | Some(Value::Null) => Err(ClockError::Missing { field: name }),
        Some(v) => Ok(v),
    }
}

fn ts_field(obj: &serde_json::Map<String, Value>, name: &'static str) -> Result<Ts, ClockError> {
    let text = field(obj, name)?.as_str().ok_or(ClockError::WrongType {
        field: name,
        expected: "an RFC 3339 string",
    })?;
    Ts::parse_rfc3339(text).ok_or_else(|| ClockError::BadTimestamp {
        field: name,
        value: text.chars().take(64).collect(),
    })
}

/// Parse a `/v2/clock` body such as
/// `{"timestamp":"2024-03-15T10:04:31.123456789-04:00","is_open":true,
///   "next_open":"2024-03-18T09:30:00-04:00","next_close":"2024-03-15T16:00:00-04:00"}`.
/// Unknown fields are ignored; every error names the field at fault.
pub fn parse_clock(body: &str) -> Result<MarketClock, ClockError> {
    let value: Value = serde_json::from_str(body)?;
    let obj = value.as_object().ok_or(ClockError::NotObject)?;
    let is_open = field(obj, "is_open")?
        .as_bool()
        .ok_or(ClockError::WrongType {
            field: "is_open",
            expected: "a boolean",
        })?;
    Ok(MarketClock {
        timestamp: ts_field(obj, "timestamp")?,
        is_open,
        next_open: ts_field(obj, "next_open")?,
        next_close: ts_field(obj, "next_close")?,
    })
}

impl MarketClock {
    /// Fresh when Alpaca answered within [`CLOCK_FRESH_MS`] of `now` (either side, to
    /// allow for clock skew) and `now` is still before the next open/close it announced,
    /// after which its `is_open` no longer describes the market.
    pub fn is_fresh(&self, now: Ts) -> bool {
        let skew_ms = now.millis_since(self.timestamp).saturating_abs();
        let boundary = self.next_open.min(self.next_close);
        skew_ms <= CLOCK_FRESH_MS && now < boundary
    }
}

/// Which source answers "is the market open?" at a given moment.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum MarketHours {
    /// The built-in NYSE calendar.
    Calendar,
    /// A fresh Alpaca clock.
    Clock(MarketClock),
}

impl MarketHours {
    pub fn is_open(&self, now: Ts) -> bool {
        match self {
            MarketHours::Calendar => calendar::is_open(now),
            MarketHours::Clock(clock) => clock.is_open,
        }
    }

    /// Short label for logs and the UI: "alpaca clock" or "calendar".
    pub fn label(&self) -> &'static str {
        match self {
            MarketHours::Calendar => "calendar",
            MarketHours::Clock(_) => "alpaca clock",
        }
    }
}

/// Pick the source to trust at `now`: the Alpaca clock when it is fresh, else the calendar.
pub fn market_hours(clock: Option<&MarketClock>, now: Ts) -> MarketHours {
    match clock {
        Some(c) if c.is_fresh(now) => MarketHours::Clock(*c),
        _ => MarketHours::Calendar,
    }
}

/// Is the market open at `now`? Alpaca's answer when fresh, the calendar otherwise.
pub fn is_open_with(clock: Option<&MarketClock>, now: Ts) -> bool {
    market_hours(clock, now).is_open(now)
}
