//! Starts the replay feed and the engine task wired together, for the app, the
//! integration tests and the benches alike: one place that connects the channels.

use crate::engine::channels::{Meters, COMMAND_CAPACITY, FEED_CAPACITY};
use crate::engine::snapshot::{Mode, Perf, Snapshot};
use crate::engine::state::{EngineState, StateConfig};
use crate::engine::{self, Command, EngineExit, EngineIo, EngineOptions};
use crate::event::Event;
use crate::fixture::reader::{FixtureError, FixtureReader};
use crate::fixture::replay::{self, ReplayOptions, ReplayStats, Speed};
use crate::store::StoreMsg;
use crate::types::Symbol;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub struct ReplaySetup {
    pub mode: Mode,
    pub speed: Speed,
    pub feed: String,
    /// `None`: the fixture's own symbols.
    pub watchlist: Option<Vec<Symbol>>,
    /// Keep the engine running after the fixture ends.
    pub hold: bool,
    pub store_tx: Option<mpsc::Sender<StoreMsg>>,
    pub out_tx: Option<mpsc::Sender<Event>>,
    pub meters: Meters,
}

impl ReplaySetup {
    pub fn new(mode: Mode, speed: Speed) -> ReplaySetup {
        ReplaySetup {
            mode,
            speed,
            feed: "iex".into(),
            watchlist: None,
            hold: false,
            store_tx: None,
            out_tx: None,
            meters: Meters::default(),
        }
    }
}

pub struct Running {
    pub snapshots: watch::Receiver<Arc<Snapshot>>,
    pub commands: mpsc::Sender<Command>,
    pub meters: Meters,
    pub cancel: CancellationToken,
    pub engine: JoinHandle<(EngineExit, Arc<Snapshot>)>,
    pub replay: std::thread::JoinHandle<ReplayStats>,
}

/// Spawns the engine on the current tokio runtime and the replay on its own thread.
pub fn start(reader: FixtureReader, setup: ReplaySetup) -> std::io::Result<Running> {
    let meters = setup.meters;
    let (feed_tx, feed_rx) = mpsc::channel(FEED_CAPACITY);
    let (cmd_tx, cmd_rx) = mpsc::channel(COMMAND_CAPACITY);
    let watchlist = setup.watchlist.unwrap_or_else(|| {
        reader
            .header()
            .symbols
            .iter()
            .map(|s| Symbol::new(s))
            .collect()
    });
    let mut state = EngineState::new(StateConfig {
        mode: setup.mode,
        feed: setup.feed,
        watchlist,
        started_at: reader.start(),
        replay_name: Some(reader.header().name.clone()),
    });
    state.set_replay_speed(&setup.speed.to_string());
    let (snap_tx, snap_rx) =
        watch::channel(Arc::new(state.snapshot(0, Perf::default(), meters.stats())));
    let cancel = CancellationToken::new();
    let io = EngineIo {
        feed_rx,
        cmd_rx,
        snap_tx,
        store_tx: setup.store_tx,
        out_tx: setup.out_tx,
        stream_tx: None,
        meters: meters.clone(),
    };
    let opts = EngineOptions {
        live_clock: None,
        hold: setup.hold,
        limits: crate::wire::ParseLimits::default(),
    };
    let engine = tokio::spawn(engine::run(state, io, opts, cancel.clone()));
    let replay_opts = ReplayOptions {
        speed: setup.speed,
        ..ReplayOptions::default()
    };
    let replay = match replay::spawn(
        reader,
        replay_opts,
        feed_tx,
        meters.feed.clone(),
        cancel.clone(),
    ) {
        Ok(r) => r,
        Err(e) => {
            cancel.cancel();
            return Err(e);
        }
    };
    Ok(Running {
        snapshots: snap_rx,
        commands: cmd_tx,
        meters,
        cancel,
        engine,
        replay,
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
    let running = start(reader, ReplaySetup::new(Mode::Replay, speed))?;
    let (_, last) = running.engine.await?;
    let _ = tokio::task::spawn_blocking(move || running.replay.join()).await;
    Ok(last)
}

pub async fn replay_headless(path: &Path) -> Result<Arc<Snapshot>, PipelineError> {
    replay_to_end(FixtureReader::open(path)?, Speed::Max).await
}
