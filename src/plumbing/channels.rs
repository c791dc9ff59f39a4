//! Every channel in tapewatch is bounded, and each has a written overflow policy and
//! a meter the UI shows. This module holds the meters and the two send policies.
//!
//! | channel    | from → to              | capacity | when full                                   |
//! |------------|------------------------|----------|---------------------------------------------|
//! | `feed`     | feeds → engine         | 64       | backpressure: the feed waits (lossless)      |
//! | `commands` | UI, API → engine       | 64       | reject: the caller is told (API answers 503) |
//! | `commands` (attach) | UI → remote forwarder | 64 | reject: the status line says so        |
//! | `store`    | engine → SQLite writer | 8192     | drop the newest, count it, warn in the log   |
//! | `stdout`   | engine → headless out  | 4096     | drop the newest, count it, report in summary |
//! | `record`   | stream → `--record`    | 16384    | drop the newest, count it: never stall ingest |
//! | `notify`   | engine → notifier      | 256      | drop the newest, count it, warn in the log  |
//! | `backfill` | engine → bars backfill | 64       | drop the newest, count it: that chart starts empty |
//!
//! Snapshots travel on a `watch` channel, which by design holds only the latest; so do
//! an attached screen's snapshots and its link status, and `/api/stream`'s frames.

use crate::messages::health::ChannelStat;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

pub const FEED_CAPACITY: usize = 64;
pub const COMMAND_CAPACITY: usize = 64;
pub const STORE_CAPACITY: usize = 8192;
pub const STDOUT_CAPACITY: usize = 4096;
pub const NOTIFY_CAPACITY: usize = 256;
pub const RECORD_CAPACITY: usize = 16_384;
pub const BACKFILL_CAPACITY: usize = 64;

#[derive(Debug)]
pub struct Meter {
    pub name: &'static str,
    pub capacity: usize,
    pub policy: &'static str,
    full: AtomicU64,
    dropped: AtomicU64,
}

impl Meter {
    pub fn new(name: &'static str, capacity: usize, policy: &'static str) -> Arc<Meter> {
        Arc::new(Meter {
            name,
            capacity,
            policy,
            full: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        })
    }

    pub fn stat(&self) -> ChannelStat {
        ChannelStat {
            name: self.name.into(),
            capacity: self.capacity,
            policy: self.policy.into(),
            full: self.full.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
        }
    }

    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// The meters of one running engine, in display order.
#[derive(Clone, Debug)]
pub struct Meters {
    pub feed: Arc<Meter>,
    pub commands: Arc<Meter>,
    pub store: Arc<Meter>,
    pub stdout: Arc<Meter>,
    pub record: Arc<Meter>,
    pub notify: Arc<Meter>,
    pub backfill: Arc<Meter>,
}

impl Default for Meters {
    fn default() -> Self {
        Meters {
            feed: Meter::new("feed", FEED_CAPACITY, "backpressure"),
            commands: Meter::new("commands", COMMAND_CAPACITY, "reject"),
            store: Meter::new("store", STORE_CAPACITY, "drop-newest"),
            stdout: Meter::new("stdout", STDOUT_CAPACITY, "drop-newest"),
            record: Meter::new("record", RECORD_CAPACITY, "drop-newest"),
            notify: Meter::new("notify", NOTIFY_CAPACITY, "drop-newest"),
            backfill: Meter::new("backfill", BACKFILL_CAPACITY, "drop-newest"),
        }
    }
}

impl Meters {
    pub fn stats(&self) -> Vec<ChannelStat> {
        [
            &self.feed,
            &self.commands,
            &self.store,
            &self.stdout,
            &self.record,
            &self.notify,
            &self.backfill,
        ]
        .into_iter()
        .map(|m| m.stat())
        .collect()
    }
}

/// Lossless send: waits when the channel is full, counting that it had to.
/// Errs only when the receiver is gone.
pub async fn send_wait<T>(tx: &mpsc::Sender<T>, meter: &Meter, item: T) -> Result<(), T> {
    match tx.try_send(item) {
        Ok(()) => Ok(()),
        Err(mpsc::error::TrySendError::Full(item)) => {
            meter.full.fetch_add(1, Ordering::Relaxed);
            tx.send(item).await.map_err(|e| e.0)
        }
        Err(mpsc::error::TrySendError::Closed(item)) => Err(item),
    }
}

/// The blocking-thread twin of [`send_wait`], for feeds that run on their own thread.
pub fn blocking_send_wait<T>(tx: &mpsc::Sender<T>, meter: &Meter, item: T) -> Result<(), T> {
    match tx.try_send(item) {
        Ok(()) => Ok(()),
        Err(mpsc::error::TrySendError::Full(item)) => {
            meter.full.fetch_add(1, Ordering::Relaxed);
            tx.blocking_send(item).map_err(|e| e.0)
        }
        Err(mpsc::error::TrySendError::Closed(item)) => Err(item),
    }
}

/// Why a non-waiting send did not deliver.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrySendError {
    #[error("channel {0} is full")]
    Full(&'static str),
    #[error("channel {0} is closed")]
    Closed(&'static str),
}

/// Non-waiting send for `reject` and `drop-newest` channels: on a full channel the
/// item is not sent and the meter counts it.
pub fn try_send_counted<T>(
    tx: &mpsc::Sender<T>,
    meter: &Meter,
    item: T,
) -> Result<(), TrySendError> {
    match tx.try_send(item) {
        Ok(()) => Ok(()),
        Err(mpsc::error::TrySendError::Full(_)) => {
            meter.full.fetch_add(1, Ordering::Relaxed);
            meter.dropped.fetch_add(1, Ordering::Relaxed);
            Err(TrySendError::Full(meter.name))
        }
        Err(mpsc::error::TrySendError::Closed(_)) => Err(TrySendError::Closed(meter.name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn full_channel_policies_are_counted() {
        let meter = Meter::new("t", 1, "drop-newest");
        let (tx, mut rx) = mpsc::channel(1);
        assert_eq!(try_send_counted(&tx, &meter, 1), Ok(()));
        assert_eq!(
            try_send_counted(&tx, &meter, 2),
            Err(TrySendError::Full("t"))
        );
        assert_eq!((meter.stat().full, meter.stat().dropped), (1, 1));
        assert_eq!(rx.recv().await, Some(1));
        // Backpressure waits instead of dropping.
        tx.try_send(3).unwrap();
        let waiter = tokio::spawn({
            let tx = tx.clone();
            let meter = meter.clone();
            async move { send_wait(&tx, &meter, 4).await }
        });
        // Let the waiter find the channel full before we make room.
        tokio::task::yield_now().await;
        assert_eq!(rx.recv().await, Some(3));
        assert_eq!(waiter.await.unwrap(), Ok(()));
        assert_eq!(rx.recv().await, Some(4));
        assert_eq!(meter.stat().full, 2);
        assert_eq!(meter.stat().dropped, 1);
        drop(rx);
        assert_eq!(
            try_send_counted(&tx, &meter, 5),
            Err(TrySendError::Closed("t"))
        );
    }
}
