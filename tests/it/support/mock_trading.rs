//! A mock Alpaca Trading API on 127.0.0.1 for tests: `/v2/account`, `/v2/positions`
//! and `/v2/clock` with Alpaca-shaped bodies (numbers as strings), answering 401
//! unless both key headers match, and switchable at run time to 429 (with or
//! without `Retry-After`), 500, malformed JSON or a slow answer. It records every
//! request's path and arrival time.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;

pub const KEY_ID: &str = "PKTESTKEYID0001";
pub const SECRET_KEY: &str = "mock-secret-DO-NOT-LEAK-42";

/// From Alpaca's reference for `GET /v2/account`.
pub const ACCOUNT_BODY: &str = r#"{"id":"e6fe16f3-64a4-4921-8928-cadf02f92f98","account_number":"010203ABCD","status":"ACTIVE","currency":"USD","cash":"-23140.2","portfolio_value":"103820.56","pattern_day_trader":false,"trade_suspended_by_user":false,"trading_blocked":false,"transfers_blocked":false,"account_blocked":false,"created_at":"2019-06-12T22:47:07.99658Z","shorting_enabled":true,"long_market_value":"126960.76","short_market_value":"0","equity":"103820.56","last_equity":"103529.24","multiplier":"4","buying_power":"413282.24","initial_margin":"63480.38","maintenance_margin":"38088.228","sma":"0","daytrade_count":0,"last_maintenance_margin":"38000.832","daytrading_buying_power":"413282.24","regt_buying_power":"80680.36"}"#;

/// From Alpaca's reference for `GET /v2/positions`, plus a short.
pub const POSITIONS_BODY: &str = r#"[{"asset_id":"904837e3-3b76-47ec-b432-046db621571b","symbol":"AAPL","exchange":"NASDAQ","asset_class":"us_equity","asset_marginable":true,"avg_entry_price":"100.0","qty":"5","qty_available":"4","side":"long","market_value":"600.0","cost_basis":"500.0","unrealized_pl":"100.0","unrealized_plpc":"0.20","unrealized_intraday_pl":"10.0","unrealized_intraday_plpc":"0.0084","current_price":"120.0","lastday_price":"119.0","change_today":"0.0084"},{"asset_id":"b0b6dd9d-8b9b-48a9-ba46-b9d54906e415","symbol":"TSLA","exchange":"NASDAQ","asset_class":"us_equity","asset_marginable":true,"avg_entry_price":"250.5","qty":"-2","qty_available":"-2","side":"short","market_value":"-480.00","cost_basis":"-501.00","unrealized_pl":"21.00","unrealized_plpc":"0.0419","unrealized_intraday_pl":"4.00","unrealized_intraday_plpc":"0.0083","current_price":"240.00","lastday_price":"242.00","change_today":"-0.0083"}]"#;

/// Shaped like the market-data host's `GET /v2/stocks/meta/conditions/trade?tape=A`
/// (code → description); tapes A and B answer this.
pub const CONDITIONS_CTA_BODY: &str = r#"{" ":"Regular Sale","B":"Average Price Trade","C":"Cash Trade (Same Day Clearing)","E":"Automatic Execution","F":"Inter-market Sweep Order","H":"Price Variation Trade","I":"Odd Lot Trade","K":"Rule 127 (NYSE only) or Rule 155 (NYSE MKT only)","L":"Sold Last (Late Reporting)","M":"Market Center Official Close","N":"Next Day Trade (Next Day Clearing)","O":"Market Center Opening Trade","P":"Prior Reference Price","Q":"Market Center Official Open","R":"Seller","T":"Extended Hours Trade","U":"Extended Hours Sold (Out Of Sequence)","V":"Contingent Trade","X":"Cross Trade","Z":"Sold (Out Of Sequence)","4":"Derivatively Priced","5":"Market Center Reopening Trade","6":"Market Center Closing Trade","7":"Qualified Contingent Trade","9":"Corrected Consolidated Close Price as per Listing Market"}"#;

/// Tape C, with one code the table does not know (`J`).
pub const CONDITIONS_UTP_BODY: &str = r#"{"@":"Regular Sale","A":"Acquisition","B":"Bunched Trade","C":"Cash Sale","D":"Distribution","F":"Intermarket Sweep","G":"Bunched Sold Trade","I":"Odd Lot Trade","J":"A Code Not In The Table","T":"Form T","Z":"Sold (Out Of Sequence)"}"#;

pub const CLOCK_BODY: &str = r#"{"timestamp":"2024-03-15T10:04:31.123456789-04:00","is_open":true,"next_open":"2024-03-18T09:30:00-04:00","next_close":"2024-03-15T16:00:00-04:00"}"#;

#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    Normal,
    /// HTTP 429 with Alpaca's body, and `Retry-After: n` when given.
    TooManyRequests(Option<u64>),
    ServerError,
    /// HTTP 200 with a body that is not the JSON asked for.
    Malformed,
    /// Waits this long, then answers normally.
    Slow(Duration),
    /// HTTP 200 with a JSON body nested this many levels deep.
    Nested(usize),
}

/// One request as the mock saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub authorized: bool,
    pub at: Instant,
}

struct Shared {
    mode: Mutex<Mode>,
    seen: Mutex<Vec<Seen>>,
    total: watch::Sender<usize>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub struct MockTrading {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    served: super::serve::Served,
}

impl MockTrading {
    pub async fn start() -> MockTrading {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Shared {
            mode: Mutex::new(Mode::Normal),
            seen: Mutex::new(Vec::new()),
            total: watch::channel(0).0,
        });
        let app = Router::new()
            .route("/v2/account", get(answer))
            .route("/v2/positions", get(answer))
            .route("/v2/clock", get(answer))
            .route("/v2/stocks/meta/conditions/trade", get(answer))
            .with_state(Arc::clone(&shared));
        MockTrading {
            addr,
            shared,
            served: super::serve::Served::start(listener, app),
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        *lock(&self.shared.mode) = mode;
    }

    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.shared.seen).clone()
    }

    pub fn total(&self) -> usize {
        *self.shared.total.borrow()
    }

    /// Waits until at least `n` requests have arrived; false on timeout.
    pub async fn wait_for_total(&self, n: usize, within: Duration) -> bool {
        let mut rx = self.shared.total.subscribe();
        tokio::time::timeout(within, rx.wait_for(|t| *t >= n))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    pub async fn shutdown(&mut self) {
        self.served.shutdown("mock Trading API").await;
    }
}

fn json(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn answer(State(shared): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let authorized =
        h("APCA-API-KEY-ID") == Some(KEY_ID) && h("APCA-API-SECRET-KEY") == Some(SECRET_KEY);
    let path = uri.path().to_string();
    lock(&shared.seen).push(Seen {
        path: path.clone(),
        authorized,
        at: Instant::now(),
    });
    shared.total.send_modify(|t| *t += 1);
    if !authorized {
        return json(
            StatusCode::UNAUTHORIZED,
            r#"{"code":40110000,"message":"request is not authorized"}"#,
        );
    }
    let mode = lock(&shared.mode).clone();
    match mode {
        Mode::Normal => {}
        Mode::TooManyRequests(retry) => {
            let mut resp = json(
                StatusCode::TOO_MANY_REQUESTS,
                r#"{"code":42910000,"message":"rate limit exceeded"}"#,
            );
            if let Some(secs) = retry {
                resp.headers_mut().insert(
                    header::RETRY_AFTER,
                    secs.to_string().parse().expect("header"),
                );
            }
            return resp;
        }
        Mode::ServerError => {
            return json(
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"code":50010000,"message":"internal server error"}"#,
            )
        }
        Mode::Malformed => return json(StatusCode::OK, r#"{"equity": 12, "oops"#),
        Mode::Slow(d) => tokio::time::sleep(d).await,
        Mode::Nested(n) => {
            let body = format!("{}{}", "[".repeat(n), "]".repeat(n));
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response();
        }
    }
    let body = match path.as_str() {
        "/v2/stocks/meta/conditions/trade" if uri.query() == Some("tape=C") => CONDITIONS_UTP_BODY,
        "/v2/stocks/meta/conditions/trade" => CONDITIONS_CTA_BODY,
        "/v2/account" => ACCOUNT_BODY,
        "/v2/positions" => POSITIONS_BODY,
        _ => CLOCK_BODY,
    };
    json(StatusCode::OK, body)
}
