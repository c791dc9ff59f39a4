//! The engine task: the one owner of mutable state. It drains the feed and command
//! channels, parses Alpaca frames, applies each input to the pure [`state::EngineState`], forwards the
//! resulting events to the store and the headless printer, and publishes an
//! `Arc<Snapshot>` on a `watch` channel at most every [`PUBLISH_INTERVAL`]. A command
//! is answered on its [`Request`]'s reply channel with what the state decided.

pub mod doc;
pub mod event_log;
mod pacing;
mod shell;
pub mod snapshot;
pub mod state;

use crate::domain::clock::Clock;
use crate::domain::event::{Event, Level};
use crate::domain::stats::LatencyHistogram;
use crate::domain::types::Ts;
use crate::domain::wire::{parse_frame_into, Msg, ParseIssue, ParseLimits};
use crate::messages::store::StoreMsg;
use crate::messages::Command;
use crate::messages::FeedEvent;
use crate::messages::Request;
use crate::messages::StreamControl;
use crate::plumbing::channels::{try_send_counted, Meters};
use snapshot::{Perf, Snapshot};
use state::{Effects, EngineState};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

/// Snapshots are coalesced to at most 20 per second: faster than a person reads,
/// slow enough that building them never competes with ingest.
pub const PUBLISH_INTERVAL: Duration = Duration::from_millis(50);

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
    pub plan_tx: Option<watch::Sender<crate::messages::yahoo::PollPlan>>,
    pub meters: Meters,
    /// Alert changes for the notifier (none when no notification channel is configured).
    pub notify_tx: Option<mpsc::Sender<crate::domain::alerts::AlertChange>>,
    /// Symbols whose bars the live backfill task should fetch (none in replay).
    pub backfill_tx: Option<mpsc::Sender<Vec<crate::domain::types::Symbol>>>,
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
    /// A replay's pace (`None` live): inputs are held until due at this speed.
    pub speed: Option<crate::domain::pace::Speed>,
    /// Set when the replay can start over (`R`): the replay thread watches it.
    pub restart: Option<Arc<crate::messages::replay::RestartSignal>>,
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
    /// The replay clock (holds inputs until due) and replay control.
    pacer: pacing::Pacer,
}

pub async fn run(
    state: EngineState,
    io: EngineIo,
    opts: EngineOptions,
    cancel: CancellationToken,
) -> (EngineExit, Arc<Snapshot>) {
    let now = Instant::now();
    let replay_speed = opts.speed.filter(|_| opts.live_clock.is_none());
    let initial = opts.restart.as_ref().map(|_| state.clone());
    let pacer = pacing::Pacer::new(replay_speed, state.now(), opts.restart.clone(), initial);
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
        pacer,
    };
    let mut publish_tick = tokio::time::interval(PUBLISH_INTERVAL);
    publish_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut clock_tick = tokio::time::interval(Duration::from_millis(state::TICK_MS as u64));
    clock_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut feed_open = true;
    e.forward(opts.startup);
    e.show_pace();
    let exit = loop {
        // The held input's due time (replay pacing); none live, paused or when idle.
        let wake = e.pacer.next_wake();
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
            item = e.io.feed_rx.recv(), if feed_open && e.pacer.held.is_none() => match item {
                Some(item) => {
                    if e.feed_input(item, opts.hold) {
                        break EngineExit::ReplayEnded;
                    }
                }
                None => feed_open = false,
            },
            () = sleep_until_or_never(wake), if wake.is_some() => {
                if e.release_due(opts.hold) {
                    break EngineExit::ReplayEnded;
                }
            }
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

/// Sleeps until `at`; without a deadline, forever (the branch is disabled then).
async fn sleep_until_or_never(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
