//! Trades by what they may move: a print whose sale conditions (or lateness) keep it
//! off Last is still checked (price, size, time, trade ids) and counted, but it never
//! feeds the price breaker or the cross-source check, which both measure Last.

use super::breaker::Step;
use super::trade_ids::exchange_code;
use super::{rules, ValidationEvent, Validator, Verdict};
use crate::domain::types::Ts;
use crate::domain::wire::Trade;
use rust_decimal::Decimal;

impl Validator {
    /// A trade received at `now`; `idx` is the symbol's watchlist index (None: not
    /// watched). `may_set_last`: its conditions allow it to set Last and it is not late.
    pub fn check_print(
        &mut self,
        now: Ts,
        idx: Option<usize>,
        t: &Trade,
        may_set_last: bool,
        out: &mut Vec<ValidationEvent>,
    ) -> Verdict {
        let Some(i) = idx.filter(|&i| i < self.guards.len()) else {
            return self.not_watched(now, &t.symbol, out);
        };
        let exchange = exchange_code(&t.exchange);
        let g = &self.guards[i];
        let failure = rules::positive("price", t.price)
            .or_else(|| rules::non_negative("size", t.size))
            .or_else(|| rules::future(t.ts, now, self.max_future_ns, self.cfg.max_future_secs))
            .or_else(|| {
                g.ids
                    .check(exchange, t.id, t.ts, self.cfg.check_trade_order)
            });
        if let Some(f) = failure {
            return self.reject(now, Some(i), &t.symbol, f, out);
        }
        let g = &mut self.guards[i];
        g.ids.remember(exchange, t.id, t.ts);
        if let Some(age_ms) = g.fresh.touch(now) {
            self.stale_cleared(now, i, age_ms, out);
        }
        if !may_set_last {
            self.accepted += 1;
            return Verdict::Accept;
        }
        let g = &mut self.guards[i];
        match g.breaker.on_print(now, t.ts, t.price, &self.lim) {
            Step::Accept => {
                g.cross.alpaca = Some((t.price, now));
                self.accepted += 1;
                Verdict::Accept
            }
            Step::Held => {
                self.held += 1;
                Verdict::Hold
            }
            step => self.breaker_step(now, i, t.price, step, out),
        }
    }

    /// Whether a price is within the breaker's threshold of its reference (or there
    /// is none yet, or the breaker is holding): a print that does not set Last may
    /// still move high/low, but not with a price the breaker would not have shown.
    pub fn near_reference(&self, idx: usize, price: Decimal) -> bool {
        let Some(g) = self.guards.get(idx) else {
            return false;
        };
        if g.breaker.trip.is_some() {
            return false;
        }
        match g.breaker.reference() {
            None => true,
            Some(r) => (price - r).abs() <= r * self.lim.threshold,
        }
    }
}

impl Validator {
    /// A correction or cancel changed Last: the breaker and the cross-source check
    /// measure from the new Last (`None`: no print sets it; the previous close, if
    /// any, is the reference again).
    pub fn amend_reference(&mut self, idx: usize, price: Option<Decimal>) {
        if let Some(g) = self.guards.get_mut(idx) {
            g.breaker.last_accepted = price;
            g.cross.alpaca = match (price, g.cross.alpaca) {
                (Some(p), Some((_, at))) => Some((p, at)),
                _ => None,
            };
        }
    }
}
