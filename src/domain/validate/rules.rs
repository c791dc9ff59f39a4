//! The validation rules and their thresholds ([`Rule`], [`ValidationConfig`]),
//! the stateless field checks for trades, quotes and bars, the per-symbol trade-id
//! memory, and [`check_f64`]. A failed check returns a [`Failure`]: a small `Copy`
//! value that carries the offending numbers, so the reason text is only formatted
//! when a rejection is actually logged (never on the accept path).

use crate::domain::types::Ts;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Thresholds; the defaults are the runbook's.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidationConfig {
    /// A timestamp more than this ahead of receipt is rejected (clock drift allowance).
    pub max_future_secs: u64,
    /// A move beyond this percentage from the reference price trips the breaker.
    pub breaker_threshold_pct: Decimal,
    /// Consecutive prints near the held level (the tripping one included) that confirm it.
    pub confirm_prints: u32,
    /// "Near": within this percentage of the held level. 1% is several ticks even
    /// for a $10 stock, yet far tighter than the 20% trip, so scattered bad ticks
    /// do not confirm each other.
    pub confirm_band_pct: Decimal,
    /// Sources differing by this percentage or more are flagged (runbook: "<5%").
    pub cross_source_tolerance_pct: Decimal,
    /// An unconfirmed open breaker drops its held level after this long.
    pub breaker_cooldown_secs: u64,
    /// With the market open, no update for longer than this marks a symbol stale.
    pub stale_after_secs: u64,
    /// Both prices must be at most this old for the cross-source comparison.
    pub fresh_for_cross_secs: u64,
    /// Check trade-id order per exchange (duplicates are always checked).
    pub check_trade_order: bool,
    /// Rejection log lines per second of receipt time; the rest are only counted.
    pub max_events_per_sec: u32,
    /// A print stamped more than this before the print that set Last is late: it does
    /// not move Last (see `domain::conditions`).
    pub late_print_tolerance_secs: u64,
}

impl Default for ValidationConfig {
    fn default() -> Self {
        ValidationConfig {
            max_future_secs: 300,
            breaker_threshold_pct: Decimal::from(20),
            confirm_prints: 3,
            confirm_band_pct: Decimal::ONE,
            cross_source_tolerance_pct: Decimal::from(5),
            breaker_cooldown_secs: 60,
            stale_after_secs: 120,
            fresh_for_cross_secs: 120,
            check_trade_order: true,
            max_events_per_sec: 20,
            late_print_tolerance_secs: 5,
        }
    }
}

/// A validation rule. [`Rule::as_str`] is the stable id used as a metrics label.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    NonPositivePrice,
    NegativeVolume,
    FutureTimestamp,
    NonFinite,
    CrossedQuote,
    InconsistentBar,
    DuplicateTradeId,
    OutOfOrderTradeId,
    NotSubscribed,
    PriceCircuitBreaker,
    CrossSourceDelta,
    Stale,
}

impl Rule {
    pub const ALL: [Rule; 12] = [
        Rule::NonPositivePrice,
        Rule::NegativeVolume,
        Rule::FutureTimestamp,
        Rule::NonFinite,
        Rule::CrossedQuote,
        Rule::InconsistentBar,
        Rule::DuplicateTradeId,
        Rule::OutOfOrderTradeId,
        Rule::NotSubscribed,
        Rule::PriceCircuitBreaker,
        Rule::CrossSourceDelta,
        Rule::Stale,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Rule::NonPositivePrice => "price_positive",
            Rule::NegativeVolume => "volume_non_negative",
            Rule::FutureTimestamp => "timestamp_future",
            Rule::NonFinite => "non_finite",
            Rule::CrossedQuote => "crossed_quote",
            Rule::InconsistentBar => "bar_ohlc",
            Rule::DuplicateTradeId => "duplicate_trade_id",
            Rule::OutOfOrderTradeId => "out_of_order_trade_id",
            Rule::NotSubscribed => "not_subscribed",
            Rule::PriceCircuitBreaker => "price_circuit_breaker",
            Rule::CrossSourceDelta => "cross_source_delta",
            Rule::Stale => "stale",
        }
    }

    /// What the rule demands, in words (for help screens and the API).
    pub const fn description(self) -> &'static str {
        match self {
            Rule::NonPositivePrice => "prices must be > 0",
            Rule::NegativeVolume => "volumes and sizes must be >= 0",
            Rule::FutureTimestamp => {
                "timestamps must not be ahead of receipt by more than the drift allowance"
            }
            Rule::NonFinite => "numbers must be finite (no NaN or infinity)",
            Rule::CrossedQuote => "a quote's bid must not be above its ask",
            Rule::InconsistentBar => "a bar needs low <= open, close <= high",
            Rule::DuplicateTradeId => "a trade id must not repeat",
            Rule::OutOfOrderTradeId => {
                "a print must not be older than one already seen on its exchange"
            }
            Rule::NotSubscribed => "data must be for a watched symbol",
            Rule::PriceCircuitBreaker => {
                "a print must not move beyond the threshold from the reference unconfirmed"
            }
            Rule::CrossSourceDelta => "Alpaca and Yahoo prices must agree within the tolerance",
            Rule::Stale => "a symbol must update while the market is open",
        }
    }

    pub const fn index(self) -> usize {
        self as usize
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Rule, D::Error> {
        let id = std::borrow::Cow::<str>::deserialize(d)?;
        Rule::ALL
            .into_iter()
            .find(|r| r.as_str() == id)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown validation rule {id:?}")))
    }
}

/// Why one message failed, with the values needed to explain it later.
#[derive(Copy, Clone, Debug, PartialEq)]
pub(crate) enum Failure {
    NotSubscribed,
    Price {
        field: &'static str,
        value: Decimal,
    },
    Volume {
        field: &'static str,
        value: i64,
    },
    Future {
        ts: Ts,
        ahead_ms: i64,
        limit_secs: u64,
    },
    Crossed {
        bid: Decimal,
        ask: Decimal,
    },
    DuplicateId {
        id: u64,
        exchange: u8,
    },
    OutOfOrderId {
        id: u64,
        newest_id: u64,
        exchange: u8,
    },
    Bar {
        open: Decimal,
        high: Decimal,
        low: Decimal,
        close: Decimal,
    },
    NonFinite {
        field: &'static str,
    },
}

impl Failure {
    pub(crate) fn rule(&self) -> Rule {
        match self {
            Failure::NotSubscribed => Rule::NotSubscribed,
            Failure::Price { .. } => Rule::NonPositivePrice,
            Failure::Volume { .. } => Rule::NegativeVolume,
            Failure::Future { .. } => Rule::FutureTimestamp,
            Failure::Crossed { .. } => Rule::CrossedQuote,
            Failure::DuplicateId { .. } => Rule::DuplicateTradeId,
            Failure::OutOfOrderId { .. } => Rule::OutOfOrderTradeId,
            Failure::Bar { .. } => Rule::InconsistentBar,
            Failure::NonFinite { .. } => Rule::NonFinite,
        }
    }

    /// The reason text after "Validation failed: ". The first words of the price,
    /// volume and timestamp reasons are the ones the runbook greps for
    /// ("Invalid price: 0", "Invalid volume: -1", "Future timestamp").
    pub(crate) fn reason(&self) -> String {
        match *self {
            Failure::NotSubscribed => "Not subscribed: symbol is not on the watchlist".to_string(),
            Failure::Price { field, value } => with_field(format!("Invalid price: {value}"), field),
            Failure::Volume { field, value } => {
                with_field(format!("Invalid volume: {value}"), field)
            }
            Failure::Future {
                ts,
                ahead_ms,
                limit_secs,
            } => format!(
                "Future timestamp: {ts} is {}s ahead of receipt (limit {limit_secs}s)",
                ahead_ms / 1000
            ),
            Failure::Crossed { bid, ask } => format!("Crossed quote: bid {bid} > ask {ask}"),
            Failure::DuplicateId { id, exchange } => format!(
                "Duplicate trade id: {id} (exchange {})",
                exchange_name(exchange)
            ),
            Failure::OutOfOrderId {
                id,
                newest_id,
                exchange,
            } => format!(
                "Out-of-order trade id: {id} is older than {newest_id} (exchange {})",
                exchange_name(exchange)
            ),
            Failure::Bar {
                open,
                high,
                low,
                close,
            } => format!(
                "Inconsistent bar: open {open} high {high} low {low} close {close} \
                 (need low <= open, close <= high)"
            ),
            Failure::NonFinite { field } => format!("Non-finite number in {field}"),
        }
    }
}

fn with_field(mut text: String, field: &'static str) -> String {
    if field != "price" && field != "size" {
        text.push_str(" (");
        text.push_str(field);
        text.push(')');
    }
    text
}

fn exchange_name(code: u8) -> char {
    if code.is_ascii_uppercase() {
        char::from(code)
    } else {
        '?'
    }
}

/// A float that is NaN or infinite can never become a price. Wire and chart
/// prices are already `Decimal` (the parsers turn non-finite numbers into parse
/// issues), so this is for callers that still hold an `f64` (msgpack floats,
/// Yahoo numbers before conversion); report a failure with
/// [`super::Validator::record_non_finite`].
pub fn check_f64(value: f64) -> Result<f64, Rule> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Rule::NonFinite)
    }
}

#[inline]
pub(crate) fn future(ts: Ts, now: Ts, max_future_ns: i64, limit_secs: u64) -> Option<Failure> {
    let ahead_ns = ts.as_nanos().saturating_sub(now.as_nanos());
    (ahead_ns > max_future_ns).then_some(Failure::Future {
        ts,
        ahead_ms: ahead_ns / 1_000_000,
        limit_secs,
    })
}

#[inline]
pub(crate) fn positive(field: &'static str, value: Decimal) -> Option<Failure> {
    (value <= Decimal::ZERO).then_some(Failure::Price { field, value })
}

#[inline]
pub(crate) fn non_negative(field: &'static str, value: i64) -> Option<Failure> {
    (value < 0).then_some(Failure::Volume { field, value })
}

/// One side of a quote. A side with price 0 and size 0 is "no quote on that
/// side"; a price of 0 with a size, or a negative price, is invalid.
#[inline]
fn quote_side(
    price_field: &'static str,
    size_field: &'static str,
    price: Decimal,
    size: i64,
) -> Result<bool, Failure> {
    if let Some(f) = non_negative(size_field, size) {
        return Err(f);
    }
    if price.is_zero() && size == 0 {
        return Ok(false);
    }
    match positive(price_field, price) {
        Some(f) => Err(f),
        None => Ok(true),
    }
}

/// Field checks of a quote. `Ok(true)` means a locked quote (bid == ask): allowed
/// but counted.
#[inline]
pub(crate) fn quote(
    bid: Decimal,
    bid_size: i64,
    ask: Decimal,
    ask_size: i64,
) -> Result<bool, Failure> {
    let has_bid = quote_side("bid", "bid size", bid, bid_size)?;
    let has_ask = quote_side("ask", "ask size", ask, ask_size)?;
    if has_bid && has_ask {
        if bid > ask {
            return Err(Failure::Crossed { bid, ask });
        }
        return Ok(bid == ask);
    }
    Ok(false)
}

/// OHLC sanity: all prices > 0, volume >= 0, low <= open, close <= high.
#[inline]
pub(crate) fn bar(
    open: Decimal,
    high: Decimal,
    low: Decimal,
    close: Decimal,
    volume: i64,
) -> Option<Failure> {
    positive("bar open", open)
        .or_else(|| positive("bar high", high))
        .or_else(|| positive("bar low", low))
        .or_else(|| positive("bar close", close))
        .or_else(|| non_negative("bar volume", volume))
        .or_else(|| {
            let ok = low <= open && low <= close && open <= high && close <= high;
            (!ok).then_some(Failure::Bar {
                open,
                high,
                low,
                close,
            })
        })
}
