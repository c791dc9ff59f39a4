//! Alerts inside the engine state: once a second of engine time the state measures
//! the alert catalogue's signals (rates over rolling windows, edges since the last
//! evaluation) and runs the pure [`AlertEngine`]. Changes become events in the
//! runbook's vocabulary; the view goes into the snapshot.

use super::{Effects, EngineState};
use crate::domain::alerts::{
    Actor, AlertChange, AlertEngine, AlertError, AlertRecord, AlertState, Signals,
};
use crate::domain::breaker::BreakerState;
use crate::domain::event::{Event, EventKind, Level};
use crate::domain::router::RouterState;
use crate::domain::types::Ts;
use crate::messages::CommandReply;
use rust_decimal::prelude::ToPrimitive;
use std::collections::VecDeque;

/// One second's cumulative counters, for rates over rolling windows.
#[derive(Copy, Clone, Debug, Default)]
struct Sample {
    at: Ts,
    checked: u64,
    rejected: u64,
    upstream_calls: u64,
    upstream_failures: u64,
    reconnects: u64,
}

/// Everything the alert evaluation remembers between ticks.
#[derive(Clone, Debug)]
pub(super) struct Alerting {
    pub engine: AlertEngine,
    last_eval_sec: i64,
    samples: VecDeque<Sample>,
    /// Edges seen since the last evaluation.
    pub pending_transition: Option<String>,
    pub pending_recovered: bool,
    pub pending_subscription: Option<String>,
    /// Symbols whose price breaker tripped since the last evaluation, even if it
    /// closed again before it.
    pub pending_trips: Vec<crate::domain::types::Symbol>,
    /// Consecutive 402s; an authentication resets it.
    pub auth_failures: u32,
    /// Process memory use, measured by the engine shell (live only).
    pub memory_used_pct: Option<f64>,
    /// The API's base URL, put into the first steps the event log quotes.
    pub api_base: Option<String>,
}

/// An hour of one-second samples would be 3,600 entries; every 10 s is plenty.
const SAMPLE_EVERY_SECS: i64 = 10;
const SAMPLE_SPAN_SECS: i64 = 3_600;

impl Alerting {
    pub fn new() -> Alerting {
        Alerting {
            engine: AlertEngine::new(Default::default()),
            last_eval_sec: i64::MIN,
            samples: VecDeque::with_capacity((SAMPLE_SPAN_SECS / SAMPLE_EVERY_SECS) as usize + 2),
            pending_transition: None,
            pending_recovered: false,
            pending_subscription: None,
            pending_trips: Vec::new(),
            auth_failures: 0,
            memory_used_pct: None,
            api_base: None,
        }
    }

    /// The counters' growth over the last `secs`, from the oldest sample within it.
    fn delta(&self, now: Sample, secs: i64) -> Option<Sample> {
        let from = self
            .samples
            .iter()
            .find(|s| now.at.millis_since(s.at) <= secs * 1_000)?;
        Some(Sample {
            at: from.at,
            checked: now.checked.saturating_sub(from.checked),
            rejected: now.rejected.saturating_sub(from.rejected),
            upstream_calls: now.upstream_calls.saturating_sub(from.upstream_calls),
            upstream_failures: now.upstream_failures.saturating_sub(from.upstream_failures),
            reconnects: now.reconnects.saturating_sub(from.reconnects),
        })
    }
}

fn pct(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

impl EngineState {
    /// Where the HTTP API listens (`http://127.0.0.1:5002`), for the commands the
    /// alert events quote.
    pub fn set_api_base(&mut self, api_base: Option<String>) {
        self.alerting.api_base = api_base;
    }

    /// Evaluates the alert catalogue when engine time reaches a new second.
    pub(super) fn evaluate_alerts(&mut self, fx: &mut Effects) {
        let sec = self.now.as_nanos().div_euclid(1_000_000_000);
        if sec == self.alerting.last_eval_sec {
            return;
        }
        self.alerting.last_eval_sec = sec;
        self.refresh_latency(false);
        let v = self.validator.view(self.now);
        let now_sample = Sample {
            at: self.now,
            checked: v.total,
            rejected: v.rejected,
            upstream_calls: self.yahoo.responses + self.holdings.rest.requests,
            upstream_failures: self.yahoo.failures + self.holdings.rest.failures,
            reconnects: self.alpaca.reconnect_attempts,
        };
        let a = &self.alerting;
        let minute = a.delta(now_sample, 60);
        let five = a.delta(now_sample, 300);
        let hour = a.delta(now_sample, SAMPLE_SPAN_SECS);
        self.sample_slo(v.total, v.rejected, fx);
        let (slo_budget_remaining_pct, slo_burning) = self.slo_signals();
        let p95 = &self.latency.alpaca_feed_us.last_1m;
        let portfolio = self.portfolio_view();
        let signals = Signals {
            market_open: self.market_open(),
            both_sources_unavailable: self.router.state() == RouterState::BothUnavailable,
            alpaca_connected: self.alpaca.state.is_connected(),
            alpaca_recovered: std::mem::take(&mut self.alerting.pending_recovered),
            router_transition: self.alerting.pending_transition.take(),
            subscription_changed: self.alerting.pending_subscription.take(),
            p95_latency_ms: (p95.count > 0).then(|| p95.p95 as f64 / 1_000.0),
            memory_used_pct: self.alerting.memory_used_pct,
            consecutive_auth_failures: self.alerting.auth_failures,
            validation_failure_rate_pct: minute.and_then(|d| pct(d.rejected, d.checked)),
            failovers_last_hour: self.router.view(self.now).failovers_last_hour,
            error_rate_pct: five.and_then(|d| pct(d.upstream_failures, d.upstream_calls)),
            discrepant_symbols: u32::try_from(self.validator.discrepant_count())
                .unwrap_or(u32::MAX),
            slo_budget_remaining_pct,
            slo_burning,
            reconnections_last_hour: hour
                .map_or(0, |d| u32::try_from(d.reconnects).unwrap_or(u32::MAX)),
            stale_symbols: v.stale.iter().map(|s| s.symbol.to_string()).collect(),
            open_breakers: self
                .upstreams
                .views(self.now)
                .into_iter()
                .filter(|b| b.state == BreakerState::Open)
                .map(|b| b.name.to_string())
                .collect(),
            tripped_symbols: {
                let mut syms: Vec<String> =
                    v.tripped.iter().map(|t| t.symbol.to_string()).collect();
                for s in std::mem::take(&mut self.alerting.pending_trips) {
                    if !syms.iter().any(|x| x == s.as_str()) {
                        syms.push(s.to_string());
                    }
                }
                syms
            },
            rate_limit_used_pct: if self.holdings.rest.enabled {
                vec![("alpaca_rest".into(), self.holdings.rest.rate_limit_used_pct)]
            } else {
                Vec::new()
            },
            daily_loss_pct: portfolio.risk.daily_loss_pct.and_then(|d| d.to_f64()),
            // Shares of a partly priced portfolio are wrong (at start, the first
            // symbol priced looks like all of it): no verdict until every one is.
            max_concentration_pct: portfolio
                .risk
                .max_concentration
                .as_ref()
                .filter(|_| {
                    !portfolio.positions.iter().any(|p| {
                        p.risk
                            .contains(&crate::domain::portfolio::RiskFlag::NoPrice)
                    })
                })
                .and_then(|c| Some((c.symbol.to_string(), c.pct.to_f64()?))),
        };
        if sec.rem_euclid(SAMPLE_EVERY_SECS) == 0 || self.alerting.samples.is_empty() {
            let a = &mut self.alerting;
            a.samples.push_back(now_sample);
            while a.samples.front().is_some_and(|s| {
                self.now.millis_since(s.at) > (SAMPLE_SPAN_SECS + SAMPLE_EVERY_SECS) * 1_000
            }) {
                a.samples.pop_front();
            }
        }
        let changes = self.alerting.engine.evaluate(self.now, &signals);
        for c in changes {
            self.alert_changed(c, fx);
        }
    }

    fn alert_changed(&mut self, c: AlertChange, fx: &mut Effects) {
        use crate::domain::alerts::Severity;
        let level = match (c.to, c.severity) {
            (AlertState::Firing, Severity::Critical | Severity::High) => Level::Error,
            (AlertState::Firing, Severity::Medium | Severity::Low) => Level::Warn,
            _ => Level::Info,
        };
        // Pending is noise in the log (the view shows it), and an INFO alert's
        // resolution follows its firing on the same tick.
        let info_resolved = c.severity == Severity::Info && c.to == AlertState::Resolved;
        if c.to == AlertState::Pending || c.to == AlertState::Inactive || info_resolved {
            return;
        }
        let runbook = c.runbook.map(|r| format!(" — {r}")).unwrap_or_default();
        let text = format!(
            "Alert {} {} {} {}: {}{runbook}; first step: {}",
            c.id,
            c.severity.as_str(),
            c.name,
            c.to.as_str(),
            c.summary,
            crate::domain::alerts::runbooks::at_api(
                c.first_step,
                self.alerting.api_base.as_deref()
            )
        );
        let ev = Event::new(c.at, level, EventKind::Alert, text);
        self.emit(fx, ev);
        if let Some(rec) = crate::domain::alerts::AlertRecord::from_change(&c) {
            self.record_alert(rec, fx);
        }
        fx.alerts.push(c);
    }

    /// Operator: acknowledge a firing alert (by id like "H1" or name).
    pub fn acknowledge_alert(&mut self, id: &str, actor: Actor, fx: &mut Effects) -> CommandReply {
        let reply = match self.alerting.engine.acknowledge(self.now, id) {
            Ok(()) => {
                self.operator_record(id, "acknowledged", actor, String::new(), fx);
                CommandReply::done(format!("Alert {id} acknowledged by {actor}"))
            }
            Err(e) => refusal("Acknowledge refused", &e),
        };
        self.command_event(reply.message.clone(), fx);
        reply
    }

    /// Operator: snooze an alert's notifications for `minutes`.
    pub fn snooze_alert(
        &mut self,
        id: &str,
        minutes: u32,
        actor: Actor,
        fx: &mut Effects,
    ) -> CommandReply {
        let until = self.now.plus_millis(i64::from(minutes) * 60_000);
        let reply = match self.alerting.engine.snooze(self.now, id, until) {
            Ok(()) => {
                let note = format!("for {minutes} min (until {until})");
                self.operator_record(id, "snoozed", actor, note.clone(), fx);
                CommandReply::done(format!("Alert {id} snoozed {note} by {actor}"))
            }
            Err(e) => refusal("Snooze refused", &e),
        };
        self.command_event(reply.message.clone(), fx);
        reply
    }

    /// A history entry for an operator's action on the alert `id` (id or name).
    fn operator_record(
        &mut self,
        id: &str,
        action: &str,
        actor: Actor,
        summary: String,
        fx: &mut Effects,
    ) {
        let view = self.alerting.engine.view(self.now);
        let found = view
            .active
            .iter()
            .chain(view.recently_resolved.iter())
            .find(|a| a.id.eq_ignore_ascii_case(id) || a.name.eq_ignore_ascii_case(id));
        let (alert_id, name, severity) = match found {
            Some(a) => (a.id.to_string(), a.name.to_string(), a.severity.as_str()),
            None => (id.to_string(), id.to_string(), ""),
        };
        let rec = AlertRecord {
            at: self.now,
            alert_id,
            name,
            severity: severity.to_string(),
            action: action.to_string(),
            actor,
            summary,
        };
        self.record_alert(rec, fx);
    }

    /// The engine shell's measurement of process memory (RSS as % of the machine's).
    pub fn set_memory_used_pct(&mut self, pct: Option<f64>) {
        self.alerting.memory_used_pct = pct;
    }
}

/// An id the catalogue does not know is not found; a known alert in the wrong state
/// is refused, with the alert engine's reason.
fn refusal(what: &str, e: &AlertError) -> CommandReply {
    let text = format!("{what}: {e}");
    match e {
        AlertError::Unknown(_) => CommandReply::not_found(text),
        _ => CommandReply::refused(text),
    }
}
