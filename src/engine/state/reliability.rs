//! SLO accounting and the alert history inside the engine state. Once a second of
//! engine time the state samples availability and Alpaca uptime into the pure
//! [`SloTracker`], with the message counts (latency within the SLO's threshold,
//! validation accepted) since the last second; closed minutes leave as effects for the
//! store. Alert history entries (engine changes and operator acks/snoozes with who did
//! them) are kept, bounded, for the snapshot and leave as effects for the store too.

use super::{Effects, EngineState};
use crate::domain::alerts::AlertRecord;
use crate::domain::router::RouterState;
use crate::domain::slo::{
    MessageCounts, MinuteBucket, SecondSample, SloConfig, SloReport, SloTracker,
};
use std::collections::VecDeque;

/// Alert history entries kept in memory (the store keeps all of them).
pub const ALERT_HISTORY_KEPT: usize = 200;

/// A gap longer than this (a suspended laptop, a replay jump) is not attributed to the
/// state seen after it: nobody knows what happened in between.
const MAX_SAMPLE_SECS: i64 = 60;

#[derive(Clone, Debug)]
pub(super) struct Reliability {
    tracker: SloTracker,
    pub report: SloReport,
    /// The engine second of the last sample.
    last_sample_sec: Option<i64>,
    /// Validator totals at the last sample, for per-second deltas.
    last_checked: u64,
    last_rejected: u64,
    /// Messages since the last sample.
    latency_total: u64,
    latency_good: u64,
    threshold_us: u64,
    pub history: VecDeque<AlertRecord>,
}

impl Reliability {
    pub fn new(cfg: SloConfig) -> Reliability {
        let tracker = SloTracker::new(cfg);
        Reliability {
            threshold_us: tracker.latency_threshold_us(),
            tracker,
            report: SloReport::default(),
            last_sample_sec: None,
            last_checked: 0,
            last_rejected: 0,
            latency_total: 0,
            latency_good: 0,
            history: VecDeque::with_capacity(ALERT_HISTORY_KEPT),
        }
    }

    /// One message's end-to-end latency, for the latency SLO (hot path: two adds).
    #[inline]
    pub fn count_latency(&mut self, us: u64) {
        self.latency_total += 1;
        self.latency_good += u64::from(us <= self.threshold_us);
    }

    fn push_history(&mut self, rec: AlertRecord) {
        if self.history.len() == ALERT_HISTORY_KEPT {
            self.history.pop_front();
        }
        self.history.push_back(rec);
    }
}

impl EngineState {
    /// Seeds SLO minutes and alert history from the store (live mode, at start), so the
    /// SLOs and the history survive restarts. Replay never calls this: a replay ends in
    /// the same state however often it runs.
    pub fn load_history(&mut self, minutes: Vec<MinuteBucket>, alerts: Vec<AlertRecord>) {
        let r = &mut self.reliability;
        r.tracker.load(minutes);
        for rec in alerts {
            r.push_history(rec);
        }
        r.report = r.tracker.report(self.now.as_millis());
    }

    /// Samples the SLOs for the second(s) since the last call; called from the alert
    /// evaluation, once per second of engine time.
    pub(super) fn sample_slo(&mut self, checked: u64, rejected: u64, fx: &mut Effects) {
        let available = self.router.state() != RouterState::BothUnavailable;
        // A stalled socket is open but serves nothing: not up.
        let alpaca_up = self.alpaca.state == crate::messages::LinkState::Subscribed;
        let now = self.now;
        let r = &mut self.reliability;
        // Whole engine seconds, not elapsed milliseconds: samples at .999 and .001 of
        // consecutive seconds are a second apart, and rounding must not lose it.
        let sec = now.as_nanos().div_euclid(1_000_000_000);
        let secs = match r.last_sample_sec {
            None => 1,
            Some(last) => (sec - last).clamp(0, MAX_SAMPLE_SECS),
        };
        r.last_sample_sec = Some(sec);
        let new_checked = checked.saturating_sub(r.last_checked);
        let new_rejected = rejected.saturating_sub(r.last_rejected);
        (r.last_checked, r.last_rejected) = (checked, rejected);
        let messages = MessageCounts {
            latency_total: std::mem::take(&mut r.latency_total),
            latency_good: std::mem::take(&mut r.latency_good),
            validation_total: new_checked,
            validation_good: new_checked.saturating_sub(new_rejected),
        };
        let sample = SecondSample {
            secs: u32::try_from(secs).unwrap_or(0),
            available,
            alpaca_up,
        };
        if let Some(closed) = r.tracker.record(now.as_millis(), sample, messages) {
            fx.slo_minutes.push(closed);
        }
        r.report = r.tracker.report(now.as_millis());
    }

    /// The minute being filled, for a clean shutdown (the store keeps it).
    pub fn close_slo_minute(&mut self, fx: &mut Effects) {
        if let Some(b) = self.reliability.tracker.close_current() {
            fx.slo_minutes.push(b);
        }
    }

    /// The L1 inputs: the worst remaining budget, and what burns if anything does.
    pub(super) fn slo_signals(&self) -> (Option<f64>, Option<String>) {
        let report = &self.reliability.report;
        let worst = report.worst_budget().map(|(_, pct)| pct);
        let burning = report.burning();
        let text = (!burning.is_empty()).then(|| {
            burning
                .iter()
                .map(|s| {
                    let (pace, rate) = if s.fast_burn {
                        ("fast", s.burn_rates.h1)
                    } else {
                        ("slow", s.burn_rates.h6)
                    };
                    format!("{} burning {pace} ({:.1}×)", s.key, rate.unwrap_or(0.0))
                })
                .collect::<Vec<_>>()
                .join(", ")
        });
        (worst, text)
    }

    /// Keeps an alert history entry and hands it to the store.
    pub(super) fn record_alert(&mut self, rec: AlertRecord, fx: &mut Effects) {
        self.reliability.push_history(rec.clone());
        fx.alert_records.push(rec);
    }

    pub fn slo_report(&self) -> &SloReport {
        &self.reliability.report
    }

    pub(super) fn alert_history(&self) -> Vec<AlertRecord> {
        self.reliability.history.iter().rev().cloned().collect()
    }
}
