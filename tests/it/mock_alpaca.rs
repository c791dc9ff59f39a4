//! The mock Alpaca stream server's own tests: a raw tokio-tungstenite client on
//! 127.0.0.1 checks each documented behaviour and each failure switch.

use crate::support::mock_alpaca::{MockAlpaca, MockConfig, Stall, SubscriptionSet};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Upper bound for every await; in paused-time tests it is virtual.
const STEP: Duration = Duration::from_secs(5);
const CONNECTED: &str = r#"[{"T":"success","msg":"connected"}]"#;
const AUTHENTICATED: &str = r#"[{"T":"success","msg":"authenticated"}]"#;

async fn start(cfg: MockConfig) -> MockAlpaca {
    MockAlpaca::start(cfg).await.expect("mock binds 127.0.0.1")
}

async fn connect(url: &str) -> Ws {
    let (ws, _resp) = timeout(STEP, tokio_tungstenite::connect_async(url))
        .await
        .expect("connect timed out")
        .expect("upgrade accepted");
    ws
}

/// The next message, `None` once the stream ended; panics if nothing comes in time.
async fn next(ws: &mut Ws) -> Option<Result<Message, WsError>> {
    timeout(STEP, ws.next())
        .await
        .expect("no frame within the step timeout")
}

async fn next_text(ws: &mut Ws) -> String {
    match next(ws).await {
        Some(Ok(Message::Text(t))) => t.to_string(),
        other => panic!("expected a text frame, got {other:?}"),
    }
}

async fn next_json(ws: &mut Ws) -> Value {
    serde_json::from_str(&next_text(ws).await).expect("server frames are JSON")
}

async fn send(ws: &mut Ws, v: Value) {
    timeout(STEP, ws.send(Message::text(v.to_string())))
        .await
        .expect("send timed out")
        .expect("send");
}

async fn login_on(mock: &MockAlpaca, feed: &str) -> Ws {
    let mut ws = connect(&mock.url(feed)).await;
    assert_eq!(next_text(&mut ws).await, CONNECTED);
    let cfg = mock.config();
    send(
        &mut ws,
        json!({"action":"auth","key":cfg.key,"secret":cfg.secret}),
    )
    .await;
    assert_eq!(next_text(&mut ws).await, AUTHENTICATED);
    ws
}

async fn login(mock: &MockAlpaca) -> Ws {
    login_on(mock, "iex").await
}

async fn next_msgpack(ws: &mut Ws) -> rmpv::Value {
    match next(ws).await {
        Some(Ok(Message::Binary(b))) => rmpv::decode::read_value(&mut &b[..]).expect("msgpack"),
        other => panic!("expected a binary frame, got {other:?}"),
    }
}

fn error(code: u16, msg: &str) -> String {
    format!(r#"[{{"T":"error","code":{code},"msg":"{msg}"}}]"#)
}

/// After a fatal error Alpaca closes: a close frame, then the end of the stream.
async fn expect_close_frame(ws: &mut Ws) {
    assert!(
        matches!(next(ws).await, Some(Ok(Message::Close(_)))),
        "expected a close frame"
    );
    assert!(
        matches!(next(ws).await, None | Some(Err(_))),
        "expected the stream to end"
    );
}

/// An abrupt close: the stream ends with no close frame before it.
async fn expect_abrupt_end(ws: &mut Ws) {
    match next(ws).await {
        None | Some(Err(_)) => {}
        other => panic!("expected the TCP stream to end with no close frame, got {other:?}"),
    }
}

mod failures;
mod protocol;
