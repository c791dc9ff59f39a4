//! The charts' backfill against a mock of Alpaca's market-data bars endpoint on
//! 127.0.0.1: the key headers, the query (1-minute bars from 04:00 New York, the
//! feed), every page followed, errors in words without the keys, and the task that
//! hands the bars to the engine.

use crate::support::mock_bars::{MockBars, KEY_ID, SECRET_KEY};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;
use tapewatch::domain::bars::{minute_of, BarSource};
use tapewatch::domain::clock::ManualClock;
use tapewatch::domain::types::{Symbol, Ts};
use tapewatch::messages::FeedEvent;
use tapewatch::plumbing::channels::Meter;
use tapewatch::sources::alpaca::bars::{self, BarsClient, BarsConfig};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The app's own client (rustls on ring, no process-wide provider needed).
fn http() -> reqwest::Client {
    tapewatch::plumbing::http::build_client(&Default::default()).unwrap()
}

fn client(mock: &MockBars, secret: &str) -> BarsClient {
    let cfg = BarsConfig {
        data_url: mock.base_url(),
        feed: "iex".into(),
        key_id: SecretString::from(KEY_ID),
        secret_key: SecretString::from(secret),
        request_timeout_secs: 5,
    };
    BarsClient::new(cfg, http()).unwrap()
}

#[tokio::test]
async fn todays_bars_come_from_every_page() {
    let mock = MockBars::start().await;
    let c = client(&mock, SECRET_KEY);
    let start = Ts::parse_rfc3339("2026-11-17T09:00:00Z").unwrap();
    let got = c.today(&Symbol::from("AAPL"), start).await.unwrap();
    let closes: Vec<String> = got.iter().map(|b| b.close.to_string()).collect();
    assert_eq!(closes, ["228.4", "228.5", "228.25"]);
    assert!(got.iter().all(|b| b.source == BarSource::Alpaca));
    assert_eq!(
        got[0].minute,
        minute_of(Ts::parse_rfc3339("2026-11-17T14:30:00Z").unwrap()).unwrap()
    );
    let seen = mock.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    let q = &seen[0].1;
    for part in [
        "timeframe=1Min",
        "start=2026-11-17T09%3A00%3A00",
        "feed=iex",
        "limit=10000",
    ] {
        assert!(q.contains(part), "{part} missing from {q}");
    }
    assert!(seen[1].1.contains("page_token=cGFnZTI"), "{:?}", seen[1]);
}

#[tokio::test]
async fn failures_are_said_in_words_without_the_keys() {
    let mock = MockBars::start().await;
    let start = Ts::parse_rfc3339("2026-11-17T09:00:00Z").unwrap();
    let e = client(&mock, "wrong")
        .today(&Symbol::from("AAPL"), start)
        .await
        .unwrap_err();
    assert!(e.contains("HTTP 401"), "{e}");
    let e = client(&mock, SECRET_KEY)
        .today(&Symbol::from("FAIL"), start)
        .await
        .unwrap_err();
    assert!(e.contains("/v2/stocks/FAIL/bars: HTTP 500"), "{e}");
    assert!(!e.contains(SECRET_KEY), "{e}");
    // Nothing listens here.
    let cfg = BarsConfig {
        data_url: "http://127.0.0.1:9".into(),
        feed: "iex".into(),
        key_id: SecretString::from(KEY_ID),
        secret_key: SecretString::from(SECRET_KEY),
        request_timeout_secs: 5,
    };
    let e = BarsClient::new(cfg, http())
        .unwrap()
        .today(&Symbol::from("AAPL"), start)
        .await
        .unwrap_err();
    assert!(e.starts_with("/v2/stocks/AAPL/bars: "), "{e}");
}

#[tokio::test]
async fn the_task_hands_each_symbols_bars_to_the_engine() {
    let mock = MockBars::start().await;
    let clock = ManualClock::new(Ts::parse_rfc3339("2026-11-17T15:04:00Z").unwrap());
    let (req_tx, req_rx) = mpsc::channel(4);
    let (feed_tx, mut feed_rx) = mpsc::channel(4);
    let cancel = CancellationToken::new();
    let task = bars::spawn(
        client(&mock, SECRET_KEY),
        Arc::new(clock),
        req_rx,
        feed_tx,
        Meter::new("feed", 4, "backpressure"),
        cancel.clone(),
    );
    req_tx
        .send(vec![Symbol::from("AAPL"), Symbol::from("FAIL")])
        .await
        .unwrap();
    let mut got = Vec::new();
    for _ in 0..2 {
        let ev = tokio::time::timeout(Duration::from_secs(5), feed_rx.recv())
            .await
            .unwrap()
            .unwrap();
        let FeedEvent::Backfill(b) = ev else {
            panic!("not a backfill: {ev:?}")
        };
        got.push((b.symbol.to_string(), b.result.map(|v| v.len())));
    }
    assert_eq!(got[0], ("AAPL".to_string(), Ok(3)));
    assert!(got[1].1.is_err());
    // From 04:00 in New York on the clock's day.
    assert!(mock.seen()[0].1.contains("start=2026-11-17T09%3A00%3A00"));
    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(2), task)
        .await
        .unwrap()
        .unwrap();
}
