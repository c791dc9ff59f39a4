//! The DataSourceRouter: which source serves prices (Alpaca primary, Yahoo fallback),
//! as a pure state machine with the runbook's states, knobs and log lines. Feeds and
//! the operator report what they see as [`RouterInput`]s with the time; the router
//! answers with the [`Transition`]s that happened. It never reads the clock, so a
//! replay on a fixture's virtual clock routes exactly like the live run did.
//!
//! Timers (fallback activation delay, message timeout, recovery grace) fire on the
//! first input at or after their due time; the engine sends `Tick` at least once a
//! second, so they are late by at most that.

use crate::domain::types::{Source, Ts};
use std::collections::VecDeque;

mod model;
mod view;
pub use model::{RouterConfig, RouterInput, RouterState, Transition, TRANSITION_HISTORY};
pub use view::{RouterSettings, RouterView, TransitionView};

#[cfg(test)]
mod flap_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod view_tests;

/// What the router believes about Alpaca.
#[derive(Clone, Debug)]
struct Primary {
    up: bool,
    down_since: Option<Ts>,
    down_reason: Option<String>,
    /// Last sign of life (a message or PrimaryUp); silence is measured from here.
    last_seen: Ts,
}

#[derive(Clone, Debug)]
pub struct Router {
    cfg: RouterConfig,
    state: RouterState,
    state_since: Ts,
    primary: Primary,
    fallback_healthy: Option<bool>,
    fallback_error: Option<String>,
    market_open: bool,
    /// When the market last opened: silence while it was closed does not count.
    market_opened_at: Option<Ts>,
    recovery_due_at: Option<Ts>,
    recovery_grace_secs: u64,
    /// Failovers the router made because Alpaca failed, within the flap window: only
    /// these grow the recovery grace. An operator's drill says nothing about flapping.
    failover_times: VecDeque<Ts>,
    /// The operator's forced failovers within the flap window, counted and shown apart.
    manual_failover_times: VecDeque<Ts>,
    /// Every failover since start, forced ones included (the runbook's `fallbackCount`).
    fallback_count: u64,
    manual_failovers: u64,
    failbacks: u64,
    history: VecDeque<Transition>,
}

impl Router {
    /// Starts in PRIMARY_ACTIVE with Alpaca assumed up until it says otherwise.
    pub fn new(cfg: RouterConfig, now: Ts) -> Router {
        Router {
            recovery_grace_secs: cfg.primary_recovery_grace_period_secs,
            cfg,
            state: RouterState::PrimaryActive,
            state_since: now,
            primary: Primary {
                up: true,
                down_since: None,
                down_reason: None,
                last_seen: now,
            },
            fallback_healthy: None,
            fallback_error: None,
            market_open: false,
            market_opened_at: None,
            recovery_due_at: None,
            failover_times: VecDeque::new(),
            manual_failover_times: VecDeque::new(),
            fallback_count: 0,
            manual_failovers: 0,
            failbacks: 0,
            history: VecDeque::with_capacity(TRANSITION_HISTORY),
        }
    }

    pub fn state(&self) -> RouterState {
        self.state
    }

    pub fn config(&self) -> &RouterConfig {
        &self.cfg
    }

    /// Feed one observation. Timers due at or before `now` fire first, then the input
    /// applies. Returns the transitions in order (usually none).
    pub fn handle(&mut self, now: Ts, input: RouterInput) -> Vec<Transition> {
        let mut out = Vec::new();
        self.advance(now, &mut out);
        match input {
            RouterInput::PrimaryUp | RouterInput::PrimaryMessage => self.primary_up(now, &mut out),
            RouterInput::PrimaryDown { reason } => {
                self.primary_down(now, now, format!("Alpaca disconnected: {reason}"), &mut out);
            }
            RouterInput::PrimaryFailure {
                consecutive,
                reason,
            } => {
                let why = format!("Alpaca connect failed: {reason}");
                self.primary_down(now, now, why, &mut out);
                if consecutive >= self.cfg.max_consecutive_failures {
                    let why = format!("Alpaca failed {consecutive} times in a row: {reason}");
                    self.fail_over(now, why, &mut out);
                }
            }
            RouterInput::PrimaryFatal { reason } => {
                let why = format!("Alpaca stopped: {reason}");
                self.primary_down(now, now, why.clone(), &mut out);
                self.fail_over(now, why, &mut out);
            }
            RouterInput::FallbackHealthy => self.fallback_seen(now, true, None, &mut out),
            RouterInput::FallbackUnhealthy { reason } => {
                self.fallback_seen(now, false, Some(reason), &mut out);
            }
            RouterInput::ForceFallback => {
                if self.state != RouterState::ManualFallback {
                    let to = RouterState::ManualFallback;
                    self.go(now, to, "operator forced failover".into(), &mut out);
                }
            }
            RouterInput::ReturnToPrimary => {
                if self.state == RouterState::ManualFallback {
                    let to = if self.primary.up {
                        RouterState::PrimaryActive
                    } else {
                        self.yahoo_or_nothing()
                    };
                    self.go(now, to, "operator returned to primary".into(), &mut out);
                }
            }
            RouterInput::Tick { market_open } => {
                if market_open && !self.market_open {
                    self.market_opened_at = Some(now);
                }
                self.market_open = market_open;
            }
        }
        out
    }

    /// The `f` key: force the fallback, or release a forced one.
    pub fn toggle_manual(&mut self, now: Ts) -> Vec<Transition> {
        if self.state == RouterState::ManualFallback {
            self.handle(now, RouterInput::ReturnToPrimary)
        } else {
            self.handle(now, RouterInput::ForceFallback)
        }
    }

    /// Fire the timers that are due: message silence, delayed failover, end of grace.
    fn advance(&mut self, now: Ts, out: &mut Vec<Transition>) {
        if let Some(due) = self.message_timeout_at() {
            if now >= due {
                // Down from the moment the silence became a failure, not from when a
                // tick noticed it, so the activation delay does not depend on tick rate.
                self.primary_down(now, due, "Alpaca timeout".into(), out);
            }
        }
        if self.state == RouterState::PrimaryActive && !self.primary.up {
            if let Some(due) = self.failover_due_at() {
                if now >= due {
                    let reason = self.primary.down_reason.clone().unwrap_or_default();
                    self.fail_over(now, reason, out);
                }
            }
        }
        if self.state == RouterState::PrimaryRecovering && self.primary.up {
            if let Some(due) = self.recovery_due_at {
                if now >= due {
                    self.go(
                        now,
                        RouterState::PrimaryActive,
                        "Alpaca recovered".into(),
                        out,
                    );
                }
            }
        }
    }

    fn mark_primary_down(&mut self, at: Ts, reason: String) {
        if self.primary.up {
            self.primary.up = false;
            self.primary.down_since = Some(at);
            self.primary.down_reason = Some(reason);
        }
    }

    /// Alpaca is down (from `at`): remember it, and end a recovery grace period at once.
    fn primary_down(&mut self, now: Ts, at: Ts, reason: String, out: &mut Vec<Transition>) {
        self.mark_primary_down(at, reason);
        if self.state == RouterState::PrimaryRecovering {
            let why = self.primary.down_reason.clone().unwrap_or_default();
            let to = self.yahoo_or_nothing();
            let reason = format!("Alpaca failed during the recovery grace period: {why}");
            self.go(now, to, reason, out);
        }
    }

    fn primary_up(&mut self, now: Ts, out: &mut Vec<Transition>) {
        self.primary.up = true;
        self.primary.down_since = None;
        self.primary.down_reason = None;
        self.primary.last_seen = now;
        match self.state {
            RouterState::FallbackActive => {
                self.recovery_grace_secs = self.grace_period_secs(now);
                self.recovery_due_at = Some(plus_secs(now, self.recovery_grace_secs));
                let to = RouterState::PrimaryRecovering;
                self.go(now, to, "Alpaca reconnected".into(), out);
            }
            // Nothing serves, so there is nothing to protect with a grace period.
            RouterState::BothUnavailable => {
                self.go(
                    now,
                    RouterState::PrimaryActive,
                    "Alpaca recovered".into(),
                    out,
                );
            }
            _ => {}
        }
    }

    fn fallback_seen(
        &mut self,
        now: Ts,
        healthy: bool,
        err: Option<String>,
        out: &mut Vec<Transition>,
    ) {
        self.fallback_healthy = Some(healthy);
        if let Some(e) = &err {
            self.fallback_error = Some(e.clone());
        }
        let why = err.unwrap_or_default();
        match (self.state, healthy) {
            (RouterState::FallbackActive, false) => {
                let to = RouterState::BothUnavailable;
                self.go(now, to, format!("Yahoo unavailable: {why}"), out);
            }
            (RouterState::PrimaryRecovering, false) => {
                let reason = format!("Yahoo unavailable: {why}; Alpaca is up");
                self.go(now, RouterState::PrimaryActive, reason, out);
            }
            (RouterState::BothUnavailable, true) => {
                self.go(
                    now,
                    RouterState::FallbackActive,
                    "Yahoo recovered".into(),
                    out,
                );
            }
            _ => {}
        }
    }

    /// Leave PRIMARY_ACTIVE for Yahoo, or for nothing when Yahoo is known bad.
    fn fail_over(&mut self, now: Ts, reason: String, out: &mut Vec<Transition>) {
        if self.state != RouterState::PrimaryActive {
            return;
        }
        let to = self.yahoo_or_nothing();
        let reason = match (to, &self.fallback_error) {
            (RouterState::BothUnavailable, Some(e)) => format!("{reason}; Yahoo unavailable: {e}"),
            _ => reason,
        };
        self.go(now, to, reason, out);
    }

    fn yahoo_or_nothing(&self) -> RouterState {
        if self.fallback_healthy == Some(false) {
            RouterState::BothUnavailable
        } else {
            RouterState::FallbackActive
        }
    }

    /// Grace for a recovery starting at `now`, grown by recent failovers.
    fn grace_period_secs(&self, now: Ts) -> u64 {
        let recent = self.failovers_within_window(now);
        let factor =
            u64::from(self.cfg.grace_growth_factor).saturating_pow(recent.saturating_sub(1));
        self.cfg
            .primary_recovery_grace_period_secs
            .saturating_mul(factor)
            .min(self.cfg.max_grace_period_secs)
    }

    fn failovers_within_window(&self, now: Ts) -> u32 {
        self.within_window(&self.failover_times, now)
    }

    fn manual_failovers_within_window(&self, now: Ts) -> u32 {
        self.within_window(&self.manual_failover_times, now)
    }

    fn within_window(&self, times: &VecDeque<Ts>, now: Ts) -> u32 {
        let window_start = plus_secs_neg(now, self.cfg.flap_window_secs);
        let n = times.iter().filter(|t| **t > window_start).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    fn failover_due_at(&self) -> Option<Ts> {
        self.primary
            .down_since
            .map(|t| plus_secs(t, self.cfg.fallback_activation_delay_secs))
    }

    fn go(&mut self, now: Ts, to: RouterState, reason: String, out: &mut Vec<Transition>) {
        let from = self.state;
        if from == to {
            return;
        }
        let failover = from.active_source() == Some(Source::Alpaca)
            && to.active_source() != Some(Source::Alpaca);
        let failback =
            from.active_source() == Some(Source::Yahoo) && to == RouterState::PrimaryActive;
        if failover {
            self.fallback_count += 1;
            let times = if to == RouterState::ManualFallback {
                self.manual_failovers += 1;
                &mut self.manual_failover_times
            } else {
                &mut self.failover_times
            };
            times.push_back(now);
            let window_start = plus_secs_neg(now, self.cfg.flap_window_secs);
            while times.front().is_some_and(|t| *t <= window_start) {
                times.pop_front();
            }
        }
        if failback {
            self.failbacks += 1;
        }
        if to != RouterState::PrimaryRecovering {
            self.recovery_due_at = None;
        }
        self.state = to;
        self.state_since = now;
        let t = Transition {
            from,
            to,
            at: now,
            reason,
            failover,
            failback,
        };
        if self.history.len() >= TRANSITION_HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(t.clone());
        out.push(t);
    }
}

fn secs_to_millis(secs: u64) -> i64 {
    i64::try_from(secs)
        .unwrap_or(i64::MAX)
        .saturating_mul(1_000)
}

fn plus_secs(t: Ts, secs: u64) -> Ts {
    t.plus_millis(secs_to_millis(secs))
}

fn plus_secs_neg(t: Ts, secs: u64) -> Ts {
    t.plus_millis(secs_to_millis(secs).saturating_neg())
}
