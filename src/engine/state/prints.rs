//! Trades, corrections and cancels applied under the condition tables: only a print
//! the consolidated tape counts (and that is not late) moves Last, and with it the
//! watchlist, the P&L marks, the price breaker and the cross-source check; high/low
//! and volume follow the table; a correction or cancel recomputes what it touched.
//! Also watches for a stream whose every print arrives long after it was stamped.

use super::{Effects, EngineState};
use crate::domain::conditions::book::{Amend, LastChange, PrintBook};
use crate::domain::conditions::{self, VOL};
use crate::domain::event::{Event, EventKind, Level};
use crate::domain::types::{Source, Symbol, Ts};
use crate::domain::validate::Verdict;
use crate::domain::wire::{CancelError, Correction, Quote, Trade};
use crate::engine::snapshot::PricePoint;

/// Prints per window of the "all late" check.
const LAG_WINDOW: u32 = 50;
/// The delayed SIP feed is 15 minutes behind by design: its lag is not news.
const DELAYED_SIP_LAG_NS: i64 = 15 * 60 * 1_000_000_000;

/// The per-symbol print books (index = watchlist index) and the lag watch.
#[derive(Clone, Debug)]
pub(super) struct Prints {
    books: Vec<(Symbol, PrintBook)>,
    tolerance_ns: i64,
    lag: LagWatch,
}

impl Prints {
    pub(super) fn new(symbols: &[Symbol], tolerance_secs: u64, feed: &str) -> Prints {
        let tolerance_ns = i64::try_from(tolerance_secs)
            .unwrap_or(i64::MAX / 1_000_000_000)
            .saturating_mul(1_000_000_000);
        let extra = if feed == "delayed_sip" {
            DELAYED_SIP_LAG_NS
        } else {
            0
        };
        let mut p = Prints {
            books: Vec::new(),
            tolerance_ns,
            lag: LagWatch::new(tolerance_ns.saturating_add(extra)),
        };
        p.sync_symbols(symbols);
        p
    }

    /// Follows a watchlist change: index i = `symbols[i]`, known symbols keep their book.
    pub(super) fn sync_symbols(&mut self, symbols: &[Symbol]) {
        let mut old = std::mem::take(&mut self.books);
        for sym in symbols {
            match old.iter().position(|(s, _)| s == sym) {
                Some(i) => self.books.push(old.swap_remove(i)),
                None => self.books.push((sym.clone(), PrintBook::default())),
            }
        }
    }

    fn book(&mut self, i: usize) -> Option<&mut PrintBook> {
        self.books.get_mut(i).map(|(_, b)| b)
    }
}

/// Counts prints stamped longer ago than the threshold (receipt time minus the
/// print's time) per window; a window where every print is late warns once.
#[derive(Clone, Debug)]
struct LagWatch {
    threshold_ns: i64,
    seen: u32,
    lagged: u32,
    lags_ns: Vec<i64>,
    warned: bool,
}

impl LagWatch {
    fn new(threshold_ns: i64) -> LagWatch {
        LagWatch {
            threshold_ns,
            seen: 0,
            lagged: 0,
            lags_ns: Vec::with_capacity(LAG_WINDOW as usize),
            warned: false,
        }
    }

    /// The typical (median) lag when this print completes an all-late window.
    fn on_print(&mut self, now: Ts, ts: Ts) -> Option<i64> {
        let lag = now.as_nanos().saturating_sub(ts.as_nanos());
        self.seen += 1;
        if lag > self.threshold_ns {
            self.lagged += 1;
            self.lags_ns.push(lag);
        }
        if self.seen < LAG_WINDOW {
            return None;
        }
        let all_late = self.lagged == self.seen;
        let mut lags = std::mem::take(&mut self.lags_ns);
        self.seen = 0;
        self.lagged = 0;
        let out = if all_late && !self.warned {
            lags.sort_unstable();
            lags.get(lags.len() / 2).copied()
        } else {
            None
        };
        // One warning per spell: a window with a timely print re-arms it.
        self.warned = all_late;
        lags.clear();
        self.lags_ns = lags;
        out
    }
}

/// "2d 3h", "4m 10s", "7s": a lag as a person reads it.
pub(super) fn lag_text(ns: i64) -> String {
    let s = ns / 1_000_000_000;
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{sec}s"),
        (0, 0, _) => format!("{m}m {sec}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

impl EngineState {
    pub(super) fn apply_trade(&mut self, t: &Trade, fx: &mut Effects) {
        self.record_feed_latency(t.ts);
        let idx = self.index.get(&t.symbol).copied();
        let elig = conditions::evaluate(&t.tape, &t.conditions);
        let tolerance_ns = self.prints.tolerance_ns;
        let late = elig.out_of_sequence()
            || idx
                .and_then(|i| self.prints.book(i))
                .is_some_and(|b| conditions::is_late(t.ts, b.last_set_at(), tolerance_ns));
        let may_set_last = elig.last() && !late;
        let verdict =
            self.validator
                .check_print(self.now, idx, t, may_set_last, &mut self.validation_out);
        let Some(i) = idx else {
            self.counters.unwatched += 1;
            return;
        };
        match verdict {
            Verdict::Accept => {}
            Verdict::Hold => {
                self.watchlist[i].held = Some(t.price);
                return;
            }
            Verdict::Reject(_) | Verdict::Dropped => return,
        }
        if let Some(lag) = self.prints.lag.on_print(self.now, t.ts) {
            self.all_late_warning(lag, fx);
        }
        let high_low = may_set_last || self.validator.near_reference(i, t.price);
        let route = self.route;
        let v = &mut self.watchlist[i];
        let Some((_, book)) = self.prints.books.get_mut(i) else {
            return;
        };
        let counted = book.record(&mut v.tape, t, elig, late, may_set_last, high_low);
        if may_set_last {
            v.held = None;
            v.alpaca = Some(PricePoint {
                price: t.price,
                as_of: t.ts,
            });
            if route != Some(Source::Yahoo) || v.price.is_none() {
                v.price = Some(t.price);
                v.source = Some(Source::Alpaca);
                v.as_of = Some(t.ts);
                v.stale = route.is_none();
            }
            // The charts follow the same Last: only prints that set it shape a bar
            // (Alpaca's own minute bars, when subscribed, replace these anyway).
            v.bars.trade(t.ts, t.price, t.size);
        }
        if counted & VOL != 0 {
            v.volume = v.volume.saturating_add(t.size);
        }
        v.trades += 1;
    }

    #[cold]
    fn all_late_warning(&mut self, lag_ns: i64, fx: &mut Effects) {
        let text = format!(
            "Every one of the last {LAG_WINDOW} trades arrived long after it was stamped \
             (typical lag {}): old data on a live feed? Last shows them with their age",
            lag_text(lag_ns)
        );
        let ev =
            Event::new(self.now, Level::Warn, EventKind::Tape, text).with_source(Source::Alpaca);
        self.emit(fx, ev);
    }

    /// A quote whose conditions mark it non-firm or not NBBO-eligible is counted and
    /// does not set the shown bid/ask.
    pub(super) fn quote_sets_nbbo(&mut self, i: usize, q: &Quote) -> bool {
        let ok = conditions::quote_sets_nbbo(&q.tape, &q.conditions);
        if !ok {
            if let Some(v) = self.watchlist.get_mut(i) {
                v.tape.non_firm_quotes += 1;
            }
        }
        ok
    }

    #[cold]
    pub(super) fn apply_correction(&mut self, c: &Correction, fx: &mut Effects) {
        let Some(i) = self.index.get(&c.symbol).copied() else {
            self.counters.unwatched += 1;
            return;
        };
        let Some((_, book)) = self.prints.books.get_mut(i) else {
            return;
        };
        let a = book.correct(&mut self.watchlist[i].tape, c);
        let what = format!(
            "Correction: {} print {} {} x{} corrected to {} x{}",
            c.symbol, c.orig_id, c.orig_price, c.orig_size, c.corr_price, c.corr_size
        );
        self.apply_amend(i, a, what, fx);
    }

    #[cold]
    pub(super) fn apply_cancel(&mut self, x: &CancelError, fx: &mut Effects) {
        let Some(i) = self.index.get(&x.symbol).copied() else {
            self.counters.unwatched += 1;
            return;
        };
        let Some((_, book)) = self.prints.books.get_mut(i) else {
            return;
        };
        let a = book.cancel(&mut self.watchlist[i].tape, x.id, &x.exchange);
        let verb = if x.action == "E" { "error" } else { "cancel" };
        let what = format!(
            "Trade {verb}: {} print {} {} x{}",
            x.symbol, x.id, x.price, x.size
        );
        self.apply_amend(i, a, what, fx);
    }

    /// Applies what an amendment did to Last and volume; says so when Last changed.
    fn apply_amend(&mut self, i: usize, a: Amend, what: String, fx: &mut Effects) {
        let route = self.route;
        let v = &mut self.watchlist[i];
        v.volume = v.volume.saturating_add(a.volume_delta);
        let shown_alpaca = v.source == Some(Source::Alpaca) || route != Some(Source::Yahoo);
        let text = match a.last {
            LastChange::Same => return,
            LastChange::Set(price, as_of) => {
                if v.alpaca == Some(PricePoint { price, as_of }) {
                    return;
                }
                v.alpaca = Some(PricePoint { price, as_of });
                if shown_alpaca {
                    v.price = Some(price);
                    v.as_of = Some(as_of);
                    v.source = Some(Source::Alpaca);
                }
                self.validator.amend_reference(i, Some(price));
                format!("{what}: Last is now {price}")
            }
            LastChange::Gone => {
                v.alpaca = None;
                if v.source == Some(Source::Alpaca) {
                    v.price = None;
                    v.as_of = None;
                    v.source = None;
                }
                self.validator.amend_reference(i, None);
                format!("{what}: no remaining print sets Last")
            }
        };
        let sym = self.watchlist[i].symbol.clone();
        let ev = Event::new(self.now, Level::Info, EventKind::Tape, text)
            .with_source(Source::Alpaca)
            .with_symbol(sym);
        self.emit(fx, ev);
    }
}

#[cfg(test)]
#[path = "tests_prints.rs"]
mod tests;
