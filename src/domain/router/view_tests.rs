//! Tests of what the router shows: state names, the log line, the view and its JSON.

use super::tests::{down, router, t, yahoo_bad};
use super::*;
use RouterState::*;

#[test]
fn toggle_manual_flips_between_forced_and_released() {
    let mut r = router();
    let a = r.toggle_manual(t(1));
    assert_eq!((a[0].to, a[0].failover), (ManualFallback, true));
    assert!(r.view(t(1)).manual);
    let b = r.toggle_manual(t(2));
    assert_eq!((b[0].to, b[0].failback), (PrimaryActive, true));
    assert_eq!(r.view(t(2)).fallback_count, 1);
}

#[test]
fn log_line_format() {
    let tr = Transition {
        from: PrimaryActive,
        to: FallbackActive,
        at: t(0),
        reason: "Alpaca timeout".into(),
        failover: true,
        failback: false,
    };
    assert_eq!(
        tr.log_line(),
        "State transition: PRIMARY_ACTIVE → FALLBACK_ACTIVE (reason: Alpaca timeout) [DataSourceRouter state transition]"
    );
}

#[test]
fn states_name_their_source() {
    let table = [
        (
            PrimaryActive,
            "PRIMARY_ACTIVE",
            Some(Source::Alpaca),
            "Alpaca",
            false,
        ),
        (
            FallbackActive,
            "FALLBACK_ACTIVE",
            Some(Source::Yahoo),
            "Yahoo",
            true,
        ),
        (
            PrimaryRecovering,
            "PRIMARY_RECOVERING",
            Some(Source::Yahoo),
            "Yahoo",
            true,
        ),
        (BothUnavailable, "BOTH_UNAVAILABLE", None, "None", true),
        (
            ManualFallback,
            "MANUAL_FALLBACK",
            Some(Source::Yahoo),
            "Yahoo",
            true,
        ),
    ];
    for (s, name, source, current, yahoo) in table {
        assert_eq!(s.as_str(), name);
        assert_eq!(serde_json::to_value(s).unwrap(), name);
        assert_eq!(s.active_source(), source);
        assert_eq!(s.current_data_source_str(), current);
        assert_eq!(s.yahoo_serving(), yahoo, "{name}");
    }
}

#[test]
fn view_json_has_the_runbook_fields() {
    let mut r = router();
    r.handle(t(1), yahoo_bad("HTTP 429"));
    r.handle(t(2), RouterInput::FallbackHealthy);
    r.handle(t(5), down("closed"));
    let v = r.view(t(7));
    assert_eq!(v.primary_down_since, Some(t(5)));
    assert_eq!(
        v.primary_down_reason.as_deref(),
        Some("Alpaca disconnected: closed")
    );
    assert_eq!(v.fallback_healthy, Some(true));
    assert_eq!(v.in_state_ms, 7_000);
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["connectionState"], "PRIMARY_ACTIVE");
    assert_eq!(json["currentDataSource"], "Alpaca");
    assert_eq!(json["fallbackCount"], 0);
    assert_eq!(json["failoverDueAt"], t(15).to_rfc3339());
    assert_eq!(json["settings"]["messageTimeoutSeconds"], 30);
    assert_eq!(json["settings"]["maxConsecutiveFailures"], 3);
    assert_eq!(json["settings"]["fallbackActivationDelaySeconds"], 10);
    assert_eq!(json["settings"]["primaryRecoveryGracePeriodSeconds"], 10);
    for key in [
        "failbacks",
        "stateSince",
        "inStateMs",
        "primaryHealthy",
        "fallbackHealthy",
        "primaryDownSince",
        "recoveryDueAt",
        "currentGracePeriodSecs",
        "failoversLastHour",
        "manualFailoversLastHour",
        "manualFailovers",
        "manual",
        "lastTransition",
        "transitions",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    r.handle(t(15), RouterInput::Tick { market_open: true });
    let json = serde_json::to_value(r.view(t(16))).unwrap();
    assert_eq!(json["currentDataSource"], "Yahoo");
    assert_eq!(json["lastTransition"]["from"], "PRIMARY_ACTIVE");
    assert_eq!(json["lastTransition"]["failover"], true);
    assert_eq!(json["transitions"].as_array().map(Vec::len), Some(1));
}

#[test]
fn history_keeps_the_last_fifty() {
    let mut r = router();
    for i in 0..60 {
        r.toggle_manual(t(i));
    }
    let v = r.view(t(60));
    assert_eq!(v.transitions.len(), TRANSITION_HISTORY);
    assert_eq!(v.transitions.last().map(|t| t.at), Some(t(59)));
    assert_eq!(v.fallback_count, 30);
}
