//! Table-driven tests of the circuit breaker on a manual clock.

use super::*;

const S: Outcome = Outcome::Success;
const F: Outcome = Outcome::Failure;
const R: Outcome = Outcome::RateLimited;

fn t(s: i64) -> Ts {
    Ts::from_secs(1_800_000_000 + s)
}

fn breaker() -> Breaker {
    Breaker::new("yahoo", BreakerConfig::default(), t(0))
}

/// Record outcomes at time `at`, returning the transitions in order.
fn feed(b: &mut Breaker, at: i64, outcomes: &[Outcome]) -> Vec<BreakerTransition> {
    outcomes
        .iter()
        .filter_map(|o| b.record(t(at), *o))
        .collect()
}

/// Trip the breaker with five failures at `at`.
fn trip(b: &mut Breaker, at: i64) -> BreakerTransition {
    let mut ts = feed(b, at, &[F, F, F, F, F]);
    assert_eq!(ts.len(), 1, "one trip");
    ts.remove(0)
}

#[test]
fn minimum_calls_gate_and_threshold() {
    // (outcomes, expected state after, expected reason of the trip if any)
    let table: &[(&[Outcome], BreakerState, Option<&str>)] = &[
        (&[F, F, F, F], BreakerState::Closed, None),
        (
            &[F, F, F, F, F],
            BreakerState::Open,
            Some("failure rate 100% ≥ 50% over 5 calls"),
        ),
        (&[S, S, S, F, F], BreakerState::Closed, None),
        (
            &[S, S, F, F, F],
            BreakerState::Open,
            Some("failure rate 60% ≥ 50% over 5 calls"),
        ),
        (&[S, S, S, S, S, S, F, F, F, F], BreakerState::Closed, None),
        (
            &[S, S, S, S, S, F, F, F, F, F],
            BreakerState::Open,
            Some("failure rate 50% ≥ 50% over 10 calls"),
        ),
        // The window slides: old successes fall out.
        (
            &[S, S, S, S, S, S, S, S, S, S, F, F, F, F, F],
            BreakerState::Open,
            Some("failure rate 50% ≥ 50% over 10 calls"),
        ),
    ];
    for (i, (outcomes, want_state, want_reason)) in table.iter().enumerate() {
        let mut b = breaker();
        let ts = feed(&mut b, 1, outcomes);
        assert_eq!(b.state(), *want_state, "row {i}");
        assert_eq!(
            ts.first().map(|t| t.reason.as_str()),
            *want_reason,
            "row {i}"
        );
        assert!(ts.len() <= 1, "row {i}: at most one trip");
    }
}

#[test]
fn a_full_window_at_sixty_percent_names_its_numbers() {
    let cfg = BreakerConfig {
        minimum_calls: 10,
        ..BreakerConfig::default()
    };
    let mut b = Breaker::new("yahoo", cfg, t(0));
    let ts = feed(&mut b, 1, &[S, S, S, S, F, F, F, F, F, F]);
    assert_eq!(ts.len(), 1);
    assert_eq!(ts[0].from, BreakerState::Closed);
    assert_eq!(ts[0].to, BreakerState::Open);
    assert_eq!(ts[0].name, "yahoo");
    assert_eq!(ts[0].at, t(1));
    assert_eq!(ts[0].reason, "failure rate 60% ≥ 50% over 10 calls");
}

#[test]
fn wait_grows_with_each_consecutive_trip_up_to_the_cap() {
    let mut b = breaker();
    let mut now = 0;
    let mut waits = Vec::new();
    trip(&mut b, now);
    for _ in 0..7 {
        let until = match b.try_acquire(t(now)) {
            (Permit::Rejected { until }, None) => until,
            other => panic!("expected rejection, got {other:?}"),
        };
        waits.push(until.millis_since(t(now)) / 1_000);
        now = (until.millis_since(t(0))) / 1_000;
        // One second early: still rejected.
        assert!(matches!(
            b.try_acquire(t(now - 1)).0,
            Permit::Rejected { .. }
        ));
        let (permit, tr) = b.try_acquire(t(now));
        assert_eq!(permit, Permit::Allowed);
        let tr = tr.expect("OPEN → HALF_OPEN");
        assert_eq!(tr.to, BreakerState::HalfOpen);
        assert_eq!(
            tr.reason,
            format!("wait of {}s elapsed", waits.last().unwrap())
        );
        let back = b.record(t(now), F).expect("probe failure reopens");
        assert_eq!(
            (back.to, back.reason.as_str()),
            (BreakerState::Open, "probe failed")
        );
    }
    assert_eq!(waits, vec![30, 60, 120, 240, 480, 600, 600]);
    assert_eq!(b.view(t(now)).trips, 8);
}

#[test]
fn rate_limited_opens_at_once_with_the_long_wait() {
    // (prior outcomes, expected wait secs after the 429)
    let table: &[(&[Outcome], i64)] = &[(&[], 120), (&[S, S, S], 120)];
    for (prior, want_wait) in table {
        let mut b = breaker();
        feed(&mut b, 0, prior);
        let tr = b.record(t(10), R).expect("429 opens at once");
        assert_eq!((tr.from, tr.to), (BreakerState::Closed, BreakerState::Open));
        assert_eq!(tr.reason, "HTTP 429 rate limited");
        let v = b.view(t(10));
        assert_eq!(v.next_probe_at, Some(t(10 + want_wait)));
    }
    // After several trips the computed wait (240 s) beats the 429 floor.
    let mut b = breaker();
    for now in [0, 30, 90] {
        if now == 0 {
            trip(&mut b, 0);
        } else {
            assert!(b.try_acquire(t(now)).1.is_some());
            b.record(t(now), F);
        }
    }
    assert_eq!(
        b.view(t(90)).next_probe_at,
        Some(t(210)),
        "third trip: 120 s"
    );
    assert!(b.try_acquire(t(210)).1.is_some());
    let tr = b.record(t(210), R).expect("429 in HALF_OPEN reopens");
    assert_eq!(tr.from, BreakerState::HalfOpen);
    assert_eq!(
        b.view(t(210)).next_probe_at,
        Some(t(450)),
        "fourth trip: 240 s"
    );
}

#[test]
fn a_late_429_while_open_lengthens_the_wait_without_a_transition() {
    let mut b = breaker();
    trip(&mut b, 0);
    assert_eq!(b.view(t(0)).next_probe_at, Some(t(30)));
    assert_eq!(b.record(t(5), R), None);
    assert_eq!(b.state(), BreakerState::Open);
    assert_eq!(b.view(t(5)).next_probe_at, Some(t(125)));
}

#[test]
fn late_outcomes_while_open_are_counted_but_change_nothing() {
    let mut b = breaker();
    trip(&mut b, 0);
    assert!(feed(&mut b, 1, &[S, S, S, S, S, S]).is_empty());
    let v = b.view(t(1));
    assert_eq!(v.state, BreakerState::Open);
    assert_eq!(v.late_outcomes, 6);
    assert_eq!((v.calls, v.failures), (10, 4));
    assert_eq!(v.next_probe_at, Some(t(30)));
}

#[test]
fn half_open_closes_after_all_probes_succeed() {
    let mut b = breaker();
    trip(&mut b, 0);
    let (p, tr) = b.try_acquire(t(30));
    assert_eq!(
        (p, tr.map(|t| t.to)),
        (Permit::Allowed, Some(BreakerState::HalfOpen))
    );
    assert_eq!(b.try_acquire(t(30)), (Permit::Allowed, None));
    assert_eq!(b.try_acquire(t(30)), (Permit::Allowed, None));
    assert_eq!(b.view(t(30)).probes_left, Some(0));
    // A fourth call waits for the probes to finish.
    assert_eq!(
        b.try_acquire(t(31)),
        (Permit::Rejected { until: t(31) }, None)
    );
    assert_eq!(b.record(t(31), S), None);
    assert_eq!(b.record(t(31), S), None);
    let tr = b.record(t(32), S).expect("third success closes");
    assert_eq!(
        (tr.from, tr.to),
        (BreakerState::HalfOpen, BreakerState::Closed)
    );
    assert_eq!(tr.reason, "3 probes succeeded");
    let v = b.view(t(32));
    assert_eq!((v.calls, v.failures, v.trips, v.total_trips), (0, 0, 0, 1));
    assert_eq!(v.failure_rate_pct, None);
    // Closed with a clean slate: the next trip waits 30 s again.
    trip(&mut b, 40);
    assert_eq!(b.view(t(40)).next_probe_at, Some(t(70)));
}

#[test]
fn half_open_failure_reopens_with_a_longer_wait() {
    let mut b = breaker();
    trip(&mut b, 0);
    b.try_acquire(t(30));
    assert_eq!(b.record(t(31), S), None);
    let tr = b.record(t(32), F).expect("probe failure");
    assert_eq!(
        (tr.from, tr.to),
        (BreakerState::HalfOpen, BreakerState::Open)
    );
    assert_eq!(b.view(t(32)).next_probe_at, Some(t(92)));
}

#[test]
fn manual_reset_closes_and_forgets() {
    let mut b = breaker();
    trip(&mut b, 0);
    b.try_acquire(t(30));
    b.record(t(30), F);
    let tr = b.reset(t(40)).expect("reset from OPEN");
    assert_eq!(
        (tr.from, tr.to, tr.reason.as_str()),
        (BreakerState::Open, BreakerState::Closed, "manual reset")
    );
    let v = b.view(t(40));
    assert_eq!(
        (v.state, v.calls, v.trips, v.next_probe_at),
        (BreakerState::Closed, 0, 0, None)
    );
    assert_eq!(v.total_trips, 2, "history is kept");
    assert_eq!(b.reset(t(41)), None, "already CLOSED: no transition");
    // A fresh trip after the reset waits the first wait.
    trip(&mut b, 50);
    assert_eq!(b.view(t(50)).next_probe_at, Some(t(80)));
}

#[test]
fn rejected_calls_are_counted() {
    let mut b = breaker();
    trip(&mut b, 0);
    for s in 1..=4 {
        assert_eq!(
            b.try_acquire(t(s)),
            (Permit::Rejected { until: t(30) }, None)
        );
    }
    assert_eq!(b.view(t(5)).rejected, 4);
}

#[test]
fn view_fields_and_json() {
    let mut b = breaker();
    feed(&mut b, 1, &[S, F, S]);
    let v = b.view(t(3));
    assert_eq!(v.failure_rate_pct.map(|p| p.round()), Some(33.0));
    assert_eq!((v.calls, v.failures, v.in_state_ms), (3, 1, 3_000));
    assert_eq!(v.state_since, t(0));
    assert_eq!(v.last_transition_reason, None);
    feed(&mut b, 4, &[F, F]);
    let v = b.view(t(6));
    assert_eq!(v.state, BreakerState::Open);
    assert_eq!(v.in_state_ms, 2_000);
    assert_eq!(
        v.last_transition_reason.as_deref(),
        Some("failure rate 60% ≥ 50% over 5 calls")
    );
    let json = serde_json::to_value(&v).unwrap();
    for key in [
        "name",
        "state",
        "failureRatePct",
        "calls",
        "failures",
        "stateSince",
        "inStateMs",
        "nextProbeAt",
        "trips",
        "rejected",
        "lastTransitionReason",
    ] {
        assert!(json.get(key).is_some(), "missing {key} in {json}");
    }
    assert_eq!(json["state"], "OPEN");
    assert_eq!(json["nextProbeAt"], t(34).to_rfc3339());
    assert_eq!(BreakerState::HalfOpen.as_str(), "HALF_OPEN");
    assert_eq!(
        serde_json::to_value(BreakerState::HalfOpen).unwrap(),
        "HALF_OPEN"
    );
}
