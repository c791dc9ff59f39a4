//! The engine task: the one owner of mutable state. It drains the feed and command
//! channels, parses Alpaca frames, applies each input to the pure [`state::EngineState`], forwards the
//! resulting events to the store and the headless printer, and publishes an
//! `Arc<Snapshot>` on a `watch` channel at most every [`PUBLISH_INTERVAL`]. A command
//! is answered on its [`Request`]'s reply channel with what the state decided.

mod command;
mod shell;
pub mod snapshot;
pub mod state;

use crate::domain::clock::Clock;
use crate::domain::event::{Event, Level};
use crate::domain::stats::LatencyHistogram;
use crate::domain::types::{Source, Ts};
use crate::domain::wire::{parse_frame_into, Msg, ParseIssue, ParseLimits};
use crate::outputs::store::StoreMsg;
use crate::plumbing::channels::{try_send_counted, Meters};
use crate::sources::alpaca::stream::StreamControl;
use crate::sources::fixture::Fault;
use crate::sources::yahoo::YahooResponse;
pub use command::{Command, Request};
use snapshot::{LinkState, Perf, Snapshot};
use state::{Effects, EngineState};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

/// Snapshots are coalesced to at most 20 per second: faster than a person reads,
/// slow enough that building them never competes with ingest.
pub const PUBLISH_INTERVAL: Duration = Duration::from_millis(50);

/// One Alpaca frame as received. Feeds do only I/O; the engine parses, so the parse
/// runs beside the feed's own work (a socket, or replay's line decoding) on the
/// other core instead of after it on the same one.
#[derive(Debug)]
pub struct RawFrame {
    /// Engine-clock time of receipt (fixture time in replay).
    pub at: Ts,
    /// Wall-clock receipt, for latency.
    pub received: Instant,
    pub payload: Payload,
}

/// A text frame is JSON; a binary frame is msgpack.
#[derive(Debug)]
pub enum Payload {
    Text(String),
    Binary(Vec<u8>),
}

impl Payload {
    pub fn len(&self) -> usize {
        match self {
            Payload::Text(t) => t.len(),
            Payload::Binary(b) => b.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Frames sent together, so the channel costs one send per batch, not per frame.
#[derive(Debug, Default)]
pub struct AlpacaBatch {
    pub frames: Vec<RawFrame>,
    /// Sum of the frames' lengths, to cap a batch by size.
    pub bytes: usize,
}

impl AlpacaBatch {
    pub fn with_capacity(frames: usize) -> AlpacaBatch {
        AlpacaBatch {
            frames: Vec::with_capacity(frames),
            bytes: 0,
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
        self.bytes += payload.len();
        self.frames.push(RawFrame {
            at,
            received: Instant::now(),
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
    Rest(crate::sources::alpaca::rest::RestUpdate),
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
    /// The notifier's counters and what it has to report.
    Notify(crate::outputs::notify::NotifyReport),
}

pub struct EngineIo {
    pub feed_rx: mpsc::Receiver<FeedEvent>,
    pub cmd_rx: mpsc::Receiver<Request>,
    pub snap_tx: watch::Sender<Arc<Snapshot>>,
    pub store_tx: Option<mpsc::Sender<StoreMsg>>,
    /// Events for the headless printer.
    pub out_tx: Option<mpsc::Sender<Event>>,
    /// The live stream task's control channel (none in replay).
    pub stream_tx: Option<mpsc::Sender<StreamControl>>,
    /// The Trading API poller's hold (the `alpaca_rest` breaker is open until then).
    pub rest_hold_tx: Option<watch::Sender<Option<Ts>>>,
    /// `alpaca_message_latency_seconds` (none without an API).
    pub latency_sink: Option<metrics::Histogram>,
    /// What the live Yahoo poller should do (none in replay or with Yahoo disabled).
    pub plan_tx: Option<watch::Sender<crate::sources::yahoo::poller::PollPlan>>,
    pub meters: Meters,
    /// Alert changes for the notifier (none when no notification channel is configured).
    pub notify_tx: Option<mpsc::Sender<crate::domain::alerts::AlertChange>>,
}

pub struct EngineOptions {
    /// Live sessions move the engine clock by wall time; replay only by its inputs.
    pub live_clock: Option<Arc<dyn Clock>>,
    /// Keep serving after the replay ends.
    pub hold: bool,
    pub limits: ParseLimits,
    /// What happened while setting up (config warnings), forwarded first so it
    /// reaches the log file and the database like any other event.
    pub startup: Effects,
}

/// Why the engine returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineExit {
    ReplayEnded,
    Quit,
    Cancelled,
}

struct Engine {
    state: EngineState,
    io: EngineIo,
    seq: u64,
    started: Instant,
    finished_elapsed: Option<Duration>,
    last_publish: Instant,
    dirty: bool,
    /// Frames applied since the last publish: (receipt, message count).
    pending: Vec<(Instant, u64)>,
    visible_latency: LatencyHistogram,
    /// The same receipt-to-visible latency in rolling windows on engine time.
    processing: crate::domain::stats::window::WindowedLatency,
    /// Its view, recomputed once per second of engine time (merging slots is not free).
    processing_view: (i64, crate::domain::stats::window::WindowedView),
    apply_latency: LatencyHistogram,
    store_dropped_reported: u64,
    notify_dropped_reported: u64,
    memory_checked: Instant,
    /// Engine time and message count of the last "Messages received:" log line.
    rate_logged: Option<(Ts, u64)>,
    limits: ParseLimits,
    /// Reused for every frame, so parsing allocates nothing per frame.
    msgs: Vec<Msg>,
    issues: Vec<ParseIssue>,
}

pub async fn run(
    state: EngineState,
    io: EngineIo,
    opts: EngineOptions,
    cancel: CancellationToken,
) -> (EngineExit, Arc<Snapshot>) {
    let now = Instant::now();
    let mut e = Engine {
        state,
        io,
        seq: 0,
        started: now,
        finished_elapsed: None,
        last_publish: now,
        dirty: true,
        pending: Vec::new(),
        visible_latency: LatencyHistogram::new(),
        processing: crate::domain::stats::window::WindowedLatency::new(),
        processing_view: (i64::MIN, Default::default()),
        apply_latency: LatencyHistogram::new(),
        store_dropped_reported: 0,
        notify_dropped_reported: 0,
        memory_checked: now,
        rate_logged: None,
        limits: opts.limits.clone(),
        msgs: Vec::with_capacity(64),
        issues: Vec::new(),
    };
    let mut publish_tick = tokio::time::interval(PUBLISH_INTERVAL);
    publish_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut clock_tick = tokio::time::interval(Duration::from_millis(state::TICK_MS as u64));
    clock_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut feed_open = true;
    e.forward(opts.startup);
    let exit = loop {
        tokio::select! {
            biased;
            () = cancel.cancelled() => break EngineExit::Cancelled,
            req = e.io.cmd_rx.recv() => match req {
                Some(Request { command: Command::Quit, .. }) | None => break EngineExit::Quit,
                Some(Request { command, reply }) => {
                    let answer = e.command(command);
                    // Published before answering, so a caller told "done" reads the
                    // change in its next GET; commands are rare, so this costs nothing.
                    e.publish();
                    Request::answer(reply, answer);
                }
            },
            item = e.io.feed_rx.recv(), if feed_open => match item {
                Some(FeedEvent::ReplayEnd) => {
                    e.finished_elapsed = Some(e.started.elapsed());
                    let mut fx = Effects::default();
                    e.state.replay_finished(&mut fx);
                    e.forward(fx);
                    e.publish();
                    if !opts.hold {
                        break EngineExit::ReplayEnded;
                    }
                }
                Some(item) => e.apply(item),
                None => feed_open = false,
            },
            _ = publish_tick.tick() => {
                if e.dirty {
                    e.publish();
                }
            }
            _ = clock_tick.tick(), if opts.live_clock.is_some() => {
                if let Some(c) = opts.live_clock.as_ref() {
                    let mut fx = Effects::default();
                    e.measure_memory();
                    e.log_message_rate();
                    e.state.tick(c.now(), &mut fx);
                    e.forward(fx);
                    e.dirty = true;
                }
            }
        }
        if e.dirty && e.last_publish.elapsed() >= PUBLISH_INTERVAL {
            e.publish();
        }
    };
    // The minute in progress is kept too, so a restart continues it rather than
    // losing up to a minute of SLO data (the store merges the two halves).
    let mut fx = Effects::default();
    e.state.close_slo_minute(&mut fx);
    e.forward(fx);
    e.publish();
    let last = e.io.snap_tx.borrow().clone();
    (exit, last)
}
