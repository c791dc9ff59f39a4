//! Removing a symbol is an operator's act, not a data-quality failure: its messages
//! in flight after the unsubscribe are counted apart and dropped quietly (no
//! `Validation failed` event, no failure, no SLO cost), while a symbol that was
//! never subscribed is still a failure. Engine time decides the window.

use super::*;
use crate::domain::wire::{parse_frame, ParseLimits};

const T0: &str = "2026-11-17T15:01:00Z";

fn state(mode: Mode) -> EngineState {
    EngineState::new(StateConfig {
        mode,
        feed: "iex".into(),
        watchlist: vec![Symbol::new("AAPL"), Symbol::new("MSFT")],
        started_at: Ts::parse_rfc3339("2026-11-17T15:00:05Z").unwrap(),
        replay_name: None,
        routing: Default::default(),
        validation: Default::default(),
    })
}

/// A trade, a quote and a bar for `sym`, stamped and received at `at`.
fn three_messages(sym: &str, id: u64, at: Ts) -> String {
    let t = at.to_rfc3339();
    format!(
        r#"[{{"T":"t","S":"{sym}","i":{id},"x":"V","p":228.5,"s":5,"c":["@"],"t":"{t}","z":"C"}},{{"T":"q","S":"{sym}","bx":"V","bp":228.4,"bs":1,"ax":"V","ap":228.6,"as":2,"c":["R"],"z":"C","t":"{t}"}},{{"T":"b","S":"{sym}","o":228,"h":229,"l":227,"c":228.5,"v":100,"t":"{t}"}}]"#
    )
}

fn apply(st: &mut EngineState, frame: &str, at: Ts, fx: &mut Effects) {
    let p = parse_frame(frame.as_bytes(), &ParseLimits::default());
    assert!(p.issues.is_empty(), "{:?}", p.issues);
    st.apply_frame(at, &p.msgs, &p.issues, fx);
}

/// Validation events about `sym` (a long gap makes the other symbol stale too).
fn validation_events<'a>(fx: &'a Effects, sym: &str) -> Vec<&'a str> {
    fx.events
        .iter()
        .filter(|e| e.kind == EventKind::Validation && e.symbol.as_deref() == Some(sym))
        .map(|e| e.message.as_str())
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Want {
    /// Dropped quietly and counted as `unsubscribedInFlight`.
    InFlight,
    /// A `not_subscribed` failure with its `Validation failed` line.
    Failure,
    Accepted,
}

#[test]
fn messages_after_an_unsubscribe_table() {
    use Want::*;
    // (case, mode, symbol of the messages, seconds after AAPL's removal, re-added first, want)
    let cases: [(&str, Mode, &str, i64, bool, Want); 8] = [
        ("at once", Mode::Live, "AAPL", 0, false, InFlight),
        (
            "at the window's end",
            Mode::Live,
            "AAPL",
            5,
            false,
            InFlight,
        ),
        ("after the window", Mode::Live, "AAPL", 6, false, Failure),
        ("never subscribed", Mode::Live, "GME", 0, false, Failure),
        ("added back", Mode::Live, "AAPL", 1, true, Accepted),
        // A recording cannot be unsubscribed: it keeps sending to the end.
        (
            "replay, an hour on",
            Mode::Replay,
            "AAPL",
            3_600,
            false,
            InFlight,
        ),
        (
            "demo, an hour on",
            Mode::Demo,
            "AAPL",
            3_600,
            false,
            InFlight,
        ),
        (
            "replay, never subscribed",
            Mode::Replay,
            "GME",
            0,
            false,
            Failure,
        ),
    ];
    let t0 = Ts::parse_rfc3339(T0).unwrap();
    for (name, mode, sym, after_secs, re_added, want) in cases {
        let mut st = state(mode);
        let mut fx = Effects::default();
        apply(&mut st, &three_messages("AAPL", 1, t0), t0, &mut fx);
        st.change_watchlist(&[], &[Symbol::new("AAPL")], &mut fx)
            .unwrap();
        if re_added {
            st.change_watchlist(&[Symbol::new("AAPL")], &[], &mut fx)
                .unwrap();
        }
        let at = t0.plus_millis(after_secs * 1_000);
        let mut fx = Effects::default();
        apply(&mut st, &three_messages(sym, 2, at), at, &mut fx);
        let v = st.snapshot(1, Perf::default(), Vec::new()).validation;
        let events = validation_events(&fx, sym);
        let (in_flight, rejected, accepted) = match want {
            InFlight => (3, 0, 3),
            Failure => (0, 3, 3),
            Accepted => (0, 0, 6),
        };
        assert_eq!(v.unsubscribed_in_flight, in_flight, "{name}: {v:?}");
        assert_eq!(v.rejected, rejected, "{name}: {v:?}");
        assert_eq!(v.by_rule["not_subscribed"], rejected, "{name}");
        assert_eq!(v.accepted, accepted, "{name}: {v:?}");
        // Dropped messages were never checked: the success rate does not move.
        assert_eq!(v.total, accepted + rejected, "{name}");
        if want == Failure {
            assert_eq!(events.len(), 3, "{name}: {events:?}");
            assert!(
                events.iter().all(|e| e.contains("Not subscribed")),
                "{name}"
            );
        } else {
            assert_eq!(events, Vec::<&str>::new(), "{name}");
        }
    }
}

/// The issue's case: one `d` while a busy symbol's messages are in flight left the
/// validation SLO at 67.7% of its budget and a WARN line per message.
#[test]
fn one_removal_costs_no_slo_budget_and_logs_no_warning() {
    let t0 = Ts::parse_rfc3339(T0).unwrap();
    let mut st = state(Mode::Live);
    let mut fx = Effects::default();
    let mut id = 1;
    let mut at = t0;
    // A second of normal traffic on both symbols, then the removal, then 2 s of
    // AAPL still arriving (a batch every 10 ms) alongside MSFT.
    for step in 0..300 {
        if step == 100 {
            st.change_watchlist(&[], &[Symbol::new("AAPL")], &mut fx)
                .unwrap();
        }
        for sym in ["AAPL", "MSFT"] {
            id += 1;
            apply(&mut st, &three_messages(sym, id, at), at, &mut fx);
        }
        at = at.plus_millis(10);
    }
    st.tick(at.plus_millis(1_000), &mut fx);
    let snap = st.snapshot(1, Perf::default(), Vec::new());
    assert_eq!(validation_events(&fx, "AAPL"), Vec::<&str>::new());
    assert_eq!(snap.validation.unsubscribed_in_flight, 200 * 3);
    assert_eq!(snap.validation.rejected, 0);
    assert_eq!(snap.validation.success_rate_pct, 100.0);
    let slo = snap
        .slo
        .slos
        .iter()
        .find(|s| s.key == "validation_success")
        .unwrap();
    assert_eq!(slo.budget_remaining_pct, Some(100.0), "{slo:?}");
    assert!(slo.total > 0, "{slo:?}");
    assert!(
        !snap.alerts.active.iter().any(|a| a.id == "H3"),
        "{:?}",
        snap.alerts.active
    );
}
