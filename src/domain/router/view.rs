//! The router as the UI and `GET /api/health/datasource` show it: state, counters,
//! timers, recent transitions and the knobs under the runbook's names.

use super::{plus_secs, Router, RouterState, Transition};
use crate::domain::types::Ts;
use serde::{Deserialize, Serialize};

/// Transitions serialise as they are.
pub type TransitionView = Transition;

/// The knobs, with the runbook's configuration names as JSON keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouterSettings {
    pub message_timeout_seconds: u64,
    pub max_consecutive_failures: u32,
    pub fallback_activation_delay_seconds: u64,
    pub primary_recovery_grace_period_seconds: u64,
    pub grace_growth_factor: u32,
    pub max_grace_period_seconds: u64,
    pub flap_window_seconds: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouterView {
    pub connection_state: RouterState,
    /// "Alpaca" | "Yahoo" | "None".
    pub current_data_source: crate::domain::types::Label,
    /// Failovers since start (forced ones included).
    pub fallback_count: u64,
    pub failbacks: u64,
    pub state_since: Ts,
    pub in_state_ms: i64,
    pub primary_healthy: bool,
    /// `None` until Yahoo has been tried.
    pub fallback_healthy: Option<bool>,
    pub primary_down_since: Option<Ts>,
    pub primary_down_reason: Option<String>,
    pub fallback_last_error: Option<String>,
    /// In PRIMARY_ACTIVE with Alpaca down: when the failover will happen.
    pub failover_due_at: Option<Ts>,
    /// In PRIMARY_RECOVERING: when Alpaca takes over again.
    pub recovery_due_at: Option<Ts>,
    /// The grace in force (PRIMARY_RECOVERING) or the one a recovery now would get.
    pub current_grace_period_secs: u64,
    /// Failovers the router made (Alpaca failed) within the flap window, an hour by
    /// default: these grow the recovery grace and fire M1. Forced ones are not here.
    pub failovers_last_hour: u32,
    /// The operator's forced failovers (`f`, `POST /api/health/failover`) within the
    /// flap window: drills, so they leave the grace alone.
    pub manual_failovers_last_hour: u32,
    /// Forced failovers since start (also counted in `fallback_count`).
    pub manual_failovers: u64,
    pub manual: bool,
    pub last_transition: Option<TransitionView>,
    /// Most recent last, at most [`super::TRANSITION_HISTORY`].
    pub transitions: Vec<TransitionView>,
    pub settings: RouterSettings,
}

impl Router {
    pub fn view(&self, now: Ts) -> RouterView {
        let cfg = &self.cfg;
        let failover_due_at = match self.state {
            RouterState::PrimaryActive => self.failover_due_at(),
            _ => None,
        };
        let current_grace_period_secs = match self.state {
            RouterState::PrimaryRecovering => self.recovery_grace_secs,
            _ => self.grace_period_secs(now),
        };
        RouterView {
            connection_state: self.state,
            current_data_source: self.state.current_data_source_str().into(),
            fallback_count: self.fallback_count,
            failbacks: self.failbacks,
            state_since: self.state_since,
            in_state_ms: now.millis_since(self.state_since).max(0),
            primary_healthy: self.primary.up,
            fallback_healthy: self.fallback_healthy,
            primary_down_since: self.primary.down_since,
            primary_down_reason: self.primary.down_reason.clone(),
            fallback_last_error: self.fallback_error.clone(),
            failover_due_at,
            recovery_due_at: self.recovery_due_at,
            current_grace_period_secs,
            failovers_last_hour: self.failovers_within_window(now),
            manual_failovers_last_hour: self.manual_failovers_within_window(now),
            manual_failovers: self.manual_failovers,
            manual: self.state == RouterState::ManualFallback,
            last_transition: self.history.back().cloned(),
            transitions: self.history.iter().cloned().collect(),
            settings: RouterSettings {
                message_timeout_seconds: cfg.message_timeout_secs,
                max_consecutive_failures: cfg.max_consecutive_failures,
                fallback_activation_delay_seconds: cfg.fallback_activation_delay_secs,
                primary_recovery_grace_period_seconds: cfg.primary_recovery_grace_period_secs,
                grace_growth_factor: cfg.grace_growth_factor,
                max_grace_period_seconds: cfg.max_grace_period_secs,
                flap_window_seconds: cfg.flap_window_secs,
            },
        }
    }

    /// When silence would count as a failure, if the market is open and Alpaca up.
    pub fn message_timeout_at(&self) -> Option<Ts> {
        if !(self.primary.up && self.market_open) {
            return None;
        }
        let since = match self.market_opened_at {
            Some(open) => open.max(self.primary.last_seen),
            None => self.primary.last_seen,
        };
        Some(plus_secs(since, self.cfg.message_timeout_secs))
    }
}
