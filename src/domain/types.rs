//! Small value types shared by every layer: the nanosecond timestamp [`Ts`],
//! the inline [`Symbol`], the data [`Source`] names, and [`Label`] for names from
//! built-in tables.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// A name from a built-in table (a rule, a breaker, an alert id, a channel): borrowed
/// where the engine builds a snapshot, so publishing allocates nothing for it, and
/// owned where a snapshot is read back from JSON (`tapewatch attach`), which cannot
/// point into the other process's tables. Compares and prints like a `&str`.
pub type Label = Cow<'static, str>;

/// A ticker symbol. Inline up to 24 bytes, so parsing a message never allocates for it.
pub type Symbol = compact_str::CompactString;

/// The longest symbol Alpaca's grammar allows, in characters.
pub const SYMBOL_MAX_CHARS: usize = 12;

/// How much of a refused input an error quotes: an API body could carry megabytes.
const QUOTED_MAX_CHARS: usize = 40;

/// Why a typed symbol was refused; the message names the input and the rule it broke.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {reason}", quoted(.input))]
pub struct SymbolError {
    pub input: String,
    pub reason: SymbolFault,
}

/// The rule of Alpaca's symbol grammar that an input broke.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SymbolFault {
    #[error("empty (expected a symbol like \"AAPL\", \"BRK.B\" or \"BTC/USD\")")]
    Empty,
    #[error("contains a space at character {at} (symbols have no spaces)")]
    Space { at: usize },
    #[error("{ch:?} at character {at} is not allowed (letters, digits, '.' and '/' only)")]
    Char { ch: char, at: usize },
    #[error("has lower-case letters (symbols are upper-case, e.g. {upper:?})")]
    Lowercase { upper: String },
    #[error("longer than {SYMBOL_MAX_CHARS} characters")]
    TooLong,
}

fn quoted(input: &str) -> String {
    if input.chars().count() <= QUOTED_MAX_CHARS {
        format!("{input:?}")
    } else {
        let head: String = input.chars().take(QUOTED_MAX_CHARS).collect();
        format!("{head:?}…")
    }
}

/// Alpaca's symbol grammar, for every symbol a person gives us (config, API, TUI):
/// upper-case letters, digits, '.' and '/' (`BRK.B`, `BTC/USD`), 1 to
/// [`SYMBOL_MAX_CHARS`] characters, no spaces. The input is taken exactly as given:
/// nothing is trimmed, truncated or case-folded here, so what is checked is what
/// gets subscribed (the TUI prompt upper-cases letters as they are typed, visibly).
pub fn parse_symbol(s: &str) -> Result<Symbol, SymbolError> {
    let refuse = |reason| {
        Err(SymbolError {
            input: s.to_string(),
            reason,
        })
    };
    if s.is_empty() {
        return refuse(SymbolFault::Empty);
    }
    let mut lower = false;
    for (i, ch) in s.chars().enumerate() {
        let at = i + 1;
        if ch.is_whitespace() {
            return refuse(SymbolFault::Space { at });
        }
        if !(ch.is_ascii_alphanumeric() || ch == '.' || ch == '/') {
            return refuse(SymbolFault::Char { ch, at });
        }
        lower |= ch.is_ascii_lowercase();
    }
    if lower {
        return refuse(SymbolFault::Lowercase {
            upper: s.to_ascii_uppercase(),
        });
    }
    // Only ASCII is left, so bytes are characters.
    if s.len() > SYMBOL_MAX_CHARS {
        return refuse(SymbolFault::TooLong);
    }
    Ok(Symbol::new(s))
}

/// Nanoseconds since the Unix epoch, UTC. Alpaca timestamps carry nanoseconds, so we keep them.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ts(pub i64);

impl Ts {
    pub const ZERO: Ts = Ts(0);
    pub const fn from_millis(ms: i64) -> Ts {
        Ts(ms.saturating_mul(1_000_000))
    }
    pub const fn from_secs(s: i64) -> Ts {
        Ts(s.saturating_mul(1_000_000_000))
    }
    pub const fn from_nanos(ns: i64) -> Ts {
        Ts(ns)
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

/// Read back from what [`Serialize`] writes (RFC 3339 text, nanoseconds kept), or
/// from a bare number of nanoseconds.
impl<'de> Deserialize<'de> for Ts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ts, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Ts;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp or nanoseconds since the epoch")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Ts, E> {
                Ts::parse_rfc3339(s)
                    .ok_or_else(|| E::custom(format!("{s:?} is not an RFC 3339 timestamp")))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Ts, E> {
                Ok(Ts(n))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Ts, E> {
                i64::try_from(n)
                    .map(Ts)
                    .map_err(|_| E::custom(format!("{n} ns is beyond the timestamps kept")))
            }
        }
        d.deserialize_any(V)
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
    fn a_timestamp_reads_back_from_its_text_or_nanoseconds() {
        for ns in [0, 1, -1_500_000_001, 1_613_994_705_335_689_322, i64::MAX] {
            let json = serde_json::to_string(&Ts(ns)).unwrap();
            assert_eq!(serde_json::from_str::<Ts>(&json).unwrap(), Ts(ns), "{json}");
        }
        assert_eq!(serde_json::from_str::<Ts>("42").unwrap(), Ts(42));
        assert!(serde_json::from_str::<Ts>(r#""yesterday""#).is_err());
    }

    #[test]
    fn symbol_grammar_table() {
        let ok = [
            "AAPL",
            "BRK.B",
            "BTC/USD",
            "A",
            "X1",
            "ABCDEFGHIJKL",
            "FAKEPACA",
        ];
        for s in ok {
            assert_eq!(parse_symbol(s).as_deref(), Ok(s), "{s}");
        }
        let refused: [(&str, &str); 11] = [
            (
                "TOOLONGSYMBOL",
                r#""TOOLONGSYMBOL": longer than 12 characters"#,
            ),
            ("A B", r#""A B": contains a space at character 2"#),
            (" AAPL", r#"" AAPL": contains a space at character 1"#),
            ("AAPL ", r#""AAPL ": contains a space at character 5"#),
            ("AA\tPL", "contains a space at character 3"),
            ("", r#""": empty"#),
            (
                "aapl",
                r#""aapl": has lower-case letters (symbols are upper-case, e.g. "AAPL")"#,
            ),
            ("BRK-B", r#""BRK-B": '-' at character 4 is not allowed"#),
            ("AAPL;", "';' at character 5 is not allowed"),
            ("ÄPFEL", "'Ä' at character 1 is not allowed"),
            ("A\u{0}", "'\\0' at character 2"),
        ];
        for (input, want) in refused {
            let err = parse_symbol(input).map(|s| s.to_string()).unwrap_err();
            assert!(err.to_string().contains(want), "{input:?}: {err}");
        }
        // A huge input is quoted in part, not echoed whole.
        let huge = "A".repeat(10_000);
        let msg = parse_symbol(&huge).unwrap_err().to_string();
        assert!(msg.len() < 120 && msg.contains("longer than 12"), "{msg}");
    }

    #[test]
    fn millis_arithmetic() {
        let a = Ts::from_millis(1_500);
        assert_eq!(a.plus_millis(250).millis_since(a), 250);
        assert_eq!(a.millis_since(a.plus_millis(10)), -10);
    }
}
