//! The Yahoo v8 chart response parser: one HTTP status and body in, the latest
//! price and last complete minute bar out. Pure (no I/O), so replay and live
//! polling share it. Prices are exact decimals taken from the body's own digits.

use crate::types::{Symbol, Ts};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::str::FromStr;
use thiserror::Error;

/// What one chart response says about a symbol.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartQuote {
    pub symbol: Symbol,
    pub currency: Option<String>,
    /// `meta.regularMarketPrice`.
    pub price: Decimal,
    /// `meta.regularMarketTime`: when `price` traded.
    pub market_time: Ts,
    /// `meta.previousClose`, else `meta.chartPreviousClose`.
    pub previous_close: Option<Decimal>,
    /// `meta.currentTradingPeriod.regular` as (start, end).
    pub regular_period: Option<(Ts, Ts)>,
    pub last_bar: Option<LastBar>,
}

/// The last bar whose close is not null.
#[derive(Clone, Debug, PartialEq)]
pub struct LastBar {
    pub ts: Ts,
    pub open: Option<Decimal>,
    pub high: Option<Decimal>,
    pub low: Option<Decimal>,
    pub close: Decimal,
    pub volume: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ChartError {
    #[error("Yahoo chart response body is empty")]
    Empty,
    #[error("Yahoo chart response is an HTML page, not JSON (consent or error page)")]
    Html,
    #[error("Yahoo rate limit: Too Many Requests (HTTP 429)")]
    TooManyRequests,
    #[error("Yahoo does not know the symbol: {code}: {description}")]
    UnknownSymbol { code: String, description: String },
    #[error("Yahoo chart error: {code}: {description}")]
    Upstream { code: String, description: String },
    #[error("Yahoo chart request failed with HTTP status {0}")]
    HttpStatus(u16),
    #[error("Yahoo chart response is not valid chart JSON: {0}")]
    NotJson(String),
    #[error("Yahoo chart response has no result (chart.result is null or empty)")]
    NoResult,
    #[error("Yahoo chart response lacks the field {0}")]
    MissingField(&'static str),
    #[error("Yahoo chart response has {timestamps} timestamps but {field} has {len} entries")]
    UnequalArrays {
        timestamps: usize,
        field: &'static str,
        len: usize,
    },
    #[error("Yahoo chart meta.regularMarketPrice is not a finite number")]
    NonFinitePrice,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    chart: Chart<'a>,
}

#[derive(Deserialize)]
struct Chart<'a> {
    #[serde(borrow, default)]
    result: Option<Vec<ChartResult<'a>>>,
    #[serde(default)]
    error: Option<UpstreamError>,
}

#[derive(Deserialize)]
struct UpstreamError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
struct ChartResult<'a> {
    #[serde(borrow)]
    meta: Option<Meta<'a>>,
    #[serde(borrow, default)]
    timestamp: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    indicators: Option<Indicators<'a>>,
}

/// Every field is raw so that an unexpected type in one field costs that field only.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta<'a> {
    #[serde(borrow, default)]
    symbol: Option<&'a RawValue>,
    #[serde(borrow, default)]
    currency: Option<&'a RawValue>,
    #[serde(borrow, default)]
    regular_market_price: Option<&'a RawValue>,
    #[serde(borrow, default)]
    regular_market_time: Option<&'a RawValue>,
    #[serde(borrow, default)]
    previous_close: Option<&'a RawValue>,
    #[serde(borrow, default)]
    chart_previous_close: Option<&'a RawValue>,
    #[serde(borrow, default)]
    current_trading_period: Option<TradingPeriods<'a>>,
}

#[derive(Deserialize)]
struct TradingPeriods<'a> {
    #[serde(borrow, default)]
    regular: Option<Period<'a>>,
}

#[derive(Deserialize)]
struct Period<'a> {
    #[serde(borrow, default)]
    start: Option<&'a RawValue>,
    #[serde(borrow, default)]
    end: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Indicators<'a> {
    #[serde(borrow, default)]
    quote: Option<Vec<QuoteArrays<'a>>>,
}

#[derive(Deserialize, Default)]
struct QuoteArrays<'a> {
    #[serde(borrow, default)]
    open: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    high: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    low: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    close: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    volume: Option<Vec<&'a RawValue>>,
}

/// A JSON number as Yahoo sends it: a number, `null`, or a string such as "NaN".
#[derive(Debug, PartialEq)]
enum Num {
    Missing,
    NonFinite,
    Value(Decimal),
}

fn num(raw: &RawValue) -> Num {
    let text = raw.get().trim();
    if text == "null" {
        return Num::Missing;
    }
    if let Some(inner) = text.strip_prefix('"') {
        let inner = inner.strip_suffix('"').unwrap_or(inner);
        return match inner {
            "NaN" | "Infinity" | "-Infinity" | "+Infinity" | "inf" | "-inf" => Num::NonFinite,
            _ => Num::Missing,
        };
    }
    match Decimal::from_str(text).or_else(|_| Decimal::from_scientific(text)) {
        Ok(d) => Num::Value(d),
        // A number too large for Decimal is no usable price either.
        Err(_) if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => Num::NonFinite,
        Err(_) => Num::Missing,
    }
}

fn opt_num(raw: Option<&RawValue>) -> Option<Decimal> {
    match raw.map(num) {
        Some(Num::Value(d)) => Some(d),
        _ => None,
    }
}

/// Epoch seconds; Yahoo sends integers, but a float or exponent form is accepted.
fn epoch_secs(raw: Option<&RawValue>) -> Option<Ts> {
    let text = raw?.get().trim();
    if let Ok(s) = text.parse::<i64>() {
        return Some(Ts::from_secs(s));
    }
    match num(raw?) {
        Num::Value(d) => d.trunc().to_i64().map(Ts::from_secs),
        _ => None,
    }
}

fn string(raw: Option<&RawValue>) -> Option<String> {
    serde_json::from_str::<String>(raw?.get()).ok()
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// Parses one Yahoo v8 chart response (`/v8/finance/chart/{SYM}`).
///
/// A non-2xx status with a JSON `chart.error` reports Yahoo's own reason; without
/// one, the status itself. Nulls and "NaN"/"Infinity" strings in the bar arrays are
/// skipped, and unknown fields are ignored.
pub fn parse_chart(status: u16, body: &str) -> Result<ChartQuote, ChartError> {
    if status == 429 || body.contains("Too Many Requests") {
        return Err(ChartError::TooManyRequests);
    }
    let trimmed = body.trim_start();
    if !is_success(status) {
        if trimmed.starts_with('{') {
            if let Ok(env) = serde_json::from_str::<Envelope>(body) {
                if let Some(e) = env.chart.error {
                    return Err(upstream(status, e));
                }
            }
        }
        return Err(ChartError::HttpStatus(status));
    }
    if trimmed.is_empty() {
        return Err(ChartError::Empty);
    }
    if trimmed.starts_with('<') {
        return Err(ChartError::Html);
    }
    let env: Envelope =
        serde_json::from_str(body).map_err(|e| ChartError::NotJson(e.to_string()))?;
    if let Some(e) = env.chart.error {
        return Err(upstream(status, e));
    }
    let result = env
        .chart
        .result
        .and_then(|r| r.into_iter().next())
        .ok_or(ChartError::NoResult)?;
    let meta = result
        .meta
        .ok_or(ChartError::MissingField("chart.result[0].meta"))?;
    let symbol = string(meta.symbol).ok_or(ChartError::MissingField("meta.symbol"))?;
    let price = match meta.regular_market_price.map(num) {
        Some(Num::Value(d)) => d,
        Some(Num::NonFinite) => return Err(ChartError::NonFinitePrice),
        _ => return Err(ChartError::MissingField("meta.regularMarketPrice")),
    };
    let market_time = epoch_secs(meta.regular_market_time)
        .ok_or(ChartError::MissingField("meta.regularMarketTime"))?;
    let previous_close =
        opt_num(meta.previous_close).or_else(|| opt_num(meta.chart_previous_close));
    let regular_period = meta
        .current_trading_period
        .and_then(|p| p.regular)
        .and_then(|r| Some((epoch_secs(r.start)?, epoch_secs(r.end)?)));
    let last_bar = last_bar(result.timestamp, result.indicators)?;
    Ok(ChartQuote {
        symbol: Symbol::from(symbol),
        currency: string(meta.currency),
        price,
        market_time,
        previous_close,
        regular_period,
        last_bar,
    })
}

fn upstream(status: u16, e: UpstreamError) -> ChartError {
    if status == 404 || e.code == "Not Found" {
        ChartError::UnknownSymbol {
            code: e.code,
            description: e.description,
        }
    } else {
        ChartError::Upstream {
            code: e.code,
            description: e.description,
        }
    }
}

fn last_bar(
    timestamps: Option<Vec<&RawValue>>,
    indicators: Option<Indicators>,
) -> Result<Option<LastBar>, ChartError> {
    let timestamps = timestamps.unwrap_or_default();
    let q = indicators
        .and_then(|i| i.quote)
        .and_then(|q| q.into_iter().next())
        .unwrap_or_default();
    let n = timestamps.len();
    // Absent arrays mean "no data"; present ones must line up with the timestamps.
    let fields: [(&'static str, &Option<Vec<&RawValue>>); 5] = [
        ("open", &q.open),
        ("high", &q.high),
        ("low", &q.low),
        ("close", &q.close),
        ("volume", &q.volume),
    ];
    for (field, arr) in fields {
        if let Some(a) = arr {
            if a.len() != n {
                return Err(ChartError::UnequalArrays {
                    timestamps: n,
                    field,
                    len: a.len(),
                });
            }
        }
    }
    let Some(closes) = q.close.as_ref() else {
        return Ok(None);
    };
    let at = |arr: &Option<Vec<&RawValue>>, i: usize| match arr.as_ref().map(|a| num(a[i])) {
        Some(Num::Value(d)) => Some(d),
        _ => None,
    };
    for i in (0..n).rev() {
        let Num::Value(close) = num(closes[i]) else {
            continue;
        };
        let Some(ts) = epoch_secs(Some(timestamps[i])) else {
            continue;
        };
        return Ok(Some(LastBar {
            ts,
            open: at(&q.open, i),
            high: at(&q.high, i),
            low: at(&q.low, i),
            close,
            volume: at(&q.volume, i).and_then(|v| v.trunc().to_i64()),
        }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"{"chart":{"result":[{"meta":{"currency":"USD","symbol":"AAPL","exchangeName":"NMS","fullExchangeName":"NasdaqGS","instrumentType":"EQUITY","firstTradeDate":345479400,"regularMarketTime":1794927598,"hasPrePostMarketData":true,"gmtoffset":-18000,"timezone":"EST","exchangeTimezoneName":"America/New_York","regularMarketPrice":228.4512,"fiftyTwoWeekHigh":260.1,"fiftyTwoWeekLow":164.08,"regularMarketDayHigh":229.1,"regularMarketDayLow":227.02,"regularMarketVolume":11963284,"longName":"Apple Inc.","shortName":"Apple Inc.","chartPreviousClose":226.96,"previousClose":226.95,"scale":3,"priceHint":2,"currentTradingPeriod":{"pre":{"timezone":"EST","start":1794906000,"end":1794925800,"gmtoffset":-18000},"regular":{"timezone":"EST","start":1794925800,"end":1794949200,"gmtoffset":-18000},"post":{"timezone":"EST","start":1794949200,"end":1794963600,"gmtoffset":-18000}},"dataGranularity":"1m","range":"1d","validRanges":["1d","5d","1mo","3mo","6mo","1y","2y","5y","10y","ytd","max"]},"timestamp":[1794925800,1794925860,1794925920],"indicators":{"quote":[{"open":[227.5,227.61,null],"high":[227.9,227.8,null],"low":[227.02,227.5,null],"close":[227.6,227.7549,null],"volume":[812345,401234,null]}]}}],"error":null}}"#;

    fn body(meta: &str, arrays: &str) -> String {
        format!(
            r#"{{"chart":{{"result":[{{"meta":{{"symbol":"X",{meta}}},"timestamp":[60,120],"indicators":{{"quote":[{{{arrays}}}]}}}}],"error":null}}}}"#
        )
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn full_body() {
        let q = parse_chart(200, FULL).unwrap();
        assert_eq!(q.symbol, "AAPL");
        assert_eq!(q.currency.as_deref(), Some("USD"));
        assert_eq!(q.price, d("228.4512"));
        assert_eq!(q.market_time, Ts::from_secs(1_794_927_598));
        assert_eq!(q.previous_close, Some(d("226.95")));
        assert_eq!(
            q.regular_period,
            Some((Ts::from_secs(1_794_925_800), Ts::from_secs(1_794_949_200)))
        );
        let bar = q.last_bar.unwrap();
        assert_eq!(bar.ts, Ts::from_secs(1_794_925_860));
        assert_eq!(bar.close, d("227.7549"));
        assert_eq!(bar.open, Some(d("227.61")));
        assert_eq!(bar.volume, Some(401_234));
    }

    // Tables stay one case per line.
    #[rustfmt::skip]
    #[test]
    fn tolerated_inputs() {
        let base = r#""regularMarketPrice":10.5,"regularMarketTime":100"#;
        // (meta extra, arrays, previous_close, last close, last open, last volume)
        type Case<'a> = (&'a str, &'a str, Option<&'a str>, Option<&'a str>, Option<&'a str>, Option<i64>);
        let cases: [Case; 6] = [
            ("", r#""close":[1.5,null]"#, None, Some("1.5"), None, None),
            (r#","chartPreviousClose":9.9"#, r#""close":[1,2],"open":["NaN",null],"volume":[5,"Infinity"]"#, Some("9.9"), Some("2"), None, None),
            (r#","previousClose":null,"chartPreviousClose":9.9"#, r#""close":[1,"-Infinity"],"open":[0.5,1]"#, Some("9.9"), Some("1"), Some("0.5"), None),
            (r#","newField":{"a":[1]},"previousClose":"NaN""#, r#""close":[null,null]"#, None, None, None, None),
            ("", r#""close":[1.5e2,2E-1],"volume":[3,4.0],"newArr":[1]"#, None, Some("0.2"), None, Some(4)),
            (r#","currency":7"#, "", None, None, None, None),
        ];
        for (extra, arrays, prev, close, open, vol) in cases {
            let b = body(&format!("{base}{extra}"), arrays);
            let q = parse_chart(200, &b).unwrap_or_else(|e| panic!("{b}: {e}"));
            assert_eq!(q.price, d("10.5"), "{b}");
            assert_eq!(q.previous_close, prev.map(d), "{b}");
            assert_eq!(q.last_bar.as_ref().map(|l| l.close), close.map(d), "{b}");
            assert_eq!(q.last_bar.as_ref().and_then(|l| l.open), open.map(d), "{b}");
            assert_eq!(q.last_bar.as_ref().and_then(|l| l.volume), vol, "{b}");
        }
    }

    #[rustfmt::skip]
    #[test]
    fn errors() {
        let not_found = r#"{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}"#;
        let bad_req = r#"{"chart":{"result":null,"error":{"code":"Bad Request","description":"Invalid input - interval=1m is not supported for range=1y"}}}"#;
        let upstream = || ChartError::Upstream { code: "Bad Request".into(), description: "Invalid input - interval=1m is not supported for range=1y".into() };
        let ok_meta = r#""regularMarketPrice":10.5,"regularMarketTime":100"#;
        let unequal = body(ok_meta, r#""close":[1,2],"open":[1]"#);
        let nan_price = body(r#""regularMarketPrice":"NaN","regularMarketTime":100"#, "");
        let inf_price = body(r#""regularMarketPrice":"Infinity","regularMarketTime":100"#, "");
        let no_price = body(r#""regularMarketTime":100"#, "");
        let no_time = body(r#""regularMarketPrice":1"#, "");
        let cases: Vec<(u16, &str, ChartError)> = vec![
            (200, "", ChartError::Empty),
            (200, " \r\n\t", ChartError::Empty),
            (200, "<!DOCTYPE html><html>consent</html>", ChartError::Html),
            (429, "Too Many Requests\r\n", ChartError::TooManyRequests),
            (429, "", ChartError::TooManyRequests),
            (200, "Too Many Requests", ChartError::TooManyRequests),
            (404, not_found, ChartError::UnknownSymbol { code: "Not Found".into(), description: "No data found, symbol may be delisted".into() }),
            (400, bad_req, upstream()),
            (200, bad_req, upstream()),
            (500, "", ChartError::HttpStatus(500)),
            (503, "<html>down</html>", ChartError::HttpStatus(503)),
            (200, r#"{"chart":{"result":[],"error":null}}"#, ChartError::NoResult),
            (200, r#"{"chart":{"result":null,"error":null}}"#, ChartError::NoResult),
            (200, r#"{"chart":{"result":[{}],"error":null}}"#, ChartError::MissingField("chart.result[0].meta")),
            (200, &no_price, ChartError::MissingField("meta.regularMarketPrice")),
            (200, &no_time, ChartError::MissingField("meta.regularMarketTime")),
            (200, &nan_price, ChartError::NonFinitePrice),
            (200, &inf_price, ChartError::NonFinitePrice),
            (200, &unequal, ChartError::UnequalArrays { timestamps: 2, field: "open", len: 1 }),
        ];
        for (status, b, want) in cases {
            assert_eq!(parse_chart(status, b), Err(want), "status {status} body {b}");
        }
        for b in ["{", "[1,2]", "{\"chart\":5}", "null"] {
            assert!(matches!(parse_chart(200, b), Err(ChartError::NotJson(_))), "{b}");
        }
    }
}
