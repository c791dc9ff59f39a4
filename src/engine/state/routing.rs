//! Source health and routing inside the engine state: the DataSourceRouter fed by
//! what Alpaca and Yahoo do, the upstream circuit breakers, the Yahoo fallback's
//! health, and which source's price each watchlist row shows. Still pure: time
//! comes from the inputs.

use super::{Effects, EngineState};
use crate::breaker::{
    Breaker, BreakerConfig, BreakerState, BreakerTransition, BreakerView, Outcome,
};
use crate::engine::snapshot::{LinkState, PricePoint, SymbolView};
use crate::event::{Event, EventKind, Level};
use crate::router::{RouterConfig, RouterInput, Transition};
use crate::types::{Source, Symbol, Ts};
use crate::yahoo::chart::{parse_chart, ChartError};
use crate::yahoo::poller::{Cadence, PollPlan};
use crate::yahoo::YahooResponse;

/// Upstream breaker names, as the API, metrics and `POST /api/breakers/{name}/reset` use them.
pub const YAHOO_HTTP: &str = "yahoo_http";
pub const ALPACA_STREAM: &str = "alpaca_stream";
pub const ALPACA_REST: &str = "alpaca_rest";

/// Router timers and other periodic checks run at most this often (engine time), and
/// at least this often in live sessions, where the engine clock ticks on its own.
pub const TICK_MS: i64 = 250;

#[derive(Clone, Debug, Default)]
pub struct RoutingConfig {
    pub router: RouterConfig,
    pub breaker: BreakerConfig,
}

#[derive(Clone, Debug)]
pub(super) struct Upstreams {
    pub yahoo: Breaker,
    pub alpaca_stream: Breaker,
    pub alpaca_rest: Breaker,
}

impl Upstreams {
    pub fn new(cfg: &BreakerConfig, now: Ts) -> Upstreams {
        Upstreams {
            yahoo: Breaker::new(YAHOO_HTTP, cfg.clone(), now),
            alpaca_stream: Breaker::new(ALPACA_STREAM, cfg.clone(), now),
            alpaca_rest: Breaker::new(ALPACA_REST, cfg.clone(), now),
        }
    }

    fn get_mut(&mut self, name: &str) -> Option<&mut Breaker> {
        match name {
            YAHOO_HTTP => Some(&mut self.yahoo),
            ALPACA_STREAM => Some(&mut self.alpaca_stream),
            ALPACA_REST => Some(&mut self.alpaca_rest),
            _ => None,
        }
    }

    pub fn views(&self, now: Ts) -> Vec<BreakerView> {
        vec![
            self.yahoo.view(now),
            self.alpaca_stream.view(now),
            self.alpaca_rest.view(now),
        ]
    }
}

/// Which price a row shows: the active source's, else the other source's (it stays
/// labelled with its source and age); with no active source, the newest one, stale.
pub(super) fn pick(v: &SymbolView, route: Option<Source>) -> Option<(Source, PricePoint)> {
    let a = v.alpaca.map(|p| (Source::Alpaca, p));
    let y = v.yahoo.map(|p| (Source::Yahoo, p));
    match route {
        Some(Source::Alpaca) => a.or(y),
        Some(Source::Yahoo) => y.or(a),
        None => match (a, y) {
            (Some(a), Some(y)) => Some(if y.1.as_of > a.1.as_of { y } else { a }),
            (a, y) => a.or(y),
        },
    }
}

pub(super) fn show(v: &mut SymbolView, route: Option<Source>) {
    if let Some((src, p)) = pick(v, route) {
        v.price = Some(p.price);
        v.source = Some(src);
        v.as_of = Some(p.as_of);
    }
    v.stale = route.is_none() && v.price.is_some();
}

impl EngineState {
    /// Runs the periodic checks when engine time has reached the next tick.
    pub(super) fn on_time(&mut self, fx: &mut Effects) {
        if self.now < self.next_tick_at {
            return;
        }
        self.next_tick_at = self.now.plus_millis(TICK_MS);
        let market_open = self.market_open();
        self.route_input(RouterInput::Tick { market_open }, fx);
        let mut out = std::mem::take(&mut self.validation_out);
        self.validator.tick(self.now, market_open, &mut out);
        self.validation_out = out;
        self.drain_validation(fx);
        self.evaluate_alerts(fx);
    }

    pub(super) fn route_input(&mut self, input: RouterInput, fx: &mut Effects) {
        let transitions = self.router.handle(self.now, input);
        for t in transitions {
            self.on_transition(t, fx);
        }
    }

    pub(super) fn on_transition(&mut self, t: Transition, fx: &mut Effects) {
        let level = if t.failover || t.to.active_source().is_none() {
            Level::Warn
        } else {
            Level::Info
        };
        let ev = Event::new(t.at, level, EventKind::Router, t.log_line());
        self.emit(fx, ev);
        self.alerting.pending_transition =
            Some(format!("{} → {} (reason: {})", t.from, t.to, t.reason));
        if t.failback {
            self.alerting.pending_recovered = true;
        }
        self.route = t.to.active_source();
        self.yahoo.polling = if t.to.yahoo_serving() {
            "active"
        } else {
            "standby"
        };
        for v in &mut self.watchlist {
            show(v, self.route);
        }
        fx.transitions.push(t);
    }

    fn breaker_changed(&mut self, t: Option<BreakerTransition>, fx: &mut Effects) {
        let Some(t) = t else { return };
        let level = match t.to {
            BreakerState::Open => Level::Warn,
            BreakerState::HalfOpen | BreakerState::Closed => Level::Info,
        };
        let text = format!(
            "Circuit breaker {} {} → {} ({})",
            t.name, t.from, t.to, t.reason
        );
        let src = if t.name == YAHOO_HTTP {
            Source::Yahoo
        } else {
            Source::Alpaca
        };
        let ev = Event::new(t.at, level, EventKind::Breaker, text).with_source(src);
        self.emit(fx, ev);
        if t.name == ALPACA_STREAM {
            // The stream task makes no attempt while the breaker is open.
            fx.stream_hold = Some(match t.to {
                BreakerState::Open => self.upstreams.alpaca_stream.view(self.now).next_probe_at,
                _ => None,
            });
        }
    }

    /// The Alpaca link changed state (from frames, faults or the live task).
    pub(super) fn link_changed(&mut self, state: LinkState, why: &str, fx: &mut Effects) {
        match state {
            LinkState::Subscribed => {
                let t = self
                    .upstreams
                    .alpaca_stream
                    .record(self.now, Outcome::Success);
                self.breaker_changed(t, fx);
                self.route_input(RouterInput::PrimaryUp, fx);
            }
            LinkState::Disconnected => {
                let reason = if why.is_empty() {
                    "connection closed"
                } else {
                    why
                };
                self.route_input(
                    RouterInput::PrimaryDown {
                        reason: reason.to_string(),
                    },
                    fx,
                );
            }
            LinkState::Stalled => self.route_input(
                RouterInput::PrimaryDown {
                    reason: "no messages on an open socket".into(),
                },
                fx,
            ),
            LinkState::Connecting => {
                // An attempt starts: it is the breaker's call (and its half-open probe).
                let (_, t) = self.upstreams.alpaca_stream.try_acquire(self.now);
                self.breaker_changed(t, fx);
            }
            LinkState::Connected | LinkState::Authenticated => {}
        }
    }

    /// A failed connection attempt or session reported by the live stream task.
    pub(super) fn link_failed(
        &mut self,
        consecutive: u32,
        rate_limited: bool,
        reason: &str,
        fx: &mut Effects,
    ) {
        let outcome = if rate_limited {
            Outcome::RateLimited
        } else {
            Outcome::Failure
        };
        let t = self.upstreams.alpaca_stream.record(self.now, outcome);
        self.breaker_changed(t, fx);
        self.route_input(
            RouterInput::PrimaryFailure {
                consecutive,
                reason: reason.to_string(),
            },
            fx,
        );
    }

    pub(super) fn link_fatal(&mut self, reason: &str, fx: &mut Effects) {
        self.route_input(
            RouterInput::PrimaryFatal {
                reason: reason.to_string(),
            },
            fx,
        );
    }

    /// A Yahoo chart request's outcome received at `r.at`.
    pub fn apply_yahoo(&mut self, r: &YahooResponse, fx: &mut Effects) {
        self.advance(r.at);
        self.on_time(fx);
        self.counters.yahoo_responses += 1;
        self.yahoo.responses += 1;
        // A response is a call through the breaker; one arriving while it is open
        // (already in flight, or replayed) is counted as late and changes nothing.
        let (_, t) = self.upstreams.yahoo.try_acquire(self.now);
        self.breaker_changed(t, fx);
        let url = r.url.as_str();
        let (outcome, problem) = match &r.error {
            Some(err) => (
                Outcome::Failure,
                Some(format!("request failed ({url}): {err}")),
            ),
            None => match parse_chart(r.status, &r.body) {
                Ok(q) => {
                    self.yahoo_quote(q, fx);
                    (Outcome::Success, None)
                }
                Err(ChartError::UnknownSymbol { code, description }) => {
                    // Yahoo answered; only every symbol at once being unknown means it is down.
                    let sym = r.symbol().unwrap_or_default();
                    if !self.yahoo.not_found.contains(&sym) {
                        self.yahoo.not_found.push(sym.clone());
                    }
                    let all = self.watchlist.len() >= 2
                        && self
                            .watchlist
                            .iter()
                            .all(|v| self.yahoo.not_found.contains(&v.symbol));
                    let text = format!("Yahoo does not know {sym}: {code}: {description}");
                    let ev = Event::new(self.now, Level::Warn, EventKind::Yahoo, text)
                        .with_source(Source::Yahoo)
                        .with_symbol(sym);
                    self.emit(fx, ev);
                    if all {
                        (
                            Outcome::Failure,
                            Some("every watched symbol answered 404: Yahoo looks down".into()),
                        )
                    } else {
                        (Outcome::Success, None)
                    }
                }
                Err(e @ ChartError::TooManyRequests) => (Outcome::RateLimited, Some(e.to_string())),
                Err(e) => (
                    Outcome::Failure,
                    Some(format!("response unusable ({url}): {e}")),
                ),
            },
        };
        let t = self.upstreams.yahoo.record(self.now, outcome);
        self.breaker_changed(t, fx);
        match problem {
            None => {
                self.yahoo.consecutive_failures = 0;
                self.yahoo.last_ok_at = Some(self.now);
            }
            Some(text) => {
                self.yahoo.failures += 1;
                self.yahoo.consecutive_failures += 1;
                self.yahoo.last_error = Some(text.clone());
                let ev = Event::new(
                    self.now,
                    Level::Warn,
                    EventKind::Yahoo,
                    format!("Yahoo {text}"),
                )
                .with_source(Source::Yahoo);
                self.emit(fx, ev);
            }
        }
        self.update_fallback_health(fx);
    }

    /// Yahoo is unhealthy while its breaker is open (or it answered 404 for
    /// everything, or rate-limited us); one good answer with the breaker shut is healthy.
    fn update_fallback_health(&mut self, fx: &mut Effects) {
        let open = self.upstreams.yahoo.state() == BreakerState::Open;
        let healthy = !open && self.yahoo.consecutive_failures == 0;
        // Three failures in a row, or a whole round of a short watchlist, is down.
        let enough = self.watchlist.len().clamp(1, 3) as u32;
        let bad_enough = open || self.yahoo.consecutive_failures >= enough;
        let next = if healthy {
            Some(true)
        } else if bad_enough {
            Some(false)
        } else {
            self.yahoo.healthy
        };
        if next == self.yahoo.healthy {
            return;
        }
        self.yahoo.healthy = next;
        let input = if next == Some(true) {
            RouterInput::FallbackHealthy
        } else {
            RouterInput::FallbackUnhealthy {
                reason: self
                    .yahoo
                    .last_error
                    .clone()
                    .unwrap_or_else(|| "Yahoo failing".into()),
            }
        };
        self.route_input(input, fx);
    }

    fn yahoo_quote(&mut self, q: crate::yahoo::ChartQuote, fx: &mut Effects) {
        self.yahoo.not_found.retain(|s| *s != q.symbol);
        let ns = self.now.as_nanos().saturating_sub(q.market_time.as_nanos());
        if ns >= 0 {
            let us = u64::try_from(ns / 1_000).unwrap_or(u64::MAX);
            self.yahoo_feed_latency.record_n(self.now, us, 1);
        }
        let Some(&i) = self.index.get(&q.symbol) else {
            self.counters.unwatched += 1;
            return;
        };
        let mut out = std::mem::take(&mut self.validation_out);
        if let Some(prev) = q.previous_close {
            self.watchlist[i].prev_close = Some(prev);
            self.validator.set_reference(i, prev);
        }
        // Yahoo may confirm a level Alpaca's breaker is holding.
        let confirmed =
            self.validator
                .observe_other_source(self.now, i, q.price, q.market_time, &mut out);
        self.validation_out = out;
        let route = self.route;
        let v = &mut self.watchlist[i];
        v.yahoo = Some(PricePoint {
            price: q.price,
            as_of: q.market_time,
        });
        if let Some(p) = confirmed {
            v.held = None;
            if let Some(a) = v.alpaca.as_mut() {
                a.price = p;
            }
        }
        show(v, route);
        self.drain_validation(fx);
    }

    /// Operator: force the fallback, return to the primary, or toggle (`f`).
    pub fn failover_command(&mut self, action: FailoverAction, fx: &mut Effects) -> String {
        let before = self.router.state();
        let transitions = match action {
            FailoverAction::Force => self.router.handle(self.now, RouterInput::ForceFallback),
            FailoverAction::Return => self.router.handle(self.now, RouterInput::ReturnToPrimary),
            FailoverAction::Toggle => self.router.toggle_manual(self.now),
        };
        for t in transitions {
            self.on_transition(t, fx);
        }
        let after = self.router.state();
        let text = if before == after {
            format!(
                "Failover command ({}) changed nothing: router stays {after}",
                action.as_str()
            )
        } else {
            format!(
                "Failover command ({}): router {before} → {after}",
                action.as_str()
            )
        };
        self.command_event(text.clone(), fx);
        text
    }

    /// Operator: reset an upstream breaker by name.
    pub fn reset_breaker(&mut self, name: &str, fx: &mut Effects) -> Result<String, String> {
        let now = self.now;
        let Some(b) = self.upstreams.get_mut(name) else {
            return Err(format!(
                "no upstream breaker named {name:?} (expected {YAHOO_HTTP}, {ALPACA_STREAM} or {ALPACA_REST})"
            ));
        };
        let t = b.reset(now);
        self.breaker_changed(t, fx);
        if name == ALPACA_STREAM {
            fx.stream_hold = Some(None);
        }
        if name == YAHOO_HTTP {
            self.update_fallback_health(fx);
        }
        let text = format!("Circuit breaker {name} reset by the operator");
        self.command_event(text.clone(), fx);
        Ok(text)
    }

    /// Engine time passed `now` with nothing else to say (replay ticks, the live clock).
    pub fn tick(&mut self, now: Ts, fx: &mut Effects) {
        self.advance(now);
        self.on_time(fx);
    }

    /// Operator: reset a symbol's price breaker; the held price becomes the price.
    pub fn reset_symbol_breaker(&mut self, sym: &Symbol, fx: &mut Effects) {
        let Some(&i) = self.index.get(sym) else {
            self.command_event(
                format!("Breaker reset ignored: {sym} is not in the watchlist"),
                fx,
            );
            return;
        };
        let mut out = std::mem::take(&mut self.validation_out);
        let accepted = self.validator.reset_breaker(self.now, i, &mut out);
        self.validation_out = out;
        let route = self.route;
        let v = &mut self.watchlist[i];
        v.held = None;
        let text = match accepted {
            Some(p) => {
                let as_of = v.alpaca.map_or(self.now, |a| a.as_of);
                v.alpaca = Some(PricePoint { price: p, as_of });
                show(v, route);
                format!("Price breaker for {sym} reset by the operator: {p} accepted")
            }
            None => format!("Price breaker for {sym} was not tripped; nothing to reset"),
        };
        self.drain_validation(fx);
        self.command_event(text, fx);
    }

    /// A manual reconnect is the operator acting: the stream breaker closes too.
    pub fn manual_reconnect(&mut self, fx: &mut Effects) {
        let t = self.upstreams.alpaca_stream.reset(self.now);
        self.breaker_changed(t, fx);
        fx.stream_hold = Some(None);
    }

    /// What the live Yahoo poller should do now: poll fast while Yahoo serves
    /// prices, probe slowly otherwise, and obey the Yahoo breaker.
    pub fn poll_plan(&self) -> PollPlan {
        let v = self.upstreams.yahoo.view(self.now);
        let (hold_until, max_requests) = match v.state {
            BreakerState::Open => (v.next_probe_at, None),
            BreakerState::HalfOpen => (None, v.probes_left.map(|n| n as usize)),
            BreakerState::Closed => (None, None),
        };
        PollPlan {
            symbols: self.watchlist.iter().map(|v| v.symbol.clone()).collect(),
            cadence: if self.router.state().yahoo_serving() {
                Cadence::Active
            } else {
                Cadence::Standby
            },
            hold_until,
            max_requests,
        }
    }

    pub fn watched_symbols(&self) -> Vec<Symbol> {
        self.watchlist.iter().map(|v| v.symbol.clone()).collect()
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FailoverAction {
    Force,
    Return,
    Toggle,
}

impl FailoverAction {
    pub const fn as_str(self) -> &'static str {
        match self {
            FailoverAction::Force => "force",
            FailoverAction::Return => "return",
            FailoverAction::Toggle => "toggle",
        }
    }
    pub fn parse(s: &str) -> Option<FailoverAction> {
        match s {
            "force" => Some(FailoverAction::Force),
            "return" => Some(FailoverAction::Return),
            "toggle" => Some(FailoverAction::Toggle),
            _ => None,
        }
    }
}
