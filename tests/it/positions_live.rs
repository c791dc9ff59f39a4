//! Positions end to end over real sockets on 127.0.0.1: the mock Alpaca stream and
//! the mock Trading API feed one engine; the broker's positions win, are marked to the
//! routed price and reconciled; a 429 opens the `alpaca_rest` breaker, which holds the
//! poller back.

use crate::support::mock_trading;

use crate::support::mock_alpaca::{MockAlpaca, MockConfig};
use mock_trading::{MockTrading, Mode as TradingMode, KEY_ID, SECRET_KEY};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;
use tapewatch::app::pipeline::{self, Running, Setup};
use tapewatch::domain::breaker::BreakerState;
use tapewatch::domain::portfolio::PositionsSource;
use tapewatch::engine::snapshot::{Mode, Snapshot};
use tapewatch::sources::alpaca::rest::RestConfig;
use tapewatch::sources::alpaca::stream::StreamConfig;

const WAIT: Duration = Duration::from_secs(10);

fn stream_cfg(url: String) -> StreamConfig {
    crate::support::stream_cfg::fast(url, &["AAPL", "TSLA"])
}

fn start(alpaca: &MockAlpaca, trading: &MockTrading) -> Running {
    let mut setup = Setup::new(Mode::Live);
    setup.validation.breaker_threshold_pct = 99.into();
    let mut rest = RestConfig::new(SecretString::from(KEY_ID), SecretString::from(SECRET_KEY));
    rest.base_url = trading.base_url();
    // The condition lists on a loopback port nobody listens on: refused at once, so
    // they never count among the Trading API requests these tests measure.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    rest.data_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    rest.poll_interval_secs = 1;
    setup.rest = Some(rest);
    pipeline::start_live(
        stream_cfg(alpaca.url("iex")),
        setup,
        pipeline::system_clock(),
        Arc::new(|_| true),
    )
}

async fn until(r: &mut Running, what: &str, pred: impl Fn(&Snapshot) -> bool) -> Arc<Snapshot> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let snap = r.snapshots.borrow_and_update().clone();
        if pred(&snap) {
            return snap;
        }
        if tokio::time::timeout_at(deadline, r.snapshots.changed())
            .await
            .is_err()
        {
            panic!("timed out waiting for {what}; rest {:?}", snap.rest);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_positions_are_marked_to_the_routed_price_and_reconciled() {
    let alpaca = MockAlpaca::start(MockConfig {
        reap_after: Duration::ZERO,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let trading = MockTrading::start().await;
    let mut r = start(&alpaca, &trading);
    let s = until(&mut r, "account and positions", |s| {
        s.account.is_some() && s.portfolio.source == PositionsSource::Broker
    })
    .await;
    assert!(s.rest.enabled);
    assert_eq!(s.account.as_ref().unwrap().equity.to_string(), "103820.56");
    let syms: Vec<&str> = s
        .portfolio
        .positions
        .iter()
        .map(|p| p.symbol.as_str())
        .collect();
    assert_eq!(syms, ["AAPL", "TSLA"]);
    // Once Alpaca trades arrive, positions are marked to them, not to the broker's
    // current_price, and the difference from the broker's own figures is shown.
    until(&mut r, "subscribed", |s| {
        !s.alpaca.subscribed_symbols.is_empty()
    })
    .await;
    alpaca.push_trades(20, 2);
    let s = until(&mut r, "marked to Alpaca", |s| {
        s.portfolio
            .positions
            .iter()
            .all(|p| format!("{:?}", p.last_source).contains("Alpaca"))
    })
    .await;
    let aapl = &s.portfolio.positions[0];
    assert!(aapl.reconciliation.is_some(), "{aapl:?}");
    // The secret never reaches the snapshot.
    let json = serde_json::to_string(&*s).unwrap();
    assert!(!json.contains(SECRET_KEY));
    r.cancel.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_opens_the_rest_breaker_and_holds_the_poller() {
    let alpaca = MockAlpaca::start(MockConfig {
        reap_after: Duration::ZERO,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let trading = MockTrading::start().await;
    trading.set_mode(TradingMode::TooManyRequests(Some(30)));
    let mut r = start(&alpaca, &trading);
    let s = until(&mut r, "rest breaker open", |s| {
        s.breakers
            .iter()
            .any(|b| b.name == "alpaca_rest" && b.state == BreakerState::Open)
    })
    .await;
    assert!(
        s.rest.last_error.as_deref().unwrap_or("").contains("429"),
        "{:?}",
        s.rest
    );
    let seen = trading.total();
    // Polling every second, yet nothing goes out while the breaker holds.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(
        trading.total(),
        seen,
        "requests sent while the breaker was open"
    );
    r.cancel.cancel();
}
