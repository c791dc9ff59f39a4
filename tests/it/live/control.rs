//! Operator control and data paths: manual reconnects in every phase, run-time
//! watchlist changes, msgpack, and record mode.

use super::*;
use tapewatch::sources::fixture::record;

/// `--record` as the binary sets it up.
fn recording(dir: &tempfile::TempDir, watch: &[Symbol]) -> (Setup, RecordThread) {
    let mut setup = Setup::new(Mode::Live);
    let (rec, writer) = record::start(
        &dir.path().join("session.jsonl"),
        tapewatch::domain::clock::Clock::now(&tapewatch::domain::clock::SystemClock),
        watch,
        setup.meters.record.clone(),
    )
    .unwrap();
    setup.recorder = Some(rec);
    (setup, writer)
}

type RecordThread = std::thread::JoinHandle<Result<u64, record::RecordError>>;

/// Stops the pipeline and returns the recording's text once its writer is done.
async fn finish(r: Running, writer: RecordThread, dir: &tempfile::TempDir) -> String {
    r.cancel.cancel();
    let _ = r.engine.await.unwrap();
    r.feed.join().await;
    tokio::task::spawn_blocking(move || writer.join())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    std::fs::read_to_string(dir.path().join("session.jsonl")).unwrap()
}

#[tokio::test(start_paused = true)]
async fn manual_reconnect_tears_down_records_a_disconnect_and_connects_again() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let cfg = stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]);
    let (setup, writer) = recording(&dir, &cfg.watchlist);
    let mut r = start_with(cfg, setup, true);
    until(&mut r, "subscribed", subscribed).await;
    let asked = Instant::now();
    let (req, answer) = Request::with_reply(Command::ReconnectAlpaca);
    r.commands.send(req).await.unwrap();
    // Live, the stream task does the reconnect: accepted (202), not done.
    let reply = answer.await.unwrap();
    assert_eq!(reply.outcome, Outcome::Accepted, "{reply:?}");
    assert!(mock.wait_for(WAIT, |m| m.connections_accepted() == 2).await);
    // Subscribed on the new connection: the engine now publishes as soon as it has
    // answered the command, while the old link may still read SUBSCRIBED.
    let s = until(&mut r, "resubscribed", |s| {
        let confirmations = s
            .events
            .iter()
            .filter(|e| e.message.starts_with("Subscription confirmed"))
            .count();
        subscribed(s) && has_event(s, "Manual reconnect") && confirmations >= 2
    })
    .await;
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(
        s.alpaca.consecutive_failures, 0,
        "a manual reconnect is not a failure"
    );
    let text = finish(r, writer, &dir).await;
    let disconnect = text.find(r#""fault":"disconnect""#);
    let recover = text.find(r#""fault":"recover""#);
    assert!(
        matches!((disconnect, recover), (Some(d), Some(c)) if d < c),
        "the manual teardown is recorded before the new connection:\n{text}"
    );
}

/// A connect or handshake that hangs does not delay a manual reconnect: it would
/// otherwise wait for the 10 s handshake timeout.
#[tokio::test(start_paused = true)]
async fn manual_reconnect_is_immediate_while_connecting_or_in_the_handshake() {
    for stall in [Stall::NoUpgrade, Stall::NoWelcome, Stall::IgnoreAuth] {
        let mock = MockAlpaca::start(MockConfig {
            auth_timeout: Duration::from_secs(60),
            ..mock_cfg()
        })
        .await
        .unwrap();
        mock.stall_handshakes(Some(stall));
        let mut r = start(
            stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL"]),
            true,
        );
        assert!(mock.wait_for(WAIT, |m| m.connections_accepted() == 1).await);
        if stall == Stall::IgnoreAuth {
            assert!(mock.wait_for_client_messages(1, WAIT).await, "auth sent");
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        mock.stall_handshakes(None);
        let asked = Instant::now();
        r.commands
            .send(Command::ReconnectAlpaca.into())
            .await
            .unwrap();
        let s = until(&mut r, "subscribed after the manual reconnect", subscribed).await;
        assert!(
            asked.elapsed() < Duration::from_secs(1),
            "{stall:?}: took {:?}",
            asked.elapsed()
        );
        assert_eq!(mock.connections_accepted(), 2, "{stall:?}");
        assert_eq!(s.alpaca.consecutive_failures, 0, "{stall:?}");
        assert_eq!(s.alpaca.reconnect_attempts, 1, "{stall:?}");
        r.cancel.cancel();
    }
}

#[tokio::test(start_paused = true)]
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

/// Real time on two workers, as the binary runs: the recording's writer and the
/// replay each run on an OS thread the paused runtime cannot see, and the point is
/// that recording keeps up with live ingest. Short backoffs keep it fast.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_mode_writes_a_fixture_that_replays_to_the_same_counts() {
    use tapewatch::sources::fixture::{reader::FixtureReader, replay::Speed};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.jsonl");
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut cfg = stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL", "MSFT"]);
    cfg.policy = BackoffPolicy {
        base_delay_ms: 50,
        max_delay_ms: 400,
        ..BackoffPolicy::default()
    };
    let (setup, writer) = recording(&dir, &cfg.watchlist);
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
    let live = until(&mut r, "80", |s| s.counters.messages >= 80).await;
    let text = finish(r, writer, &dir).await;
    assert!(text.lines().count() > 10, "{text}");
    assert!(
        !text.contains("MOCKSECRET"),
        "the secret is not in the recording"
    );
    assert!(text.contains(r#""fault":"disconnect""#) && text.contains(r#""fault":"recover""#));
    // A second recording to the same file is refused rather than overwriting it.
    let err = record::start(
        &path,
        Ts::ZERO,
        &[],
        tapewatch::plumbing::channels::Meters::default().record,
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

#[tokio::test(start_paused = true)]
async fn watchlist_changes_at_run_time_subscribe_and_unsubscribe() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let mut r = start(
        stream_cfg(mock.url("iex"), "MOCKSECRET", "iex", &["AAPL", "MSFT"]),
        true,
    );
    until(&mut r, "subscribed", subscribed).await;
    let (req, answer) = Request::with_reply(Command::ChangeWatchlist {
        add: vec![Symbol::new("NVDA")],
        remove: vec![Symbol::new("MSFT")],
    });
    r.commands.send(req).await.unwrap();
    // Changed in the engine; the stream still has to subscribe to match.
    let reply = answer.await.unwrap();
    assert_eq!(reply.outcome, Outcome::Accepted, "{reply:?}");
    assert!(reply.message.contains("subscribes to match"), "{reply:?}");
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
    r.commands
        .send(Command::ReconnectAlpaca.into())
        .await
        .unwrap();
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

/// `feed = "test"` from the config file to the socket: the path is `/v2/test`, the
/// default watchlist is FAKEPACA alone, and other symbols get a warning event.
#[tokio::test(start_paused = true)]
async fn the_test_feed_watches_fakepaca_and_warns_about_other_symbols() {
    let mock = MockAlpaca::start(mock_cfg()).await.unwrap();
    let cases: [(&str, &[&str], bool); 2] = [
        ("[alpaca]\nfeed = \"test\"\n", &["FAKEPACA"], false),
        (
            "watchlist = [\"FAKEPACA\", \"AAPL\"]\n[alpaca]\nfeed = \"test\"\n",
            &["AAPL", "FAKEPACA"],
            true,
        ),
    ];
    for (toml, want, warns) in cases {
        let settings = tapewatch::app::config::parse(toml, "c.toml").unwrap();
        let url = tapewatch::app::live::stream_url(
            Some(&format!("ws://{}", mock.addr())),
            &settings.feed,
        );
        assert!(url.ends_with("/v2/test"), "{url}");
        let watch: Vec<&str> = settings.watchlist.iter().map(|s| s.as_str()).collect();
        let mut setup = Setup::new(Mode::Live);
        setup.warnings = settings.warnings.clone();
        let mut r = start_with(stream_cfg(url, "MOCKSECRET", "test", &watch), setup, false);
        let s = until(&mut r, "subscribed", subscribed).await;
        assert_eq!(s.alpaca.subscribed_symbols, want, "{toml}");
        assert_eq!(
            has_event(&s, "streams only FAKEPACA"),
            warns,
            "{toml}: {:?}",
            s.events
        );
        r.cancel.cancel();
        let _ = r.engine.await;
        r.feed.join().await;
        assert!(
            mock.wait_for_sessions(0, WAIT).await,
            "the slot is free again"
        );
    }
}
