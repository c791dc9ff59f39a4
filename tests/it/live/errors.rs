//! Server error codes and refused upgrades: what is reported, and how long the
//! client really waits before it tries again.

use super::*;

#[tokio::test(start_paused = true)]
async fn auth_failure_402_is_fatal_until_a_manual_reconnect() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut r = start(stream_cfg(mock.url("iex"), "WRONG", "iex", &["AAPL"]), true);
    let s = until(&mut r, "fatal stop", |s| s.alpaca.fatal.is_some()).await;
    assert_eq!(s.alpaca.state, LinkState::Disconnected);
    let err = last_error(&s);
    assert!(
        err.contains("402 auth failed") && err.contains("Authentication failed"),
        "{:?}",
        s.alpaca
    );
    assert!(has_event(&s, "Authentication failed"), "{:?}", s.events);
    assert_eq!(s.alpaca.next_retry_at, None);
    // No retry loop: still one connection after ten minutes.
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert_eq!(mock.connections_accepted(), 1);
    r.commands
        .send(Command::ReconnectAlpaca.into())
        .await
        .unwrap();
    assert!(mock.wait_for(WAIT, |m| m.connections_accepted() == 2).await);
    r.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn connection_limit_406_waits_at_least_30_s_then_reconnects() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut first = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        false,
    );
    until(&mut first, "first subscribed", subscribed).await;
    let mut second = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        false,
    );
    let s = until(&mut second, "406 backoff", |s| {
        s.alpaca.next_retry_at.is_some()
    })
    .await;
    let failed_at = s.alpaca.state_since.unwrap();
    let retry_at = s.alpaca.next_retry_at.unwrap();
    assert!(
        ms(failed_at, retry_at) >= 30_000,
        "retry at +{} ms",
        ms(failed_at, retry_at)
    );
    let err = last_error(&s);
    assert!(err.contains("406") && err.contains("90 s"), "{err}");
    // The other session goes away; the second client still waits out its backoff.
    first.cancel.cancel();
    assert!(
        !mock
            .wait_for(Duration::from_secs(29), |m| m.connections_accepted() > 2)
            .await,
        "retried before 30 s"
    );
    let s = until(&mut second, "reconnected", |s| {
        subscribed(s) && s.alpaca.reconnect_attempts == 1
    })
    .await;
    let back_at = s.alpaca.state_since.unwrap();
    assert!(
        ms(failed_at, back_at) >= 30_000,
        "back after {} ms",
        ms(failed_at, back_at)
    );
    assert!(back_at >= retry_at);
    assert_eq!(mock.connections_accepted(), 3);
    second.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn http_429_on_the_upgrade_waits_at_least_a_minute_then_reconnects() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    mock.refuse_upgrades(Some(429));
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        false,
    );
    let s = until(&mut r, "429 backoff", |s| s.alpaca.next_retry_at.is_some()).await;
    let failed_at = s.alpaca.state_since.unwrap();
    assert!(ms(failed_at, s.alpaca.next_retry_at.unwrap()) >= 60_000);
    assert!(last_error(&s).contains("429"));
    mock.refuse_upgrades(None);
    assert!(
        !mock
            .wait_for(Duration::from_secs(59), |m| m.connections_accepted() > 1)
            .await,
        "retried before 60 s"
    );
    let s = until(&mut r, "reconnected", |s| {
        subscribed(s) && s.alpaca.reconnect_attempts == 1
    })
    .await;
    let back_at = s.alpaca.state_since.unwrap();
    assert!(
        ms(failed_at, back_at) >= 60_000,
        "back after {} ms",
        ms(failed_at, back_at)
    );
    assert_eq!(mock.connections_accepted(), 2);
    r.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn http_401_on_the_upgrade_is_a_configuration_error() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    mock.refuse_upgrades(Some(401));
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        true,
    );
    let s = until(&mut r, "fatal", |s| s.alpaca.fatal.is_some()).await;
    assert!(last_error(&s).contains("HTTP 401"), "{:?}", s.alpaca);
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert_eq!(mock.connections_accepted(), 1, "no retry loop");
    r.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn symbol_limit_405_keeps_the_connection_and_names_what_was_refused() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let many: Vec<String> = (0..31).map(|i| format!("S{i:02}")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &refs),
        false,
    );
    let s = until(&mut r, "405 reported", |s| last_error(s).contains("405")).await;
    let err = last_error(&s);
    assert!(err.contains("S30") && err.contains("refused"), "{err}");
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(mock.connections_accepted(), 1, "the connection stays up");
    assert_eq!(mock.live_sessions(), 1);
    r.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn insufficient_subscription_409_is_fatal() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut r = start(
        stream_cfg(mock.url("sip"), "MOCKSECRET", "sip", &["AAPL"]),
        true,
    );
    let s = until(&mut r, "fatal 409", |s| s.alpaca.fatal.is_some()).await;
    assert!(last_error(&s).contains("409"), "{:?}", s.alpaca);
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert_eq!(mock.connections_accepted(), 1);
    r.cancel.cancel();
}

#[tokio::test(start_paused = true)]
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
    assert!(has_event(&s, "407"), "{:?}", s.events);
    assert_eq!(mock.connections_accepted(), 2);
    assert_eq!(
        mock.subscription_of_last_session().unwrap().trades,
        ["AAPL"]
    );
    r.cancel.cancel();
}

/// A frame nested 100,000 levels deep used to overflow the engine's stack and abort
/// the process. Now it costs that frame only: a parse error with the reason, and
/// the stream goes on.
#[tokio::test(start_paused = true)]
async fn a_frame_nested_100k_deep_costs_that_frame_only() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
        true,
    );
    until(&mut r, "subscribed", subscribed).await;
    let n = 100_000;
    mock.push_raw(&format!("{}{}", "[".repeat(n), "]".repeat(n)));
    mock.push_raw(&format!(
        r#"[{{"T":"t","S":"AAPL","x":"V","zz":{}1{}}}]"#,
        r#"{"a":"#.repeat(n),
        "}".repeat(n)
    ));
    mock.push_trades(20, 5);
    let s = until(&mut r, "the trades after the deep frames", |s| {
        s.counters.messages >= 20
    })
    .await;
    assert_eq!(s.counters.parse_errors, 2, "{:#?}", s.events);
    assert!(
        has_event(&s, "frame is nested deeper than 16 levels"),
        "{:#?}",
        s.events
    );
    assert!(subscribed(&s), "the connection survives: {:?}", s.alpaca);
    r.cancel.cancel();
}
