//! Engine-level tables for the Yahoo upstream: breaker-refused answers and half-open
//! rounds, 404 semantics, 429, an unusable fallback, and a manual fallback onto a
//! Yahoo that is down.

use super::tests_yahoo::{chart, d, resp, row, state, t0, trade, NOT_FOUND};
use super::*;
use crate::domain::breaker::BreakerState;
use crate::domain::wire::{parse_frame, ParseLimits};
use crate::messages::command::YAHOO_HTTP;
use crate::messages::FailoverAction;

#[test]
fn refused_responses_are_counted_not_shown() {
    let mut st = state(&["AAPL"]);
    let mut fx = Effects::default();
    st.failover_command(FailoverAction::Force, &mut fx);
    // A 429 opens the breaker at once.
    st.apply_yahoo(
        &resp(t0(), "AAPL", 429, "Too Many Requests".into()),
        &mut fx,
    );
    let snap = st.snapshot(1, Perf::default(), Vec::new());
    let b = snap.breakers.iter().find(|b| b.name == YAHOO_HTTP).unwrap();
    assert_eq!(b.state, BreakerState::Open);
    // Open: the plan waits, then allows only the half-open probes.
    let plan = st.poll_plan();
    assert!(plan.hold_until.is_some());
    assert_eq!(plan.max_requests, Some(3));
    // A response in flight when it opened is refused: counted, never displayed.
    let at = t0().plus_millis(500);
    st.apply_yahoo(
        &resp(at, "AAPL", 200, chart("AAPL", "100", at, "99")),
        &mut fx,
    );
    let v = row(&st, 0);
    assert_eq!((v.price, v.yahoo), (None, None));
    assert_eq!(st.snapshot(1, Perf::default(), Vec::new()).yahoo.refused, 1);
}

#[test]
fn half_open_probes_only_and_answers_after_a_failed_probe_are_refused() {
    let mut st = state(&["AAPL", "MSFT", "NVDA", "AMD", "TSLA"]);
    let mut fx = Effects::default();
    st.apply_yahoo(&resp(t0(), "AAPL", 429, String::new()), &mut fx);
    let plan = st.poll_plan();
    let due = plan.hold_until.unwrap();
    assert_eq!(
        plan.max_requests,
        Some(3),
        "first round after the wait: probes only"
    );
    // The first probe fails: the breaker re-opens, and the next answer is refused.
    st.apply_yahoo(&resp(due, "AAPL", 503, String::new()), &mut fx);
    let at = due.plus_millis(5);
    st.apply_yahoo(
        &resp(at, "MSFT", 200, chart("MSFT", "50", at, "50")),
        &mut fx,
    );
    let snap = st.snapshot(1, Perf::default(), Vec::new());
    assert_eq!(snap.yahoo.refused, 1);
    assert!(
        snap.watchlist[1].yahoo.is_none(),
        "the refused answer is not shown"
    );
    assert!(snap.watchlist[1].price.is_none());
    let plan = st.poll_plan();
    assert_eq!(plan.max_requests, Some(3));
    // After the (longer) wait, three good probes close it and are shown.
    let due = plan.hold_until.unwrap();
    for (k, sym) in ["AAPL", "MSFT", "NVDA"].iter().enumerate() {
        let at = due.plus_millis(k as i64);
        st.apply_yahoo(&resp(at, sym, 200, chart(sym, "50", at, "50")), &mut fx);
    }
    let snap = st.snapshot(1, Perf::default(), Vec::new());
    let b = snap.breakers.iter().find(|b| b.name == YAHOO_HTTP).unwrap();
    assert_eq!(b.state, BreakerState::Closed, "three good probes close it");
    assert_eq!(snap.watchlist[2].yahoo.map(|p| p.price), Some(d("50")));
    assert_eq!(st.poll_plan().max_requests, None);
}

#[test]
fn not_found_table() {
    // (watchlist, answers in order as (symbol, status, body), Yahoo healthy after)
    let nf = || NOT_FOUND.to_string();
    let ok = |s: &str| chart(s, "100", t0(), "99");
    type Answer = (&'static str, u16, String);
    type Case = (&'static str, Vec<&'static str>, Vec<Answer>, Option<bool>);
    let cases: Vec<Case> = vec![
        (
            "one unknown of three",
            vec!["AAPL", "MSFT", "ZZZZ"],
            vec![("AAPL", 200, ok("AAPL")), ("ZZZZ", 404, nf())],
            Some(true),
        ),
        (
            "all three unknown",
            vec!["AAPL", "MSFT", "ZZZZ"],
            vec![
                ("AAPL", 404, nf()),
                ("MSFT", 404, nf()),
                ("ZZZZ", 404, nf()),
            ],
            Some(false),
        ),
        (
            "single symbol, one 404",
            vec!["ZZZZ"],
            vec![("ZZZZ", 404, nf())],
            Some(true),
        ),
        (
            "single symbol, two 404 rounds",
            vec!["ZZZZ"],
            vec![("ZZZZ", 404, nf()), ("ZZZZ", 404, nf())],
            Some(false),
        ),
        (
            "single symbol, 404 then good",
            vec!["AAPL"],
            vec![
                ("AAPL", 404, nf()),
                ("AAPL", 200, ok("AAPL")),
                ("AAPL", 404, nf()),
            ],
            Some(true),
        ),
        (
            "404 without chart.error",
            vec!["AAPL"],
            vec![("AAPL", 404, "<html>not found</html>".into())],
            Some(false),
        ),
    ];
    for (name, watch, answers, healthy) in cases {
        let mut st = state(&watch);
        let mut fx = Effects::default();
        for (k, (sym, status, body)) in answers.into_iter().enumerate() {
            let at = t0().plus_millis(1_000 * k as i64);
            st.apply_yahoo(&resp(at, sym, status, body), &mut fx);
        }
        let snap = st.snapshot(1, Perf::default(), Vec::new());
        assert_eq!(snap.yahoo.healthy, healthy, "{name}: {:?}", snap.yahoo);
    }
}

#[test]
fn rate_limit_opens_the_breaker_at_once_and_yahoo_is_down() {
    let mut st = state(&["AAPL", "MSFT"]);
    let mut fx = Effects::default();
    st.apply_yahoo(&resp(t0(), "AAPL", 429, "{}".into()), &mut fx);
    let snap = st.snapshot(1, Perf::default(), Vec::new());
    let b = snap.breakers.iter().find(|b| b.name == YAHOO_HTTP).unwrap();
    assert_eq!(b.state, BreakerState::Open);
    assert_eq!(snap.yahoo.healthy, Some(false));
}

fn hard_close(st: &mut EngineState, at: Ts) {
    let frame = r#"[{"T":"subscription","trades":["AAPL"],"quotes":[],"bars":[]}]"#;
    let p = parse_frame(frame.as_bytes(), &ParseLimits::default());
    let mut fx = Effects::default();
    st.apply_frame(at, &p.msgs, &p.issues, &mut fx);
    st.apply_link(
        &crate::messages::LinkUpdate {
            at,
            state: Some(LinkState::Disconnected),
            last_error: Some("connection closed".into()),
            consecutive_failures: 1,
            reconnect_attempts: 0,
            next_retry_at: None,
            fatal: None,
            rate_limited: false,
            note: None,
        },
        &mut fx,
    );
    st.tick(at.plus_millis(11_000), &mut fx);
}

#[test]
fn an_unusable_fallback_is_never_failed_over_to() {
    let mut st = state(&["AAPL"]);
    let mut fx = Effects::default();
    trade(&mut st, t0(), "AAPL", 1, "100");
    st.set_fallback_unavailable("Yahoo fallback disabled in the config".into(), &mut fx);
    hard_close(&mut st, t0());
    let snap = st.snapshot(1, Perf::default(), Vec::new());
    assert_eq!(
        snap.router.connection_state,
        crate::domain::router::RouterState::BothUnavailable
    );
    assert_eq!(
        crate::outputs::api::health_of(&snap).status,
        crate::outputs::api::HealthStatus::Unhealthy
    );
    assert!(snap.watchlist[0].stale, "prices are stale, never fresh");
    assert_eq!(snap.yahoo.polling, "off");
}

#[test]
fn manual_fallback_onto_a_down_yahoo_marks_prices_stale() {
    let mut st = state(&["AAPL"]);
    let mut fx = Effects::default();
    trade(&mut st, t0(), "AAPL", 1, "100");
    st.failover_command(FailoverAction::Force, &mut fx);
    assert!(!row(&st, 0).stale);
    for k in 0..3 {
        let at = t0().plus_millis(1_000 * k);
        st.apply_yahoo(&resp(at, "AAPL", 503, String::new()), &mut fx);
    }
    let snap = st.snapshot(1, Perf::default(), Vec::new());
    assert_eq!(
        snap.router.connection_state,
        crate::domain::router::RouterState::ManualFallback
    );
    assert!(snap.watchlist[0].stale);
    assert_eq!(
        crate::outputs::api::health_of(&snap).status,
        crate::outputs::api::HealthStatus::Unhealthy
    );
    // Yahoo back: fresh again.
    let at = t0().plus_millis(5_000);
    st.apply_yahoo(
        &resp(at, "AAPL", 200, chart("AAPL", "100.5", at, "99")),
        &mut fx,
    );
    let v = row(&st, 0);
    assert!(!v.stale);
    assert_eq!(v.price, Some(d("100.5")));
}
