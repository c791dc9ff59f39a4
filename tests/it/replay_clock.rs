//! The replay clock, on tokio's paused clock: the demo at 1× keeps fixture time in
//! step with wall time through its quiet 90 s outage, every published snapshot's
//! time is at or after the one before, the failover comes 10 s after the disconnect
//! (in fixture time and in wall time), and ages are measured on the clock the
//! prices came from. Also the replay controls: pause, speed and restart.

use std::time::Duration;
use tapewatch::app::pipeline::{self, Setup};
use tapewatch::domain::router::RouterState;
use tapewatch::engine::snapshot::{Mode, Snapshot};
use tapewatch::messages::replay::ReplayAction;
use tapewatch::messages::{Command, LinkState, Request};
use tapewatch::sources::fixture::gen::incidents::{OUTAGE_END_MS, OUTAGE_START_MS};
use tapewatch::sources::fixture::reader::FixtureReader;
use tapewatch::sources::fixture::replay::Speed;
use tapewatch::sources::fixture::DEMO_FIXTURE;
use tokio::time::Instant;

fn demo() -> FixtureReader {
    FixtureReader::from_static("demo", DEMO_FIXTURE).unwrap()
}

/// Fixture milliseconds since the start.
fn pos(s: &Snapshot) -> i64 {
    s.now.millis_since(s.started_at)
}

#[tokio::test(start_paused = true)]
async fn the_demo_at_1x_keeps_time_and_fails_over_10s_after_the_disconnect() {
    let running = pipeline::start(demo(), Setup::new(Mode::Demo), Speed::Factor(1.0)).unwrap();
    let mut rx = running.snapshots.clone();
    let t0 = Instant::now();
    let real = std::time::Instant::now();
    let mut last = rx.borrow().now;
    let mut disconnected: Option<(Duration, i64)> = None;
    let mut failover: Option<(Duration, i64)> = None;
    let mut published = 0u32;
    while rx.changed().await.is_ok() {
        let s = rx.borrow_and_update().clone();
        let wall = t0.elapsed();
        published += 1;
        assert!(s.now >= last, "time went back: {} after {}", s.now, last);
        last = s.now;
        // Fixture time never runs ahead of the wall at 1× (a tick is 1 s).
        let ahead = pos(&s) - i64::try_from(wall.as_millis()).unwrap();
        assert!(
            ahead <= 0,
            "engine time {} ms ran {ahead} ms ahead of the wall",
            pos(&s)
        );
        // ...nor falls far behind it: quiet stretches pass at 1× too.
        assert!(
            ahead > -1_500,
            "engine time {} ms is {ahead} ms behind",
            pos(&s)
        );
        if disconnected.is_none() && s.alpaca.state == LinkState::Disconnected && pos(&s) > 1_000 {
            disconnected = Some((wall, pos(&s)));
        }
        if failover.is_none() && s.router.connection_state == RouterState::FallbackActive {
            let at = s.router.last_transition.as_ref().unwrap().at;
            failover = Some((wall, at.millis_since(s.started_at)));
        }
        // Yahoo answers at 250.5 s; a second later its prices are seconds old, on
        // the clock they came from (the engine clock used to jump to the next
        // record, 310 s, and call them a minute old).
        if (252_000..253_000).contains(&pos(&s)) {
            for v in s.watchlist.iter().filter(|v| v.yahoo.is_some()) {
                let age = s.now.millis_since(v.yahoo.unwrap().as_of);
                assert!(
                    (0..=5_000).contains(&age),
                    "{} Yahoo age {age} ms",
                    v.symbol
                );
            }
        }
        if s.replay.as_ref().unwrap().finished {
            break;
        }
        assert!(
            real.elapsed() < Duration::from_secs(120),
            "the paced replay is not on tokio's clock"
        );
    }
    let (d_wall, d_pos) = disconnected.expect("the outage was published");
    let (f_wall, f_pos) = failover.expect("the failover was published");
    assert!(
        (OUTAGE_START_MS..OUTAGE_START_MS + 100).contains(&d_pos),
        "{d_pos}"
    );
    // The activation delay is honoured in fixture time...
    assert_eq!(f_pos - OUTAGE_START_MS, 10_000);
    // ...and in wall time at 1× (snapshots are at most 50 ms apart).
    let gap = f_wall - d_wall;
    assert!(
        (Duration::from_millis(9_900)..=Duration::from_millis(10_150)).contains(&gap),
        "failover {gap:?} after the disconnect"
    );
    // The whole ten minutes took ten minutes, outage included.
    let total = t0.elapsed();
    assert!(
        (Duration::from_secs(595)..=Duration::from_secs(602)).contains(&total),
        "{total:?}"
    );
    assert!(published > 1_000, "{published} snapshots");
    const { assert!(OUTAGE_END_MS > OUTAGE_START_MS) };
    running.cancel.cancel();
}

async fn send(running: &pipeline::Running, action: ReplayAction) -> String {
    let (req, answer) = Request::with_reply(Command::Replay(action));
    running.commands.send(req).await.unwrap();
    answer.await.unwrap().message
}

#[tokio::test(start_paused = true)]
async fn space_pauses_plus_speeds_up_and_r_starts_over() {
    let mut setup = Setup::new(Mode::Demo);
    setup.hold = true;
    setup.reopen = Some(Box::new(|| {
        FixtureReader::from_static("demo", DEMO_FIXTURE)
    }));
    let running = pipeline::start(demo(), setup, Speed::Factor(1.0)).unwrap();
    let rx = running.snapshots.clone();
    tokio::time::sleep(Duration::from_secs(30)).await;
    let at_pause = pos(&rx.borrow());
    assert!((28_000..=30_000).contains(&at_pause), "{at_pause}");
    assert_eq!(
        send(&running, ReplayAction::TogglePause).await,
        "Replay paused (Space resumes)"
    );
    tokio::time::sleep(Duration::from_secs(60)).await;
    let s = rx.borrow().clone();
    assert!(s.replay.as_ref().unwrap().paused);
    assert!(pos(&s) - at_pause <= 1_000, "time moved while paused");
    send(&running, ReplayAction::TogglePause).await;
    assert_eq!(
        send(&running, ReplayAction::Faster).await,
        "Replay speed 1x → 2x"
    );
    let before = pos(&rx.borrow());
    tokio::time::sleep(Duration::from_secs(10)).await;
    let moved = pos(&rx.borrow()) - before;
    assert!(
        (18_000..=21_000).contains(&moved),
        "2x for 10 s moved {moved} ms"
    );
    // Restart: back to the beginning, state and all.
    assert_eq!(
        send(&running, ReplayAction::Restart).await,
        "Replay restarting from the beginning"
    );
    // The replay thread is an OS thread, outside the paused clock: give it real time
    // to start over (a loaded machine may take a while), in small steps of fixture time.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !rx
        .borrow()
        .events
        .iter()
        .any(|e| e.message == "Replay restarted from the beginning")
    {
        assert!(std::time::Instant::now() < deadline, "no restart in 30 s");
        std::thread::sleep(Duration::from_millis(2));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let s = rx.borrow().clone();
    assert!(pos(&s) < 10_000, "after R: {} ms", pos(&s));
    assert!(s
        .events
        .iter()
        .any(|e| e.message == "Replay restarted from the beginning"));
    assert!(
        s.counters.messages < 2_000,
        "{} messages",
        s.counters.messages
    );
    running.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn replay_controls_are_refused_where_there_is_no_replay_to_control() {
    // A headless replay reads the fixture once: no restart.
    let running = pipeline::start(demo(), Setup::new(Mode::Replay), Speed::Factor(1.0)).unwrap();
    let msg = send(&running, ReplayAction::Restart).await;
    assert!(msg.contains("cannot start over"), "{msg}");
    let msg = send(&running, ReplayAction::Slower).await;
    assert_eq!(msg, "Replay speed 1x → 0.5x");
    running.cancel.cancel();
}
