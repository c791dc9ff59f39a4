//! Engine-level tables for validation across sources: bad Yahoo prices never on
//! screen or in the P&L, non-finite values, the cross-source check, previous-close
//! references, and RUNBOOK-004's commands. Upstream behaviour is in `tests_upstream`.

use super::*;
use crate::domain::portfolio::{Lot, PortfolioConfig};
use crate::domain::wire::{parse_frame, ParseLimits};
use crate::messages::yahoo::YahooResponse;
use crate::messages::FailoverAction;
use rust_decimal::Decimal;
use std::str::FromStr;

pub(super) fn t0() -> Ts {
    Ts::parse_rfc3339("2026-11-17T15:00:05Z").unwrap()
}

pub(super) fn state(symbols: &[&str]) -> EngineState {
    EngineState::new(StateConfig {
        mode: Mode::Live,
        feed: "iex".into(),
        watchlist: symbols.iter().map(|s| Symbol::new(s)).collect(),
        started_at: t0(),
        replay_name: None,
        routing: Default::default(),
        validation: Default::default(),
    })
}

pub(super) fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A chart body whose `regularMarketPrice` is `price` as raw JSON, traded at `time`.
pub(super) fn chart(sym: &str, price: &str, time: Ts, prev: &str) -> String {
    format!(
        r#"{{"chart":{{"result":[{{"meta":{{"symbol":"{sym}","currency":"USD","regularMarketPrice":{price},"regularMarketTime":{},"previousClose":{prev}}},"timestamp":[],"indicators":{{"quote":[{{}}]}}}}],"error":null}}}}"#,
        time.as_nanos() / 1_000_000_000
    )
}

pub(super) fn resp(at: Ts, sym: &str, status: u16, body: String) -> YahooResponse {
    YahooResponse {
        at,
        url: format!("http://127.0.0.1:1/v8/finance/chart/{sym}?range=1d&interval=1m"),
        status,
        body,
        error: None,
    }
}

pub(super) const NOT_FOUND: &str = r#"{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}"#;

pub(super) fn trade(st: &mut EngineState, at: Ts, sym: &str, id: u64, price: &str) {
    let f = format!(
        r#"[{{"T":"t","S":"{sym}","i":{id},"x":"V","p":{price},"s":5,"c":["@"],"t":"{}","z":"C"}}]"#,
        at.to_rfc3339()
    );
    let p = parse_frame(f.as_bytes(), &ParseLimits::default());
    st.apply_frame(at, &p.msgs, &p.issues, &mut Effects::default());
}

pub(super) fn row(st: &EngineState, i: usize) -> SymbolView {
    st.snapshot(1, Perf::default(), Vec::new()).watchlist[i].clone()
}

/// A state serving Yahoo (forced fallback), AAPL shown at 100 from Yahoo, with a lot
/// of 10 AAPL so the P&L follows the displayed price.
fn on_yahoo_at_100() -> EngineState {
    let mut st = state(&["AAPL"]);
    st.set_lots(
        vec![Lot {
            symbol: "AAPL".into(),
            qty: d("10"),
            cost_per_share: d("90"),
            fees: Decimal::ZERO,
        }],
        PortfolioConfig::default(),
    );
    let mut fx = Effects::default();
    st.failover_command(FailoverAction::Force, &mut fx);
    let r = resp(t0(), "AAPL", 200, chart("AAPL", "100", t0(), "99"));
    st.apply_yahoo(&r, &mut fx);
    assert_eq!(row(&st, 0).price, Some(d("100")));
    assert_eq!(row(&st, 0).source, Some(Source::Yahoo));
    st
}

fn pnl(st: &EngineState) -> Decimal {
    st.snapshot(1, Perf::default(), Vec::new())
        .portfolio
        .totals
        .unrealized_pl
}

#[test]
fn bad_yahoo_prices_never_move_the_display_or_the_pnl() {
    // (case, price JSON, market time from t0 in s, rule counted, held)
    let cases: &[(&str, &str, i64, &str, bool)] = &[
        ("zero", "0", 1, "price_positive", false),
        ("negative", "-5.5", 1, "price_positive", false),
        ("infinite string", r#""Infinity""#, 1, "non_finite", false),
        ("NaN string", r#""NaN""#, 1, "non_finite", false),
        ("future 6 min", "101", 360, "timestamp_future", false),
        ("spike +25%", "125", 1, "price_circuit_breaker", true),
        ("drop -30%", "70", 1, "price_circuit_breaker", true),
    ];
    for &(name, price, secs, rule, held) in cases {
        let mut st = on_yahoo_at_100();
        let before = pnl(&st);
        assert_eq!(before, d("100"), "{name}");
        let at = t0().plus_millis(1_000);
        let r = resp(
            at,
            "AAPL",
            200,
            chart("AAPL", price, t0().plus_millis(secs * 1_000), "99"),
        );
        let mut fx = Effects::default();
        st.apply_yahoo(&r, &mut fx);
        let v = row(&st, 0);
        assert_eq!(v.price, Some(d("100")), "{name}: displayed price moved");
        assert_eq!(pnl(&st), before, "{name}: P&L moved");
        assert_eq!(v.held.is_some(), held, "{name}: held {:?}", v.held);
        let snap = st.snapshot(1, Perf::default(), Vec::new());
        assert_eq!(snap.validation.by_rule[rule], 1, "{name}");
        assert_eq!(snap.validation.by_symbol[&Symbol::new("AAPL")], 1, "{name}");
        assert_eq!(snap.validation.recent.len(), 1, "{name}");
        let line = "symbol: AAPL";
        assert!(
            fx.events
                .iter()
                .any(|e| e.message.starts_with("Validation failed: ") && e.message.ends_with(line)),
            "{name}: {:?}",
            fx.events.iter().map(|e| &e.message).collect::<Vec<_>>()
        );
        // Yahoo answered: bad data is no Yahoo failure.
        assert_eq!(snap.yahoo.healthy, Some(true), "{name}");
    }
}

#[test]
fn a_yahoo_move_is_shown_once_confirmed_by_polls_or_by_alpaca() {
    // Three polls near the new level confirm it (Yahoo's own breaker).
    let mut st = on_yahoo_at_100();
    let mut fx = Effects::default();
    for (k, p) in ["125", "125.5", "125.2"].iter().enumerate() {
        let at = t0().plus_millis(60_000 * (k as i64 + 1));
        st.apply_yahoo(&resp(at, "AAPL", 200, chart("AAPL", p, at, "99")), &mut fx);
        let shown = row(&st, 0).price;
        if k < 2 {
            assert_eq!(shown, Some(d("100")), "poll {k}");
        } else {
            assert_eq!(shown, Some(d("125.2")), "poll {k}");
            assert_eq!(row(&st, 0).held, None);
        }
    }
    // Alpaca agreeing (fresh, within 5%) lets the first Yahoo print through at once.
    let mut st = state(&["AAPL"]);
    trade(&mut st, t0(), "AAPL", 1, "100");
    trade(&mut st, t0(), "AAPL", 2, "125");
    trade(&mut st, t0(), "AAPL", 3, "125.1");
    trade(&mut st, t0(), "AAPL", 4, "125.2");
    assert_eq!(row(&st, 0).price, Some(d("125.2")));
    st.failover_command(FailoverAction::Force, &mut fx);
    let at = t0().plus_millis(1_000);
    st.apply_yahoo(
        &resp(at, "AAPL", 200, chart("AAPL", "125.3", at, "99")),
        &mut fx,
    );
    let v = row(&st, 0);
    assert_eq!((v.price, v.source), (Some(d("125.3")), Some(Source::Yahoo)));
}

#[test]
fn cross_source_check_still_flags_and_yahoo_still_confirms_alpaca() {
    let mut st = state(&["AAPL"]);
    let mut fx = Effects::default();
    trade(&mut st, t0(), "AAPL", 1, "110");
    let at = t0().plus_millis(1_000);
    st.apply_yahoo(
        &resp(at, "AAPL", 200, chart("AAPL", "100", at, "99")),
        &mut fx,
    );
    let snap = st.snapshot(1, Perf::default(), Vec::new());
    assert_eq!(snap.validation.discrepancies.len(), 1);
    // Alpaca trips on a gap; Yahoo agreeing confirms it and it is displayed.
    let mut st = state(&["AAPL"]);
    trade(&mut st, t0(), "AAPL", 1, "100");
    trade(&mut st, t0().plus_millis(500), "AAPL", 2, "125");
    assert_eq!(row(&st, 0).held, Some(d("125")));
    st.apply_yahoo(
        &resp(at, "AAPL", 200, chart("AAPL", "125.4", at, "99")),
        &mut fx,
    );
    let v = row(&st, 0);
    assert_eq!((v.price, v.held), (Some(d("125")), None));
    assert_eq!(v.yahoo.map(|p| p.price), Some(d("125.4")));
}

#[test]
fn non_finite_msgpack_price_counts_under_its_rule_and_is_not_shown() {
    let mut st = state(&["AAPL"]);
    trade(&mut st, t0(), "AAPL", 1, "100");
    let mut fx = Effects::default();
    let issues = [crate::domain::wire::ParseIssue::NonFinite {
        index: 0,
        symbol: Some("AAPL".into()),
        field: "price",
    }];
    st.apply_frame(t0().plus_millis(10), &[], &issues, &mut fx);
    let snap = st.snapshot(1, Perf::default(), Vec::new());
    assert_eq!(snap.validation.by_rule["non_finite"], 1);
    assert_eq!(snap.counters.parse_errors, 0);
    assert_eq!(snap.watchlist[0].price, Some(d("100")));
    let texts: Vec<&str> = fx.events.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        texts,
        ["Validation failed: Non-finite number in price symbol: AAPL"]
    );
}

#[test]
fn previous_close_from_positions_and_daily_bars_checks_the_first_print() {
    use crate::messages::rest::RestUpdate;
    // (case, reference source) → the first print of the day at +30% is held.
    for case in [
        "positions lastday_price",
        "daily bar of yesterday",
        "daily bar of today",
    ] {
        let mut st = state(&["AAPL"]);
        let mut fx = Effects::default();
        match case {
            "positions lastday_price" => {
                let json = r#"[{"symbol":"AAPL","qty":"1","side":"long","avg_entry_price":"90","lastday_price":"100"}]"#;
                let p: Vec<crate::domain::portfolio::BrokerPosition> =
                    serde_json::from_str(json).unwrap();
                st.apply_rest(
                    RestUpdate::Positions {
                        at: t0(),
                        result: Ok(p),
                    },
                    &mut fx,
                );
            }
            _ => {
                let day = if case.ends_with("yesterday") {
                    "2026-11-16T05:00:00Z"
                } else {
                    "2026-11-17T05:00:00Z"
                };
                let f = format!(
                    r#"[{{"T":"d","S":"AAPL","o":99,"h":101,"l":98,"c":100,"v":1000,"t":"{day}","n":10,"vw":100}}]"#
                );
                let p = parse_frame(f.as_bytes(), &ParseLimits::default());
                assert!(p.issues.is_empty(), "{p:?}");
                st.apply_frame(t0(), &p.msgs, &p.issues, &mut fx);
            }
        }
        let prev = row(&st, 0).prev_close;
        assert_eq!(
            prev.is_some(),
            case != "daily bar of today",
            "{case}: {prev:?}"
        );
        trade(&mut st, t0().plus_millis(100), "AAPL", 1, "130");
        let v = row(&st, 0);
        assert_eq!((v.price, v.held), (None, Some(d("130"))), "{case}");
    }
}

/// RUNBOOK-004's commands, run over log lines as tapewatch writes them.
#[test]
fn runbook_004_awk_tallies_reasons_including_breaker_trips() {
    let mut st = state(&["AAPL", "TSLA"]);
    let mut lines = Vec::new();
    let mut fx = Effects::default();
    trade(&mut st, t0(), "TSLA", 1, "100");
    trade(&mut st, t0(), "AAPL", 1, "0");
    let f = r#"[{"T":"t","S":"TSLA","i":2,"x":"V","p":125,"s":5,"c":["@"],"t":"2026-11-17T15:00:05Z","z":"C"}]"#;
    let p = parse_frame(f.as_bytes(), &ParseLimits::default());
    st.apply_frame(t0(), &p.msgs, &p.issues, &mut fx);
    for e in st.snapshot(1, Perf::default(), Vec::new()).events {
        // The fmt layer's shape: time, level, target, message, then the fields.
        let sym = e.symbol.clone().unwrap_or_default();
        lines.push(format!(
            "2026-11-17T15:00:05.000000Z  WARN tapewatch::engine::shell: {} kind=\"{}\" symbol=\"{sym}\"",
            e.message,
            e.kind.as_str()
        ));
    }
    let dir = std::env::temp_dir().join(format!("tw-rb4-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("tapewatch.log");
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    let run = |script: &str| {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(script.replace("LOG", &log.display().to_string()))
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let tally = run(
        r#"cat LOG | grep "Validation failed" | awk -F'Validation failed: ' '{print $2}' | sort | uniq -c | sort -rn"#,
    );
    assert!(tally.contains("Invalid price: 0 symbol: AAPL"), "{tally}");
    assert!(
        tally.contains(
            "Circuit breaker triggered: TSLA price movement 25% exceeds 20% threshold symbol: TSLA"
        ),
        "{tally}"
    );
    let trips = run(r#"cat LOG | grep "Circuit breaker triggered""#);
    assert!(
        trips.contains("Circuit breaker triggered: TSLA price movement 25% exceeds 20% threshold")
    );
    let syms = run(
        r#"cat LOG | grep "Invalid price" | awk -F'symbol: ' '{print $2}' | awk '{print $1}' | sort | uniq"#,
    );
    assert_eq!(syms.trim(), "AAPL");
    let _ = std::fs::remove_dir_all(&dir);
}
