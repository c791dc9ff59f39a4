//! Anti-flapping: only failovers the router made itself (Alpaca failed) grow the
//! failback grace and count in `failoversLastHour`; an operator's forced failovers
//! are counted on their own and leave the grace alone.

use super::tests::{down, router, t};
use super::*;
use RouterState::*;

const CLOSED: RouterInput = RouterInput::Tick { market_open: false };

/// A forced failover at `at` and its return 30 s later.
fn drill(r: &mut Router, at: i64) {
    r.handle(t(at), RouterInput::ForceFallback);
    assert_eq!(r.state(), ManualFallback);
    r.handle(t(at + 30), RouterInput::ReturnToPrimary);
    assert_eq!(r.state(), PrimaryActive);
}

/// A real outage at `at`: Alpaca closes, the router fails over after the 10 s delay,
/// Alpaca comes back 1 s later. Returns the grace the recovery got.
fn outage(r: &mut Router, at: i64) -> u64 {
    r.handle(t(at), down("closed"));
    let fo = r.handle(t(at + 10), CLOSED);
    assert_eq!(fo.len(), 1, "failover after the delay: {fo:?}");
    r.handle(t(at + 11), RouterInput::PrimaryUp);
    assert_eq!(r.state(), PrimaryRecovering);
    let v = r.view(t(at + 11));
    assert_eq!(
        v.recovery_due_at,
        Some(t(at + 11 + v.current_grace_period_secs as i64))
    );
    let due = at + 11 + v.current_grace_period_secs as i64;
    r.handle(t(due), CLOSED);
    assert_eq!(r.state(), PrimaryActive);
    v.current_grace_period_secs
}

#[test]
fn drills_before_an_outage_leave_its_grace_at_the_base() {
    // (drills, real outages before the measured one, grace the measured one gets)
    let table: &[(usize, usize, u64)] = &[
        (0, 0, 10),
        (3, 0, 10),
        (10, 0, 10),
        (0, 1, 20),
        (3, 1, 20),
        (3, 2, 40),
    ];
    for &(drills, outages, want) in table {
        let mut r = router();
        let mut now = 0;
        for _ in 0..drills {
            drill(&mut r, now);
            now += 60;
        }
        for _ in 0..outages {
            outage(&mut r, now);
            now += 600;
        }
        let v = r.view(t(now));
        assert_eq!(
            (v.failovers_last_hour, v.current_grace_period_secs),
            (
                outages as u32,
                10 * 2u64.pow((outages as u32).saturating_sub(1))
            ),
            "{drills} drills, {outages} outages: before the measured outage"
        );
        assert_eq!(
            outage(&mut r, now),
            want,
            "{drills} drills, {outages} outages"
        );
        let v = r.view(t(now + 600));
        assert_eq!(
            v.fallback_count,
            (drills + outages + 1) as u64,
            "fallbackCount counts every failover, forced ones included"
        );
        assert_eq!(v.manual_failovers, drills as u64);
        assert_eq!(v.failovers_last_hour, outages as u32 + 1);
    }
}

#[test]
fn three_drills_do_not_raise_the_flap_count_or_the_grace() {
    let mut r = router();
    for i in 0..3 {
        drill(&mut r, i * 60);
    }
    let v = r.view(t(200));
    assert_eq!(v.fallback_count, 3);
    assert_eq!(v.failovers_last_hour, 0);
    assert_eq!(v.current_grace_period_secs, 10);
    assert_eq!((v.manual_failovers_last_hour, v.manual_failovers), (3, 3));
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["manualFailoversLastHour"], 3);
    assert_eq!(json["failoversLastHour"], 0);
    // They leave the window like the others.
    let v = r.view(t(150 + 3_600));
    assert_eq!((v.manual_failovers_last_hour, v.manual_failovers), (0, 3));
}

#[test]
fn a_forced_failover_during_a_real_outage_is_the_operators() {
    // Alpaca is down but the delay has not run out when the operator forces Yahoo:
    // the failover is the operator's. Returning lands on FALLBACK_ACTIVE (Alpaca is
    // still down), which is no new failover; Alpaca's recovery gets the base grace.
    let mut r = router();
    r.handle(t(0), down("closed"));
    r.handle(t(5), RouterInput::ForceFallback);
    r.handle(t(20), RouterInput::ReturnToPrimary);
    assert_eq!(r.state(), FallbackActive);
    r.handle(t(30), RouterInput::PrimaryUp);
    let v = r.view(t(30));
    assert_eq!(v.connection_state, PrimaryRecovering);
    assert_eq!(v.current_grace_period_secs, 10);
    assert_eq!(
        (v.failovers_last_hour, v.manual_failovers_last_hour),
        (0, 1)
    );
}
