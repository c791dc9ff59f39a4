//! Table tests for reconciliation, stale marking, the risk flags (daily loss,
//! concentration) and the table sort orders.

use super::tests::{account, broker_pos, d, fresh, lot, run, NOW};
use super::*;
use crate::domain::types::Source;

#[test]
fn reconciliation_table() {
    let p = broker_pos(
        r#"{"symbol":"AAPL","qty":"100","side":"long","avg_entry_price":"100",
        "market_value":"11000","unrealized_pl":"1000","current_price":"110"}"#,
    );
    // (mark, expected (diff mv, diff pl)); tolerance: > max($1, 0.5 % of Alpaca's value)
    let cases: [(&str, Option<(&str, &str)>); 5] = [
        ("110", None),
        ("110.005", None),              // 0.50 apart: under $1
        ("110.04", None),               // $4: under 0.5 % of 11000 (55) and of 1000 (5)
        ("110.10", Some(("10", "10"))), // $10: over 0.5 % of the $1000 P&L
        ("109", Some(("-100", "-100"))),
    ];
    for (mark, want) in cases {
        let v = run(
            &[],
            Some((std::slice::from_ref(&p), None)),
            &[("AAPL", fresh(mark))],
            &[],
        );
        let r = &v.positions[0];
        let got = r
            .reconciliation
            .as_ref()
            .map(|x| (x.diff_market_value.unwrap(), x.diff_unrealized_pl.unwrap()));
        assert_eq!(got, want.map(|(a, b)| (d(a), d(b))), "mark {mark}");
        assert_eq!(
            r.risk.contains(&RiskFlag::BrokerMismatch),
            want.is_some(),
            "mark {mark}"
        );
        assert_eq!(
            v.totals.reconciliation_mismatches,
            usize::from(want.is_some()),
            "mark {mark}"
        );
        if let Some(x) = &r.reconciliation {
            assert_eq!(x.broker_market_value, Some(d("11000")));
            assert_eq!(x.broker_unrealized_pl, Some(d("1000")));
        }
    }
}

#[test]
fn stale_marking_table() {
    let lots = [lot("AAPL", "10", "100", "0")];
    // (age secs, router says stale, expected stale) with stale_after_secs = 120
    let cases = [
        (1, false, false),
        (119, false, false),
        (120, false, false),
        (121, false, true),
        (5, true, true),
    ];
    for (age_secs, router_stale, want) in cases {
        let m = Mark {
            price: d("110"),
            source: Source::Yahoo,
            as_of: NOW.plus_millis(-age_secs * 1000),
            stale: router_stale,
        };
        let v = run(&lots, None, &[("AAPL", m)], &[]);
        let r = &v.positions[0];
        assert_eq!(r.stale, want, "age {age_secs}s router {router_stale}");
        assert_eq!(r.last_age_ms, Some(age_secs * 1000));
        assert_eq!(r.last_as_of, Some(NOW.plus_millis(-age_secs * 1000)));
        assert_eq!(r.last_source, Some(PriceSource::Yahoo));
        assert_eq!(r.risk.contains(&RiskFlag::StalePrice), want);
        assert_eq!(v.totals.stale_positions, usize::from(want));
        // A stale mark still values the position: the flag is what warns.
        assert_eq!(r.market_value, Some(d("1100")));
    }
}

#[test]
fn daily_loss_levels() {
    // Start-of-day equity 10 000 (100 shares closed at 100); today's price sets the loss.
    let lots = [lot("SPY", "100", "90", "0")];
    let cases = [
        ("101", None, LossLevel::None),
        ("98.1", Some("1.9"), LossLevel::None),
        ("98", Some("2"), LossLevel::None), // exactly 2 % is not above 2 %
        ("97.9", Some("2.1"), LossLevel::Warning),
        ("97", Some("3"), LossLevel::Warning),
        ("96.9", Some("3.1"), LossLevel::Critical),
    ];
    for (last, pct, level) in cases {
        let v = run(&lots, None, &[("SPY", fresh(last))], &[("SPY", "100")]);
        assert_eq!(v.risk.daily_loss_pct, pct.map(d), "last {last}");
        assert_eq!(v.risk.daily_loss_level, level, "last {last}");
    }
    // With a broker account, the base is the broker's equity less today's P&L.
    let p = broker_pos(
        r#"{"symbol":"SPY","qty":"100","side":"long","avg_entry_price":"90","lastday_price":"100"}"#,
    );
    let acct = account("49000", "50000");
    let v = run(&[], Some((&[p], Some(&acct))), &[("SPY", fresh("90"))], &[]);
    assert_eq!(v.totals.day_pl, Some(d("-1000")));
    assert_eq!(v.risk.daily_loss_pct, Some(d("2")));
    assert_eq!(v.totals.day_pl_pct, Some(d("-2")));
}

#[test]
fn concentration_flags() {
    // (name, marks as (symbol, qty, price), breached, max symbol, max pct)
    let cases = [
        (
            "29%",
            [
                ("A", "1", "29"),
                ("B", "1", "24"),
                ("C", "1", "24"),
                ("D", "1", "23"),
            ],
            false,
            "A",
            "29",
        ),
        (
            "31%",
            [
                ("A", "1", "31"),
                ("B", "1", "23"),
                ("C", "1", "23"),
                ("D", "1", "23"),
            ],
            true,
            "A",
            "31",
        ),
        (
            "31% short",
            [
                ("A", "-1", "31"),
                ("B", "1", "23"),
                ("C", "1", "23"),
                ("D", "1", "23"),
            ],
            true,
            "A",
            "31",
        ),
    ];
    for (name, rows, breached, sym, pct) in cases {
        let lots: Vec<Lot> = rows.iter().map(|(s, q, p)| lot(s, q, p, "0")).collect();
        let marks: Vec<(&str, Mark)> = rows.iter().map(|(s, _, p)| (*s, fresh(p))).collect();
        let v = run(&lots, None, &marks, &[]);
        assert_eq!(v.risk.concentration_breached, breached, "{name}");
        let max = v.risk.max_concentration.clone().unwrap();
        assert_eq!((max.symbol.as_str(), max.pct), (sym, d(pct)), "{name}");
        let a = &v.positions[0];
        assert_eq!(
            a.risk.contains(&RiskFlag::Concentration),
            breached,
            "{name}"
        );
        assert!(
            v.positions[1..]
                .iter()
                .all(|r| !r.risk.contains(&RiskFlag::Concentration)),
            "{name}"
        );
        assert_eq!(v.totals.gross_exposure, d("100"), "{name}");
    }
}

#[test]
fn sorting_puts_missing_values_last() {
    let lots = [
        lot("A", "1", "10", "0"),
        lot("B", "1", "10", "0"),
        lot("C", "1", "10", "0"),
        lot("D", "1", "10", "0"),
    ];
    let v = run(
        &lots,
        None,
        &[("A", fresh("12")), ("B", fresh("8")), ("D", fresh("15"))],
        &[("A", "11"), ("D", "16")],
    );
    let order = |key, desc| {
        let mut rows = v.positions.clone();
        sort_positions(&mut rows, key, desc);
        rows.iter()
            .map(|r| r.symbol.to_string())
            .collect::<Vec<_>>()
            .join("")
    };
    assert_eq!(order(SortKey::Symbol, false), "ABCD");
    assert_eq!(order(SortKey::Symbol, true), "DCBA");
    assert_eq!(order(SortKey::MarketValue, false), "BADC");
    assert_eq!(order(SortKey::MarketValue, true), "DABC");
    assert_eq!(order(SortKey::UnrealizedPl, true), "DABC");
    assert_eq!(order(SortKey::DayPl, false), "DABC");
    assert_eq!(order(SortKey::DayPl, true), "ADBC");
    assert_eq!(order(SortKey::Weight, true), "DABC");
    for k in SortKey::ALL {
        assert_eq!(SortKey::from_label(k.label()), Some(k));
    }
}
