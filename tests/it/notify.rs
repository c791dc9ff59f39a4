//! Notifications over real sockets and processes: the demo replay posting Slack JSON to
//! a local axum webhook, routed by severity; failing webhooks (HTTP 500, connection
//! refused) visible as events, counters and metrics; exec hooks reading the alert on
//! stdin, and their non-zero exits and timeouts. Every test ends by itself.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tapewatch::app::pipeline::{self, Setup};
use tapewatch::domain::alerts::{AlertChange, AlertSource, AlertState, Severity};
use tapewatch::domain::clock::ManualClock;
use tapewatch::domain::types::Ts;
use tapewatch::engine::snapshot::{Mode, Snapshot};
use tapewatch::messages::notify::NotifyReport;
use tapewatch::messages::FeedEvent;
use tapewatch::outputs::notify::task::{self, ReportTo};
use tapewatch::outputs::notify::NotifyConfig;
use tapewatch::plumbing::channels::Meter;
use tapewatch::sources::fixture::reader::FixtureReader;
use tapewatch::sources::fixture::replay::Speed;
use tapewatch::sources::fixture::DEMO_FIXTURE;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

type Seen = Arc<Mutex<Vec<(String, Value)>>>;

/// A webhook receiver on 127.0.0.1:0: `/hook/{name}` records, `/fail` answers 500.
async fn webhook_server(cancel: CancellationToken) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = Router::new()
        .route(
            "/hook/{name}",
            post(
                |State(seen): State<Seen>, Path(name): Path<String>, Json(v): Json<Value>| async move {
                    seen.lock().unwrap().push((name, v));
                    StatusCode::OK
                },
            ),
        )
        .route(
            "/fail/{token}",
            post(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom: no_service\n") }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(cancel.cancelled_owned())
            .await
            .unwrap();
    });
    (base, seen)
}

/// A port nothing listens on.
async fn refused_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().port()
}

fn notify_config(toml: &str) -> NotifyConfig {
    tapewatch::app::config::parse(toml, "notify.toml")
        .unwrap()
        .notify
}

/// Runs `until` over snapshots (collecting every event message seen) for up to 60 s.
async fn watch_until(
    snaps: &mut tokio::sync::watch::Receiver<Arc<Snapshot>>,
    events: &mut BTreeSet<String>,
    until: impl Fn(&Snapshot, &BTreeSet<String>) -> bool,
) -> Arc<Snapshot> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let s = snaps.borrow_and_update().clone();
        events.extend(s.events.iter().map(|e| e.message.clone()));
        if until(&s, events) {
            return s;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out; notifications: {:#?}",
            s.notifications
        );
        let _ = tokio::time::timeout(Duration::from_millis(200), snaps.changed()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_replay_posts_slack_json_routed_by_severity_and_failures_show() {
    let cancel = CancellationToken::new();
    let (base, seen) = webhook_server(cancel.clone()).await;
    let refused = refused_port().await;
    let cfg = notify_config(&format!(
        r#"
[notify]
rate_limit_burst = 1000
rate_limit_per_minute = 1000

[[notify.webhook]]
name = "high"
url = "{base}/hook/high"
min_severity = "HIGH"

[[notify.webhook]]
name = "info"
url = "{base}/hook/info"
severities = ["INFO"]

[[notify.webhook]]
name = "broken"
url = "{base}/fail/SECRETTOKEN"
severities = ["INFO"]
timeout_secs = 5

[[notify.webhook]]
name = "refused"
url = "http://127.0.0.1:{refused}/services/SECRETTOKEN"
severities = ["INFO"]
timeout_secs = 5
"#
    ));
    let reader = FixtureReader::from_static("demo", DEMO_FIXTURE).unwrap();
    let mut setup = Setup::new(Mode::Replay);
    setup.hold = true;
    setup.notify = cfg;
    let running = pipeline::start(reader, setup, Speed::Max).unwrap();
    let mut snaps = running.snapshots.clone();
    let mut events = BTreeSet::new();
    let got = |name: &str| -> Vec<Value> {
        let seen = seen.lock().unwrap();
        seen.iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let snap = watch_until(&mut snaps, &mut events, |s, events| {
        let texts: Vec<String> = got("high")
            .iter()
            .map(|v| v["text"].as_str().unwrap_or_default().to_string())
            .collect();
        let ch = |i: usize| s.notifications.channels.get(i).map_or(0, |c| c.failed);
        // The receiver records a post before it answers; wait for the outcome too.
        let sent = s.notifications.channels.first().map_or(0, |c| c.sent);
        s.replay.as_ref().is_some_and(|r| r.finished)
            && sent as usize == texts.len()
            && texts
                .iter()
                .any(|t| t.contains("H1 AlpacaDisconnected resolved"))
            && ch(2) > 0
            && ch(3) > 0
            && events.iter().any(|e| e.contains("Notification failed"))
    })
    .await;

    // Routing: the HIGH hook hears HIGH and above only, with the Slack shape.
    let high = got("high");
    let fired = high
        .iter()
        .find(|v| {
            v["text"]
                .as_str()
                .unwrap()
                .starts_with("[HIGH] H1 AlpacaDisconnected firing")
        })
        .expect("H1 posted");
    let a = &fired["attachments"][0];
    assert_eq!(a["title"], "H1 AlpacaDisconnected");
    assert_eq!(a["color"], "#e8590c");
    assert!(a["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["title"] == "Runbook" && f["value"] == "RUNBOOK-002"));
    for v in &high {
        let sev = v["attachments"][0]["fields"][0]["value"].as_str().unwrap();
        assert!(["CRITICAL", "HIGH"].contains(&sev), "{v}");
    }
    let info = got("info");
    assert!(!info.is_empty());
    for v in &info {
        assert!(v["text"].as_str().unwrap().starts_with("[INFO] "), "{v}");
    }
    // The same transitions were never posted twice.
    let texts: Vec<&str> = high.iter().map(|v| v["text"].as_str().unwrap()).collect();
    let unique: BTreeSet<&str> = texts.iter().copied().collect();
    assert_eq!(texts.len(), unique.len(), "{texts:#?}");

    // Failures: counters, last error, events, metrics; never the URL's token.
    let n = &snap.notifications.channels;
    assert_eq!(n[0].name, "high");
    assert!(n[0].sent >= 2 && n[0].failed == 0, "{:?}", n[0]);
    assert!(n[0].last_success_at.is_some());
    let broken = &n[2];
    assert_eq!(broken.sent, 0);
    assert!(
        broken
            .last_error
            .as_deref()
            .unwrap()
            .starts_with("HTTP 500: boom"),
        "{broken:?}"
    );
    assert_eq!(
        broken.target,
        format!("{}", base.trim_start_matches("http://"))
    );
    let refused_err = n[3].last_error.as_deref().unwrap();
    assert!(
        refused_err.contains(&format!("127.0.0.1:{refused}")),
        "{refused_err}"
    );
    let everything = format!("{:?} {:?}", snap.notifications, events);
    assert!(!everything.contains("SECRETTOKEN"), "{everything}");
    assert!(events
        .iter()
        .any(|e| e.starts_with("Notification failed") && e.contains("broken (webhook")));
    let api = serde_json::to_value(&snap.notifications).unwrap();
    assert!(api["channels"][2]["lastError"].is_string(), "{api}");
    let metrics = tapewatch::outputs::exposition::Exporter::new()
        .unwrap()
        .render(&snap);
    assert!(
        metrics.contains(&format!(
            "tapewatch_notifications_total{{channel=\"broken\",outcome=\"failed\"}} {}",
            broken.failed
        )),
        "{metrics}"
    );
    assert!(metrics.contains("tapewatch_notifications_total{channel=\"high\",outcome=\"sent\"}"));
    assert!(snap
        .channels
        .iter()
        .any(|c| c.name == "notify" && c.dropped == 0));

    running.cancel.cancel();
    let _ = running.engine.await;
    running.feed.join().await;
    cancel.cancel();
}

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
    assert_eq!((last.sent, last.failed, last.kind), (2, 0, "exec"));
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
