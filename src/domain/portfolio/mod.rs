//! Positions and P&L, pure: the inputs (config lots, the broker's positions and
//! account as parsed from Alpaca's Trading API, the routed price per symbol, the
//! best previous close) go in, one [`PortfolioView`] comes out ([`compute`]).
//! Money is `rust_decimal::Decimal` throughout; nothing here reads a clock, does I/O
//! or knows about tokio. The view also carries the risk flags (daily loss,
//! concentration) and the broker-vs-ours reconciliation.

mod pnl;
mod sort;
mod view;

#[cfg(test)]
mod risk_tests;
#[cfg(test)]
mod tests;

pub use pnl::compute;
pub use sort::{sort_positions, SortKey};
pub use view::{
    Concentration, LossLevel, PortfolioView, PositionRow, PrevCloseSource, PriceSource,
    Reconciliation, RiskFlag, RiskSummary, Totals,
};

use crate::domain::types::{Source, Symbol, Ts};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One purchase (or short sale) from the config's `[[positions]]`; several lots of a
/// symbol aggregate into one position. A negative `qty` is a short.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lot {
    pub symbol: Symbol,
    pub qty: Decimal,
    pub cost_per_share: Decimal,
    /// Commissions and fees paid for the lot; they add to its cost basis.
    pub fees: Decimal,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Long,
    Short,
}

/// One entry of Alpaca's `GET /v2/positions`. Alpaca sends every number as a
/// string; fields we do not use are ignored, and the optional ones may be absent
/// or `null`. Serialises in camelCase for the API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct BrokerPosition {
    pub symbol: Symbol,
    /// As sent: Alpaca signs short quantities negative; [`BrokerPosition::signed_qty`]
    /// makes sure of it whatever the sign on the wire.
    #[serde(with = "rust_decimal::serde::str")]
    pub qty: Decimal,
    pub side: Side,
    #[serde(with = "rust_decimal::serde::str")]
    pub avg_entry_price: Decimal,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub market_value: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub cost_basis: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub unrealized_pl: Option<Decimal>,
    /// A fraction (0.2 = 20 %), as Alpaca sends it.
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub unrealized_plpc: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub unrealized_intraday_pl: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub current_price: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub lastday_price: Option<Decimal>,
    /// A fraction of `lastday_price`, as Alpaca sends it.
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub change_today: Option<Decimal>,
    #[serde(default)]
    pub exchange: Option<String>,
    #[serde(default)]
    pub asset_class: Option<String>,
}

impl BrokerPosition {
    /// Quantity with our sign convention: negative for a short.
    pub fn signed_qty(&self) -> Decimal {
        match self.side {
            Side::Short => -self.qty.abs(),
            Side::Long => self.qty,
        }
    }

    /// Alpaca's market value with our sign convention (negative for a short).
    pub fn signed_market_value(&self) -> Option<Decimal> {
        let mv = self.market_value?;
        Some(match self.side {
            Side::Short => -mv.abs(),
            Side::Long => mv,
        })
    }
}

/// Alpaca's `GET /v2/account`, the parts a P&L screen needs. Numbers arrive as strings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"))]
pub struct Account {
    #[serde(default)]
    pub id: Option<String>,
    /// Kept off the API and screens: it identifies the person's brokerage account.
    #[serde(default, skip_serializing)]
    pub account_number: Option<String>,
    pub status: String,
    #[serde(default = "usd")]
    pub currency: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub equity: Decimal,
    /// Equity at the previous session's close.
    #[serde(with = "rust_decimal::serde::str")]
    pub last_equity: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub cash: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub buying_power: Decimal,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub portfolio_value: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub long_market_value: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub short_market_value: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub initial_margin: Option<Decimal>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub maintenance_margin: Option<Decimal>,
    #[serde(default)]
    pub daytrade_count: Option<i64>,
    #[serde(default)]
    pub pattern_day_trader: bool,
    #[serde(default)]
    pub trading_blocked: bool,
    #[serde(default)]
    pub account_blocked: bool,
}

fn usd() -> String {
    "USD".to_string()
}

/// Where the positions on screen came from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PositionsSource {
    /// Neither config lots nor a broker answer.
    None,
    Config,
    /// Alpaca's positions; they win over config lots whenever the broker has answered.
    Broker,
}

/// The routed watchlist price a position is marked to.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub price: Decimal,
    pub source: Source,
    pub as_of: Ts,
    /// The router already considers this price stale.
    pub stale: bool,
}

/// Thresholds; percentages are in percent (2 = 2 %).
#[derive(Clone, Debug, PartialEq)]
pub struct PortfolioConfig {
    /// A reconciliation difference is shown when it exceeds both this share of the
    /// broker's value and [`Self::reconcile_tolerance_abs`] dollars.
    pub reconcile_tolerance_pct: Decimal,
    pub reconcile_tolerance_abs: Decimal,
    pub daily_loss_warn_pct: Decimal,
    pub daily_loss_critical_pct: Decimal,
    /// A single position above this share of gross exposure is flagged.
    pub concentration_pct: Decimal,
    /// A mark older than this counts as stale even if the router has not said so.
    pub stale_after_secs: u64,
}

impl Default for PortfolioConfig {
    fn default() -> Self {
        PortfolioConfig {
            reconcile_tolerance_pct: Decimal::new(5, 1),
            reconcile_tolerance_abs: Decimal::ONE,
            daily_loss_warn_pct: Decimal::TWO,
            daily_loss_critical_pct: Decimal::from(3),
            concentration_pct: Decimal::from(30),
            stale_after_secs: 120,
        }
    }
}
