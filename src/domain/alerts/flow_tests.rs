//! Alert engine tests on a manual clock: inhibition, acknowledge, snooze, INFO edges,
//! the view's order and counts, and resolved-alert retention.

use super::tests::{at, moves, quiet, run, with, Setter};
use super::*;
use AlertState::{Firing, Inactive, Pending, Resolved};

#[test]
fn both_sources_down_inhibits_alpaca_disconnected_until_it_resolves() {
    let mut e = AlertEngine::new(AlertConfig::default());
    let down = with(|s| {
        s.both_sources_unavailable = true;
        s.alpaca_connected = false;
    });
    let changes: Vec<AlertChange> = (0..=60).flat_map(|t| e.evaluate(at(t), &down)).collect();
    let fired: Vec<(&str, bool)> = changes
        .iter()
        .filter(|c| c.to == Firing)
        .map(|c| (c.id, c.notify))
        .collect();
    assert_eq!(fired, vec![("C1", true), ("H1", false)]);
    let v = e.view(at(61));
    let h1 = v.active.iter().find(|v| v.id == "H1").unwrap();
    assert_eq!((h1.state, h1.inhibited_by.as_deref()), (Firing, Some("C1")));
    assert_eq!(
        v.active.iter().find(|v| v.id == "C1").unwrap().inhibited_by,
        None
    );

    // Yahoo is back, Alpaca is not: H1 was never sent, so it is sent now, once.
    let yahoo_back = with(|s| s.alpaca_connected = false);
    let changes = e.evaluate(at(62), &yahoo_back);
    let got: Vec<(&str, AlertState, AlertState, bool)> = changes
        .iter()
        .map(|c| (c.id, c.from, c.to, c.notify))
        .collect();
    assert_eq!(
        got,
        vec![
            ("C1", Firing, Resolved, false),
            ("H1", Firing, Firing, true)
        ]
    );
    assert_eq!(e.evaluate(at(63), &yahoo_back), vec![]);
}

#[test]
fn critical_alpaca_alert_silences_lower_alpaca_alerts_only() {
    let cfg = AlertConfig {
        high_latency_for_secs: 0,
        error_rate_for_secs: 0,
        validation_failure_for_secs: 0,
        ..AlertConfig::default()
    };
    let mut e = AlertEngine::new(cfg);
    let s = with(|s| {
        s.consecutive_auth_failures = 5; // C4: CRITICAL, alpaca
        s.p95_latency_ms = Some(6_000.0); // H2: HIGH, alpaca
        s.failovers_last_hour = 4; // M1: MEDIUM, alpaca
        s.validation_failure_rate_pct = Some(9.0); // H3: validation
        s.memory_used_pct = Some(95.0); // C3 pending: system, never silences
        s.error_rate_pct = Some(3.0); // M2: system
    });
    let notify: Vec<(&str, bool)> = e
        .evaluate(at(0), &s)
        .iter()
        .filter(|c| c.to == Firing)
        .map(|c| (c.id, c.notify))
        .collect();
    assert_eq!(
        notify,
        vec![
            ("C4", true),
            ("H2", false),
            ("H3", true),
            ("M1", false),
            ("M2", true)
        ]
    );
    let v = e.view(at(1));
    let by = |id: &str| {
        v.active
            .iter()
            .find(|v| v.id == id)
            .unwrap()
            .inhibited_by
            .as_deref()
    };
    assert_eq!(
        (by("H2"), by("M1"), by("H3"), by("M2")),
        (Some("C4"), Some("C4"), None, None)
    );

    // A critical portfolio loss silences the warning explicitly.
    let mut e = AlertEngine::new(AlertConfig::default());
    let loss: Vec<(&str, bool)> = e
        .evaluate(at(0), &with(|s| s.daily_loss_pct = Some(4.0)))
        .iter()
        .map(|c| (c.id, c.notify))
        .collect();
    assert_eq!(loss, vec![("X6", false), ("X7", true)]);
}

#[test]
fn acknowledge_keeps_firing_without_reminders_until_resolved() {
    let mut e = AlertEngine::new(AlertConfig::default());
    let flapping = with(|s| s.failovers_last_hour = 4);
    assert!(run(&mut e, "M1", 0, 0, &flapping)[0].notify);
    assert_eq!(e.acknowledge(at(1), "AlpacaFailoverFrequencyHigh"), Ok(()));
    e.snooze(at(1), "M1", at(30)).unwrap();
    assert_eq!(
        run(&mut e, "M1", 2, 60, &flapping),
        vec![],
        "acked: no reminder when the snooze ends"
    );
    let v = e.view(at(61));
    assert_eq!(
        (v.active[0].state, v.active[0].acked, v.active[0].acked_at),
        (Firing, true, Some(at(1)))
    );

    let resolved = run(&mut e, "M1", 62, 62, &quiet());
    assert!(!resolved[0].notify);
    assert!(
        !e.view(at(63)).recently_resolved[0].acked,
        "ack ends with the episode"
    );
    assert!(
        run(&mut e, "M1", 64, 64, &flapping)[0].notify,
        "a new episode notifies again"
    );

    let unknown = e.acknowledge(at(65), "Z9").unwrap_err();
    assert!(unknown.to_string().contains("\"Z9\""), "{unknown}");
    let not_firing = e.acknowledge(at(65), "H1").unwrap_err();
    assert!(
        not_firing
            .to_string()
            .contains("H1 (AlpacaDisconnected) is inactive"),
        "{not_firing}"
    );
}

#[test]
fn snooze_hides_until_it_expires_then_reminds_once() {
    let mut e = AlertEngine::new(AlertConfig::default());
    let flapping = with(|s| s.failovers_last_hour = 4);
    run(&mut e, "M1", 0, 0, &flapping);
    e.snooze(at(1), "M1", at(30)).unwrap();
    assert_eq!(e.view(at(2)).active[0].snoozed_until, Some(at(30)));
    assert_eq!(run(&mut e, "M1", 1, 29, &flapping), vec![]);
    let reminder = run(&mut e, "M1", 30, 40, &flapping);
    assert_eq!(moves(&reminder), vec![(Firing, Firing)]);
    assert!(reminder[0].notify && reminder[0].at == at(30));
    assert_eq!(e.view(at(41)).active[0].snoozed_until, None);

    // Snoozed while pending: fires silently, reminds when the snooze ends.
    let slow = with(|s| s.p95_latency_ms = Some(6_000.0));
    assert_eq!(
        moves(&run(&mut e, "H2", 100, 100, &slow)),
        vec![(Inactive, Pending)]
    );
    e.snooze(at(101), "H2", at(1_000)).unwrap();
    let fired = run(&mut e, "H2", 101, 999, &slow);
    assert_eq!(
        (moves(&fired), fired[0].notify),
        (vec![(Pending, Firing)], false)
    );
    assert!(run(&mut e, "H2", 1_000, 1_000, &slow)[0].notify);

    let past = e.snooze(at(1_001), "H2", at(1_001)).unwrap_err();
    assert!(
        matches!(past, AlertError::SnoozeNotInFuture { id: "H2", .. }),
        "{past}"
    );
    let inactive = e.snooze(at(1_001), "C3", at(2_000)).unwrap_err();
    assert!(
        inactive
            .to_string()
            .contains("C3 (TapewatchMemoryHigh) is inactive"),
        "{inactive}"
    );
}

#[test]
fn info_alerts_fire_and_resolve_once_per_edge() {
    #[rustfmt::skip]
    let edges: &[(&str, Setter, &str)] = &[
        ("I1", |s| s.alpaca_recovered = true, "Alpaca stream recovered"),
        ("I2", |s| s.router_transition = Some("PRIMARY_ACTIVE → FALLBACK_ACTIVE (reason: Alpaca timeout)".into()), "(reason: Alpaca timeout)"),
        ("I3", |s| s.subscription_changed = Some("+NVDA".into()), "+NVDA"),
    ];
    for &(id, set, text) in edges {
        let mut e = AlertEngine::new(AlertConfig::default());
        // Even under a firing alpaca CRITICAL, INFO is always logged.
        run(
            &mut e,
            "C4",
            0,
            0,
            &with(|s| s.consecutive_auth_failures = 9),
        );
        let mut edge = with(set);
        edge.consecutive_auth_failures = 9;
        let once = run(&mut e, id, 1, 1, &edge);
        assert_eq!(
            moves(&once),
            vec![(Inactive, Firing), (Firing, Resolved)],
            "{id}"
        );
        assert_eq!((once[0].notify, once[1].notify), (true, false), "{id}");
        assert!(once[0].summary.contains(text), "{id}: {}", once[0].summary);
        assert_eq!(
            run(&mut e, id, 2, 5, &with(|s| s.consecutive_auth_failures = 9)),
            vec![],
            "{id}"
        );
        let again = run(&mut e, id, 6, 6, &edge);
        assert_eq!(
            moves(&again),
            vec![(Resolved, Firing), (Firing, Resolved)],
            "{id}"
        );
        assert!(
            e.view(at(7)).recently_resolved.iter().any(|v| v.id == id),
            "{id}"
        );
        assert!(
            matches!(e.acknowledge(at(7), id), Err(AlertError::NotFiring { .. })),
            "{id}"
        );
    }
}

#[test]
fn view_orders_by_severity_then_since_and_counts_firing() {
    let mut e = AlertEngine::new(AlertConfig::default());
    let mut s = quiet();
    s.reconnections_last_hour = 6; // L2 at 0
    e.evaluate(at(0), &s);
    s.discrepant_symbols = 11; // M3 at 1
    e.evaluate(at(1), &s);
    s.error_rate_pct = Some(2.0); // M2 pending at 2
    e.evaluate(at(2), &s);
    s.failovers_last_hour = 4; // M1 at 3
    s.memory_used_pct = Some(99.0); // C3 pending at 3
    e.evaluate(at(3), &s);
    s.consecutive_auth_failures = 5; // C4 at 4
    e.evaluate(at(4), &s);
    let v = e.view(at(5));
    let order: Vec<&str> = v.active.iter().map(|v| v.id.as_ref()).collect();
    assert_eq!(order, vec!["C3", "C4", "M3", "M2", "M1", "L2"]);
    assert_eq!(
        v.counts,
        SeverityCounts {
            critical: 1,
            high: 0,
            medium: 2,
            low: 1,
            info: 0
        }
    );

    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["active"][1]["severity"], "CRITICAL");
    assert_eq!(json["active"][1]["state"], "firing");
    assert_eq!(json["active"][1]["firingForMs"], 1_000);
    assert_eq!(json["active"][1]["since"], at(4).to_rfc3339());
    for key in [
        "inhibitedBy",
        "snoozedUntil",
        "firstStep",
        "runbook",
        "threshold",
        "value",
    ] {
        assert!(json["active"][1].get(key).is_some(), "{key}");
    }
    assert!(json["recentlyResolved"].is_array());
}

#[test]
fn resolved_alerts_drop_from_the_list_after_retention_without_a_change() {
    let mut e = AlertEngine::new(AlertConfig {
        resolved_retention_secs: 900,
        ..AlertConfig::default()
    });
    run(&mut e, "M1", 0, 0, &with(|s| s.failovers_last_hour = 4));
    run(&mut e, "M1", 10, 10, &quiet());
    assert_eq!(e.view(at(909)).recently_resolved.len(), 1);
    assert_eq!(e.view(at(910)).recently_resolved.len(), 0);
    assert_eq!(run(&mut e, "M1", 11, 1_000, &quiet()), vec![]);
    // After retention it comes back from inactive.
    assert_eq!(
        moves(&run(
            &mut e,
            "M1",
            1_001,
            1_001,
            &with(|s| s.failovers_last_hour = 4)
        )),
        vec![(Inactive, Firing)]
    );
}
