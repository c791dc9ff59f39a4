//! The live Alpaca client over real sockets on 127.0.0.1, against the mock server:
//! handshake, batching, every error code it must survive, liveness and reconnects.

mod support;

use std::sync::Arc;
use std::time::Duration;
use support::mock_alpaca::{MockAlpaca, MockConfig};
use tapewatch::alpaca::backoff::BackoffPolicy;
use tapewatch::alpaca::protocol::Channels;
use tapewatch::alpaca::stream::{Encoding, StreamConfig};
use tapewatch::engine::snapshot::{LinkState, Mode, Snapshot};
use tapewatch::engine::Command;
use tapewatch::pipeline::{self, Running, Setup};
use tapewatch::types::Symbol;
use tapewatch::wire::ParseLimits;

const WAIT: Duration = Duration::from_secs(10);

fn stream_cfg(url: String, secret: &str, feed: &str, watch: &[&str]) -> StreamConfig {
    StreamConfig {
        url,
        feed: feed.into(),
        key_id: "MOCKKEY".to_string().into(),
        secret_key: secret.to_string().into(),
        channels: Channels::default(),
        watchlist: watch.iter().map(|s| Symbol::new(s)).collect(),
        encoding: Encoding::Json,
        ping_interval: Duration::from_millis(300),
        pong_timeout: Duration::from_millis(300),
        message_timeout: Duration::from_secs(30),
        handshake_timeout: Duration::from_secs(5),
        policy: BackoffPolicy {
            base_delay_ms: 50,
            max_delay_ms: 400,
            ..BackoffPolicy::default()
        },
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
    pipeline::start_live(
        cfg,
        Setup::new(Mode::Live),
        pipeline::system_clock(),
        Arc::new(move |_| market_open),
    )
}

/// Waits until a published snapshot satisfies `pred`, or fails the test.
async fn until(r: &mut Running, what: &str, pred: impl Fn(&Snapshot) -> bool) -> Arc<Snapshot> {
    let deadline = tokio::time::Instant::now() + WAIT;
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

#[tokio::test]
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

#[tokio::test]
async fn auth_failure_402_is_fatal_until_a_manual_reconnect() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut r = start(stream_cfg(mock.url("iex"), "WRONG", "iex", &["AAPL"]), true);
    let s = until(&mut r, "fatal stop", |s| s.alpaca.fatal.is_some()).await;
    assert_eq!(s.alpaca.state, LinkState::Disconnected);
    assert!(
        s.alpaca
            .last_error
            .as_deref()
            .unwrap()
            .contains("402 auth failed"),
        "{:?}",
        s.alpaca
    );
    assert_eq!(s.alpaca.next_retry_at, None);
    // No retry loop: still one connection after well past the backoff.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(mock.connections_accepted(), 1);
    r.commands.send(Command::ReconnectAlpaca).await.unwrap();
    assert!(mock.wait_for(WAIT, |m| m.connections_accepted() == 2).await);
    r.cancel.cancel();
}

#[tokio::test]
async fn connection_limit_406_backs_off_at_least_30_s_and_says_why() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut first = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        true,
    );
    until(&mut first, "first subscribed", subscribed).await;
    let mut second = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        true,
    );
    let s = until(&mut second, "406 backoff", |s| {
        s.alpaca.next_retry_at.is_some()
    })
    .await;
    let wait_ms = s.alpaca.next_retry_at.unwrap().millis_since(s.now);
    assert!(wait_ms >= 29_000, "retry in {wait_ms} ms");
    let err = s.alpaca.last_error.clone().unwrap();
    assert!(err.contains("406") && err.contains("90 s"), "{err}");
    first.cancel.cancel();
    second.cancel.cancel();
}

#[tokio::test]
async fn symbol_limit_405_keeps_the_connection_and_names_what_was_refused() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let many: Vec<String> = (0..31).map(|i| format!("S{i:02}")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &refs),
        true,
    );
    let s = until(&mut r, "405 reported", |s| {
        s.alpaca
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("405"))
    })
    .await;
    let err = s.alpaca.last_error.clone().unwrap();
    assert!(err.contains("S30") && err.contains("refused"), "{err}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(mock.connections_accepted(), 1, "the connection stays up");
    assert_eq!(mock.live_sessions(), 1);
    r.cancel.cancel();
}

#[tokio::test]
async fn insufficient_subscription_409_is_fatal() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut r = start(
        stream_cfg(mock.url("sip"), "MOCKSECRET", "sip", &["AAPL"]),
        true,
    );
    let s = until(&mut r, "fatal 409", |s| s.alpaca.fatal.is_some()).await;
    assert!(
        s.alpaca.last_error.as_deref().unwrap().contains("409"),
        "{:?}",
        s.alpaca
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(mock.connections_accepted(), 1);
    r.cancel.cancel();
}

#[tokio::test]
async fn slow_client_407_then_drop_reconnects_and_resubscribes() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        true,
    );
    until(&mut r, "subscribed", subscribed).await;
    mock.slow_client();
    let s = until(&mut r, "resubscribed", |s| {
        subscribed(s) && s.alpaca.reconnect_attempts >= 1
    })
    .await;
    assert!(
        s.events.iter().any(|e| e.message.contains("407")),
        "{:?}",
        s.events
    );
    assert_eq!(mock.connections_accepted(), 2);
    assert_eq!(
        mock.subscription_of_last_session().unwrap().trades,
        ["AAPL"]
    );
    r.cancel.cancel();
}

#[tokio::test]
async fn http_429_on_the_upgrade_backs_off_a_minute() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    mock.refuse_upgrades(Some(429));
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        true,
    );
    let s = until(&mut r, "429 backoff", |s| s.alpaca.next_retry_at.is_some()).await;
    assert!(s.alpaca.next_retry_at.unwrap().millis_since(s.now) >= 59_000);
    assert!(s.alpaca.last_error.as_deref().unwrap().contains("429"));
    r.cancel.cancel();
}

#[tokio::test]
async fn http_401_on_the_upgrade_is_a_configuration_error() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    mock.refuse_upgrades(Some(401));
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        true,
    );
    let s = until(&mut r, "fatal", |s| s.alpaca.fatal.is_some()).await;
    assert!(
        s.alpaca.last_error.as_deref().unwrap().contains("HTTP 401"),
        "{:?}",
        s.alpaca
    );
    r.cancel.cancel();
}

#[tokio::test]
async fn abrupt_close_reconnects_with_backoff() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        true,
    );
    until(&mut r, "subscribed", subscribed).await;
    mock.drop_connections();
    let s = until(&mut r, "back", |s| {
        subscribed(s) && s.alpaca.reconnect_attempts == 1
    })
    .await;
    assert_eq!(s.alpaca.consecutive_failures, 1);
    r.cancel.cancel();
}

#[tokio::test]
async fn a_silent_socket_is_dead_after_a_missed_pong() {
    // The silent session still holds its slot on the server (as Alpaca's would until
    // reaped), so allow a second one for the reconnect.
    let mock = MockAlpaca::start(MockConfig {
        sessions_per_key: 2,
        ..mock_cfg()
    })
    .await
    .unwrap();
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        true,
    );
    until(&mut r, "subscribed", subscribed).await;
    assert!(
        mock.wait_for(WAIT, |m| m.pings_received() >= 1).await,
        "the client pings"
    );
    mock.go_silent();
    let s = until(&mut r, "pong timeout", |s| {
        s.alpaca
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("no pong"))
    })
    .await;
    assert_eq!(s.alpaca.consecutive_failures, 1);
    until(&mut r, "reconnected", subscribed).await;
    r.cancel.cancel();
}

#[tokio::test]
async fn silence_is_a_failure_only_while_the_market_is_open() {
    for (open, should_fail) in [(false, false), (true, true)] {
        let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
        let mut cfg = stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]);
        cfg.message_timeout = Duration::from_millis(900);
        let mut r = start(cfg, open);
        until(&mut r, "subscribed", subscribed).await;
        tokio::time::sleep(Duration::from_millis(2_000)).await;
        let s = r.snapshots.borrow().clone();
        let failed = s
            .events
            .iter()
            .any(|e| e.message.contains("no messages for"));
        assert_eq!(
            failed, should_fail,
            "market open: {open}; events: {:?}",
            s.events
        );
        r.cancel.cancel();
    }
}

#[tokio::test]
async fn manual_reconnect_tears_down_and_connects_again() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        true,
    );
    until(&mut r, "subscribed", subscribed).await;
    r.commands.send(Command::ReconnectAlpaca).await.unwrap();
    assert!(mock.wait_for(WAIT, |m| m.connections_accepted() == 2).await);
    let s = until(&mut r, "resubscribed", |s| {
        subscribed(s)
            && s.events
                .iter()
                .any(|e| e.message.contains("Manual reconnect"))
    })
    .await;
    assert_eq!(
        s.alpaca.consecutive_failures, 0,
        "a manual reconnect is not a failure"
    );
    r.cancel.cancel();
}

#[tokio::test]
async fn msgpack_mode_asks_for_msgpack_and_decodes_binary_frames() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut cfg = stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL", "MSFT"]);
    cfg.encoding = Encoding::Msgpack;
    let mut r = start(cfg, true);
    until(&mut r, "subscribed", subscribed).await;
    assert_eq!(
        mock.last_upgrade_header("content-type").as_deref(),
        Some("application/msgpack")
    );
    mock.push_trades(100, 10);
    let s = until(&mut r, "100 messages", |s| s.counters.messages >= 100).await;
    assert_eq!(s.counters.parse_errors, 0);
    assert!(s.watchlist.iter().all(|v| v.price.is_some()));
    r.cancel.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_mode_writes_a_fixture_that_replays_to_the_same_counts() {
    use tapewatch::fixture::{reader::FixtureReader, record, replay::Speed};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.jsonl");
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let cfg = stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL", "MSFT"]);
    let mut setup = Setup::new(Mode::Live);
    let (rec, writer) = record::start(
        &path,
        tapewatch::clock::Clock::now(&tapewatch::clock::SystemClock),
        &cfg.watchlist,
        setup.meters.record.clone(),
    )
    .unwrap();
    setup.recorder = Some(rec);
    let mut r = pipeline::start_live(cfg, setup, pipeline::system_clock(), Arc::new(|_| true));
    until(&mut r, "subscribed", subscribed).await;
    mock.push_trades(50, 5);
    until(&mut r, "50", |s| s.counters.messages >= 50).await;
    mock.drop_connections();
    until(&mut r, "back", |s| {
        subscribed(s) && s.alpaca.reconnect_attempts == 1
    })
    .await;
    mock.push_trades(30, 5);
    until(&mut r, "80", |s| s.counters.messages >= 80).await;
    r.cancel.cancel();
    let (_, live) = r.engine.await.unwrap();
    r.feed.join().await;
    let lines = tokio::task::spawn_blocking(move || writer.join())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(lines > 10, "{lines} records");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains("MOCKSECRET"),
        "the secret is not in the recording"
    );
    assert!(text.contains(r#""fault":"disconnect""#) && text.contains(r#""fault":"recover""#));
    // A second recording to the same file is refused rather than overwriting it.
    let err = record::start(
        &path,
        tapewatch::types::Ts::ZERO,
        &[],
        tapewatch::engine::channels::Meters::default().record,
    )
    .unwrap_err();
    assert!(err.to_string().contains("session.jsonl"), "{err}");

    let replayed = pipeline::replay_to_end(FixtureReader::open(&path).unwrap(), Speed::Max)
        .await
        .unwrap();
    assert_eq!(replayed.counters.messages, live.counters.messages);
    assert_eq!(replayed.counters.by_type, live.counters.by_type);
    assert_eq!(replayed.counters.parse_errors, 0);
    assert_eq!(replayed.counters.faults, 2);
    assert_eq!(replayed.alpaca.state, LinkState::Subscribed);
}

#[tokio::test]
async fn watchlist_changes_at_run_time_subscribe_and_unsubscribe() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL", "MSFT"]),
        true,
    );
    until(&mut r, "subscribed", subscribed).await;
    r.commands
        .send(Command::ChangeWatchlist {
            add: vec![Symbol::new("NVDA")],
            remove: vec![Symbol::new("MSFT")],
        })
        .await
        .unwrap();
    // The server's full-set reply is the truth the snapshot shows.
    let s = until(&mut r, "new subscription set", |s| {
        s.alpaca.subscribed_symbols == ["AAPL", "NVDA"]
    })
    .await;
    let shown: Vec<&str> = s.watchlist.iter().map(|v| v.symbol.as_str()).collect();
    assert_eq!(shown, ["AAPL", "NVDA"]);
    let sent = mock.client_messages();
    assert!(
        sent.iter()
            .any(|m| m["action"] == "unsubscribe" && m["trades"] == serde_json::json!(["MSFT"])),
        "{sent:?}"
    );
    assert!(
        sent.iter()
            .any(|m| m["action"] == "subscribe" && m["trades"] == serde_json::json!(["NVDA"])),
        "{sent:?}"
    );
    // After a reconnect the full new set is subscribed again.
    r.commands.send(Command::ReconnectAlpaca).await.unwrap();
    until(&mut r, "resubscribed after reconnect", |s| {
        subscribed(s)
            && s.alpaca.reconnect_attempts >= 1
            && s.alpaca.subscribed_symbols == ["AAPL", "NVDA"]
    })
    .await;
    let last_sub = mock
        .client_messages()
        .into_iter()
        .rev()
        .find(|m| m["action"] == "subscribe")
        .unwrap();
    assert_eq!(last_sub["trades"], serde_json::json!(["AAPL", "NVDA"]));
    r.cancel.cancel();
}
