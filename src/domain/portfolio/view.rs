//! The output of [`super::compute`]: one row per position, totals and the risk
//! summary. Serialises in camelCase; money stays `Decimal` (the API decides how to
//! write it), percentages are in percent rounded to 4 places.

use super::{Lot, PositionsSource};
use crate::domain::types::{Source, Symbol, Ts};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortfolioView {
    pub source: PositionsSource,
    /// The `now` the view was computed for (ages are relative to it).
    pub as_of: Ts,
    /// Sorted by symbol; see [`super::sort_positions`] for other orders.
    pub positions: Vec<PositionRow>,
    pub totals: Totals,
    pub risk: RiskSummary,
    /// The config's `[[positions]]` lots as written. When the broker wins they are
    /// listed here only, labelled as config lots, and are not in `positions`.
    pub config_lots: Vec<Lot>,
}

/// Where a position's `last` came from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PriceSource {
    Alpaca,
    Yahoo,
    /// No routed price yet: the broker's own `current_price` from `/v2/positions`.
    Broker,
}

impl From<Source> for PriceSource {
    fn from(s: Source) -> Self {
        match s {
            Source::Alpaca => PriceSource::Alpaca,
            Source::Yahoo => PriceSource::Yahoo,
        }
    }
}

/// Where a position's previous close came from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrevCloseSource {
    /// Alpaca's `lastday_price`.
    Broker,
    /// The caller's best (Yahoo's previous close or the daily bar).
    Market,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RiskFlag {
    /// Above `concentration_pct` of gross exposure.
    Concentration,
    /// Marked to a stale price: its P&L may be wrong.
    StalePrice,
    /// No price at all: no market value or P&L.
    NoPrice,
    /// Our numbers and the broker's differ beyond the tolerance.
    BrokerMismatch,
}

/// Ours minus the broker's, shown only when a difference exceeds the tolerance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reconciliation {
    pub broker_market_value: Option<Decimal>,
    pub broker_unrealized_pl: Option<Decimal>,
    pub diff_market_value: Option<Decimal>,
    pub diff_unrealized_pl: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PositionRow {
    pub symbol: Symbol,
    /// Negative for a short.
    pub qty: Decimal,
    /// Cost basis per share, fees included; `None` when the lots net to zero.
    pub avg_cost: Option<Decimal>,
    pub last: Option<Decimal>,
    pub last_source: Option<PriceSource>,
    pub last_as_of: Option<Ts>,
    pub last_age_ms: Option<i64>,
    /// Marked to a price the router calls stale or older than `stale_after_secs`.
    pub stale: bool,
    /// `qty × last`: negative for a short.
    pub market_value: Option<Decimal>,
    /// `Σ qty × cost + fees`: negative for a short.
    pub cost_basis: Decimal,
    /// `market_value − cost_basis`, which is `(last − avg) × qty` for longs and shorts.
    pub unrealized_pl: Option<Decimal>,
    /// Of `|cost_basis|`.
    pub unrealized_pl_pct: Option<Decimal>,
    /// `qty × (last − prev_close)`; `None` (not zero) without a previous close.
    pub day_pl: Option<Decimal>,
    /// Of `|qty × prev_close|`.
    pub day_pl_pct: Option<Decimal>,
    pub prev_close: Option<Decimal>,
    pub prev_close_source: Option<PrevCloseSource>,
    /// `|market_value|` over gross exposure.
    pub weight_pct: Option<Decimal>,
    pub risk: Vec<RiskFlag>,
    pub reconciliation: Option<Reconciliation>,
    /// The row comes from config lots (not from the broker).
    pub config_lots: bool,
    /// How many lots (or broker positions) made the row.
    pub lot_count: usize,
}

/// Sums over the positions that have the value; the counts say how many lack it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Net (shorts count negative), over priced positions.
    pub market_value: Decimal,
    /// Net, over priced positions (so it pairs with `market_value`).
    pub cost_basis: Decimal,
    pub unrealized_pl: Decimal,
    /// Of the summed `|cost_basis|` of priced positions.
    pub unrealized_pl_pct: Option<Decimal>,
    /// `None` when no position has a previous close.
    pub day_pl: Option<Decimal>,
    /// Of the start-of-day equity, `equity − day_pl`.
    pub day_pl_pct: Option<Decimal>,
    /// The broker's equity when known, else the net market value (cash counted as 0).
    pub equity: Decimal,
    pub equity_from_broker: bool,
    pub cash: Option<Decimal>,
    /// The broker's own day change, `equity − last_equity` (includes cash moves).
    pub account_day_change: Option<Decimal>,
    pub long_exposure: Decimal,
    /// As a positive amount.
    pub short_exposure: Decimal,
    pub gross_exposure: Decimal,
    pub positions_missing_prev_close: usize,
    pub positions_without_price: usize,
    pub stale_positions: usize,
    pub reconciliation_mismatches: usize,
    /// Set when the sums leave a position out for want of a price:
    /// `"incomplete: 1 position unpriced"`. The totals line, the API and the risk
    /// figures say so rather than show a smaller portfolio as if it were whole.
    pub incomplete: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LossLevel {
    None,
    Warning,
    Critical,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Concentration {
    pub symbol: Symbol,
    pub pct: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskSummary {
    /// `−day_pl / (equity − day_pl) × 100` while the day is a loss: the loss as a
    /// share of start-of-day equity. `None` on a flat or winning day, or without a base.
    pub daily_loss_pct: Option<Decimal>,
    pub daily_loss_level: LossLevel,
    pub max_concentration: Option<Concentration>,
    pub concentration_breached: bool,
    /// As [`Totals::incomplete`]: the figures above leave unpriced positions out.
    pub incomplete: Option<String>,
}
