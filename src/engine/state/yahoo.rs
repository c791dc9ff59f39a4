//! The Yahoo fallback's side of the engine state: each chart outcome goes through the
//! `yahoo_http` breaker, updates Yahoo's health (which the router hears about), and
//! fills the symbol's Yahoo price and previous close.

use super::routing::show;
use super::{Effects, EngineState};
use crate::breaker::{BreakerState, Outcome};
use crate::engine::snapshot::PricePoint;
use crate::event::{Event, EventKind, Level};
use crate::router::RouterInput;
use crate::types::Source;
use crate::yahoo::chart::{parse_chart, ChartError};
use crate::yahoo::YahooResponse;

impl EngineState {
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
    pub(super) fn update_fallback_health(&mut self, fx: &mut Effects) {
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

    pub(super) fn yahoo_quote(&mut self, q: crate::yahoo::ChartQuote, fx: &mut Effects) {
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
}
