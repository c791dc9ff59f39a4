//! Table tests of the pure engine state.

use super::*;

fn state(symbols: &[&str]) -> EngineState {
    EngineState::new(StateConfig {
        mode: Mode::Live,
        feed: "iex".into(),
        watchlist: symbols.iter().map(|s| Symbol::new(s)).collect(),
        started_at: Ts::parse_rfc3339("2026-11-17T15:00:05Z").unwrap(),
        replay_name: None,
        routing: Default::default(),
        validation: Default::default(),
    })
}

fn syms(list: &[&str]) -> Vec<Symbol> {
    list.iter().map(|s| Symbol::new(s)).collect()
}

type Case<'a> = (&'a [&'a str], &'a [&'a str], Result<&'a [&'a str], &'a str>);

#[test]
fn watchlist_changes_keep_state_and_report() {
    // (add, remove, Ok(new list) | Err(fragment of the reason))
    let cases: &[Case] = &[
        (&["NFLX"], &[], Ok(&["AAPL", "MSFT", "NFLX"])),
        (&[], &["MSFT"], Ok(&["AAPL"])),
        (&["AAPL"], &[], Err("unchanged")),
        (&[], &["ZZZZ"], Err("unchanged")),
        (&[], &["AAPL", "MSFT"], Err("empty")),
        (&["TSLA"], &["AAPL"], Ok(&["MSFT", "TSLA"])),
    ];
    for (add, remove, want) in cases {
        let mut st = state(&["AAPL", "MSFT"]);
        let mut fx = Effects::default();
        let got = st.change_watchlist(&syms(add), &syms(remove), &mut fx);
        match want {
            Ok(list) => {
                assert_eq!(
                    got.as_deref().ok(),
                    Some(&syms(list)[..]),
                    "{add:?} {remove:?}"
                );
                assert_eq!(fx.watchlist.as_deref(), Some(&syms(list)[..]));
                let snap = st.snapshot(1, Perf::default(), Vec::new());
                let shown: Vec<&str> = snap.watchlist.iter().map(|v| v.symbol.as_str()).collect();
                assert_eq!(&shown[..], *list);
            }
            Err(frag) => {
                let e = got.expect_err("must refuse");
                assert!(e.contains(frag), "{e}");
                assert!(fx.watchlist.is_none());
            }
        }
        assert_eq!(fx.events.len(), 1, "one event either way");
    }
}

#[test]
fn removing_a_symbol_keeps_the_others_prices_and_routes_new_trades() {
    use crate::domain::wire::{parse_frame, ParseLimits};
    let mut st = state(&["AAPL", "MSFT"]);
    let mut fx = Effects::default();
    let frame = |sym: &str, p: &str| {
        format!(
            r#"[{{"T":"t","S":"{sym}","i":1,"x":"V","p":{p},"s":5,"c":["@"],"t":"2026-11-17T15:00:01Z","z":"C"}}]"#
        )
    };
    let apply = |st: &mut EngineState, f: String, fx: &mut Effects| {
        let p = parse_frame(f.as_bytes(), &ParseLimits::default());
        st.apply_frame(st.now(), &p.msgs, &p.issues, fx);
    };
    apply(&mut st, frame("MSFT", "410.5"), &mut fx);
    st.change_watchlist(&syms(&["NVDA"]), &syms(&["AAPL"]), &mut fx)
        .unwrap();
    apply(&mut st, frame("NVDA", "140.25"), &mut fx);
    apply(&mut st, frame("AAPL", "228"), &mut fx);
    let snap = st.snapshot(1, Perf::default(), Vec::new());
    assert_eq!(snap.watchlist[0].symbol, "MSFT");
    assert_eq!(
        snap.watchlist[0].price.map(|p| p.to_string()).as_deref(),
        Some("410.5")
    );
    assert_eq!(
        snap.watchlist[1].price.map(|p| p.to_string()).as_deref(),
        Some("140.25")
    );
    assert_eq!(snap.counters.unwatched, 1, "AAPL is no longer watched");
}

/// The default knobs' targets: a hard close fails over, and the poller is told to poll
/// Yahoo now, within the 10 s activation delay plus one 250 ms tick (so Yahoo prices are
/// on screen within 11 s with a sub-second poll). A silent stall reaches this same
/// point 10 s later (5 s ping + 5 s pong in the stream task), so within 21 s.
#[test]
fn default_knobs_hard_close_switches_the_poller_to_yahoo_within_10_s_and_a_tick() {
    use crate::domain::wire::{parse_frame, ParseLimits};
    use crate::messages::yahoo::Cadence;
    use crate::messages::LinkUpdate;
    let t0 = Ts::parse_rfc3339("2026-11-17T15:00:05Z").unwrap();
    let mut st = state(&["AAPL"]);
    let mut fx = Effects::default();
    let sub = r#"[{"T":"subscription","trades":["AAPL"],"quotes":[],"bars":[]}]"#;
    let p = parse_frame(sub.as_bytes(), &ParseLimits::default());
    st.apply_frame(t0, &p.msgs, &p.issues, &mut fx);
    assert_eq!(st.poll_plan().cadence, Cadence::Standby);
    let closed = t0.plus_millis(1_000);
    st.apply_link(
        &LinkUpdate {
            at: closed,
            state: Some(LinkState::Disconnected),
            last_error: Some("connection closed".into()),
            consecutive_failures: 1,
            reconnect_attempts: 0,
            next_retry_at: Some(closed.plus_millis(60_000)),
            fatal: None,
            rate_limited: false,
            note: None,
        },
        &mut fx,
    );
    let mut t = closed;
    while st.poll_plan().cadence != Cadence::Active {
        t = t.plus_millis(TICK_MS);
        assert!(
            t.millis_since(closed) <= 10_000 + TICK_MS,
            "no failover by {t}"
        );
        st.tick(t, &mut fx);
    }
    assert!(
        t.millis_since(closed) >= 10_000,
        "failed over early, at {t}"
    );
    assert_eq!(fx.transitions.len(), 1);
    assert_eq!(
        st.snapshot(1, Perf::default(), Vec::new())
            .router
            .current_data_source,
        "Yahoo"
    );
}

/// The stream task's updates become the runbook's lines: milestones as notes, and
/// "Reconnection failed" only for a reconnect attempt that never got to streaming.
#[test]
fn link_updates_use_the_runbook_lines() {
    use crate::domain::wire::{parse_frame, ParseLimits};
    use crate::messages::LinkUpdate;
    let t0 = Ts::parse_rfc3339("2026-11-17T15:00:05Z").unwrap();
    let at = |s: i64| t0.plus_millis(s * 1_000);
    let up = |s: i64, state: LinkState, err: &str, fails: u32, attempts: u64| LinkUpdate {
        at: at(s),
        state: Some(state),
        last_error: (!err.is_empty()).then(|| err.to_string()),
        consecutive_failures: fails,
        reconnect_attempts: attempts,
        next_retry_at: (state == LinkState::Disconnected).then(|| at(s + 2)),
        fatal: None,
        rate_limited: false,
        note: None,
    };
    let mut st = state(&["AAPL"]);
    let mut fx = Effects::default();
    st.apply_link(&up(0, LinkState::Connecting, "", 0, 0), &mut fx);
    let mut note = up(0, LinkState::Connecting, "", 0, 0);
    (note.state, note.note) = (
        None,
        Some("WebSocket connection established (ws://x)".into()),
    );
    st.apply_link(&note, &mut fx);
    // The first attempt fails: a connection failure, not a reconnection failure.
    st.apply_link(
        &up(1, LinkState::Disconnected, "Connection timeout: x", 1, 0),
        &mut fx,
    );
    st.apply_link(&up(3, LinkState::Connecting, "", 1, 1), &mut fx);
    st.apply_link(
        &up(
            4,
            LinkState::Disconnected,
            "HTTP 503 on the WebSocket upgrade",
            2,
            1,
        ),
        &mut fx,
    );
    st.apply_link(&up(6, LinkState::Connecting, "", 2, 2), &mut fx);
    let sub = r#"[{"T":"subscription","trades":["AAPL"],"quotes":[],"bars":[]}]"#;
    let p = parse_frame(sub.as_bytes(), &ParseLimits::default());
    st.apply_frame(at(6), &p.msgs, &p.issues, &mut fx);
    // A lost stream is a disconnect, not a failed reconnection.
    st.apply_link(
        &up(9, LinkState::Disconnected, "connection closed", 3, 2),
        &mut fx,
    );
    let msgs: Vec<&str> = fx.events.iter().map(|e| e.message.as_str()).collect();
    for want in [
        "Alpaca CONNECTING: Connecting to Alpaca WebSocket",
        "WebSocket connection established (ws://x)",
        "Alpaca CONNECTING: Attempting reconnection (attempt 1/unlimited)",
        "Reconnection failed: HTTP 503 on the WebSocket upgrade; next attempt in 2.0 s",
        "Alpaca CONNECTING: Attempting reconnection (attempt 2/unlimited)",
        "Subscription confirmed: 1 symbols",
    ] {
        assert!(msgs.contains(&want), "no {want:?} in {msgs:#?}");
    }
    let failed = msgs
        .iter()
        .filter(|m| m.starts_with("Reconnection failed"))
        .count();
    assert_eq!(failed, 1, "{msgs:#?}");
}

/// A reconnect's handshake (welcome, auth) is no sign of life: the failover delay
/// still counts from the first disconnect, not from the last welcome.
#[test]
fn a_reconnect_handshake_does_not_restart_the_failover_delay() {
    use crate::domain::wire::{parse_frame, ParseLimits};
    use crate::messages::LinkUpdate;
    let t0 = Ts::parse_rfc3339("2026-11-17T15:00:05Z").unwrap();
    let mut st = state(&["AAPL"]);
    let mut fx = Effects::default();
    let frame = |st: &mut EngineState, at: Ts, json: &str, fx: &mut Effects| {
        let p = parse_frame(json.as_bytes(), &ParseLimits::default());
        st.apply_frame(at, &p.msgs, &p.issues, fx);
    };
    let link = |at: Ts, state: LinkState, n: u32| LinkUpdate {
        at,
        state: Some(state),
        last_error: Some("no pong within 5 s".into()),
        consecutive_failures: n,
        reconnect_attempts: u64::from(n),
        next_retry_at: None,
        fatal: None,
        rate_limited: false,
        note: None,
    };
    let sub = r#"[{"T":"subscription","trades":["AAPL"],"quotes":[],"bars":[]}]"#;
    frame(&mut st, t0, sub, &mut fx);
    st.apply_link(&link(t0, LinkState::Disconnected, 1), &mut fx);
    let again = t0.plus_millis(500);
    st.apply_link(&link(again, LinkState::Connecting, 1), &mut fx);
    frame(
        &mut st,
        again,
        r#"[{"T":"success","msg":"connected"}]"#,
        &mut fx,
    );
    frame(
        &mut st,
        again,
        r#"[{"T":"success","msg":"authenticated"}]"#,
        &mut fx,
    );
    st.apply_link(&link(again, LinkState::Disconnected, 2), &mut fx);
    st.tick(t0.plus_millis(10_000), &mut fx);
    assert_eq!(
        st.snapshot(1, Perf::default(), Vec::new())
            .router
            .current_data_source,
        "Yahoo",
        "failed over 10 s after the first disconnect"
    );
}

/// SLO seconds follow engine seconds, whatever the milliseconds of each tick; a
/// closed minute leaves as an effect for the store.
#[test]
fn slo_seconds_follow_engine_seconds() {
    // After the helper state's start (15:00:05), on a minute boundary.
    let t0 = Ts::parse_rfc3339("2026-11-17T15:01:00Z").unwrap();
    let mut st = state(&["AAPL"]);
    let mut fx = Effects::default();
    // Ticks late in one second and early in the next: each is a second of its own.
    for i in 0..90 {
        let ms = if i % 2 == 0 { 999 } else { 1 };
        st.tick(t0.plus_millis(i * 1_000 + ms), &mut fx);
    }
    let snap = st.snapshot(1, Perf::default(), Vec::new());
    let avail = snap
        .slo
        .slos
        .iter()
        .find(|s| s.key == "availability")
        .unwrap();
    assert!((89..=90).contains(&avail.total), "{avail:?}");
    assert_eq!(fx.slo_minutes.len(), 1, "15:01 closed when 15:02 began");
    // (Counting elapsed milliseconds instead would give about 45 and 30 here.)
    assert!(
        (59..=60).contains(&fx.slo_minutes[0].observed_secs),
        "{:?}",
        fx.slo_minutes
    );
    // Never subscribed in this test: Alpaca was down every second.
    assert_eq!(fx.slo_minutes[0].alpaca_up_secs, 0);
}
