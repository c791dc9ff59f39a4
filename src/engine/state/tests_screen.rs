//! What the screen relies on from the engine state: symbols with positions stay
//! watched (removing one is refused with the reason, and a position's symbol joins
//! the watchlist), a symbol added back keeps its previous close and bars, trades and
//! Alpaca's bars fill the chart's ring, and a backfill lands in it.

use super::tests_yahoo::{chart, d, resp, state, t0, trade};
use super::*;
use crate::domain::bars::{minute_of, BarSource, MinuteBar};
use crate::domain::portfolio::{Lot, PortfolioConfig};
use crate::messages::rest::BarsBackfill;

fn lot(sym: &str, qty: &str) -> Lot {
    Lot {
        symbol: sym.into(),
        qty: d(qty),
        cost_per_share: d("100"),
        fees: rust_decimal::Decimal::ZERO,
    }
}

fn row<'a>(s: &'a Snapshot, sym: &str) -> &'a SymbolView {
    s.watchlist.iter().find(|v| v.symbol == sym).unwrap()
}

fn snap(st: &EngineState) -> Snapshot {
    st.snapshot(1, Perf::default(), Vec::new())
}

#[test]
fn a_held_symbol_cannot_be_removed_and_says_why() {
    let mut st = state(&["AAPL", "MSFT"]);
    let _ = st.set_lots(vec![lot("AAPL", "150")], PortfolioConfig::default());
    let mut fx = Effects::default();
    let reply = st.watchlist_command(&[], &["AAPL".into()], &mut fx);
    assert!(!reply.is_ok());
    assert_eq!(
        reply.message,
        "Watchlist change refused: AAPL has a position (150 shares); a symbol with a position is always watched, so its P&L stays priced"
    );
    assert_eq!(
        st.watched_symbols(),
        vec![Symbol::from("AAPL"), Symbol::from("MSFT")]
    );
    // A symbol without a position goes as before.
    let reply = st.watchlist_command(&[], &["MSFT".into()], &mut fx);
    assert!(reply.is_ok(), "{}", reply.message);
}

#[test]
fn a_position_outside_the_watchlist_is_watched() {
    let mut st = state(&["MSFT"]);
    let fx = st.set_lots(
        vec![lot("NVDA", "10"), lot("MSFT", "1")],
        PortfolioConfig::default(),
    );
    assert_eq!(
        st.watched_symbols(),
        vec![Symbol::from("MSFT"), Symbol::from("NVDA")]
    );
    assert_eq!(
        fx.watchlist,
        Some(vec![Symbol::from("MSFT"), Symbol::from("NVDA")]),
        "a live stream is told to subscribe it"
    );
    assert_eq!(fx.backfill, vec![Symbol::from("NVDA")]);
    assert!(fx
        .events
        .iter()
        .any(|e| e.message.contains("Watching NVDA")));
}

#[test]
fn a_symbol_added_back_keeps_its_previous_close_and_bars() {
    let mut st = state(&["AAPL", "NFLX"]);
    let at = t0().plus_millis(1_000);
    st.apply_yahoo(
        &resp(at, "NFLX", 200, chart("NFLX", "880.00", at, "870.00")),
        &mut Effects::default(),
    );
    trade(&mut st, at.plus_millis(10), "NFLX", 1, "881.00");
    let before = snap(&st);
    assert_eq!(row(&before, "NFLX").prev_close, Some(d("870.00")));
    assert_eq!(row(&before, "NFLX").bars.len(), 1);
    let mut fx = Effects::default();
    assert!(st.watchlist_command(&[], &["NFLX".into()], &mut fx).is_ok());
    assert!(st.watchlist_command(&["NFLX".into()], &[], &mut fx).is_ok());
    let after = snap(&st);
    let v = row(&after, "NFLX");
    assert_eq!(v.price, None, "no price until a new one arrives");
    assert_eq!(
        v.prev_close,
        Some(d("870.00")),
        "Chg can show with the first price"
    );
    assert_eq!(v.bars.len(), 1);
    trade(&mut st, at.plus_millis(2_000), "NFLX", 2, "882.00");
    let v = row(&snap(&st), "NFLX").clone();
    assert_eq!(v.change(), Some(d("12.00")));
}

#[test]
fn trades_and_alpaca_bars_fill_the_ring_and_a_backfill_lands_in_it() {
    let mut st = state(&["AAPL"]);
    let at = t0();
    trade(&mut st, at, "AAPL", 1, "228.10");
    trade(&mut st, at.plus_millis(500), "AAPL", 2, "228.30");
    let s = snap(&st);
    let b = row(&s, "AAPL").bars.forming().copied().unwrap();
    assert_eq!(
        (b.open, b.high, b.close, b.volume),
        (d("228.10"), d("228.30"), d("228.30"), 10)
    );
    assert_eq!(b.source, BarSource::Trades);
    // Earlier minutes from the backfill.
    let m = minute_of(at).unwrap();
    let older = |k: i32, c: &str| MinuteBar {
        open: d(c),
        high: d(c),
        low: d(c),
        close: d(c),
        volume: 100,
        minute: m - k,
        source: BarSource::Alpaca,
    };
    let mut fx = Effects::default();
    st.apply_backfill(
        BarsBackfill {
            at: at.plus_millis(600),
            symbol: "AAPL".into(),
            result: Ok(vec![older(2, "227.50"), older(1, "227.90")]),
        },
        &mut fx,
    );
    assert_eq!(row(&snap(&st), "AAPL").bars.len(), 3);
    assert!(fx.events[0]
        .message
        .contains("Backfilled 2 one-minute bars"));
    st.apply_backfill(
        BarsBackfill {
            at: at.plus_millis(700),
            symbol: "AAPL".into(),
            result: Err("/v2/stocks/AAPL/bars: HTTP 403".into()),
        },
        &mut fx,
    );
    assert!(fx.events.last().unwrap().message.contains("HTTP 403"));
}
