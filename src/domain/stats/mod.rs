//! Latency recording with HDR histograms: exact percentiles at fixed memory, cheap
//! enough to record every frame on the hot path.

pub mod window;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

pub use window::{WindowedLatency, WindowedView};

/// Microsecond latencies from 1 µs to 1 hour at 3 significant digits.
#[derive(Clone, Debug)]
pub struct LatencyHistogram {
    /// `None` only if hdrhistogram refused our constant bounds, which it does not;
    /// recording then becomes a no-op instead of a panic.
    hist: Option<Histogram<u64>>,
}

const MAX_US: u64 = 3_600_000_000;

impl Default for LatencyHistogram {
    fn default() -> Self {
        LatencyHistogram::new()
    }
}

impl LatencyHistogram {
    pub fn new() -> LatencyHistogram {
        LatencyHistogram {
            hist: Histogram::new_with_bounds(1, MAX_US, 3).ok(),
        }
    }

    /// Records `count` observations of `latency_us`, clamped into range.
    pub fn record_n(&mut self, latency_us: u64, count: u64) {
        if let Some(h) = self.hist.as_mut() {
            h.saturating_record_n(latency_us.clamp(1, MAX_US), count);
        }
    }

    pub fn record(&mut self, latency_us: u64) {
        self.record_n(latency_us, 1);
    }

    pub fn len(&self) -> u64 {
        self.hist.as_ref().map_or(0, |h| h.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn view(&self) -> LatencyView {
        match self.hist.as_ref() {
            Some(h) if !h.is_empty() => LatencyView {
                count: h.len(),
                p50: h.value_at_quantile(0.50),
                p95: h.value_at_quantile(0.95),
                p99: h.value_at_quantile(0.99),
                p999: h.value_at_quantile(0.999),
                max: h.max(),
            },
            _ => LatencyView::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_from_recorded_values() {
        let mut h = LatencyHistogram::new();
        for v in 1..=1000u64 {
            h.record(v);
        }
        let v = h.view();
        assert_eq!(v.count, 1000);
        assert!((499..=501).contains(&v.p50), "{v:?}");
        assert!((989..=991).contains(&v.p99), "{v:?}");
        assert_eq!(v.max, 1000);
    }

    #[test]
    fn empty_histogram_reports_zeros() {
        assert_eq!(LatencyHistogram::new().view(), LatencyView::default());
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyView {
    pub count: u64,
    pub p50: u64,
    pub p95: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
}
