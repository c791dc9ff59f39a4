//! The Yahoo Finance fallback source: everything tapewatch knows about Yahoo's v8
//! chart endpoint, starting with the pure response parser ([`chart`]).

pub mod chart;
pub mod client;
pub mod poller;

pub use chart::{parse_chart, ChartError, ChartQuote, LastBar};

use crate::domain::types::{Symbol, Ts};

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
        client::symbol_from_chart_url(&self.url)
    }
}

/// `…/v8/finance/chart/AAPL?range=1d` → `AAPL`.
pub fn symbol_from_url(url: &str) -> Option<Symbol> {
    let rest = &url[url.find("/chart/")? + "/chart/".len()..];
    let end = rest.find(['?', '/', '#']).unwrap_or(rest.len());
    let sym = &rest[..end];
    (!sym.is_empty()).then(|| Symbol::from(sym))
}

#[cfg(test)]
mod tests {
    use super::symbol_from_url;

    #[test]
    fn symbol_is_the_segment_after_chart() {
        let u = "https://query1.finance.yahoo.com/v8/finance/chart/BRK-B?range=1d&interval=1m";
        assert_eq!(symbol_from_url(u).as_deref(), Some("BRK-B"));
        assert_eq!(
            symbol_from_url("http://127.0.0.1:1/v8/finance/chart/AAPL").as_deref(),
            Some("AAPL")
        );
        assert_eq!(symbol_from_url("http://x/v8/finance/chart/?a"), None);
        assert_eq!(symbol_from_url("http://x/quote"), None);
    }
}
