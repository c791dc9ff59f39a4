//! The mock's protocol behaviour: welcome, auth, full-set subscription replies,
//! request errors that keep the session, data delivery, pings, msgpack mode.

use super::*;

#[tokio::test]
async fn handshake_and_full_set_subscription_replies() {
    let mock = start(MockConfig::default()).await;
    let mut ws = login(&mock).await;
    assert_eq!(mock.live_sessions(), 1);

    send(
        &mut ws,
        json!({"action":"subscribe","trades":["AAPL"],"quotes":["AMD","CLDR"],"bars":["*"]}),
    )
    .await;
    assert_eq!(
        next_text(&mut ws).await,
        r#"[{"T":"subscription","trades":["AAPL"],"quotes":["AMD","CLDR"],"bars":["*"],"updatedBars":[],"dailyBars":[],"statuses":[],"lulds":[],"corrections":["AAPL"],"cancelErrors":["AAPL"]}]"#
    );
    send(&mut ws, json!({"action":"unsubscribe","bars":["*"]})).await;
    assert_eq!(
        next_text(&mut ws).await,
        r#"[{"T":"subscription","trades":["AAPL"],"quotes":["AMD","CLDR"],"bars":[],"updatedBars":[],"dailyBars":[],"statuses":[],"lulds":[],"corrections":["AAPL"],"cancelErrors":["AAPL"]}]"#
    );
    send(&mut ws, json!({"action":"unsubscribe","trades":["AAPL"]})).await;
    let reply = next_json(&mut ws).await;
    assert_eq!(reply[0]["trades"], json!([]));
    assert_eq!(reply[0]["corrections"], json!([]));
    assert_eq!(reply[0]["quotes"], json!(["AMD", "CLDR"]));

    let expected = SubscriptionSet {
        quotes: vec!["AMD".into(), "CLDR".into()],
        ..Default::default()
    };
    assert_eq!(mock.subscription_of_last_session(), Some(expected));
    let sent = mock.client_messages();
    assert_eq!(sent.len(), 4);
    assert_eq!(sent[0]["action"], "auth");
    assert_eq!(sent[3], json!({"action":"unsubscribe","trades":["AAPL"]}));
}

#[tokio::test]
async fn request_errors_keep_the_session_open() {
    let mock = start(MockConfig::default()).await;
    let mut ws = connect(&mock.url("iex")).await;
    assert_eq!(next_text(&mut ws).await, CONNECTED);
    let cases: [(&str, String); 2] = [
        (
            r#"{"action":"subscribe","trades":["AAPL"]}"#,
            error(401, "not authenticated"),
        ),
        (r#"{"action":"auth","key""#, error(400, "invalid syntax")),
    ];
    for (request, reply) in cases {
        ws.send(Message::text(request)).await.expect("send");
        assert_eq!(next_text(&mut ws).await, reply, "for {request}");
    }
    let cfg = mock.config().clone();
    let auth = json!({"action":"auth","key":cfg.key,"secret":cfg.secret});
    send(&mut ws, auth.clone()).await;
    assert_eq!(next_text(&mut ws).await, AUTHENTICATED);
    let cases = [
        (auth, error(403, "already authenticated")),
        (
            json!({"action":"subscribe","news":["AAPL"]}),
            error(410, "invalid subscribe action for this feed"),
        ),
        (
            json!({"action":"subscribe","trades":["aapl"]}),
            error(400, "invalid syntax"),
        ),
        (json!({"action":"listen"}), error(400, "invalid syntax")),
    ];
    for (request, reply) in cases {
        send(&mut ws, request.clone()).await;
        assert_eq!(next_text(&mut ws).await, reply, "for {request}");
    }
    send(&mut ws, json!({"action":"subscribe","trades":["FAKEPACA"]})).await;
    assert_eq!(next_json(&mut ws).await[0]["trades"], json!(["FAKEPACA"]));
    // The malformed message is recorded as its text.
    assert_eq!(
        mock.client_messages()[1],
        json!(r#"{"action":"auth","key""#)
    );
}

#[tokio::test]
async fn pushed_frames_are_filtered_by_subscription_and_batched() {
    let mock = start(MockConfig::default()).await;
    let mut ws = login(&mock).await;
    send(
        &mut ws,
        json!({"action":"subscribe","trades":["AAPL"],"quotes":["AMD"]}),
    )
    .await;
    next_text(&mut ws).await;

    let t = |s: &str, i: u64| {
        format!(
            r#"{{"T":"t","S":"{s}","i":{i},"x":"K","p":162.92,"s":3,"c":["@"],"z":"C","t":"2023-04-06T11:54:26.838232225Z"}}"#
        )
    };
    mock.push(&format!(
        "[{},{},{}]",
        t("AAPL", 1),
        t("MSFT", 2),
        t("AAPL", 3)
    ));
    assert_eq!(
        next_text(&mut ws).await,
        format!("[{},{}]", t("AAPL", 1), t("AAPL", 3))
    );
    mock.push(&format!("[{}]", t("MSFT", 4))); // nothing for this session: not sent
    mock.push_raw("not json");
    assert_eq!(next_text(&mut ws).await, "not json");

    mock.push_trades(100, 10);
    let mut last_id = 0;
    for _ in 0..10 {
        let frame = next_json(&mut ws).await;
        let msgs = frame.as_array().expect("an array");
        assert_eq!(msgs.len(), 10);
        for m in msgs {
            match m["T"].as_str() {
                Some("t") => {
                    assert_eq!(m["S"], "AAPL");
                    let id = m["i"].as_u64().expect("trade id");
                    assert!(id > last_id);
                    last_id = id;
                }
                Some("q") => {
                    assert_eq!(m["S"], "AMD");
                    assert!(m["bp"].as_f64() < m["ap"].as_f64());
                }
                other => panic!("unexpected message type {other:?}"),
            }
            assert!(m["t"]
                .as_str()
                .is_some_and(|t| t.ends_with('Z') && t.len() == 30));
        }
    }
    assert!(
        timeout(Duration::from_millis(200), ws.next())
            .await
            .is_err(),
        "exactly 100 messages"
    );
}

#[tokio::test]
async fn symbol_limit_gives_405_and_keeps_the_set() {
    let mock = start(MockConfig::default()).await;
    let mut ws = login(&mock).await;
    let thirty: Vec<String> = (0..30).map(|i| format!("SYM{i}")).collect();
    send(&mut ws, json!({"action":"subscribe","trades":thirty})).await;
    assert_eq!(
        next_json(&mut ws).await[0]["trades"]
            .as_array()
            .map(Vec::len),
        Some(30)
    );
    let before = mock.subscription_of_last_session();

    send(
        &mut ws,
        json!({"action":"subscribe","quotes":["SYM0","ONEMORE"]}),
    )
    .await;
    assert_eq!(
        next_text(&mut ws).await,
        error(405, "symbol limit exceeded")
    );
    assert_eq!(mock.subscription_of_last_session(), before);

    // Quotes on symbols already counted stay within the limit.
    send(&mut ws, json!({"action":"subscribe","quotes":["SYM0"]})).await;
    assert_eq!(next_json(&mut ws).await[0]["quotes"], json!(["SYM0"]));
}

#[tokio::test]
async fn pings_are_answered_and_counted() {
    let mock = start(MockConfig::default()).await;
    let mut ws = login(&mock).await;
    for i in 0..3u8 {
        ws.send(Message::Ping(vec![i].into())).await.expect("ping");
        assert!(matches!(next(&mut ws).await, Some(Ok(Message::Pong(p))) if p[..] == [i]));
    }
    assert_eq!(mock.pings_received(), 3);
}

#[tokio::test]
async fn msgpack_mode_sends_binary_frames() {
    let mock = start(MockConfig::default()).await;
    let mut req = mock.url("iex").into_client_request().expect("request");
    req.headers_mut().insert(
        "Content-Type",
        HeaderValue::from_static("application/msgpack"),
    );
    let (mut ws, _) = timeout(STEP, tokio_tungstenite::connect_async(req))
        .await
        .expect("in time")
        .expect("upgrade");
    assert_eq!(
        mock.last_upgrade_header("content-type").as_deref(),
        Some("application/msgpack")
    );

    let connected = next_msgpack(&mut ws).await;
    assert_eq!(connected[0]["T"].as_str(), Some("success"));
    assert_eq!(connected[0]["msg"].as_str(), Some("connected"));

    // Clients may speak msgpack too, as the SDKs do.
    let auth = rmpv::Value::Map(vec![
        ("action".into(), "auth".into()),
        ("key".into(), "MOCKKEY".into()),
        ("secret".into(), "MOCKSECRET".into()),
    ]);
    let mut bytes = Vec::new();
    rmpv::encode::write_value(&mut bytes, &auth).expect("encode");
    ws.send(Message::binary(bytes)).await.expect("send");
    assert_eq!(
        next_msgpack(&mut ws).await[0]["msg"].as_str(),
        Some("authenticated")
    );
    assert_eq!(
        mock.client_messages()[0],
        json!({"action":"auth","key":"MOCKKEY","secret":"MOCKSECRET"})
    );

    send(&mut ws, json!({"action":"subscribe","trades":["AAPL"]})).await;
    assert_eq!(
        next_msgpack(&mut ws).await[0]["T"].as_str(),
        Some("subscription")
    );
    mock.push(r#"[{"T":"t","S":"AAPL","i":7,"x":"K","p":162.92,"s":3,"c":["@"],"z":"C","t":"2023-04-06T11:54:26.838232225Z"}]"#);
    let trade = next_msgpack(&mut ws).await;
    let fields = trade[0].as_map().expect("a map");
    assert_eq!(fields[0].0.as_str(), Some("T"), "T comes first");
    assert_eq!(trade[0]["p"].as_f64(), Some(162.92));
    match &trade[0]["t"] {
        rmpv::Value::Ext(-1, data) => assert_eq!(data.len(), 12),
        other => panic!("t should be a msgpack timestamp, got {other:?}"),
    }
}

#[tokio::test]
async fn header_auth_and_shutdown() {
    let mock = start(MockConfig::default()).await;
    let mut req = mock.url("test").into_client_request().expect("request");
    req.headers_mut()
        .insert("APCA-API-KEY-ID", HeaderValue::from_static("MOCKKEY"));
    req.headers_mut().insert(
        "APCA-API-SECRET-KEY",
        HeaderValue::from_static("MOCKSECRET"),
    );
    let (mut ws, _) = timeout(STEP, tokio_tungstenite::connect_async(req))
        .await
        .expect("in time")
        .expect("upgrade");
    assert_eq!(next_text(&mut ws).await, CONNECTED);
    assert_eq!(next_text(&mut ws).await, AUTHENTICATED);
    mock.shutdown();
    expect_abrupt_end(&mut ws).await;
    assert!(
        tokio_tungstenite::connect_async(mock.url("iex"))
            .await
            .is_err(),
        "listener closed"
    );
}
