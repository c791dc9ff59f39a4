//! Between the engine and the Yahoo poller: each chart request's outcome, and the
//! plan (which symbols, how often) the engine's router sets for the poller.

use crate::domain::types::{Symbol, Ts};
use std::time::Duration;

/// One chart request's outcome as the engine sees it, live or replayed: an HTTP
/// response (`status`, `body`), or a transport failure (`status` 0, `error` set).
#[derive(Clone, Debug, PartialEq)]
pub struct YahooResponse {
    pub at: Ts,
    pub url: String,
    pub status: u16,
    pub body: String,
    pub error: Option<String>,
}

impl YahooResponse {
    /// The symbol a chart URL asks for: the path segment after `/chart/`, decoded
    /// (`%5EGSPC` → `^GSPC`).
    pub fn symbol(&self) -> Option<Symbol> {
        symbol_from_chart_url(&self.url)
    }
}

/// The symbol a chart URL asks for: the path segment after `chart`, percent-decoded
/// (`…/v8/finance/chart/%5EGSPC?range=1d` → `^GSPC`). `None` for any other URL.
pub fn symbol_from_chart_url(url: &str) -> Option<Symbol> {
    let parsed = url::Url::parse(url).ok()?;
    let mut segments = parsed.path_segments()?;
    segments.find(|s| *s == "chart")?;
    let raw = segments.next().filter(|s| !s.is_empty())?;
    let symbol = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    Some(Symbol::from(symbol.as_ref()))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cadence {
    /// Yahoo is the source on screen: a round every `active_interval_secs`.
    Active,
    /// Kept warm for the cross-check: a round every `standby_interval_secs`.
    Standby,
    Off,
}

/// What the engine wants from Yahoo right now; the engine publishes it on a watch channel.
#[derive(Clone, Debug, PartialEq)]
pub struct PollPlan {
    pub symbols: Vec<Symbol>,
    pub cadence: Cadence,
    /// The Yahoo circuit breaker is open until then: send nothing before it.
    pub hold_until: Option<Ts>,
    /// Half-open: at most this many requests per round while this plan stands (the
    /// first symbols of the list); the engine replaces the plan once it has judged
    /// the probe.
    pub max_requests: Option<usize>,
}

impl PollPlan {
    pub fn off() -> PollPlan {
        PollPlan {
            symbols: Vec::new(),
            cadence: Cadence::Off,
            hold_until: None,
            max_requests: None,
        }
    }

    /// How long the breaker still holds at `now`, if it does.
    pub fn held_for(&self, now: Ts) -> Option<Duration> {
        let ms = self.hold_until?.millis_since(now);
        (ms > 0).then(|| Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
    }

    /// True when a round under way must stop: polling is off or the breaker opened.
    pub fn forbids_requests(&self, now: Ts) -> bool {
        self.cadence == Cadence::Off || self.held_for(now).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::symbol_from_chart_url;

    #[test]
    fn symbol_is_the_decoded_segment_after_chart() {
        let cases = [
            (
                "https://query1.finance.yahoo.com/v8/finance/chart/BRK-B?range=1d&interval=1m",
                Some("BRK-B"),
            ),
            ("http://127.0.0.1:1/v8/finance/chart/AAPL", Some("AAPL")),
            ("http://x/v8/finance/chart/%5EGSPC?range=1d", Some("^GSPC")),
            // Malformed escapes are kept as written.
            ("http://x/v8/finance/chart/A%2", Some("A%2")),
            ("http://x/v8/finance/chart/?a", None),
            ("http://x/quote", None),
            ("not a url", None),
        ];
        for (url, want) in cases {
            assert_eq!(symbol_from_chart_url(url).as_deref(), want, "{url}");
        }
    }
}
