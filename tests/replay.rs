//! The demo fixture through the real replay feed and engine: expected counts, the
//! scripted incidents visible in state, and identical final state at any speed.

use tapewatch::engine::snapshot::{LinkState, Snapshot};
use tapewatch::fixture::reader::FixtureReader;
use tapewatch::fixture::replay::Speed;
use tapewatch::fixture::DEMO_FIXTURE;
use tapewatch::pipeline::replay_to_end;

async fn demo_at(speed: Speed) -> std::sync::Arc<Snapshot> {
    let reader = FixtureReader::from_static("demo", DEMO_FIXTURE).unwrap();
    replay_to_end(reader, speed).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_yields_the_expected_counts() {
    let s = demo_at(Speed::Max).await;
    let c = &s.counters;
    assert_eq!(c.parse_errors, 0);
    assert_eq!(c.unknown_types, 0);
    assert_eq!(c.fixture_errors, 0);
    // Two handshakes: at the start and after the outage.
    assert_eq!(c.by_type["success"], 4);
    assert_eq!(c.by_type["subscription"], 2);
    assert_eq!(c.faults, 2);
    assert_eq!(c.yahoo_responses, 4 * 12);
    // The generator's figures: every frame and every message arrives.
    assert_eq!(c.frames, 13_934);
    assert_eq!(
        (c.by_type["t"], c.by_type["q"], c.by_type["b"]),
        (7_425, 9_142, 84)
    );
    assert_eq!(c.messages, 7_425 + 9_142 + 84);
    // After the outage the stream recovered and every symbol has a price.
    assert_eq!(s.alpaca.state, LinkState::Subscribed);
    assert_eq!(s.alpaca.subscribed_symbols.len(), 12);
    assert!(s
        .watchlist
        .iter()
        .all(|v| v.price.is_some() && v.prev_close.is_some()));
    assert!(s.replay.as_ref().unwrap().finished);
    // The outage is in the event log.
    assert!(s.events.iter().any(|e| e.message.contains("DISCONNECTED")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_speed_and_50x_end_in_identical_state() {
    let fast = demo_at(Speed::Max).await;
    let paced = demo_at(Speed::Factor(50.0)).await;
    let (a, b) = (fast.deterministic(), paced.deterministic());
    assert_eq!(a, b);
    // And the comparison is not vacuous.
    assert!(a.counters.messages > 0 && a.events.len() > 3);
}
