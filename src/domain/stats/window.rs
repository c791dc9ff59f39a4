//! Rolling-window latency: percentiles over the last minute, the last five minutes and
//! since start, plus a per-minute p99 history for the TUI sparkline. Time comes from
//! the caller (engine time), so replays produce the same windows at any speed.
//!
//! The windows are a ring of 15-second HDR slots merged on demand. Slots use two
//! significant digits (1% resolution): a percentile does not need more, and it keeps
//! a slot at tens of kilobytes instead of hundreds.

use crate::domain::stats::LatencyView;
use crate::domain::types::Ts;
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

const SLOT_SECS: i64 = 15;
const SLOTS_5M: usize = (300 / SLOT_SECS) as usize;
const SLOTS_1M: usize = (60 / SLOT_SECS) as usize;
/// Minutes of p99 history kept for the sparkline.
pub const HISTORY_MINUTES: usize = 30;
const MAX_US: u64 = 3_600_000_000;

fn hist() -> Option<Histogram<u64>> {
    Histogram::new_with_bounds(1, MAX_US, 2).ok()
}

fn view_of(h: &Histogram<u64>) -> LatencyView {
    if h.is_empty() {
        return LatencyView::default();
    }
    LatencyView {
        count: h.len(),
        p50: h.value_at_quantile(0.50),
        p95: h.value_at_quantile(0.95),
        p99: h.value_at_quantile(0.99),
        p999: h.value_at_quantile(0.999),
        max: h.max(),
    }
}

/// What one latency series looks like now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowedView {
    pub last_1m: LatencyView,
    pub last_5m: LatencyView,
    pub since_start: LatencyView,
    /// Observations per second over the last minute.
    pub rate_per_sec_1m: f64,
    /// p99 of each finished minute, oldest first (µs; 0 for a minute with no data).
    pub p99_by_minute_us: Vec<u64>,
}

#[derive(Clone, Debug)]
pub struct WindowedLatency {
    /// (slot number, histogram), oldest first, at most five minutes' worth.
    slots: VecDeque<(i64, Histogram<u64>)>,
    /// Everything that has left the five-minute ring; since-start is this plus the ring.
    retired: Option<Histogram<u64>>,
    /// The last minute whose p99 went into the history.
    minute_done: Option<i64>,
    history: VecDeque<u64>,
}

impl Default for WindowedLatency {
    fn default() -> Self {
        WindowedLatency::new()
    }
}

const SLOTS_PER_MINUTE: i64 = 60 / SLOT_SECS;

impl WindowedLatency {
    pub fn new() -> WindowedLatency {
        WindowedLatency {
            slots: VecDeque::with_capacity(SLOTS_5M + 1),
            retired: hist(),
            minute_done: None,
            history: VecDeque::with_capacity(HISTORY_MINUTES),
        }
    }

    /// Records `count` observations of `latency_us` made at engine time `at`. One
    /// histogram write; the windows and the history are derived from the slots later.
    #[inline]
    pub fn record_n(&mut self, at: Ts, latency_us: u64, count: u64) {
        let slot = at.as_nanos().div_euclid(SLOT_SECS * 1_000_000_000);
        if self.slots.back().is_none_or(|(s, _)| *s < slot) {
            self.open_slot(slot);
        }
        // A late observation (engine time never goes back, but be safe) lands in the
        // newest slot rather than being lost.
        if let Some((_, h)) = self.slots.back_mut() {
            h.saturating_record_n(latency_us.clamp(1, MAX_US), count);
        }
    }

    #[cold]
    fn open_slot(&mut self, slot: i64) {
        self.roll(slot);
        if let Some(h) = hist() {
            self.slots.push_back((slot, h));
        }
    }

    /// Closes finished minutes into the p99 history and retires slots older than
    /// five minutes, as of slot number `now_slot`.
    fn roll(&mut self, now_slot: i64) {
        let minute = now_slot.div_euclid(SLOTS_PER_MINUTE);
        let first = match (self.minute_done, self.slots.front()) {
            (Some(done), _) => done + 1,
            (None, Some((s, _))) => s.div_euclid(SLOTS_PER_MINUTE),
            (None, None) => minute,
        };
        // Gaps longer than the history are not worth walking minute by minute.
        let first = first.max(minute - HISTORY_MINUTES as i64);
        for m in first..minute {
            let p99 = hist().map_or(0, |mut acc| {
                for (s, h) in &self.slots {
                    if s.div_euclid(SLOTS_PER_MINUTE) == m {
                        let _ = acc.add(h);
                    }
                }
                if acc.is_empty() {
                    0
                } else {
                    acc.value_at_quantile(0.99)
                }
            });
            if self.history.len() == HISTORY_MINUTES {
                self.history.pop_front();
            }
            self.history.push_back(p99);
            self.minute_done = Some(m);
        }
        while self
            .slots
            .front()
            .is_some_and(|(s, _)| now_slot - s >= SLOTS_5M as i64)
        {
            if let (Some((_, h)), Some(r)) = (self.slots.pop_front(), self.retired.as_mut()) {
                // Same bounds on both sides, so adding cannot fail.
                let _ = r.add(&h);
            }
        }
    }

    /// The windows as of engine time `now`. Merges at most twenty small slots, so
    /// call it about once a second, not per message.
    pub fn view(&mut self, now: Ts) -> WindowedView {
        let now_slot = now.as_nanos().div_euclid(SLOT_SECS * 1_000_000_000);
        self.roll(now_slot);
        let merge = |n: usize| -> LatencyView {
            let Some(mut acc) = hist() else {
                return LatencyView::default();
            };
            for (slot, h) in &self.slots {
                if now_slot - slot < n as i64 {
                    let _ = acc.add(h);
                }
            }
            view_of(&acc)
        };
        let since_start = self
            .retired
            .clone()
            .map_or_else(LatencyView::default, |mut acc| {
                for (_, h) in &self.slots {
                    let _ = acc.add(h);
                }
                view_of(&acc)
            });
        let last_1m = merge(SLOTS_1M);
        WindowedView {
            rate_per_sec_1m: last_1m.count as f64 / 60.0,
            last_1m,
            last_5m: merge(SLOTS_5M),
            since_start,
            p99_by_minute_us: self.history.iter().copied().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Ts {
        Ts::from_secs(1_700_000_040 + secs)
    }

    #[test]
    fn windows_forget_old_observations() {
        let mut w = WindowedLatency::new();
        // A slow minute, then four fast minutes.
        for s in 0..60 {
            w.record_n(at(s), 9_000, 10);
        }
        for s in 60..300 {
            w.record_n(at(s), 100, 10);
        }
        let v = w.view(at(299));
        assert_eq!(v.since_start.count, 3000);
        assert!(v.last_1m.p99 < 200, "{:?}", v.last_1m);
        assert!(
            v.last_5m.p99 > 8_000,
            "the slow minute is still in 5m: {:?}",
            v.last_5m
        );
        assert!(
            (v.rate_per_sec_1m - 10.0).abs() < 1.0,
            "{}",
            v.rate_per_sec_1m
        );
        // Six minutes on, nothing is in either window, but since-start remembers.
        let v = w.view(at(700));
        assert_eq!(v.last_1m.count, 0);
        assert_eq!(v.last_5m.count, 0);
        assert_eq!(v.since_start.count, 3000);
    }

    #[test]
    fn minute_history_holds_p99_per_minute_including_gaps() {
        let mut w = WindowedLatency::new();
        w.record_n(at(0), 5_000, 1);
        w.record_n(at(61), 700, 1);
        // Minute 2 has no data.
        w.record_n(at(185), 300, 1);
        let v = w.view(at(185));
        assert_eq!(v.p99_by_minute_us.len(), 3);
        assert!((4_950..=5_050).contains(&v.p99_by_minute_us[0]), "{v:?}");
        assert!((690..=710).contains(&v.p99_by_minute_us[1]), "{v:?}");
        assert_eq!(v.p99_by_minute_us[2], 0);
    }

    #[test]
    fn history_is_bounded() {
        let mut w = WindowedLatency::new();
        for m in 0..100 {
            w.record_n(at(m * 60), 100, 1);
        }
        assert_eq!(w.view(at(6_000)).p99_by_minute_us.len(), HISTORY_MINUTES);
    }
}
