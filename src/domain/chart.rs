//! The Yahoo v8 chart response parser: one HTTP status and body in, the latest
//! price and last complete minute bar out. Pure (no I/O), so replay and live
//! polling share it. Prices are exact decimals taken from the body's own digits.

use crate::domain::types::{Symbol, Ts};
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
    /// Every minute with a close, oldest first (the chart's series; `last_bar` is its
    /// last entry).
    pub series: Vec<LastBar>,
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
    #[error("Yahoo chart response is {0}")]
    TooDeep(crate::domain::wire::depth::TooDeep),
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

/// The deepest nesting a chart body may have. Yahoo's own is 7 levels
/// (`chart.result[].indicators.quote[].close[]`).
pub const MAX_BODY_DEPTH: usize = 32;

/// Parses one Yahoo v8 chart response (`/v8/finance/chart/{SYM}`).
///
/// A non-2xx status with a JSON `chart.error` reports Yahoo's own reason; without
/// one, the status itself. Nulls and "NaN"/"Infinity" strings in the bar arrays are
/// skipped, and unknown fields are ignored.
pub fn parse_chart(status: u16, body: &str) -> Result<ChartQuote, ChartError> {
    if status == 429 || body.contains("Too Many Requests") {
        return Err(ChartError::TooManyRequests);
    }
    // serde_json stops at 128 levels on its own; this names the documented limit.
    crate::domain::wire::depth::check(body.as_bytes(), MAX_BODY_DEPTH)
        .map_err(ChartError::TooDeep)?;
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
    let series = series(result.timestamp, result.indicators)?;
    let last_bar = series.last().cloned();
    Ok(ChartQuote {
        symbol: Symbol::from(symbol),
        currency: string(meta.currency),
        price,
        market_time,
        previous_close,
        regular_period,
        last_bar,
        series,
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

fn series(
    timestamps: Option<Vec<&RawValue>>,
    indicators: Option<Indicators>,
) -> Result<Vec<LastBar>, ChartError> {
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
        return Ok(Vec::new());
    };
    let at = |arr: &Option<Vec<&RawValue>>, i: usize| match arr.as_ref().map(|a| num(a[i])) {
        Some(Num::Value(d)) => Some(d),
        _ => None,
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let Num::Value(close) = num(closes[i]) else {
            continue;
        };
        let Some(ts) = epoch_secs(Some(timestamps[i])) else {
            continue;
        };
        out.push(LastBar {
            ts,
            open: at(&q.open, i),
            high: at(&q.high, i),
            low: at(&q.low, i),
            close,
            volume: at(&q.volume, i).and_then(|v| v.trunc().to_i64()),
        });
    }
    Ok(out)
}

#[cfg(test)]
#[path = "chart_tests.rs"]
mod tests;
