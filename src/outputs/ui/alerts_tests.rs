//! The Alerts page: pictures from a driven alert engine and SLO tracker, the a/z keys
//! and the critical bell.

use super::bell::bell_due;
use super::dispatch::{on_key, Effect};
use super::perform::SNOOZE_MINUTES;
use super::scenarios::health_snapshot;
use super::state::{Page, UiState};
use super::testutil::render_text;
use crate::domain::alerts::{Actor, AlertEngine, AlertRecord, Signals};
use crate::domain::slo::{MessageCounts, SecondSample, SloConfig, SloTracker};
use crate::engine::snapshot::Snapshot;
use crate::messages::Command;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Both sources down for 90 s (C1 firing, H1 inhibited by it), validation failing
/// (H3 firing, acknowledged from the API), five SLO hours with a 10-minute outage.
pub(super) fn alerts_snapshot() -> Snapshot {
    let mut snap = health_snapshot();
    let now = snap.now;
    let start = now.plus_millis(-90_000);
    let mut engine = AlertEngine::new(Default::default());
    let mut history = Vec::new();
    for s in 0..=90 {
        let signals = Signals {
            market_open: true,
            both_sources_unavailable: true,
            validation_failure_rate_pct: Some(7.5),
            ..Signals::default()
        };
        let at = start.plus_millis(s * 1_000);
        for c in engine.evaluate(at, &signals) {
            history.extend(AlertRecord::from_change(&c));
        }
        if s == 80 {
            engine.acknowledge(at, "H3").unwrap();
            history.push(AlertRecord {
                at,
                alert_id: "H3".into(),
                name: "ValidationFailureRateHigh".into(),
                severity: "HIGH".into(),
                action: "acknowledged".into(),
                actor: Actor::Api,
                summary: String::new(),
            });
        }
    }
    snap.alerts = engine.view(now);
    history.reverse();
    snap.alert_history = history;
    let mut slo = SloTracker::new(SloConfig::default());
    let minute0 = now.as_millis() / 60_000 - 300;
    for m in 0..300 {
        let down = m >= 290;
        for s in 0..60 {
            let sample = SecondSample {
                secs: 1,
                available: !down,
                alpaca_up: !down,
            };
            let msgs = MessageCounts {
                latency_total: 10,
                latency_good: 10,
                validation_total: 10,
                validation_good: if down { 9 } else { 10 },
            };
            slo.record((minute0 + m) * 60_000 + s * 1_000, sample, msgs);
        }
    }
    snap.slo = slo.report(now.as_millis());
    snap
}

fn alerts_page() -> UiState {
    UiState {
        page: Page::Alerts,
        ..UiState::default()
    }
}

#[test]
fn alerts_120x32() {
    let text = render_text(&alerts_snapshot(), &alerts_page(), 120, 32);
    insta::assert_snapshot!(text);
}

#[test]
fn alerts_80x24() {
    let text = render_text(&alerts_snapshot(), &alerts_page(), 80, 24);
    for needle in [
        "CRITICAL",
        "C1",
        "RUNBOOK-001",
        "ACK",
        "by C1",
        "first step",
    ] {
        assert!(text.contains(needle), "{needle:?} missing:\n{text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn alerts_page_without_alerts_says_so() {
    let snap = health_snapshot();
    let text = render_text(&snap, &alerts_page(), 100, 30);
    assert!(text.contains("no pending or firing alerts"), "{text}");
    assert!(text.contains("no SLO data yet"), "{text}");
    assert!(text.contains("no alert history yet"), "{text}");
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

#[test]
fn a_acks_and_z_snoozes_the_selected_alert_from_the_tui() {
    let snap = alerts_snapshot();
    let ids: Vec<&str> = snap.alerts.active.iter().map(|a| a.id.as_ref()).collect();
    assert!(ids.len() >= 2, "{ids:?}");
    let mut ui = alerts_page();
    let got = on_key(&mut ui, key('a'), &snap);
    assert!(matches!(
        got,
        Some(Effect::Send(Command::AckAlert { id, actor: Actor::Tui })) if id == ids[0]
    ));
    // Down moves the alert selection, not the watchlist's.
    on_key(
        &mut ui,
        KeyEvent::new(KeyCode::Down, KeyModifiers::NONE),
        &snap,
    );
    assert_eq!((ui.alert_selected, ui.selected), (1, 0));
    let got = on_key(&mut ui, key('z'), &snap);
    assert!(matches!(
        got,
        Some(Effect::Send(Command::SnoozeAlert { id, minutes: SNOOZE_MINUTES, actor: Actor::Tui })) if id == ids[1]
    ));
    // The selection stops at the last alert.
    for _ in 0..10 {
        on_key(&mut ui, key('j'), &snap);
    }
    assert_eq!(ui.alert_selected, ids.len() - 1);
}

#[test]
fn a_elsewhere_still_adds_a_symbol_and_z_on_an_empty_page_says_why() {
    let snap = alerts_snapshot();
    let mut ui = UiState::default();
    assert!(matches!(on_key(&mut ui, key('a'), &snap), Some(Effect::Ui)));
    assert!(ui.ix.prompt.is_some());
    let mut ui = alerts_page();
    let empty = health_snapshot();
    assert!(on_key(&mut ui, key('z'), &empty).is_none());
    assert_eq!(ui.notice.as_deref(), Some("no alert selected to act on"));
}

#[test]
fn the_bell_rings_once_per_new_critical() {
    let mut snap = alerts_snapshot();
    let mut rung = Vec::new();
    assert!(
        bell_due(&mut rung, &snap),
        "C1 is firing and not acknowledged"
    );
    assert!(!bell_due(&mut rung, &snap), "already rung");
    // Acknowledged: silent, and once it clears a new firing rings again.
    let c1 = snap
        .alerts
        .active
        .iter_mut()
        .find(|a| a.id == "C1")
        .unwrap();
    c1.acked = true;
    assert!(!bell_due(&mut rung, &snap));
    let c1 = snap
        .alerts
        .active
        .iter_mut()
        .find(|a| a.id == "C1")
        .unwrap();
    c1.acked = false;
    assert!(bell_due(&mut rung, &snap));
    // Snoozed into the future: silent.
    let mut rung = Vec::new();
    let now = snap.now;
    let c1 = snap
        .alerts
        .active
        .iter_mut()
        .find(|a| a.id == "C1")
        .unwrap();
    c1.snoozed_until = Some(now.plus_millis(60_000));
    assert!(!bell_due(&mut rung, &snap));
    // HIGH alerts never ring.
    let mut snap = alerts_snapshot();
    snap.alerts.active.retain(|a| a.id != "C1");
    assert!(!bell_due(&mut Vec::new(), &snap));
}

#[test]
fn d_on_the_alerts_page_removes_nothing_unseen() {
    let snap = alerts_snapshot();
    let mut ui = alerts_page();
    assert!(on_key(&mut ui, key('d'), &snap).is_none());
    assert!(ui.notice.as_deref().unwrap().contains("Market page"));
}
