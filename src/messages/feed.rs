//! What the feeds tell the engine, over the one `feed` channel: raw Alpaca frames in
//! batches, the stream's link state, Yahoo responses, Trading API results, replay's
//! faults and ticks, and the notifier's reports. Also what the engine tells the
//! stream task ([`StreamControl`]).

use super::yahoo::YahooResponse;
use crate::domain::types::{Source, Symbol, Ts};
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// One Alpaca frame as received, or as its feed already parsed it. The live stream
/// task parses every frame (it must find the control messages anyway), and replay
/// parses the plain ones while it splits lines: so the parse runs on the feed's core
/// and the engine's core only applies (see README "Performance").
#[derive(Debug)]
pub struct RawFrame {
    /// Engine-clock time of receipt (fixture time in replay).
    pub at: Ts,
    /// Wall-clock receipt, for latency.
    pub received: Instant,
    pub payload: Payload,
}

/// A text frame is JSON; a binary frame is msgpack; a parsed one is either, read by
/// the feed with the engine's parser and limits.
#[derive(Debug)]
pub enum Payload {
    Text(String),
    Binary(Vec<u8>),
    Parsed {
        frame: crate::domain::wire::ParsedFrame,
        /// The frame's length on the wire, for the batch's size cap.
        bytes: usize,
    },
}

impl Payload {
    pub fn len(&self) -> usize {
        match self {
            Payload::Text(t) => t.len(),
            Payload::Binary(b) => b.len(),
            Payload::Parsed { bytes, .. } => *bytes,
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A frame as it came off the socket, borrowed: what the recorder and the trace log
/// see before the stream task parses it.
#[derive(Copy, Clone, Debug)]
pub enum WireFrame<'a> {
    Text(&'a str),
    Binary(&'a [u8]),
}

impl WireFrame<'_> {
    pub fn len(&self) -> usize {
        match self {
            WireFrame::Text(t) => t.len(),
            WireFrame::Binary(b) => b.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Parsed as the engine would: JSON for text, msgpack for binary.
    pub fn parse(
        &self,
        limits: &crate::domain::wire::ParseLimits,
    ) -> crate::domain::wire::ParsedFrame {
        let mut out = crate::domain::wire::ParsedFrame::default();
        match self {
            WireFrame::Text(t) => crate::domain::wire::parse_frame_into(
                t.as_bytes(),
                limits,
                &mut out.msgs,
                &mut out.issues,
            ),
            WireFrame::Binary(b) => crate::domain::wire::msgpack::parse_msgpack_frame_into(
                b,
                limits,
                &mut out.msgs,
                &mut out.issues,
            ),
        }
        out
    }
}

/// Frames sent together, so the channel costs one send per batch, not per frame.
#[derive(Debug, Default)]
pub struct AlpacaBatch {
    pub frames: Vec<RawFrame>,
    /// Sum of the frames' lengths, to cap a batch by size.
    pub bytes: usize,
    /// Messages in the parsed frames (1 for a frame not yet parsed), to cap a batch
    /// by the time its first frame waits for the rest to be parsed.
    pub messages: usize,
}

impl AlpacaBatch {
    pub fn with_capacity(frames: usize) -> AlpacaBatch {
        AlpacaBatch {
            frames: Vec::with_capacity(frames),
            bytes: 0,
            messages: 0,
        }
    }
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
    pub fn push(&mut self, at: Ts, text: String) {
        self.push_payload(at, Payload::Text(text));
    }
    pub fn push_binary(&mut self, at: Ts, bytes: Vec<u8>) {
        self.push_payload(at, Payload::Binary(bytes));
    }
    pub fn push_payload(&mut self, at: Ts, payload: Payload) {
        self.push_received(at, Instant::now(), payload);
    }
    /// A frame received at `received` (before the feed parsed it, say).
    pub fn push_received(&mut self, at: Ts, received: Instant, payload: Payload) {
        self.bytes += payload.len();
        self.messages += match &payload {
            Payload::Parsed { frame, .. } => frame.msgs.len(),
            _ => 1,
        };
        self.frames.push(RawFrame {
            at,
            received,
            payload,
        });
    }
}

/// The live stream task's view of its connection: what the frames cannot tell.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkUpdate {
    pub at: Ts,
    /// `Connecting`, `Disconnected` or `Stalled`; the handshake states come from the
    /// frames themselves, as in replay.
    pub state: Option<LinkState>,
    pub last_error: Option<String>,
    pub consecutive_failures: u32,
    pub reconnect_attempts: u64,
    pub next_retry_at: Option<Ts>,
    /// Set while stopped for good until an operator reconnects (402, 409, ...).
    pub fatal: Option<String>,
    /// The failure being reported was HTTP 429 on the upgrade (the breaker opens at once).
    pub rate_limited: bool,
    /// A milestone only the socket task sees (the upgrade finished, the failure count
    /// was reset after a stable minute), worded as the runbook greps for it.
    pub note: Option<String>,
}

/// Everything a feed can tell the engine.
#[derive(Debug)]
pub enum FeedEvent {
    Alpaca(AlpacaBatch),
    /// A result from the Alpaca Trading API poller.
    Rest(crate::messages::rest::RestUpdate),
    Link(LinkUpdate),
    /// One Yahoo chart request's outcome (a response, or a transport failure).
    Yahoo(YahooResponse),
    Fault {
        at: Ts,
        source: Source,
        fault: Fault,
    },
    /// Replay's virtual clock passed `at` with nothing else to say.
    Tick {
        at: Ts,
    },
    /// A fixture line that could not be replayed.
    FixtureIssue {
        line: u64,
        reason: String,
    },
    /// The fixture is exhausted.
    ReplayEnd,
    /// The replay thread started reading the fixture again (`R`): inputs queued
    /// before this are from the old pass.
    ReplayRestarted {
        generation: u64,
    },
    /// Today's one-minute bars for a symbol, fetched when it started being watched
    /// (Alpaca's market-data REST bars endpoint), so its chart is never empty.
    Backfill(crate::messages::rest::BarsBackfill),
    /// Alpaca's trade-condition lists per tape, compared with the built-in tables
    /// (once, at a live start), or why a list could not be fetched.
    ConditionLists(Vec<(char, Result<crate::domain::conditions::TableCheck, String>)>),
    /// The notifier's counters and what it has to report.
    Notify(crate::messages::notify::NotifyReport),
}

/// Where the Alpaca stream stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LinkState {
    Disconnected,
    Connecting,
    Connected,
    Authenticated,
    Subscribed,
    /// The socket is open but nothing arrives.
    Stalled,
}

impl LinkState {
    pub const fn as_str(self) -> &'static str {
        match self {
            LinkState::Disconnected => "DISCONNECTED",
            LinkState::Connecting => "CONNECTING",
            LinkState::Connected => "CONNECTED",
            LinkState::Authenticated => "AUTHENTICATED",
            LinkState::Subscribed => "SUBSCRIBED",
            LinkState::Stalled => "STALLED",
        }
    }
    pub const fn is_connected(self) -> bool {
        matches!(
            self,
            LinkState::Connected
                | LinkState::Authenticated
                | LinkState::Subscribed
                | LinkState::Stalled
        )
    }
    pub const fn is_authenticated(self) -> bool {
        matches!(
            self,
            LinkState::Authenticated | LinkState::Subscribed | LinkState::Stalled
        )
    }
}

/// What the engine (on an operator's command) can ask of the stream task.
#[derive(Debug)]
pub enum StreamControl {
    Reconnect,
    SetWatchlist(Vec<Symbol>),
    /// The engine's upstream circuit breaker for stream connects is open: make no
    /// connection attempt before this time (`None` lifts the hold). A manual
    /// reconnect overrides it.
    Hold(Option<Ts>),
}

/// Connection faults a fixture can script. Unknown names are reported, not fatal.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fault {
    /// The socket closed.
    Disconnect,
    /// The socket stays open but goes silent.
    Stall,
    /// The source is reachable again.
    Recover,
}

impl Fault {
    pub fn from_name(name: &str) -> Option<Fault> {
        match name {
            "disconnect" => Some(Fault::Disconnect),
            "stall" => Some(Fault::Stall),
            "recover" => Some(Fault::Recover),
            _ => None,
        }
    }
    pub const fn as_str(self) -> &'static str {
        match self {
            Fault::Disconnect => "disconnect",
            Fault::Stall => "stall",
            Fault::Recover => "recover",
        }
    }
}
