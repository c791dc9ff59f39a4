//! What `/` filters by: the words typed, each of which must appear (case does not
//! matter) in the row's text. In the event log a level word (`info`, `warn`, `error`)
//! keeps that level and above instead: `/warn TSLA` is TSLA's warnings and errors.

use crate::domain::event::{Event, Level};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matcher {
    words: Vec<String>,
    min_level: Option<Level>,
}

impl Matcher {
    /// `levels`: read level words as levels (the event log).
    pub fn new(text: &str, levels: bool) -> Matcher {
        let mut m = Matcher::default();
        for w in text.split_whitespace() {
            let lower = w.to_lowercase();
            let level = match lower.as_str() {
                "info" => Some(Level::Info),
                "warn" | "warning" | "warnings" => Some(Level::Warn),
                "error" | "errors" | "err" => Some(Level::Error),
                _ => None,
            };
            match level {
                Some(l) if levels => m.min_level = Some(l),
                _ => m.words.push(lower),
            }
        }
        m
    }

    /// Every word appears in one of `fields`.
    pub fn matches(&self, fields: &[&str]) -> bool {
        self.words
            .iter()
            .all(|w| fields.iter().any(|f| f.to_lowercase().contains(w.as_str())))
    }

    pub fn matches_event(&self, e: &Event) -> bool {
        if self.min_level.is_some_and(|min| e.level < min) {
            return false;
        }
        let source = e.source.map_or("", |s| s.key());
        let symbol = e.symbol.as_deref().unwrap_or("");
        self.matches(&[e.message.as_str(), symbol, source, e.kind.as_str()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::EventKind;
    use crate::domain::types::{Source, Symbol, Ts};

    fn ev(level: Level, msg: &str, sym: Option<&str>) -> Event {
        let e = Event::new(Ts::from_millis(0), level, EventKind::Validation, msg)
            .with_source(Source::Alpaca);
        match sym {
            Some(s) => e.with_symbol(Symbol::new(s)),
            None => e,
        }
    }

    #[test]
    fn words_and_levels() {
        let warn_tsla = ev(Level::Warn, "price breaker tripped", Some("TSLA"));
        let info_tsla = ev(Level::Info, "subscribed", Some("TSLA"));
        let err_aapl = ev(Level::Error, "frame 12: bad number", Some("AAPL"));
        // (filter, which of [warn_tsla, info_tsla, err_aapl] pass)
        let cases = [
            ("", [true, true, true]),
            ("warn", [true, false, true]),
            ("error", [false, false, true]),
            ("/info", [false, false, false]),
            ("tsla", [true, true, false]),
            ("warn TSLA", [true, false, false]),
            ("BREAKER tsla", [true, false, false]),
            ("alpaca", [true, true, true]),
            ("validation", [true, true, true]),
        ];
        for (text, want) in cases {
            let m = Matcher::new(text, true);
            let got = [&warn_tsla, &info_tsla, &err_aapl].map(|e| m.matches_event(e));
            assert_eq!(got, want, "{text:?}");
        }
        // Outside the event log a level word is just a word.
        assert!(Matcher::new("warn", false).matches(&["WARNING sign"]));
        assert!(!Matcher::new("warn", false).matches(&["H1"]));
    }
}
