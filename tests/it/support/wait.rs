//! Waiting on the engine's published snapshots in the pipeline tests, on tokio time
//! (so it works under a paused clock too).

use std::sync::Arc;
use std::time::Duration;
use tapewatch::app::pipeline::Running;
use tapewatch::engine::snapshot::Snapshot;

/// The first snapshot for which `pred` holds; panics with the router, Alpaca and
/// Yahoo state if none does within `wait`.
pub async fn until(
    r: &mut Running,
    wait: Duration,
    what: &str,
    pred: impl Fn(&Snapshot) -> bool,
) -> Arc<Snapshot> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let snap = r.snapshots.borrow_and_update().clone();
        if pred(&snap) {
            return snap;
        }
        if tokio::time::timeout_at(deadline, r.snapshots.changed())
            .await
            .is_err()
        {
            panic!(
                "timed out waiting for {what}; router {:?}, alpaca {:?}, yahoo {:?}",
                snap.router.connection_state, snap.alpaca.state, snap.yahoo
            );
        }
    }
}
