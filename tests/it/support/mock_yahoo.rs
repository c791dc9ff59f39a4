//! A mock Yahoo Finance v8 chart server on 127.0.0.1 for tests: serves
//! `/v8/finance/chart/{SYMBOL}` with a realistic compact body, and switches at run
//! time to each way Yahoo fails (404 with `chart.error`, 429 text, the HTML consent
//! page, an empty body, a response slower than any client timeout, all-404, an
//! oversized or non-UTF-8 body, and refusing connections once shut down). It counts
//! requests per symbol, the most requests in flight at once, and each User-Agent.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// What every chart request gets, switchable while the server runs.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    /// A chart body per symbol; symbols marked unknown get Yahoo's 404.
    Normal,
    /// HTTP 429 with Yahoo's plain-text body.
    TooManyRequests,
    /// HTTP 200 with the EU consent page.
    Html,
    /// HTTP 200 with no body.
    Empty,
    /// Waits this long, then answers normally.
    Slow(Duration),
    /// HTTP 404 with `chart.error` for every symbol.
    Down,
    /// HTTP 200 with a 3 MiB body (over the client's 2 MiB cap).
    Oversized,
    /// HTTP 200 with bytes that are not UTF-8.
    NotUtf8,
    /// HTTP 200 with a JSON body nested this many levels deep.
    Nested(usize),
}

/// One request as the mock saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub symbol: String,
    /// Path and query as sent (still percent-encoded).
    pub uri: String,
    pub user_agent: Option<String>,
    pub at: Instant,
}

struct Shared {
    mode: Mutex<Mode>,
    /// Added to every answer, to hold requests in flight.
    delay: Mutex<Duration>,
    unknown: Mutex<HashSet<String>>,
    seen: Mutex<Vec<Seen>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    total: watch::Sender<usize>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub struct MockYahoo {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    served: super::serve::Served,
}

impl MockYahoo {
    pub async fn start() -> MockYahoo {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Shared {
            mode: Mutex::new(Mode::Normal),
            delay: Mutex::new(Duration::ZERO),
            unknown: Mutex::new(HashSet::new()),
            seen: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            total: watch::channel(0).0,
        });
        let app = Router::new()
            .route("/v8/finance/chart/{symbol}", get(chart))
            .with_state(Arc::clone(&shared));
        MockYahoo {
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

    pub fn set_delay(&self, delay: Duration) {
        *lock(&self.shared.delay) = delay;
    }

    /// Yahoo answers these with 404 and `chart.error` "No data found, symbol may be delisted".
    pub fn mark_unknown(&self, symbol: &str) {
        lock(&self.shared.unknown).insert(symbol.to_string());
    }

    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.shared.seen).clone()
    }

    pub fn total(&self) -> usize {
        *self.shared.total.borrow()
    }

    /// Requests per (decoded) symbol.
    pub fn counts(&self) -> HashMap<String, usize> {
        let mut out = HashMap::new();
        for s in lock(&self.shared.seen).iter() {
            *out.entry(s.symbol.clone()).or_insert(0) += 1;
        }
        out
    }

    pub fn in_flight(&self) -> usize {
        self.shared.in_flight.load(Ordering::SeqCst)
    }

    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` requests have arrived; false on timeout.
    pub async fn wait_for_total(&self, n: usize, within: Duration) -> bool {
        let mut rx = self.shared.total.subscribe();
        tokio::time::timeout(within, rx.wait_for(|t| *t >= n))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Stops listening and closes idle connections: later requests are refused.
    pub async fn shutdown(&mut self) {
        self.served.shutdown("mock Yahoo").await;
    }
}

/// Counts a request in flight until dropped (also when the client aborts it).
struct InFlight(Arc<Shared>);

impl InFlight {
    fn new(shared: &Arc<Shared>) -> InFlight {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(Arc::clone(shared))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn chart(
    State(shared): State<Arc<Shared>>,
    Path(symbol): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let _guard = InFlight::new(&shared);
    lock(&shared.seen).push(Seen {
        symbol: symbol.clone(),
        uri: uri.to_string(),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        at: Instant::now(),
    });
    shared.total.send_modify(|t| *t += 1);
    let mode = lock(&shared.mode).clone();
    let delay = *lock(&shared.delay);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let json = |status: StatusCode, body: String| {
        (
            status,
            [(header::CONTENT_TYPE, "application/json;charset=utf-8")],
            body,
        )
            .into_response()
    };
    match mode {
        Mode::Normal | Mode::Slow(_) => {
            if let Mode::Slow(d) = mode {
                tokio::time::sleep(d).await;
            }
            if lock(&shared.unknown).contains(&symbol) {
                json(StatusCode::NOT_FOUND, not_found_body())
            } else {
                json(StatusCode::OK, chart_body(&symbol))
            }
        }
        Mode::Down => json(StatusCode::NOT_FOUND, not_found_body()),
        Mode::TooManyRequests => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::CONTENT_TYPE, "text/plain;charset=utf-8")],
            "Too Many Requests\r\n",
        )
            .into_response(),
        Mode::Html => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html;charset=utf-8")],
            CONSENT_PAGE,
        )
            .into_response(),
        Mode::Empty => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            "",
        )
            .into_response(),
        Mode::Oversized => json(StatusCode::OK, " ".repeat(3 * 1024 * 1024)),
        Mode::Nested(n) => json(
            StatusCode::OK,
            format!("{}1{}", r#"{"chart":"#.repeat(n), "}".repeat(n)),
        ),
        Mode::NotUtf8 => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            vec![b'{', 0xff, 0xfe, b'}'],
        )
            .into_response(),
    }
}

const CONSENT_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en-US\"><head><meta charset=\"utf-8\">\
<title>Yahoo is part of the Yahoo family of brands</title></head><body>\
<form method=\"post\" action=\"https://consent.yahoo.com/v2/collectConsent\">\
<button type=\"submit\" name=\"agree\" value=\"agree\">Accept all</button></form></body></html>";

fn not_found_body() -> String {
    r#"{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}"#
        .to_string()
}

/// A one-day, 1-minute chart for `symbol`: three bars (the last one still null, as
/// Yahoo sends the minute in progress), a price derived from the symbol's bytes.
pub fn chart_body(symbol: &str) -> String {
    let cents: u64 = 10_000 + symbol.bytes().map(u64::from).sum::<u64>() * 37 % 40_000;
    let px = |c: u64| format!("{}.{:02}", c / 100, c % 100);
    let sym = serde_json::to_string(symbol).unwrap_or_else(|_| "\"?\"".to_string());
    let (t0, start, end) = (1_794_927_600_i64, 1_794_925_800_i64, 1_794_949_200_i64);
    format!(
        concat!(
            r#"{{"chart":{{"result":[{{"meta":{{"currency":"USD","symbol":{sym},"exchangeName":"NMS","#,
            r#""instrumentType":"EQUITY","regularMarketPrice":{price},"regularMarketTime":{rmt},"#,
            r#""chartPreviousClose":{prev},"previousClose":{prev},"dataGranularity":"1m","range":"1d","#,
            r#""currentTradingPeriod":{{"regular":{{"timezone":"EST","start":{start},"end":{end},"gmtoffset":-18000}}}}}},"#,
            r#""timestamp":[{t0},{t1},{t2}],"indicators":{{"quote":[{{"open":[{o0},{o1},null],"#,
            r#""high":[{h0},{h1},null],"low":[{l0},{l1},null],"close":[{c0},{c1},null],"#,
            r#""volume":[1200,900,null]}}]}}}}],"error":null}}}}"#
        ),
        sym = sym,
        price = px(cents),
        rmt = t0 + 125,
        prev = px(cents - 50),
        start = start,
        end = end,
        t0 = t0,
        t1 = t0 + 60,
        t2 = t0 + 120,
        o0 = px(cents - 3),
        o1 = px(cents - 1),
        h0 = px(cents + 2),
        h1 = px(cents + 4),
        l0 = px(cents - 5),
        l1 = px(cents - 2),
        c0 = px(cents - 1),
        c1 = px(cents),
    )
}
