//! The read-only picture of engine state that the UI and the API render.
//! Built by the engine task, published as `Arc<Snapshot>` on a `watch` channel.

use crate::domain::stats::LatencyView;
use crate::domain::types::Label;
use crate::domain::types::{Source, Symbol, Ts};
use crate::messages::health::ChannelStat;
use crate::messages::LinkState;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Live,
    Replay,
    Demo,
}

impl Mode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Mode::Live => "live",
            Mode::Replay => "replay",
            Mode::Demo => "demo",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlpacaView {
    pub state: LinkState,
    pub feed: String,
    pub last_error: Option<String>,
    pub subscribed_symbols: Vec<Symbol>,
    pub last_message_at: Option<Ts>,
    pub state_since: Option<Ts>,
    pub consecutive_failures: u32,
    pub reconnect_attempts: u64,
    pub next_retry_at: Option<Ts>,
    /// Stopped until an operator reconnects, and why.
    pub fatal: Option<String>,
}

/// One source's latest accepted price for a symbol.
#[derive(Copy, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PricePoint {
    pub price: Decimal,
    /// The source's own timestamp for the price.
    pub as_of: Ts,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SymbolView {
    pub symbol: Symbol,
    /// The displayed price: the active source's, else the other source's (labelled).
    pub price: Option<Decimal>,
    pub source: Option<Source>,
    pub alpaca: Option<PricePoint>,
    pub yahoo: Option<PricePoint>,
    /// Both sources are down: the price is the last known, not a live one.
    pub stale: bool,
    /// The symbol's price breaker tripped: newer prints are held unconfirmed.
    pub held: Option<Decimal>,
    /// The price's own timestamp (exchange time for Alpaca, regularMarketTime for Yahoo).
    pub as_of: Option<Ts>,
    pub prev_close: Option<Decimal>,
    pub bid: Option<Decimal>,
    pub ask: Option<Decimal>,
    /// The exchange's timestamp of the quote in `bid`/`ask` (Alpaca's).
    pub quote_at: Option<Ts>,
    /// Shares traded, summed over the trades seen this session that count for volume
    /// (their sale conditions say so), less cancelled ones.
    pub volume: i64,
    pub trades: u64,
    /// One-minute bars for the charts (shared with the engine; not serialised).
    #[serde(skip)]
    pub bars: crate::domain::bars::BarSeries,
    /// High/low, late and non-eligible prints, the recent prints with their conditions
    /// (see `domain::conditions`).
    pub tape: crate::domain::conditions::book::TapeView,
}

impl SymbolView {
    pub fn new(symbol: Symbol) -> SymbolView {
        SymbolView {
            symbol,
            price: None,
            source: None,
            alpaca: None,
            yahoo: None,
            stale: false,
            held: None,
            as_of: None,
            prev_close: None,
            bid: None,
            ask: None,
            quote_at: None,
            volume: 0,
            trades: 0,
            bars: Default::default(),
            tape: Default::default(),
        }
    }

    /// Bid, ask and volume are Alpaca's: they belong on screen beside an Alpaca
    /// price only. Beside Yahoo's (a fallback), they would be frozen values next to
    /// a live one, and the price could sit outside the quote.
    pub fn quote_is_current(&self) -> bool {
        self.source == Some(Source::Alpaca)
    }
    pub fn change(&self) -> Option<Decimal> {
        Some(self.price? - self.prev_close?)
    }
    /// Change in percent, rounded to 2 places.
    pub fn change_pct(&self) -> Option<Decimal> {
        let prev = self.prev_close?;
        if prev.is_zero() {
            return None;
        }
        Some((self.change()? * Decimal::ONE_HUNDRED / prev).round_dp(2))
    }
    /// Milliseconds since the price's timestamp, measured on the engine clock.
    pub fn age_ms(&self, now: Ts) -> Option<i64> {
        Some(now.millis_since(self.as_of?))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    /// Alpaca frames received (text or binary), parsed or not.
    pub frames: u64,
    /// Data messages parsed (trades, quotes, bars, ...), not control messages.
    pub messages: u64,
    pub control_messages: u64,
    /// Count per Alpaca `T` value, data and control.
    pub by_type: BTreeMap<String, u64>,
    pub parse_errors: u64,
    pub unknown_types: u64,
    pub yahoo_responses: u64,
    pub faults: u64,
    /// Messages for symbols outside the watchlist.
    pub unwatched: u64,
    /// Fixture lines that could not be replayed.
    pub fixture_errors: u64,
}

/// What tapewatch knows about the Yahoo fallback's health.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct YahooView {
    /// None until the first response (standby probe or fallback poll).
    pub healthy: Option<bool>,
    /// "active" while Yahoo serves prices, "standby" otherwise, "off" when it cannot run.
    pub polling: Label,
    pub last_ok_at: Option<Ts>,
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    pub responses: u64,
    pub failures: u64,
    /// Responses the `yahoo_http` breaker had not permitted: counted, never shown.
    pub refused: u64,
    /// Symbols Yahoo answered 404 for since its last good answer.
    pub not_found: Vec<Symbol>,
}

/// Feed latency per source: the exchange's (Alpaca) or Yahoo's own timestamp to the
/// moment tapewatch received it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatencyPanel {
    pub alpaca_feed_us: crate::domain::stats::WindowedView,
    pub yahoo_feed_us: crate::domain::stats::WindowedView,
    /// Prices stamped later than their receipt (a clock is off), counted, not recorded.
    pub future_stamped: u64,
}

/// Wall-clock measurements. These differ run to run, so replay determinism
/// checks compare everything except this.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Perf {
    /// Receipt of a frame to the first published snapshot that shows it, in µs.
    pub latency_us: LatencyView,
    /// The same stage over the last minute, five minutes and since start (engine time).
    pub processing_us: crate::domain::stats::window::WindowedView,
    /// Receipt of a frame to its messages being applied to state, in µs.
    pub apply_latency_us: LatencyView,
    pub elapsed_ms: u64,
    pub msgs_per_sec: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayView {
    pub name: String,
    /// Virtual milliseconds since the fixture's start.
    pub position_ms: i64,
    /// The fixture's length (its last record's `t_ms`) when known: the progress bar.
    pub span_ms: Option<i64>,
    pub speed: String,
    /// Stopped by the operator (Space): fixture time stands still.
    pub paused: bool,
    pub finished: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// Increases by one with every publish.
    pub seq: u64,
    pub mode: Mode,
    /// The engine clock: wall time live, fixture time in replay.
    pub now: Ts,
    pub started_at: Ts,
    pub replay: Option<ReplayView>,
    pub alpaca: AlpacaView,
    pub watchlist: Vec<SymbolView>,
    pub counters: Counters,
    pub channels: Vec<ChannelStat>,
    /// Most recent last; the last few thousand (see [`super::event_log`]).
    pub events: super::event_log::EventLog,
    pub router: crate::domain::router::RouterView,
    /// Upstream circuit breakers: Yahoo HTTP, Alpaca stream connects, Alpaca REST.
    pub breakers: Vec<crate::domain::breaker::BreakerView>,
    pub yahoo: YahooView,
    pub validation: crate::domain::validate::ValidationView,
    /// Pending, firing and recently resolved alerts.
    pub alerts: crate::domain::alerts::AlertsView,
    /// Alert history, newest first (bounded; SQLite keeps all of it).
    pub alert_history: Vec<crate::domain::alerts::AlertRecord>,
    /// The SLOs with their error budgets and burn rates.
    pub slo: crate::domain::slo::SloReport,
    /// Process RSS as % of the machine's memory (live only; alert C3).
    pub memory_used_pct: Option<f64>,
    /// Positions and P&L marked to the routed prices.
    pub portfolio: crate::domain::portfolio::PortfolioView,
    /// The broker account (`GET /v2/account`), when the Trading API answered.
    pub account: Option<crate::domain::portfolio::Account>,
    /// The Trading API poller's health.
    pub rest: RestView,
    /// The US equity market is open (Alpaca's clock when fresh, else the NYSE calendar).
    pub market_open: bool,
    /// Feed latency (source timestamp to receipt) on the engine clock, refreshed about
    /// once a second of engine time.
    pub latency: LatencyPanel,
    /// Notification channels' counters (empty when none are configured).
    pub notifications: crate::messages::notify::NotifyView,
    pub perf: Perf,
    /// Where the HTTP API listens (`http://host:port`), for the runbook steps' commands;
    /// `None` until the API is bound (and in tests).
    pub api_base: Option<String>,
}

impl Snapshot {
    /// Everything but the wall-clock measurements and the publish counter: what two
    /// replays of one fixture must agree on, at any speed.
    pub fn deterministic(&self) -> Snapshot {
        let mut s = self.clone();
        s.seq = 0;
        s.perf = Perf::default();
        s.channels.iter_mut().for_each(|c| c.full = 0);
        if let Some(r) = s.replay.as_mut() {
            r.speed = String::new();
        }
        s
    }
}

/// The Trading API's health, for the API and the TUI.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestView {
    /// False until credentials are configured (no polling at all).
    pub enabled: bool,
    pub last_ok_at: Option<Ts>,
    pub last_error: Option<String>,
    pub rate_limit_used_pct: f64,
    pub rate_limit_per_min: u32,
    pub requests: u64,
    pub failures: u64,
}
