//! Prometheus metrics for `GET /metrics` and `/api/metrics`, in the classic text
//! exposition format (what `promtool check metrics` lints). Built with `metrics` and
//! `metrics-exporter-prometheus` on a local (not global) recorder.
//!
//! Counters and gauges are read from the latest snapshot at scrape time, so the
//! engine's hot path pays nothing for them. The one histogram,
//! `alpaca_message_latency_seconds`, needs every observation: the engine state
//! queues each message's latency and the engine shell feeds them to
//! [`Exporter::latency_sink`] after each batch. Labels stay low-cardinality: no
//! per-symbol series.

use crate::domain::router::RouterState;
use crate::engine::snapshot::Snapshot;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, Unit};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

/// Histogram name the runbook's PromQL uses (`alpaca_message_latency_seconds_bucket`).
pub const LATENCY_METRIC: &str = "alpaca_message_latency_seconds";

/// From a millisecond (a healthy feed) to a minute (RUNBOOK-003's 10 s sits inside).
const LATENCY_BUCKETS_SECS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0,
];

const ROUTER_STATES: [RouterState; 5] = [
    RouterState::PrimaryActive,
    RouterState::FallbackActive,
    RouterState::PrimaryRecovering,
    RouterState::BothUnavailable,
    RouterState::ManualFallback,
];

#[derive(Debug, thiserror::Error)]
#[error("cannot set up the Prometheus exporter: {0}")]
pub struct ExportError(String);

pub struct Exporter {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl Exporter {
    pub fn new() -> Result<Exporter, ExportError> {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(LATENCY_METRIC.into()), &LATENCY_BUCKETS_SECS)
            .map_err(|e| ExportError(e.to_string()))?
            .build_recorder();
        let handle = recorder.handle();
        let exporter = Exporter { recorder, handle };
        metrics::with_local_recorder(&exporter.recorder, describe_all);
        Ok(exporter)
    }

    /// The histogram the engine records message latencies into (seconds).
    pub fn latency_sink(&self) -> metrics::Histogram {
        metrics::with_local_recorder(&self.recorder, || metrics::histogram!(LATENCY_METRIC))
    }

    /// Drains recorded latencies into the histogram's buckets; call it now and then so
    /// an unscraped process does not hold raw samples.
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }

    /// The exposition text for `snap`.
    pub fn render(&self, snap: &Snapshot) -> String {
        metrics::with_local_recorder(&self.recorder, || record(snap));
        self.handle.render()
    }
}

fn describe_all() {
    describe_gauge!(
        "tapewatch_build_info",
        "Build information; the value is always 1."
    );
    describe_counter!(
        "alpaca_frames_total",
        Unit::Count,
        "WebSocket frames received from Alpaca (replayed frames in replay)."
    );
    describe_counter!(
        "alpaca_messages_total",
        Unit::Count,
        "Alpaca messages parsed, by Alpaca message type T."
    );
    describe_gauge!(
        "alpaca_message_rate_per_second",
        "Alpaca data messages per second over the last minute."
    );
    describe_counter!(
        "tapewatch_parse_errors_total",
        Unit::Count,
        "Alpaca frames or messages that could not be parsed."
    );
    describe_histogram!(
        LATENCY_METRIC,
        Unit::Seconds,
        "Alpaca message latency: the exchange timestamp to the message being applied by tapewatch."
    );
    describe_gauge!(
        "alpaca_connected",
        "1 while the Alpaca stream is connected, else 0."
    );
    describe_counter!(
        "alpaca_reconnections_total",
        Unit::Count,
        "Alpaca stream reconnection attempts."
    );
    describe_gauge!(
        "alpaca_consecutive_failures",
        "Alpaca connection failures since the last stable connection."
    );
    describe_gauge!(
        "tapewatch_router_state",
        "1 for the DataSourceRouter's current state, 0 for the others."
    );
    describe_counter!(
        "tapewatch_failovers_total",
        Unit::Count,
        "Failovers away from Alpaca (fallbackCount)."
    );
    describe_counter!(
        "tapewatch_failbacks_total",
        Unit::Count,
        "Returns to Alpaca after a failover."
    );
    describe_counter!(
        "tapewatch_validation_failures_total",
        Unit::Count,
        "Messages that failed validation, by rule."
    );
    describe_counter!(
        "tapewatch_validation_checks_total",
        Unit::Count,
        "Messages checked by validation."
    );
    describe_counter!(
        "tapewatch_validation_unsubscribed_in_flight_total",
        Unit::Count,
        "Messages for a symbol unsubscribed moments ago, dropped unchecked (not failures)."
    );
    describe_gauge!(
        "tapewatch_validation_success_ratio",
        "Share of checked messages that passed validation (the 99% SLI)."
    );
    describe_gauge!(
        "tapewatch_symbols_stale",
        "Watched symbols with no update while the market is open."
    );
    describe_gauge!(
        "tapewatch_symbol_breakers_tripped",
        "Symbols whose price circuit breaker holds an unconfirmed print."
    );
    describe_gauge!(
        "tapewatch_price_discrepancies",
        "Symbols whose Alpaca and Yahoo prices differ beyond the tolerance."
    );
    describe_gauge!(
        "tapewatch_circuit_breaker_state",
        "1 for each upstream breaker's current state, 0 for the others."
    );
    describe_counter!(
        "tapewatch_circuit_breaker_trips_total",
        Unit::Count,
        "Times an upstream breaker opened."
    );
    describe_counter!(
        "tapewatch_circuit_breaker_rejected_total",
        Unit::Count,
        "Calls an open upstream breaker refused."
    );
    describe_counter!(
        "tapewatch_upstream_requests_total",
        Unit::Count,
        "Upstream requests by upstream and outcome."
    );
    describe_gauge!(
        "tapewatch_yahoo_healthy",
        "1 when the Yahoo fallback answers, 0 when it fails, -1 before its first answer."
    );
    describe_counter!(
        "tapewatch_channel_full_total",
        Unit::Count,
        "Times a sender found a bounded channel full."
    );
    describe_counter!(
        "tapewatch_channel_dropped_total",
        Unit::Count,
        "Items a bounded channel's overflow policy dropped."
    );
    describe_gauge!(
        "tapewatch_slo_sli_ratio",
        "Each SLO's good/total ratio over its window (30 d; Alpaca uptime 7 d)."
    );
    describe_gauge!(
        "tapewatch_slo_error_budget_remaining_ratio",
        "Each SLO's error budget left: 1 untouched, 0 spent, below 0 overspent."
    );
    describe_gauge!(
        "tapewatch_slo_burn_rate",
        "Each SLO's error-budget burn rate over a window (1 = spends the budget over the SLO window)."
    );
    describe_gauge!("tapewatch_alerts_firing", "Firing alerts per severity.");
    describe_gauge!(
        "tapewatch_memory_used_ratio",
        "Process resident memory over the machine's total."
    );
    describe_gauge!(
        "tapewatch_rate_limit_used_ratio",
        "Share of an upstream's request rate limit used over its window."
    );
    describe_gauge!(
        "tapewatch_portfolio_daily_loss_ratio",
        "Today's portfolio loss over equity (0 when up on the day)."
    );
    describe_gauge!(
        "tapewatch_portfolio_max_concentration_ratio",
        "The largest position's share of the portfolio."
    );
}

/// Ratio gauges from the snapshot's percentages and SLOs.
fn record_reliability(s: &Snapshot) {
    use rust_decimal::prelude::ToPrimitive;
    for slo in &s.slo.slos {
        if let Some(sli) = slo.sli_pct {
            gauge!("tapewatch_slo_sli_ratio", "slo" => slo.key.clone()).set(sli / 100.0);
        }
        if let Some(b) = slo.budget_remaining_pct {
            gauge!("tapewatch_slo_error_budget_remaining_ratio", "slo" => slo.key.clone())
                .set(b / 100.0);
        }
        let r = &slo.burn_rates;
        for (window, rate) in [("5m", r.m5), ("30m", r.m30), ("1h", r.h1), ("6h", r.h6)] {
            if let Some(rate) = rate {
                gauge!("tapewatch_slo_burn_rate", "slo" => slo.key.clone(), "window" => window)
                    .set(rate);
            }
        }
    }
    let c = &s.alerts.counts;
    for (sev, n) in [
        ("critical", c.critical),
        ("high", c.high),
        ("medium", c.medium),
        ("low", c.low),
        ("info", c.info),
    ] {
        gauge!("tapewatch_alerts_firing", "severity" => sev).set(f64::from(n));
    }
    if let Some(pct) = s.memory_used_pct {
        gauge!("tapewatch_memory_used_ratio").set(pct / 100.0);
    }
    if s.rest.enabled {
        gauge!("tapewatch_rate_limit_used_ratio", "upstream" => "alpaca_rest")
            .set(s.rest.rate_limit_used_pct / 100.0);
    }
    let risk = &s.portfolio.risk;
    let loss = risk.daily_loss_pct.and_then(|d| d.to_f64()).unwrap_or(0.0);
    gauge!("tapewatch_portfolio_daily_loss_ratio").set(loss / 100.0);
    if let Some(pct) = risk.max_concentration.as_ref().and_then(|m| m.pct.to_f64()) {
        gauge!("tapewatch_portfolio_max_concentration_ratio").set(pct / 100.0);
    }
    describe_counter!(
        "tapewatch_notifications_total",
        Unit::Count,
        "Notifications per channel by outcome: sent, failed, suppressed (rate limit), deduplicated, dropped (queue full)."
    );
    describe_gauge!(
        "tapewatch_notification_last_success_timestamp_seconds",
        "Unix time of a notification channel's last successful send."
    );
}

fn flag(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

fn record(s: &Snapshot) {
    record_reliability(s);
    gauge!("tapewatch_build_info", "version" => env!("CARGO_PKG_VERSION"), "mode" => s.mode.as_str()).set(1.0);
    counter!("alpaca_frames_total").absolute(s.counters.frames);
    for (ty, n) in &s.counters.by_type {
        counter!("alpaca_messages_total", "type" => ty.clone()).absolute(*n);
    }
    gauge!("alpaca_message_rate_per_second").set(s.latency.alpaca_feed_us.rate_per_sec_1m);
    counter!("tapewatch_parse_errors_total").absolute(s.counters.parse_errors);
    gauge!("alpaca_connected").set(flag(s.alpaca.state.is_connected()));
    counter!("alpaca_reconnections_total").absolute(s.alpaca.reconnect_attempts);
    gauge!("alpaca_consecutive_failures").set(f64::from(s.alpaca.consecutive_failures));
    for st in ROUTER_STATES {
        gauge!("tapewatch_router_state", "state" => st.as_str())
            .set(flag(s.router.connection_state == st));
    }
    counter!("tapewatch_failovers_total").absolute(s.router.fallback_count);
    counter!("tapewatch_failbacks_total").absolute(s.router.failbacks);
    let v = &s.validation;
    for (rule, n) in &v.by_rule {
        counter!("tapewatch_validation_failures_total", "rule" => rule.clone()).absolute(*n);
    }
    counter!("tapewatch_validation_checks_total").absolute(v.total);
    counter!("tapewatch_validation_unsubscribed_in_flight_total")
        .absolute(v.unsubscribed_in_flight);
    gauge!("tapewatch_validation_success_ratio").set(v.success_rate_pct / 100.0);
    gauge!("tapewatch_symbols_stale").set(v.stale.len() as f64);
    gauge!("tapewatch_symbol_breakers_tripped").set(v.tripped.len() as f64);
    gauge!("tapewatch_price_discrepancies").set(v.discrepancies.len() as f64);
    for b in &s.breakers {
        for st in ["CLOSED", "OPEN", "HALF_OPEN"] {
            gauge!("tapewatch_circuit_breaker_state", "breaker" => b.name.clone(), "state" => st)
                .set(flag(b.state.as_str() == st));
        }
        counter!("tapewatch_circuit_breaker_trips_total", "breaker" => b.name.clone())
            .absolute(b.total_trips);
        counter!("tapewatch_circuit_breaker_rejected_total", "breaker" => b.name.clone())
            .absolute(b.rejected);
    }
    let y = &s.yahoo;
    counter!("tapewatch_upstream_requests_total", "upstream" => "yahoo_http", "outcome" => "ok")
        .absolute(y.responses.saturating_sub(y.failures));
    counter!("tapewatch_upstream_requests_total", "upstream" => "yahoo_http", "outcome" => "failed")
        .absolute(y.failures);
    gauge!("tapewatch_yahoo_healthy").set(match y.healthy {
        Some(true) => 1.0,
        Some(false) => 0.0,
        None => -1.0,
    });
    for c in &s.channels {
        counter!("tapewatch_channel_full_total", "channel" => c.name.clone()).absolute(c.full);
        counter!("tapewatch_channel_dropped_total", "channel" => c.name.clone())
            .absolute(c.dropped);
    }
    for n in &s.notifications.channels {
        for (outcome, v) in [
            ("sent", n.sent),
            ("failed", n.failed),
            ("suppressed", n.suppressed),
            ("deduplicated", n.deduplicated),
            ("dropped", n.dropped),
        ] {
            counter!("tapewatch_notifications_total", "channel" => n.name.clone(), "outcome" => outcome)
                .absolute(v);
        }
        if let Some(at) = n.last_success_at {
            gauge!("tapewatch_notification_last_success_timestamp_seconds", "channel" => n.name.clone())
                .set(at.as_millis() as f64 / 1_000.0);
        }
    }
}
