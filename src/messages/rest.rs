//! What the Alpaca Trading API poller tells the engine: each answer (account,
//! positions, market clock) or the reason it failed, and its request budget.

use crate::domain::market::clock::MarketClock;
use crate::domain::portfolio::{Account, BrokerPosition};
use crate::domain::types::Ts;
use thiserror::Error;

/// What the poller tells the engine; `at` is the injected clock's time when the
/// answer (or failure) arrived.
// A few updates every 15 s: boxing the account would buy nothing but `Box` in every match.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum RestUpdate {
    Account {
        at: Ts,
        result: Result<Account, RestError>,
    },
    Positions {
        at: Ts,
        result: Result<Vec<BrokerPosition>, RestError>,
    },
    Clock {
        at: Ts,
        result: Result<MarketClock, RestError>,
    },
    /// Sent after every round: the share of `limit` requests used over the last minute.
    RateLimit { at: Ts, used_pct: f64, limit: u32 },
}

impl RestUpdate {
    pub fn at(&self) -> Ts {
        match self {
            RestUpdate::Account { at, .. }
            | RestUpdate::Positions { at, .. }
            | RestUpdate::Clock { at, .. }
            | RestUpdate::RateLimit { at, .. } => *at,
        }
    }

    /// The failure this update reports, if any (for the engine's breaker).
    pub fn error(&self) -> Option<&RestError> {
        match self {
            RestUpdate::Account { result, .. } => result.as_ref().err(),
            RestUpdate::Positions { result, .. } => result.as_ref().err(),
            RestUpdate::Clock { result, .. } => result.as_ref().err(),
            RestUpdate::RateLimit { .. } => None,
        }
    }
}

/// Every message names the endpoint; none contains a key.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RestError {
    #[error("Alpaca Trading API {endpoint}: HTTP {status}, not authorized: check APCA_API_KEY_ID/APCA_API_SECRET_KEY (paper keys work only with the paper host in APCA_API_BASE_URL)")]
    Unauthorized { endpoint: &'static str, status: u16 },
    #[error("Alpaca Trading API {endpoint}: HTTP 429, rate limited; {}", retry_words(*.retry_after_secs))]
    RateLimited {
        endpoint: &'static str,
        retry_after_secs: Option<u64>,
    },
    #[error("Alpaca Trading API {endpoint}: HTTP {status}: {body}")]
    Http {
        endpoint: &'static str,
        status: u16,
        /// The start of the body, keys scrubbed.
        body: String,
    },
    #[error("Alpaca Trading API {endpoint}: {reason}")]
    Transport {
        endpoint: &'static str,
        reason: String,
    },
    #[error("Alpaca Trading API {endpoint}: unexpected response: {message}")]
    Decode {
        endpoint: &'static str,
        message: String,
    },
    #[error("Alpaca Trading API: {0} contains characters an HTTP header cannot carry")]
    BadCredential(&'static str),
}

impl RestError {
    /// The pause Alpaca asked for, when this is a 429.
    pub fn retry_after_secs(&self) -> Option<Option<u64>> {
        match self {
            RestError::RateLimited {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        }
    }
}

fn retry_words(secs: Option<u64>) -> String {
    match secs {
        Some(s) => format!("Alpaca asks to retry after {s} s"),
        None => "no Retry-After given".to_string(),
    }
}

/// Today's one-minute bars for one symbol from Alpaca's market-data REST endpoint
/// (`GET /v2/stocks/{symbol}/bars`), or why they could not be fetched.
#[derive(Clone, Debug)]
pub struct BarsBackfill {
    pub at: Ts,
    pub symbol: crate::domain::types::Symbol,
    pub result: Result<Vec<crate::domain::bars::MinuteBar>, String>,
}
