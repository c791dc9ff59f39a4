//! Router, breaker and validation endpoints through the router, without sockets.

use super::tests::{done, fake_engine, get_json, sample};
use super::*;
use crate::messages::command::FailoverAction;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

/// The API in front of a stand-in engine that does whatever it is asked; the
/// receiver yields the commands it got.
fn app_with(
    cap: usize,
) -> (
    Router,
    mpsc::UnboundedReceiver<Command>,
    watch::Sender<Arc<Snapshot>>,
) {
    let (snap_tx, rx) = watch::channel(Arc::new(sample()));
    let (ctx, crx) = mpsc::channel(cap);
    let crx = fake_engine(crx, done);
    let app = router(ApiState {
        snapshots: rx,
        commands: ctx,
        meters: Meters::default(),
        token: None,
        exporter: None,
    });
    (app, crx, snap_tx)
}

#[tokio::test]
async fn datasource_has_the_runbook_fields() {
    let (app, _crx, _tx) = app_with(1);
    let (code, v, _) = get_json(app, "/api/health/datasource").await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(v["connectionState"], "PRIMARY_ACTIVE");
    assert_eq!(v["currentDataSource"], "Alpaca");
    assert_eq!(v["fallbackCount"], 0);
    assert_eq!(v["lastTransition"], serde_json::Value::Null);
    assert!(v["transitions"].as_array().unwrap().is_empty());
    assert_eq!(v["settings"]["fallbackActivationDelaySeconds"], 10);
    assert_eq!(v["settings"]["maxConsecutiveFailures"], 3);
}

#[tokio::test]
async fn stocks_and_health_follow_the_router() {
    let (app, _crx, _tx) = app_with(1);
    let (_, v, _) = get_json(app.clone(), "/api/health/stocks").await;
    assert_eq!(v["status"], "Healthy");
    assert_eq!(v["currentDataSource"], "Alpaca");
    assert_eq!(v["alpaca"]["connected"], true);
    assert_eq!(v["yahoo"]["healthy"], serde_json::Value::Null);
    let (_, h, _) = get_json(app, "/health").await;
    assert_eq!(h["connectionState"], "PRIMARY_ACTIVE");
}

#[tokio::test]
async fn breakers_and_validation_are_listed() {
    let (app, _crx, _tx) = app_with(1);
    let (_, v, _) = get_json(app.clone(), "/api/health/circuit-breakers").await;
    let names: Vec<&str> = v["breakers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["yahoo_http", "alpaca_stream", "alpaca_rest"]);
    assert_eq!(v["breakers"][0]["state"], "CLOSED");
    let (_, v, _) = get_json(app, "/api/validation").await;
    assert!(v["successRatePct"].is_number(), "{v}");
    assert!(v["byRule"].is_object());
    // Counted apart from the failures: messages after an unsubscribe.
    assert_eq!(v["unsubscribedInFlight"], 0, "{v}");
}

#[tokio::test]
async fn failover_defaults_to_force_and_checks_the_action() {
    let (app, mut crx, _tx) = app_with(4);
    let post = |uri: &str| Request::post(uri).body(Body::empty()).unwrap();
    for (uri, want) in [
        ("/api/health/failover", Some(FailoverAction::Force)),
        (
            "/api/health/failover?action=return",
            Some(FailoverAction::Return),
        ),
        (
            "/api/health/failover?action=toggle",
            Some(FailoverAction::Toggle),
        ),
        ("/api/health/failover?action=sideways", None),
        ("/api/health/failover?bogus=1", None),
    ] {
        let resp = app.clone().oneshot(post(uri)).await.unwrap();
        match want {
            Some(a) => {
                assert_eq!(resp.status(), StatusCode::OK, "{uri}");
                assert!(
                    matches!(crx.try_recv(), Ok(Command::Failover(got)) if got == a),
                    "{uri}"
                );
            }
            None => {
                assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{uri}");
                assert!(crx.try_recv().is_err(), "{uri}");
            }
        }
    }
}

#[tokio::test]
async fn breaker_resets_name_what_exists() {
    let (app, mut crx, _tx) = app_with(4);
    let post = |uri: &str| Request::post(uri).body(Body::empty()).unwrap();
    let resp = app
        .clone()
        .oneshot(post("/api/breakers/yahoo_http/reset"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(matches!(crx.try_recv(), Ok(Command::ResetBreaker(n)) if n == "yahoo_http"));
    let resp = app
        .clone()
        .oneshot(post("/api/breakers/nope/reset"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = app
        .clone()
        .oneshot(post("/api/validation/TSLA/reset"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(matches!(crx.try_recv(), Ok(Command::ResetSymbolBreaker(s)) if s == "TSLA"));
    let resp = app
        .oneshot(post("/api/validation/tsla/reset"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn alerts_are_listed_and_ack_snooze_check_the_id() {
    let (app, mut crx, _tx) = app_with(4);
    let (code, v, _) = get_json(app.clone(), "/api/alerts").await;
    assert_eq!(code, StatusCode::OK);
    assert!(v["active"].is_array() && v["counts"].is_object(), "{v}");
    assert!(v["notifications"]["channels"].is_array(), "{v}");
    assert!(v["history"].is_array(), "{v}");
    // The runbook-style query for the SLOs.
    let (code, v, _) = get_json(app.clone(), "/api/slo").await;
    assert_eq!(code, StatusCode::OK);
    let keys: Vec<&str> = v["slos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "availability",
            "alpaca_uptime",
            "latency_p95",
            "validation_success"
        ]
    );
    for field in [
        "targetPct",
        "windowDays",
        "sliPct",
        "budgetRemainingPct",
        "burnRates",
    ] {
        assert!(v["slos"][0].get(field).is_some(), "{field}: {v}");
    }
    let post = |uri: &str| Request::post(uri).body(Body::empty()).unwrap();
    let resp = app
        .clone()
        .oneshot(post("/api/alerts/H1/ack"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        matches!(crx.try_recv(), Ok(Command::AckAlert { id, actor: crate::domain::alerts::Actor::Api }) if id == "H1")
    );
    let resp = app
        .clone()
        .oneshot(post("/api/alerts/AlpacaDisconnected/snooze?minutes=15"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(matches!(
        crx.try_recv(),
        Ok(Command::SnoozeAlert { minutes: 15, .. })
    ));
    for (uri, want) in [
        ("/api/alerts/Z9/ack", StatusCode::NOT_FOUND),
        ("/api/alerts/H1/snooze?minutes=0", StatusCode::BAD_REQUEST),
        ("/api/alerts/H1/snooze?minutes=abc", StatusCode::BAD_REQUEST),
    ] {
        let resp = app.clone().oneshot(post(uri)).await.unwrap();
        assert_eq!(resp.status(), want, "{uri}");
        assert!(crx.try_recv().is_err(), "{uri}");
    }
}

#[tokio::test]
async fn first_steps_name_the_address_the_api_listens_on() {
    use crate::domain::alerts::{AlertEngine, Signals};
    let mut snap = sample();
    let mut engine = AlertEngine::new(Default::default());
    let signals = Signals {
        market_open: true,
        both_sources_unavailable: true,
        ..Signals::default()
    };
    for s in 0..=90 {
        engine.evaluate(snap.now.plus_millis(s * 1_000 - 90_000), &signals);
    }
    snap.alerts = engine.view(snap.now);
    snap.api_base = Some("http://10.1.2.3:7000".into());
    let (app, _crx, tx) = app_with(1);
    tx.send_replace(Arc::new(snap));
    let (code, v, _) = get_json(app, "/api/alerts").await;
    assert_eq!(code, StatusCode::OK);
    let steps: Vec<&str> = v["active"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["firstStep"].as_str())
        .collect();
    assert!(
        steps.iter().any(|s| s.contains("http://10.1.2.3:7000")),
        "{v}"
    );
    assert!(steps.iter().all(|s| !s.contains("localhost:5002")), "{v}");
}
