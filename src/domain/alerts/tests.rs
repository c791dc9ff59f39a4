//! Alert engine tests on a manual clock: the shared helpers, every rule's lifecycle from
//! one table, summaries, the catalogue and the config. Inhibition, acknowledge, snooze,
//! INFO edges and the view are in `flow_tests`.

use super::*;
use crate::domain::types::Ts;
use AlertState::{Firing, Inactive, Pending, Resolved};

pub(super) const T0_SECS: i64 = 1_700_000_000;

pub(super) fn at(secs: i64) -> Ts {
    Ts::from_secs(T0_SECS + secs)
}

/// A healthy tick: nothing in the catalogue is true.
pub(super) fn quiet() -> Signals {
    Signals {
        market_open: true,
        alpaca_connected: true,
        ..Signals::default()
    }
}

pub(super) fn with(f: fn(&mut Signals)) -> Signals {
    let mut s = quiet();
    f(&mut s);
    s
}

/// Ticks once a second over `from..=to` (seconds after T0) and returns `id`'s changes.
pub(super) fn run(
    e: &mut AlertEngine,
    id: &str,
    from: i64,
    to: i64,
    s: &Signals,
) -> Vec<AlertChange> {
    (from..=to)
        .flat_map(|t| e.evaluate(at(t), s))
        .filter(|c| c.id == id)
        .collect()
}

pub(super) fn moves(changes: &[AlertChange]) -> Vec<(AlertState, AlertState)> {
    changes.iter().map(|c| (c.from, c.to)).collect()
}

pub(super) type Setter = fn(&mut Signals);

/// (id, below the threshold, above it, `for` in seconds)
// One rule a line, like the catalogue.
#[rustfmt::skip]
const LIFECYCLE: &[(&str, Setter, Setter, i64)] = &[
    ("C1", |s| s.both_sources_unavailable = false, |s| s.both_sources_unavailable = true, 60),
    ("C2", |s| s.p95_latency_ms = Some(10_000.0), |s| s.p95_latency_ms = Some(12_000.0), 300),
    ("C3", |s| s.memory_used_pct = Some(90.0), |s| s.memory_used_pct = Some(91.0), 300),
    ("C4", |s| s.consecutive_auth_failures = 4, |s| s.consecutive_auth_failures = 5, 0),
    ("H1", |s| s.alpaca_connected = true, |s| s.alpaca_connected = false, 60),
    ("H2", |s| s.p95_latency_ms = Some(5_000.0), |s| s.p95_latency_ms = Some(5_001.0), 300),
    ("H3", |s| s.validation_failure_rate_pct = Some(5.0), |s| s.validation_failure_rate_pct = Some(5.1), 60),
    ("M1", |s| s.failovers_last_hour = 3, |s| s.failovers_last_hour = 4, 0),
    ("M2", |s| s.error_rate_pct = Some(1.0), |s| s.error_rate_pct = Some(1.5), 300),
    ("M3", |s| s.discrepant_symbols = 10, |s| s.discrepant_symbols = 11, 0),
    ("L1", |s| s.slo_budget_remaining_pct = Some(20.0), |s| s.slo_budget_remaining_pct = Some(19.9), 0),
    ("L2", |s| s.reconnections_last_hour = 5, |s| s.reconnections_last_hour = 6, 0),
    ("X1", |s| { s.market_open = false; s.stale_symbols = vec!["AAPL".into()] }, |s| s.stale_symbols = vec!["AAPL".into()], 0),
    ("X2", |s| s.open_breakers = vec!["yahoo_http".into()], |s| s.open_breakers = vec!["alpaca_rest".into()], 0),
    ("X3", |s| s.open_breakers = vec!["alpaca_stream".into()], |s| s.open_breakers = vec!["yahoo_http".into()], 0),
    ("X4", |s| s.tripped_symbols.clear(), |s| s.tripped_symbols = vec!["TSLA".into()], 0),
    ("X5", |s| s.rate_limit_used_pct = vec![("alpaca_rest".into(), 80.0)], |s| s.rate_limit_used_pct = vec![("alpaca_rest".into(), 81.0)], 0),
    ("X6", |s| s.daily_loss_pct = Some(2.0), |s| s.daily_loss_pct = Some(2.5), 0),
    ("X7", |s| s.daily_loss_pct = Some(3.0), |s| s.daily_loss_pct = Some(3.5), 0),
    ("X8", |s| s.max_concentration_pct = Some(("AAPL".into(), 30.0)), |s| s.max_concentration_pct = Some(("AAPL".into(), 31.0)), 0),
];

#[test]
fn every_rule_follows_the_lifecycle() {
    let covered: Vec<&str> = LIFECYCLE.iter().map(|r| r.0).collect();
    let conditions: Vec<&str> = RULES
        .iter()
        .filter(|r| r.severity != Severity::Info)
        .map(|r| r.id)
        .collect();
    assert_eq!(covered, conditions, "the table covers every non-INFO rule");

    for &(id, below, above, for_secs) in LIFECYCLE {
        let (below, above) = (with(below), with(above));
        let mut e = AlertEngine::new(AlertConfig::default());
        assert_eq!(
            run(&mut e, id, 0, for_secs + 10, &below),
            vec![],
            "{id}: below never changes"
        );

        if for_secs > 0 {
            let short = run(&mut e, id, 100, 100 + for_secs - 1, &above);
            assert_eq!(
                moves(&short),
                vec![(Inactive, Pending)],
                "{id}: shorter than `for`"
            );
            let back = run(&mut e, id, 100 + for_secs, 100 + for_secs, &below);
            assert_eq!(
                moves(&back),
                vec![(Pending, Inactive)],
                "{id}: back to inactive"
            );
        }

        let start = 1_000;
        let mut fired = run(&mut e, id, start, start + for_secs, &above);
        let expected = if for_secs > 0 {
            vec![(Inactive, Pending), (Pending, Firing)]
        } else {
            vec![(Inactive, Firing)]
        };
        assert_eq!(moves(&fired), expected, "{id}: fires after `for`");
        let fire = fired.pop().unwrap();
        assert_eq!(
            fire.at,
            at(start + for_secs),
            "{id}: fires exactly when `for` has elapsed"
        );
        assert!(
            !fire.summary.is_empty() && !fire.first_step.is_empty(),
            "{id}"
        );

        let view = e.view(at(start + for_secs + 5));
        let v = view.active.iter().find(|v| v.id == id).unwrap();
        assert_eq!((v.state, v.firing_for_ms), (Firing, Some(5_000)), "{id}");

        let resolved = run(
            &mut e,
            id,
            start + for_secs + 6,
            start + for_secs + 6,
            &below,
        );
        assert_eq!(
            moves(&resolved),
            vec![(Firing, Resolved)],
            "{id}: drops → resolved"
        );
        assert!(!resolved[0].notify, "{id}: resolving does not notify");
        let view = e.view(at(start + for_secs + 7));
        assert!(view.active.iter().all(|v| v.id != id), "{id}");
        assert_eq!(
            view.recently_resolved.iter().filter(|v| v.id == id).count(),
            1,
            "{id}"
        );
    }
}

#[test]
fn summaries_carry_the_measured_value() {
    #[rustfmt::skip]
    let cases: &[(&str, Setter, &str)] = &[
        ("C2", |s| s.p95_latency_ms = Some(12_000.0), "P95 latency 12.0 s > 10.0 s"),
        ("C4", |s| s.consecutive_auth_failures = 7, "7 consecutive"),
        ("X5", |s| s.rate_limit_used_pct = vec![("alpaca_rest".into(), 85.0), ("yahoo_http".into(), 10.0)], "alpaca_rest 85%"),
        ("X8", |s| s.max_concentration_pct = Some(("NVDA".into(), 41.0)), "NVDA is 41.0% of equity > 30.0%"),
        ("X1", |s| s.stale_symbols = (0..12).map(|i| format!("S{i}")).collect(), "12 symbols stale while the market is open: S0, S1"),
        ("X1", |s| s.stale_symbols = (0..12).map(|i| format!("S{i}")).collect(), "S9 and 2 more"),
    ];
    let cfg = AlertConfig {
        extreme_latency_for_secs: 0,
        ..AlertConfig::default()
    };
    for &(id, set, text) in cases {
        let mut e = AlertEngine::new(cfg.clone());
        let fired = run(&mut e, id, 0, 0, &with(set));
        assert!(
            fired[0].summary.contains(text),
            "{id}: {:?} lacks {text:?}",
            fired[0].summary
        );
    }
}

#[test]
fn catalogue_is_consistent() {
    for (i, r) in RULES.iter().enumerate() {
        assert!(
            RULES[..i].iter().all(|o| o.id != r.id && o.name != r.name),
            "{} unique",
            r.id
        );
        assert!(
            r.inhibits.iter().all(|t| catalog::find(t).is_some()),
            "{} inhibits known ids",
            r.id
        );
        assert!(!r.first_step.is_empty(), "{}", r.id);
    }
    let name = |id: &str| RULES[catalog::find(id).unwrap()].name;
    assert_eq!(
        (name("C1"), name("H1")),
        ("AlpacaBothSourcesUnavailable", "AlpacaDisconnected")
    );
    assert_eq!(catalog::find("AlpacaDisconnected"), catalog::find("H1"));
    assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
    assert_eq!(serde_json::to_value(Severity::Medium).unwrap(), "MEDIUM");
}

#[test]
fn config_defaults_are_the_catalogue_and_load_from_toml() {
    let empty: AlertConfig = toml::from_str("").unwrap();
    assert_eq!(empty, AlertConfig::default());
    let c: AlertConfig =
        toml::from_str("high_latency_p95_ms = 3000.0\nresolved_retention_secs = 60").unwrap();
    assert_eq!(
        (
            c.high_latency_p95_ms,
            c.resolved_retention_secs,
            c.memory_used_pct
        ),
        (3000.0, 60, 90.0)
    );
    let err = toml::from_str::<AlertConfig>("high_latency_ms = 1").unwrap_err();
    assert!(err.to_string().contains("high_latency_ms"), "{err}");
}
