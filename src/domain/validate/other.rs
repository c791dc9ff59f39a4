//! The other source's (Yahoo's) prices through the validation rules: price > 0,
//! timestamp not too far ahead, and a per-symbol price breaker of Yahoo's own, plus
//! the cross-source check and confirming Alpaca's held level. Off the hot path: one
//! call per Yahoo chart response.
//!
//! # Decisions
//! * **Alpaca agreeing is confirmation.** A Yahoo price within the cross-source
//!   tolerance of a fresh accepted Alpaca price is accepted whatever Yahoo's own
//!   breaker says (two sources agree), and closes Yahoo's breaker if open.
//! * **Yahoo's breaker reference** is its last accepted price, else Alpaca's last
//!   accepted price, else the previous close. It trips, holds and confirms like
//!   Alpaca's (`confirm_prints` polls near the held level), but Yahoo is polled
//!   about once a minute, so its cool-down is `confirm_prints + 1` times Alpaca's:
//!   long enough for the confirming polls to arrive.
//! * A Yahoo price held by its breaker still feeds the cross-source check (a
//!   disagreement is worth flagging) but never the display.

use super::breaker::{Limits, Step};
use super::rules;
use super::{ValidationEvent, Validator, Verdict};
use crate::domain::types::{Symbol, Ts};
use rust_decimal::Decimal;

/// What a Yahoo price may do.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct OtherCheck {
    /// Accept: display it. Hold: Yahoo's breaker is holding it. Reject: a rule failed.
    pub verdict: Verdict,
    /// The Alpaca price that Yahoo confirmed (display it as Alpaca's price).
    pub confirmed_alpaca: Option<Decimal>,
}

pub(super) fn yahoo_limits(lim: &Limits) -> Limits {
    Limits {
        cooldown_ns: lim
            .cooldown_ns
            .saturating_mul(i64::from(lim.confirm_prints.saturating_add(1))),
        ..*lim
    }
}

#[inline]
fn within(p: Decimal, base: Decimal, fraction: Decimal) -> bool {
    (p - base).abs() <= base * fraction
}

impl Validator {
    /// A Yahoo price for `symbol` (watchlist index `idx`; None: not watched) traded
    /// at `as_of`, received at `now`.
    pub fn check_other(
        &mut self,
        now: Ts,
        idx: Option<usize>,
        symbol: &Symbol,
        price: Decimal,
        as_of: Ts,
        out: &mut Vec<ValidationEvent>,
    ) -> OtherCheck {
        let rejected = |verdict| OtherCheck {
            verdict,
            confirmed_alpaca: None,
        };
        let Some(i) = idx.filter(|&i| i < self.guards.len()) else {
            let v = self.not_watched(now, symbol, out);
            return rejected(v);
        };
        let failure = rules::positive("price", price)
            .or_else(|| rules::future(as_of, now, self.max_future_ns, self.cfg.max_future_secs));
        if let Some(f) = failure {
            let v = self.reject(now, Some(i), symbol, f, out);
            return rejected(v);
        }
        let confirmed_alpaca = self.observe_other_source(now, i, price, as_of, out);
        let verdict = self.yahoo_breaker(now, i, price, as_of, confirmed_alpaca.is_some(), out);
        OtherCheck {
            verdict,
            confirmed_alpaca,
        }
    }

    fn yahoo_breaker(
        &mut self,
        now: Ts,
        i: usize,
        price: Decimal,
        as_of: Ts,
        agreed: bool,
        out: &mut Vec<ValidationEvent>,
    ) -> Verdict {
        let fresh_ns = self.fresh_ns;
        let g = &mut self.guards[i];
        let alpaca_agrees = agreed
            || g.cross.alpaca.is_some_and(|(a, at)| {
                now.as_nanos().saturating_sub(at.as_nanos()) <= fresh_ns
                    && within(price, a, self.cross_fraction)
            });
        if alpaca_agrees {
            let was_held = g.yahoo_breaker.trip.is_some();
            g.yahoo_breaker.close_at(price);
            if was_held {
                let sym = g.symbol.clone();
                let text = format!(
                    "Circuit breaker closed: {sym} new Yahoo level {price} agrees with Alpaca"
                );
                self.closed(now, &sym, text, out);
            }
            self.accepted += 1;
            return Verdict::Accept;
        }
        if g.yahoo_breaker.last_accepted.is_none() {
            g.yahoo_breaker.last_accepted = g.breaker.last_accepted;
        }
        let lim = self.yahoo_lim;
        let step = g.yahoo_breaker.on_print(now, as_of, price, &lim);
        let sym = g.symbol.clone();
        let closed_text = match step {
            Step::Accept => {
                self.accepted += 1;
                return Verdict::Accept;
            }
            Step::Held => {
                self.held += 1;
                return Verdict::Hold;
            }
            Step::Tripped => {
                if let Some(trip) = self.guards[i].yahoo_breaker.trip.clone() {
                    self.tripped(now, i, &trip, " (Yahoo)", out);
                }
                self.held += 1;
                return Verdict::Hold;
            }
            Step::TrippedAndConfirmed(trip) => {
                if let Some(trip) = trip {
                    self.tripped(now, i, &trip, " (Yahoo)", out);
                }
                format!("Circuit breaker closed: {sym} new Yahoo level {price} confirmed by 1 poll")
            }
            Step::Confirmed { prints } => format!(
                "Circuit breaker closed: {sym} new Yahoo level {price} confirmed by {prints} polls"
            ),
            Step::Returned { discarded } => format!(
                "Circuit breaker closed: {sym} Yahoo price {price} back within {}% of reference; held {discarded} discarded",
                self.cfg.breaker_threshold_pct.normalize()
            ),
        };
        self.closed(now, &sym, closed_text, out);
        self.accepted += 1;
        Verdict::Accept
    }

    /// Cool-down of Yahoo's breakers, from [`Validator::tick`].
    pub(super) fn expire_yahoo(&mut self, now: Ts, i: usize, out: &mut Vec<ValidationEvent>) {
        let lim = self.yahoo_lim;
        let g = &mut self.guards[i];
        if let Some(trip) = g.yahoo_breaker.expire(now, &lim) {
            let sym = g.symbol.clone();
            let text = format!(
                "Circuit breaker closed: {sym} held Yahoo level {} unconfirmed after {}s; re-armed at reference {}",
                trip.last,
                lim.cooldown_ns / 1_000_000_000,
                trip.reference
            );
            self.closed(now, &sym, text, out);
        }
    }
}
