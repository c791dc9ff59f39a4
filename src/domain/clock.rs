//! Time as an injected dependency. Everything that needs "now" asks a [`Clock`], so
//! replay can run on a virtual clock driven by the fixture and tests on a manual one.

use crate::domain::types::Ts;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub trait Clock: Send + Sync {
    fn now(&self) -> Ts;
}

/// Wall-clock time, for live sessions.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Ts {
        let now = chrono::Utc::now();
        Ts(now.timestamp_nanos_opt().unwrap_or(i64::MAX))
    }
}

/// A clock that moves only when told to: the replay's virtual clock and the tests' clock.
/// Cloning shares the same time.
#[derive(Clone, Debug, Default)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new(start: Ts) -> ManualClock {
        ManualClock(Arc::new(AtomicI64::new(start.0)))
    }
    pub fn set(&self, t: Ts) {
        self.0.store(t.0, Ordering::Release);
    }
    pub fn advance_millis(&self, ms: i64) {
        self.0
            .fetch_add(ms.saturating_mul(1_000_000), Ordering::AcqRel);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Ts {
        Ts(self.0.load(Ordering::Acquire))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_is_shared_between_clones() {
        let c = ManualClock::new(Ts::from_secs(10));
        let d = c.clone();
        c.advance_millis(1500);
        assert_eq!(d.now(), Ts::from_millis(11_500));
        d.set(Ts::from_secs(1));
        assert_eq!(c.now(), Ts::from_secs(1));
    }

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.now() > Ts::from_secs(1_577_836_800));
    }
}
