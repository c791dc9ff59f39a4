//! Property test: any sequence of inputs keeps the router's books straight.

use super::tests::t;
use super::*;
use proptest::prelude::*;

fn input() -> impl Strategy<Value = RouterInput> {
    let reason = prop_oneof![Just(String::new()), Just("closed".to_string())];
    prop_oneof![
        3 => Just(RouterInput::PrimaryUp),
        3 => Just(RouterInput::PrimaryMessage),
        2 => reason.clone().prop_map(|reason| RouterInput::PrimaryDown { reason }),
        2 => (0u32..6, reason.clone())
            .prop_map(|(consecutive, reason)| RouterInput::PrimaryFailure { consecutive, reason }),
        1 => reason.clone().prop_map(|reason| RouterInput::PrimaryFatal { reason }),
        2 => Just(RouterInput::FallbackHealthy),
        2 => reason.prop_map(|reason| RouterInput::FallbackUnhealthy { reason }),
        1 => Just(RouterInput::ForceFallback),
        1 => Just(RouterInput::ReturnToPrimary),
        5 => any::<bool>().prop_map(|market_open| RouterInput::Tick { market_open }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_inputs_keep_the_books(
        steps in proptest::collection::vec((0i64..20_000, input()), 0..300),
    ) {
        let mut r = Router::new(RouterConfig::default(), t(0));
        let mut now = t(0);
        let mut all = Vec::new();
        for (delta_ms, input) in steps {
            now = now.plus_millis(delta_ms);
            all.extend(r.handle(now, input));
            let v = r.view(now);
            prop_assert_eq!(v.connection_state, r.state());
            prop_assert_eq!(
                v.recovery_due_at.is_some(),
                r.state() == RouterState::PrimaryRecovering
            );
            prop_assert_eq!(
                v.failover_due_at.is_some(),
                r.state() == RouterState::PrimaryActive && !v.primary_healthy
            );
            prop_assert!(v.transitions.len() <= TRANSITION_HISTORY);
        }
        let mut state = RouterState::PrimaryActive;
        for tr in &all {
            prop_assert_eq!(tr.from, state, "transitions chain");
            prop_assert_ne!(tr.from, tr.to);
            prop_assert!(!(tr.failover && tr.failback));
            state = tr.to;
        }
        prop_assert_eq!(state, r.state());
        let v = r.view(now);
        let failovers = all.iter().filter(|t| t.failover).count() as u64;
        let failbacks = all.iter().filter(|t| t.failback).count() as u64;
        prop_assert_eq!(v.fallback_count, failovers);
        let forced = all
            .iter()
            .filter(|t| t.failover && t.to == RouterState::ManualFallback)
            .count() as u64;
        prop_assert_eq!(v.manual_failovers, forced);
        prop_assert_eq!(v.failbacks, failbacks);
    }
}
