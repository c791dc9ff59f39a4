//! Positions inside the engine state: config lots, the broker's account and
//! positions from Alpaca's Trading API (through the `alpaca_rest` breaker), Alpaca's
//! market clock, and the P&L view computed from the routed prices. Pure, like the rest
//! of the state.

use super::{Effects, EngineState};
use crate::domain::breaker::{BreakerState, Outcome};
use crate::domain::event::{Event, EventKind, Level};
use crate::domain::market::clock::MarketClock;
use crate::domain::portfolio::{
    self, Account, BrokerPosition, Lot, Mark, PortfolioConfig, PortfolioView,
};
use crate::domain::types::{Source, Ts};
use crate::engine::snapshot::RestView;
use crate::messages::command::ALPACA_REST;
use crate::messages::rest::RestError;
use crate::messages::rest::RestUpdate;

/// What the engine knows about the trading account.
#[derive(Clone, Debug, Default)]
pub(super) struct Holdings {
    pub cfg: PortfolioConfig,
    pub lots: Vec<Lot>,
    pub positions: Option<Vec<BrokerPosition>>,
    pub account: Option<Account>,
    pub clock: Option<MarketClock>,
    pub rest: RestView,
}

impl EngineState {
    /// Config lots and the P&L limits. A lot's symbol missing from the watchlist
    /// joins it (a position is always priced); the returned effects carry the new
    /// watchlist for a live stream.
    pub fn set_lots(&mut self, lots: Vec<Lot>, cfg: PortfolioConfig) -> Effects {
        self.holdings.lots = lots;
        self.holdings.cfg = cfg;
        let mut fx = Effects::default();
        self.watch_positions(&mut fx);
        fx
    }

    pub fn set_rest_enabled(&mut self, enabled: bool) {
        self.holdings.rest.enabled = enabled;
    }

    /// Whether the market is open now: Alpaca's own clock while it is fresh, else
    /// the built-in NYSE calendar.
    pub(super) fn market_open(&self) -> bool {
        crate::domain::market::clock::is_open_with(self.holdings.clock.as_ref(), self.now)
    }

    /// One result from the Trading API poller.
    pub fn apply_rest(&mut self, u: RestUpdate, fx: &mut Effects) {
        self.advance(u.at());
        self.on_time(fx);
        let failure = match u {
            RestUpdate::RateLimit {
                used_pct, limit, ..
            } => {
                self.holdings.rest.rate_limit_used_pct = used_pct;
                self.holdings.rest.rate_limit_per_min = limit;
                return;
            }
            RestUpdate::Account { result, .. } => {
                result.map(|a| self.holdings.account = Some(a)).err()
            }
            RestUpdate::Positions { result, .. } => match result {
                Ok(p) => {
                    self.holdings.positions = Some(p);
                    self.watch_positions(fx);
                    if let Some(p) = self.holdings.positions.take() {
                        self.previous_closes_from(&p);
                        self.holdings.positions = Some(p);
                    }
                    None
                }
                Err(e) => Some(e),
            },
            RestUpdate::Clock { result, .. } => result.map(|c| self.holdings.clock = Some(c)).err(),
        };
        let (_, t) = self.upstreams.alpaca_rest.try_acquire(self.now);
        self.rest_breaker_changed(t, fx);
        self.holdings.rest.requests += 1;
        let outcome = match &failure {
            None => Outcome::Success,
            Some(e) if e.retry_after_secs().is_some() => Outcome::RateLimited,
            Some(_) => Outcome::Failure,
        };
        let t = self.upstreams.alpaca_rest.record(self.now, outcome);
        self.rest_breaker_changed(t, fx);
        match failure {
            None => {
                self.holdings.rest.last_ok_at = Some(self.now);
            }
            Some(e) => self.rest_failed(&e, fx),
        }
    }

    /// A position's `lastday_price` is yesterday's close: the price breaker's
    /// reference before the symbol's first accepted print of the day, and the
    /// row's previous close when no other source gave one.
    fn previous_closes_from(&mut self, positions: &[crate::domain::portfolio::BrokerPosition]) {
        for p in positions {
            let Some(prev) = p.lastday_price.filter(|d| *d > rust_decimal::Decimal::ZERO) else {
                continue;
            };
            let Some(&i) = self.index.get(&p.symbol) else {
                continue;
            };
            self.validator.set_reference(i, prev);
            let v = &mut self.watchlist[i];
            if v.prev_close.is_none() {
                v.prev_close = Some(prev);
            }
        }
    }

    fn rest_failed(&mut self, e: &RestError, fx: &mut Effects) {
        self.holdings.rest.failures += 1;
        let text = e.to_string();
        // One event per distinct error, not one per poll.
        if self.holdings.rest.last_error.as_deref() != Some(text.as_str()) {
            let ev = Event::new(
                self.now,
                Level::Warn,
                EventKind::Connection,
                format!("Alpaca Trading API: {text}"),
            )
            .with_source(Source::Alpaca);
            self.emit(fx, ev);
        }
        self.holdings.rest.last_error = Some(text);
    }

    fn rest_breaker_changed(
        &mut self,
        t: Option<crate::domain::breaker::BreakerTransition>,
        fx: &mut Effects,
    ) {
        if let Some(t) = t {
            debug_assert_eq!(t.name, ALPACA_REST);
            let level = if t.to == BreakerState::Open {
                Level::Warn
            } else {
                Level::Info
            };
            let text = format!(
                "Circuit breaker {} {} → {} ({})",
                t.name, t.from, t.to, t.reason
            );
            let ev = Event::new(t.at, level, EventKind::Breaker, text).with_source(Source::Alpaca);
            self.emit(fx, ev);
        }
    }

    /// The REST poller's gate: no request before this (the `alpaca_rest` breaker is open).
    pub fn rest_hold(&self) -> Option<Ts> {
        let v = self.upstreams.alpaca_rest.view(self.now);
        (v.state == BreakerState::Open)
            .then_some(v.next_probe_at)
            .flatten()
    }

    /// P&L marked to the routed prices, as of now.
    pub(super) fn portfolio_view(&self) -> PortfolioView {
        let h = &self.holdings;
        let marks = |sym: &str| -> Option<Mark> {
            let v = self.watchlist.get(*self.index.get(sym)?)?;
            Some(Mark {
                price: v.price?,
                source: v.source?,
                as_of: v.as_of?,
                stale: v.stale,
            })
        };
        let prev_close = |sym: &str| self.watchlist.get(*self.index.get(sym)?)?.prev_close;
        let broker = h.positions.as_deref().map(|p| (p, h.account.as_ref()));
        portfolio::compute(&h.cfg, self.now, &h.lots, broker, &marks, &prev_close)
    }

    pub(super) fn account(&self) -> Option<Account> {
        self.holdings.account.clone()
    }

    /// The position held in `sym` (the broker's when it has answered, else the
    /// config lots'), when there is one: such a symbol is always watched.
    pub(super) fn position_qty(&self, sym: &str) -> Option<rust_decimal::Decimal> {
        let h = &self.holdings;
        let qty: rust_decimal::Decimal = match h.positions.as_deref() {
            Some(positions) => positions
                .iter()
                .filter(|p| p.symbol == sym)
                .map(|p| p.signed_qty())
                .sum(),
            None => h
                .lots
                .iter()
                .filter(|l| l.symbol == sym)
                .map(|l| l.qty)
                .sum(),
        };
        (!qty.is_zero()).then_some(qty)
    }

    /// Symbols with a position that the watchlist lacks (they are added, so every
    /// position keeps a price).
    pub(super) fn unwatched_positions(&self) -> Vec<crate::domain::types::Symbol> {
        let h = &self.holdings;
        let mut out: Vec<crate::domain::types::Symbol> = match h.positions.as_deref() {
            Some(p) => p.iter().map(|p| p.symbol.clone()).collect(),
            None => h.lots.iter().map(|l| l.symbol.clone()).collect(),
        };
        out.retain(|s| !self.index.contains_key(s) && self.position_qty(s).is_some());
        out.sort();
        out.dedup();
        out
    }
}
