//! Starts a feed (replay or the live Alpaca stream) and the engine task wired
//! together, for the app, the integration tests and the benches alike: one place
//! that connects the channels.

use crate::domain::clock::{Clock, SystemClock};
use crate::domain::event::Event;
use crate::domain::types::{Symbol, Ts};
use crate::domain::wire::ParseLimits;
use crate::engine::snapshot::{Mode, Perf, Snapshot};
use crate::engine::state::{EngineState, StateConfig};
use crate::engine::{self, EngineExit, EngineIo, EngineOptions};
use crate::messages::store::StoreMsg;
use crate::messages::FeedEvent;
use crate::messages::Request;
use crate::messages::StreamControl;
use crate::plumbing::channels::{Meters, COMMAND_CAPACITY, FEED_CAPACITY};
use crate::sources::alpaca::stream::{StreamConfig, StreamTask};
use crate::sources::fixture::reader::{FixtureError, FixtureReader};
use crate::sources::fixture::replay::{self, ReplayOptions, ReplayStats, Speed};
pub mod conditions;
mod live;
mod notifier;
mod rest;

pub use live::{market_calendar, start_live, MarketOpen};

use crate::messages::yahoo::PollPlan;
use crate::plumbing::http::{build_client, HttpClientConfig};
use crate::sources::yahoo::poller::{PollerConfig, YahooPoller};
use rest::spawn_rest;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// What every run shares, replay or live.
pub struct Setup {
    pub mode: Mode,
    pub feed: String,
    /// `None` in replay: the fixture's own symbols.
    pub watchlist: Option<Vec<Symbol>>,
    /// Keep the engine running after a replay ends.
    pub hold: bool,
    pub store_tx: Option<mpsc::Sender<StoreMsg>>,
    pub out_tx: Option<mpsc::Sender<Event>>,
    pub meters: Meters,
    pub limits: ParseLimits,
    /// `--record` (live only).
    pub recorder: Option<crate::sources::fixture::record::Recorder>,
    pub routing: crate::engine::state::RoutingConfig,
    pub validation: crate::domain::validate::ValidationConfig,
    /// The live Yahoo poller (standby probes and the fallback); `None` disables it.
    pub yahoo: Option<PollerConfig>,
    /// Where message latencies go for `alpaca_message_latency_seconds`.
    pub latency_sink: Option<metrics::Histogram>,
    /// Config lots (or the demo's portfolio) and the P&L limits.
    pub lots: Vec<crate::domain::portfolio::Lot>,
    pub portfolio: crate::domain::portfolio::PortfolioConfig,
    /// The Alpaca Trading API poller (live only; needs credentials).
    pub rest: Option<crate::sources::alpaca::rest::RestConfig>,
    /// SLO minutes and alert history of earlier live runs (live only).
    pub history: Option<(
        Vec<crate::domain::slo::MinuteBucket>,
        Vec<crate::domain::alerts::AlertRecord>,
    )>,
    /// Notification channels; none by default, in any mode.
    pub notify: crate::outputs::notify::NotifyConfig,
    /// The HTTP API's base URL, for the runbook commands alert events quote.
    pub api_base: Option<String>,
    /// Config warnings, logged as events when the engine starts.
    pub warnings: Vec<String>,
    /// Effects of state set up before the engine runs (e.g. the fallback found
    /// unusable), forwarded when it starts so they are logged and stored too.
    pub early: crate::engine::state::Effects,
    /// How to read the fixture again: set, a replay can start over (`R` in the TUI)
    /// and its thread stays after the end.
    pub reopen: Option<crate::sources::fixture::replay::Reopen>,
    /// The fixture's length in ms, for the progress bar (see `fixture::span`).
    pub replay_span_ms: Option<i64>,
    /// Alpaca's market-data bars endpoint, for backfilling charts (live only).
    pub bars: Option<crate::sources::alpaca::bars::BarsConfig>,
    /// Where the engine asks for backfills (set by `start_live` when `bars` is).
    backfill_tx: Option<mpsc::Sender<Vec<Symbol>>>,
}

impl Setup {
    pub fn new(mode: Mode) -> Setup {
        Setup {
            mode,
            feed: "iex".into(),
            watchlist: None,
            hold: false,
            store_tx: None,
            out_tx: None,
            meters: Meters::default(),
            limits: ParseLimits::default(),
            recorder: None,
            routing: Default::default(),
            validation: Default::default(),
            yahoo: None,
            latency_sink: None,
            lots: Vec::new(),
            portfolio: Default::default(),
            rest: None,
            history: None,
            notify: Default::default(),
            api_base: None,
            warnings: Vec::new(),
            early: Default::default(),
            reopen: None,
            replay_span_ms: None,
            bars: None,
            backfill_tx: None,
        }
    }
}

pub enum FeedHandle {
    Replay(std::thread::JoinHandle<ReplayStats>),
    Live(JoinHandle<()>),
}

impl FeedHandle {
    /// Waits for the feed to stop (it stops on cancel, at a replay's end, or when
    /// the engine is gone).
    pub async fn join(self) {
        match self {
            FeedHandle::Replay(t) => {
                let _ = tokio::task::spawn_blocking(move || t.join()).await;
            }
            FeedHandle::Live(t) => {
                let _ = t.await;
            }
        }
    }
}

pub struct Running {
    pub snapshots: watch::Receiver<Arc<Snapshot>>,
    pub commands: mpsc::Sender<Request>,
    pub meters: Meters,
    pub cancel: CancellationToken,
    pub engine: JoinHandle<(EngineExit, Arc<Snapshot>)>,
    pub feed: FeedHandle,
}

struct Engine {
    snapshots: watch::Receiver<Arc<Snapshot>>,
    commands: mpsc::Sender<Request>,
    feed_tx: mpsc::Sender<FeedEvent>,
    cancel: CancellationToken,
    engine: JoinHandle<(EngineExit, Arc<Snapshot>)>,
}

#[allow(clippy::too_many_arguments)]
fn spawn_engine(
    mut state: EngineState,
    setup: &mut Setup,
    pace: (
        Option<Speed>,
        Option<Arc<crate::messages::replay::RestartSignal>>,
    ),
    live_clock: Option<Arc<dyn Clock>>,
    stream_tx: Option<mpsc::Sender<StreamControl>>,
    plan_tx: Option<watch::Sender<PollPlan>>,
    rest_hold_tx: Option<watch::Sender<Option<Ts>>>,
) -> Engine {
    let mut startup = std::mem::take(&mut setup.early);
    for w in setup.warnings.drain(..) {
        state.config_warning(w, &mut startup);
    }
    let (feed_tx, feed_rx) = mpsc::channel(FEED_CAPACITY);
    let (cmd_tx, cmd_rx) = mpsc::channel(COMMAND_CAPACITY);
    let first = Arc::new(state.snapshot(0, Perf::default(), setup.meters.stats()));
    let (snap_tx, snap_rx) = watch::channel(first);
    let cancel = CancellationToken::new();
    let notify_cfg = std::mem::take(&mut setup.notify);
    let (notify_tx, notify_rx) = notifier::channel(&notify_cfg);
    let io = EngineIo {
        notify_tx,
        feed_rx,
        cmd_rx,
        snap_tx,
        store_tx: setup.store_tx.take(),
        out_tx: setup.out_tx.take(),
        stream_tx,
        plan_tx,
        rest_hold_tx,
        latency_sink: setup.latency_sink.clone(),
        meters: setup.meters.clone(),
        backfill_tx: setup.backfill_tx.take(),
    };
    let opts = EngineOptions {
        live_clock,
        hold: setup.hold,
        limits: setup.limits.clone(),
        startup,
        speed: pace.0,
        restart: pace.1,
    };
    let notify_clock = opts.live_clock.clone();
    let mut engine = tokio::spawn(engine::run(state, io, opts, cancel.clone()));
    if let Some(rx) = notify_rx {
        engine = notifier::attach(
            engine,
            notify_cfg,
            rx,
            notify_clock,
            feed_tx.clone(),
            &setup.meters,
            cancel.clone(),
        );
    }
    Engine {
        snapshots: snap_rx,
        commands: cmd_tx,
        feed_tx,
        cancel,
        engine,
    }
}

/// Spawns the engine on the current tokio runtime and the replay on its own thread.
pub fn start(reader: FixtureReader, mut setup: Setup, speed: Speed) -> std::io::Result<Running> {
    let watchlist = setup.watchlist.take().unwrap_or_else(|| {
        reader
            .header()
            .symbols
            .iter()
            .map(|s| Symbol::new(s))
            .collect()
    });
    let mut state = EngineState::new(StateConfig {
        mode: setup.mode,
        feed: setup.feed.clone(),
        watchlist,
        started_at: reader.start(),
        replay_name: Some(reader.header().name.clone()),
        routing: setup.routing.clone(),
        validation: setup.validation.clone(),
    });
    state.set_replay_speed(&speed.to_string());
    state.set_replay_span(setup.replay_span_ms);
    state.set_api_base(setup.api_base.clone());
    let fx = state.set_lots(setup.lots.clone(), setup.portfolio.clone());
    setup.early.absorb(fx);
    let restart = setup.reopen.take().map(|reopen| replay::Restart {
        signal: Arc::new(crate::messages::replay::RestartSignal::default()),
        reopen,
    });
    let signal = restart.as_ref().map(|r| Arc::clone(&r.signal));
    let e = spawn_engine(
        state,
        &mut setup,
        (Some(speed), signal),
        None,
        None,
        None,
        None,
    );
    let opts = ReplayOptions {
        restart,
        limits: setup.limits.clone(),
        ..ReplayOptions::default()
    };
    let replay = match replay::spawn(reader, opts, e.feed_tx, e.cancel.clone()) {
        Ok(r) => r,
        Err(err) => {
            e.cancel.cancel();
            return Err(err);
        }
    };
    Ok(Running {
        snapshots: e.snapshots,
        commands: e.commands,
        meters: setup.meters,
        cancel: e.cancel,
        engine: e.engine,
        feed: FeedHandle::Replay(replay),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Fixture(#[from] FixtureError),
    #[error("cannot start the replay thread: {0}")]
    Spawn(#[from] std::io::Error),
    #[error("the engine task failed: {0}")]
    Engine(#[from] tokio::task::JoinError),
}

/// Replays a fixture to its end with nothing attached and returns the final snapshot.
pub async fn replay_to_end(
    reader: FixtureReader,
    speed: Speed,
) -> Result<Arc<Snapshot>, PipelineError> {
    let running = start(reader, Setup::new(Mode::Replay), speed)?;
    let (_, last) = running.engine.await?;
    running.feed.join().await;
    Ok(last)
}

pub async fn replay_headless(path: &Path) -> Result<Arc<Snapshot>, PipelineError> {
    replay_to_end(FixtureReader::open(path)?, Speed::Max).await
}

/// The wall clock, for live runs.
pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}
