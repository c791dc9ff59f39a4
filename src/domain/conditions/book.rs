//! One symbol's tape as the consolidated tape counts it: the print that set Last, the
//! high/low, what each print counted for, and the amendments (Alpaca's `c` correction
//! and `x` cancel/error messages) that undo or change a print.
//!
//! # Decisions
//! * The last [`RING`] prints are kept with what they counted for. A correction or a
//!   cancel of one of them recomputes exactly: Last is the newest remaining print that
//!   set it, high/low the extremes of the remaining prints that count for high/low.
//! * Prints that fall out of the ring can no longer be amended (an amendment for one
//!   is counted as `unmatchedAmends` and changes nothing), so their contribution is
//!   fixed: the book keeps only the extremes and the newest Last of the evicted ones,
//!   and recomputing from those plus the ring stays exact.
//! * A correction keeps the print's place in time: it can set Last only if the
//!   original did and the corrected conditions allow it.
//! * High, low and volume count from the run's start (the engine's "session"), as the
//!   watchlist's volume always has.

use super::{evaluate, Eligibility, HL, LAST, VOL};
use crate::domain::types::Ts;
use crate::domain::wire::{Code, Conditions, Correction, Trade};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Prints kept per symbol for amendments.
pub const RING: usize = 256;
/// Prints kept per symbol for the snapshot (the symbol view's trade list, the API).
pub const RECENT_KEPT: usize = 20;

/// How a print was amended after it was shown.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Amended {
    Cancelled,
    Corrected,
}

/// One print as the snapshot shows it: what it is and what it counted for.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrintView {
    pub id: u64,
    pub at: Ts,
    pub price: Decimal,
    pub size: i64,
    pub exchange: Code,
    pub tape: Code,
    /// Codes joined with ','; `conditions::spell` names them.
    pub conditions: Conditions,
    pub moved_last: bool,
    pub high_low: bool,
    pub volume: bool,
    /// Stamped too long before Last's print, or marked out of sequence by the market.
    pub late: bool,
    /// Carries a code the table does not know.
    pub unknown: bool,
    pub amended: Option<Amended>,
}

/// A symbol's tape figures and counters, carried in the snapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TapeView {
    /// Highest and lowest print that counts for high/low since the run started.
    pub high: Option<Decimal>,
    pub low: Option<Decimal>,
    /// Prints that did not move Last because they were late (see `conditions::is_late`)
    /// or marked out of sequence. Not validation failures.
    pub late: u64,
    /// Prints carrying a condition code the table does not know (volume only).
    pub unknown_condition: u64,
    /// Prints whose conditions keep them off Last (odd lots, Form T, average price, ...),
    /// unknown codes included, late ones not.
    pub non_eligible: u64,
    pub corrected: u64,
    pub cancelled: u64,
    /// Corrections and cancels for prints no longer (or never) in memory: ignored.
    pub unmatched_amends: u64,
    /// Quotes kept off the shown bid/ask by their conditions (non-firm, not NBBO-eligible).
    pub non_firm_quotes: u64,
    /// The last prints, oldest first, at most [`RECENT_KEPT`]. Not serialised with the
    /// snapshot: a ring shifting with every print would turn `/api/stream`'s patches
    /// into a rewrite of the list; `/api/symbols` serves them (`recentPrints`).
    #[serde(skip)]
    pub recent: VecDeque<PrintView>,
}

/// What an amendment did to Last and volume (high/low are updated in the view).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum LastChange {
    Same,
    /// Last is now this print's price, stamped at this time.
    Set(Decimal, Ts),
    /// No remaining print sets Last.
    Gone,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Amend {
    pub volume_delta: i64,
    pub last: LastChange,
}

const NO_AMEND: Amend = Amend {
    volume_delta: 0,
    last: LastChange::Same,
};

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Rec {
    id: u64,
    exchange: u8,
    price: Decimal,
    size: i64,
    ts: Ts,
    /// LAST | HL | VOL: what the print actually counted for.
    counted: u8,
    cancelled: bool,
}

impl Rec {
    fn counts(&self, bit: u8) -> bool {
        !self.cancelled && self.counted & bit != 0
    }
}

/// The engine's per-symbol memory behind a [`TapeView`].
#[derive(Clone, Debug, Default)]
pub struct PrintBook {
    ring: VecDeque<Rec>,
    /// When the print that set Last was stamped.
    last_set_at: Option<Ts>,
    evicted_high: Option<Decimal>,
    evicted_low: Option<Decimal>,
    evicted_last: Option<(Decimal, Ts)>,
}

fn exchange_byte(x: &str) -> u8 {
    x.as_bytes().first().copied().unwrap_or(0)
}

impl PrintBook {
    /// When the print that set Last was stamped (the late rule's reference).
    pub fn last_set_at(&self) -> Option<Ts> {
        self.last_set_at
    }

    /// Records an accepted print. `moved_last`: the engine let it set Last (its
    /// conditions allow it, it is not late, the price breaker accepted it);
    /// `high_low`: it may update high/low. Returns the LAST | HL | VOL bits it counted for.
    pub fn record(
        &mut self,
        view: &mut TapeView,
        t: &Trade,
        elig: Eligibility,
        late: bool,
        moved_last: bool,
        high_low: bool,
    ) -> u8 {
        let counted = (elig.flags & VOL)
            | if high_low && elig.high_low() { HL } else { 0 }
            | if moved_last { LAST } else { 0 };
        view.unknown_condition += u64::from(elig.unknown);
        if late {
            view.late += 1;
        } else if !elig.last() {
            view.non_eligible += 1;
        }
        if counted & HL != 0 {
            view.high = Some(view.high.map_or(t.price, |h| h.max(t.price)));
            view.low = Some(view.low.map_or(t.price, |l| l.min(t.price)));
        }
        if moved_last {
            self.last_set_at = Some(t.ts);
        }
        if self.ring.len() == RING {
            if let Some(old) = self.ring.pop_front() {
                self.evict(old);
            }
        }
        self.ring.push_back(Rec {
            id: t.id,
            exchange: exchange_byte(&t.exchange),
            price: t.price,
            size: t.size,
            ts: t.ts,
            counted,
            cancelled: false,
        });
        if view.recent.len() == RECENT_KEPT {
            view.recent.pop_front();
        }
        view.recent.push_back(PrintView {
            id: t.id,
            at: t.ts,
            price: t.price,
            size: t.size,
            exchange: t.exchange.clone(),
            tape: t.tape.clone(),
            conditions: t.conditions.clone(),
            moved_last,
            high_low: counted & HL != 0,
            volume: counted & VOL != 0,
            late,
            unknown: elig.unknown,
            amended: None,
        });
        counted
    }

    fn evict(&mut self, old: Rec) {
        if old.counts(HL) {
            self.evicted_high = Some(self.evicted_high.map_or(old.price, |h| h.max(old.price)));
            self.evicted_low = Some(self.evicted_low.map_or(old.price, |l| l.min(old.price)));
        }
        if old.counts(LAST) {
            self.evicted_last = Some((old.price, old.ts));
        }
    }

    fn find(&self, id: u64, exchange: &str) -> Option<usize> {
        let x = exchange_byte(exchange);
        self.ring
            .iter()
            .rposition(|r| r.id == id && !r.cancelled && (x == 0 || r.exchange == x))
    }

    fn mark_recent(view: &mut TapeView, id: u64, exchange: &str, f: impl FnOnce(&mut PrintView)) {
        if let Some(p) = view.recent.iter_mut().rev().find(|p| {
            p.id == id
                && p.amended != Some(Amended::Cancelled)
                && (exchange.is_empty() || p.exchange == exchange)
        }) {
            f(p);
        }
    }

    /// An `x` message: the print is cancelled (or was an error) and no longer counts.
    pub fn cancel(&mut self, view: &mut TapeView, id: u64, exchange: &str) -> Amend {
        let Some(pos) = self.find(id, exchange) else {
            view.unmatched_amends += 1;
            return NO_AMEND;
        };
        let old = self.ring[pos];
        self.ring[pos].cancelled = true;
        view.cancelled += 1;
        Self::mark_recent(view, id, exchange, |p| p.amended = Some(Amended::Cancelled));
        self.after_amend(view, old, None)
    }

    /// A `c` message: the print's price, size and conditions are replaced.
    pub fn correct(&mut self, view: &mut TapeView, c: &Correction) -> Amend {
        let Some(pos) = self.find(c.orig_id, &c.exchange) else {
            view.unmatched_amends += 1;
            return NO_AMEND;
        };
        let old = self.ring[pos];
        let elig = evaluate(&c.tape, &c.corr_conditions);
        let counted = (elig.flags & (HL | VOL)) | (old.counted & LAST & elig.flags);
        let new = Rec {
            id: c.corr_id,
            price: c.corr_price,
            size: c.corr_size,
            counted,
            ..old
        };
        self.ring[pos] = new;
        view.corrected += 1;
        Self::mark_recent(view, c.orig_id, &c.exchange, |p| {
            p.id = c.corr_id;
            p.price = c.corr_price;
            p.size = c.corr_size;
            p.conditions = c.corr_conditions.clone();
            p.moved_last = counted & LAST != 0;
            p.high_low = counted & HL != 0;
            p.volume = counted & VOL != 0;
            p.unknown = elig.unknown;
            p.amended = Some(Amended::Corrected);
        });
        self.after_amend(view, old, Some(new))
    }

    fn after_amend(&mut self, view: &mut TapeView, old: Rec, new: Option<Rec>) -> Amend {
        let vol = |r: &Rec| if r.counted & VOL != 0 { r.size } else { 0 };
        let volume_delta = new.as_ref().map_or(0, vol) - vol(&old);
        let last = if old.counted & LAST != 0 || new.is_some_and(|n| n.counted & LAST != 0) {
            let newest = self
                .ring
                .iter()
                .rev()
                .find(|r| r.counts(LAST))
                .map(|r| (r.price, r.ts))
                .or(self.evicted_last);
            self.last_set_at = newest.map(|(_, ts)| ts);
            match newest {
                Some((p, ts)) => LastChange::Set(p, ts),
                None => LastChange::Gone,
            }
        } else {
            LastChange::Same
        };
        let was_extreme =
            old.counted & HL != 0 && (view.high == Some(old.price) || view.low == Some(old.price));
        if was_extreme {
            let (mut hi, mut lo) = (self.evicted_high, self.evicted_low);
            for r in self.ring.iter().filter(|r| r.counts(HL)) {
                hi = Some(hi.map_or(r.price, |h| h.max(r.price)));
                lo = Some(lo.map_or(r.price, |l| l.min(r.price)));
            }
            view.high = hi;
            view.low = lo;
        } else if let Some(n) = new.filter(|n| n.counted & HL != 0) {
            view.high = Some(view.high.map_or(n.price, |h| h.max(n.price)));
            view.low = Some(view.low.map_or(n.price, |l| l.min(n.price)));
        }
        Amend { volume_delta, last }
    }
}

#[cfg(test)]
#[path = "book_tests.rs"]
mod tests;
