//! Rolling-window latency: percentiles over the last minute, the last five minutes and
//! since start, plus a per-minute p99 history for the TUI sparkline. Time comes from
//! the caller (engine time), so replays produce the same windows at any speed.
//!
//! The windows are a ring of 15-second HDR slots merged on demand. Slots use two
//! significant digits (1% resolution): a percentile does not need more, and it keeps
//! a slot at tens of kilobytes instead of hundreds.

use crate::engine::snapshot::LatencyView;
use crate::types::Ts;
use hdrhistogram::Histogram;
use serde::Serialize;
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
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
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
    total: Option<Histogram<u64>>,
    /// The minute being accumulated for the p99 history.
    minute: Option<(i64, Histogram<u64>)>,
    history: VecDeque<u64>,
}

impl Default for WindowedLatency {
    fn default() -> Self {
        WindowedLatency::new()
    }
}

impl WindowedLatency {
    pub fn new() -> WindowedLatency {
        WindowedLatency {
            slots: VecDeque::with_capacity(SLOTS_5M + 1),
            total: hist(),
            minute: None,
            history: VecDeque::with_capacity(HISTORY_MINUTES),
        }
    }

    /// Records `count` observations of `latency_us` made at engine time `at`.
    pub fn record_n(&mut self, at: Ts, latency_us: u64, count: u64) {
        let v = latency_us.clamp(1, MAX_US);
        let slot = at.as_nanos().div_euclid(SLOT_SECS * 1_000_000_000);
        if self.slots.back().is_none_or(|(s, _)| *s < slot) {
            if let Some(h) = hist() {
                self.slots.push_back((slot, h));
            }
            while self.slots.len() > SLOTS_5M {
                self.slots.pop_front();
            }
        }
        // A late observation (engine time never goes back, but be safe) lands in the
        // newest slot rather than being lost.
        if let Some((_, h)) = self.slots.back_mut() {
            h.saturating_record_n(v, count);
        }
        if let Some(t) = self.total.as_mut() {
            t.saturating_record_n(v, count);
        }
        self.roll_minute(at);
        if let Some((_, h)) = self.minute.as_mut() {
            h.saturating_record_n(v, count);
        }
    }

    /// Closes finished minutes into the history, including empty ones.
    fn roll_minute(&mut self, at: Ts) {
        let minute = at.as_nanos().div_euclid(60_000_000_000);
        match self.minute.as_ref() {
            Some((m, _)) if *m >= minute => return,
            Some((m, h)) => {
                let gap = usize::try_from(minute - m - 1).unwrap_or(usize::MAX);
                let p99 = if h.is_empty() {
                    0
                } else {
                    h.value_at_quantile(0.99)
                };
                self.push_history(p99);
                for _ in 0..gap.min(HISTORY_MINUTES) {
                    self.push_history(0);
                }
            }
            None => {}
        }
        self.minute = hist().map(|h| (minute, h));
    }

    fn push_history(&mut self, p99: u64) {
        if self.history.len() == HISTORY_MINUTES {
            self.history.pop_front();
        }
        self.history.push_back(p99);
    }

    /// The windows as of engine time `now`. Merges at most twenty small slots, so
    /// call it about once a second, not per message.
    pub fn view(&mut self, now: Ts) -> WindowedView {
        self.roll_minute(now);
        let now_slot = now.as_nanos().div_euclid(SLOT_SECS * 1_000_000_000);
        let merge = |n: usize| -> LatencyView {
            let Some(mut acc) = hist() else {
                return LatencyView::default();
            };
            for (slot, h) in &self.slots {
                if now_slot - slot < n as i64 {
                    // Same bounds on both sides, so adding cannot fail.
                    let _ = acc.add(h);
                }
            }
            view_of(&acc)
        };
        let last_1m = merge(SLOTS_1M);
        WindowedView {
            rate_per_sec_1m: last_1m.count as f64 / 60.0,
            last_1m,
            last_5m: merge(SLOTS_5M),
            since_start: self.total.as_ref().map(view_of).unwrap_or_default(),
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
