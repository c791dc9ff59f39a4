//! Table tests for the P&L core: longs, shorts, lots with fees, a missing previous
//! close, broker-vs-config precedence and serialisation; the shared helpers.

use super::*;
use crate::domain::types::{Source, Ts};
use rust_decimal::Decimal;

pub(super) type BrokerInput<'a> = Option<(&'a [BrokerPosition], Option<&'a Account>)>;

pub(super) const NOW: Ts = Ts::from_secs(1_700_000_000);

pub(super) fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub(super) fn lot(symbol: &str, qty: &str, cost: &str, fees: &str) -> Lot {
    Lot {
        symbol: Symbol::from(symbol),
        qty: d(qty),
        cost_per_share: d(cost),
        fees: d(fees),
    }
}

pub(super) fn fresh(price: &str) -> Mark {
    Mark {
        price: d(price),
        source: Source::Alpaca,
        as_of: NOW.plus_millis(-1_000),
        stale: false,
    }
}

/// Marks and previous closes from tables of (symbol, value).
pub(super) fn run(
    lots: &[Lot],
    broker: Option<(&[BrokerPosition], Option<&Account>)>,
    marks: &[(&str, Mark)],
    prevs: &[(&str, &str)],
) -> PortfolioView {
    let marks = |s: &str| marks.iter().find(|(k, _)| *k == s).map(|(_, m)| m.clone());
    let prevs = |s: &str| prevs.iter().find(|(k, _)| *k == s).map(|(_, p)| d(p));
    compute(
        &PortfolioConfig::default(),
        NOW,
        lots,
        broker,
        &marks,
        &prevs,
    )
}

pub(super) fn broker_pos(json: &str) -> BrokerPosition {
    serde_json::from_str(json).unwrap()
}

pub(super) fn account(equity: &str, last_equity: &str) -> Account {
    serde_json::from_value(serde_json::json!({
        "status": "ACTIVE", "equity": equity, "last_equity": last_equity,
        "cash": "1000", "buying_power": "2000"
    }))
    .unwrap()
}

#[test]
fn config_lot_pnl_table() {
    type Opt = Option<&'static str>;
    // (name, lots, last, prev, qty, avg, mv, cost, upl, upl%, day, day%)
    #[allow(clippy::type_complexity)]
    let cases: [(
        &str,
        Vec<Lot>,
        &str,
        Opt,
        &str,
        &str,
        &str,
        &str,
        &str,
        &str,
        Opt,
        Opt,
    ); 5] = [
        (
            "long",
            vec![lot("AAPL", "10", "100", "0")],
            "110",
            Some("105"),
            "10",
            "100",
            "1100",
            "1000",
            "100",
            "10",
            Some("50"),
            Some("4.7619"),
        ),
        (
            "short",
            vec![lot("AAPL", "-10", "100", "0")],
            "90",
            Some("95"),
            "-10",
            "100",
            "-900",
            "-1000",
            "100",
            "10",
            Some("50"),
            Some("5.2632"),
        ),
        (
            "lots with fees",
            vec![lot("AAPL", "10", "100", "5"), lot("AAPL", "30", "120", "5")],
            "125",
            Some("120"),
            "40",
            "115.25",
            "5000",
            "4610",
            "390",
            "8.4599",
            Some("200"),
            Some("4.1667"),
        ),
        (
            "short with fees",
            vec![lot("AAPL", "-10", "100", "5")],
            "90",
            Some("95"),
            "-10",
            "99.5",
            "-900",
            "-995",
            "95",
            "9.5477",
            Some("50"),
            Some("5.2632"),
        ),
        (
            "missing prev close",
            vec![lot("AAPL", "10", "100", "0")],
            "110",
            None,
            "10",
            "100",
            "1100",
            "1000",
            "100",
            "10",
            None,
            None,
        ),
    ];
    for (name, lots, last, prev, qty, avg, mv, cost, upl, upl_pct, day, day_pct) in cases {
        let prevs: Vec<(&str, &str)> = prev.map(|p| ("AAPL", p)).into_iter().collect();
        let v = run(&lots, None, &[("AAPL", fresh(last))], &prevs);
        assert_eq!(v.source, PositionsSource::Config, "{name}");
        assert_eq!(v.positions.len(), 1, "{name}");
        let r = &v.positions[0];
        assert_eq!(r.qty, d(qty), "{name} qty");
        assert_eq!(r.avg_cost, Some(d(avg)), "{name} avg");
        assert_eq!(r.market_value, Some(d(mv)), "{name} mv");
        assert_eq!(r.cost_basis, d(cost), "{name} cost");
        assert_eq!(r.unrealized_pl, Some(d(upl)), "{name} upl");
        assert_eq!(r.unrealized_pl_pct, Some(d(upl_pct)), "{name} upl%");
        assert_eq!(r.day_pl, day.map(d), "{name} day");
        assert_eq!(r.day_pl_pct, day_pct.map(d), "{name} day%");
        assert_eq!(r.lot_count, lots.len(), "{name}");
        assert!(r.config_lots, "{name}");
        assert_eq!(r.last_source, Some(PriceSource::Alpaca), "{name}");
        assert_eq!(r.weight_pct, Some(d("100")), "{name}");
        // (last − avg) × qty is the same number for longs and shorts.
        let by_avg = (r.last.unwrap() - r.avg_cost.unwrap()) * r.qty;
        assert_eq!(by_avg, r.unrealized_pl.unwrap(), "{name} (last-avg)*qty");
        assert_eq!(v.totals.day_pl, day.map(d), "{name} total day");
        assert_eq!(
            v.totals.positions_missing_prev_close,
            usize::from(prev.is_none()),
            "{name}"
        );
        assert_eq!(
            v.totals.equity,
            d(mv),
            "{name} equity = market value without a broker"
        );
        assert!(!v.totals.equity_from_broker, "{name}");
    }
}

#[test]
fn missing_prices_and_prev_closes_are_counted_not_zeroed() {
    let lots = [
        lot("AAPL", "10", "100", "0"),
        lot("MSFT", "5", "400", "0"),
        lot("NVDA", "2", "500", "0"),
    ];
    let v = run(
        &lots,
        None,
        &[("AAPL", fresh("110")), ("MSFT", fresh("410"))],
        &[("AAPL", "100")],
    );
    let by = |s: &str| v.positions.iter().find(|r| r.symbol == s).unwrap();
    assert_eq!(by("MSFT").day_pl, None);
    assert_eq!(by("NVDA").market_value, None);
    assert_eq!(by("NVDA").unrealized_pl, None);
    assert_eq!(by("NVDA").risk, vec![RiskFlag::NoPrice]);
    assert_eq!(v.totals.positions_missing_prev_close, 2);
    assert_eq!(v.totals.positions_without_price, 1);
    // Totals cover the priced positions only, cost basis included.
    assert_eq!(v.totals.market_value, d("3150"));
    assert_eq!(v.totals.cost_basis, d("3000"));
    assert_eq!(v.totals.unrealized_pl, d("150"));
    assert_eq!(v.totals.day_pl, Some(d("100")));
    assert_eq!(
        v.positions
            .iter()
            .map(|r| r.symbol.as_str())
            .collect::<Vec<_>>(),
        ["AAPL", "MSFT", "NVDA"]
    );
}

#[test]
fn broker_wins_over_config_lots() {
    let lots = [lot("AAPL", "10", "100", "0")];
    let msft = broker_pos(
        r#"{"symbol":"MSFT","qty":"5","side":"long","avg_entry_price":"400",
        "market_value":"2050","unrealized_pl":"50","current_price":"410","lastday_price":"405"}"#,
    );
    let positions = [msft];
    let acct = account("10000", "9900");
    // (name, broker, source, symbols, config_lots flag on rows)
    let cases: [(&str, BrokerInput, PositionsSource, Vec<&str>); 4] = [
        (
            "broker",
            Some((&positions, Some(&acct))),
            PositionsSource::Broker,
            vec!["MSFT"],
        ),
        (
            "broker flat",
            Some((&[], Some(&acct))),
            PositionsSource::Broker,
            vec![],
        ),
        ("config", None, PositionsSource::Config, vec!["AAPL"]),
        (
            "broker, no account",
            Some((&positions, None)),
            PositionsSource::Broker,
            vec!["MSFT"],
        ),
    ];
    for (name, broker, source, symbols) in cases {
        let v = run(
            &lots,
            broker,
            &[("AAPL", fresh("110")), ("MSFT", fresh("410"))],
            &[("MSFT", "1")],
        );
        assert_eq!(v.source, source, "{name}");
        let got: Vec<&str> = v.positions.iter().map(|r| r.symbol.as_str()).collect();
        assert_eq!(got, symbols, "{name}");
        assert_eq!(
            v.config_lots,
            lots.to_vec(),
            "{name}: config lots stay listed"
        );
        for r in &v.positions {
            assert_eq!(r.config_lots, source == PositionsSource::Config, "{name}");
        }
    }
    let v = run(
        &lots,
        Some((&positions, Some(&acct))),
        &[("MSFT", fresh("410"))],
        &[("MSFT", "1")],
    );
    let r = &v.positions[0];
    // Alpaca's lastday_price wins over the caller's previous close.
    assert_eq!(
        (r.prev_close, r.prev_close_source),
        (Some(d("405")), Some(PrevCloseSource::Broker))
    );
    assert_eq!(r.day_pl, Some(d("25")));
    assert_eq!(v.totals.equity, d("10000"));
    assert!(v.totals.equity_from_broker);
    assert_eq!(v.totals.cash, Some(d("1000")));
    assert_eq!(v.totals.account_day_change, Some(d("100")));
    let none = run(&[], None, &[], &[]);
    assert_eq!(none.source, PositionsSource::None);
    assert!(none.positions.is_empty());
    assert_eq!(none.totals.day_pl, None);
    assert_eq!(none.risk.daily_loss_level, LossLevel::None);
}

#[test]
fn broker_shorts_and_the_broker_price_fallback() {
    // Alpaca signs shorts negative; a positive qty with side short is still a short.
    for qty in ["-10", "10"] {
        let p = broker_pos(&format!(
            r#"{{"symbol":"TSLA","qty":"{qty}","side":"short","avg_entry_price":"200",
            "market_value":"-1900","cost_basis":"-2000","unrealized_pl":"100","current_price":"190",
            "lastday_price":"195","change_today":"-0.0256","asset_id":"x","qty_available":"-10"}}"#
        ));
        let v = run(&[], Some((&[p], None)), &[], &[]);
        let r = &v.positions[0];
        assert_eq!(r.qty, d("-10"), "qty {qty}");
        assert_eq!(
            (r.last, r.last_source),
            (Some(d("190")), Some(PriceSource::Broker)),
            "qty {qty}"
        );
        assert_eq!(r.last_age_ms, None);
        assert!(!r.stale);
        assert_eq!(r.market_value, Some(d("-1900")));
        assert_eq!(r.unrealized_pl, Some(d("100")));
        assert_eq!(r.day_pl, Some(d("50")));
        assert_eq!(r.reconciliation, None, "qty {qty}");
        assert_eq!(v.totals.short_exposure, d("1900"));
        assert_eq!(v.totals.long_exposure, d("0"));
        assert_eq!(v.totals.equity, d("-1900"));
    }
}

#[test]
fn view_serialises_in_camel_case_without_the_account_number() {
    let lots = [lot("AAPL", "10", "100", "1")];
    let v = run(&lots, None, &[("AAPL", fresh("110"))], &[]);
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["source"], "config");
    assert_eq!(json["positions"][0]["lastSource"], "alpaca");
    assert!(json["positions"][0].get("unrealizedPlPct").is_some());
    assert_eq!(json["positions"][0]["configLots"], true);
    assert_eq!(json["risk"]["dailyLossLevel"], "none");
    assert_eq!(json["configLots"][0]["costPerShare"], "100");
    let mut acct = account("1", "1");
    acct.account_number = Some("PA123".into());
    let text = serde_json::to_string(&acct).unwrap();
    assert!(!text.contains("PA123"), "{text}");
    assert!(text.contains("lastEquity"), "{text}");
}
