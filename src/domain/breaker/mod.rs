//! The upstream circuit breaker (one per upstream, e.g. Yahoo), as a pure state
//! machine with resilience4j semantics: a count-based sliding window of call
//! outcomes trips CLOSED → OPEN, OPEN rejects calls for a wait that doubles on each
//! consecutive trip, then HALF_OPEN lets a few probes through to decide. An HTTP 429
//! opens it at once for a long wait. Time is passed in as `now`; nothing here
//! reads the clock, so the tests are tables.

use crate::domain::types::Ts;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

#[cfg(test)]
mod tests;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Count-based sliding window of call outcomes.
    pub window_size: usize,
    /// No trip before this many calls are in the window.
    pub minimum_calls: usize,
    pub failure_rate_threshold_pct: u8,
    /// Wait after the first trip.
    pub open_wait_secs: u64,
    /// Each consecutive trip without a close multiplies the wait by this.
    pub wait_multiplier: u32,
    pub max_open_wait_secs: u64,
    /// Calls permitted in HALF_OPEN; all must succeed to close.
    pub half_open_probes: u32,
    /// A 429 opens the breaker at once, for at least this long.
    pub rate_limited_wait_secs: u64,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            window_size: 10,
            minimum_calls: 5,
            failure_rate_threshold_pct: 50,
            open_wait_secs: 30,
            wait_multiplier: 2,
            max_open_wait_secs: 600,
            half_open_probes: 3,
            rate_limited_wait_secs: 120,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

impl BreakerState {
    pub const fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "CLOSED",
            BreakerState::Open => "OPEN",
            BreakerState::HalfOpen => "HALF_OPEN",
        }
    }
}

impl std::fmt::Display for BreakerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    /// HTTP 429: the upstream asked us to back off.
    RateLimited,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Permit {
    Allowed,
    /// Do not call. While OPEN, `until` is when the wait ends; in HALF_OPEN with all
    /// probes in flight there is no known time, so `until` is `now`: ask again later.
    Rejected {
        until: Ts,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakerTransition {
    pub name: &'static str,
    pub from: BreakerState,
    pub to: BreakerState,
    pub at: Ts,
    pub reason: String,
}

/// What the UI and the API show for one breaker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakerView {
    pub name: crate::domain::types::Label,
    pub state: BreakerState,
    /// Over the calls in the window; `None` while the window is empty.
    pub failure_rate_pct: Option<f64>,
    pub calls: usize,
    pub failures: usize,
    pub state_since: Ts,
    pub in_state_ms: i64,
    /// When OPEN: the moment the next call may go through as a HALF_OPEN probe.
    pub next_probe_at: Option<Ts>,
    /// Consecutive trips without a close; drives the growing wait. `reset` zeroes it.
    pub trips: u32,
    pub total_trips: u64,
    /// Calls refused since start.
    pub rejected: u64,
    /// Responses that arrived while OPEN (calls started before the trip).
    pub late_outcomes: u64,
    /// Probe permits still available in HALF_OPEN.
    pub probes_left: Option<u32>,
    pub last_transition_reason: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Breaker {
    name: &'static str,
    cfg: BreakerConfig,
    state: BreakerState,
    state_since: Ts,
    /// `true` = failure; the oldest outcome drops off once the window is full.
    window: VecDeque<bool>,
    open_until: Ts,
    consecutive_trips: u32,
    total_trips: u64,
    probes_issued: u32,
    probes_succeeded: u32,
    rejected: u64,
    late_outcomes: u64,
    last_reason: Option<String>,
}

impl Breaker {
    pub fn new(name: &'static str, cfg: BreakerConfig, now: Ts) -> Self {
        let window = VecDeque::with_capacity(cfg.window_size);
        Breaker {
            name,
            cfg,
            state: BreakerState::Closed,
            state_since: now,
            window,
            open_until: now,
            consecutive_trips: 0,
            total_trips: 0,
            probes_issued: 0,
            probes_succeeded: 0,
            rejected: 0,
            late_outcomes: 0,
            last_reason: None,
        }
    }

    /// How many calls HALF_OPEN lets through.
    pub fn half_open_probes(&self) -> u32 {
        self.cfg.half_open_probes
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// May a call start now? OPEN → HALF_OPEN once the wait is over; that call is
    /// the first probe and the transition is returned.
    pub fn try_acquire(&mut self, now: Ts) -> (Permit, Option<BreakerTransition>) {
        match self.state {
            BreakerState::Closed => (Permit::Allowed, None),
            BreakerState::Open if now < self.open_until => {
                self.rejected += 1;
                (
                    Permit::Rejected {
                        until: self.open_until,
                    },
                    None,
                )
            }
            BreakerState::Open => {
                let reason = format!("wait of {}s elapsed", self.current_wait_secs());
                let t = self.transition(now, BreakerState::HalfOpen, reason);
                self.probes_issued = 1;
                (Permit::Allowed, Some(t))
            }
            BreakerState::HalfOpen if self.probes_issued < self.cfg.half_open_probes => {
                self.probes_issued += 1;
                (Permit::Allowed, None)
            }
            BreakerState::HalfOpen => {
                self.rejected += 1;
                (Permit::Rejected { until: now }, None)
            }
        }
    }

    /// Record how a call ended.
    pub fn record(&mut self, now: Ts, outcome: Outcome) -> Option<BreakerTransition> {
        if outcome == Outcome::RateLimited && self.state != BreakerState::Open {
            self.push(true);
            return Some(self.trip(now, "HTTP 429 rate limited".to_string(), true));
        }
        match self.state {
            BreakerState::Open => {
                // A late response from a call started before the trip: counted, but
                // the wait is not cut short. A late 429 only lengthens it.
                self.late_outcomes += 1;
                self.push(outcome != Outcome::Success);
                if outcome == Outcome::RateLimited {
                    let wait = self.wait_for(self.consecutive_trips, true);
                    self.open_until = self.open_until.max(plus_secs(now, wait));
                }
                None
            }
            BreakerState::Closed => {
                self.push(outcome != Outcome::Success);
                let calls = self.window.len();
                let failures = self.failures();
                let threshold = usize::from(self.cfg.failure_rate_threshold_pct);
                if calls >= self.cfg.minimum_calls.max(1) && failures * 100 >= threshold * calls {
                    let reason = format!(
                        "failure rate {:.0}% ≥ {}% over {} calls",
                        pct(failures, calls),
                        threshold,
                        calls
                    );
                    Some(self.trip(now, reason, false))
                } else {
                    None
                }
            }
            BreakerState::HalfOpen => {
                if outcome == Outcome::Success {
                    self.probes_succeeded += 1;
                    if self.probes_succeeded >= self.cfg.half_open_probes {
                        let reason = format!("{} probes succeeded", self.probes_succeeded);
                        self.window.clear();
                        self.consecutive_trips = 0;
                        return Some(self.transition(now, BreakerState::Closed, reason));
                    }
                    None
                } else {
                    Some(self.trip(now, "probe failed".to_string(), false))
                }
            }
        }
    }

    /// Manual reset by the operator: back to CLOSED, window cleared, trips zeroed.
    /// Returns a transition only when the state changes.
    pub fn reset(&mut self, now: Ts) -> Option<BreakerTransition> {
        self.window.clear();
        self.consecutive_trips = 0;
        if self.state == BreakerState::Closed {
            return None;
        }
        Some(self.transition(now, BreakerState::Closed, "manual reset".to_string()))
    }

    pub fn view(&self, now: Ts) -> BreakerView {
        let calls = self.window.len();
        let failures = self.failures();
        BreakerView {
            name: self.name.into(),
            state: self.state,
            failure_rate_pct: (calls > 0).then(|| pct(failures, calls)),
            calls,
            failures,
            state_since: self.state_since,
            in_state_ms: now.millis_since(self.state_since).max(0),
            next_probe_at: (self.state == BreakerState::Open).then_some(self.open_until),
            trips: self.consecutive_trips,
            total_trips: self.total_trips,
            rejected: self.rejected,
            late_outcomes: self.late_outcomes,
            probes_left: (self.state == BreakerState::HalfOpen)
                .then(|| self.cfg.half_open_probes.saturating_sub(self.probes_issued)),
            last_transition_reason: self.last_reason.clone(),
        }
    }

    fn failures(&self) -> usize {
        self.window.iter().filter(|f| **f).count()
    }

    fn push(&mut self, failed: bool) {
        if self.cfg.window_size == 0 {
            return;
        }
        while self.window.len() >= self.cfg.window_size {
            self.window.pop_front();
        }
        self.window.push_back(failed);
    }

    /// Open (again): one more consecutive trip, and the wait that goes with it.
    fn trip(&mut self, now: Ts, reason: String, rate_limited: bool) -> BreakerTransition {
        self.consecutive_trips = self.consecutive_trips.saturating_add(1);
        self.total_trips += 1;
        let wait = self.wait_for(self.consecutive_trips, rate_limited);
        self.open_until = plus_secs(now, wait);
        self.transition(now, BreakerState::Open, reason)
    }

    /// open_wait × multiplier^(trips − 1), capped; a 429 waits at least its own floor.
    fn wait_for(&self, trips: u32, rate_limited: bool) -> u64 {
        let factor = u64::from(self.cfg.wait_multiplier).saturating_pow(trips.saturating_sub(1));
        let computed = self
            .cfg
            .open_wait_secs
            .saturating_mul(factor)
            .min(self.cfg.max_open_wait_secs);
        if rate_limited {
            computed.max(self.cfg.rate_limited_wait_secs)
        } else {
            computed
        }
    }

    /// The wait that the current OPEN spell was given (for the HALF_OPEN reason).
    fn current_wait_secs(&self) -> i64 {
        self.open_until.millis_since(self.state_since).max(0) / 1_000
    }

    fn transition(&mut self, now: Ts, to: BreakerState, reason: String) -> BreakerTransition {
        let from = self.state;
        self.state = to;
        self.state_since = now;
        self.probes_issued = 0;
        self.probes_succeeded = 0;
        self.last_reason = Some(reason.clone());
        BreakerTransition {
            name: self.name,
            from,
            to,
            at: now,
            reason,
        }
    }
}

fn pct(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    // Window sizes are small, so the conversion is exact.
    part as f64 * 100.0 / whole as f64
}

fn plus_secs(t: Ts, secs: u64) -> Ts {
    let ms = i64::try_from(secs)
        .unwrap_or(i64::MAX / 1_000)
        .saturating_mul(1_000);
    t.plus_millis(ms)
}
