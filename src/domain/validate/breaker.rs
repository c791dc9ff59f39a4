//! The per-symbol PRICE circuit breaker (not the upstream-connection breaker): a
//! state machine that holds a print which moves too far from the reference price
//! until the new level is confirmed (by consecutive prints, by the other source,
//! or by an operator), and drops it if prices come back or nothing confirms it.
//! Pure and allocation-free; the caller turns [`Step`]s into log lines.

use super::view::trip_text;
use super::{push_event, Rule, ValidationEvent, ValidationEventKind, Validator, Verdict};
use crate::domain::event::Level;
use crate::domain::types::{Symbol, Ts};
use rust_decimal::Decimal;

/// Thresholds as fractions (20% → 0.2), computed once from the config so the hot
/// path compares `|p - r| > r * fraction` without dividing.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Limits {
    pub threshold: Decimal,
    pub band: Decimal,
    pub confirm_prints: u32,
    pub cooldown_ns: i64,
}

/// An open (tripped) breaker.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Trip {
    /// Receipt time of the tripping print (cool-down and age count from here).
    pub tripped_at: Ts,
    /// Exchange time of the tripping print (the other source must be at least this new).
    pub trip_ts: Ts,
    pub reference: Decimal,
    /// The signed move of the tripping print from the reference, in percent.
    pub move_pct: Decimal,
    /// The level being confirmed: the first print of the current run of close prints.
    pub level: Decimal,
    /// The last held print (what a manual reset or the other source accepts).
    pub last: Decimal,
    /// Consecutive prints within the band of `level`, counting the one that set it.
    pub prints: u32,
}

/// What one print did to the breaker.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Step {
    /// Normal print: display it.
    Accept,
    /// This print opened the breaker: hold it.
    Tripped,
    /// `confirm_prints` <= 1: this print opened the breaker and confirmed itself.
    TrippedAndConfirmed(Option<Trip>),
    /// Breaker open, print held.
    Held,
    /// The held level was confirmed by `prints` consecutive prints; display this one.
    Confirmed { prints: u32 },
    /// Prices came back within the threshold of the reference: the held level was
    /// a bad tick and is discarded; display this one.
    Returned { discarded: Decimal },
}

#[derive(Clone, Debug, Default)]
pub(crate) struct PriceBreaker {
    pub last_accepted: Option<Decimal>,
    pub prev_close: Option<Decimal>,
    pub trip: Option<Trip>,
    /// How many times this symbol's breaker opened.
    pub trips: u64,
}

#[inline]
fn within(p: Decimal, base: Decimal, fraction: Decimal) -> bool {
    (p - base).abs() <= base * fraction
}

impl PriceBreaker {
    /// The price moves are measured from: the last accepted print, else the
    /// previous close, else none (the first print is accepted as is).
    #[inline]
    pub fn reference(&self) -> Option<Decimal> {
        self.last_accepted.or(self.prev_close)
    }

    /// One print (price already known to be > 0).
    #[inline]
    pub fn on_print(&mut self, now: Ts, ts: Ts, price: Decimal, lim: &Limits) -> Step {
        let Some(reference) = self.reference() else {
            self.last_accepted = Some(price);
            return Step::Accept;
        };
        let Some(trip) = self.trip.as_mut() else {
            if within(price, reference, lim.threshold) {
                self.last_accepted = Some(price);
                return Step::Accept;
            }
            self.trips += 1;
            self.trip = Some(Trip {
                tripped_at: now,
                trip_ts: ts,
                reference,
                move_pct: (price - reference) / reference * Decimal::ONE_HUNDRED,
                level: price,
                last: price,
                prints: 1,
            });
            if lim.confirm_prints <= 1 {
                // One print confirms itself: the trip is logged, the print shown.
                let trip = self.trip.take();
                self.close_at(price);
                return Step::TrippedAndConfirmed(trip);
            }
            return Step::Tripped;
        };
        if within(price, reference, lim.threshold) {
            let discarded = trip.last;
            self.close_at(price);
            return Step::Returned { discarded };
        }
        trip.last = price;
        if within(price, trip.level, lim.band) {
            trip.prints += 1;
            if trip.prints >= lim.confirm_prints {
                let prints = trip.prints;
                self.close_at(price);
                return Step::Confirmed { prints };
            }
        } else {
            // A new far level: confirmation starts over from this print.
            trip.level = price;
            trip.prints = 1;
        }
        Step::Held
    }

    pub(crate) fn close_at(&mut self, price: Decimal) {
        self.trip = None;
        self.last_accepted = Some(price);
    }

    /// The other source priced the symbol at `other` as of `as_of`. Closes the
    /// breaker when that agrees with the last held print within `tolerance` and is
    /// not older than the tripping print; returns the accepted price.
    pub fn confirm_by_other(
        &mut self,
        other: Decimal,
        as_of: Ts,
        tolerance: Decimal,
    ) -> Option<Decimal> {
        let trip = self.trip.as_ref()?;
        // Yahoo's market time has whole seconds; allow for the truncation.
        let truncated_trip_ts =
            Ts(trip.trip_ts.as_nanos() - trip.trip_ts.as_nanos() % 1_000_000_000);
        if as_of < truncated_trip_ts || other <= Decimal::ZERO {
            return None;
        }
        let last = trip.last;
        if !within(last, other, tolerance) {
            return None;
        }
        self.close_at(last);
        Some(last)
    }

    /// Operator reset: the held print is accepted as the new level (the runbook's
    /// habit is to check an external source first, then let the move through).
    pub fn manual_reset(&mut self) -> Option<Decimal> {
        let last = self.trip.as_ref()?.last;
        self.close_at(last);
        Some(last)
    }

    /// Cool-down: an open breaker that nothing confirmed within the cool-down drops
    /// its held level and re-arms from the unchanged reference. Returns the dropped trip.
    pub fn expire(&mut self, now: Ts, lim: &Limits) -> Option<Trip> {
        let trip = self.trip.as_ref()?;
        if now.as_nanos().saturating_sub(trip.tripped_at.as_nanos()) < lim.cooldown_ns {
            return None;
        }
        self.trip.take()
    }
}

/// The breaker's transitions as log lines and counters, off the hot path.
impl Validator {
    #[cold]
    pub(super) fn breaker_step(
        &mut self,
        now: Ts,
        i: usize,
        price: Decimal,
        step: Step,
        out: &mut Vec<ValidationEvent>,
    ) -> Verdict {
        let g = &mut self.guards[i];
        let sym = g.symbol.clone();
        match step {
            Step::Tripped => {
                let trip = g.breaker.trip.clone();
                if let Some(trip) = trip {
                    self.tripped(now, i, &trip, "", out);
                }
                self.held += 1;
                Verdict::Hold
            }
            Step::TrippedAndConfirmed(trip) => {
                g.cross.alpaca = Some((price, now));
                if let Some(trip) = trip {
                    self.tripped(now, i, &trip, "", out);
                }
                let text =
                    format!("Circuit breaker closed: {sym} new level {price} confirmed by 1 print");
                self.closed(now, &sym, text, out);
                self.accepted += 1;
                Verdict::Accept
            }
            Step::Confirmed { prints } => {
                g.cross.alpaca = Some((price, now));
                let text = format!(
                    "Circuit breaker closed: {sym} new level {price} confirmed by {prints} prints"
                );
                self.closed(now, &sym, text, out);
                self.accepted += 1;
                Verdict::Accept
            }
            Step::Returned { discarded } => {
                g.cross.alpaca = Some((price, now));
                let text = format!(
                    "Circuit breaker closed: {sym} price {price} back within {}% of reference; held {discarded} discarded",
                    self.cfg.breaker_threshold_pct.normalize()
                );
                self.closed(now, &sym, text, out);
                self.accepted += 1;
                Verdict::Accept
            }
            Step::Accept => Verdict::Accept,
            Step::Held => Verdict::Hold,
        }
    }

    /// Operator reset (the `b` key or the API): closes an open breaker and accepts
    /// the last held print, and Yahoo's held level too; both are returned for display.
    /// Neither: nothing was held (or `idx` is unknown).
    pub fn reset_breaker(
        &mut self,
        now: Ts,
        idx: usize,
        out: &mut Vec<ValidationEvent>,
    ) -> ManualReset {
        let Some(g) = self.guards.get_mut(idx) else {
            return ManualReset::default();
        };
        // Yahoo's held level (if any) is let through too: the operator vouched for the move.
        let yahoo = g.yahoo_breaker.manual_reset();
        let sym = g.symbol.clone();
        let Some(level) = g.breaker.manual_reset() else {
            if let Some(level) = yahoo {
                let text = format!(
                    "Circuit breaker closed: {sym} new Yahoo level {level} accepted by manual reset"
                );
                self.closed(now, &sym, text, out);
            }
            return ManualReset {
                alpaca: None,
                yahoo,
            };
        };
        g.cross.alpaca = Some((level, now));
        let text =
            format!("Circuit breaker closed: {sym} new level {level} accepted by manual reset");
        self.closed(now, &sym, text, out);
        ManualReset {
            alpaca: Some(level),
            yahoo,
        }
    }

    /// Counts a trip once under `price_circuit_breaker` and logs it twice: the
    /// runbook's "Circuit breaker triggered" line, and the same words as a
    /// `Validation failed: ... symbol: SYM` line so RUNBOOK-004's reason tally sees it.
    #[cold]
    pub(super) fn tripped(
        &mut self,
        now: Ts,
        i: usize,
        trip: &Trip,
        source_note: &str,
        out: &mut Vec<ValidationEvent>,
    ) {
        let rule = Rule::PriceCircuitBreaker;
        let g = &mut self.guards[i];
        g.failures += 1;
        let sym = g.symbol.clone();
        self.by_rule[rule.index()] += 1;
        let mut text = trip_text(&sym, trip.move_pct, self.cfg.breaker_threshold_pct);
        text.push_str(source_note);
        self.remember(now, &sym, rule, text.clone());
        let failed = format!("Validation failed: {text} symbol: {sym}");
        let kind = ValidationEventKind::BreakerTripped;
        push_event(out, now, Level::Warn, kind, sym.clone(), rule, text);
        push_event(out, now, Level::Warn, kind, sym, rule, failed);
    }

    #[cold]
    pub(super) fn closed(
        &mut self,
        now: Ts,
        sym: &Symbol,
        text: String,
        out: &mut Vec<ValidationEvent>,
    ) {
        let kind = ValidationEventKind::BreakerClosed;
        let rule = Rule::PriceCircuitBreaker;
        push_event(out, now, Level::Info, kind, sym.clone(), rule, text);
    }
}

/// What an operator's reset of a symbol's breakers let through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ManualReset {
    /// The held Alpaca print, now the price.
    pub alpaca: Option<Decimal>,
    /// Yahoo's held level, now Yahoo's reference.
    pub yahoo: Option<Decimal>,
}
