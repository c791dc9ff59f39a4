//! The timing targets, MEASURED with the default knobs (ping 5 s, pong 5 s,
//! message timeout 30 s, fallback activation delay 10 s, reconnect base 1 s) over
//! real 127.0.0.1 sockets against the mock Alpaca and mock Yahoo servers, on tokio's
//! paused clock: the runtime jumps to the next timer whenever every task is idle,
//! so 20 virtual seconds take milliseconds, and the engine reads the same clock
//! (a [`Clock`] on tokio's `Instant`), so stamps and timers agree.
//!
//! * a hard close with no reconnect: Yahoo prices on screen within 11 s;
//! * a silent stall (socket open, no data, pings unanswered): within 21 s;
//! * and, on the same clock, that without a fallback Alpaca's loss is BOTH_UNAVAILABLE.
//!
//! "On screen" is the published snapshot: every watchlist row priced, from Yahoo.

use crate::support::mock_yahoo;

use crate::support::mock_alpaca::{MockAlpaca, MockConfig};
use mock_yahoo::MockYahoo;
use std::sync::Arc;
use std::time::Duration;
use tapewatch::app::pipeline::{self, Running, Setup};
use tapewatch::domain::clock::{Clock, SystemClock};
use tapewatch::domain::router::RouterState;
use tapewatch::domain::types::{Source, Ts};
use tapewatch::engine::snapshot::{Mode, Snapshot};
use tapewatch::messages::LinkState;
use tapewatch::sources::alpaca::stream::StreamConfig;
use tapewatch::sources::yahoo::poller::PollerConfig;
use tokio::time::Instant;

const SYMBOLS: [&str; 2] = ["AAPL", "MSFT"];
/// Virtual time; a failure to get there is a bug, not a slow machine.
const WAIT: Duration = Duration::from_secs(120);

/// Engine time on tokio's (paused) clock, starting at the wall clock's now.
struct TokioClock {
    base: Ts,
    start: Instant,
}

impl Clock for TokioClock {
    fn now(&self) -> Ts {
        let ms = i64::try_from(self.start.elapsed().as_millis()).unwrap_or(i64::MAX);
        self.base.plus_millis(ms)
    }
}

/// The app's defaults (`[alpaca]` ping 5 s, pong 5 s, message timeout 30 s,
/// reconnect base 1000 ms); only the URL and keys are the mock's.
fn default_stream_cfg(url: String) -> StreamConfig {
    crate::support::stream_cfg::defaults(url, &SYMBOLS)
}

fn start(alpaca: &MockAlpaca, yahoo: &MockYahoo) -> Running {
    // Default router, breaker and poller knobs.
    let mut setup = Setup::new(Mode::Live);
    // The mocks' prices are unrelated to each other; keep the price breaker out of it.
    setup.validation.breaker_threshold_pct = 99.into();
    setup.yahoo = Some(PollerConfig {
        base_url: yahoo.base_url(),
        ..PollerConfig::default()
    });
    let clock = Arc::new(TokioClock {
        base: SystemClock.now(),
        start: Instant::now(),
    });
    pipeline::start_live(
        default_stream_cfg(alpaca.url("iex")),
        setup,
        clock,
        Arc::new(|_| true),
    )
}

async fn until(r: &mut Running, what: &str, pred: impl Fn(&Snapshot) -> bool) -> Arc<Snapshot> {
    crate::support::wait::until(r, WAIT, what, pred).await
}

fn all_from(s: &Snapshot, src: Source) -> bool {
    s.watchlist
        .iter()
        .all(|v| v.source == Some(src) && v.price.is_some() && !v.stale)
}

async fn primary_streaming(alpaca: &MockAlpaca, r: &mut Running) {
    until(r, "subscribed", |s| s.alpaca.state == LinkState::Subscribed).await;
    until(r, "standby probe", |s| s.yahoo.healthy == Some(true)).await;
    alpaca.push_trades(20, 2);
    let s = until(r, "Alpaca prices", |s| all_from(s, Source::Alpaca)).await;
    assert_eq!(s.router.connection_state, RouterState::PrimaryActive);
}

fn mock_cfg() -> MockConfig {
    MockConfig {
        reap_after: Duration::ZERO,
        ..MockConfig::default()
    }
}

#[tokio::test(start_paused = true)]
async fn hard_close_puts_yahoo_prices_on_screen_within_11_s() {
    let alpaca = MockAlpaca::start(mock_cfg()).await.unwrap();
    let yahoo = MockYahoo::start().await;
    let mut r = start(&alpaca, &yahoo);
    primary_streaming(&alpaca, &mut r).await;
    alpaca.shutdown();
    let closed = Instant::now();
    let s = until(&mut r, "Yahoo prices on screen", |s| {
        all_from(s, Source::Yahoo)
    })
    .await;
    let took = closed.elapsed();
    eprintln!("hard close → Yahoo prices on screen: {took:?} (virtual)");
    assert!(took <= Duration::from_secs(11), "took {took:?}");
    assert_eq!(s.router.connection_state, RouterState::FallbackActive);
    assert_ne!(
        s.alpaca.state,
        LinkState::Subscribed,
        "no reconnect happened"
    );
    r.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn silent_stall_puts_yahoo_prices_on_screen_within_21_s() {
    let alpaca = MockAlpaca::start(mock_cfg()).await.unwrap();
    let yahoo = MockYahoo::start().await;
    let mut r = start(&alpaca, &yahoo);
    primary_streaming(&alpaca, &mut r).await;
    alpaca.go_silent();
    let stalled = Instant::now();
    let s = until(&mut r, "Yahoo prices on screen", |s| {
        all_from(s, Source::Yahoo)
    })
    .await;
    let took = stalled.elapsed();
    eprintln!("silent stall → Yahoo prices on screen: {took:?} (virtual)");
    if std::env::var_os("TIMING_TRACE").is_some() {
        let t_stall = s.now.plus_millis(-(took.as_millis() as i64));
        for e in &s.events {
            eprintln!("{:>8} ms {}", e.at.millis_since(t_stall), e.message);
        }
    }
    assert!(took <= Duration::from_secs(21), "took {took:?}");
    // Ping, pong and the activation delay must all have run: not before 10 s + 5 s.
    assert!(
        took >= Duration::from_secs(15),
        "failed over early: {took:?}"
    );
    assert_eq!(s.router.connection_state, RouterState::FallbackActive);
    r.cancel.cancel();
}

/// With no usable fallback (here: Yahoo not configured), losing Alpaca is losing
/// everything: BOTH_UNAVAILABLE at once, never a FALLBACK_ACTIVE with no data;
/// /health Unhealthy and the last prices marked stale.
#[tokio::test(start_paused = true)]
async fn without_a_fallback_losing_alpaca_is_both_unavailable() {
    let alpaca = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut setup = Setup::new(Mode::Live);
    setup.yahoo = None;
    let clock = Arc::new(TokioClock {
        base: SystemClock.now(),
        start: Instant::now(),
    });
    let mut r = pipeline::start_live(
        default_stream_cfg(alpaca.url("iex")),
        setup,
        clock,
        Arc::new(|_| true),
    );
    until(&mut r, "subscribed", |s| {
        s.alpaca.state == LinkState::Subscribed
    })
    .await;
    assert_eq!(r.snapshots.borrow().yahoo.healthy, Some(false));
    alpaca.push_trades(20, 2);
    until(&mut r, "Alpaca prices", |s| all_from(s, Source::Alpaca)).await;
    alpaca.shutdown();
    let s = until(&mut r, "both unavailable", |s| {
        s.router.connection_state == RouterState::BothUnavailable
    })
    .await;
    assert!(s
        .router
        .transitions
        .iter()
        .all(|t| t.to != RouterState::FallbackActive));
    assert!(s.watchlist.iter().all(|v| v.price.is_some() && v.stale));
    assert_eq!(
        tapewatch::outputs::api::health_of(&s).status,
        tapewatch::outputs::api::HealthStatus::Unhealthy
    );
    assert_eq!(s.yahoo.polling, "off");
    r.cancel.cancel();
}
