//! Market-data validation: per-message rules, the per-symbol PRICE circuit breaker,
//! the cross-source check and stale detection, with counters and a bounded list of
//! recent failures for the API and TUI. Pure: `now` (receipt time) is a parameter.
//!
//! Hot path: the engine calls [`Validator::check_trade`] / `check_quote` /
//! `check_bar` for every message with the symbol's watchlist index. Accepting a
//! message touches only fixed-size per-symbol state in a `Vec`; nothing allocates
//! and no text is formatted unless a message is rejected or a breaker changes state.
//!
//! # Decisions
//! * **Log wording** follows the runbook's greps: `Validation failed: <reason>
//!   symbol: <SYM>` with reasons starting "Invalid price: 0", "Invalid volume: -1",
//!   "Future timestamp", and `Circuit breaker triggered: TSLA price movement 25%
//!   exceeds 20% threshold` (whole percent; one decimal when the whole number would
//!   not visibly exceed the threshold, e.g. "20.4%").
//! * **Rejections are rate-limited in the log** ([`ValidationConfig::max_events_per_sec`]
//!   per second of `now`); every one is still counted, and the next logged one says
//!   "(+N more not logged)", as the engine does for parse errors.
//! * **Quotes**: crossed (bid > ask, both sides present) is rejected; locked
//!   (bid == ask) is accepted and counted (`lockedQuotes`): on a consolidated feed a
//!   locked market is a normal transient. A side with price 0 and size 0 is "no
//!   quote on that side"; a 0 price with a size, or a negative one, is invalid.
//! * **Non-finite numbers**: wire and chart prices are `Decimal`, so no message
//!   here can carry one. The parsers report a NaN/inf price or size (a msgpack
//!   float, Yahoo's "Infinity") as its own issue, and the engine counts it here
//!   with [`Validator::record_non_finite`] (rule `non_finite`, a `Validation failed`
//!   line); code that still holds an `f64` uses [`check_f64`].
//! * **Yahoo prices** go through [`Validator::check_other`]: the same price,
//!   timestamp and breaker rules, with a breaker of their own (see `other`).
//! * **Trade ids** (id 0 = none, not checked): a repeat of one of the symbol's last
//!   8 (exchange, id) pairs is a duplicate. Ids are only ordered within one venue,
//!   so out-of-order means a lower id than the newest seen on the same exchange
//!   *and* an earlier timestamp: an old print arriving after newer ones (it must
//!   not move the display back). A lower id with a later time is an id reset.
//! * **Breaker**: reference = last accepted print, else the previous close
//!   ([`Validator::set_reference`]), else none (the first print is accepted).
//!   A print moving more than the threshold from the reference trips it and is
//!   held. While tripped: a print back within the threshold of the reference closes
//!   it (the held level was a bad tick and never reached the display) and is
//!   accepted; a print within `confirm_band_pct` of the held level counts toward
//!   confirmation (the tripping print is the first), and the `confirm_prints`-th
//!   closes it and is accepted; any other print starts a new held level. The other
//!   source agreeing with the last held print within the cross tolerance (and not
//!   older than the tripping print) closes it and accepts that print. After
//!   `breaker_cooldown_secs` without confirmation ([`Validator::tick`]) the held
//!   level is dropped and the breaker re-arms from the unchanged reference. A
//!   manual reset accepts the last held print (the runbook: check an external
//!   source, then let the move through). Held prints are not failures: they count
//!   as `held`; each trip counts once under `price_circuit_breaker`.
//! * **Cross-source**: compares Alpaca's last accepted trade with the other
//!   source's price when both are at most `fresh_for_cross_secs` old; a delta at or
//!   above the tolerance (runbook: "<5% difference" is fine) flags the symbol until
//!   a fresh comparison is back under it or a price ages out.
//! * **Stale**: with the market open, no accepted update from either source for
//!   `stale_after_secs` (counted from the open for a symbol with none yet).
//! * **Unsubscribed moments ago**: a message for a symbol the operator removed is
//!   in flight, not a failure, until the `until` the engine gave
//!   ([`Validator::unsubscribed`]); it is counted as `unsubscribedInFlight` and
//!   [`Verdict::Dropped`], outside `total` (see `in_flight`).
//! * `successRatePct` = (total - rejected) / total: held prints are not failures
//!   (the breaker doing its job), trips are still visible in `byRule`.

mod breaker;
mod cross;
mod in_flight;
mod other;
mod prints;
mod reject;
mod rules;
mod trade_ids;
mod view;

pub use breaker::ManualReset;
pub use in_flight::UNSUBSCRIBED_IN_FLIGHT_SECS;
pub use other::OtherCheck;
pub use rules::{check_f64, Rule, ValidationConfig};
pub use view::{DiscrepancyView, RecentRejection, StaleView, TrippedView, ValidationView};

use crate::domain::event::Level;
use crate::domain::types::{Symbol, Ts};
use crate::domain::wire::{Bar, Quote, Trade};
use breaker::{Limits, PriceBreaker};
use cross::{CrossState, Freshness};
use reject::push_event;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::VecDeque;
use trade_ids::TradeIds;

/// How many recent rejections (and trips) the validator keeps for the view.
pub const RECENT_RING: usize = 100;
const NS_PER_SEC: i64 = 1_000_000_000;

/// What to do with a message.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Valid: apply it (a trade moves the displayed price).
    Accept,
    /// A trade held by the symbol's open price breaker: count it, do not display it.
    Hold,
    Reject(Rule),
    /// In flight for a symbol unsubscribed moments ago (see `in_flight`): not
    /// checked, not counted as checked, not shown.
    Dropped,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidationEventKind {
    Rejected,
    BreakerTripped,
    BreakerClosed,
    Discrepancy,
    DiscrepancyCleared,
    Stale,
    StaleCleared,
}

/// One log line produced by validation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValidationEvent {
    pub at: Ts,
    pub level: Level,
    pub kind: ValidationEventKind,
    pub symbol: Symbol,
    pub rule: Rule,
    pub text: String,
}

#[derive(Clone, Debug)]
struct SymbolGuard {
    symbol: Symbol,
    ids: TradeIds,
    breaker: PriceBreaker,
    /// Yahoo's prices have their own breaker: its polls are a minute apart and may
    /// lag Alpaca, so mixing them into Alpaca's reference would trip both ways.
    yahoo_breaker: PriceBreaker,
    cross: CrossState,
    fresh: Freshness,
    /// Rejections and trips of this symbol.
    failures: u64,
}

impl SymbolGuard {
    fn new(symbol: Symbol) -> SymbolGuard {
        SymbolGuard {
            symbol,
            ids: TradeIds::default(),
            breaker: PriceBreaker::default(),
            yahoo_breaker: PriceBreaker::default(),
            cross: CrossState::default(),
            fresh: Freshness::default(),
            failures: 0,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Validator {
    cfg: ValidationConfig,
    lim: Limits,
    /// Yahoo's breaker limits: see [`other`].
    yahoo_lim: Limits,
    max_future_ns: i64,
    fresh_ns: i64,
    stale_ns: i64,
    cross_fraction: Decimal,
    guards: Vec<SymbolGuard>,
    by_rule: [u64; Rule::ALL.len()],
    recent: VecDeque<RecentRejection>,
    accepted: u64,
    rejected: u64,
    held: u64,
    locked_quotes: u64,
    log_second: i64,
    logged_in_second: u32,
    not_logged: u64,
    /// Symbols unsubscribed lately, with the engine time their messages stop
    /// counting as in flight.
    unsubscribed: Vec<(Symbol, Ts)>,
    unsubscribed_in_flight: u64,
}

fn secs_to_ns(secs: u64) -> i64 {
    i64::try_from(secs)
        .unwrap_or(i64::MAX / NS_PER_SEC)
        .saturating_mul(NS_PER_SEC)
}

impl Validator {
    pub fn new(cfg: ValidationConfig, symbols: &[Symbol]) -> Validator {
        let pct = |p: Decimal| p / Decimal::ONE_HUNDRED;
        let lim = Limits {
            threshold: pct(cfg.breaker_threshold_pct),
            band: pct(cfg.confirm_band_pct),
            confirm_prints: cfg.confirm_prints,
            cooldown_ns: secs_to_ns(cfg.breaker_cooldown_secs),
        };
        let mut v = Validator {
            lim,
            yahoo_lim: other::yahoo_limits(&lim),
            max_future_ns: secs_to_ns(cfg.max_future_secs),
            fresh_ns: secs_to_ns(cfg.fresh_for_cross_secs),
            stale_ns: secs_to_ns(cfg.stale_after_secs),
            cross_fraction: pct(cfg.cross_source_tolerance_pct),
            cfg,
            guards: Vec::with_capacity(symbols.len()),
            by_rule: [0; Rule::ALL.len()],
            recent: VecDeque::with_capacity(RECENT_RING),
            accepted: 0,
            rejected: 0,
            held: 0,
            locked_quotes: 0,
            log_second: i64::MIN,
            logged_in_second: 0,
            not_logged: 0,
            unsubscribed: Vec::new(),
            unsubscribed_in_flight: 0,
        };
        v.sync_symbols(symbols);
        v
    }

    pub fn config(&self) -> &ValidationConfig {
        &self.cfg
    }

    /// Appends a symbol (index = the previous length); an existing one keeps its index.
    pub fn add_symbol(&mut self, symbol: Symbol) -> usize {
        if let Some(i) = self.guards.iter().position(|g| g.symbol == symbol) {
            return i;
        }
        self.guards.push(SymbolGuard::new(symbol));
        self.guards.len() - 1
    }

    /// Removes the symbol at `idx` like `Vec::remove`: later indices shift down by one.
    pub fn remove_symbol(&mut self, idx: usize) -> Option<Symbol> {
        (idx < self.guards.len()).then(|| self.guards.remove(idx).symbol)
    }

    /// Makes the per-symbol state follow `symbols` (index i = `symbols[i]`), keeping
    /// the state of symbols already known. Use after any watchlist reorder.
    pub fn sync_symbols(&mut self, symbols: &[Symbol]) {
        // A symbol back on the watchlist is watched, not in flight.
        self.unsubscribed.retain(|(s, _)| !symbols.contains(s));
        let mut old = std::mem::take(&mut self.guards);
        for sym in symbols {
            match old.iter().position(|g| g.symbol == *sym) {
                Some(i) => self.guards.push(old.swap_remove(i)),
                None => self.guards.push(SymbolGuard::new(sym.clone())),
            }
        }
    }

    /// The previous close: the breaker's reference until the symbol's first accepted
    /// trade (later trades are the reference; this does not override them).
    pub fn set_reference(&mut self, idx: usize, prev_close: Decimal) {
        if let Some(g) = self.guards.get_mut(idx) {
            if prev_close > Decimal::ZERO {
                g.breaker.prev_close = Some(prev_close);
                g.yahoo_breaker.prev_close = Some(prev_close);
            }
        }
    }

    /// The price the breaker measures moves from.
    pub fn reference(&self, idx: usize) -> Option<Decimal> {
        self.guards.get(idx)?.breaker.reference()
    }

    /// Either source's breaker for the symbol is holding a price.
    pub fn is_tripped(&self, idx: usize) -> bool {
        self.guards
            .get(idx)
            .is_some_and(|g| g.breaker.trip.is_some() || g.yahoo_breaker.trip.is_some())
    }

    pub fn is_stale(&self, idx: usize) -> bool {
        self.guards.get(idx).is_some_and(|g| g.fresh.stale)
    }

    pub fn is_discrepant(&self, idx: usize) -> bool {
        self.guards
            .get(idx)
            .is_some_and(|g| g.cross.discrepancy.is_some())
    }

    pub fn discrepant_count(&self) -> usize {
        self.guards
            .iter()
            .filter(|g| g.cross.discrepancy.is_some())
            .count()
    }

    /// A trade received at `now` that may set Last; `idx` is the symbol's watchlist
    /// index (None: not watched). See [`Validator::check_print`].
    pub fn check_trade(
        &mut self,
        now: Ts,
        idx: Option<usize>,
        t: &Trade,
        out: &mut Vec<ValidationEvent>,
    ) -> Verdict {
        self.check_print(now, idx, t, true, out)
    }

    /// A quote received at `now`. Quotes never move the breaker.
    pub fn check_quote(
        &mut self,
        now: Ts,
        idx: Option<usize>,
        q: &Quote,
        out: &mut Vec<ValidationEvent>,
    ) -> Verdict {
        let Some(i) = idx.filter(|&i| i < self.guards.len()) else {
            return self.not_watched(now, &q.symbol, out);
        };
        let checked = match rules::future(q.ts, now, self.max_future_ns, self.cfg.max_future_secs) {
            Some(f) => Err(f),
            None => rules::quote(q.bid_price, q.bid_size, q.ask_price, q.ask_size),
        };
        match checked {
            Ok(locked) => {
                self.locked_quotes += u64::from(locked);
                self.accept_other(now, i, out)
            }
            Err(f) => self.reject(now, Some(i), &q.symbol, f, out),
        }
    }

    /// A bar (minute, daily or updated) received at `now`. Bars never move the breaker.
    pub fn check_bar(
        &mut self,
        now: Ts,
        idx: Option<usize>,
        b: &Bar,
        out: &mut Vec<ValidationEvent>,
    ) -> Verdict {
        let Some(i) = idx.filter(|&i| i < self.guards.len()) else {
            return self.not_watched(now, &b.symbol, out);
        };
        let failure = rules::future(b.ts, now, self.max_future_ns, self.cfg.max_future_secs)
            .or_else(|| rules::bar(b.open, b.high, b.low, b.close, b.volume));
        match failure {
            None => self.accept_other(now, i, out),
            Some(f) => self.reject(now, Some(i), &b.symbol, f, out),
        }
    }

    #[inline]
    fn accept_other(&mut self, now: Ts, i: usize, out: &mut Vec<ValidationEvent>) -> Verdict {
        self.accepted += 1;
        if let Some(age_ms) = self.guards[i].fresh.touch(now) {
            self.stale_cleared(now, i, age_ms, out);
        }
        Verdict::Accept
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_breaker;
#[cfg(test)]
mod tests_ids;
#[cfg(test)]
mod tests_prop;
#[cfg(test)]
mod tests_state;
