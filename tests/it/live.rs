//! The live Alpaca client over real sockets on 127.0.0.1, against the mock server:
//! handshake, batching, every error code it must survive, liveness and reconnects.
//!
//! # Time
//! Tests run on paused tokio time (`start_paused`) with the default knobs (5 s
//! ping and pong, 10 s handshake, 1 s..30 s backoff, 60 s stable reset), so each
//! backoff is really waited out, in virtual time, in milliseconds of real time. The
//! engine reads [`TokioClock`], so snapshot times move with virtual time too. This
//! is sound over real sockets because the mock runs on the same single-threaded
//! runtime and loopback writes are readable by the peer at once: virtual time only
//! jumps when every task waits on a timer, never ahead of a frame already sent (see
//! the mock's module docs).

use crate::support::clock::TokioClock;
use crate::support::mock_alpaca::{MockAlpaca, MockConfig, Stall};
use std::sync::Arc;
use std::time::Duration;
use tapewatch::app::pipeline::{self, Running, Setup};
use tapewatch::domain::types::{Symbol, Ts};
use tapewatch::domain::wire::ParseLimits;
use tapewatch::engine::snapshot::{Mode, Snapshot};
use tapewatch::messages::command::Outcome;
use tapewatch::messages::Command;
use tapewatch::messages::LinkState;
use tapewatch::messages::Request;
use tapewatch::sources::alpaca::backoff::BackoffPolicy;
use tapewatch::sources::alpaca::protocol::Channels;
use tapewatch::sources::alpaca::stream::{Encoding, StreamConfig};
use tokio::time::Instant;

/// Virtual: longer than any backoff (60 s) plus a breaker hold (120 s).
const WAIT: Duration = Duration::from_secs(200);

/// The knobs the binary uses by default (`alpaca.*` in the config).
fn stream_cfg(url: String, secret: &str, feed: &str, watch: &[&str]) -> StreamConfig {
    StreamConfig {
        url,
        feed: feed.into(),
        key_id: "MOCKKEY".to_string().into(),
        secret_key: secret.to_string().into(),
        channels: Channels::default(),
        watchlist: watch.iter().map(|s| Symbol::new(s)).collect(),
        encoding: Encoding::Json,
        ping_interval: Duration::from_secs(5),
        pong_timeout: Duration::from_secs(5),
        message_timeout: Duration::from_secs(30),
        handshake_timeout: Duration::from_secs(10),
        policy: BackoffPolicy::default(),
        limits: ParseLimits::default(),
    }
}

fn mock_cfg() -> MockConfig {
    MockConfig {
        reap_after: Duration::ZERO,
        ..MockConfig::default()
    }
}

fn start(cfg: StreamConfig, market_open: bool) -> Running {
    start_with(cfg, Setup::new(Mode::Live), market_open)
}

fn start_with(cfg: StreamConfig, setup: Setup, market_open: bool) -> Running {
    pipeline::start_live(
        cfg,
        setup,
        TokioClock::shared(),
        Arc::new(move |_| market_open),
    )
}

/// Waits until a published snapshot satisfies `pred`, or fails the test.
async fn until(r: &mut Running, what: &str, pred: impl Fn(&Snapshot) -> bool) -> Arc<Snapshot> {
    let deadline = Instant::now() + WAIT;
    loop {
        let snap = r.snapshots.borrow_and_update().clone();
        if pred(&snap) {
            return snap;
        }
        match tokio::time::timeout_at(deadline, r.snapshots.changed()).await {
            Ok(Ok(())) => {}
            _ => panic!(
                "timed out waiting for {what}; last alpaca view: {:?}",
                snap.alpaca
            ),
        }
    }
}

fn subscribed(s: &Snapshot) -> bool {
    s.alpaca.state == LinkState::Subscribed
}

fn has_event(s: &Snapshot, text: &str) -> bool {
    s.events.iter().any(|e| e.message.contains(text))
}

fn last_error(s: &Snapshot) -> String {
    s.alpaca.last_error.clone().unwrap_or_default()
}

/// Milliseconds from `from` to `to`, in engine (virtual) time.
fn ms(from: Ts, to: Ts) -> i64 {
    to.millis_since(from)
}

#[tokio::test(start_paused = true)]
async fn handshake_subscribes_the_watchlist_and_streams_batched_data() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL", "MSFT"]),
        true,
    );
    let s = until(&mut r, "subscribed", subscribed).await;
    assert_eq!(s.alpaca.subscribed_symbols, ["AAPL", "MSFT"]);
    let sent = mock.client_messages();
    assert_eq!(sent[0]["action"], "auth");
    assert_eq!(
        sent[1],
        serde_json::json!({"action":"subscribe","trades":["AAPL","MSFT"],"quotes":["AAPL","MSFT"],"bars":["AAPL","MSFT"]})
    );
    mock.push_trades(200, 10);
    let s = until(&mut r, "200 messages", |s| s.counters.messages >= 200).await;
    assert_eq!(s.counters.parse_errors, 0);
    assert!(s.watchlist.iter().all(|v| v.price.is_some()));
    assert!(s.alpaca.last_message_at.is_some());
    r.cancel.cancel();
}

/// The runbook greps the log for these lines; they come from the events, which the
/// engine also writes to the log file (tests/secrets.rs reads one back).
#[tokio::test(start_paused = true)]
async fn connection_milestones_use_the_runbook_log_lines() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        false,
    );
    until(&mut r, "subscribed", subscribed).await;
    // A reconnect that fails once (HTTP 503 on the upgrade), then succeeds.
    mock.refuse_upgrades(Some(503));
    mock.drop_connections();
    until(&mut r, "a failed reconnection", |s| {
        has_event(s, "Reconnection failed:")
    })
    .await;
    mock.refuse_upgrades(None);
    let s = until(&mut r, "back", |s| {
        subscribed(s) && s.alpaca.reconnect_attempts >= 2
    })
    .await;
    for line in [
        "Connecting to Alpaca WebSocket",
        "WebSocket connection established",
        "Successfully connected to Alpaca WebSocket",
        "Alpaca authentication successful",
        "Subscription confirmed",
        "Attempting reconnection (attempt 1/unlimited)",
        "Attempting reconnection (attempt 2/unlimited)",
        "Reconnection failed: HTTP 503 on the WebSocket upgrade; next attempt in",
    ] {
        assert!(
            has_event(&s, line),
            "no event with {line:?}: {:#?}",
            s.events
        );
    }
    r.cancel.cancel();
}

mod control;
mod errors;
mod liveness;
