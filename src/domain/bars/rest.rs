//! Alpaca's market-data REST bars (`GET /v2/stocks/{symbol}/bars`), pure: one page
//! of the answer in, one-minute bars and the next page's token out. Prices are
//! taken from the body's own digits, as exact decimals.
//!
//! ```text
//! {"bars":[{"t":"2026-11-17T14:30:00Z","o":228.1,"h":228.5,"l":227.9,"c":228.4,"v":1200,"n":40,"vw":228.2}],
//!  "symbol":"AAPL","next_page_token":null}
//! ```

use super::{minute_of, BarSource, MinuteBar};
use crate::domain::types::Ts;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::str::FromStr;

/// The deepest nesting a bars page may have (Alpaca's is 3).
pub const MAX_BODY_DEPTH: usize = 32;

#[derive(Deserialize)]
struct Page<'a> {
    #[serde(borrow, default)]
    bars: Option<Vec<RestBar<'a>>>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct RestBar<'a> {
    t: String,
    #[serde(borrow)]
    o: &'a RawValue,
    #[serde(borrow)]
    h: &'a RawValue,
    #[serde(borrow)]
    l: &'a RawValue,
    #[serde(borrow)]
    c: &'a RawValue,
    #[serde(borrow)]
    v: &'a RawValue,
}

fn dec(raw: &RawValue) -> Option<Decimal> {
    let t = raw.get().trim();
    Decimal::from_str(t)
        .or_else(|_| Decimal::from_scientific(t))
        .ok()
}

/// One page: its bars (those that parse and are sane; the rest are skipped) and the
/// token for the next page, or why the body is not a bars page.
pub fn parse_page(body: &str) -> Result<(Vec<MinuteBar>, Option<String>), String> {
    crate::domain::wire::depth::check(body.as_bytes(), MAX_BODY_DEPTH)
        .map_err(|d| format!("body is {d}"))?;
    let page: Page = serde_json::from_str(body).map_err(|e| e.to_string())?;
    let bars = page
        .bars
        .unwrap_or_default()
        .into_iter()
        .filter_map(|b| {
            let minute = minute_of(Ts::parse_rfc3339(&b.t)?)?;
            let bar = MinuteBar {
                open: dec(b.o)?,
                high: dec(b.h)?,
                low: dec(b.l)?,
                close: dec(b.c)?,
                volume: dec(b.v)?.trunc().to_i64()?,
                minute,
                source: BarSource::Alpaca,
            };
            bar.is_sane().then_some(bar)
        })
        .collect();
    Ok((bars, page.next_page_token.filter(|t| !t.is_empty())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_parse_exactly_and_skip_what_is_not_a_bar() {
        let body = r#"{"bars":[
            {"t":"2026-11-17T14:30:00Z","o":228.1,"h":228.55,"l":227.9,"c":228.4,"v":1200,"n":40,"vw":228.2},
            {"t":"not a time","o":1,"h":1,"l":1,"c":1,"v":1},
            {"t":"2026-11-17T14:31:00Z","o":228.4,"h":228.0,"l":227.9,"c":228.2,"v":5},
            {"t":"2026-11-17T14:32:00Z","o":1e2,"h":100.5,"l":99.5,"c":100,"v":7.0}
        ],"symbol":"AAPL","next_page_token":"QUFQTHwy"}"#;
        let (bars, next) = parse_page(body).unwrap();
        assert_eq!(next.as_deref(), Some("QUFQTHwy"));
        let got: Vec<(String, String, i64)> = bars
            .iter()
            .map(|b| (b.high.to_string(), b.close.to_string(), b.volume))
            .collect();
        // The bad time and the bar with a high below its open are skipped.
        assert_eq!(
            got,
            vec![
                ("228.55".into(), "228.4".into(), 1200),
                ("100.5".into(), "100".into(), 7)
            ]
        );
        assert_eq!(
            bars[0].minute,
            minute_of(Ts::parse_rfc3339("2026-11-17T14:30:00Z").unwrap()).unwrap()
        );
        let (none, end) = parse_page(r#"{"bars":null,"next_page_token":null}"#).unwrap();
        assert!(none.is_empty() && end.is_none());
        assert!(parse_page("<html>").is_err());
        assert!(parse_page(&"[".repeat(40)).unwrap_err().contains("nested"));
    }
}
