//! Integration tests for the SQLite store, its background writer and the logging setup,
//! through the public API only (plus raw rusqlite to fake databases from the future).

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tapewatch::domain::event::{Event, EventKind, Level};
use tapewatch::domain::types::{Source, Symbol, Ts};
use tapewatch::messages::store::StoreMsg;
use tapewatch::outputs::store::{spawn_writer, Store, StoreError, WriterHandle, SCHEMA_VERSION};
use tokio::sync::{mpsc, oneshot};

fn event(i: i64) -> Event {
    Event::new(
        Ts::from_millis(1_700_000_000_000 + i),
        Level::Info,
        EventKind::Connection,
        format!("event {i}"),
    )
}

fn send(tx: &mpsc::Sender<StoreMsg>, msg: StoreMsg) {
    tx.blocking_send(msg).expect("writer is running");
}

fn flush(tx: &mpsc::Sender<StoreMsg>) {
    let (done_tx, done_rx) = oneshot::channel();
    send(tx, StoreMsg::Flush(done_tx));
    done_rx.blocking_recv().expect("flush committed");
}

/// Joins the writer, failing the test instead of hanging if the thread does not end.
fn join_within(handle: WriterHandle, limit: Duration) -> Store {
    let deadline = Instant::now() + limit;
    while !handle.is_finished() {
        assert!(Instant::now() < deadline, "writer thread did not end");
        std::thread::sleep(Duration::from_millis(5));
    }
    handle.join().expect("writer thread ended cleanly")
}

#[test]
fn fresh_db_is_wal_and_migrated_and_reopen_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/tapewatch.db");
    let sid = {
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.journal_mode().unwrap(), "wal");
        assert_eq!(store.path(), path.as_path());
        let sid = store.begin_session(Ts::from_secs(1), "live").unwrap();
        store.insert_events(sid, &[event(1)]).unwrap();
        sid
    };
    for _ in 0..2 {
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.journal_mode().unwrap(), "wal");
        assert_eq!(store.count_events().unwrap(), 1);
        let next = store.begin_session(Ts::from_secs(2), "replay").unwrap();
        assert!(next > sid);
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let (mode, version): (String, String) = conn
        .query_row(
            "SELECT mode, version FROM sessions WHERE id = ?1",
            [sid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(mode, "live");
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
}

#[test]
fn database_from_a_newer_build_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    drop(Store::open(&path).unwrap());
    let newer = SCHEMA_VERSION + 7;
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", newer)
        .unwrap();

    let err = Store::open(&path).unwrap_err();
    match &err {
        StoreError::TooNew {
            found, supported, ..
        } => {
            assert_eq!(*found, newer);
            assert_eq!(*supported, SCHEMA_VERSION);
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.starts_with(&path.display().to_string()), "{msg}");
    assert!(msg.contains(&newer.to_string()), "{msg}");
    assert!(msg.contains(&SCHEMA_VERSION.to_string()), "{msg}");
}

#[test]
fn insert_and_recent_events_round_trip_newest_first() {
    let mut store = Store::open_in_memory().unwrap();
    let sid = store.begin_session(Ts::from_secs(10), "test").unwrap();
    let events = vec![
        Event::new(Ts(2_000), Level::Warn, EventKind::ParseError, "bad frame")
            .with_source(Source::Alpaca),
        Event::new(Ts(3_000), Level::Error, EventKind::Yahoo, "http 500")
            .with_source(Source::Yahoo)
            .with_symbol(Symbol::from("AAPL")),
        Event::new(Ts(1_000), Level::Info, EventKind::Command, "pause"),
        // Same timestamp as the first: insertion order breaks the tie.
        Event::new(
            Ts(2_000),
            Level::Info,
            EventKind::Subscription,
            "subscribed",
        )
        .with_symbol(Symbol::from("BRK.B")),
    ];
    assert_eq!(store.insert_events(sid, &events).unwrap(), 4);

    let got = store.recent_events(10).unwrap();
    let order: Vec<&str> = got.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(order, ["http 500", "subscribed", "bad frame", "pause"]);

    for stored in &got {
        let original = events.iter().find(|e| e.message == stored.message).unwrap();
        assert_eq!(stored.session_id, Some(sid));
        assert_eq!(stored.at, original.at);
        assert_eq!(stored.level, original.level.as_str());
        assert_eq!(stored.kind, original.kind.as_str());
        assert_eq!(
            stored.source.as_deref(),
            original.source.map(|s| s.as_str())
        );
        assert_eq!(
            stored.symbol.as_deref(),
            original.symbol.as_ref().map(|s| s.as_str())
        );
    }
    assert_eq!(store.recent_events(2).unwrap().len(), 2);
    assert_eq!(store.recent_events(0).unwrap().len(), 0);
}

#[test]
fn writer_batches_ten_thousand_queued_events() {
    const N: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("w.db")).unwrap();
    let sid = store.begin_session(Ts(0), "test").unwrap();
    let (tx, rx) = mpsc::channel(N + 1);
    for i in 0..N {
        tx.try_send(StoreMsg::Event(event(i as i64))).unwrap();
    }
    let (done_tx, done_rx) = oneshot::channel();
    tx.try_send(StoreMsg::Flush(done_tx)).unwrap();
    // Queue first, then start the writer: the batching it does is then deterministic.
    let handle = spawn_writer(store, sid, rx).unwrap();
    done_rx.blocking_recv().expect("flush committed");

    let stats = Arc::clone(handle.stats());
    assert_eq!(stats.rows_written.load(Ordering::Relaxed), N as u64);
    let batches = stats.batches.load(Ordering::Relaxed);
    assert!(batches <= 20, "{batches} batches for {N} events");
    assert_eq!(stats.errors.load(Ordering::Relaxed), 0);

    drop(tx);
    let store = join_within(handle, Duration::from_secs(30));
    assert_eq!(store.count_events().unwrap(), N as u64);
    let newest = &store.recent_events(1).unwrap()[0];
    assert_eq!(newest.message, format!("event {}", N - 1));
}

#[test]
fn writer_keeps_up_with_a_concurrent_sender_and_ends_when_it_is_dropped() {
    const N: usize = 10_000;
    let mut store = Store::open_in_memory().unwrap();
    let sid = store.begin_session(Ts(0), "test").unwrap();
    let (tx, rx) = mpsc::channel(1024);
    let handle = spawn_writer(store, sid, rx).unwrap();
    let stats = Arc::clone(handle.stats());

    let sender = std::thread::spawn(move || {
        for i in 0..N {
            send(&tx, StoreMsg::Event(event(i as i64)));
        }
        flush(&tx);
        // tx dropped here: the writer must end by itself.
    });
    sender.join().unwrap();
    assert_eq!(stats.rows_written.load(Ordering::Relaxed), N as u64);
    let batches = stats.batches.load(Ordering::Relaxed);
    assert!(batches >= 1 && batches <= N as u64, "{batches}");

    let store = join_within(handle, Duration::from_secs(30));
    assert_eq!(store.count_events().unwrap(), N as u64);
}

#[test]
fn writer_with_nothing_to_do_ends_when_the_sender_is_dropped() {
    let mut store = Store::open_in_memory().unwrap();
    let sid = store.begin_session(Ts(0), "test").unwrap();
    let (tx, rx) = mpsc::channel::<StoreMsg>(8);
    let handle = spawn_writer(store, sid, rx).unwrap();
    drop(tx);
    let store = join_within(handle, Duration::from_secs(10));
    assert_eq!(store.count_events().unwrap(), 0);
}

const CRASH_DB_ENV: &str = "TAPEWATCH_TEST_CRASH_DB";
const CRASH_EVENTS: usize = 1_500;

/// Child half of `flushed_events_survive_a_crash`, run only as its child process
/// (hence ignored): writes, flushes and aborts without any cleanup.
#[test]
#[ignore = "the child process of flushed_events_survive_a_crash, which runs it"]
fn crash_child() {
    let Some(path) = std::env::var_os(CRASH_DB_ENV) else {
        panic!("run by flushed_events_survive_a_crash, with {CRASH_DB_ENV} set");
    };
    let mut store = Store::open(Path::new(&path)).unwrap();
    let sid = store.begin_session(Ts(0), "crash").unwrap();
    let (tx, rx) = mpsc::channel(256);
    let _handle = spawn_writer(store, sid, rx).unwrap();
    for i in 0..CRASH_EVENTS {
        send(&tx, StoreMsg::Event(event(i as i64)));
    }
    flush(&tx);
    // No destructors, no checkpoint, no close: the committed WAL is all there is.
    std::process::abort();
}

#[test]
fn flushed_events_survive_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store::crash_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CRASH_DB_ENV, &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the child should have aborted");
    assert!(
        dir.path().join("crash.db-wal").exists(),
        "the abort should have left the WAL behind"
    );

    let store = Store::open(&path).unwrap();
    assert_eq!(store.count_events().unwrap(), CRASH_EVENTS as u64);
    let newest = &store.recent_events(1).unwrap()[0];
    assert_eq!(newest.message, format!("event {}", CRASH_EVENTS - 1));
}

#[test]
fn unwritable_path_error_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let path = file.join("sub/tapewatch.db");
    let err = Store::open(&path).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");

    // A file that exists but is not a database also names itself.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![b'x'; 4096]).unwrap();
    let msg = Store::open(&junk).unwrap_err().to_string();
    assert!(msg.starts_with(&junk.display().to_string()), "{msg}");
}

#[test]
fn logging_init_writes_a_log_file_and_refuses_a_second_install() {
    crate::support::isolated::run("store::logging_child", &[]);
}

/// Installs the global subscriber, so it runs alone in a child process.
#[test]
#[ignore = "installs the global log subscriber; run in a child process by logging_init_writes_a_log_file_and_refuses_a_second_install"]
fn logging_child() {
    let dir = tempfile::tempdir().unwrap();
    let log_dir = dir.path().join("logs");
    let guard = tapewatch::app::logging::init(tapewatch::app::logging::LogOptions {
        dir: Some(log_dir.clone()),
        stderr: false,
    })
    .unwrap();
    assert_eq!(guard.log_dir(), log_dir.as_path());
    tracing::info!(probe = 42, "logging test probe");

    let again = tapewatch::app::logging::init(tapewatch::app::logging::LogOptions {
        dir: Some(dir.path().join("other")),
        stderr: false,
    });
    assert!(again.is_err());

    drop(guard); // flushes the non-blocking writer
    let files: Vec<_> = std::fs::read_dir(&log_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("tapewatch.log"))
        })
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("logging test probe"), "{text}");
    assert!(!text.contains('\u{1b}'), "no ANSI escapes in the file");
}

#[test]
fn slo_minutes_and_alert_history_survive_a_restart() {
    use tapewatch::domain::alerts::{Actor, AlertRecord};
    use tapewatch::domain::slo::{MinuteBucket, SloConfig, SloTracker};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let minute = |m: i64, up: u32| MinuteBucket {
        minute: m,
        observed_secs: 60,
        available_secs: up,
        alpaca_up_secs: up,
        latency_total: 100,
        latency_good: 99,
        validation_total: 100,
        validation_good: 100,
    };
    let alert = |id: &str, action: &str, actor: Actor| AlertRecord {
        at: Ts::from_secs(1_700_000_000),
        alert_id: id.into(),
        name: "AlpacaDisconnected".into(),
        severity: "HIGH".into(),
        action: action.into(),
        actor,
        summary: "Alpaca stream disconnected".into(),
    };
    for (mode, id) in [("live", "H1"), ("replay", "X4")] {
        let mut store = Store::open(&path).unwrap();
        let sid = store.begin_session(Ts::from_secs(1), mode).unwrap();
        let (tx, rx) = mpsc::channel(16);
        let writer = spawn_writer(store, sid, rx).unwrap();
        send(&tx, StoreMsg::SloMinute(minute(100, 60)));
        // The same minute again (closed at shutdown, continued after a restart) adds up.
        send(
            &tx,
            StoreMsg::SloMinute(MinuteBucket {
                observed_secs: 0,
                ..minute(100, 0)
            }),
        );
        send(&tx, StoreMsg::SloMinute(minute(101, 30)));
        send(&tx, StoreMsg::Alert(alert(id, "fired", Actor::Engine)));
        send(&tx, StoreMsg::Alert(alert(id, "acknowledged", Actor::Tui)));
        flush(&tx);
        drop(tx);
        join_within(writer, Duration::from_secs(5));
    }
    let store = Store::open(&path).unwrap();
    let minutes = store.slo_minutes(0).unwrap();
    assert_eq!(minutes.len(), 2);
    assert_eq!(minutes[0].minute, 100);
    // Two runs wrote each minute; seconds are capped at a minute, messages add.
    assert_eq!(minutes[0].observed_secs, 60);
    assert_eq!(minutes[0].latency_total, 400);
    assert_eq!(store.slo_minutes(101).unwrap().len(), 1);
    // A new tracker seeded from the store sees the old minutes.
    let mut t = SloTracker::new(SloConfig::default());
    t.load(minutes);
    let r = t.report(101 * 60_000 + 59_000);
    let avail = r.slos.iter().find(|s| s.key == "availability").unwrap();
    assert_eq!((avail.good, avail.total), (120, 120));
    // Live runs reload only live history, oldest first, with who acted.
    let live = store.live_alert_history(10).unwrap();
    let got: Vec<(&str, &str, Actor)> = live
        .iter()
        .map(|a| (a.alert_id.as_str(), a.action.as_str(), a.actor))
        .collect();
    assert_eq!(
        got,
        [
            ("H1", "fired", Actor::Engine),
            ("H1", "acknowledged", Actor::Tui)
        ]
    );
    assert_eq!(store.alert_history().unwrap().len(), 4);
}
