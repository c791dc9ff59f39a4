//! Liveness and reconnects: drops, dead and silent sockets, handshakes that never
//! finish, and the reset of the failure count after a stable minute.

use super::*;
use tower::ServiceExt;

#[tokio::test(start_paused = true)]
async fn abrupt_close_reconnects_after_a_backoff() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        true,
    );
    until(&mut r, "subscribed", subscribed).await;
    mock.drop_connections();
    let s = until(&mut r, "down", |s| s.alpaca.next_retry_at.is_some()).await;
    let failed_at = s.alpaca.state_since.unwrap();
    let wait = ms(failed_at, s.alpaca.next_retry_at.unwrap());
    // First failure: half the 1 s base fixed, half jittered.
    assert!((500..=1_000).contains(&wait), "retry in {wait} ms");
    let s = until(&mut r, "back", |s| {
        subscribed(s) && s.alpaca.reconnect_attempts == 1
    })
    .await;
    assert!(ms(failed_at, s.alpaca.state_since.unwrap()) >= wait);
    assert_eq!(s.alpaca.consecutive_failures, 1);
    r.cancel.cancel();
}

#[tokio::test(start_paused = true)]
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
        false,
    );
    until(&mut r, "subscribed", subscribed).await;
    assert!(
        mock.wait_for(WAIT, |m| m.pings_received() >= 1).await,
        "the client pings"
    );
    let silent_from = Instant::now();
    mock.go_silent();
    let s = until(&mut r, "pong timeout", |s| {
        last_error(s).contains("no pong within 5 s")
    })
    .await;
    // The next ping goes out within 5 s, and its pong is overdue 5 s later.
    let dead_after = silent_from.elapsed();
    assert!(
        dead_after >= Duration::from_secs(5) && dead_after <= Duration::from_secs(10),
        "{dead_after:?}"
    );
    assert!(last_error(&s).contains("Alpaca health check failed"));
    assert_eq!(s.alpaca.consecutive_failures, 1);
    until(&mut r, "reconnected", subscribed).await;
    r.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn silence_is_a_failure_only_while_the_market_is_open() {
    for (open, should_fail) in [(false, false), (true, true)] {
        let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
        let mut r = start(
            stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
            open,
        );
        until(&mut r, "subscribed", subscribed).await;
        // MessageTimeoutSeconds is 30; the check runs on every 5 s ping.
        tokio::time::sleep(Duration::from_secs(40)).await;
        let s = r.snapshots.borrow().clone();
        let failed = has_event(&s, "no messages for");
        assert_eq!(
            failed, should_fail,
            "market open: {open}; events: {:?}",
            s.events
        );
        r.cancel.cancel();
    }
}

/// The handshake hangs three ways; each is reported, and a reconnect is scheduled
/// with a growing backoff. `mock_auth_timeout` below the client's 10 s lets the
/// mock's own `404 auth timeout` come first.
#[tokio::test(start_paused = true)]
async fn a_handshake_that_never_finishes_is_reported_and_retried_with_backoff() {
    let cases: [(Stall, u64, &str, u64); 3] = [
        (
            Stall::NoWelcome,
            60,
            "Connection timeout: no welcome (connected)",
            10,
        ),
        (
            Stall::IgnoreAuth,
            60,
            "Authentication failed: no reply to auth within 10 s",
            10,
        ),
        (
            Stall::IgnoreAuth,
            5,
            "Authentication failed (404 auth timeout)",
            5,
        ),
    ];
    for (stall, mock_auth_timeout, want, fails_after_secs) in cases {
        let mock = MockAlpaca::start(MockConfig {
            auth_timeout: Duration::from_secs(mock_auth_timeout),
            ..mock_cfg()
        })
        .await
        .unwrap();
        mock.stall_handshakes(Some(stall));
        let started = Instant::now();
        let mut r = start(
            stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
            true,
        );
        let s = until(&mut r, want, |s| s.alpaca.next_retry_at.is_some()).await;
        let case = format!("{stall:?}/{mock_auth_timeout}");
        assert!(last_error(&s).contains(want), "{case}: {:?}", s.alpaca);
        assert!(
            started.elapsed() >= Duration::from_secs(fails_after_secs),
            "{case}: failed early, after {:?}",
            started.elapsed()
        );
        assert_eq!(s.alpaca.state, LinkState::Disconnected, "{case}");
        assert_eq!(s.alpaca.consecutive_failures, 1, "{case}");
        let first_wait = ms(
            s.alpaca.state_since.unwrap(),
            s.alpaca.next_retry_at.unwrap(),
        );
        assert!(
            (500..=1_000).contains(&first_wait),
            "{case}: {first_wait} ms"
        );
        if want.contains("404") {
            assert!(
                has_event(&s, "Alpaca error 404 auth timeout"),
                "{case}: {:?}",
                s.events
            );
        }
        // The retry hangs the same way: counted again, and the backoff grows.
        let s = until(&mut r, "second failure", |s| {
            s.alpaca.consecutive_failures == 2 && s.alpaca.next_retry_at.is_some()
        })
        .await;
        assert_eq!(mock.connections_accepted(), 2, "{case}");
        let second_wait = ms(
            s.alpaca.state_since.unwrap(),
            s.alpaca.next_retry_at.unwrap(),
        );
        assert!(
            (1_000..=2_000).contains(&second_wait),
            "{case}: {second_wait} ms"
        );
        assert!(
            has_event(&s, "Reconnection failed: "),
            "{case}: {:?}",
            s.events
        );
        // Once the server behaves, the next attempt gets through.
        mock.stall_handshakes(None);
        until(&mut r, "subscribed at last", subscribed).await;
        r.cancel.cancel();
    }
}

#[tokio::test(start_paused = true)]
async fn a_stable_minute_resets_and_publishes_the_failure_count() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        false,
    );
    until(&mut r, "subscribed", subscribed).await;
    mock.drop_connections();
    let s = until(&mut r, "back", |s| {
        subscribed(s) && s.alpaca.reconnect_attempts == 1
    })
    .await;
    assert_eq!(s.alpaca.consecutive_failures, 1);
    let up_at = s.alpaca.state_since.unwrap();
    tokio::time::sleep(Duration::from_secs(55)).await;
    assert_eq!(
        r.snapshots.borrow().alpaca.consecutive_failures,
        1,
        "55 s is not yet stable"
    );
    let s = until(&mut r, "reset", |s| s.alpaca.consecutive_failures == 0).await;
    // Checked on each 5 s ping, so published within one ping of the minute.
    let after = ms(up_at, s.now);
    assert!((60_000..=65_500).contains(&after), "reset after {after} ms");
    assert!(
        has_event(&s, "consecutive failures reset to 0 (was 1)"),
        "{:?}",
        s.events
    );
    // The API shows it too.
    let state = tapewatch::outputs::api::ApiState {
        snapshots: r.snapshots.clone(),
        commands: r.commands.clone(),
        meters: r.meters.clone(),
        token: None,
        exporter: None,
    };
    let resp = tapewatch::outputs::api::router(state)
        .oneshot(
            axum::http::Request::get("/api/health/alpaca")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["alpacaStatus"]["consecutiveFailures"], 0, "{json}");
    assert_eq!(mock.connections_accepted(), 2, "no reconnect meanwhile");
    r.cancel.cancel();
}
