//! Alpaca's stream protocol texts and rules for the mock: the welcome and auth
//! frames, the documented errors with their exact `msg`, symbol syntax, and the
//! per-subscription filter for pushed frames; refused and never-answered upgrades.

use super::subs::{Channel, SubscriptionSet};
use serde_json::value::RawValue;
use serde_json::Value;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::server::ErrorResponse;
use tokio_tungstenite::tungstenite::http::StatusCode;

pub const CONNECTED: &str = r#"[{"T":"success","msg":"connected"}]"#;
pub const AUTHENTICATED: &str = r#"[{"T":"success","msg":"authenticated"}]"#;

/// The documented stream errors, with their exact texts.
#[derive(Copy, Clone, Debug)]
pub enum AlpacaError {
    InvalidSyntax,
    NotAuthenticated,
    AuthFailed,
    AlreadyAuthenticated,
    AuthTimeout,
    SymbolLimit,
    ConnectionLimit,
    SlowClient,
    InsufficientSubscription,
    InvalidSubscribeAction,
    Internal,
}

impl AlpacaError {
    pub fn frame(self) -> String {
        let (code, msg) = match self {
            AlpacaError::InvalidSyntax => (400, "invalid syntax"),
            AlpacaError::NotAuthenticated => (401, "not authenticated"),
            AlpacaError::AuthFailed => (402, "auth failed"),
            AlpacaError::AlreadyAuthenticated => (403, "already authenticated"),
            AlpacaError::AuthTimeout => (404, "auth timeout"),
            AlpacaError::SymbolLimit => (405, "symbol limit exceeded"),
            AlpacaError::ConnectionLimit => (406, "connection limit exceeded"),
            AlpacaError::SlowClient => (407, "slow client"),
            AlpacaError::InsufficientSubscription => (409, "insufficient subscription"),
            AlpacaError::InvalidSubscribeAction => (410, "invalid subscribe action for this feed"),
            AlpacaError::Internal => (500, "internal error"),
        };
        format!(r#"[{{"T":"error","code":{code},"msg":"{msg}"}}]"#)
    }
}

/// The frame's data messages `subs` covers (see `MockAlpaca::push`): `None` when
/// nothing is left, the frame itself when everything is.
pub fn filter_frame(subs: &SubscriptionSet, frame: &str) -> Option<String> {
    let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(frame) else {
        return Some(frame.to_owned());
    };
    let total = items.len();
    let kept: Vec<&str> = items
        .into_iter()
        .filter(|raw| {
            let Ok(msg) = serde_json::from_str::<Value>(raw.get()) else {
                return true;
            };
            let tag = msg.get("T").and_then(Value::as_str).unwrap_or("");
            let symbol = msg.get("S").and_then(Value::as_str).unwrap_or("");
            match Channel::of_message_type(tag) {
                Some(ch) => subs.covers(ch, symbol),
                None => true,
            }
        })
        .map(RawValue::get)
        .collect();
    match kept.len() {
        0 => None,
        n if n == total => Some(frame.to_owned()),
        _ => Some(format!("[{}]", kept.join(","))),
    }
}

/// A channel's symbols: `*`, or upper-case tickers such as `BRK.B` (anything else is
/// "invalid format", answered with 400).
pub fn symbol_list(value: &Value) -> Option<Vec<String>> {
    let valid = |s: &str| {
        s == "*"
            || (!s.is_empty()
                && s.len() <= 21
                && s.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"./-".contains(&b)))
    };
    value
        .as_array()?
        .iter()
        .map(|v| v.as_str().filter(|s| valid(s)).map(str::to_owned))
        .collect()
}

/// An upgrade refused with `status`.
pub fn refusal(status: u16) -> ErrorResponse {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
    let mut resp = ErrorResponse::new(Some(
        code.canonical_reason().unwrap_or("refused").to_owned(),
    ));
    *resp.status_mut() = code;
    resp
}

/// Reads the upgrade request and whatever follows, never answering, until the
/// client gives up: a server that hangs mid-connect.
pub async fn swallow(tcp: &mut TcpStream) {
    let mut buf = [0u8; 1024];
    while let Ok(n) = tcp.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
}
