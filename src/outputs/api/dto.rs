//! Response bodies, built from a snapshot. Prices are JSON numbers written from the
//! decimal's own digits (never via f64), so `126.55` reads back as 126.55.

use crate::domain::types::{Source, Symbol, Ts};
use crate::engine::snapshot::Snapshot;
use crate::messages::LinkState;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum HealthStatus {
    Healthy,
    Degraded,
    Unhealthy,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub status: HealthStatus,
    pub mode: &'static str,
    pub version: &'static str,
    pub now: Ts,
    pub alpaca: AlpacaBrief,
    pub connection_state: crate::domain::router::RouterState,
    pub current_data_source: crate::domain::types::Label,
    pub messages: u64,
    pub parse_errors: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlpacaBrief {
    pub state: LinkState,
    pub connected: bool,
    pub authenticated: bool,
    pub last_error: Option<String>,
}

/// The runbook's meaning: Healthy on the primary, Degraded on the fallback (or while
/// the primary is not fully up), Unhealthy when both sources are down.
pub fn status_of(s: &Snapshot) -> HealthStatus {
    use crate::domain::router::RouterState;
    match s.router.connection_state {
        RouterState::PrimaryActive if s.alpaca.state == LinkState::Subscribed => {
            HealthStatus::Healthy
        }
        RouterState::BothUnavailable => HealthStatus::Unhealthy,
        // Forced onto a Yahoo that is down: nothing serves prices.
        RouterState::ManualFallback if s.yahoo.healthy == Some(false) => HealthStatus::Unhealthy,
        _ => HealthStatus::Degraded,
    }
}

pub fn health_of(s: &Snapshot) -> Health {
    let status = status_of(s);
    Health {
        status,
        mode: s.mode.as_str(),
        version: env!("CARGO_PKG_VERSION"),
        now: s.now,
        alpaca: AlpacaBrief {
            state: s.alpaca.state,
            connected: s.alpaca.state.is_connected(),
            authenticated: s.alpaca.state.is_authenticated(),
            last_error: s.alpaca.last_error.clone(),
        },
        connection_state: s.router.connection_state,
        current_data_source: s.router.current_data_source.clone(),
        messages: s.counters.messages,
        parse_errors: s.counters.parse_errors,
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SymbolDto {
    pub symbol: Symbol,
    #[serde(serialize_with = "num")]
    pub price: Option<Decimal>,
    pub source: Option<Source>,
    pub as_of: Option<Ts>,
    pub age_ms: Option<i64>,
    #[serde(serialize_with = "num")]
    pub prev_close: Option<Decimal>,
    #[serde(serialize_with = "num")]
    pub change: Option<Decimal>,
    #[serde(serialize_with = "num")]
    pub change_pct: Option<Decimal>,
    #[serde(serialize_with = "num")]
    pub bid: Option<Decimal>,
    #[serde(serialize_with = "num")]
    pub ask: Option<Decimal>,
    pub volume: i64,
    /// When Alpaca stamped the quote in `bid`/`ask`.
    pub quote_as_of: Option<Ts>,
    /// `bid`, `ask` and `volume` are Alpaca's while another source serves `price`
    /// (a fallback): they are not current beside it.
    pub quote_stale: bool,
    /// Both sources are down: the price is the last known one.
    pub stale: bool,
    /// The symbol's price breaker is holding this unconfirmed print.
    #[serde(serialize_with = "num")]
    pub held: Option<Decimal>,
    /// High and low of the prints that count for them (see README "What moves Last").
    #[serde(serialize_with = "num")]
    pub high: Option<Decimal>,
    #[serde(serialize_with = "num")]
    pub low: Option<Decimal>,
    pub prints: super::tape_dto::PrintCounts,
    /// The last prints, newest first, with their conditions spelled out.
    pub recent_prints: Vec<super::tape_dto::PrintDto>,
}

pub fn symbols_of(s: &Snapshot) -> Vec<SymbolDto> {
    s.watchlist
        .iter()
        .map(|v| SymbolDto {
            symbol: v.symbol.clone(),
            price: v.price,
            source: v.source,
            as_of: v.as_of,
            age_ms: v.age_ms(s.now),
            prev_close: v.prev_close,
            change: v.change(),
            change_pct: v.change_pct(),
            bid: v.bid,
            ask: v.ask,
            volume: v.volume,
            quote_as_of: v.quote_at,
            quote_stale: v.price.is_some() && !v.quote_is_current(),
            stale: v.stale,
            held: v.held,
            high: v.tape.high,
            low: v.tape.low,
            prints: super::tape_dto::PrintCounts::of(&v.tape),
            recent_prints: super::tape_dto::recent(&v.tape),
        })
        .collect()
}

pub(super) fn num<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        None => s.serialize_none(),
        Some(d) => {
            let raw = RawValue::from_string(d.normalize().to_string())
                .map_err(serde::ser::Error::custom)?;
            raw.serialize(s)
        }
    }
}

/// `GET /api/health/alpaca`, with the runbook's field names.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlpacaHealth {
    pub status: HealthStatus,
    pub alpaca_status: AlpacaStatus,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlpacaStatus {
    pub connected: bool,
    pub authenticated: bool,
    pub state: LinkState,
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    pub subscribed_symbols: Vec<Symbol>,
    pub feed: String,
    pub last_message_at: Option<Ts>,
    pub reconnect_attempts: u64,
    pub next_retry_at: Option<Ts>,
    /// Set when stopped until an operator reconnects.
    pub stopped: Option<String>,
}

pub fn alpaca_health_of(s: &Snapshot) -> AlpacaHealth {
    let a = &s.alpaca;
    AlpacaHealth {
        status: health_of(s).status,
        alpaca_status: AlpacaStatus {
            connected: a.state.is_connected(),
            authenticated: a.state.is_authenticated(),
            state: a.state,
            last_error: a.last_error.clone(),
            consecutive_failures: a.consecutive_failures,
            subscribed_symbols: a.subscribed_symbols.clone(),
            feed: a.feed.clone(),
            last_message_at: a.last_message_at,
            reconnect_attempts: a.reconnect_attempts,
            next_retry_at: a.next_retry_at,
            stopped: a.fatal.clone(),
        },
    }
}

/// The body of `POST /api/watchlist`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchlistChange {
    #[serde(default)]
    pub add: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
}

/// `GET /api/alerts`: the alert view's own fields, plus `history` and `notifications`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertsBody {
    #[serde(flatten)]
    pub alerts: crate::domain::alerts::AlertsView,
    /// Newest first.
    pub history: Vec<crate::domain::alerts::AlertRecord>,
    pub notifications: crate::messages::notify::NotifyView,
}
