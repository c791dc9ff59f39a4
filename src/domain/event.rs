//! Notable things that happened, as one record type shared by the event log panel,
//! the headless JSON lines, and the SQLite `events` table.

use crate::domain::types::{Source, Symbol, Ts};
use serde::{Deserialize, Serialize};

#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warn,
    Error,
}

impl Level {
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Connected, authenticated, disconnected, stalled, recovered.
    Connection,
    /// A frame or message that could not be parsed.
    ParseError,
    /// A message whose `T` this build does not know.
    UnknownType,
    /// An error message sent by the server (`{"T":"error"}`).
    ServerError,
    /// The server's subscription set changed.
    Subscription,
    /// A response from the Yahoo fallback could not be used.
    Yahoo,
    /// Replay started or finished.
    Replay,
    /// An operator command (key press or API call).
    Command,
    /// The persistence writer fell behind or failed.
    Persistence,
    /// A DataSourceRouter state transition.
    Router,
    /// An upstream circuit breaker changed state.
    Breaker,
    /// A message failed validation, or a symbol's price breaker tripped or closed.
    Validation,
    /// An alert fired or resolved.
    Alert,
    /// A notification failed, was dropped or rate-limited.
    Notify,
    /// A config setting worth a second look (e.g. symbols the test feed never sends).
    Config,
    /// The tape: a correction or cancel changed Last, or every print arrives late;
    /// Alpaca's condition lists checked against the table.
    Tape,
}

impl EventKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            EventKind::Connection => "connection",
            EventKind::ParseError => "parse_error",
            EventKind::UnknownType => "unknown_type",
            EventKind::ServerError => "server_error",
            EventKind::Subscription => "subscription",
            EventKind::Yahoo => "yahoo",
            EventKind::Replay => "replay",
            EventKind::Command => "command",
            EventKind::Persistence => "persistence",
            EventKind::Router => "router",
            EventKind::Breaker => "breaker",
            EventKind::Validation => "validation",
            EventKind::Alert => "alert",
            EventKind::Notify => "notify",
            EventKind::Config => "config",
            EventKind::Tape => "tape",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub at: Ts,
    pub level: Level,
    pub kind: EventKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<Symbol>,
    pub message: String,
}

impl Event {
    pub fn new(at: Ts, level: Level, kind: EventKind, message: impl Into<String>) -> Event {
        Event {
            at,
            level,
            kind,
            source: None,
            symbol: None,
            message: message.into(),
        }
    }
    pub fn with_source(mut self, source: Source) -> Event {
        self.source = Some(source);
        self
    }
    pub fn with_symbol(mut self, symbol: Symbol) -> Event {
        self.symbol = Some(symbol);
        self
    }
}
