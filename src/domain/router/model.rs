//! The router's vocabulary: its knobs, states, inputs and transitions, named as
//! the runbook names them (states, `currentDataSource`, the greppable log line).

use crate::domain::types::{Source, Ts};
use serde::{Deserialize, Serialize};

/// How many transitions the view keeps.
pub const TRANSITION_HISTORY: usize = 50;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouterConfig {
    /// No Alpaca message for this long while the market is open means the primary is down.
    pub message_timeout_secs: u64,
    /// This many failed (re)connects in a row fail over at once.
    pub max_consecutive_failures: u32,
    /// The primary must stay down this long before we fail over (blips are ignored).
    pub fallback_activation_delay_secs: u64,
    /// A recovered primary must stay healthy this long before it serves again.
    pub primary_recovery_grace_period_secs: u64,
    /// Anti-flap: grace × factor^(failovers within the flap window − 1).
    pub grace_growth_factor: u32,
    pub max_grace_period_secs: u64,
    pub flap_window_secs: u64,
}

impl Default for RouterConfig {
    fn default() -> Self {
        RouterConfig {
            message_timeout_secs: 30,
            max_consecutive_failures: 3,
            fallback_activation_delay_secs: 10,
            primary_recovery_grace_period_secs: 10,
            grace_growth_factor: 2,
            max_grace_period_secs: 300,
            flap_window_secs: 3_600,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RouterState {
    PrimaryActive,
    FallbackActive,
    /// Yahoo still serves while a recovered Alpaca proves itself for the grace period.
    PrimaryRecovering,
    BothUnavailable,
    /// The operator forced Yahoo; stays until the operator returns it.
    ManualFallback,
}

impl RouterState {
    pub const fn as_str(self) -> &'static str {
        match self {
            RouterState::PrimaryActive => "PRIMARY_ACTIVE",
            RouterState::FallbackActive => "FALLBACK_ACTIVE",
            RouterState::PrimaryRecovering => "PRIMARY_RECOVERING",
            RouterState::BothUnavailable => "BOTH_UNAVAILABLE",
            RouterState::ManualFallback => "MANUAL_FALLBACK",
        }
    }

    /// The source whose prices are current; `None` when both are down.
    pub const fn active_source(self) -> Option<Source> {
        match self {
            RouterState::PrimaryActive => Some(Source::Alpaca),
            RouterState::FallbackActive
            | RouterState::PrimaryRecovering
            | RouterState::ManualFallback => Some(Source::Yahoo),
            RouterState::BothUnavailable => None,
        }
    }

    /// The runbook's `currentDataSource`: "Alpaca", "Yahoo" or "None".
    pub const fn current_data_source_str(self) -> &'static str {
        match self.active_source() {
            Some(s) => s.as_str(),
            None => "None",
        }
    }

    /// Should the Yahoo poller run? Also in BOTH_UNAVAILABLE, to notice its recovery.
    pub const fn yahoo_serving(self) -> bool {
        !matches!(self, RouterState::PrimaryActive)
    }
}

impl std::fmt::Display for RouterState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouterInput {
    /// Alpaca subscribed/streaming (or data arrived).
    PrimaryUp,
    /// Any Alpaca message: refreshes liveness.
    PrimaryMessage,
    /// Socket closed, stall, pong timeout, connect failed...
    PrimaryDown { reason: String },
    /// A failed (re)connect attempt; `consecutive` is the stream task's count.
    PrimaryFailure { consecutive: u32, reason: String },
    /// 402 auth failed / 409: will not come back without the operator.
    PrimaryFatal { reason: String },
    /// A good Yahoo round or response.
    FallbackHealthy,
    /// Yahoo breaker open, all-404, 429, timeouts...
    FallbackUnhealthy { reason: String },
    /// Operator: `f` key, or POST /api/health/failover.
    ForceFallback,
    /// Operator releases the forced fallback.
    ReturnToPrimary,
    /// Periodic (≥ 1/s); drives the timers and the message timeout.
    Tick { market_open: bool },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transition {
    pub from: RouterState,
    pub to: RouterState,
    pub at: Ts,
    pub reason: String,
    /// Alpaca stopped serving (to Yahoo or to nothing); counts in `fallbackCount`.
    pub failover: bool,
    /// Yahoo handed back to Alpaca.
    pub failback: bool,
}

impl Transition {
    /// The line the runbook greps for ("State transition", "DataSourceRouter.*state transition").
    pub fn log_line(&self) -> String {
        format!(
            "State transition: {} → {} (reason: {}) [DataSourceRouter state transition]",
            self.from, self.to, self.reason
        )
    }
}
