//! A [`Clock`] that reads tokio's time, for tests under `start_paused`: the engine
//! clock, the backoff's retry times and the snapshot then all move with virtual
//! time, as the stream task's tokio timers do (the wall clock would stand still).

use std::sync::Arc;
use tapewatch::domain::clock::{Clock, SystemClock};
use tapewatch::domain::types::Ts;

pub struct TokioClock {
    origin: Ts,
    start: tokio::time::Instant,
}

impl TokioClock {
    /// Starts at the wall clock's now, so generated data's timestamps look fresh.
    pub fn shared() -> Arc<TokioClock> {
        Arc::new(TokioClock {
            origin: SystemClock.now(),
            start: tokio::time::Instant::now(),
        })
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Ts {
        let ns = i64::try_from(self.start.elapsed().as_nanos()).unwrap_or(i64::MAX);
        Ts(self.origin.0.saturating_add(ns))
    }
}
