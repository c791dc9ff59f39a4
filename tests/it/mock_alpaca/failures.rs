//! The mock's failure modes: fatal errors with their close, refused upgrades,
//! abrupt drops, silence, 407/500 and ghost sessions.

use super::*;

#[tokio::test(start_paused = true)]
async fn auth_timeout_sends_404_and_closes() {
    let mock = start(MockConfig::default()).await;
    let started = tokio::time::Instant::now();
    let mut ws = connect(&mock.url("iex")).await;
    assert_eq!(next_text(&mut ws).await, CONNECTED);
    let frame = timeout(Duration::from_secs(30), ws.next())
        .await
        .expect("404 within 30 s");
    assert!(matches!(frame, Some(Ok(Message::Text(ref t))) if *t == error(404, "auth timeout")));
    assert!(
        started.elapsed() >= Duration::from_secs(10),
        "not before auth_timeout"
    );
    expect_close_frame(&mut ws).await;
}

#[tokio::test]
async fn wrong_credentials_get_402_and_close() {
    let mock = start(MockConfig::default()).await;
    let mut ws = connect(&mock.url("iex")).await;
    next_text(&mut ws).await;
    send(
        &mut ws,
        json!({"action":"auth","key":"MOCKKEY","secret":"wrong"}),
    )
    .await;
    assert_eq!(next_text(&mut ws).await, error(402, "auth failed"));
    expect_close_frame(&mut ws).await;
    assert_eq!(mock.live_sessions(), 0);
}

#[tokio::test]
async fn second_session_on_the_key_gets_406_and_close() {
    let mock = start(MockConfig::default()).await;
    let mut first = login(&mock).await;
    let mut second = connect(&mock.url("iex")).await;
    next_text(&mut second).await;
    send(
        &mut second,
        json!({"action":"auth","key":"MOCKKEY","secret":"MOCKSECRET"}),
    )
    .await;
    assert_eq!(
        next_text(&mut second).await,
        error(406, "connection limit exceeded")
    );
    expect_close_frame(&mut second).await;
    assert_eq!(mock.live_sessions(), 1);
    send(&mut first, json!({"action":"subscribe","quotes":["SPY"]})).await;
    assert_eq!(next_json(&mut first).await[0]["quotes"], json!(["SPY"]));
}

#[tokio::test]
async fn sip_without_the_plan_gets_409_and_close() {
    let mock = start(MockConfig::default()).await;
    for feed in ["sip", "delayed_sip"] {
        let mut ws = connect(&mock.url(feed)).await;
        next_text(&mut ws).await;
        send(
            &mut ws,
            json!({"action":"auth","key":"MOCKKEY","secret":"MOCKSECRET"}),
        )
        .await;
        assert_eq!(
            next_text(&mut ws).await,
            error(409, "insufficient subscription"),
            "{feed}"
        );
        expect_close_frame(&mut ws).await;
    }
    let paid = start(MockConfig {
        sip_allowed: true,
        ..MockConfig::default()
    })
    .await;
    let _ws = login_on(&paid, "sip").await;
}

#[tokio::test]
async fn slow_client_gets_407_then_an_abrupt_drop() {
    let mock = start(MockConfig::default()).await;
    let mut ws = login(&mock).await;
    mock.slow_client();
    assert_eq!(next_text(&mut ws).await, error(407, "slow client"));
    expect_abrupt_end(&mut ws).await;
    assert!(mock.wait_for_sessions(0, STEP).await);
    assert_eq!(
        mock.ghost_sessions(),
        0,
        "a server-side drop frees the slot"
    );
}

#[tokio::test]
async fn internal_error_keeps_the_connection() {
    let mock = start(MockConfig::default()).await;
    let mut ws = login(&mock).await;
    mock.internal_error();
    assert_eq!(next_text(&mut ws).await, error(500, "internal error"));
    send(&mut ws, json!({"action":"subscribe","bars":["SPY"]})).await;
    assert_eq!(next_json(&mut ws).await[0]["bars"], json!(["SPY"]));
}

#[tokio::test]
async fn refused_upgrades_show_the_http_status() {
    let mock = start(MockConfig::default()).await;
    for status in [429u16, 401, 403] {
        mock.refuse_upgrades(Some(status));
        let result = timeout(STEP, tokio_tungstenite::connect_async(mock.url("iex")))
            .await
            .expect("answer in time");
        match result {
            Err(WsError::Http(resp)) => assert_eq!(resp.status().as_u16(), status),
            other => panic!("expected HTTP {status}, got {other:?}"),
        }
    }
    mock.refuse_upgrades(None);
    let unknown_feed = timeout(
        STEP,
        tokio_tungstenite::connect_async(format!("ws://{}/v2/crypto", mock.addr())),
    )
    .await;
    assert!(matches!(unknown_feed, Ok(Err(WsError::Http(ref r))) if r.status() == 404));
    let _ws = login(&mock).await;
    assert_eq!(mock.connections_accepted(), 5);
}

#[tokio::test]
async fn drop_connections_ends_streams_without_a_close_frame() {
    let mock = start(MockConfig::default()).await;
    let mut ws = login(&mock).await;
    mock.drop_connections();
    expect_abrupt_end(&mut ws).await;
    assert!(mock.wait_for_sessions(0, STEP).await);
    let _again = login(&mock).await;
}

#[tokio::test(start_paused = true)]
async fn silent_socket_answers_no_pings_until_resumed() {
    let mock = start(MockConfig::default()).await;
    let mut ws = login(&mock).await;
    send(&mut ws, json!({"action":"subscribe","trades":["AAPL"]})).await;
    next_text(&mut ws).await;

    mock.go_silent();
    ws.send(Message::Ping("are you there".into()))
        .await
        .expect("ping");
    mock.push(r#"[{"T":"t","S":"AAPL","i":1,"x":"K","p":1,"s":1,"c":[],"z":"C","t":"2024-01-02T15:00:00Z"}]"#);
    assert!(
        timeout(Duration::from_secs(60), ws.next()).await.is_err(),
        "no pong, no data while silent"
    );
    assert_eq!(mock.pings_received(), 0);
    assert_eq!(mock.live_sessions(), 1, "the socket stays open");

    mock.resume();
    assert!(matches!(next(&mut ws).await, Some(Ok(Message::Pong(p))) if p == "are you there"));
    assert_eq!(mock.pings_received(), 1);
}

#[tokio::test(start_paused = true)]
async fn vanished_client_leaves_a_ghost_until_reaped() {
    let mock = start(MockConfig::default()).await;
    let ws = login(&mock).await;
    // Drop the TCP stream without a close handshake, as a crashed client would.
    drop(ws.into_inner());
    assert!(
        mock.wait_for(STEP, |m| m.ghost_sessions() == 1 && m.live_sessions() == 0)
            .await
    );

    let mut again = connect(&mock.url("iex")).await;
    next_text(&mut again).await;
    send(
        &mut again,
        json!({"action":"auth","key":"MOCKKEY","secret":"MOCKSECRET"}),
    )
    .await;
    assert_eq!(
        next_text(&mut again).await,
        error(406, "connection limit exceeded")
    );
    expect_close_frame(&mut again).await;

    tokio::time::sleep(Duration::from_secs(91)).await;
    assert_eq!(mock.ghost_sessions(), 0);
    let _ws = login(&mock).await;
}

#[tokio::test(start_paused = true)]
async fn stalled_handshakes_hang_where_asked() {
    let mock = start(MockConfig {
        auth_timeout: Duration::from_secs(60),
        ..MockConfig::default()
    })
    .await;
    mock.stall_handshakes(Some(Stall::NoUpgrade));
    let hung = timeout(STEP, tokio_tungstenite::connect_async(mock.url("iex"))).await;
    assert!(hung.is_err(), "the upgrade is never answered");

    mock.stall_handshakes(Some(Stall::NoWelcome));
    let mut quiet = connect(&mock.url("iex")).await;
    send(
        &mut quiet,
        json!({"action":"auth","key":"MOCKKEY","secret":"MOCKSECRET"}),
    )
    .await;
    assert!(
        timeout(Duration::from_secs(90), quiet.next())
            .await
            .is_err(),
        "no welcome, no answer, no auth timeout"
    );

    mock.stall_handshakes(Some(Stall::IgnoreAuth));
    let started = tokio::time::Instant::now();
    let mut ws = connect(&mock.url("iex")).await;
    assert_eq!(next_text(&mut ws).await, CONNECTED);
    send(
        &mut ws,
        json!({"action":"auth","key":"MOCKKEY","secret":"MOCKSECRET"}),
    )
    .await;
    let frame = timeout(Duration::from_secs(90), ws.next())
        .await
        .expect("404 at the mock's auth timeout");
    assert!(matches!(frame, Some(Ok(Message::Text(ref t))) if *t == error(404, "auth timeout")));
    assert!(started.elapsed() >= Duration::from_secs(60));
    expect_close_frame(&mut ws).await;

    mock.stall_handshakes(None);
    let _ws = login(&mock).await;
    assert_eq!(mock.live_sessions(), 1);
}
