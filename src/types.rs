//! Small value types shared by every layer: the nanosecond timestamp [`Ts`],
//! the inline [`Symbol`], and the data [`Source`] names.

use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// A ticker symbol. Inline up to 24 bytes, so parsing a message never allocates for it.
pub type Symbol = compact_str::CompactString;

/// Checks a ticker as typed by a person (config, API, TUI): upper-case letters,
/// digits, '.', '/' or '-', at most 21 bytes. The error says what was expected.
pub fn parse_symbol(s: &str) -> Result<Symbol, String> {
    let ok = !s.is_empty()
        && s.len() <= 21
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"./-".contains(&b));
    if ok {
        Ok(Symbol::new(s))
    } else {
        Err(format!(
            "{s:?} is not a ticker symbol (expected upper-case letters, digits, '.', '/' or '-', like \"BRK.B\")"
        ))
    }
}

/// Nanoseconds since the Unix epoch, UTC. Alpaca timestamps carry nanoseconds, so we keep them.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub struct Ts(pub i64);

impl Ts {
    pub const ZERO: Ts = Ts(0);
    pub const fn from_millis(ms: i64) -> Ts {
        Ts(ms.saturating_mul(1_000_000))
    }
    pub const fn from_secs(s: i64) -> Ts {
        Ts(s.saturating_mul(1_000_000_000))
    }
    pub const fn as_nanos(self) -> i64 {
        self.0
    }
    pub const fn as_millis(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }
    pub const fn plus_millis(self, ms: i64) -> Ts {
        Ts(self.0.saturating_add(ms.saturating_mul(1_000_000)))
    }
    /// Milliseconds from `earlier` to `self`; negative when `earlier` is in the future.
    pub const fn millis_since(self, earlier: Ts) -> i64 {
        (self.0.saturating_sub(earlier.0)).div_euclid(1_000_000)
    }
    pub fn to_datetime(self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp_nanos(self.0)
    }
    /// RFC 3339 with as many fractional digits as needed (0, 3, 6 or 9).
    pub fn to_rfc3339(self) -> String {
        self.to_datetime()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }
    pub fn parse_rfc3339(s: &str) -> Option<Ts> {
        let dt = chrono::DateTime::parse_from_rfc3339(s).ok()?;
        dt.timestamp_nanos_opt().map(Ts)
    }
}

impl fmt::Display for Ts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// Serialised as RFC 3339 text: what the API and event lines show to people and jq.
impl Serialize for Ts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

/// Where a price came from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Source {
    Alpaca,
    Yahoo,
}

impl Source {
    pub const fn as_str(self) -> &'static str {
        match self {
            Source::Alpaca => "Alpaca",
            Source::Yahoo => "Yahoo",
        }
    }
    pub const fn key(self) -> &'static str {
        match self {
            Source::Alpaca => "alpaca",
            Source::Yahoo => "yahoo",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_keeps_nanoseconds() {
        let t = Ts::parse_rfc3339("2021-02-22T15:51:45.335689322Z").unwrap();
        assert_eq!(t.0 % 1_000_000_000, 335_689_322);
        assert_eq!(t.to_rfc3339(), "2021-02-22T15:51:45.335689322Z");
        let t3 = Ts::parse_rfc3339("2021-02-22T15:51:44.208Z").unwrap();
        assert_eq!(t3.0 % 1_000_000_000, 208_000_000);
        let t0 = Ts::parse_rfc3339("2021-02-22T19:15:00Z").unwrap();
        assert_eq!(t0.0 % 1_000_000_000, 0);
        assert_eq!(t0.to_rfc3339(), "2021-02-22T19:15:00Z");
    }

    #[test]
    fn millis_arithmetic() {
        let a = Ts::from_millis(1_500);
        assert_eq!(a.plus_millis(250).millis_since(a), 250);
        assert_eq!(a.millis_since(a.plus_millis(10)), -10);
    }
}
