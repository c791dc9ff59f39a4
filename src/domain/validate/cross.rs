//! Per-symbol freshness across sources: the cross-source consistency check
//! (Alpaca's last accepted trade vs the other source's price, both fresh) and the
//! stale check (no update while the market is open). Pure; evaluated on the other
//! source's updates and on ticks, never per Alpaca message.

use super::{push_event, Rule, ValidationEvent, ValidationEventKind, Validator};
use crate::domain::event::Level;
use crate::domain::types::Ts;
use rust_decimal::Decimal;

/// A flagged disagreement between the sources.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Discrepancy {
    pub since: Ts,
    pub alpaca: Decimal,
    pub other: Decimal,
    pub delta_pct: Decimal,
}

/// What a cross-source evaluation changed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum CrossStep {
    Unchanged,
    /// The delta reached the tolerance (newly, or it changed while flagged: the
    /// flag's numbers are refreshed but only the first flag is reported).
    Flagged,
    /// A fresh comparison came back under the tolerance.
    Cleared {
        delta_pct: Decimal,
    },
    /// One of the prices aged out: the flag is dropped without a verdict.
    Expired,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct CrossState {
    /// Last accepted Alpaca trade price and its receipt time.
    pub alpaca: Option<(Decimal, Ts)>,
    /// Last price from the other source and the time it is as of.
    pub other: Option<(Decimal, Ts)>,
    pub discrepancy: Option<Discrepancy>,
    pub flags: u64,
}

#[inline]
fn fresh(now: Ts, at: Ts, fresh_ns: i64) -> bool {
    now.as_nanos().saturating_sub(at.as_nanos()) <= fresh_ns
}

/// |a - b| / b in percent. `b` > 0.
pub(crate) fn delta_pct(a: Decimal, b: Decimal) -> Decimal {
    ((a - b).abs() / b * Decimal::ONE_HUNDRED).round_dp(2)
}

impl CrossState {
    /// Compares the sources when both prices are fresh; `tolerance_pct` is the
    /// runbook's "<5% difference": a delta at or above it is a discrepancy.
    pub fn evaluate(&mut self, now: Ts, fresh_ns: i64, tolerance_pct: Decimal) -> CrossStep {
        let (Some((a, a_at)), Some((o, o_at))) = (self.alpaca, self.other) else {
            return self.expire();
        };
        if !fresh(now, a_at, fresh_ns) || !fresh(now, o_at, fresh_ns) || o <= Decimal::ZERO {
            return self.expire();
        }
        let delta = delta_pct(a, o);
        if delta >= tolerance_pct {
            let first = self.discrepancy.is_none();
            let since = self.discrepancy.as_ref().map_or(now, |d| d.since);
            self.discrepancy = Some(Discrepancy {
                since,
                alpaca: a,
                other: o,
                delta_pct: delta,
            });
            if first {
                self.flags += 1;
                return CrossStep::Flagged;
            }
            return CrossStep::Unchanged;
        }
        if self.discrepancy.take().is_some() {
            return CrossStep::Cleared { delta_pct: delta };
        }
        CrossStep::Unchanged
    }

    fn expire(&mut self) -> CrossStep {
        match self.discrepancy.take() {
            Some(_) => CrossStep::Expired,
            None => CrossStep::Unchanged,
        }
    }
}

/// What a stale evaluation changed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum StaleStep {
    Unchanged,
    BecameStale { age_ms: i64 },
}

/// The stale clock of one symbol.
#[derive(Clone, Debug, Default)]
pub(crate) struct Freshness {
    /// Newest accepted update from either source.
    pub last_update: Option<Ts>,
    /// When the stale clock started for a symbol that has had no update yet this
    /// session (the first tick with the market open).
    pub open_since: Option<Ts>,
    pub stale: bool,
}

impl Freshness {
    /// Marks an update; returns the stale age in ms when this ends a stale spell.
    #[inline]
    pub fn touch(&mut self, at: Ts) -> Option<i64> {
        let age_ms = if self.stale { self.age_ms(at) } else { None };
        if self.last_update.is_none_or(|t| at > t) {
            self.last_update = Some(at);
        }
        if self.stale {
            self.stale = false;
            return Some(age_ms.unwrap_or(0));
        }
        None
    }

    pub fn tick(&mut self, now: Ts, market_open: bool, stale_ns: i64) -> StaleStep {
        if !market_open {
            // Closed market: silence is expected, and the next open starts a fresh clock.
            self.open_since = None;
            self.stale = false;
            return StaleStep::Unchanged;
        }
        let since = *self.open_since.get_or_insert(now);
        let from = match self.last_update {
            Some(t) if t > since => t,
            _ => since,
        };
        let age_ns = now.as_nanos().saturating_sub(from.as_nanos());
        if !self.stale && age_ns > stale_ns {
            self.stale = true;
            return StaleStep::BecameStale {
                age_ms: age_ns / 1_000_000,
            };
        }
        StaleStep::Unchanged
    }

    /// Age of the data the stale clock measures, for the view.
    pub fn age_ms(&self, now: Ts) -> Option<i64> {
        let from = match (self.last_update, self.open_since) {
            (Some(t), Some(s)) => t.max(s),
            (t, s) => t.or(s)?,
        };
        Some(now.millis_since(from))
    }
}

/// The other source, cross-source flags and stale spells as log lines.
impl Validator {
    /// A price from the other source (Yahoo) as of `as_of`: feeds the cross-source
    /// check and the stale clock, and can confirm an open breaker. Returns the
    /// Alpaca price that became the accepted level (display it) when it did.
    pub fn observe_other_source(
        &mut self,
        now: Ts,
        idx: usize,
        price: Decimal,
        as_of: Ts,
        out: &mut Vec<ValidationEvent>,
    ) -> Option<Decimal> {
        let cross_fraction = self.cross_fraction;
        let g = self.guards.get_mut(idx)?;
        if price <= Decimal::ZERO {
            return None;
        }
        g.cross.other = Some((price, as_of));
        // An old price re-polled is no sign of life.
        let recent = now.as_nanos().saturating_sub(as_of.as_nanos()) <= self.stale_ns;
        if let Some(age_ms) = recent.then(|| g.fresh.touch(as_of.min(now))).flatten() {
            self.stale_cleared(now, idx, age_ms, out);
        }
        let g = &mut self.guards[idx];
        let confirmed = g.breaker.confirm_by_other(price, as_of, cross_fraction);
        if let Some(level) = confirmed {
            g.cross.alpaca = Some((level, now));
            let sym = g.symbol.clone();
            let delta = delta_pct(level, price).round_dp(1).normalize();
            let text = format!(
                "Circuit breaker closed: {sym} new level {level} confirmed by Yahoo (delta {delta}%)"
            );
            self.closed(now, &sym, text, out);
        }
        self.evaluate_cross(now, idx, out);
        confirmed
    }

    pub(super) fn evaluate_cross(&mut self, now: Ts, i: usize, out: &mut Vec<ValidationEvent>) {
        let tolerance = self.cfg.cross_source_tolerance_pct;
        let g = &mut self.guards[i];
        let step = g.cross.evaluate(now, self.fresh_ns, tolerance);
        let sym = g.symbol.clone();
        let rule = Rule::CrossSourceDelta;
        match (step, &g.cross.discrepancy) {
            (CrossStep::Flagged, Some(d)) => {
                g.failures += 1;
                self.by_rule[rule.index()] += 1;
                let text = format!(
                    "Cross-source delta: {sym} Alpaca {} vs Yahoo {} differ by {}% (tolerance {}%)",
                    d.alpaca,
                    d.other,
                    d.delta_pct.normalize(),
                    tolerance.normalize()
                );
                push_event(
                    out,
                    now,
                    Level::Warn,
                    ValidationEventKind::Discrepancy,
                    sym,
                    rule,
                    text,
                );
            }
            (CrossStep::Cleared { delta_pct }, _) => {
                let text = format!(
                    "Cross-source delta: {sym} back within {}% ({}%)",
                    tolerance.normalize(),
                    delta_pct.normalize()
                );
                let kind = ValidationEventKind::DiscrepancyCleared;
                push_event(out, now, Level::Info, kind, sym, rule, text);
            }
            _ => {}
        }
    }

    #[cold]
    pub(super) fn stale_cleared(
        &mut self,
        now: Ts,
        i: usize,
        age_ms: i64,
        out: &mut Vec<ValidationEvent>,
    ) {
        let sym = self.guards[i].symbol.clone();
        let text = format!(
            "Stale cleared: {sym} updated again after {}s",
            age_ms / 1000
        );
        let kind = ValidationEventKind::StaleCleared;
        push_event(out, now, Level::Info, kind, sym, Rule::Stale, text);
    }

    /// Periodic work (about once a second): breaker cool-downs, stale detection,
    /// and cross-source flags whose prices aged out.
    pub fn tick(&mut self, now: Ts, market_open: bool, out: &mut Vec<ValidationEvent>) {
        for i in 0..self.guards.len() {
            self.expire_yahoo(now, i, out);
            let g = &mut self.guards[i];
            if let Some(trip) = g.breaker.expire(now, &self.lim) {
                let sym = g.symbol.clone();
                let reference = trip.reference;
                let text = format!(
                    "Circuit breaker closed: {sym} held level {} unconfirmed after {}s; re-armed at reference {reference}",
                    trip.last, self.cfg.breaker_cooldown_secs
                );
                self.closed(now, &sym, text, out);
            }
            let g = &mut self.guards[i];
            if let StaleStep::BecameStale { age_ms } = g.fresh.tick(now, market_open, self.stale_ns)
            {
                let sym = g.symbol.clone();
                g.failures += 1;
                self.by_rule[Rule::Stale.index()] += 1;
                let text = format!(
                    "Stale: {sym} no update for {}s (limit {}s)",
                    age_ms / 1000,
                    self.cfg.stale_after_secs
                );
                push_event(
                    out,
                    now,
                    Level::Warn,
                    ValidationEventKind::Stale,
                    sym,
                    Rule::Stale,
                    text,
                );
            }
            if self.guards[i].cross.discrepancy.is_some() {
                self.evaluate_cross(now, i, out);
            }
        }
    }
}
