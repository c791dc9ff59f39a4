//! The notifier task on its own: exec hooks (JSON on stdin, no shell, failures and
//! timeouts visible) and the per-channel rate limit with its summaries.

use super::notify::notify_config;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tapewatch::domain::alerts::{AlertChange, AlertSource, AlertState, Severity};
use tapewatch::domain::clock::ManualClock;
use tapewatch::domain::types::Ts;
use tapewatch::messages::notify::NotifyReport;
use tapewatch::messages::FeedEvent;
use tapewatch::outputs::notify::task::{self, ReportTo};
use tapewatch::outputs::notify::NotifyConfig;
use tapewatch::plumbing::channels::Meter;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn alert(id: &'static str, severity: Severity, at_secs: i64) -> AlertChange {
    AlertChange {
        at: Ts::from_secs(1_800_000_000 + at_secs),
        id,
        name: "Example",
        severity,
        source: AlertSource::System,
        from: AlertState::Pending,
        to: AlertState::Firing,
        summary: "it's $(rm -rf /) `quoted` \"x\"".into(),
        runbook: Some("RUNBOOK-004"),
        first_step: "look",
        notify: true,
    }
}

/// Runs the notifier task alone, feeding it `changes`, and returns its reports until
/// `until` holds (or panics after 30 s).
async fn run_notifier(
    cfg: NotifyConfig,
    changes: Vec<AlertChange>,
    until: impl Fn(&NotifyReport) -> bool,
) -> Vec<NotifyReport> {
    let (in_tx, in_rx) = mpsc::channel(16);
    let (feed_tx, mut feed_rx) = mpsc::channel(64);
    let cancel = CancellationToken::new();
    let clock = Arc::new(ManualClock::new(Ts::from_secs(1_800_000_000)));
    let report = ReportTo {
        feed_tx,
        meter: Meter::new("feed", 64, "backpressure"),
    };
    let handle = task::spawn(cfg, clock, in_rx, report, cancel.clone());
    for c in changes {
        in_tx.send(c).await.unwrap();
    }
    let mut reports = Vec::new();
    let wait = async {
        while let Some(FeedEvent::Notify(r)) = feed_rx.recv().await {
            let done = until(&r);
            reports.push(r);
            if done {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), wait)
        .await
        .expect("notifier reports in time");
    cancel.cancel();
    let _ = handle.await;
    reports
}

#[tokio::test]
async fn exec_hook_gets_the_alert_as_json_on_stdin_without_a_shell() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("alerts.jsonl");
    let cfg = notify_config(&format!(
        r#"
[[notify.exec]]
command = ["sh", "-c", "cat >> \"$1\"; echo >> \"$1\"", "sh", "{}"]
min_severity = "HIGH"
"#,
        out.display()
    ));
    let changes = vec![
        alert("C1", Severity::Critical, 1),
        alert("M1", Severity::Medium, 2),
        alert("H2", Severity::High, 3),
    ];
    let reports = run_notifier(cfg, changes, |r| r.view.channels[0].sent == 2).await;
    let last = &reports.last().unwrap().view.channels[0];
    assert_eq!((last.sent, last.failed, last.kind.as_ref()), (2, 0, "exec"));
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0]["type"], "alert");
    assert_eq!(lines[0]["alert"]["id"], "C1");
    assert_eq!(lines[0]["alert"]["severity"], "CRITICAL");
    assert_eq!(lines[0]["alert"]["runbook"], "RUNBOOK-004");
    // The text arrived as data: nothing in it was run.
    assert_eq!(
        lines[0]["alert"]["summary"],
        "it's $(rm -rf /) `quoted` \"x\""
    );
    assert_eq!(lines[1]["alert"]["id"], "H2");
}

#[tokio::test]
async fn exec_hook_failures_and_timeouts_are_visible() {
    let cfg = notify_config(
        r#"
[[notify.exec]]
name = "exit3"
command = ["sh", "-c", "cat > /dev/null; echo 'pager down' >&2; exit 3"]

[[notify.exec]]
name = "hang"
command = ["sleep", "30"]
timeout_secs = 1

[[notify.exec]]
name = "missing"
command = ["/nonexistent/tapewatch-hook"]
"#,
    );
    let reports = run_notifier(cfg, vec![alert("C1", Severity::Critical, 1)], |r| {
        r.view.channels.iter().all(|c| c.failed == 1)
    })
    .await;
    let v = &reports.last().unwrap().view.channels;
    assert_eq!(
        v[0].last_error.as_deref(),
        Some("sh exited with status 3: pager down")
    );
    assert_eq!(v[1].last_error.as_deref(), Some("timed out after 1 s"));
    assert!(
        v[2].last_error
            .as_deref()
            .unwrap()
            .starts_with("cannot start /nonexistent/tapewatch-hook"),
        "{:?}",
        v[2]
    );
    let events: Vec<_> = reports.iter().flat_map(|r| r.events.clone()).collect();
    assert_eq!(events.len(), 3, "{events:#?}");
    for e in &events {
        // A critical alert that could not be sent is an error in the log.
        assert_eq!(e.level, tapewatch::domain::event::Level::Error);
        assert!(
            e.message
                .starts_with("Notification failed: C1 CRITICAL firing"),
            "{}",
            e.message
        );
    }
}

#[tokio::test]
async fn rate_limited_sends_are_counted_and_summarised() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("n.jsonl");
    let cfg = notify_config(&format!(
        r#"
[[notify.exec]]
command = ["sh", "-c", "cat >> \"$1\"; echo >> \"$1\"", "sh", "{}"]
rate_limit_burst = 2
rate_limit_per_minute = 1
"#,
        out.display()
    ));
    let changes = (0..5).map(|i| alert("H1", Severity::High, i)).collect();
    let reports = run_notifier(cfg, changes, |r| {
        let c = &r.view.channels[0];
        c.sent == 2 && c.suppressed == 3
    })
    .await;
    let c = &reports.last().unwrap().view.channels[0];
    assert_eq!(c.pending_suppressed, 3);
    let warned = reports
        .iter()
        .flat_map(|r| &r.events)
        .filter(|e| e.message.contains("rate-limited"))
        .count();
    assert_eq!(warned, 1);
}
