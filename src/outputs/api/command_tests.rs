//! The API's answers to operator commands against a real engine: the demo replayed
//! to its end and held, so every answer is what the engine decided.

use super::*;
use crate::app::pipeline::{self, Running, Setup};
use crate::engine::snapshot::Mode;
use crate::sources::fixture::reader::FixtureReader;
use crate::sources::fixture::replay::Speed;
use crate::sources::fixture::DEMO_FIXTURE;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

/// The demo replayed to its end, held, with an API in front of its engine.
async fn demo_at_its_end() -> (Router, Running) {
    let reader = FixtureReader::from_static("demo", DEMO_FIXTURE).unwrap();
    let mut setup = Setup::new(Mode::Demo);
    setup.hold = true;
    let r = pipeline::start(reader, setup, Speed::Max).unwrap();
    let mut rx = r.snapshots.clone();
    rx.wait_for(|s| s.replay.as_ref().is_some_and(|p| p.finished))
        .await
        .unwrap();
    let app = router(ApiState {
        snapshots: r.snapshots.clone(),
        commands: r.commands.clone(),
        meters: r.meters.clone(),
        token: None,
        exporter: None,
    });
    (app, r)
}

async fn post(app: &Router, uri: &str, body: Option<&str>) -> (StatusCode, serde_json::Value) {
    let req = Request::post(uri).header("content-type", "application/json");
    let req = req
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let code = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    let v = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (code, v)
}

async fn stop(r: Running) {
    r.cancel.cancel();
    let _ = r.engine.await;
    r.feed.join().await;
}

/// Each step: the request, the status the engine's decision maps to, and a fragment
/// the body must contain (the reason, for a refusal).
type Step<'a> = (&'a str, Option<&'a str>, StatusCode, &'a str);

#[tokio::test]
async fn refused_commands_answer_with_the_engines_reason() {
    let (app, r) = demo_at_its_end().await;
    let resolved = r.snapshots.borrow().alerts.recently_resolved[0].id.clone();
    let ack_resolved = format!("/api/alerts/{resolved}/ack");
    let snooze_resolved = format!("/api/alerts/{resolved}/snooze?minutes=30");
    let steps: Vec<Step> = vec![
        // The demo has no live stream to reconnect.
        (
            "/api/health/alpaca/reconnect",
            None,
            StatusCode::CONFLICT,
            "live stream",
        ),
        (&ack_resolved, None, StatusCode::CONFLICT, "resolved"),
        (&snooze_resolved, None, StatusCode::CONFLICT, "resolved"),
        // C3 (memory) never fired in the demo.
        ("/api/alerts/C3/ack", None, StatusCode::CONFLICT, "inactive"),
        ("/api/alerts/Z9/ack", None, StatusCode::NOT_FOUND, "Z9"),
        (
            "/api/alerts/H1/snooze?minutes=-5",
            None,
            StatusCode::BAD_REQUEST,
            "minutes",
        ),
        (
            "/api/alerts/H1/snooze?minutes=soon",
            None,
            StatusCode::BAD_REQUEST,
            "minutes",
        ),
        (
            "/api/health/failover?action=return",
            None,
            StatusCode::CONFLICT,
            "MANUAL_FALLBACK",
        ),
        (
            "/api/health/failover",
            None,
            StatusCode::OK,
            "MANUAL_FALLBACK",
        ),
        (
            "/api/health/failover",
            None,
            StatusCode::CONFLICT,
            "MANUAL_FALLBACK",
        ),
        (
            "/api/health/failover?action=return",
            None,
            StatusCode::OK,
            "PRIMARY_ACTIVE",
        ),
        (
            "/api/breakers/yahoo_http/reset",
            None,
            StatusCode::OK,
            "yahoo_http",
        ),
        (
            "/api/validation/AAPL/reset",
            None,
            StatusCode::CONFLICT,
            "not tripped",
        ),
        (
            "/api/validation/ZZZZ/reset",
            None,
            StatusCode::NOT_FOUND,
            "ZZZZ",
        ),
        (
            "/api/watchlist",
            Some(r#"{"add":["AAPL"]}"#),
            StatusCode::CONFLICT,
            "unchanged",
        ),
        (
            "/api/watchlist",
            Some(r#"{"add":["ORCL"]}"#),
            StatusCode::OK,
            "ORCL",
        ),
    ];
    for (uri, body, want, fragment) in steps {
        let (code, v) = post(&app, uri, body).await;
        assert_eq!(code, want, "POST {uri}: {v}");
        assert!(v.to_string().contains(fragment), "POST {uri}: {v}");
    }
    let snap = r.snapshots.borrow().clone();
    assert_eq!(snap.router.connection_state.as_str(), "PRIMARY_ACTIVE");
    assert!(snap.watchlist.iter().any(|v| v.symbol == "ORCL"));
    stop(r).await;
}

#[tokio::test]
async fn replay_controls_answer_with_the_engines_decision() {
    let (app, r) = demo_at_its_end().await;
    let steps: Vec<Step> = vec![
        ("/api/replay/faster", None, StatusCode::CONFLICT, "fastest"),
        ("/api/replay/speed/20", None, StatusCode::OK, "20x"),
        (
            "/api/replay/speed/7",
            None,
            StatusCode::BAD_REQUEST,
            "one of",
        ),
        ("/api/replay/slower", None, StatusCode::OK, "10x"),
        (
            "/api/replay/rewind",
            None,
            StatusCode::NOT_FOUND,
            "no such control",
        ),
        ("/api/replay/restart", None, StatusCode::CONFLICT, "restart"),
    ];
    for (uri, body, want, fragment) in steps {
        let (code, v) = post(&app, uri, body).await;
        assert_eq!(code, want, "POST {uri}: {v}");
        assert!(v.to_string().contains(fragment), "POST {uri}: {v}");
    }
    stop(r).await;
}
