//! The database writer: a dedicated OS thread that owns the [`Store`] and turns a stream of
//! [`StoreMsg`]s into batched transactions, so SQLite's blocking I/O never touches the ingest
//! path or the async runtime.

use super::{Store, StoreError};
use crate::domain::event::Event;
use crate::messages::store::StoreMsg;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::{mpsc, oneshot};

/// Most messages folded into one transaction.
///
/// With `synchronous=FULL` every commit costs an fsync (about a millisecond on an SSD, far
/// more on a slow disk), while inserting a row through a cached statement costs a few
/// microseconds. Batching turns "one fsync per event" into "one fsync per burst", which is
/// what lets the writer keep up with event storms (reconnect loops, parse-error floods).
/// The cap keeps each transaction short (a few ms), so a `Flush` queued behind a flood is
/// answered promptly and a crash loses at most one uncommitted batch that nobody was
/// told was safe. It also bounds the memory the writer holds beyond the channel itself.
pub const MAX_BATCH: usize = 512;

/// Counters the writer updates as it goes; read them from any thread.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Event rows committed.
    pub rows_written: AtomicU64,
    /// Transactions committed.
    pub batches: AtomicU64,
    /// Transactions that failed (their rows are dropped, see `rows_dropped`).
    pub errors: AtomicU64,
    /// Event rows lost to failed transactions.
    pub rows_dropped: AtomicU64,
}

/// The running writer thread.
#[derive(Debug)]
pub struct WriterHandle {
    stats: Arc<WriterStats>,
    thread: JoinHandle<Store>,
    path: PathBuf,
}

impl WriterHandle {
    pub fn stats(&self) -> &Arc<WriterStats> {
        &self.stats
    }

    /// True once the thread has ended (every sender was dropped).
    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }

    /// Waits for the thread to end and hands the store back. The thread ends only after
    /// every `Sender` of its channel is dropped, so drop them first or this blocks forever.
    pub fn join(self) -> Result<Store, StoreError> {
        self.thread
            .join()
            .map_err(|_| StoreError::WriterPanicked { path: self.path })
    }
}

/// Starts the writer on a thread named `tapewatch-db`. Events go into `session_id`.
pub fn spawn_writer(
    store: Store,
    session_id: i64,
    rx: mpsc::Receiver<StoreMsg>,
) -> std::io::Result<WriterHandle> {
    let stats = Arc::new(WriterStats::default());
    let path = store.path().to_path_buf();
    let thread_stats = Arc::clone(&stats);
    let thread = std::thread::Builder::new()
        .name("tapewatch-db".into())
        .spawn(move || run(store, session_id, rx, &thread_stats))?;
    Ok(WriterHandle {
        stats,
        thread,
        path,
    })
}

fn run(
    mut store: Store,
    session_id: i64,
    mut rx: mpsc::Receiver<StoreMsg>,
    stats: &WriterStats,
) -> Store {
    let mut batch = Batch::default();
    batch.events.reserve(MAX_BATCH);
    let mut flushes: Vec<oneshot::Sender<()>> = Vec::new();
    // blocking_recv returns None once every sender is gone and the queue is empty, so the
    // last batch is always written before the thread ends.
    while let Some(first) = rx.blocking_recv() {
        let mut taken = 1;
        take(first, &mut batch, &mut flushes);
        while taken < MAX_BATCH {
            match rx.try_recv() {
                Ok(msg) => {
                    take(msg, &mut batch, &mut flushes);
                    taken += 1;
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        let ok = write_batch(&mut store, session_id, &batch, stats);
        batch.clear();
        for flush in flushes.drain(..) {
            if ok {
                // The waiter may have given up; that's its business.
                let _ = flush.send(());
            }
        }
    }
    tracing::debug!(
        rows_written = stats.rows_written.load(Ordering::Relaxed),
        errors = stats.errors.load(Ordering::Relaxed),
        "database writer finished"
    );
    store
}

/// What one transaction writes.
#[derive(Default)]
struct Batch {
    events: Vec<Event>,
    transitions: Vec<crate::domain::router::Transition>,
    slo_minutes: Vec<crate::domain::slo::MinuteBucket>,
    alerts: Vec<crate::domain::alerts::AlertRecord>,
}

impl Batch {
    fn len(&self) -> usize {
        self.events.len() + self.transitions.len() + self.slo_minutes.len() + self.alerts.len()
    }

    fn clear(&mut self) {
        self.events.clear();
        self.transitions.clear();
        self.slo_minutes.clear();
        self.alerts.clear();
    }
}

fn take(msg: StoreMsg, batch: &mut Batch, flushes: &mut Vec<oneshot::Sender<()>>) {
    match msg {
        StoreMsg::Event(event) => batch.events.push(event),
        StoreMsg::Transition(t) => batch.transitions.push(t),
        StoreMsg::SloMinute(b) => batch.slo_minutes.push(b),
        StoreMsg::Alert(a) => batch.alerts.push(a),
        StoreMsg::Flush(tx) => flushes.push(tx),
    }
}

/// Writes one batch; false if it failed. A failure is logged and counted, never fatal:
/// losing some event rows beats stopping the dashboard.
fn write_batch(store: &mut Store, session_id: i64, b: &Batch, stats: &WriterStats) -> bool {
    if b.len() == 0 {
        return true;
    }
    match store.insert_all(
        session_id,
        &b.events,
        &b.transitions,
        &b.slo_minutes,
        &b.alerts,
    ) {
        Ok(rows) => {
            stats.rows_written.fetch_add(rows as u64, Ordering::Relaxed);
            stats.batches.fetch_add(1, Ordering::Relaxed);
            true
        }
        Err(e) => {
            let errors = stats.errors.fetch_add(1, Ordering::Relaxed) + 1;
            stats
                .rows_dropped
                .fetch_add(b.len() as u64, Ordering::Relaxed);
            tracing::warn!(error = %e, rows = b.len(), errors, "dropped a batch of events");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{EventKind, Level};
    use crate::domain::types::Ts;

    fn ev(i: i64, message: &str) -> StoreMsg {
        StoreMsg::Event(Event::new(Ts(i), Level::Info, EventKind::Command, message))
    }

    fn flush(tx: &mpsc::Sender<StoreMsg>) -> Result<(), oneshot::error::RecvError> {
        let (done_tx, done_rx) = oneshot::channel();
        tx.blocking_send(StoreMsg::Flush(done_tx))
            .map_err(|_| ())
            .unwrap();
        done_rx.blocking_recv()
    }

    #[test]
    fn failed_batch_is_counted_and_writer_keeps_going() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .conn
            .execute_batch(
                "CREATE TRIGGER fail_boom BEFORE INSERT ON events WHEN NEW.message = 'boom'
                 BEGIN SELECT RAISE(ABORT, 'boom'); END;",
            )
            .unwrap();
        let sid = store.begin_session(Ts(0), "test").unwrap();
        let (tx, rx) = mpsc::channel(16);
        let handle = spawn_writer(store, sid, rx).unwrap();

        tx.blocking_send(ev(1, "fine")).map_err(|_| ()).unwrap();
        tx.blocking_send(ev(2, "boom")).map_err(|_| ()).unwrap();
        // If both events landed in one batch, the whole batch failed; either way the
        // flush must not claim success for a failed commit.
        let first = flush(&tx);
        tx.blocking_send(ev(3, "after")).map_err(|_| ()).unwrap();
        assert!(flush(&tx).is_ok(), "writer recovered after a failed batch");

        let stats = Arc::clone(handle.stats());
        drop(tx);
        let store = handle.join().unwrap();
        assert_eq!(stats.errors.load(Ordering::Relaxed), 1);
        assert!(stats.rows_dropped.load(Ordering::Relaxed) >= 1);
        let messages: Vec<String> = store
            .recent_events(10)
            .unwrap()
            .into_iter()
            .map(|e| e.message)
            .collect();
        assert!(messages.contains(&"after".to_string()), "{messages:?}");
        assert!(!messages.contains(&"boom".to_string()));
        if first.is_ok() {
            // "fine" was committed in its own batch before "boom" arrived.
            assert!(messages.contains(&"fine".to_string()));
        }
    }

    #[test]
    fn batches_are_capped() {
        let mut store = Store::open_in_memory().unwrap();
        let sid = store.begin_session(Ts(0), "test").unwrap();
        let n = MAX_BATCH * 3 + 1;
        let (tx, rx) = mpsc::channel(n + 1);
        for i in 0..n {
            tx.try_send(ev(i as i64, "x")).map_err(|_| ()).unwrap();
        }
        drop(tx);
        // Everything is queued before the writer starts, so the batching is deterministic.
        let handle = spawn_writer(store, sid, rx).unwrap();
        let stats = Arc::clone(handle.stats());
        let store = handle.join().unwrap();
        assert_eq!(stats.batches.load(Ordering::Relaxed), 4);
        assert_eq!(stats.rows_written.load(Ordering::Relaxed), n as u64);
        assert_eq!(store.count_events().unwrap(), n as u64);
    }
}
