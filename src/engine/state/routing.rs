//! Source health and routing inside the engine state: the DataSourceRouter fed by
//! what Alpaca and Yahoo do, the upstream circuit breakers, the Yahoo fallback's
//! health, and which source's price each watchlist row shows. Still pure: time
//! comes from the inputs.

use super::{Effects, EngineState};
use crate::domain::breaker::{
    Breaker, BreakerConfig, BreakerState, BreakerTransition, BreakerView, Outcome,
};
use crate::domain::event::{Event, EventKind, Level};
use crate::domain::router::{RouterConfig, RouterInput, Transition};
use crate::domain::types::{Source, Symbol, Ts};
use crate::engine::snapshot::{PricePoint, SymbolView};
use crate::messages::command::ALPACA_REST;
use crate::messages::command::ALPACA_STREAM;
use crate::messages::command::YAHOO_HTTP;
use crate::messages::yahoo::Cadence;
use crate::messages::yahoo::PollPlan;
use crate::messages::LinkState;

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

    pub(super) fn get_mut(&mut self, name: &str) -> Option<&mut Breaker> {
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
        if self.yahoo.polling != "off" {
            self.yahoo.polling = if t.to.yahoo_serving() {
                "active".into()
            } else {
                "standby".into()
            };
        }
        self.route = self.effective_route();
        for v in &mut self.watchlist {
            show(v, self.route);
        }
        fx.transitions.push(t);
    }

    /// The source whose prices count as fresh: the router's, except that a Yahoo
    /// known to be down serves nothing (a manual fallback stays put regardless).
    pub(super) fn effective_route(&self) -> Option<Source> {
        match self.router.state().active_source() {
            Some(Source::Yahoo) if self.yahoo.healthy == Some(false) => None,
            s => s,
        }
    }

    /// Re-derives the route and re-shows the rows when it changed.
    pub(super) fn refresh_route(&mut self) {
        let route = self.effective_route();
        if route == self.route {
            return;
        }
        self.route = route;
        for v in &mut self.watchlist {
            show(v, route);
        }
    }

    pub(super) fn breaker_changed(&mut self, t: Option<BreakerTransition>, fx: &mut Effects) {
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

    /// Engine time passed `now` with nothing else to say (replay ticks, the live clock).
    pub fn tick(&mut self, now: Ts, fx: &mut Effects) {
        self.advance(now);
        self.on_time(fx);
    }

    /// What the live Yahoo poller should do now: poll fast while Yahoo serves
    /// prices, probe slowly otherwise, and obey the Yahoo breaker.
    pub fn poll_plan(&self) -> PollPlan {
        let v = self.upstreams.yahoo.view(self.now);
        let (hold_until, max_requests) = match v.state {
            // The first round after the wait is the half-open probes, no more.
            BreakerState::Open => (
                v.next_probe_at,
                Some(self.upstreams.yahoo.half_open_probes() as usize),
            ),
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
