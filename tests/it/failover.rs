//! End to end over real sockets on 127.0.0.1: the mock Alpaca server dies, the mock
//! Yahoo server takes over through the DataSourceRouter, then the primary returns.
//! Knobs are shortened (1 s activation delay and grace) so the test takes seconds;
//! the default-knob timings are checked on the router's own clock in its table tests.

use crate::support::mock_yahoo;

use crate::support::mock_alpaca::{MockAlpaca, MockConfig};
use mock_yahoo::MockYahoo;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tapewatch::app::pipeline::{self, Running, Setup};
use tapewatch::domain::router::{RouterConfig, RouterState};
use tapewatch::domain::types::Source;
use tapewatch::engine::snapshot::{Mode, Snapshot};
use tapewatch::messages::command::FailoverAction;
use tapewatch::messages::Command;
use tapewatch::messages::LinkState;
use tapewatch::sources::alpaca::stream::StreamConfig;
use tapewatch::sources::yahoo::poller::PollerConfig;

const WAIT: Duration = Duration::from_secs(10);
const SYMBOLS: [&str; 2] = ["AAPL", "MSFT"];

fn stream_cfg(url: String) -> StreamConfig {
    crate::support::stream_cfg::fast(url, &SYMBOLS)
}

fn start(alpaca: &MockAlpaca, yahoo: &MockYahoo) -> Running {
    let mut setup = Setup::new(Mode::Live);
    setup.routing.router = RouterConfig {
        fallback_activation_delay_secs: 1,
        primary_recovery_grace_period_secs: 1,
        ..RouterConfig::default()
    };
    // The mocks' prices are unrelated to each other; keep the price breaker out of it.
    setup.validation.breaker_threshold_pct = 99.into();
    setup.yahoo = Some(PollerConfig {
        base_url: yahoo.base_url(),
        jitter_ms: 0,
        request_timeout_secs: 2,
        ..PollerConfig::default()
    });
    pipeline::start_live(
        stream_cfg(alpaca.url("iex")),
        setup,
        pipeline::system_clock(),
        Arc::new(|_| true),
    )
}

async fn until(r: &mut Running, what: &str, pred: impl Fn(&Snapshot) -> bool) -> Arc<Snapshot> {
    crate::support::wait::until(r, WAIT, what, pred).await
}

fn all_from(s: &Snapshot, src: Source) -> bool {
    s.watchlist
        .iter()
        .all(|v| v.source == Some(src) && v.price.is_some())
}

fn mock_cfg() -> MockConfig {
    MockConfig {
        reap_after: Duration::ZERO,
        ..MockConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alpaca_dies_yahoo_takes_over_then_alpaca_returns() {
    let alpaca = MockAlpaca::start(mock_cfg()).await.unwrap();
    let addr = alpaca.addr();
    let yahoo = MockYahoo::start().await;
    let mut r = start(&alpaca, &yahoo);
    until(&mut r, "subscribed", |s| {
        s.alpaca.state == LinkState::Subscribed
    })
    .await;
    // The standby probe has told us Yahoo is healthy before it is needed.
    until(&mut r, "standby probe", |s| s.yahoo.healthy == Some(true)).await;
    alpaca.push_trades(40, 4);
    let s = until(&mut r, "Alpaca prices", |s| all_from(s, Source::Alpaca)).await;
    assert_eq!(s.router.connection_state, RouterState::PrimaryActive);
    let probes = yahoo.total();

    alpaca.shutdown();
    let died = Instant::now();
    let s = until(&mut r, "Yahoo prices on screen", |s| {
        s.router.connection_state == RouterState::FallbackActive && all_from(s, Source::Yahoo)
    })
    .await;
    let took = died.elapsed();
    // Activation delay (1 s here, 10 s by default) plus a tick and one poll.
    assert!(took < Duration::from_millis(2_500), "took {took:?}");
    // Standby-probe prices show at once (with their age); a fresh poll follows at once.
    assert!(
        yahoo
            .wait_for_total(probes + SYMBOLS.len(), Duration::from_secs(2))
            .await,
        "the fallback polled at once"
    );
    assert_eq!(s.yahoo.polling, "active");
    assert_eq!(s.router.fallback_count, 1);
    let t = s.router.last_transition.as_ref().unwrap();
    assert_eq!(
        (t.from, t.to),
        (RouterState::PrimaryActive, RouterState::FallbackActive)
    );
    assert!(t.reason.starts_with("Alpaca"), "{}", t.reason);

    // The primary comes back on the same address; after the grace period it serves again.
    let back = MockAlpaca::start_on(mock_cfg(), addr).await.unwrap();
    until(&mut r, "recovering", |s| {
        s.router.connection_state == RouterState::PrimaryRecovering
    })
    .await;
    let s = until(&mut r, "failback", |s| {
        s.router.connection_state == RouterState::PrimaryActive
    })
    .await;
    assert_eq!(s.router.fallback_count, 1);
    assert_eq!(s.router.failbacks, 1);
    back.push_trades(40, 4);
    until(&mut r, "Alpaca prices again", |s| {
        all_from(s, Source::Alpaca)
    })
    .await;
    let moves: Vec<String> = s
        .router
        .transitions
        .iter()
        .map(|t| format!("{}→{}", t.from, t.to))
        .collect();
    assert_eq!(
        moves,
        [
            "PRIMARY_ACTIVE→FALLBACK_ACTIVE",
            "FALLBACK_ACTIVE→PRIMARY_RECOVERING",
            "PRIMARY_RECOVERING→PRIMARY_ACTIVE"
        ]
    );
    r.cancel.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_stall_fails_over_after_ping_pong_and_the_delay() {
    let alpaca = MockAlpaca::start(mock_cfg()).await.unwrap();
    let yahoo = MockYahoo::start().await;
    let mut r = start(&alpaca, &yahoo);
    until(&mut r, "subscribed", |s| {
        s.alpaca.state == LinkState::Subscribed
    })
    .await;
    alpaca.go_silent();
    let stalled = Instant::now();
    until(&mut r, "fallback", |s| {
        s.router.connection_state == RouterState::FallbackActive && all_from(s, Source::Yahoo)
    })
    .await;
    let took = stalled.elapsed();
    // Ping 0.3 s + pong 0.3 s + activation 1 s, plus a tick and a poll.
    assert!(took < Duration::from_millis(3_000), "took {took:?}");
    r.cancel.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_down_keeps_last_prices_marked_stale_and_f_forces_yahoo() {
    let alpaca = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut yahoo = MockYahoo::start().await;
    let mut r = start(&alpaca, &yahoo);
    until(&mut r, "subscribed", |s| {
        s.alpaca.state == LinkState::Subscribed
    })
    .await;
    alpaca.push_trades(40, 4);
    until(&mut r, "Alpaca prices", |s| all_from(s, Source::Alpaca)).await;

    // The operator forces the fallback while Alpaca is fine; it stays until returned.
    r.commands
        .send(Command::Failover(FailoverAction::Toggle).into())
        .await
        .unwrap();
    let s = until(&mut r, "manual fallback", |s| {
        s.router.connection_state == RouterState::ManualFallback && all_from(s, Source::Yahoo)
    })
    .await;
    assert!(s.router.manual);
    r.commands
        .send(Command::Failover(FailoverAction::Toggle).into())
        .await
        .unwrap();
    until(&mut r, "back on Alpaca", |s| {
        s.router.connection_state == RouterState::PrimaryActive && all_from(s, Source::Alpaca)
    })
    .await;

    // Both die: the last prices stay, marked stale, never fresh.
    yahoo.shutdown().await;
    alpaca.shutdown();
    let s = until(&mut r, "both unavailable", |s| {
        s.router.connection_state == RouterState::BothUnavailable
    })
    .await;
    assert_eq!(s.router.current_data_source, "None");
    assert!(
        s.watchlist.iter().all(|v| v.price.is_some() && v.stale),
        "{:?}",
        s.watchlist
    );
    r.cancel.cancel();
}

/// A Yahoo body nested 100,000 levels deep is one failed answer with its reason, not
/// a crash; the next good answer serves prices.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_yahoo_body_nested_100k_deep_is_one_failure_and_polling_goes_on() {
    let alpaca = MockAlpaca::start(mock_cfg()).await.unwrap();
    let yahoo = MockYahoo::start().await;
    yahoo.set_mode(mock_yahoo::Mode::Nested(100_000));
    let mut r = start(&alpaca, &yahoo);
    let s = until(&mut r, "the nested standby answers", |s| {
        s.yahoo.failures >= SYMBOLS.len() as u64
    })
    .await;
    let err = s.yahoo.last_error.clone().unwrap_or_default();
    assert!(err.contains("nested deeper than 32 levels"), "{err}");
    yahoo.set_mode(mock_yahoo::Mode::Normal);
    alpaca.shutdown();
    until(&mut r, "Yahoo prices after the nested answers", |s| {
        s.router.connection_state == RouterState::FallbackActive && all_from(s, Source::Yahoo)
    })
    .await;
    r.cancel.cancel();
}
