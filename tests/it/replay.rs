//! The demo fixture through the real replay feed and engine: expected counts, the
//! scripted incidents visible in state, and identical final state at any speed.

use tapewatch::app::pipeline::replay_to_end;
use tapewatch::domain::alerts::{Actor, Severity};
use tapewatch::engine::snapshot::Snapshot;
use tapewatch::messages::LinkState;
use tapewatch::sources::fixture::reader::FixtureReader;
use tapewatch::sources::fixture::replay::Speed;
use tapewatch::sources::fixture::DEMO_FIXTURE;

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

/// On tokio's paused clock the paced replay takes no real time (pacing is the
/// engine's, on tokio time).
#[tokio::test(start_paused = true)]
async fn max_speed_and_50x_end_in_identical_state() {
    let fast = demo_at(Speed::Max).await;
    let paced = demo_at(Speed::Factor(50.0)).await;
    let (a, b) = (fast.deterministic(), paced.deterministic());
    assert_eq!(a, b);
    // And the comparison is not vacuous.
    assert!(a.counters.messages > 0 && a.events.len() > 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_outage_is_one_failover_and_one_failback() {
    use tapewatch::domain::router::RouterState;
    let s = demo_at(Speed::Max).await;
    let moves: Vec<(String, String, String)> = s
        .router
        .transitions
        .iter()
        .map(|t| {
            (
                t.at.to_rfc3339(),
                format!("{}→{}", t.from, t.to),
                t.reason.clone(),
            )
        })
        .collect();
    assert_eq!(moves.len(), 3, "{moves:?}");
    // The outage starts at 15:04:00; the fallback takes over after the 10 s delay.
    assert_eq!(moves[0].0, "2026-11-17T15:04:10Z");
    assert_eq!(moves[0].1, "PRIMARY_ACTIVE→FALLBACK_ACTIVE");
    assert!(moves[0].2.contains("Alpaca disconnected"), "{moves:?}");
    assert_eq!(moves[1].1, "FALLBACK_ACTIVE→PRIMARY_RECOVERING");
    assert_eq!(moves[2].1, "PRIMARY_RECOVERING→PRIMARY_ACTIVE");
    assert_eq!(moves[2].2, "Alpaca recovered");
    assert_eq!(s.router.fallback_count, 1);
    assert_eq!(s.router.failbacks, 1);
    assert_eq!(s.router.connection_state, RouterState::PrimaryActive);
    // The runbook's grep finds every transition in the event log.
    let logged = s
        .events
        .iter()
        .filter(|e| {
            e.message.starts_with("State transition:")
                && e.message.contains("DataSourceRouter state transition")
        })
        .count();
    assert_eq!(logged, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_bad_data_is_rejected_and_the_spike_trips_then_closes() {
    let s = demo_at(Speed::Max).await;
    let v = &s.validation;
    for rule in ["price_positive", "volume_non_negative", "timestamp_future"] {
        assert!(
            v.by_rule.get(rule).copied().unwrap_or(0) >= 1,
            "{rule}: {:?}",
            v.by_rule
        );
    }
    assert_eq!(v.by_rule.get("price_circuit_breaker").copied(), Some(1));
    assert!(
        v.tripped.is_empty(),
        "the TSLA breaker closed again: {:?}",
        v.tripped
    );
    let texts: Vec<&str> = s.events.iter().map(|e| e.message.as_str()).collect();
    for want in [
        "Validation failed: Invalid price: 0 symbol: AMD",
        "Validation failed: Invalid volume: -100 symbol: NFLX",
        "Circuit breaker triggered: TSLA price movement 25% exceeds 20% threshold",
    ] {
        assert!(texts.contains(&want), "missing {want:?}");
    }
    assert!(texts
        .iter()
        .any(|t| t.starts_with("Circuit breaker closed: TSLA")));
    // The bad prints never became prices.
    let tsla = s.watchlist.iter().find(|w| w.symbol == "TSLA").unwrap();
    let prev = tsla.prev_close.unwrap();
    let p = tsla.price.unwrap();
    assert!(
        p < prev * rust_decimal::Decimal::new(12, 1),
        "{p} vs {prev}"
    );
    assert!(s
        .watchlist
        .iter()
        .all(|w| w.price.unwrap() > rust_decimal::Decimal::ZERO));
    // NFLX's Yahoo price disagrees by 6.5% after the outage: flagged (and cleared
    // once the Yahoo price is too old to compare).
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("Cross-source delta: NFLX")),
        "{texts:?}"
    );
    assert!(v.success_rate_pct > 99.0, "{}", v.success_rate_pct);
}

/// A fixture with a handshake and then an hour of silence starting at `start`.
fn quiet_hour(start: &str) -> tempfile::NamedTempFile {
    use std::io::Write;
    let mut f = tempfile::NamedTempFile::new().unwrap();
    let lines = [
        format!(r#"{{"tapewatch_fixture":1,"name":"quiet","start":"{start}","symbols":["AAPL"]}}"#),
        r#"{"t_ms":10,"src":"alpaca","ws":"[{\"T\":\"success\",\"msg\":\"connected\"}]"}"#.into(),
        r#"{"t_ms":20,"src":"alpaca","ws":"[{\"T\":\"success\",\"msg\":\"authenticated\"}]"}"#.into(),
        r#"{"t_ms":30,"src":"alpaca","ws":"[{\"T\":\"subscription\",\"trades\":[\"AAPL\"],\"quotes\":[],\"bars\":[]}]"}"#.into(),
        r#"{"t_ms":3600000,"src":"alpaca","ws":"[]"}"#.into(),
    ];
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
    f
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hour_of_closed_market_makes_no_transitions() {
    // Saturday: the market is closed, so silence is just quiet.
    let f = quiet_hour("2026-11-21T15:00:00Z");
    let s = replay_to_end(FixtureReader::open(f.path()).unwrap(), Speed::Max)
        .await
        .unwrap();
    assert_eq!(s.now.to_rfc3339(), "2026-11-21T16:00:00Z");
    assert!(
        s.router.transitions.is_empty(),
        "{:?}",
        s.router.transitions
    );
    assert_eq!(s.router.fallback_count, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_silence_with_the_market_open_fails_over_once() {
    // Tuesday 10:00 New York: 30 s of silence is a timeout, and 10 s later Yahoo serves.
    let f = quiet_hour("2026-11-17T15:00:00Z");
    let s = replay_to_end(FixtureReader::open(f.path()).unwrap(), Speed::Max)
        .await
        .unwrap();
    let t = &s.router.transitions;
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(t[0].reason, "Alpaca timeout");
    // Due at 15:00:40.030 (last message + 30 s + 10 s); replay ticks once a second.
    assert_eq!(t[0].at.to_rfc3339(), "2026-11-17T15:00:41Z");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_outage_fires_and_resolves_alpaca_disconnected_with_its_runbook() {
    let s = demo_at(Speed::Max).await;
    let texts: Vec<&str> = s
        .events
        .iter()
        .filter(|e| e.message.starts_with("Alert "))
        .map(|e| e.message.as_str())
        .collect();
    // Down at 15:04:00; H1 needs more than a minute; the stream is back at 15:05:30.
    let fired = s
        .events
        .iter()
        .find(|e| {
            e.message
                .starts_with("Alert H1 HIGH AlpacaDisconnected firing")
        })
        .expect("H1 fired");
    assert_eq!(fired.at.to_rfc3339(), "2026-11-17T15:05:01Z");
    assert!(fired.message.contains("RUNBOOK-002"), "{}", fired.message);
    assert!(texts
        .iter()
        .any(|t| t.starts_with("Alert H1 HIGH AlpacaDisconnected resolved")));
    assert!(texts
        .iter()
        .any(|t| t.starts_with("Alert I1 INFO AlpacaRecovered firing")));
    // Nothing is left firing, and the outage never made both sources unavailable.
    assert_eq!(
        s.alerts.counts.critical + s.alerts.counts.high,
        0,
        "{:?}",
        s.alerts.active
    );
    assert!(!texts.iter().any(|t| t.contains("C1 ")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_fires_h1_i2_and_the_symbol_breaker_alert_then_resolves_them() {
    let s = demo_at(Speed::Max).await;
    // The history is newest first; read it in order.
    let seen: Vec<(String, String)> = s
        .alert_history
        .iter()
        .rev()
        .map(|h| (h.alert_id.clone(), h.action.clone()))
        .collect();
    let pos = |id: &str, action: &str| {
        seen.iter()
            .position(|(i, a)| i == id && a == action)
            .unwrap_or_else(|| panic!("{id} {action} missing from {seen:?}"))
    };
    // The TSLA spike trips its price breaker (X4), which closes again.
    assert!(pos("X4", "fired") < pos("X4", "resolved"));
    // The outage: I2 on failover, H1 after a minute, H1 resolved, I2 on the way back.
    assert!(pos("I2", "fired") < pos("H1", "fired"));
    assert!(pos("H1", "fired") < pos("H1", "resolved"));
    let i2 = seen.iter().filter(|(i, _)| i == "I2").count();
    assert_eq!(i2, 3, "failover, recovering, active: {seen:?}");
    assert!(s.alert_history.iter().all(|h| h.actor == Actor::Engine));
    // Nothing pages at the end, and a 90 s outage is a sliver of any budget: no L1.
    assert!(
        s.alerts.active.iter().all(|a| a.severity == Severity::Info),
        "{:?}",
        s.alerts.active
    );
    assert!(!seen.iter().any(|(i, _)| i == "L1"), "{seen:?}");
    // The demo portfolio's largest position is 27%: no concentration alert, not even
    // while only some symbols have a price at the start.
    assert!(!seen.iter().any(|(i, _)| i == "X8"), "{seen:?}");
    let uptime = s
        .slo
        .slos
        .iter()
        .find(|x| x.key == "alpaca_uptime")
        .unwrap();
    let left = uptime.budget_remaining_pct.unwrap();
    assert!(left > 99.0 && left < 100.0, "{uptime:?}");
}

/// Lines nested 100,000 levels deep (inside a frame, as the line itself, as a Yahoo
/// body) used to abort the replay with a stack overflow. Each now costs its own line
/// or frame, reported with the reason, and the replay reads on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixture_nested_100k_deep_is_reported_and_skipped() {
    use std::io::Write;
    let n = 100_000;
    let deep = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let deep_obj = format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n));
    let frame = serde_json::to_string(&deep).unwrap();
    let body = serde_json::to_string(&deep_obj).unwrap();
    let mut f = tempfile::NamedTempFile::new().unwrap();
    let lines = [
        r#"{"tapewatch_fixture":1,"name":"deep","start":"2026-11-17T15:00:00Z","symbols":["AAPL"]}"#.to_string(),
        r#"{"t_ms":10,"src":"alpaca","ws":"[{\"T\":\"success\",\"msg\":\"connected\"}]"}"#.into(),
        r#"{"t_ms":20,"src":"alpaca","ws":"[{\"T\":\"success\",\"msg\":\"authenticated\"}]"}"#.into(),
        r#"{"t_ms":30,"src":"alpaca","ws":"[{\"T\":\"subscription\",\"trades\":[\"AAPL\"],\"quotes\":[],\"bars\":[]}]"}"#.into(),
        format!(r#"{{"t_ms":40,"src":"alpaca","ws":{frame}}}"#),
        format!(r#"{{"t_ms":50,"src":"alpaca","ws":{deep}}}"#),
        format!(r#"{{"t_ms":60,"src":"alpaca","zz":{deep_obj},"ws":"[]"}}"#),
        format!(
            r#"{{"t_ms":70,"src":"yahoo","http":{{"url":"https://query1.finance.yahoo.com/v8/finance/chart/AAPL","status":200,"body":{body}}}}}"#
        ),
        r#"{"t_ms":80,"src":"alpaca","ws":"[{\"T\":\"t\",\"S\":\"AAPL\",\"i\":1,\"x\":\"V\",\"p\":228.13,\"s\":100,\"c\":[\"@\"],\"t\":\"2026-11-17T15:00:00.079Z\",\"z\":\"C\"}]"}"#.into(),
    ];
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
    let s = replay_to_end(FixtureReader::open(f.path()).unwrap(), Speed::Max)
        .await
        .unwrap();
    let c = &s.counters;
    assert_eq!(c.parse_errors, 1, "the deep frame: {:#?}", s.events);
    assert_eq!(c.fixture_errors, 2, "the two deep lines: {:#?}", s.events);
    assert_eq!(s.yahoo.failures, 1, "the deep body");
    let texts: Vec<&str> = s.events.iter().map(|e| e.message.as_str()).collect();
    for want in [
        "frame is nested deeper than 16 levels",
        "line is nested deeper than 16 levels",
        "response is nested deeper than 32 levels",
    ] {
        assert!(texts.iter().any(|t| t.contains(want)), "{want}: {texts:#?}");
    }
    // The replay read on: the trade after them is on screen.
    let aapl = s.watchlist.iter().find(|v| v.symbol.as_str() == "AAPL");
    assert_eq!(
        aapl.and_then(|v| v.price).map(|p| p.to_string()).as_deref(),
        Some("228.13")
    );
    assert!(s.replay.as_ref().unwrap().finished);
}

/// Version 1 (frames as strings) and version 2 (frames as raw JSON, most of them
/// parsed on the replay thread) replay to the same state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_1_fixture_replays_to_the_same_state_as_version_2() {
    use std::io::Write;
    use tapewatch::sources::fixture::plain_ws_line;
    let v2 = std::str::from_utf8(DEMO_FIXTURE).unwrap();
    assert!(v2.starts_with(r#"{"tapewatch_fixture":2,"#));
    let mut v1 = tempfile::NamedTempFile::new().unwrap();
    let mut raw_lines = 0;
    for (i, line) in v2.lines().enumerate() {
        let line = match (i, plain_ws_line(line)) {
            (0, _) => line.replacen(r#""tapewatch_fixture":2"#, r#""tapewatch_fixture":1"#, 1),
            (_, Some((t_ms, frame))) => {
                raw_lines += 1;
                let ws = serde_json::to_string(frame).unwrap();
                format!(r#"{{"t_ms":{t_ms},"src":"alpaca","ws":{ws}}}"#)
            }
            (_, None) => line.to_string(),
        };
        writeln!(v1, "{line}").unwrap();
    }
    assert!(raw_lines > 13_000, "{raw_lines}");
    let old = replay_to_end(FixtureReader::open(v1.path()).unwrap(), Speed::Max)
        .await
        .unwrap();
    let new = demo_at(Speed::Max).await;
    assert_eq!(old.counters.fixture_errors, 0);
    assert_eq!(old.deterministic(), new.deterministic());
}
