//! The runbook procedures the alert catalogue names (RUNBOOK-001 … 005, GUIDE-001 and
//! GUIDE-002), carried in the binary so an alert's detail shows every step, not just
//! the first. Written for tapewatch from the reference operations runbook: its
//! endpoints, jq expressions, thresholds and log lines, with tapewatch's own commands
//! where the reference used kubectl, psql or Grafana.
//!
//! Commands say `{api}` where the reference said `http://localhost:5002`; the TUI puts
//! in the address tapewatch actually listens on ([`Step::command_for`]). Alerts without
//! a reference runbook have tapewatch's own procedures in [`super::procedures`].

/// One step: what to do and why, and the command that does it (if there is one).
#[derive(Debug, PartialEq, Eq)]
pub struct Step {
    pub text: &'static str,
    pub command: Option<&'static str>,
}

impl Step {
    /// The command with `{api}` replaced by `api_base` (e.g. `http://127.0.0.1:5002`).
    pub fn command_for(&self, api_base: &str) -> Option<String> {
        self.command.map(|c| c.replace(API, api_base))
    }
}

/// Where the API's base URL goes in a command.
pub const API: &str = "{api}";

/// The address the alert catalogue's first steps use, as the reference wrote them.
pub const REFERENCE_API: &str = "http://localhost:5002";

/// A catalogue text (a first step) with the reference's address replaced by the one
/// tapewatch listens on; unchanged when that is not known.
pub fn at_api(text: &str, api_base: Option<&str>) -> String {
    match api_base {
        Some(base) => text.replace(REFERENCE_API, base),
        None => text.to_string(),
    }
}

/// A procedure: the runbook id (or the alert id for tapewatch's own), its title, the
/// impact, how fast to respond, and the steps in order.
#[derive(Debug, PartialEq, Eq)]
pub struct Procedure {
    pub id: &'static str,
    pub title: &'static str,
    pub impact: &'static str,
    pub respond_within: &'static str,
    pub steps: &'static [Step],
}

/// A step with a command to run.
pub(super) const fn s(text: &'static str, command: &'static str) -> Step {
    Step {
        text,
        command: Some(command),
    }
}

/// A step that is advice only.
pub(super) const fn note(text: &'static str) -> Step {
    Step {
        text,
        command: None,
    }
}

/// Where tapewatch's log files are (XDG state dir, rotated daily).
macro_rules! log {
    () => {
        "${XDG_STATE_HOME:-$HOME/.local/state}/tapewatch/tapewatch.log.*"
    };
}

pub static RUNBOOKS: [Procedure; 7] = [
    Procedure {
        id: "RUNBOOK-001",
        title: "Both data sources unavailable",
        impact: "No live prices at all: every price on screen is the last known one",
        respond_within: "5 minutes",
        steps: &[
            s("Confirm it: both down means status Unhealthy and currentDataSource None", "curl -s {api}/api/health/stocks | jq '{status, currentDataSource, alpaca: .alpaca.connected, yahoo: .yahoo.healthy}'"),
            s("Alpaca's side: the last error, failures in a row and the next retry", "curl -s {api}/api/health/alpaca | jq '.alpacaStatus | {connected, state, lastError, consecutiveFailures, nextRetryAt, stopped}'"),
            s("Look for an outage or maintenance window on Alpaca's status page", "xdg-open https://status.alpaca.markets"),
            s("Ask Yahoo directly: 200 is up, 429 is rate limiting, anything else is down", "curl -s -o /dev/null -w '%{http_code}\\n' -A 'Mozilla/5.0' 'https://query1.finance.yahoo.com/v8/finance/chart/AAPL?range=1d&interval=1m'"),
            s("Check the upstream circuit breakers: an open one stops calls until its probe", "curl -s {api}/api/health/circuit-breakers | jq '.breakers[] | {name, state, nextProbeAt}'"),
            s("Read the errors in the log (authentication, timeouts, refused connections)", concat!("grep -hiE 'Authentication failed|Connection timeout|Connection refused|error' ", log!(), " | tail -50")),
            s("Rule out the local network: DNS, then HTTPS to both hosts", "getent hosts stream.data.alpaca.markets query1.finance.yahoo.com && curl -sI https://stream.data.alpaca.markets | head -1"),
            s("Yahoo should work but its breaker is open: reset it once Yahoo answers", "curl -X POST {api}/api/breakers/yahoo_http/reset"),
            s("Once the cause is fixed, reconnect Alpaca now instead of waiting for the backoff", "curl -X POST {api}/api/health/alpaca/reconnect"),
            s("Watch the recovery until the router says PRIMARY_ACTIVE", "watch -n 5 \"curl -s {api}/api/health/datasource | jq -r .connectionState\""),
            note("Escalate: no progress in 15 minutes to the secondary on-call and SRE lead; 30 minutes to the engineering manager"),
        ],
    },
    Procedure {
        id: "RUNBOOK-002",
        title: "Alpaca disconnected (fallback active)",
        impact: "Delayed data: Yahoo's 60 s polls instead of the real-time stream",
        respond_within: "30 minutes",
        steps: &[
            s("Check the connection state: connected, authenticated, lastError, consecutiveFailures", "curl -s {api}/api/health/alpaca | jq '.alpacaStatus'"),
            s("Look for an active incident on Alpaca's status page", "xdg-open https://status.alpaca.markets"),
            s("Review the reconnection attempts and why they failed", concat!("grep -hE 'Attempting reconnection|Reconnection failed|WebSocket connection established' ", log!(), " | tail -20")),
            s("An authentication error (401, 402): check key_id and feed in the config, never the secret", "grep -A8 '^\\[alpaca\\]' ${XDG_CONFIG_HOME:-$HOME/.config}/tapewatch/config.toml | grep -v secret"),
            s("A network problem: DNS, HTTPS to the stream host, and proxy settings", "getent hosts stream.data.alpaca.markets; curl -sI https://stream.data.alpaca.markets | head -1; env | grep -i proxy"),
            s("Reconnection looks stuck: force one now (this also leaves a fatal stop)", "curl -X POST {api}/api/health/alpaca/reconnect"),
            s("After recovery, confirm the router is back on Alpaca (after the grace period, 10 s by default)", "curl -s {api}/api/health/datasource | jq -r .connectionState"),
            note("Expected recovery: on its own 30 s to 5 minutes after Alpaca is back; a manual reconnect takes effect within the 10 s grace period"),
        ],
    },
    Procedure {
        id: "RUNBOOK-003",
        title: "Extreme latency (P95 over 10 s)",
        impact: "Prices on screen lag the market by seconds: users see stale quotes",
        respond_within: "5 minutes",
        steps: &[
            s("Confirm the latency: the P95 of alpaca_message_latency_seconds over 5 minutes", "histogram_quantile(0.95, sum(rate(alpaca_message_latency_seconds_bucket[5m])) by (le))"),
            s("Find the stage: feed latency is the network or Alpaca, processing is tapewatch (Health page, latency panel)", "curl -s {api}/api/metrics | grep -E '^alpaca_message_latency_seconds_(sum|count)'"),
            s("Check the machine: CPU and memory", "top -bn1 | head -20; free -m"),
            s("Check for a backlog: a channel that drops or fills means the engine is behind", "curl -s {api}/api/metrics | grep tapewatch_channel_dropped_total"),
            s("Measure the network to Alpaca: over 200 ms consistently is a routing problem", "ping -c 20 stream.data.alpaca.markets | tail -2"),
            s("If the network to Alpaca is the cause, serve from Yahoo meanwhile", "curl -X POST {api}/api/health/failover"),
            s("When it is fixed, return to Alpaca", "curl -X POST '{api}/api/health/failover?action=return'"),
        ],
    },
    Procedure {
        id: "RUNBOOK-004",
        title: "High validation failure rate",
        impact: "Data quality: some prices may be wrong or held back",
        respond_within: "30 minutes",
        steps: &[
            s("Check the failure counts by rule", "curl -s {api}/api/metrics | grep tapewatch_validation_failures_total"),
            s("See the success rate, failures by rule and the tripped symbols", "curl -s {api}/api/validation | jq '{successRatePct, byRule, tripped, discrepancies}'"),
            s("Tally the reasons in the log", concat!("grep -h 'Validation failed: ' ", log!(), " | awk -F'Validation failed: ' '{print $2}' | sort | uniq -c | sort -rn | head")),
            s("List the latest rejections with their symbols", "curl -s {api}/api/validation | jq -r '.recent[] | \"\\(.at) \\(.symbol) \\(.reason)\"'"),
            note("A price breaker trip (a move beyond ±20%) on real news or earnings is the breaker working: compare with another source before acting"),
            s("A legitimate move: accept the held price (b on the symbol in the TUI); replace TSLA", "curl -X POST {api}/api/validation/TSLA/reset"),
            s("Bad data from Alpaca on many symbols: serve from Yahoo and report it to support@alpaca.markets", "curl -X POST {api}/api/health/failover"),
            note("Thresholds: price > 0, volume ≥ 0, timestamp at most 5 minutes ahead, price breaker ±20%, cross-source delta under 5%"),
        ],
    },
    Procedure {
        id: "RUNBOOK-005",
        title: "Frequent failovers",
        impact: "Instability: prices switch between live and delayed",
        respond_within: "2 hours",
        steps: &[
            s("Review the failover counts (forced failovers are drills and counted apart)", "curl -s {api}/api/health/datasource | jq '{fallbackCount, failoversLastHour, manualFailoversLastHour}'"),
            s("Read the transition timeline with reasons", "curl -s {api}/api/health/datasource | jq -r '.transitions[] | \"\\(.at) \\(.from) → \\(.to) (\\(.reason))\"'"),
            s("Look for a pattern: transitions per hour", concat!("grep -h 'State transition' ", log!(), " | cut -c12-13 | sort | uniq -c")),
            s("Check the connection's stability: failed health checks and reconnections", concat!("grep -hE 'Alpaca health check failed|Attempting reconnection' ", log!(), " | tail -20")),
            s("Check for packet loss: over 1% is a network problem", "ping -c 100 stream.data.alpaca.markets | tail -2"),
            s("Alpaca itself is unstable: serve from Yahoo until it settles, then return", "curl -X POST {api}/api/health/failover"),
            note("Too sensitive: raise [alpaca] message_timeout_secs to 60, [router] max_consecutive_failures to 5 and primary_recovery_grace_period_secs to 20, [alpaca] reconnect_base_delay_ms to 2000, then restart tapewatch"),
        ],
    },
    Procedure {
        id: "GUIDE-001",
        title: "Alpaca connection won't establish",
        impact: "No live stream: tapewatch stays on Yahoo or has no data",
        respond_within: "5 minutes for authentication failures",
        steps: &[
            s("Check the configuration: key_id and feed set in [alpaca] (never print the secret)", "grep -A8 '^\\[alpaca\\]' ${XDG_CONFIG_HOME:-$HOME/.config}/tapewatch/config.toml | grep -v secret"),
            s("Check that the credentials are set, by length only (a key id is 20 characters)", "printenv APCA_API_KEY_ID | tr -d '\\n' | wc -c"),
            s("Read the last error and whether the client stopped (402, 409 stop until a reconnect)", "curl -s {api}/api/health/alpaca | jq '.alpacaStatus | {lastError, consecutiveFailures, stopped}'"),
            s("Test the network: DNS and HTTPS to the stream host", "getent hosts stream.data.alpaca.markets; curl -sI https://stream.data.alpaca.markets | head -1"),
            s("Look for a proxy or a firewall rule in the way", "env | grep -i proxy; sudo iptables -L -n | grep -w 443"),
            s("After fixing the keys, reconnect (or restart tapewatch for new environment variables)", "curl -X POST {api}/api/health/alpaca/reconnect"),
        ],
    },
    Procedure {
        id: "GUIDE-002",
        title: "Prices not reaching the screen",
        impact: "Stale prices during market hours",
        respond_within: "30 minutes",
        steps: &[
            s("Compare each symbol's last update with the dashboard", "curl -s {api}/api/symbols | jq -c '.[] | {symbol, price, source, ageMs}'"),
            s("Check what Alpaca is subscribed to", "curl -s {api}/api/health/alpaca | jq '.alpacaStatus.subscribedSymbols'"),
            s("Check that messages are flowing", "curl -s {api}/api/metrics | grep -E '^alpaca_message_rate_per_second|^alpaca_messages_total'"),
            s("List the stale symbols and their ages", "curl -s {api}/api/validation | jq '.stale'"),
            s("Check the channels between the engine and the screen for drops", "curl -s {api}/api/metrics | grep tapewatch_channel_dropped_total"),
        ],
    },
];

/// The procedure with this runbook id.
pub fn runbook(id: &str) -> Option<&'static Procedure> {
    RUNBOOKS.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alerts::RULES;

    #[test]
    fn every_runbook_the_catalogue_names_is_carried() {
        for rule in &RULES {
            if let Some(id) = rule.runbook {
                let p = runbook(id).unwrap_or_else(|| panic!("{}: {id} missing", rule.id));
                assert!(p.steps.len() >= 3, "{id}");
            }
        }
    }

    #[test]
    fn commands_get_the_listen_address() {
        let p = runbook("RUNBOOK-002").unwrap();
        let cmd = p.steps[0].command_for("http://127.0.0.1:7001").unwrap();
        assert_eq!(
            cmd,
            "curl -s http://127.0.0.1:7001/api/health/alpaca | jq '.alpacaStatus'"
        );
        for p in &RUNBOOKS {
            for st in p.steps {
                let c = st.command.unwrap_or("");
                assert!(!c.contains("localhost:5002"), "{}: {c}", p.id);
                assert!(!st.text.is_empty());
            }
        }
    }
}
