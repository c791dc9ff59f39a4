//! Driven scenarios for the UI tests: a real [`Router`], upstream [`Breaker`]s, a
//! [`Validator`] and latency windows are fed inputs at fixed times and their views go
//! into the snapshot, so the pictures show what the engine would publish.

use super::testutil::{sample_now, sample_snapshot};
use crate::domain::breaker::{Breaker, Outcome};
use crate::domain::router::{Router, RouterInput};
use crate::domain::stats::WindowedLatency;
use crate::domain::types::{Source, Symbol, Ts};
use crate::domain::validate::Validator;
use crate::domain::wire::{Quote, Trade};
use crate::engine::snapshot::{LatencyPanel, Mode, PricePoint, Snapshot, YahooView};
use crate::messages::LinkState;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn secs(s: i64) -> Ts {
    sample_now().plus_millis(s * 1_000)
}

fn down(reason: &str) -> RouterInput {
    RouterInput::PrimaryDown {
        reason: reason.into(),
    }
}

/// Timers only: with the market closed, silence between these scripted inputs is not
/// taken for an Alpaca timeout.
fn tick() -> RouterInput {
    RouterInput::Tick { market_open: false }
}

/// Alpaca dropped ten minutes ago, came back briefly, dropped again: Yahoo serves.
fn router_in_fallback() -> Router {
    let mut r = Router::new(Default::default(), secs(-900));
    r.handle(secs(-600), down("connection closed"));
    r.handle(secs(-590), tick());
    r.handle(secs(-588), RouterInput::FallbackHealthy);
    r.handle(secs(-300), RouterInput::PrimaryUp);
    r.handle(secs(-296), down("ping timeout"));
    r.handle(
        secs(-30),
        RouterInput::PrimaryFailure {
            consecutive: 2,
            reason: "connection refused".into(),
        },
    );
    r
}

fn breaker(name: &'static str, outcomes: &[(i64, Outcome)]) -> Breaker {
    let mut b = Breaker::new(name, Default::default(), secs(-900));
    for (at, o) in outcomes {
        b.try_acquire(secs(*at));
        b.record(secs(*at), *o);
    }
    b
}

/// Alpaca feed latency around 2-4 ms for 12 minutes (with one bad minute), stopping
/// `alpaca_quiet_secs` before now; Yahoo's own timestamps lag by seconds.
fn latency(now: Ts, alpaca_quiet_secs: i64) -> LatencyPanel {
    let mut a = WindowedLatency::new();
    let mut y = WindowedLatency::new();
    for s in (-720..-alpaca_quiet_secs).step_by(5) {
        let minute = (s + 720) / 60;
        let base = if minute == 7 {
            9_000
        } else {
            1_800 + 400 * (minute as u64 % 4)
        };
        a.record_n(secs(s), base, 40);
        a.record_n(secs(s), base * 3, 2);
        if s % 60 == 0 {
            a.record_n(secs(s), base * 9, 1);
        }
    }
    for s in (-590..0).step_by(15) {
        y.record_n(secs(s), 900_000 + (s.unsigned_abs() % 7) * 100_000, 12);
    }
    LatencyPanel {
        alpaca_feed_us: a.view(now),
        yahoo_feed_us: y.view(now),
        future_stamped: 0,
    }
}

/// Live, Alpaca down and retrying, Yahoo serving every price: the DELAYED DATA picture.
pub fn fallback_snapshot() -> Snapshot {
    let mut snap = sample_snapshot();
    let now = snap.now;
    snap.mode = Mode::Live;
    snap.router = router_in_fallback().view(now);
    snap.alpaca.state = LinkState::Disconnected;
    snap.alpaca.last_error = Some("connection refused".into());
    snap.alpaca.consecutive_failures = 2;
    snap.alpaca.reconnect_attempts = 5;
    snap.alpaca.next_retry_at = Some(now.plus_millis(6_200));
    snap.alpaca.state_since = Some(secs(-296));
    snap.alpaca.last_message_at = Some(secs(-296));
    snap.yahoo = YahooView {
        healthy: Some(true),
        polling: "active".into(),
        last_ok_at: Some(secs(-2)),
        last_error: None,
        consecutive_failures: 0,
        responses: 240,
        failures: 1,
        refused: 0,
        not_found: Vec::new(),
    };
    for (i, v) in snap.watchlist.iter_mut().enumerate() {
        let Some(p) = v.price else { continue };
        let age_ms = 2_000 + 1_000 * i64::try_from(i).unwrap();
        v.alpaca = Some(PricePoint {
            price: p - d("0.05"),
            as_of: secs(-296),
        });
        v.yahoo = Some(PricePoint {
            price: p,
            as_of: now.plus_millis(-age_ms),
        });
        v.source = Some(Source::Yahoo);
        v.as_of = Some(now.plus_millis(-age_ms));
    }
    snap.breakers[0] = breaker("yahoo_http", &[(-60, Outcome::Success); 10]).view(now);
    snap.breakers[1] = breaker(
        "alpaca_stream",
        &[(-296, Outcome::Failure), (-30, Outcome::Failure)],
    )
    .view(now);
    snap.latency = latency(now, 296);
    snap
}

/// Yahoo failed too: nothing serves, every price on screen is the last known one.
pub fn both_unavailable_snapshot() -> Snapshot {
    let mut snap = fallback_snapshot();
    let now = snap.now;
    let mut r = router_in_fallback();
    r.handle(
        secs(-45),
        RouterInput::FallbackUnhealthy {
            reason: "HTTP 503 Service Unavailable".into(),
        },
    );
    snap.router = r.view(now);
    snap.yahoo.healthy = Some(false);
    snap.yahoo.last_ok_at = Some(secs(-50));
    snap.yahoo.last_error = Some("HTTP 503 Service Unavailable".into());
    snap.yahoo.consecutive_failures = 5;
    snap.yahoo.failures = 6;
    let yahoo_fails: Vec<(i64, Outcome)> =
        (0..5).map(|i| (-70 + 5 * i, Outcome::Failure)).collect();
    snap.breakers[0] = breaker("yahoo_http", &yahoo_fails).view(now);
    for v in snap.watchlist.iter_mut().filter(|v| v.price.is_some()) {
        v.stale = true;
        v.as_of = Some(secs(-50));
        if let Some(y) = v.yahoo.as_mut() {
            y.as_of = secs(-50);
        }
    }
    snap
}

/// A validator over the sample watchlist, fed the trades and quotes behind the Health
/// page: TSLA's breaker tripped by a +24.9% print (held, two prints so far), AAPL's two
/// sources disagreeing by 5%, and a few rejections.
fn validator(snap: &Snapshot) -> Validator {
    let symbols: Vec<Symbol> = snap.watchlist.iter().map(|v| v.symbol.clone()).collect();
    let idx = |s: &str| symbols.iter().position(|x| x == s);
    let mut v = Validator::new(Default::default(), &symbols);
    let mut out = Vec::new();
    let trade = |sym: &str, price: &str, at: Ts| Trade {
        symbol: sym.into(),
        id: 0,
        exchange: "V".into(),
        price: d(price),
        size: 100,
        conditions: "@".into(),
        ts: at,
        tape: "C".into(),
    };
    let tsla = idx("TSLA");
    v.set_reference(tsla.unwrap(), d("162.50"));
    let crossed = Quote {
        symbol: "MSFT".into(),
        bid_exchange: "V".into(),
        bid_price: d("416.60"),
        bid_size: 3,
        ask_exchange: "V".into(),
        ask_price: d("416.40"),
        ask_size: 2,
        conditions: "R".into(),
        ts: secs(-20),
        tape: "C".into(),
    };
    // In time order, as the engine would see them.
    for (sym, price, at) in [
        ("AAPL", "171.40", -60),
        ("MSFT", "416.42", -50),
        ("TSLA", "163.57", -40),
    ] {
        v.check_trade(secs(at), idx(sym), &trade(sym, price, secs(at)), &mut out);
    }
    v.check_quote(secs(-20), idx("MSFT"), &crossed, &mut out);
    for (sym, price, at) in [
        ("TSLA", "203.00", -12),
        ("AAPL", "171.48", -10),
        ("AMD", "0", -9),
    ] {
        v.check_trade(secs(at), idx(sym), &trade(sym, price, secs(at)), &mut out);
    }
    v.observe_other_source(
        secs(-8),
        idx("AAPL").unwrap(),
        d("181.00"),
        secs(-9),
        &mut out,
    );
    let at = secs(-5);
    v.check_trade(at, tsla, &trade("TSLA", "203.10", at), &mut out);
    v
}

/// Alpaca streaming, TSLA's newest print held by its price breaker.
pub fn held_snapshot() -> Snapshot {
    let mut snap = sample_snapshot();
    let now = snap.now;
    snap.mode = Mode::Live;
    snap.validation = validator(&snap).view(now);
    if let Some(v) = snap.watchlist.iter_mut().find(|v| v.symbol == "TSLA") {
        v.held = Some(d("203.10"));
    }
    snap.latency = latency(now, 0);
    snap
}

/// Alpaca back and proving itself (back to Alpaca in 4 s) after two failovers, the
/// Alpaca REST breaker OPEN with its probe in 12 s, TSLA tripped, AAPL discrepant.
pub fn health_snapshot() -> Snapshot {
    let mut snap = held_snapshot();
    let now = snap.now;
    let mut r = Router::new(Default::default(), secs(-1_800));
    r.handle(secs(-1_200), down("connection closed"));
    r.handle(secs(-1_190), tick());
    r.handle(secs(-1_100), RouterInput::FallbackHealthy);
    r.handle(secs(-900), RouterInput::PrimaryUp);
    r.handle(secs(-890), tick());
    r.handle(
        secs(-400),
        RouterInput::PrimaryFailure {
            consecutive: 3,
            reason: "connection refused".into(),
        },
    );
    r.handle(secs(-16), RouterInput::PrimaryUp);
    snap.router = r.view(now);
    snap.alpaca.state_since = Some(secs(-16));
    snap.alpaca.reconnect_attempts = 4;
    snap.alpaca.subscribed_symbols = snap.watchlist.iter().map(|v| v.symbol.clone()).collect();
    snap.yahoo = YahooView {
        healthy: Some(true),
        polling: "active".into(),
        last_ok_at: Some(secs(-3)),
        last_error: None,
        consecutive_failures: 0,
        responses: 1_312,
        failures: 2,
        refused: 0,
        not_found: vec![Symbol::new("BRK.B")],
    };
    snap.breakers = vec![
        breaker("yahoo_http", &[(-60, Outcome::Success); 10]).view(now),
        breaker(
            "alpaca_stream",
            &[
                (-1_200, Outcome::Failure),
                (-400, Outcome::Failure),
                (-16, Outcome::Success),
            ],
        )
        .view(now),
        breaker("alpaca_rest", &[(-18, Outcome::Failure); 5]).view(now),
    ];
    snap
}
