//! `fixtures/trade-conditions.jsonl` through the replay path the demo uses: after each
//! record (odd lot, out-of-sequence, Form T, late, correction, cancel, non-firm quote)
//! Last, high/low, volume and the counters are what the condition tables say. Each
//! step replays the fixture up to that record, so every assertion sees the state a
//! viewer would see at that moment.

use rust_decimal::Decimal;
use tapewatch::app::pipeline::replay_to_end;
use tapewatch::sources::fixture::reader::FixtureReader;
use tapewatch::sources::fixture::replay::Speed;

const FIXTURE: &str = include_str!("../../fixtures/trade-conditions.jsonl");
/// Header and handshake (connected, authenticated, subscription).
const PREAMBLE: usize = 4;

fn d(s: &str) -> Option<Decimal> {
    Some(s.parse().unwrap())
}

/// The state after the first `records` records after the handshake.
async fn after(records: usize) -> std::sync::Arc<tapewatch::engine::snapshot::Snapshot> {
    let text: String = FIXTURE
        .lines()
        .take(PREAMBLE + records)
        .flat_map(|l| [l, "\n"])
        .collect();
    let reader = FixtureReader::from_bytes("trade-conditions", text.into_bytes()).unwrap();
    replay_to_end(reader, Speed::Max).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_print_moves_last_high_low_and_volume_as_the_tables_say() {
    // (records replayed, what it was, Last, high, low, volume)
    #[rustfmt::skip]
    let steps: &[(usize, &str, &str, &str, &str, i64)] = &[
        (1, "regular sale 228.10 x100", "228.10", "228.10", "228.10", 100),
        (2, "odd lot 228.50 x25: volume only", "228.10", "228.10", "228.10", 125),
        (3, "regular sale 228.20 x200", "228.20", "228.20", "228.10", 325),
        (4, "out of sequence (Z) 227.90: high/low and volume, not Last", "228.20", "228.20", "227.90", 425),
        (5, "Form T 229.00 x300: volume only", "228.20", "228.20", "227.90", 725),
        (6, "late regular sale 227.00, 13 s old: not Last", "228.20", "228.20", "227.00", 825),
        (7, "intermarket sweep 228.30", "228.30", "228.30", "227.00", 925),
        (8, "correction of it to 228.25", "228.25", "228.25", "227.00", 925),
        (9, "cancel of the corrected print", "228.20", "228.20", "227.00", 825),
        (10, "regular sale 228.40", "228.40", "228.40", "227.00", 925),
    ];
    for &(n, what, last, high, low, volume) in steps {
        let s = after(n).await;
        let v = &s.watchlist[0];
        assert_eq!(
            (v.price, v.tape.high, v.tape.low, v.volume),
            (d(last), d(high), d(low), volume),
            "after {n}: {what}"
        );
        assert_eq!(
            s.validation.rejected, 0,
            "after {n}: nothing here is a failure"
        );
    }
    let s = after(12).await;
    let v = &s.watchlist[0];
    let t = &v.tape;
    assert_eq!((t.non_eligible, t.late, t.unknown_condition), (2, 2, 0));
    assert_eq!((t.corrected, t.cancelled, t.unmatched_amends), (1, 1, 0));
    // The non-firm quote after the regular one did not set the bid/ask.
    assert_eq!(
        (v.bid, v.ask, t.non_firm_quotes),
        (d("228.38"), d("228.42"), 1)
    );
    assert_eq!(v.trades, 8);
    // The P&L mark and the breaker's reference follow the same Last.
    assert_eq!(s.validation.tripped.len(), 0);
    // The amendments that moved Last are in the event log.
    let tape: Vec<&str> = s
        .events
        .iter()
        .filter(|e| e.kind.as_str() == "tape")
        .map(|e| e.message.as_str())
        .collect();
    assert!(
        tape.iter()
            .any(|m| m.contains("corrected to 228.25") && m.contains("Last is now 228.25")),
        "{tape:?}"
    );
    assert!(
        tape.iter()
            .any(|m| m.contains("Trade cancel") && m.contains("Last is now 228.2")),
        "{tape:?}"
    );
}

/// The live start's check of Alpaca's condition lists, against the mock market-data
/// host: tapes A and B match the table, tape C names the code the table lacks, and a
/// refused key is reported, not fatal.
#[tokio::test]
async fn alpaca_condition_lists_are_fetched_and_compared_with_the_table() {
    use crate::support::mock_trading::{MockTrading, KEY_ID, SECRET_KEY};
    use secrecy::SecretString;
    use tapewatch::app::pipeline::conditions::check;
    use tapewatch::sources::alpaca::rest::RestConfig;
    let mut mock = MockTrading::start().await;
    let mut cfg = RestConfig::new(SecretString::from(KEY_ID), SecretString::from(SECRET_KEY));
    cfg.data_url = mock.base_url();
    cfg.request_timeout_secs = 2;
    let lists = check(&cfg).await;
    let tapes: Vec<char> = lists.iter().map(|(t, _)| *t).collect();
    assert_eq!(tapes, ['A', 'B', 'C']);
    for (tape, r) in &lists[..2] {
        let c = r.as_ref().unwrap();
        assert!(c.unknown.is_empty(), "{tape}: {:?}", c.unknown);
        assert_eq!(c.known, 25, "{tape}");
        assert_eq!(c.table_only, ["@"], "{tape}: only IEX's regular-sale mark");
    }
    let c = lists[2].1.as_ref().unwrap();
    assert_eq!(
        c.unknown,
        [("J".to_string(), "A Code Not In The Table".to_string())]
    );
    assert_eq!(c.known, 10);
    let seen = mock.seen();
    assert_eq!(seen.len(), 3);
    assert!(seen
        .iter()
        .all(|s| s.authorized && s.path == "/v2/stocks/meta/conditions/trade"));

    // The engine names the unknown code in the event log.
    let mut st =
        tapewatch::engine::state::EngineState::new(tapewatch::engine::state::StateConfig {
            mode: tapewatch::engine::snapshot::Mode::Live,
            feed: "sip".into(),
            watchlist: vec!["AAPL".into()],
            started_at: tapewatch::domain::types::Ts::from_secs(1_790_000_000),
            replay_name: None,
            routing: Default::default(),
            validation: Default::default(),
        });
    let mut fx = tapewatch::engine::state::Effects::default();
    st.condition_lists(&lists, &mut fx);
    let texts: Vec<&str> = fx.events.iter().map(|e| e.message.as_str()).collect();
    assert!(
        texts[0].contains("tape A: all 25 codes are in the table"),
        "{texts:?}"
    );
    assert!(
        texts[2].contains("1 trade condition(s) for tape C")
            && texts[2].contains("\"J\" (A Code Not In The Table)"),
        "{texts:?}"
    );

    // A refused key: each list is reported as not checked, with the reason.
    let mut bad = cfg.clone();
    bad.secret_key = SecretString::from("wrong");
    let lists = check(&bad).await;
    assert!(
        lists
            .iter()
            .all(|(_, r)| r.as_ref().is_err_and(|e| e.contains("401"))),
        "{lists:?}"
    );
    mock.shutdown().await;
}
