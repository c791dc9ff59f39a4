//! Trade-id rules, non-finite numbers, the rejection log's rate limit and bounds,
//! and the rule ids the API and metrics use.

use super::tests::*;
use super::*;

#[test]
fn trade_ids_duplicate_and_out_of_order() {
    let now = at(0);
    let mut v = validator(&["AMD"]);
    let mut out = Vec::new();
    let mut check = |v: &mut Validator, id: u64, exch: &str, ts: Ts| {
        let mut t = trade("AMD", id, "100", 1, ts);
        t.exchange = exch.into();
        v.check_trade(now, Some(0), &t, &mut out)
    };
    assert_eq!(check(&mut v, 100, "V", at(-10)), Verdict::Accept);
    assert_eq!(check(&mut v, 105, "V", at(-9)), Verdict::Accept);
    // Same id again on the same exchange: duplicate.
    assert_eq!(
        check(&mut v, 105, "V", at(-9)),
        Verdict::Reject(Rule::DuplicateTradeId)
    );
    // Same id on another exchange: a different trade.
    assert_eq!(check(&mut v, 105, "D", at(-9)), Verdict::Accept);
    // Lower id with an earlier time on the same exchange: an old print arriving late.
    assert_eq!(
        check(&mut v, 101, "V", Ts(at(-9).0 - 1)),
        Verdict::Reject(Rule::OutOfOrderTradeId)
    );
    // Lower id but a later time: an id reset, accepted.
    assert_eq!(check(&mut v, 3, "V", at(-5)), Verdict::Accept);
    // Id 0 means no id: never a duplicate.
    assert_eq!(check(&mut v, 0, "V", at(-4)), Verdict::Accept);
    assert_eq!(check(&mut v, 0, "V", at(-4)), Verdict::Accept);
    // A duplicate older than the ring is no longer recognised as one.
    for id in 10..20 {
        assert_eq!(check(&mut v, id, "V", at(-3)), Verdict::Accept);
    }
    assert_eq!(check(&mut v, 3, "V", at(-2)), Verdict::Accept);
    let texts: Vec<String> = out.into_iter().map(|e| e.text).collect();
    assert_eq!(
        texts,
        [
            "Validation failed: Duplicate trade id: 105 (exchange V) symbol: AMD",
            "Validation failed: Out-of-order trade id: 101 is older than 105 (exchange V) symbol: AMD",
        ]
    );
}

#[test]
fn out_of_order_check_can_be_disabled() {
    let cfg = ValidationConfig {
        check_trade_order: false,
        ..ValidationConfig::default()
    };
    let mut v = Validator::new(cfg, &["AMD".into()]);
    let mut out = Vec::new();
    let now = at(0);
    v.check_trade(now, Some(0), &trade("AMD", 9, "1", 1, at(-1)), &mut out);
    let late = trade("AMD", 8, "1", 1, at(-2));
    assert_eq!(
        v.check_trade(now, Some(0), &late, &mut out),
        Verdict::Accept
    );
}

#[test]
fn non_finite_floats() {
    assert_eq!(check_f64(1.5), Ok(1.5));
    for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(check_f64(x), Err(Rule::NonFinite));
    }
    let mut v = validator(&["AAPL"]);
    let mut out = Vec::new();
    let verdict = v.record_non_finite(
        at(0),
        Some(0),
        &"AAPL".into(),
        "regularMarketPrice",
        &mut out,
    );
    assert_eq!(verdict, Verdict::Reject(Rule::NonFinite));
    assert_eq!(
        out[0].text,
        "Validation failed: Non-finite number in regularMarketPrice symbol: AAPL"
    );
    assert_eq!(v.view(at(0)).by_symbol["AAPL"], 1);
}

#[test]
fn rejection_log_is_rate_limited_but_everything_is_counted() {
    let mut v = validator(&["AMD"]);
    let mut out = Vec::new();
    let bad = trade("AMD", 0, "0", 1, at(0));
    for _ in 0..25 {
        v.check_trade(at(0), Some(0), &bad, &mut out);
    }
    assert_eq!(out.len(), 20);
    v.check_trade(at(1), Some(0), &bad, &mut out);
    assert_eq!(out.len(), 21);
    assert_eq!(
        out[20].text,
        "Validation failed: Invalid price: 0 symbol: AMD (+5 more not logged)"
    );
    let view = v.view(at(1));
    assert_eq!(view.rejected, 26);
    assert_eq!(view.by_rule["price_positive"], 26);
    assert_eq!(view.recent.len(), 21);
}

#[test]
fn recent_is_bounded() {
    let mut v = validator(&["AMD"]);
    let mut out = Vec::new();
    for s in 0..150 {
        v.check_trade(at(s), Some(0), &trade("AMD", 0, "0", 1, at(s)), &mut out);
    }
    let view = v.view(at(150));
    assert_eq!(view.recent.len(), RECENT_RING);
    assert_eq!(view.recent[0].at, at(50));
}

#[test]
fn rule_ids_are_stable_and_distinct() {
    let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.as_str()).collect();
    let mut dedup = ids.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(ids.len(), dedup.len());
    for (i, r) in Rule::ALL.iter().enumerate() {
        assert_eq!(r.index(), i);
        assert!(!r.description().is_empty());
    }
    assert_eq!(Rule::NonPositivePrice.as_str(), "price_positive");
    assert_eq!(Rule::PriceCircuitBreaker.as_str(), "price_circuit_breaker");
}
