//! API tests through the router, without sockets.

use super::*;
use crate::domain::types::Ts;
use crate::domain::wire::{parse_frame, ParseLimits};
use crate::engine::snapshot::{Mode, Perf};
use crate::engine::state::{Effects, EngineState, StateConfig};
use crate::messages::command::CommandReply;
use crate::messages::command::Outcome;
use crate::plumbing::channels::Meters;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

pub(super) fn sample() -> Snapshot {
    let start = Ts::parse_rfc3339("2026-11-17T15:00:00Z").unwrap();
    let mut st = EngineState::new(StateConfig {
        mode: Mode::Demo,
        feed: "iex".into(),
        watchlist: vec!["AAPL".into(), "MSFT".into()],
        started_at: start,
        replay_name: Some("demo".into()),
        routing: Default::default(),
        validation: Default::default(),
    });
    let mut fx = Effects::default();
    for (ms, f) in [
        (0, r#"[{"T":"success","msg":"connected"}]"#),
        (40, r#"[{"T":"success","msg":"authenticated"}]"#),
        (
            80,
            r#"[{"T":"subscription","trades":["AAPL","MSFT"],"quotes":[],"bars":[]}]"#,
        ),
        (
            1500,
            r#"[{"T":"t","S":"AAPL","i":1,"x":"V","p":228.13,"s":100,"c":["@"],"t":"2026-11-17T15:00:01.49Z","z":"C"}]"#,
        ),
    ] {
        let p = parse_frame(f.as_bytes(), &ParseLimits::default());
        st.apply_frame(start.plus_millis(ms), &p.msgs, &p.issues, &mut fx);
    }
    st.snapshot(1, Perf::default(), Meters::default().stats())
}

fn state(snap: Snapshot, token: Option<&str>) -> ApiState {
    let (_tx, rx) = watch::channel(Arc::new(snap));
    // Keep the sender alive for the test's duration by leaking it into the receiver's
    // lifetime: watch::Receiver::borrow works after the sender is dropped too.
    let (ctx, _crx) = mpsc::channel(1);
    ApiState {
        snapshots: rx,
        commands: ctx,
        meters: Meters::default(),
        token: token.map(|t| Arc::new(SecretString::from(t))),
        exporter: None,
    }
}

/// Stands in for the engine: answers every request with `answer(&command)` and
/// hands the commands on for the test to look at (before answering, so a test that
/// has its response can already see the command).
pub(super) fn fake_engine(
    mut rx: mpsc::Receiver<crate::messages::Request>,
    answer: impl Fn(&Command) -> CommandReply + Send + 'static,
) -> mpsc::UnboundedReceiver<Command> {
    let (seen_tx, seen) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(crate::messages::Request { command, reply }) = rx.recv().await {
            let a = answer(&command);
            let _ = seen_tx.send(command);
            crate::messages::Request::answer(reply, a);
        }
    });
    seen
}

pub(super) fn done(_: &Command) -> CommandReply {
    CommandReply::done("done")
}

pub(super) async fn get_json(app: Router, path: &str) -> (StatusCode, serde_json::Value, String) {
    let resp = app
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        text,
    )
}

#[tokio::test]
async fn health_reports_status_and_mode() {
    let (code, v, _) = get_json(router(state(sample(), None)), "/health").await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(v["status"], "Healthy");
    assert_eq!(v["mode"], "demo");
    assert_eq!(v["alpaca"]["connected"], true);
    assert_eq!(v["alpaca"]["state"], "SUBSCRIBED");
}

#[tokio::test]
async fn symbols_have_camel_case_fields_and_exact_prices() {
    let (code, v, text) = get_json(router(state(sample(), None)), "/api/symbols").await;
    assert_eq!(code, StatusCode::OK);
    let a = &v[0];
    assert_eq!(a["symbol"], "AAPL");
    assert_eq!(a["source"], "Alpaca");
    assert_eq!(a["asOf"], "2026-11-17T15:00:01.490Z");
    assert_eq!(a["ageMs"], 10);
    assert!(text.contains("\"price\":228.13"), "{text}");
    assert_eq!(v[1]["price"], serde_json::Value::Null);
}

#[tokio::test]
async fn mutating_routes_need_the_bearer_token() {
    let st = state(sample(), Some("tok-123"));
    let routes = Router::new().route("/act", axum::routing::post(|| async { "done" }));
    let app = guard_mutating(routes, &st).with_state(st);
    for (auth, want) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some("Bearer wrong"), StatusCode::UNAUTHORIZED),
        (Some("tok-123"), StatusCode::UNAUTHORIZED),
        (Some("Bearer tok-123"), StatusCode::OK),
    ] {
        let mut req = Request::post("/act");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let resp = app
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(resp.status(), want, "{auth:?}");
        let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
            .await
            .unwrap();
        assert!(!String::from_utf8_lossy(&body).contains("tok-123"));
    }
}

#[test]
fn non_loopback_bind_needs_a_token() {
    let public: SocketAddr = "0.0.0.0:5002".parse().unwrap();
    let err = check_bind(public, false).unwrap_err().to_string();
    assert!(
        err.contains("--listen 0.0.0.0:5002") && err.contains("api.token"),
        "{err}"
    );
    assert!(check_bind(public, true).is_ok());
    assert!(check_bind("127.0.0.1:5002".parse().unwrap(), false).is_ok());
    assert!(check_bind("[::1]:5002".parse().unwrap(), false).is_ok());
}

#[tokio::test]
async fn no_response_contains_the_token() {
    for path in ["/health", "/api/symbols"] {
        let (_, _, text) = get_json(router(state(sample(), Some("tok-SECRET"))), path).await;
        assert!(!text.contains("tok-SECRET"), "{path}: {text}");
    }
}

#[tokio::test]
async fn alpaca_health_has_the_runbook_fields() {
    let (code, v, _) = get_json(router(state(sample(), None)), "/api/health/alpaca").await;
    assert_eq!(code, StatusCode::OK);
    let a = &v["alpacaStatus"];
    assert_eq!(a["connected"], true);
    assert_eq!(a["authenticated"], true);
    assert_eq!(a["lastError"], serde_json::Value::Null);
    assert_eq!(a["consecutiveFailures"], 0);
    assert_eq!(a["subscribedSymbols"], serde_json::json!(["AAPL", "MSFT"]));
    assert_eq!(a["feed"], "iex");
    assert_eq!(a["lastMessageAt"], "2026-11-17T15:00:01.500Z");
    assert_eq!(a["reconnectAttempts"], 0);
    assert_eq!(a["nextRetryAt"], serde_json::Value::Null);
    assert_eq!(v["status"], "Healthy");
}

#[tokio::test(start_paused = true)]
async fn reconnect_sends_a_command_and_is_guarded_by_the_token() {
    let (snap_tx, rx) = watch::channel(Arc::new(sample()));
    // Nobody reads the commands: the engine is stalled.
    let (ctx, mut crx) = mpsc::channel(1);
    let st = ApiState {
        snapshots: rx,
        commands: ctx,
        meters: Meters::default(),
        token: Some(Arc::new(SecretString::from("t0k"))),
        exporter: None,
    };
    let app = router(st);
    let post = |auth: Option<&str>| {
        let mut r = Request::post("/api/health/alpaca/reconnect");
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        r.body(Body::empty()).unwrap()
    };
    let resp = app.clone().oneshot(post(None)).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(crx.try_recv().is_err());
    // No answer within the bounded wait: 504, and the command is still queued.
    let resp = app.clone().oneshot(post(Some("Bearer t0k"))).await.unwrap();
    assert_eq!(resp.status(), StatusCode::GATEWAY_TIMEOUT);
    let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&body).contains("did not answer within 2 s"));
    assert!(matches!(
        crx.try_recv(),
        Ok(crate::messages::Request {
            command: Command::ReconnectAlpaca,
            reply: Some(_)
        })
    ));
    // A full command channel is refused, not waited on.
    let _ = app.clone().oneshot(post(Some("Bearer t0k"))).await.unwrap();
    let resp = app.clone().oneshot(post(Some("Bearer t0k"))).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    drop(snap_tx);
}

/// Every decision the engine can make, as the API answers it.
#[tokio::test]
async fn answers_follow_the_engines_decision() {
    fn answer(outcome: Outcome) -> CommandReply {
        CommandReply::new(outcome, format!("the engine says {outcome:?}"))
    }
    let table = [
        (Outcome::Done, StatusCode::OK, "reconnecting"),
        (Outcome::Accepted, StatusCode::ACCEPTED, "reconnecting"),
        (Outcome::NotFound, StatusCode::NOT_FOUND, "not_found"),
        (Outcome::Refused, StatusCode::CONFLICT, "refused"),
        (
            Outcome::Busy,
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
        ),
    ];
    for (outcome, want, status) in table {
        let (snap_tx, rx) = watch::channel(Arc::new(sample()));
        let (ctx, crx) = mpsc::channel(4);
        let _seen = fake_engine(crx, move |_| answer(outcome));
        let app = router(ApiState {
            snapshots: rx,
            commands: ctx,
            meters: Meters::default(),
            token: None,
            exporter: None,
        });
        let resp = app
            .oneshot(
                Request::post("/api/health/alpaca/reconnect")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), want);
        let body = axum::body::to_bytes(resp.into_body(), 1 << 16)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["status"], status, "{v}");
        let text = if want.is_success() {
            &v["message"]
        } else {
            &v["error"]
        };
        assert!(
            text.as_str().unwrap().starts_with("the engine says"),
            "{want}: the engine's words: {v}"
        );
        drop(snap_tx);
    }
}

#[tokio::test]
async fn an_engine_that_drops_the_request_is_unavailable() {
    let (snap_tx, rx) = watch::channel(Arc::new(sample()));
    let (ctx, mut crx) = mpsc::channel::<crate::messages::Request>(4);
    tokio::spawn(async move {
        // Takes the request and drops its reply channel, as an engine that stopped would.
        let _ = crx.recv().await;
    });
    let app = router(ApiState {
        snapshots: rx,
        commands: ctx,
        meters: Meters::default(),
        token: None,
        exporter: None,
    });
    let resp = app
        .oneshot(
            Request::post("/api/health/alpaca/reconnect")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    drop(snap_tx);
}

#[tokio::test]
async fn watchlist_change_validates_and_sends_one_command() {
    let (snap_tx, rx) = watch::channel(Arc::new(sample()));
    let (ctx, crx) = mpsc::channel(4);
    let mut crx = fake_engine(crx, done);
    let app = router(ApiState {
        snapshots: rx,
        commands: ctx,
        meters: Meters::default(),
        token: None,
        exporter: None,
    });
    let post = |body: &str| {
        Request::post("/api/watchlist")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    for (body, want, mentions) in [
        (
            r#"{"add":["aapl"]}"#,
            StatusCode::BAD_REQUEST,
            "add[0]: \\\"aapl\\\": has lower-case letters",
        ),
        (
            r#"{"remove":["A B"]}"#,
            StatusCode::BAD_REQUEST,
            "remove[0]: \\\"A B\\\": contains a space at character 2",
        ),
        // Refused with the reason, never truncated to "TOOLONGSYMBO".
        (
            r#"{"add":["NFLX","TOOLONGSYMBOL"]}"#,
            StatusCode::BAD_REQUEST,
            "add[1]: \\\"TOOLONGSYMBOL\\\": longer than 12 characters",
        ),
        (
            r#"{"add":["AAPL "]}"#,
            StatusCode::BAD_REQUEST,
            "contains a space at character 5",
        ),
        (r#"{}"#, StatusCode::BAD_REQUEST, "at least one symbol"),
        (
            r#"{"add":["X"],"bogus":1}"#,
            StatusCode::BAD_REQUEST,
            "bogus",
        ),
        (r#"not json"#, StatusCode::BAD_REQUEST, "/api/watchlist"),
    ] {
        let resp = app.clone().oneshot(post(body)).await.unwrap();
        assert_eq!(resp.status(), want, "{body}");
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 16)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains(mentions), "{body}: {text}");
        assert!(crx.try_recv().is_err(), "{body} must not reach the engine");
    }
    let resp = app
        .clone()
        .oneshot(post(
            r#"{"add":["NFLX","BRK.B","BTC/USD"],"remove":["MSFT"]}"#,
        ))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    match crx.try_recv() {
        Ok(Command::ChangeWatchlist { add, remove }) => {
            assert_eq!(add, ["NFLX", "BRK.B", "BTC/USD"]);
            assert_eq!(remove, ["MSFT"]);
        }
        other => panic!("{other:?}"),
    }
    drop(snap_tx);
}
