//! tapewatch's own procedures, for the alerts the reference runbook has none for
//! (C3, M2, L1, the INFO alerts and the X* extras), in the same form as
//! [`super::runbooks`], and the lookup from an alert to the procedure it follows.

use super::runbooks::{note, runbook, s, Procedure, Step};
use super::Rule;

const fn own(id: &'static str, title: &'static str, steps: &'static [Step]) -> Procedure {
    Procedure {
        id,
        title,
        impact: "",
        respond_within: "",
        steps,
    }
}

static OWN: [Procedure; 12] = [
    own("C3", "tapewatch's memory is high", &[
        s("Check the process's resident memory", "ps -o pid=,rss=,etime= -C tapewatch"),
        s("Check the ratio tapewatch reports (alert at 90% for 5 minutes)", "curl -s {api}/api/metrics | grep tapewatch_memory_used_ratio"),
        s("Look for a backlog: channels that drop or stay full", "curl -s {api}/api/metrics | grep tapewatch_channel_dropped_total"),
        note("Every queue and ring in tapewatch is bounded; steady growth is a defect: save the metrics, then restart tapewatch"),
    ]),
    own("M2", "Upstream error rate above 1%", &[
        s("See which upstream fails and how", "curl -s {api}/api/metrics | grep tapewatch_upstream_requests_total"),
        s("Check the breakers that guard them", "curl -s {api}/api/health/circuit-breakers | jq '.breakers[] | {name, state, failures, calls}'"),
        s("Read the failed calls in the event log (Enter on an event shows it whole) or the log file", "grep -hiE 'yahoo|trading api' ${XDG_STATE_HOME:-$HOME/.local/state}/tapewatch/tapewatch.log.* | grep -iE 'fail|error' | tail -20"),
    ]),
    own("L1", "SLO error budget low or burning fast", &[
        s("Find the SLO that burns its budget", "curl -s {api}/api/slo | jq '.slos[] | {key, sliPct, budgetRemainingPct, burnRates, fastBurn, slowBurn}'"),
        s("See which alerts fired recently: they are what spent it", "curl -s {api}/api/alerts | jq -c '.history[] | {at, alertId, action}' | head -20"),
        note("Under 20% left: hold risky changes until the budget recovers; a fast burn (14.4×) is an incident now"),
    ]),
    own("I1", "Alpaca recovered", &[
        s("None needed; confirm the stream is connected", "curl -s {api}/api/health/alpaca | jq .alpacaStatus.connected"),
        s("The router returns to Alpaca after the grace period", "curl -s {api}/api/health/datasource | jq -r .connectionState"),
    ]),
    own("I2", "Router state transition", &[
        s("None needed; the timeline with reasons", "curl -s {api}/api/health/datasource | jq -r '.transitions[] | \"\\(.at) \\(.from) → \\(.to) (\\(.reason))\"'"),
        note("Repeated transitions raise M1 (RUNBOOK-005)"),
    ]),
    own("I3", "Subscription changed", &[
        s("None needed; the current subscription", "curl -s {api}/api/health/alpaca | jq '.alpacaStatus.subscribedSymbols'"),
    ]),
    own("X2", "An Alpaca circuit breaker is open", &[
        s("See which breaker is open, its failures and its next probe", "curl -s {api}/api/health/circuit-breakers | jq '.breakers[] | select(.state != \"CLOSED\")'"),
        s("Read the errors that tripped it", "curl -s {api}/api/health/alpaca | jq '.alpacaStatus | {lastError, consecutiveFailures}'"),
        s("Once the cause is fixed, reset it by hand (or alpaca_rest)", "curl -X POST {api}/api/breakers/alpaca_stream/reset"),
    ]),
    own("X3", "The Yahoo circuit breaker is open", &[
        s("See the breaker's state, failures and next probe", "curl -s {api}/api/health/circuit-breakers | jq '.breakers[] | select(.name == \"yahoo_http\")'"),
        s("Ask Yahoo directly: 200 is up, 429 is rate limiting", "curl -s -o /dev/null -w '%{http_code}\\n' -A 'Mozilla/5.0' 'https://query1.finance.yahoo.com/v8/finance/chart/AAPL?range=1d&interval=1m'"),
        s("Once Yahoo answers, reset the breaker", "curl -X POST {api}/api/breakers/yahoo_http/reset"),
    ]),
    own("X5", "A rate limit is nearly used up", &[
        s("See which upstream is near its limit (alpaca_rest allows 200 a minute)", "curl -s {api}/api/metrics | grep tapewatch_rate_limit_used_ratio"),
        note("Slow the polling ([portfolio] poll_interval_secs, [yahoo] active_interval_secs) and restart, or shorten the watchlist"),
        s("Shorten the watchlist now (replace AMD)", "curl -X POST {api}/api/watchlist -H 'Content-Type: application/json' -d '{\"remove\":[\"AMD\"]}'"),
    ]),
    own("X6", "Daily loss above the warning level", &[
        s("Review today's P&L", "curl -s {api}/api/positions | jq '.portfolio.totals'"),
        s("Review the open positions and their day P&L", "curl -s {api}/api/positions | jq -c '.portfolio.positions[] | {symbol, qty, last, dayPl, weightPct}'"),
        note("Reduce trading; at 3% of equity X7 fires"),
    ]),
    own("X7", "Daily loss above the critical level", &[
        note("Stop opening positions"),
        s("Review today's P&L", "curl -s {api}/api/positions | jq '.portfolio.totals'"),
        s("Review the open positions and their day P&L", "curl -s {api}/api/positions | jq -c '.portfolio.positions[] | {symbol, qty, last, dayPl, weightPct}'"),
    ]),
    own("X8", "One position is too large a share", &[
        s("Find the largest position's share of equity (limit 30%)", "curl -s {api}/api/positions | jq -c '.portfolio.positions | sort_by(.weightPct) | reverse | .[0] | {symbol, weightPct}'"),
        note("Rebalance below the limit"),
    ]),
];

/// The procedure an alert follows: its runbook's, else tapewatch's own for its id.
pub fn for_rule(rule: &Rule) -> Option<&'static Procedure> {
    rule.runbook
        .and_then(runbook)
        .or_else(|| OWN.iter().find(|p| p.id == rule.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alerts::RULES;

    #[test]
    fn every_alert_has_a_procedure_with_steps() {
        for rule in &RULES {
            let p = for_rule(rule).unwrap_or_else(|| panic!("{} has no procedure", rule.id));
            assert!(!p.steps.is_empty(), "{}", rule.id);
        }
    }
}
