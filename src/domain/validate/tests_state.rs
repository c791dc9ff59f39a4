//! Cross-source and stale checks, symbol management (and messages in flight after
//! an unsubscribe), the serialised view, and a counting allocator that proves the accept and hold paths allocate nothing.

use super::tests::{at, bar, d, quote, trade, validator};
use super::*;

#[test]
fn cross_source_delta_table() {
    // (case, alpaca, yahoo, yahoo age secs, flagged)
    let cases = [
        ("agree", "100", "100.4", 0, false),
        ("just under tolerance", "104.99", "100", 0, false),
        ("at tolerance", "105", "100", 0, true),
        ("above tolerance", "110", "100", 0, true),
        ("below, other way", "90", "100", 0, true),
        ("stale other price ignored", "110", "100", 121, false),
    ];
    for (name, alpaca, yahoo, age, flagged) in cases {
        let mut v = validator(&["AAPL"]);
        let mut out = Vec::new();
        let now = at(0);
        v.check_trade(now, Some(0), &trade("AAPL", 0, alpaca, 1, now), &mut out);
        v.observe_other_source(now, 0, d(yahoo), at(-age), &mut out);
        assert_eq!(v.discrepant_count(), usize::from(flagged), "{name}");
        assert_eq!(v.is_discrepant(0), flagged, "{name}");
        assert_eq!(out.len(), usize::from(flagged), "{name}");
    }
}

#[test]
fn cross_source_flag_text_clear_and_expiry() {
    let mut v = validator(&["AAPL"]);
    let mut out = Vec::new();
    v.check_trade(at(0), Some(0), &trade("AAPL", 0, "110", 1, at(0)), &mut out);
    v.observe_other_source(at(0), 0, d("100"), at(0), &mut out);
    assert_eq!(
        out[0].text,
        "Cross-source delta: AAPL Alpaca 110 vs Yahoo 100 differ by 10% (tolerance 5%)"
    );
    assert_eq!(out[0].kind, ValidationEventKind::Discrepancy);
    let view = v.view(at(0));
    assert_eq!(view.discrepancies[0].delta_pct, d("10"));
    assert_eq!(view.by_rule["cross_source_delta"], 1);
    // A second disagreeing poll does not log again.
    v.observe_other_source(at(5), 0, d("100.5"), at(5), &mut out);
    assert_eq!(out.len(), 1);
    // Agreement clears it.
    v.observe_other_source(at(6), 0, d("109.8"), at(6), &mut out);
    assert_eq!(
        out[1].text,
        "Cross-source delta: AAPL back within 5% (0.18%)"
    );
    assert_eq!(v.discrepant_count(), 0);
    // Flag again, then let the Alpaca price age out: the tick drops it silently.
    v.observe_other_source(at(7), 0, d("50"), at(7), &mut out);
    assert_eq!(v.discrepant_count(), 1);
    v.tick(at(100), true, &mut out);
    assert_eq!(v.discrepant_count(), 1);
    v.tick(at(121), true, &mut out);
    assert_eq!(v.discrepant_count(), 0);
}

#[test]
fn stale_while_open_only() {
    let mut v = validator(&["AAPL", "MSFT"]);
    let mut out = Vec::new();
    v.tick(at(0), false, &mut out);
    v.tick(at(500), false, &mut out);
    assert!(out.is_empty(), "closed market is never stale");
    // The market opens at 1000; AAPL trades at 1100, MSFT never.
    v.tick(at(1000), true, &mut out);
    v.check_trade(
        at(1100),
        Some(0),
        &trade("AAPL", 0, "1", 1, at(1100)),
        &mut out,
    );
    v.tick(at(1120), true, &mut out);
    assert!(out.is_empty());
    v.tick(at(1121), true, &mut out);
    let texts: Vec<&str> = out.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, ["Stale: MSFT no update for 121s (limit 120s)"]);
    v.tick(at(1221), true, &mut out);
    assert_eq!(out.len(), 2);
    assert_eq!(out[1].text, "Stale: AAPL no update for 121s (limit 120s)");
    assert!(v.is_stale(0) && v.is_stale(1));
    let view = v.view(at(1221));
    assert_eq!(view.stale.len(), 2);
    assert_eq!(view.by_rule["stale"], 2);
    // A fresh Yahoo price revives MSFT; an old one re-polled would not.
    v.observe_other_source(at(1230), 1, d("400"), at(1000), &mut out);
    assert!(v.is_stale(1));
    v.observe_other_source(at(1230), 1, d("400"), at(1229), &mut out);
    assert!(!v.is_stale(1));
    assert_eq!(out[2].text, "Stale cleared: MSFT updated again after 229s");
    // Closing the market clears the flags.
    v.tick(at(1300), false, &mut out);
    assert!(!v.is_stale(0));
}

#[test]
fn symbols_follow_the_watchlist() {
    let mut v = validator(&["AAPL", "MSFT"]);
    let mut out = Vec::new();
    v.set_reference(1, d("400"));
    assert_eq!(v.add_symbol("NVDA".into()), 2);
    assert_eq!(v.add_symbol("MSFT".into()), 1);
    assert_eq!(v.remove_symbol(0).as_deref(), Some("AAPL"));
    assert_eq!(v.remove_symbol(9), None);
    assert_eq!(v.reference(0), Some(d("400")));
    v.sync_symbols(&["NVDA".into(), "TSLA".into(), "MSFT".into()]);
    assert_eq!(v.reference(2), Some(d("400")));
    assert_eq!(v.reference(1), None);
    let t = trade("MSFT", 0, "401", 1, at(0));
    assert_eq!(v.check_trade(at(0), Some(2), &t, &mut out), Verdict::Accept);
    assert_eq!(v.reference(2), Some(d("401")));
}

#[test]
fn view_serialises_camel_case() {
    let mut v = validator(&["AMD"]);
    let mut out = Vec::new();
    v.check_trade(at(0), Some(0), &trade("AMD", 0, "10", 1, at(0)), &mut out);
    v.check_trade(at(0), Some(0), &trade("AMD", 0, "0", 1, at(0)), &mut out);
    v.check_trade(at(1), Some(0), &trade("AMD", 0, "20", 1, at(1)), &mut out);
    let view = v.view(at(2));
    assert_eq!(
        (view.total, view.accepted, view.rejected, view.held),
        (3, 1, 1, 1)
    );
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!(
        json["successRatePct"].as_f64().map(|x| x.round()),
        Some(67.0)
    );
    assert_eq!(json["byRule"]["price_positive"], 1);
    assert_eq!(json["byRule"]["price_circuit_breaker"], 1);
    assert_eq!(json["bySymbol"]["AMD"], 2);
    assert_eq!(json["recent"][0]["rule"], "price_positive");
    assert_eq!(json["recent"][0]["reason"], "Invalid price: 0");
    assert_eq!(json["tripped"][0]["heldPrice"], "20");
    assert_eq!(json["tripped"][0]["heldPrints"], 1);
    assert_eq!(json["tripped"][0]["ageMs"], 1000);
    assert_eq!(json["lockedQuotes"], 0);
    assert!(json["discrepancies"].as_array().unwrap().is_empty());
    assert!(json["stale"].as_array().unwrap().is_empty());
}

use crate::domain::test_alloc as alloc_count;

#[test]
fn accept_and_hold_paths_do_not_allocate() {
    let mut v = validator(&["AAPL", "TSLA"]);
    let mut out = Vec::with_capacity(16);
    let trades: Vec<Trade> = (0..1000)
        .map(|k| {
            trade(
                "AAPL",
                1000 + k,
                if k % 2 == 0 { "100.01" } else { "100.02" },
                5,
                at(0),
            )
        })
        .collect();
    let q = quote("100", 1, "100.05", 2, at(0));
    let b = bar("10", "11", "9", "10.5", 100, at(0));
    let mut spike = trade("TSLA", 0, "100", 1, at(0));
    v.check_trade(at(0), Some(1), &spike, &mut out);
    spike.price = d("150");
    v.check_trade(at(0), Some(1), &spike, &mut out);
    out.clear();
    spike.price = d("140");
    let before = alloc_count::allocations();
    for t in &trades {
        assert_eq!(v.check_trade(at(0), Some(0), t, &mut out), Verdict::Accept);
        assert_eq!(v.check_quote(at(0), Some(0), &q, &mut out), Verdict::Accept);
        assert_eq!(v.check_bar(at(0), Some(0), &b, &mut out), Verdict::Accept);
        // TSLA's breaker is open and 140 starts new held levels: held, silently.
        assert_eq!(
            v.check_trade(at(0), Some(1), &spike, &mut out),
            Verdict::Hold
        );
        spike.price = if spike.price == d("140") {
            d("145")
        } else {
            d("140")
        };
    }
    let allocated = alloc_count::allocations() - before;
    assert!(out.is_empty());
    assert_eq!(allocated, 0, "the accept path allocated");
    // The counter itself works.
    let text = format!("{}", v.view(at(0)).total);
    assert!(alloc_count::allocations() > before + allocated && !text.is_empty());
}

/// Every kind of input for a symbol unsubscribed moments ago is dropped quietly
/// (Yahoo's prices and non-finite numbers included) until the window closes; the
/// window follows the `until` the engine gives, and re-adding the symbol ends it.
#[test]
fn in_flight_after_unsubscribe_every_input() {
    let mut v = validator(&["AAPL", "AMD"]);
    v.unsubscribed(Symbol::from("AMD"), at(UNSUBSCRIBED_IN_FLIGHT_SECS));
    v.sync_symbols(&[Symbol::from("AAPL")]);
    let amd = Symbol::from("AMD");
    let mut out = Vec::new();
    let mut q = quote("1", 1, "2", 1, at(1));
    q.symbol = amd.clone();
    let mut b = bar("1", "2", "1", "2", 1, at(1));
    b.symbol = amd.clone();
    let now = at(UNSUBSCRIBED_IN_FLIGHT_SECS);
    assert_eq!(
        v.check_trade(now, None, &trade("AMD", 1, "150", 1, at(1)), &mut out),
        Verdict::Dropped
    );
    assert_eq!(v.check_quote(now, None, &q, &mut out), Verdict::Dropped);
    assert_eq!(v.check_bar(now, None, &b, &mut out), Verdict::Dropped);
    let other = v.check_other(now, None, &amd, d("150"), at(1), &mut out);
    assert_eq!(other.verdict, Verdict::Dropped);
    assert_eq!(
        v.record_non_finite(now, None, &amd, "price", &mut out),
        Verdict::Dropped
    );
    assert!(out.is_empty(), "{out:?}");
    let view = v.view(now);
    assert_eq!(
        (view.unsubscribed_in_flight, view.total, view.rejected),
        (5, 0, 0)
    );
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!(json["unsubscribedInFlight"], 5);

    // A millisecond after the window: a failure like any unwatched symbol.
    let late = at(UNSUBSCRIBED_IN_FLIGHT_SECS).plus_millis(1);
    let t = trade("AMD", 2, "150", 1, late);
    assert_eq!(
        v.check_trade(late, None, &t, &mut out),
        Verdict::Reject(Rule::NotSubscribed)
    );
    assert_eq!(out.len(), 1);

    // Adding it back forgets the unsubscribe: should it leave the watchlist again
    // without one, its messages are failures, not in flight.
    v.unsubscribed(amd.clone(), at(100));
    v.sync_symbols(&[Symbol::from("AAPL"), amd.clone()]);
    v.sync_symbols(&[Symbol::from("AAPL")]);
    assert_eq!(
        v.check_trade(at(10), None, &trade("AMD", 3, "150", 1, at(10)), &mut out),
        Verdict::Reject(Rule::NotSubscribed)
    );
}
