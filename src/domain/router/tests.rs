//! Scenario tables for the router on a manual clock: scripted inputs at whole
//! seconds (with a tick every second), expected transitions with time and reason.

use super::*;
use RouterState::*;

pub(super) fn t(s: i64) -> Ts {
    Ts::from_secs(1_800_000_000 + s)
}

pub(super) fn down(reason: &str) -> RouterInput {
    RouterInput::PrimaryDown {
        reason: reason.into(),
    }
}

fn failure(n: u32, reason: &str) -> RouterInput {
    RouterInput::PrimaryFailure {
        consecutive: n,
        reason: reason.into(),
    }
}

pub(super) fn yahoo_bad(reason: &str) -> RouterInput {
    RouterInput::FallbackUnhealthy {
        reason: reason.into(),
    }
}

/// Inputs in time order. Built with ticks first so that at the same second the
/// tick comes before the scripted event.
#[derive(Default)]
struct Script(Vec<(i64, RouterInput)>);

impl Script {
    /// A tick every second in `from..=to`.
    fn ticks(mut self, from: i64, to: i64, market_open: bool) -> Self {
        self.0
            .extend((from..=to).map(|s| (s, RouterInput::Tick { market_open })));
        self
    }
    /// An Alpaca message every second in `from..=to`.
    fn messages(mut self, from: i64, to: i64) -> Self {
        self.0
            .extend((from..=to).map(|s| (s, RouterInput::PrimaryMessage)));
        self
    }
    fn at(mut self, s: i64, input: RouterInput) -> Self {
        self.0.push((s, input));
        self
    }
    fn run(mut self, r: &mut Router) -> Vec<Transition> {
        self.0.sort_by_key(|(s, _)| *s);
        self.0
            .into_iter()
            .flat_map(|(s, input)| r.handle(t(s), input))
            .collect()
    }
}

pub(super) fn router() -> Router {
    Router::new(RouterConfig::default(), t(0))
}

type Expect = (i64, RouterState, RouterState, &'static str);

fn check(name: &str, got: &[Transition], want: &[Expect]) {
    let got: Vec<(i64, RouterState, RouterState, &str)> = got
        .iter()
        .map(|tr| {
            let secs = tr.at.millis_since(t(0)) / 1_000;
            (secs, tr.from, tr.to, tr.reason.as_str())
        })
        .collect();
    assert_eq!(got, want, "scenario: {name}");
}

#[test]
fn scenarios() {
    let table: Vec<(&str, Script, Vec<Expect>, RouterState)> = vec![
        (
            "hard close fails over at exactly +10 s",
            Script::default()
                .ticks(0, 30, true)
                .messages(0, 5)
                .at(5, down("socket closed")),
            vec![(15, PrimaryActive, FallbackActive, "Alpaca disconnected: socket closed")],
            FallbackActive,
        ),
        (
            "PrimaryDown twice keeps the first down_since",
            Script::default()
                .ticks(0, 30, true)
                .messages(0, 5)
                .at(5, down("socket closed"))
                .at(12, down("connect refused")),
            vec![(15, PrimaryActive, FallbackActive, "Alpaca disconnected: socket closed")],
            FallbackActive,
        ),
        (
            "silent stall: 30 s of silence, then 10 s more",
            Script::default().ticks(0, 70, true).messages(0, 10),
            vec![(50, PrimaryActive, FallbackActive, "Alpaca timeout")],
            FallbackActive,
        ),
        (
            "silence while the market was closed does not count",
            Script::default().ticks(0, 99, false).ticks(100, 150, true),
            vec![(140, PrimaryActive, FallbackActive, "Alpaca timeout")],
            FallbackActive,
        ),
        (
            "auth failure fails over at once",
            Script::default().ticks(0, 20, true).messages(0, 4).at(
                5,
                RouterInput::PrimaryFatal {
                    reason: "402 auth failed".into(),
                },
            ),
            vec![(5, PrimaryActive, FallbackActive, "Alpaca stopped: 402 auth failed")],
            FallbackActive,
        ),
        (
            "a blip shorter than the activation delay changes nothing",
            Script::default()
                .ticks(0, 60, true)
                .messages(0, 4)
                .at(5, down("socket closed"))
                .at(14, RouterInput::PrimaryUp)
                .messages(15, 60),
            vec![],
            PrimaryActive,
        ),
        (
            "three consecutive failures fail over at once",
            Script::default()
                .ticks(0, 20, true)
                .messages(0, 4)
                .at(5, down("socket closed"))
                .at(6, failure(1, "connection refused"))
                .at(7, failure(2, "connection refused"))
                .at(8, failure(3, "connection refused")),
            vec![(
                8,
                PrimaryActive,
                FallbackActive,
                "Alpaca failed 3 times in a row: connection refused",
            )],
            FallbackActive,
        ),
        (
            "both sources down, then each comes back",
            Script::default()
                .ticks(0, 40, true)
                .messages(0, 4)
                .at(1, yahoo_bad("HTTP 429"))
                .at(5, down("closed"))
                .at(20, RouterInput::FallbackHealthy)
                .at(25, yahoo_bad("all requests timed out"))
                .at(30, RouterInput::PrimaryUp)
                .messages(31, 40),
            vec![
                (
                    15,
                    PrimaryActive,
                    BothUnavailable,
                    "Alpaca disconnected: closed; Yahoo unavailable: HTTP 429",
                ),
                (20, BothUnavailable, FallbackActive, "Yahoo recovered"),
                (25, FallbackActive, BothUnavailable, "Yahoo unavailable: all requests timed out"),
                (30, BothUnavailable, PrimaryActive, "Alpaca recovered"),
            ],
            PrimaryActive,
        ),
        (
            "recovery interrupted during the grace period",
            Script::default()
                .ticks(0, 55, true)
                .messages(0, 4)
                .at(5, down("closed"))
                .at(20, RouterInput::PrimaryUp)
                .at(25, down("closed again"))
                .at(40, RouterInput::PrimaryUp)
                .messages(41, 55),
            vec![
                (15, PrimaryActive, FallbackActive, "Alpaca disconnected: closed"),
                (20, FallbackActive, PrimaryRecovering, "Alpaca reconnected"),
                (
                    25,
                    PrimaryRecovering,
                    FallbackActive,
                    "Alpaca failed during the recovery grace period: Alpaca disconnected: closed again",
                ),
                (40, FallbackActive, PrimaryRecovering, "Alpaca reconnected"),
                (50, PrimaryRecovering, PrimaryActive, "Alpaca recovered"),
            ],
            PrimaryActive,
        ),
        (
            "Yahoo failing during the grace period hands back to a healthy Alpaca",
            Script::default()
                .ticks(0, 30, true)
                .messages(0, 4)
                .at(5, down("closed"))
                .at(20, RouterInput::PrimaryUp)
                .messages(21, 30)
                .at(22, yahoo_bad("HTTP 503")),
            vec![
                (15, PrimaryActive, FallbackActive, "Alpaca disconnected: closed"),
                (20, FallbackActive, PrimaryRecovering, "Alpaca reconnected"),
                (22, PrimaryRecovering, PrimaryActive, "Yahoo unavailable: HTTP 503; Alpaca is up"),
            ],
            PrimaryActive,
        ),
        (
            "forced failover ignores Alpaca until returned",
            Script::default()
                .ticks(0, 60, true)
                .messages(0, 9)
                .at(5, RouterInput::ForceFallback)
                .at(10, down("closed"))
                .at(30, RouterInput::ReturnToPrimary)
                .at(35, RouterInput::PrimaryUp)
                .messages(36, 60),
            vec![
                (5, PrimaryActive, ManualFallback, "operator forced failover"),
                (30, ManualFallback, FallbackActive, "operator returned to primary"),
                (35, FallbackActive, PrimaryRecovering, "Alpaca reconnected"),
                (45, PrimaryRecovering, PrimaryActive, "Alpaca recovered"),
            ],
            PrimaryActive,
        ),
        (
            "forced failover and return with Alpaca healthy",
            Script::default()
                .ticks(0, 30, true)
                .messages(0, 30)
                .at(5, RouterInput::ForceFallback)
                .at(6, RouterInput::ForceFallback)
                .at(10, RouterInput::ReturnToPrimary)
                .at(11, RouterInput::ReturnToPrimary),
            vec![
                (5, PrimaryActive, ManualFallback, "operator forced failover"),
                (10, ManualFallback, PrimaryActive, "operator returned to primary"),
            ],
            PrimaryActive,
        ),
        (
            "return with both down goes to BOTH_UNAVAILABLE",
            Script::default()
                .ticks(0, 20, true)
                .messages(0, 4)
                .at(5, RouterInput::ForceFallback)
                .at(6, down("closed"))
                .at(7, yahoo_bad("HTTP 429"))
                .at(10, RouterInput::ReturnToPrimary),
            vec![
                (5, PrimaryActive, ManualFallback, "operator forced failover"),
                (10, ManualFallback, BothUnavailable, "operator returned to primary"),
            ],
            BothUnavailable,
        ),
    ];
    for (name, script, want, final_state) in table {
        let mut r = router();
        let got = script.run(&mut r);
        check(name, &got, &want);
        assert_eq!(r.state(), final_state, "final state: {name}");
    }
}

#[test]
fn failover_is_not_one_millisecond_early() {
    let mut r = router();
    r.handle(t(0), RouterInput::PrimaryUp);
    r.handle(t(5), down("closed"));
    assert_eq!(r.view(t(5)).failover_due_at, Some(t(15)));
    let early = t(15).plus_millis(-1);
    assert!(r
        .handle(early, RouterInput::Tick { market_open: true })
        .is_empty());
    let trs = r.handle(t(15), RouterInput::Tick { market_open: true });
    assert_eq!(trs.len(), 1);
    assert!(trs[0].failover && !trs[0].failback);
}

#[test]
fn flapping_primary_grows_the_grace_period_up_to_the_cap() {
    let mut r = router();
    let mut now = 0;
    let mut graces = Vec::new();
    // Market closed so that only the scripted events matter.
    let tick = RouterInput::Tick { market_open: false };
    for _ in 0..7 {
        r.handle(t(now), down("closed"));
        now += 10;
        let fo = r.handle(t(now), tick.clone());
        assert_eq!(fo.len(), 1, "failover at +10 s");
        now += 1;
        r.handle(t(now), RouterInput::PrimaryUp);
        assert_eq!(r.state(), PrimaryRecovering);
        let v = r.view(t(now));
        graces.push(v.current_grace_period_secs);
        assert_eq!(
            v.recovery_due_at,
            Some(t(now + v.current_grace_period_secs as i64))
        );
        let due = now + v.current_grace_period_secs as i64;
        assert!(
            r.handle(t(due - 1), tick.clone()).is_empty(),
            "not before the grace ends"
        );
        now = due;
        let fb = r.handle(t(now), tick.clone());
        assert_eq!(fb.len(), 1);
        assert_eq!(fb[0].reason, "Alpaca recovered");
        assert!(fb[0].failback);
    }
    assert_eq!(graces, vec![10, 20, 40, 80, 160, 300, 300]);
    let v = r.view(t(now));
    assert_eq!(
        (v.fallback_count, v.failbacks, v.failovers_last_hour),
        (7, 7, 7)
    );
    // An hour after the last failover, the grace is back to the base.
    assert_eq!(r.view(t(now + 3_600)).current_grace_period_secs, 10);
    assert_eq!(r.view(t(now + 3_600)).failovers_last_hour, 0);
}

#[test]
fn a_closed_market_hour_makes_no_transitions() {
    let mut r = router();
    let trs = Script::default().ticks(0, 3_600, false).run(&mut r);
    assert!(trs.is_empty(), "{trs:?}");
    assert_eq!(r.state(), PrimaryActive);
    assert!(r.view(t(3_600)).primary_healthy);
}

#[test]
fn one_outage_is_one_failover_and_one_failback() {
    let mut r = router();
    let trs = Script::default()
        .ticks(0, 600, true)
        .messages(0, 99)
        .at(100, down("closed"))
        .at(160, RouterInput::PrimaryUp)
        .messages(160, 600)
        .run(&mut r);
    assert_eq!(trs.iter().filter(|t| t.failover).count(), 1);
    assert_eq!(trs.iter().filter(|t| t.failback).count(), 1);
    assert_eq!(trs.len(), 3, "{trs:?}");
    let v = r.view(t(600));
    assert_eq!((v.fallback_count, v.failbacks), (1, 1));
    assert_eq!(v.connection_state, PrimaryActive);
    assert_eq!(v.transitions.len(), 3);
    assert_eq!(
        v.last_transition.as_ref().map(|t| t.to),
        Some(PrimaryActive)
    );
}
