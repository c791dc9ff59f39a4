//! Case tables for every per-message rule (accept and reject), the exact log
//! wording and the log rate limit. Cross-source, stale, symbol management, the
//! view and the no-allocation check are in `tests_state`; breaker scenarios in
//! `tests_breaker`; properties in `tests_prop`.

use super::*;
use crate::domain::wire::BarKind;
use std::str::FromStr;

pub(super) fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub(super) const T0: i64 = 1_760_000_000;

pub(super) fn at(secs: i64) -> Ts {
    Ts::from_secs(T0 + secs)
}

pub(super) fn trade(sym: &str, id: u64, price: &str, size: i64, ts: Ts) -> Trade {
    Trade {
        symbol: sym.into(),
        id,
        exchange: "V".into(),
        price: d(price),
        size,
        conditions: "@".into(),
        ts,
        tape: "C".into(),
    }
}

pub(super) fn quote(bid: &str, bid_size: i64, ask: &str, ask_size: i64, ts: Ts) -> Quote {
    Quote {
        symbol: "AAPL".into(),
        bid_exchange: "V".into(),
        bid_price: d(bid),
        bid_size,
        ask_exchange: "V".into(),
        ask_price: d(ask),
        ask_size,
        conditions: "R".into(),
        ts,
        tape: "C".into(),
    }
}

pub(super) fn bar(o: &str, h: &str, l: &str, c: &str, volume: i64, ts: Ts) -> Bar {
    Bar {
        kind: BarKind::Minute,
        symbol: "AAPL".into(),
        open: d(o),
        high: d(h),
        low: d(l),
        close: d(c),
        volume,
        ts,
        trade_count: None,
        vwap: None,
    }
}

pub(super) fn validator(symbols: &[&str]) -> Validator {
    let syms: Vec<Symbol> = symbols.iter().map(|s| Symbol::from(*s)).collect();
    Validator::new(ValidationConfig::default(), &syms)
}

#[test]
fn trade_rules_table() {
    let now = at(0);
    // (case, trade, expected verdict, expected text of the single event)
    let cases: Vec<(&str, Trade, Verdict, Option<&str>)> = vec![
        (
            "ok",
            trade("AMD", 0, "150.25", 100, now),
            Verdict::Accept,
            None,
        ),
        (
            "zero size ok",
            trade("AMD", 0, "150.25", 0, now),
            Verdict::Accept,
            None,
        ),
        (
            "zero price",
            trade("AMD", 0, "0", 100, now),
            Verdict::Reject(Rule::NonPositivePrice),
            Some("Validation failed: Invalid price: 0 symbol: AMD"),
        ),
        (
            "negative price",
            trade("AMD", 0, "-1.5", 100, now),
            Verdict::Reject(Rule::NonPositivePrice),
            Some("Validation failed: Invalid price: -1.5 symbol: AMD"),
        ),
        (
            "negative size",
            trade("AMD", 0, "150", -1, now),
            Verdict::Reject(Rule::NegativeVolume),
            Some("Validation failed: Invalid volume: -1 symbol: AMD"),
        ),
        (
            "5 min ahead ok",
            trade("AMD", 0, "150", 1, at(300)),
            Verdict::Accept,
            None,
        ),
        (
            "future",
            trade("AMD", 0, "150", 1, at(301)),
            Verdict::Reject(Rule::FutureTimestamp),
            Some(
                "Validation failed: Future timestamp: 2025-10-09T08:58:21Z is 301s ahead of \
                 receipt (limit 300s) symbol: AMD",
            ),
        ),
        (
            "past ok",
            trade("AMD", 0, "150", 1, at(-3600)),
            Verdict::Accept,
            None,
        ),
        (
            "unwatched",
            trade("GME", 0, "20", 1, now),
            Verdict::Reject(Rule::NotSubscribed),
            Some("Validation failed: Not subscribed: symbol is not on the watchlist symbol: GME"),
        ),
    ];
    for (name, t, want, text) in cases {
        let mut v = validator(&["AMD"]);
        let mut out = Vec::new();
        let idx = (t.symbol == "AMD").then_some(0);
        assert_eq!(v.check_trade(now, idx, &t, &mut out), want, "{name}");
        let texts: Vec<&str> = out.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(texts, text.into_iter().collect::<Vec<_>>(), "{name}");
        if let Verdict::Reject(rule) = want {
            assert_eq!(out[0].rule, rule, "{name}");
            assert_eq!(out[0].level, Level::Warn, "{name}");
            assert_eq!(out[0].kind, ValidationEventKind::Rejected, "{name}");
            assert_eq!(v.view(now).by_rule[rule.as_str()], 1, "{name}");
        }
    }
}

#[test]
fn index_out_of_range_is_not_subscribed() {
    let mut v = validator(&["AMD"]);
    let mut out = Vec::new();
    let t = trade("AMD", 0, "1", 1, at(0));
    assert_eq!(
        v.check_trade(at(0), Some(7), &t, &mut out),
        Verdict::Reject(Rule::NotSubscribed)
    );
}

#[test]
fn quote_rules_table() {
    let now = at(0);
    let cases: Vec<(&str, Quote, Verdict, u64)> = vec![
        (
            "normal",
            quote("99.9", 1, "100.1", 2, now),
            Verdict::Accept,
            0,
        ),
        (
            "locked counts",
            quote("100", 1, "100", 2, now),
            Verdict::Accept,
            1,
        ),
        (
            "no bid side",
            quote("0", 0, "100", 2, now),
            Verdict::Accept,
            0,
        ),
        (
            "no ask side",
            quote("100", 3, "0", 0, now),
            Verdict::Accept,
            0,
        ),
        ("empty book", quote("0", 0, "0", 0, now), Verdict::Accept, 0),
        (
            "crossed",
            quote("100.2", 1, "100.1", 1, now),
            Verdict::Reject(Rule::CrossedQuote),
            0,
        ),
        (
            "zero bid with size",
            quote("0", 5, "100", 1, now),
            Verdict::Reject(Rule::NonPositivePrice),
            0,
        ),
        (
            "negative ask",
            quote("1", 1, "-2", 1, now),
            Verdict::Reject(Rule::NonPositivePrice),
            0,
        ),
        (
            "negative size",
            quote("1", -1, "2", 1, now),
            Verdict::Reject(Rule::NegativeVolume),
            0,
        ),
        (
            "future",
            quote("1", 1, "2", 1, at(400)),
            Verdict::Reject(Rule::FutureTimestamp),
            0,
        ),
    ];
    for (name, q, want, locked) in cases {
        let mut v = validator(&["AAPL"]);
        let mut out = Vec::new();
        assert_eq!(v.check_quote(now, Some(0), &q, &mut out), want, "{name}");
        assert_eq!(v.view(now).locked_quotes, locked, "{name}");
        assert_eq!(out.len(), usize::from(want != Verdict::Accept), "{name}");
    }
    let mut v = validator(&["AAPL"]);
    let mut out = Vec::new();
    v.check_quote(now, Some(0), &quote("100.2", 1, "100.1", 1, now), &mut out);
    v.check_quote(now, Some(0), &quote("0", 5, "100", 1, now), &mut out);
    assert_eq!(
        out[0].text,
        "Validation failed: Crossed quote: bid 100.2 > ask 100.1 symbol: AAPL"
    );
    assert_eq!(
        out[1].text,
        "Validation failed: Invalid price: 0 (bid) symbol: AAPL"
    );
}

#[test]
fn bar_rules_table() {
    let now = at(0);
    let cases: Vec<(&str, Bar, Verdict)> = vec![
        (
            "normal",
            bar("10", "11", "9", "10.5", 100, now),
            Verdict::Accept,
        ),
        ("flat", bar("10", "10", "10", "10", 0, now), Verdict::Accept),
        (
            "zero low",
            bar("10", "11", "0", "10", 1, now),
            Verdict::Reject(Rule::NonPositivePrice),
        ),
        (
            "negative volume",
            bar("10", "11", "9", "10", -5, now),
            Verdict::Reject(Rule::NegativeVolume),
        ),
        (
            "close above high",
            bar("10", "11", "9", "11.5", 1, now),
            Verdict::Reject(Rule::InconsistentBar),
        ),
        (
            "open below low",
            bar("8.9", "11", "9", "10", 1, now),
            Verdict::Reject(Rule::InconsistentBar),
        ),
        (
            "future",
            bar("10", "11", "9", "10", 1, at(1000)),
            Verdict::Reject(Rule::FutureTimestamp),
        ),
    ];
    for (name, b, want) in cases {
        let mut v = validator(&["AAPL"]);
        let mut out = Vec::new();
        assert_eq!(v.check_bar(now, Some(0), &b, &mut out), want, "{name}");
    }
    let mut v = validator(&["AAPL"]);
    let mut out = Vec::new();
    v.check_bar(now, Some(0), &bar("10", "11", "0", "10", 1, now), &mut out);
    assert_eq!(
        out[0].text,
        "Validation failed: Invalid price: 0 (bar low) symbol: AAPL"
    );
}
