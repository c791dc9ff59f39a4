//! Service-level objectives: the reference's four SLOs computed from per-minute
//! buckets, with the error budget left and multi-window burn rates.
//!
//! Pure: the engine state feeds one [`SecondSample`] per second of engine time and the
//! message counters; [`SloTracker`] folds them into [`MinuteBucket`]s, hands each closed
//! minute back for the store (so the SLOs survive restarts) and computes the
//! [`SloReport`] on demand. Nothing here reads a clock or does I/O.
//!
//! Each SLO is a good/total ratio over its window:
//! * service availability: seconds not in BOTH_UNAVAILABLE, ≥ 99.5 % over 30 days;
//! * Alpaca uptime: seconds with the stream subscribed, ≥ 98 % over 7 days;
//! * P95 end-to-end latency < 2 s: messages delivered within 2 s, ≥ 95 % over 30 days
//!   (95 % of messages within 2 s is exactly "P95 < 2 s");
//! * validation success: accepted messages over checked ones, ≥ 99 % over 30 days.
//!
//! The error budget is what the target allows over the whole window, as the reference
//! states it: 0.5 % of 30 days is 3.6 hours of unavailability, 2 % of 7 days is 3.36
//! hours without Alpaca. Time-based SLOs count bad seconds against that, so a process
//! that has run for a minute does not call one bad second a spent budget (time it did
//! not observe counts as neither). Message-based SLOs (latency, validation) count bad
//! messages against the budget share of the messages seen, once there are enough of
//! them to mean something ([`MIN_EVENTS_FOR_BUDGET`]).
//!
//! Burn rate over a window is the bad fraction divided by the budget (1 − target): 1.0
//! spends the budget exactly over the SLO window. Time-based windows are measured over
//! their full length for the same reason as above. The fast pair (14.4× over 1 h and
//! 5 min) and the slow pair (6× over 6 h and 30 min) follow the multi-window,
//! multi-burn-rate recipe: both windows of a pair must burn, so a spike that has already
//! stopped does not page.

#[cfg(test)]
mod tests;
mod view;

pub use view::{BurnRates, SloReport, SloView};

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Messages a message-based SLO needs in its window before it reports a budget.
pub const MIN_EVENTS_FOR_BUDGET: u64 = 1_000;
/// Messages a burn-rate window needs before its rate counts.
pub const MIN_EVENTS_FOR_BURN: u64 = 100;
/// Seconds a time-based SLO needs observed before it gives a verdict (the shortest
/// burn window): three seconds of a fresh process say nothing about 30 days.
pub const MIN_SECS_FOR_VERDICT: u64 = 300;

/// One minute of counters, keyed by the minute since the Unix epoch (UTC).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MinuteBucket {
    pub minute: i64,
    /// Seconds observed in this minute (under 60 when the process started or stopped).
    pub observed_secs: u32,
    /// Seconds when at least one source served data (not BOTH_UNAVAILABLE).
    pub available_secs: u32,
    /// Seconds with the Alpaca stream subscribed.
    pub alpaca_up_secs: u32,
    pub latency_total: u64,
    /// Messages whose end-to-end latency was within the SLO's threshold.
    pub latency_good: u64,
    pub validation_total: u64,
    pub validation_good: u64,
}

/// What the engine saw over the last second(s) of engine time.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct SecondSample {
    /// Seconds this sample covers (1 normally; more after a gap, capped by the caller).
    pub secs: u32,
    pub available: bool,
    pub alpaca_up: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SloKind {
    ServiceAvailability,
    AlpacaUptime,
    LatencyP95,
    ValidationSuccess,
}

impl SloKind {
    pub const ALL: [SloKind; 4] = [
        SloKind::ServiceAvailability,
        SloKind::AlpacaUptime,
        SloKind::LatencyP95,
        SloKind::ValidationSuccess,
    ];

    pub const fn name(self) -> &'static str {
        match self {
            SloKind::ServiceAvailability => "Service availability",
            SloKind::AlpacaUptime => "Alpaca uptime",
            SloKind::LatencyP95 => "P95 end-to-end latency < 2 s",
            SloKind::ValidationSuccess => "Validation success",
        }
    }

    /// Short key for metrics labels and the API.
    pub const fn key(self) -> &'static str {
        match self {
            SloKind::ServiceAvailability => "availability",
            SloKind::AlpacaUptime => "alpaca_uptime",
            SloKind::LatencyP95 => "latency_p95",
            SloKind::ValidationSuccess => "validation_success",
        }
    }

    /// Seconds (true) or messages (false).
    const fn time_based(self) -> bool {
        matches!(self, SloKind::ServiceAvailability | SloKind::AlpacaUptime)
    }

    fn good_total(self, b: &MinuteBucket) -> (u64, u64) {
        match self {
            SloKind::ServiceAvailability => (b.available_secs.into(), b.observed_secs.into()),
            SloKind::AlpacaUptime => (b.alpaca_up_secs.into(), b.observed_secs.into()),
            SloKind::LatencyP95 => (b.latency_good, b.latency_total),
            SloKind::ValidationSuccess => (b.validation_good, b.validation_total),
        }
    }
}

/// Targets and windows; `Default` is the reference's.
#[derive(Clone, Debug, PartialEq)]
pub struct SloConfig {
    pub availability_target_pct: f64,
    pub availability_window_days: u32,
    pub alpaca_uptime_target_pct: f64,
    pub alpaca_uptime_window_days: u32,
    pub latency_threshold_ms: u64,
    /// Share of messages that must arrive within the threshold (95 = the P95).
    pub latency_target_pct: f64,
    pub latency_window_days: u32,
    pub validation_target_pct: f64,
    pub validation_window_days: u32,
    pub fast_burn_rate: f64,
    pub slow_burn_rate: f64,
}

impl Default for SloConfig {
    fn default() -> Self {
        SloConfig {
            availability_target_pct: 99.5,
            availability_window_days: 30,
            alpaca_uptime_target_pct: 98.0,
            alpaca_uptime_window_days: 7,
            latency_threshold_ms: 2_000,
            latency_target_pct: 95.0,
            latency_window_days: 30,
            validation_target_pct: 99.0,
            validation_window_days: 30,
            fast_burn_rate: 14.4,
            slow_burn_rate: 6.0,
        }
    }
}

impl SloConfig {
    fn target_and_window(&self, kind: SloKind) -> (f64, u32) {
        match kind {
            SloKind::ServiceAvailability => {
                (self.availability_target_pct, self.availability_window_days)
            }
            SloKind::AlpacaUptime => (
                self.alpaca_uptime_target_pct,
                self.alpaca_uptime_window_days,
            ),
            SloKind::LatencyP95 => (self.latency_target_pct, self.latency_window_days),
            SloKind::ValidationSuccess => (self.validation_target_pct, self.validation_window_days),
        }
    }

    fn longest_window_minutes(&self) -> i64 {
        let days = SloKind::ALL
            .iter()
            .map(|k| self.target_and_window(*k).1)
            .max()
            .unwrap_or(30);
        i64::from(days) * 1_440
    }
}

/// Per-minute buckets for the longest SLO window plus the one being filled.
#[derive(Clone, Debug)]
pub struct SloTracker {
    cfg: SloConfig,
    closed: VecDeque<MinuteBucket>,
    current: Option<MinuteBucket>,
}

impl SloTracker {
    pub fn new(cfg: SloConfig) -> SloTracker {
        SloTracker {
            cfg,
            closed: VecDeque::new(),
            current: None,
        }
    }

    /// Seeds history (e.g. from SQLite at start). Buckets may come in any order;
    /// duplicates of a minute are merged.
    pub fn load(&mut self, mut buckets: Vec<MinuteBucket>) {
        buckets.sort_by_key(|b| b.minute);
        for b in buckets {
            match self.closed.back_mut() {
                Some(last) if last.minute == b.minute => merge(last, &b),
                Some(last) if last.minute > b.minute => {}
                _ => self.closed.push_back(b),
            }
        }
    }

    /// Latency threshold in microseconds, for the caller's per-message check.
    pub fn latency_threshold_us(&self) -> u64 {
        self.cfg.latency_threshold_ms.saturating_mul(1_000)
    }

    /// Folds one sample (and the message counts since the last call) into the minute
    /// that `now_ms` falls in. Returns the minute that closed, if this call crossed one,
    /// so the caller can persist it.
    pub fn record(
        &mut self,
        now_ms: i64,
        sample: SecondSample,
        messages: MessageCounts,
    ) -> Option<MinuteBucket> {
        let minute = now_ms.div_euclid(60_000);
        let mut closed = None;
        if self.current.is_some_and(|c| c.minute != minute) {
            closed = self.close_current();
        }
        let cur = self.current.get_or_insert(MinuteBucket {
            minute,
            ..MinuteBucket::default()
        });
        let secs = sample.secs.min(60);
        cur.observed_secs = (cur.observed_secs + secs).min(60);
        if sample.available {
            cur.available_secs = (cur.available_secs + secs).min(cur.observed_secs);
        }
        if sample.alpaca_up {
            cur.alpaca_up_secs = (cur.alpaca_up_secs + secs).min(cur.observed_secs);
        }
        cur.latency_total += messages.latency_total;
        cur.latency_good += messages.latency_good.min(messages.latency_total);
        cur.validation_total += messages.validation_total;
        cur.validation_good += messages.validation_good.min(messages.validation_total);
        closed
    }

    /// Closes the minute being filled (e.g. at shutdown) and returns it.
    pub fn close_current(&mut self) -> Option<MinuteBucket> {
        let cur = self.current.take()?;
        if cur.observed_secs == 0 && cur.latency_total == 0 && cur.validation_total == 0 {
            return None;
        }
        match self.closed.back_mut() {
            Some(last) if last.minute == cur.minute => merge(last, &cur),
            _ => self.closed.push_back(cur),
        }
        let oldest_kept = cur.minute - self.cfg.longest_window_minutes();
        while self.closed.front().is_some_and(|b| b.minute < oldest_kept) {
            self.closed.pop_front();
        }
        Some(cur)
    }

    /// The SLOs as of `now_ms`, over closed minutes plus the one being filled.
    pub fn report(&self, now_ms: i64) -> SloReport {
        let now_minute = now_ms.div_euclid(60_000);
        let all: Vec<&MinuteBucket> = self.closed.iter().chain(self.current.iter()).collect();
        let slos = SloKind::ALL
            .iter()
            .map(|&kind| self.view(kind, &all, now_minute))
            .collect();
        SloReport {
            slos,
            minutes_of_data: all.len(),
        }
    }

    fn view(&self, kind: SloKind, all: &[&MinuteBucket], now_minute: i64) -> SloView {
        let (target_pct, window_days) = self.cfg.target_and_window(kind);
        let budget = (100.0 - target_pct) / 100.0;
        let sum = |minutes: i64| -> (u64, u64) {
            all.iter()
                .rev()
                .take_while(|b| b.minute > now_minute - minutes)
                .map(|b| kind.good_total(b))
                .fold((0, 0), |(g, t), (bg, bt)| (g + bg, t + bt))
        };
        let time_based = kind.time_based();
        // What a window's bad share is measured against: its full length in seconds for
        // time-based SLOs, the messages seen (if enough) for message-based ones.
        let denominator = |minutes: i64, total: u64, min_events: u64| -> Option<f64> {
            if time_based {
                (total > 0).then_some(minutes as f64 * 60.0)
            } else {
                (total >= min_events).then_some(total as f64)
            }
        };
        let burn = |minutes: i64| -> Option<f64> {
            let (good, total) = sum(minutes);
            let bad = total - good.min(total);
            let of = denominator(minutes, total, MIN_EVENTS_FOR_BURN)?;
            (budget > 0.0).then(|| bad as f64 / of / budget)
        };
        let window_minutes = i64::from(window_days) * 1_440;
        let (good, total) = sum(window_minutes);
        let sli_pct = (total > 0).then(|| good as f64 * 100.0 / total as f64);
        let bad = total - good.min(total);
        let budget_remaining_pct = denominator(window_minutes, total, MIN_EVENTS_FOR_BUDGET)
            .and_then(|of| (budget > 0.0).then(|| (1.0 - bad as f64 / of / budget) * 100.0));
        let burn_rates = BurnRates {
            m5: burn(5),
            m30: burn(30),
            h1: burn(60),
            h6: burn(360),
        };
        let over = |r: Option<f64>, limit: f64| r.is_some_and(|r| r >= limit);
        SloView {
            key: kind.key().into(),
            name: kind.name().into(),
            target_pct,
            window_days,
            good,
            total,
            sli_pct,
            budget_remaining_pct,
            burn_rates,
            fast_burn: over(burn_rates.h1, self.cfg.fast_burn_rate)
                && over(burn_rates.m5, self.cfg.fast_burn_rate),
            slow_burn: over(burn_rates.h6, self.cfg.slow_burn_rate)
                && over(burn_rates.m30, self.cfg.slow_burn_rate),
            // The verdict follows the budget: met while bad time or messages stay
            // within what the target allows over the window, missed once they
            // exceed it. None until there is enough data to judge.
            met: budget_remaining_pct
                .filter(|_| !time_based || total >= MIN_SECS_FOR_VERDICT)
                .map(|b| b >= 0.0),
        }
    }
}

/// Message counts since the last [`SloTracker::record`].
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageCounts {
    pub latency_total: u64,
    pub latency_good: u64,
    pub validation_total: u64,
    pub validation_good: u64,
}

fn merge(into: &mut MinuteBucket, b: &MinuteBucket) {
    into.observed_secs = (into.observed_secs + b.observed_secs).min(60);
    into.available_secs = (into.available_secs + b.available_secs).min(into.observed_secs);
    into.alpaca_up_secs = (into.alpaca_up_secs + b.alpaca_up_secs).min(into.observed_secs);
    into.latency_total += b.latency_total;
    into.latency_good += b.latency_good;
    into.validation_total += b.validation_total;
    into.validation_good += b.validation_good;
}
