//! The Alpaca secret never leaves its `secrecy` box: not into the log file (even at
//! trace level), the events, the database, or any API response, on the good path
//! and on the auth-failure path alike.

mod support;

use std::sync::Arc;
use std::time::Duration;
use support::mock_alpaca::{MockAlpaca, MockConfig};
use tapewatch::alpaca::backoff::BackoffPolicy;
use tapewatch::alpaca::protocol::Channels;
use tapewatch::alpaca::stream::{Encoding, StreamConfig};
use tapewatch::api::{router, ApiState};
use tapewatch::engine::channels::STORE_CAPACITY;
use tapewatch::engine::snapshot::{LinkState, Mode};
use tapewatch::pipeline::{self, Setup};
use tapewatch::store::{spawn_writer, Store, StoreMsg};
use tapewatch::types::{Symbol, Ts};
use tapewatch::wire::ParseLimits;
use tower::ServiceExt;

const SECRET: &str = "s3cr3t-DO-NOT-LEAK-7f3a";
const WRONG: &str = "wrong-s3cr3t-DO-NOT-LEAK-91c2";

fn cfg(url: String, secret: &str) -> StreamConfig {
    StreamConfig {
        url,
        feed: "iex".into(),
        key_id: "MOCKKEY".to_string().into(),
        secret_key: secret.to_string().into(),
        channels: Channels::default(),
        watchlist: vec![Symbol::new("AAPL")],
        encoding: Encoding::Json,
        ping_interval: Duration::from_millis(200),
        pong_timeout: Duration::from_millis(500),
        message_timeout: Duration::from_secs(30),
        handshake_timeout: Duration::from_secs(5),
        policy: BackoffPolicy {
            base_delay_ms: 50,
            max_delay_ms: 200,
            ..BackoffPolicy::default()
        },
        limits: ParseLimits::default(),
    }
}

fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for s in [SECRET, WRONG] {
        assert!(!text.contains(s), "{what} contains the secret");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secret_reaches_no_log_event_row_or_response() {
    let dir = tempfile::tempdir().unwrap();
    std::env::set_var("TAPEWATCH_LOG", "trace");
    let _log = tapewatch::logging::init(tapewatch::logging::LogOptions {
        dir: Some(dir.path().join("logs")),
        stderr: false,
    })
    .unwrap();
    let db_path = dir.path().join("t.db");
    let mut store = Store::open(&db_path).unwrap();
    let session = store.begin_session(Ts::from_secs(1), "live").unwrap();
    let (store_tx, store_rx) = tokio::sync::mpsc::channel::<StoreMsg>(STORE_CAPACITY);
    let writer = spawn_writer(store, session, store_rx).unwrap();

    let mock = MockAlpaca::start(MockConfig {
        secret: SECRET.into(),
        reap_after: Duration::ZERO,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let mut snaps = Vec::new();
    for secret in [SECRET, WRONG] {
        let mut setup = Setup::new(Mode::Live);
        setup.store_tx = Some(store_tx.clone());
        let mut r = pipeline::start_live(
            cfg(mock.url("iex"), secret),
            setup,
            pipeline::system_clock(),
            Arc::new(|_| true),
        );
        let done = |s: &tapewatch::engine::snapshot::Snapshot| {
            (secret == SECRET && s.alpaca.state == LinkState::Subscribed)
                || s.alpaca.fatal.is_some()
        };
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if done(&r.snapshots.borrow_and_update()) {
                break;
            }
            tokio::time::timeout_at(deadline, r.snapshots.changed())
                .await
                .unwrap()
                .unwrap();
        }
        if secret == SECRET {
            mock.push_trades(20, 5);
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        // Every API response, built from the final state.
        let state = ApiState {
            snapshots: r.snapshots.clone(),
            commands: r.commands.clone(),
            meters: r.meters.clone(),
            token: None,
            exporter: None,
        };
        for path in ["/health", "/api/symbols", "/api/health/alpaca"] {
            let resp = router(state.clone())
                .oneshot(
                    axum::http::Request::get(path)
                        .body(axum::body::Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
                .await
                .unwrap();
            assert_clean(path, &body);
        }
        r.cancel.cancel();
        let (_, last) = r.engine.await.unwrap();
        r.feed.join().await;
        snaps.push(last);
    }
    // The secret did go over the wire, so the checks above can fail.
    assert!(mock.client_messages().iter().any(|m| m["secret"] == SECRET));
    for s in &snaps {
        assert_clean("snapshot", serde_json::to_string(&**s).unwrap().as_bytes());
        assert!(!s.events.is_empty());
    }
    drop(store_tx);
    tokio::task::spawn_blocking(move || writer.join())
        .await
        .unwrap()
        .unwrap();
    for entry in std::fs::read_dir(dir.path())
        .unwrap()
        .chain(std::fs::read_dir(dir.path().join("logs")).unwrap())
    {
        let path = entry.unwrap().path();
        if path.is_file() {
            assert_clean(&path.display().to_string(), &std::fs::read(&path).unwrap());
        }
    }
    drop(_log);
    let logs: Vec<_> = std::fs::read_dir(dir.path().join("logs"))
        .unwrap()
        .collect();
    assert!(!logs.is_empty(), "a log file was written");
    for entry in logs {
        let path = entry.unwrap().path();
        let text = std::fs::read(&path).unwrap();
        assert!(
            !text.is_empty(),
            "{} is empty: the trace log did run",
            path.display()
        );
        assert_clean(&path.display().to_string(), &text);
    }
}
