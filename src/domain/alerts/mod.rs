//! Alerting: the reference catalogue (C1–C4, H1–H3, M1–M3, L1–L2, I1–I3 plus the
//! tapewatch extras X1–X8) evaluated over one [`Signals`] struct per tick.
//!
//! Pure logic: the caller fills [`Signals`] and passes `now`; nothing here reads the
//! clock, does I/O or spawns tasks. [`AlertEngine::evaluate`] returns the state changes
//! for the event log, persistence and notifiers; [`AlertEngine::view`] is what the TUI
//! and API show.
//!
//! * [`catalog`] owns the rules: ids, names, severities, sources, runbook hints, inhibitions;
//!   [`AlertConfig`] holds their thresholds and `for` durations.
//! * `conditions` holds each rule's check on [`Signals`].
//! * [`runbooks`] and [`procedures`] carry every alert's procedure, step by step.
//! * [`engine`] owns the lifecycle (inactive → pending → firing → resolved), inhibition,
//!   acknowledge and snooze.

pub mod catalog;
mod conditions;
pub mod engine;
#[cfg(test)]
mod flow_tests;
pub mod history;
pub mod procedures;
pub mod runbooks;
#[cfg(test)]
mod tests;

pub use catalog::{Rule, RULES};
pub use engine::AlertEngine;
pub use history::{Actor, AlertRecord};

use crate::domain::types::{Label, Ts};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// What the app measured this tick. The caller fills it at least once a second; edge
/// fields (`alpaca_recovered`, `router_transition`, `subscription_changed`) are set only
/// on the tick the edge happened.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Signals {
    pub market_open: bool,
    /// The router is in BOTH_UNAVAILABLE.
    pub both_sources_unavailable: bool,
    /// The Alpaca stream is subscribed/streaming.
    pub alpaca_connected: bool,
    /// Edge: the primary came back this tick (I1).
    pub alpaca_recovered: bool,
    /// Edge: e.g. "PRIMARY_ACTIVE → FALLBACK_ACTIVE (reason: …)" (I2).
    pub router_transition: Option<String>,
    /// Edge: what changed in the subscription (I3).
    pub subscription_changed: Option<String>,
    /// Rolling one-minute end-to-end P95.
    pub p95_latency_ms: Option<f64>,
    /// Process RSS against the limit (or total memory).
    pub memory_used_pct: Option<f64>,
    pub consecutive_auth_failures: u32,
    /// Over the last minute.
    pub validation_failure_rate_pct: Option<f64>,
    pub failovers_last_hour: u32,
    /// Failed upstream calls over all upstream calls, last five minutes.
    pub error_rate_pct: Option<f64>,
    /// Symbols whose cross-source delta exceeds 5 %.
    pub discrepant_symbols: u32,
    /// Of the worst SLO.
    pub slo_budget_remaining_pct: Option<f64>,
    /// Set while an SLO burns at a fast (14.4× over 1 h and 5 min) or slow (6× over
    /// 6 h and 30 min) rate, e.g. "availability burning 33.3× over 1 h".
    pub slo_burning: Option<String>,
    pub reconnections_last_hour: u32,
    /// Symbols with no update while the market is open.
    pub stale_symbols: Vec<String>,
    /// Upstream breakers that are OPEN, named `<source key>_<what>` (yahoo_http,
    /// alpaca_stream, alpaca_rest): yahoo* raises X3, any other name X2.
    pub open_breakers: Vec<String>,
    /// Symbols whose price breaker tripped.
    pub tripped_symbols: Vec<String>,
    /// Per upstream, e.g. ("alpaca_rest", 85.0).
    pub rate_limit_used_pct: Vec<(String, f64)>,
    /// Positive = loss, as % of equity.
    pub daily_loss_pct: Option<f64>,
    /// The largest position and its share of equity.
    pub max_concentration_pct: Option<(String, f64)>,
}

/// Thresholds and `for` durations. `Default` is the reference catalogue's values; the
/// TOML form (all keys optional) is what an `[alerts]` config section would hold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertConfig {
    /// C1.
    pub both_unavailable_for_secs: u64,
    /// C2.
    pub extreme_latency_p95_ms: f64,
    pub extreme_latency_for_secs: u64,
    /// C3.
    pub memory_used_pct: f64,
    pub memory_for_secs: u64,
    /// C4 fires at this many consecutive failures (≥).
    pub auth_failures_consecutive: u32,
    /// H1.
    pub disconnected_for_secs: u64,
    /// H2.
    pub high_latency_p95_ms: f64,
    pub high_latency_for_secs: u64,
    /// H3.
    pub validation_failure_rate_pct: f64,
    pub validation_failure_for_secs: u64,
    /// M1 fires above this many failovers in the last hour.
    pub failovers_per_hour: u32,
    /// M2.
    pub error_rate_pct: f64,
    pub error_rate_for_secs: u64,
    /// M3 fires above this many discrepant symbols.
    pub discrepant_symbols: u32,
    /// L1 fires below this much remaining budget.
    pub slo_budget_remaining_pct: f64,
    /// L2 fires above this many reconnections in the last hour.
    pub reconnections_per_hour: u32,
    /// X1: stale symbols are already past the engine's freshness limit, so no extra wait.
    pub stale_for_secs: u64,
    /// X5.
    pub rate_limit_used_pct: f64,
    /// X6 (HIGH) and X7 (CRITICAL).
    pub daily_loss_warn_pct: f64,
    pub daily_loss_critical_pct: f64,
    /// X8.
    pub concentration_pct: f64,
    /// How long resolved alerts stay listed.
    pub resolved_retention_secs: u64,
}

impl Default for AlertConfig {
    fn default() -> Self {
        AlertConfig {
            both_unavailable_for_secs: 60,
            extreme_latency_p95_ms: 10_000.0,
            extreme_latency_for_secs: 300,
            memory_used_pct: 90.0,
            memory_for_secs: 300,
            auth_failures_consecutive: 5,
            disconnected_for_secs: 60,
            high_latency_p95_ms: 5_000.0,
            high_latency_for_secs: 300,
            validation_failure_rate_pct: 5.0,
            validation_failure_for_secs: 60,
            failovers_per_hour: 3,
            error_rate_pct: 1.0,
            error_rate_for_secs: 300,
            discrepant_symbols: 10,
            slo_budget_remaining_pct: 20.0,
            reconnections_per_hour: 5,
            stale_for_secs: 0,
            rate_limit_used_pct: 80.0,
            daily_loss_warn_pct: 2.0,
            daily_loss_critical_pct: 3.0,
            concentration_pct: 30.0,
            resolved_retention_secs: 900,
        }
    }
}

/// Declared in the catalogue's order; `Ord` ranks Critical highest.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    const fn rank(self) -> u8 {
        match self {
            Severity::Critical => 4,
            Severity::High => 3,
            Severity::Medium => 2,
            Severity::Low => 1,
            Severity::Info => 0,
        }
    }
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "CRITICAL",
            Severity::High => "HIGH",
            Severity::Medium => "MEDIUM",
            Severity::Low => "LOW",
            Severity::Info => "INFO",
        }
    }
}

impl Ord for Severity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl PartialOrd for Severity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    Inactive,
    Pending,
    Firing,
    Resolved,
}

impl AlertState {
    pub const fn as_str(self) -> &'static str {
        match self {
            AlertState::Inactive => "inactive",
            AlertState::Pending => "pending",
            AlertState::Firing => "firing",
            AlertState::Resolved => "resolved",
        }
    }
}

impl fmt::Display for AlertState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an alert is about; a firing CRITICAL of alpaca or yahoo silences the
/// lower-severity alerts of the same source.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertSource {
    Alpaca,
    Yahoo,
    System,
    Validation,
    Portfolio,
}

/// One state change of one alert. `from == to == Firing` is a reminder: the alert is
/// still firing and has just become notifiable (its snooze ran out, or what inhibited
/// it resolved before it was ever notified).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertChange {
    pub at: Ts,
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub source: AlertSource,
    pub from: AlertState,
    pub to: AlertState,
    /// Includes the measured value, e.g. "P95 latency 12.3 s > 10.0 s".
    pub summary: String,
    pub runbook: Option<&'static str>,
    pub first_step: &'static str,
    /// Send to notifiers: becoming firing while not acked, snoozed or inhibited, or INFO.
    pub notify: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertView {
    pub id: Label,
    pub name: Label,
    pub severity: Severity,
    pub source: AlertSource,
    pub state: AlertState,
    /// When the alert entered `state`.
    pub since: Ts,
    /// Firing: how long so far; resolved: how long it fired (if it did).
    pub firing_for_ms: Option<i64>,
    pub summary: String,
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    pub runbook: Option<Label>,
    pub first_step: Label,
    pub acked: bool,
    pub acked_at: Option<Ts>,
    pub snoozed_until: Option<Ts>,
    pub inhibited_by: Option<Label>,
}

/// Firing alerts per severity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeverityCounts {
    pub critical: u32,
    pub high: u32,
    pub medium: u32,
    pub low: u32,
    pub info: u32,
}

impl SeverityCounts {
    pub fn add(&mut self, severity: Severity) {
        let slot = match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        };
        *slot += 1;
    }
}

/// Both lists sorted by severity (highest first), then `since` (oldest first).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertsView {
    /// Pending and firing alerts.
    pub active: Vec<AlertView>,
    pub recently_resolved: Vec<AlertView>,
    /// Firing alerts only.
    pub counts: SeverityCounts,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AlertError {
    #[error(
        "unknown alert {0:?} (expected an id like \"H1\" or a name like \"AlpacaDisconnected\")"
    )]
    Unknown(String),
    #[error("alert {id} ({name}) is {state}: only a firing alert can be acknowledged")]
    NotFiring {
        id: &'static str,
        name: &'static str,
        state: AlertState,
    },
    #[error("alert {id} ({name}) is {state}: only a pending or firing alert can be snoozed")]
    NotActive {
        id: &'static str,
        name: &'static str,
        state: AlertState,
    },
    #[error("snooze of alert {id} must end after now ({now}), got until {until}")]
    SnoozeNotInFuture {
        id: &'static str,
        until: Ts,
        now: Ts,
    },
}
