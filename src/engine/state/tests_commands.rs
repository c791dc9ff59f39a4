//! The engine's decision on each operator command: done, accepted, not found or
//! refused with a reason, and the same sentence in the event log.

use super::*;
use crate::domain::alerts::Actor;
use crate::messages::CommandReply;
use crate::messages::Outcome;

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

/// The reply, after checking that the event log says the same.
fn logged(reply: CommandReply, fx: &Effects) -> CommandReply {
    let last = fx.events.last().map(|e| e.message.as_str());
    assert_eq!(last, Some(reply.message.as_str()), "{:?}", fx.events);
    reply
}

#[test]
fn failover_commands_that_change_nothing_are_refused() {
    use crate::messages::FailoverAction::*;
    // In order on one state: (action, outcome, fragment of the message)
    let steps = [
        (
            Return,
            Outcome::Refused,
            "the router is PRIMARY_ACTIVE, not MANUAL_FALLBACK",
        ),
        (Force, Outcome::Done, "PRIMARY_ACTIVE → MANUAL_FALLBACK"),
        (Force, Outcome::Refused, "already forced (MANUAL_FALLBACK)"),
        (Return, Outcome::Done, "MANUAL_FALLBACK → PRIMARY_ACTIVE"),
        (Toggle, Outcome::Done, "PRIMARY_ACTIVE → MANUAL_FALLBACK"),
        (Toggle, Outcome::Done, "MANUAL_FALLBACK → PRIMARY_ACTIVE"),
    ];
    let mut st = state(Mode::Live);
    for (i, (action, outcome, fragment)) in steps.into_iter().enumerate() {
        let mut fx = Effects::default();
        let reply = logged(st.failover_command(action, &mut fx), &fx);
        assert_eq!(reply.outcome, outcome, "step {i}: {reply:?}");
        assert!(reply.message.contains(fragment), "step {i}: {reply:?}");
    }
}

#[test]
fn breaker_resets_say_what_was_there() {
    let mut st = state(Mode::Live);
    let cases: [(&str, Outcome, &str); 2] = [
        (
            "nope",
            Outcome::NotFound,
            "no upstream breaker named \"nope\"",
        ),
        ("yahoo_http", Outcome::Done, "it was CLOSED"),
    ];
    for (name, outcome, fragment) in cases {
        let mut fx = Effects::default();
        let reply = logged(st.reset_breaker(name, &mut fx), &fx);
        assert_eq!(reply.outcome, outcome, "{name}: {reply:?}");
        assert!(reply.message.contains(fragment), "{name}: {reply:?}");
    }
    let cases: [(&str, Outcome, &str); 2] = [
        ("ZZZZ", Outcome::NotFound, "ZZZZ is not in the watchlist"),
        ("AAPL", Outcome::Refused, "AAPL was not tripped"),
    ];
    for (sym, outcome, fragment) in cases {
        let mut fx = Effects::default();
        let reply = logged(st.reset_symbol_breaker(&Symbol::new(sym), &mut fx), &fx);
        assert_eq!(reply.outcome, outcome, "{sym}: {reply:?}");
        assert!(reply.message.contains(fragment), "{sym}: {reply:?}");
    }
}

#[test]
fn alerts_that_are_not_firing_cannot_be_acknowledged_or_snoozed() {
    let mut st = state(Mode::Live);
    let mut fx = Effects::default();
    let reply = logged(st.acknowledge_alert("H1", Actor::Api, &mut fx), &fx);
    assert_eq!(reply.outcome, Outcome::Refused, "{reply:?}");
    assert!(reply.message.contains("is inactive"), "{reply:?}");
    let reply = logged(st.snooze_alert("C3", 30, Actor::Tui, &mut fx), &fx);
    assert_eq!(reply.outcome, Outcome::Refused, "{reply:?}");
    let reply = logged(st.acknowledge_alert("Z9", Actor::Api, &mut fx), &fx);
    assert_eq!(reply.outcome, Outcome::NotFound, "{reply:?}");
    assert!(
        fx.alert_records.is_empty(),
        "a refusal is no acknowledgement"
    );
}

#[test]
fn a_watchlist_change_is_accepted_live_and_done_in_replay() {
    let add = [Symbol::new("NVDA")];
    for (mode, outcome) in [
        (Mode::Live, Outcome::Accepted),
        (Mode::Replay, Outcome::Done),
        (Mode::Demo, Outcome::Done),
    ] {
        let mut st = state(mode);
        let mut fx = Effects::default();
        let reply = st.watchlist_command(&add, &[], &mut fx);
        assert_eq!(reply.outcome, outcome, "{mode:?}: {reply:?}");
        assert!(reply.message.contains("added [NVDA]"), "{reply:?}");
        let again = st.watchlist_command(&add, &[], &mut fx);
        assert_eq!(again.outcome, Outcome::Refused, "{again:?}");
        assert!(again.message.contains("unchanged"), "{again:?}");
    }
}
