//! The Yahoo fallback's side of the engine state: each chart outcome goes through the
//! `yahoo_http` breaker, updates Yahoo's health (which the router hears about), and
//! fills the symbol's Yahoo price and previous close once validation accepts them.
//!
//! # Decisions
//! * **A response the breaker did not permit** (in flight when it opened, beyond the
//!   half-open probes, replayed) is counted in `yahoo.refused` and never displayed:
//!   Yahoo must be judged by the probes before its prices are trusted again. While
//!   the breaker is open its outcome still counts as late (a 429 lengthens the wait).
//! * **404s.** A 404 carrying `chart.error` is an unknown symbol: Yahoo answered. A
//!   404 without that body is Yahoo failing. Yahoo is down when every watched symbol
//!   is unknown at once; with a one-symbol watchlist one 404 cannot tell a typo from
//!   an outage, so it takes two consecutive 404 rounds for that symbol.
//! * **Bad prices** (≤ 0, future-stamped, non-finite, breaker-held) are validation
//!   failures, not Yahoo failures: Yahoo answered, the data is bad.
//! * **No usable fallback** (disabled, or its HTTP client could not be built): Yahoo
//!   is unhealthy for good, so the router goes to BOTH_UNAVAILABLE instead of a
//!   fallback with no data. In MANUAL_FALLBACK with Yahoo down nothing serves, so
//!   prices are shown stale.

use super::routing::show;
use super::{Effects, EngineState};
use crate::domain::breaker::{BreakerState, Outcome, Permit};
use crate::domain::chart::ChartQuote;
use crate::domain::chart::{parse_chart, ChartError};
use crate::domain::event::{Event, EventKind, Level};
use crate::domain::router::RouterInput;
use crate::domain::types::{Source, Symbol};
use crate::domain::validate::Verdict;
use crate::engine::snapshot::PricePoint;
use crate::messages::yahoo::YahooResponse;
use std::collections::HashMap;

/// Yahoo bookkeeping that is not part of the snapshot's view.
#[derive(Clone, Debug, Default)]
pub(super) struct YahooTrack {
    /// Consecutive 404 (unknown symbol) answers per symbol.
    not_found_rounds: HashMap<Symbol, u32>,
    /// Why the fallback cannot serve at all (disabled, no HTTP client).
    unavailable: Option<String>,
    /// Every watched symbol is unknown at once: down until a good answer.
    all_not_found: bool,
}

/// What one response says, before anything is changed.
enum Judged {
    Quote(Box<ChartQuote>),
    Unknown { sym: Symbol, text: String },
    NonFinite(Symbol),
    Problem(Outcome, String),
}

impl EngineState {
    /// A Yahoo chart request's outcome received at `r.at`.
    pub fn apply_yahoo(&mut self, r: &YahooResponse, fx: &mut Effects) {
        self.advance(r.at);
        self.on_time(fx);
        self.counters.yahoo_responses += 1;
        self.yahoo.responses += 1;
        let (permit, t) = self.upstreams.yahoo.try_acquire(self.now);
        self.breaker_changed(t, fx);
        let judged = judge(r);
        if permit != Permit::Allowed {
            self.yahoo.refused += 1;
            if self.upstreams.yahoo.state() == BreakerState::Open {
                let outcome = match &judged {
                    Judged::Problem(o, _) => *o,
                    _ => Outcome::Success,
                };
                let t = self.upstreams.yahoo.record(self.now, outcome);
                self.breaker_changed(t, fx);
            }
            return;
        }
        let (outcome, problem) = match judged {
            Judged::Quote(q) => {
                self.yahoo_quote(&q, fx);
                (Outcome::Success, None)
            }
            Judged::NonFinite(sym) => {
                let idx = self.index.get(&sym).copied();
                let mut out = std::mem::take(&mut self.validation_out);
                self.validator
                    .record_non_finite(self.now, idx, &sym, "price", &mut out);
                self.validation_out = out;
                self.drain_validation(fx);
                (Outcome::Success, None)
            }
            Judged::Unknown { sym, text } => self.unknown_symbol(sym, text, fx),
            Judged::Problem(o, text) => (o, Some(text)),
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

    fn unknown_symbol(
        &mut self,
        sym: Symbol,
        text: String,
        fx: &mut Effects,
    ) -> (Outcome, Option<String>) {
        if !self.yahoo.not_found.contains(&sym) {
            self.yahoo.not_found.push(sym.clone());
        }
        *self
            .yahoo_track
            .not_found_rounds
            .entry(sym.clone())
            .or_default() += 1;
        let rounds_needed = if self.watchlist.len() >= 2 { 1 } else { 2 };
        let rounds = &self.yahoo_track.not_found_rounds;
        let all = !self.watchlist.is_empty()
            && self
                .watchlist
                .iter()
                .all(|v| rounds.get(&v.symbol).is_some_and(|n| *n >= rounds_needed));
        let ev = Event::new(self.now, Level::Warn, EventKind::Yahoo, text)
            .with_source(Source::Yahoo)
            .with_symbol(sym);
        self.emit(fx, ev);
        self.yahoo_track.all_not_found = all;
        if !all {
            return (Outcome::Success, None);
        }
        let why = if rounds_needed == 1 {
            "every watched symbol answered 404: Yahoo looks down"
        } else {
            "the only watched symbol answered 404 twice in a row: Yahoo looks down"
        };
        (Outcome::Failure, Some(why.into()))
    }

    /// The fallback cannot serve at all (disabled, or its HTTP client could not be
    /// built): Yahoo stays unhealthy, so the router never fails over to it.
    pub fn set_fallback_unavailable(&mut self, reason: String, fx: &mut Effects) {
        self.yahoo.polling = "off".into();
        self.yahoo.last_error = Some(reason.clone());
        self.yahoo_track.unavailable = Some(reason.clone());
        let ev =
            Event::new(self.now, Level::Warn, EventKind::Yahoo, reason).with_source(Source::Yahoo);
        self.emit(fx, ev);
        self.update_fallback_health(fx);
    }

    /// Yahoo is unhealthy while its breaker is open (or it answered 404 for
    /// everything, or rate-limited us, or cannot run); one good answer with the
    /// breaker shut is healthy.
    pub(super) fn update_fallback_health(&mut self, fx: &mut Effects) {
        let open = self.upstreams.yahoo.state() == BreakerState::Open;
        let unavailable = self.yahoo_track.unavailable.is_some() || self.yahoo_track.all_not_found;
        let healthy = !unavailable && !open && self.yahoo.consecutive_failures == 0;
        // Three failures in a row, or a whole round of a short watchlist, is down.
        let enough = self.watchlist.len().clamp(1, 3) as u32;
        let bad_enough = unavailable || open || self.yahoo.consecutive_failures >= enough;
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
        // A manual fallback stays put whatever Yahoo does; its rows go stale or fresh.
        self.refresh_route();
    }

    pub(super) fn yahoo_quote(&mut self, q: &ChartQuote, fx: &mut Effects) {
        self.yahoo.not_found.retain(|s| *s != q.symbol);
        self.yahoo_track.not_found_rounds.remove(&q.symbol);
        self.yahoo_track.all_not_found = false;
        let ns = self.now.as_nanos().saturating_sub(q.market_time.as_nanos());
        if ns >= 0 {
            let us = u64::try_from(ns / 1_000).unwrap_or(u64::MAX);
            self.yahoo_feed_latency.record_n(self.now, us, 1);
        }
        let idx = self.index.get(&q.symbol).copied();
        let mut out = std::mem::take(&mut self.validation_out);
        if let (Some(i), Some(prev)) = (idx, q.previous_close) {
            if prev > rust_decimal::Decimal::ZERO {
                self.watchlist[i].prev_close = Some(prev);
                self.validator.set_reference(i, prev);
            }
        }
        let check =
            self.validator
                .check_other(self.now, idx, &q.symbol, q.price, q.market_time, &mut out);
        self.validation_out = out;
        let Some(i) = idx else {
            self.counters.unwatched += 1;
            self.drain_validation(fx);
            return;
        };
        let route = self.route;
        let v = &mut self.watchlist[i];
        // Yahoo may confirm a level Alpaca's breaker is holding.
        if let Some(p) = check.confirmed_alpaca {
            v.held = None;
            if let Some(a) = v.alpaca.as_mut() {
                a.price = p;
            }
        }
        match check.verdict {
            Verdict::Accept => {
                v.yahoo = Some(PricePoint {
                    price: q.price,
                    as_of: q.market_time,
                });
                v.bars.merge(super::charts::yahoo_bars(&q.series));
                if route != Some(Source::Alpaca) && check.confirmed_alpaca.is_none() {
                    v.held = None;
                }
            }
            // Only a row that shows Yahoo says "held"; Alpaca's rows are Alpaca's.
            Verdict::Hold if route != Some(Source::Alpaca) => v.held = Some(q.price),
            Verdict::Hold | Verdict::Reject(_) | Verdict::Dropped => {}
        }
        show(v, route);
        self.drain_validation(fx);
    }
}

/// Classifies one response; changes nothing.
fn judge(r: &YahooResponse) -> Judged {
    let url = r.url.as_str();
    if let Some(err) = &r.error {
        return Judged::Problem(Outcome::Failure, format!("request failed ({url}): {err}"));
    }
    match parse_chart(r.status, &r.body) {
        Ok(q) => Judged::Quote(Box::new(q)),
        Err(ChartError::UnknownSymbol { code, description }) => {
            let sym = r.symbol().unwrap_or_default();
            let text = format!("Yahoo does not know {sym}: {code}: {description}");
            Judged::Unknown { sym, text }
        }
        Err(ChartError::NonFinitePrice) => Judged::NonFinite(r.symbol().unwrap_or_default()),
        Err(e @ ChartError::TooManyRequests) => {
            Judged::Problem(Outcome::RateLimited, e.to_string())
        }
        Err(e) => Judged::Problem(Outcome::Failure, format!("response unusable ({url}): {e}")),
    }
}
