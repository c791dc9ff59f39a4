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
use tapewatch::engine::snapshot::{Mode, Snapshot};
use tapewatch::outputs::notify::NotifyConfig;
use tapewatch::sources::fixture::reader::FixtureReader;
use tapewatch::sources::fixture::replay::Speed;
use tapewatch::sources::fixture::DEMO_FIXTURE;
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

pub(crate) fn notify_config(toml: &str) -> NotifyConfig {
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
