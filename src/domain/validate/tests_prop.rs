//! Properties of the price breaker: slow markets never trip it, and a single spike
//! beyond the threshold is never displayed, whatever surrounds it.

use super::tests::{at, trade, validator};
use super::*;
use proptest::prelude::*;

/// A price in cents (10.00 .. 5000.00) as a two-decimal `Decimal`.
fn cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Steps below 1% of the current price (up or down) never trip the breaker.
    #[test]
    fn slow_series_never_trips(
        start in 1_000i64..500_000,
        steps in proptest::collection::vec(-99i64..=99, 1..200),
    ) {
        let mut v = validator(&["SPY"]);
        let mut out = Vec::new();
        let mut price = start;
        for (k, step_bp) in steps.into_iter().enumerate() {
            // step_bp is in hundredths of a percent: |step| < 1%.
            price = (price + price * step_bp / 10_000).max(1);
            let now = at(k as i64);
            let t = trade("SPY", 0, &cents(price).to_string(), 1, now);
            prop_assert_eq!(v.check_trade(now, Some(0), &t, &mut out), Verdict::Accept);
        }
        prop_assert!(out.is_empty(), "events: {:?}", out);
    }

    /// One print far beyond the threshold, between normal prints, is held and then
    /// discarded: it is never accepted, and the display never shows it.
    #[test]
    fn single_spike_is_never_accepted(
        base in 1_000i64..500_000,
        before in 0usize..20,
        after in 1usize..20,
        spike_pct in 21i64..1_000,
        down in any::<bool>(),
    ) {
        let mut v = validator(&["SPY"]);
        // The previous close is the reference when the spike is the first print.
        v.set_reference(0, cents(base));
        let mut out = Vec::new();
        let spike = if down {
            // A drop of more than 20% (capped at 99%) stays a positive price.
            (base - base * spike_pct.min(99) / 100).max(1)
        } else {
            base + base * spike_pct / 100
        };
        let mut k = 0i64;
        let mut feed = |v: &mut Validator, p: i64| {
            k += 1;
            let t = trade("SPY", 0, &cents(p).to_string(), 1, at(k));
            v.check_trade(at(k), Some(0), &t, &mut out)
        };
        for _ in 0..before {
            prop_assert_eq!(feed(&mut v, base), Verdict::Accept);
        }
        prop_assert_ne!(feed(&mut v, spike), Verdict::Accept);
        for _ in 0..after {
            prop_assert_eq!(feed(&mut v, base), Verdict::Accept);
        }
        prop_assert_eq!(v.reference(0), Some(cents(base)));
        prop_assert!(!v.is_tripped(0));
    }
}
