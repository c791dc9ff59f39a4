//! The notifier wired to the engine: its input is the engine's bounded `notify`
//! channel, its reports go back on the feed channel. It runs in every mode (configured
//! channels fire in replay and demo too; none are configured by default), on the wall
//! clock unless a live clock is given, because rate limits protect a receiver in real
//! time, not fixture time.

use crate::domain::alerts::AlertChange;
use crate::domain::clock::{Clock, SystemClock};
use crate::engine::snapshot::Snapshot;
use crate::engine::EngineExit;
use crate::messages::FeedEvent;
use crate::outputs::notify::task::{self, ReportTo};
use crate::outputs::notify::NotifyConfig;
use crate::plumbing::channels::{Meters, NOTIFY_CAPACITY};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a finished engine waits for the notifier to send what is queued.
const DRAIN_SECS: u64 = 5;

/// The engine's end of the notify channel, and the receiver for [`attach`].
pub(super) fn channel(
    cfg: &NotifyConfig,
) -> (
    Option<mpsc::Sender<AlertChange>>,
    Option<mpsc::Receiver<AlertChange>>,
) {
    if cfg.channels.is_empty() {
        return (None, None);
    }
    let (tx, rx) = mpsc::channel(NOTIFY_CAPACITY);
    (Some(tx), Some(rx))
}

/// Spawns the notifier and returns an engine handle that, once the engine is done,
/// also waits (up to [`DRAIN_SECS`]) for the last notifications to go out.
pub(super) fn attach(
    engine: JoinHandle<(EngineExit, Arc<Snapshot>)>,
    cfg: NotifyConfig,
    input: mpsc::Receiver<AlertChange>,
    clock: Option<Arc<dyn Clock>>,
    feed_tx: mpsc::Sender<FeedEvent>,
    meters: &Meters,
    cancel: CancellationToken,
) -> JoinHandle<(EngineExit, Arc<Snapshot>)> {
    let clock = clock.unwrap_or_else(|| Arc::new(SystemClock));
    let report = ReportTo {
        feed_tx,
        meter: meters.feed.clone(),
    };
    let notifier = task::spawn(cfg, clock, input, report, cancel);
    tokio::spawn(async move {
        let out = engine.await;
        let _ = tokio::time::timeout(Duration::from_secs(DRAIN_SECS), notifier).await;
        match out {
            Ok(v) => v,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => std::panic::resume_unwind(Box::new("the engine task was cancelled")),
        }
    })
}
