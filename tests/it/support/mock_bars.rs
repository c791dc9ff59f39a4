//! A mock of Alpaca's market-data REST bars endpoint on 127.0.0.1:
//! `GET /v2/stocks/{symbol}/bars` answers two pages of one-minute bars (the first
//! with a `next_page_token`) when both key headers match, 401 otherwise, and 500
//! for the symbol `FAIL`. It records every request's path and query.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub const KEY_ID: &str = "PKBARSKEY0001";
pub const SECRET_KEY: &str = "bars-secret-DO-NOT-LEAK-7";

const PAGE_1: &str = r#"{"bars":[{"t":"2026-11-17T14:30:00Z","o":228.1,"h":228.55,"l":227.9,"c":228.4,"v":1200,"n":40,"vw":228.2},{"t":"2026-11-17T14:31:00Z","o":228.4,"h":228.6,"l":228.3,"c":228.5,"v":800,"n":22,"vw":228.45}],"symbol":"AAPL","next_page_token":"cGFnZTI="}"#;
const PAGE_2: &str = r#"{"bars":[{"t":"2026-11-17T14:32:00Z","o":228.5,"h":228.7,"l":228.2,"c":228.25,"v":950,"n":31,"vw":228.4}],"symbol":"AAPL","next_page_token":null}"#;

pub struct MockBars {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<(String, String)>>>,
    task: JoinHandle<()>,
}

/// (symbol, query) of each request seen.
type Seen = Arc<Mutex<Vec<(String, String)>>>;

async fn bars(
    State(seen): State<Seen>,
    Path(symbol): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = query.unwrap_or_default();
    if let Ok(mut s) = seen.lock() {
        s.push((symbol.clone(), query.clone()));
    }
    let key = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    if key("APCA-API-KEY-ID") != KEY_ID || key("APCA-API-SECRET-KEY") != SECRET_KEY {
        return (StatusCode::UNAUTHORIZED, r#"{"message":"unauthorized."}"#).into_response();
    }
    if symbol == "FAIL" {
        let body = format!("{{\"message\":\"internal error for key {SECRET_KEY}\"}}");
        return (StatusCode::INTERNAL_SERVER_ERROR, body).into_response();
    }
    let page = if query.contains("page_token=cGFnZTI") {
        PAGE_2
    } else {
        PAGE_1
    };
    (StatusCode::OK, page).into_response()
}

impl MockBars {
    pub async fn start() -> MockBars {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/v2/stocks/{symbol}/bars", get(bars))
            .with_state(Arc::clone(&seen));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        MockBars { addr, seen, task }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// (symbol, raw query) of every request so far.
    pub fn seen(&self) -> Vec<(String, String)> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for MockBars {
    fn drop(&mut self) {
        self.task.abort();
    }
}
