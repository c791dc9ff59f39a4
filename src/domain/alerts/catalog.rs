//! The alert catalogue: every rule's id, Prometheus-style name, severity, source,
//! runbook, first diagnostic step and inhibitions; the checks themselves are in `conditions`.
//!
//! Ids C*, H*, M*, L*, I* and thresholds are the reference catalogue's (ALERT-C1 …);
//! X1–X8 are tapewatch's own. First steps quote the runbook's first diagnostic step;
//! where that step is a kubectl/Grafana command with no tapewatch counterpart, the step's
//! intent is kept and the command is tapewatch's.

use super::conditions::*;
use super::{AlertConfig, AlertSource, Severity, Signals};

/// One rule. `eval` is crate-private: callers go through [`super::AlertEngine`].
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub source: AlertSource,
    pub runbook: Option<&'static str>,
    pub first_step: &'static str,
    /// Rule ids this one silences while firing, on top of the same-source CRITICAL rule.
    pub inhibits: &'static [&'static str],
    pub(crate) eval: fn(&Signals, &AlertConfig) -> Eval,
}

const RB1: &str = "RUNBOOK-001";
const RB2: &str = "RUNBOOK-002";
const RB3: &str = "RUNBOOK-003";
const RB4: &str = "RUNBOOK-004";
const RB5: &str = "RUNBOOK-005";

const STEP_RB1: &str = "Verify the alert is legitimate: curl http://localhost:5002/api/health/stocks (both down: status Unhealthy, currentDataSource None)";
const STEP_RB2: &str =
    "Check connection state: curl http://localhost:5002/api/health/alpaca | jq '.alpacaStatus'";
const STEP_RB3: &str = "Confirm latency issue: check the P95 end-to-end latency, histogram_quantile(0.95, sum(rate(alpaca_message_latency_seconds_bucket[5m])) by (le))";
const STEP_RB4: &str = "Check validation failure rate: curl http://localhost:5002/api/metrics | grep validation_failures";
const STEP_RB5: &str = "Review failover history: curl http://localhost:5002/api/health/datasource | jq '.fallbackCount'";
const STEP_GUIDE1: &str = "Verify configuration: the [alpaca] section of the config file has key_id and feed set (never display the secret)";
const STEP_GUIDE2: &str = "Verify the frontend's connectivity: curl http://localhost:5002/api/symbols and compare each symbol's last update with the dashboard";

/// Positional, so the table below stays one rule a line.
macro_rules! r {
    ($id:literal, $name:literal, $sev:expr, $src:expr, $rb:expr, $step:expr, $inh:expr, $eval:expr) => {
        Rule {
            id: $id,
            name: $name,
            severity: $sev,
            source: $src,
            runbook: $rb,
            first_step: $step,
            inhibits: $inh,
            eval: $eval,
        }
    };
}

// One rule a line reads as the catalogue table it is.
#[rustfmt::skip]
pub static RULES: [Rule; 23] = [
    r!("C1", "AlpacaBothSourcesUnavailable", Severity::Critical, AlertSource::Alpaca, Some(RB1), STEP_RB1, &["H1", "X1", "X3"], c1),
    r!("C2", "AlpacaExtremeLatency", Severity::Critical, AlertSource::Alpaca, Some(RB3), STEP_RB3, &[], c2),
    r!("C3", "TapewatchMemoryHigh", Severity::Critical, AlertSource::System, None,
        "Check tapewatch's resident memory against its limit (ps -o rss= -p <pid>) and look for a growing channel backlog in the dashboard's perf panel", &[], c3),
    r!("C4", "AlpacaAuthFailures", Severity::Critical, AlertSource::Alpaca, Some("GUIDE-001"), STEP_GUIDE1, &[], c4),
    r!("H1", "AlpacaDisconnected", Severity::High, AlertSource::Alpaca, Some(RB2), STEP_RB2, &[], h1),
    r!("H2", "AlpacaHighLatency", Severity::High, AlertSource::Alpaca, Some(RB3), STEP_RB3, &[], h2),
    r!("H3", "AlpacaValidationFailureHigh", Severity::High, AlertSource::Validation, Some(RB4), STEP_RB4, &[], h3),
    r!("M1", "AlpacaFailoverFrequencyHigh", Severity::Medium, AlertSource::Alpaca, Some(RB5), STEP_RB5, &[], m1),
    r!("M2", "UpstreamErrorRateHigh", Severity::Medium, AlertSource::System, None,
        "Review errors: read the event log for failed Yahoo and Alpaca REST calls in the last 5 minutes", &[], m2),
    r!("M3", "PriceDiscrepancyHigh", Severity::Medium, AlertSource::Validation, Some(RB4), STEP_RB4, &[], m3),
    r!("L1", "SloErrorBudgetLow", Severity::Low, AlertSource::System, None,
        "Check SLA status: find which SLO is burning its error budget (curl -s http://localhost:5002/api/slo | jq '.slos[] | {key, budgetRemainingPct, burnRates}')", &[], l1),
    r!("L2", "AlpacaConnectionFlapping", Severity::Low, AlertSource::Alpaca, Some(RB5), STEP_RB5, &[], l2),
    r!("I1", "AlpacaRecovered", Severity::Info, AlertSource::Alpaca, None,
        "None needed; confirm the router is back on the primary: curl http://localhost:5002/api/health/alpaca", &[], i1),
    r!("I2", "RouterStateTransition", Severity::Info, AlertSource::System, None,
        "None needed; repeated transitions raise M1 (RUNBOOK-005)", &[], i2),
    r!("I3", "SubscriptionChanged", Severity::Info, AlertSource::Alpaca, None,
        "None needed; curl http://localhost:5002/api/symbols shows the current subscription", &[], i3),
    // Stale data is what the user sees, so HIGH like a disconnect.
    r!("X1", "StaleDataMarketHours", Severity::High, AlertSource::System, Some("GUIDE-002"), STEP_GUIDE2, &[], x1),
    // MEDIUM: a breaker explains a symptom; H1/C1/X1 page for the impact itself.
    r!("X2", "AlpacaBreakerOpen", Severity::Medium, AlertSource::Alpaca, None,
        "Check failure count: curl http://localhost:5002/api/health/alpaca for the errors that tripped the breaker", &[], x2),
    r!("X3", "YahooBreakerOpen", Severity::Medium, AlertSource::Yahoo, None,
        "Check failure count: read the event log for the Yahoo responses that tripped the breaker", &[], x3),
    r!("X4", "SymbolBreakerTripped", Severity::Medium, AlertSource::Validation, Some(RB4), STEP_RB4, &[], x4),
    // MEDIUM: 429s are near but polling can still be slowed before data stops.
    r!("X5", "RateLimitNearlyExhausted", Severity::Medium, AlertSource::System, None,
        "Check current usage: which upstream is near its limit (alpaca_rest allows 200/min); slow polling or shorten the watchlist", &[], x5),
    r!("X6", "DailyLossWarning", Severity::High, AlertSource::Portfolio, None,
        "Review today's P&L and open positions; reduce trading (daily loss limit: warn 2%, critical 3% of equity)", &[], x6),
    r!("X7", "DailyLossCritical", Severity::Critical, AlertSource::Portfolio, None,
        "Stop opening positions; review today's P&L and open positions (daily loss above 3% of equity)", &["X6"], x7),
    r!("X8", "PositionConcentrationHigh", Severity::Medium, AlertSource::Portfolio, None,
        "Review the largest position's share of equity and rebalance (limit 30%)", &[], x8),
];

/// Index of the rule with this id or name (exact).
pub fn find(id_or_name: &str) -> Option<usize> {
    RULES
        .iter()
        .position(|r| r.id == id_or_name || r.name == id_or_name)
}
