//! Per-symbol price breaker scenarios: trip threshold, earnings gap confirmed by
//! prints, a bad tick that never reaches the display, confirmation by the other
//! source, cool-down, manual reset, and the log wording of each transition.

use super::tests::{at, d, trade, validator};
use super::*;

/// Feeds prices one second apart to symbol TSLA (index 0); returns the verdicts
/// and the texts of all events.
fn run(v: &mut Validator, start: i64, prices: &[&str]) -> (Vec<Verdict>, Vec<String>) {
    let mut out = Vec::new();
    let verdicts = prices
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let now = at(start + k as i64);
            v.check_trade(now, Some(0), &trade("TSLA", 0, p, 10, now), &mut out)
        })
        .collect();
    (verdicts, out.into_iter().map(|e| e.text).collect())
}

use Verdict::{Accept, Hold};

#[test]
fn trips_above_threshold_not_at_19_9_pct() {
    let cases = [
        ("19.9% up", "119.9", Accept),
        ("20% exactly", "120", Accept),
        ("20.01% up", "120.01", Hold),
        ("19.9% down", "80.1", Accept),
        ("25% down", "75", Hold),
    ];
    for (name, price, want) in cases {
        let mut v = validator(&["TSLA"]);
        let (verdicts, _) = run(&mut v, 0, &["100", price]);
        assert_eq!(verdicts, [Accept, want], "{name}");
        assert_eq!(v.is_tripped(0), want == Hold, "{name}");
    }
}

#[test]
fn prev_close_is_the_reference_before_the_first_trade() {
    let mut v = validator(&["TSLA"]);
    v.set_reference(0, d("100"));
    assert_eq!(run(&mut v, 0, &["125"]).0, [Hold]);
    let mut v = validator(&["TSLA"]);
    v.set_reference(0, d("100"));
    run(&mut v, 0, &["110"]);
    // A later previous close does not override the last accepted trade.
    v.set_reference(0, d("50"));
    assert_eq!(v.reference(0), Some(d("110")));
    // No reference at all: the first print is accepted as is.
    let mut v = validator(&["TSLA"]);
    assert_eq!(run(&mut v, 0, &["1000"]).0, [Accept]);
}

#[test]
fn trip_text_matches_the_runbook() {
    let mut v = validator(&["TSLA"]);
    let (_, texts) = run(&mut v, 0, &["100", "125"]);
    assert_eq!(
        texts,
        [
            "Circuit breaker triggered: TSLA price movement 25% exceeds 20% threshold",
            "Validation failed: Circuit breaker triggered: TSLA price movement 25% exceeds 20% threshold symbol: TSLA",
        ]
    );
    // A move whose whole percent would not exceed the threshold keeps one decimal.
    let mut v = validator(&["TSLA"]);
    let (_, texts) = run(&mut v, 0, &["100", "79.6"]);
    assert_eq!(
        texts,
        [
            "Circuit breaker triggered: TSLA price movement 20.4% exceeds 20% threshold",
            "Validation failed: Circuit breaker triggered: TSLA price movement 20.4% exceeds 20% threshold symbol: TSLA",
        ]
    );
    let view = v.view(at(5));
    assert_eq!(view.tripped[0].reason, texts[0]);
    assert_eq!(view.recent[0].rule, Rule::PriceCircuitBreaker);
}

#[test]
fn earnings_gap_confirmed_by_three_prints_then_displayed() {
    let mut v = validator(&["TSLA"]);
    let (verdicts, texts) = run(&mut v, 0, &["250", "312.40", "313.10", "312.00", "312.50"]);
    assert_eq!(verdicts, [Accept, Hold, Hold, Accept, Accept]);
    assert_eq!(
        texts,
        [
            "Circuit breaker triggered: TSLA price movement 25% exceeds 20% threshold",
            "Validation failed: Circuit breaker triggered: TSLA price movement 25% exceeds 20% threshold symbol: TSLA",
            "Circuit breaker closed: TSLA new level 312.00 confirmed by 3 prints",
        ]
    );
    assert_eq!(v.reference(0), Some(d("312.50")));
    let view = v.view(at(10));
    assert_eq!((view.accepted, view.held, view.rejected), (3, 2, 0));
    assert_eq!(view.by_rule["price_circuit_breaker"], 1);
    assert!(view.tripped.is_empty());
}

#[test]
fn scattered_prints_restart_confirmation() {
    let mut v = validator(&["TSLA"]);
    // 312.4 then 330 (outside 1% of 312.4): a new held level, counting from 1.
    let (verdicts, _) = run(&mut v, 0, &["250", "312.4", "330", "331", "330.5"]);
    assert_eq!(verdicts, [Accept, Hold, Hold, Hold, Accept]);
}

#[test]
fn single_spike_then_return_is_never_displayed() {
    let mut v = validator(&["TSLA"]);
    let (verdicts, texts) = run(&mut v, 0, &["250", "2500", "250.10"]);
    assert_eq!(verdicts, [Accept, Hold, Accept]);
    assert_eq!(
        texts[2],
        "Circuit breaker closed: TSLA price 250.10 back within 20% of reference; held 2500 discarded"
    );
    assert_eq!(v.reference(0), Some(d("250.10")));
    assert!(!v.is_tripped(0));
}

#[test]
fn confirmed_by_the_other_source() {
    let mut v = validator(&["TSLA"]);
    let mut out = Vec::new();
    run(&mut v, 0, &["250", "312.40"]);
    // A Yahoo price from before the tripping print says nothing about it.
    assert_eq!(
        v.observe_other_source(at(2), 0, d("311"), at(-5), &mut out),
        None
    );
    // Yahoo far from the held level: still open.
    assert_eq!(
        v.observe_other_source(at(2), 0, d("251"), at(2), &mut out),
        None
    );
    assert!(v.is_tripped(0));
    let level = v.observe_other_source(at(3), 0, d("311.20"), at(3), &mut out);
    assert_eq!(level, Some(d("312.40")));
    assert!(!v.is_tripped(0));
    assert_eq!(v.reference(0), Some(d("312.40")));
    assert_eq!(
        out.last().map(|e| e.text.as_str()),
        Some("Circuit breaker closed: TSLA new level 312.40 confirmed by Yahoo (delta 0.4%)")
    );
    assert_eq!(
        out.last().map(|e| e.kind),
        Some(ValidationEventKind::BreakerClosed)
    );
    // The accepted level agrees with Yahoo, so no discrepancy either.
    assert_eq!(v.discrepant_count(), 0);
}

#[test]
fn cool_down_drops_the_held_level_and_re_arms() {
    let mut v = validator(&["TSLA"]);
    let mut out = Vec::new();
    run(&mut v, 0, &["250", "400"]);
    v.tick(at(60), true, &mut out);
    assert!(v.is_tripped(0), "cool-down counts from the trip at t=1");
    v.tick(at(61), true, &mut out);
    assert!(!v.is_tripped(0));
    assert_eq!(
        out[0].text,
        "Circuit breaker closed: TSLA held level 400 unconfirmed after 60s; re-armed at reference 250"
    );
    assert_eq!(v.reference(0), Some(d("250")));
    // Re-armed: the next far print trips again, a near one is accepted.
    assert_eq!(run(&mut v, 62, &["401", "251"]).0, [Hold, Accept]);
    assert_eq!(v.view(at(70)).by_rule["price_circuit_breaker"], 2);
}

#[test]
fn manual_reset_accepts_the_last_held_print() {
    let mut v = validator(&["TSLA"]);
    let mut out = Vec::new();
    assert_eq!(v.reset_breaker(at(0), 0, &mut out).alpaca, None, "not open");
    run(&mut v, 0, &["250", "320", "321"]);
    assert_eq!(v.reset_breaker(at(5), 0, &mut out).alpaca, Some(d("321")));
    assert_eq!(
        out[0].text,
        "Circuit breaker closed: TSLA new level 321 accepted by manual reset"
    );
    assert_eq!(v.reference(0), Some(d("321")));
    assert_eq!(run(&mut v, 6, &["322"]).0, [Accept]);
    assert_eq!(
        v.reset_breaker(at(7), 9, &mut out),
        ManualReset::default(),
        "unknown index"
    );
}

#[test]
fn manual_reset_of_a_yahoo_only_trip_says_so() {
    // Only Yahoo's breaker holds a level: the reset lets it through and says which,
    // so the engine does not call it "not tripped".
    let mut v = validator(&["TSLA"]);
    let mut out = Vec::new();
    let sym = Symbol::from("TSLA");
    v.set_reference(0, d("250"));
    let held = v.check_other(at(0), Some(0), &sym, d("320"), at(0), &mut out);
    assert_eq!(held.verdict, Verdict::Hold);
    let reset = v.reset_breaker(at(5), 0, &mut out);
    assert_eq!(
        reset,
        ManualReset {
            alpaca: None,
            yahoo: Some(d("320"))
        }
    );
    assert!(
        out.iter().any(|e| e
            .text
            .contains("new Yahoo level 320 accepted by manual reset")),
        "{out:?}"
    );
}

#[test]
fn one_confirming_print_logs_trip_and_close() {
    let cfg = ValidationConfig {
        confirm_prints: 1,
        ..ValidationConfig::default()
    };
    let mut v = Validator::new(cfg, &["TSLA".into()]);
    let (verdicts, texts) = run(&mut v, 0, &["100", "130"]);
    assert_eq!(verdicts, [Accept, Accept]);
    assert_eq!(
        texts,
        [
            "Circuit breaker triggered: TSLA price movement 30% exceeds 20% threshold",
            "Validation failed: Circuit breaker triggered: TSLA price movement 30% exceeds 20% threshold symbol: TSLA",
            "Circuit breaker closed: TSLA new level 130 confirmed by 1 print",
        ]
    );
}

#[test]
fn held_prints_are_not_failures() {
    let mut v = validator(&["TSLA"]);
    run(&mut v, 0, &["100", "150", "151"]);
    let view = v.view(at(3));
    assert_eq!(view.rejected, 0);
    assert_eq!(view.held, 2);
    assert!((view.success_rate_pct - 100.0).abs() < 1e-9);
    assert_eq!(view.tripped[0].held_prints, 2);
    assert_eq!(view.tripped[0].held_price, d("151"));
    assert_eq!(view.tripped[0].reference, d("100"));
}
