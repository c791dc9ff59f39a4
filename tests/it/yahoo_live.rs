//! The live Yahoo poller over real sockets on 127.0.0.1, against the mock Yahoo
//! server: rounds, the concurrency bound, cadence changes, the breaker's hold and
//! half-open cap, every failure body, transport failures and cancellation.

use crate::support::mock_yahoo;

use mock_yahoo::{MockYahoo, Mode};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tapewatch::domain::chart::{parse_chart, ChartError};
use tapewatch::domain::clock::{Clock, ManualClock, SystemClock};
use tapewatch::domain::types::{Symbol, Ts};
use tapewatch::messages::yahoo::symbol_from_chart_url;
use tapewatch::messages::yahoo::Cadence;
use tapewatch::messages::yahoo::PollPlan;
use tapewatch::messages::yahoo::YahooResponse;
use tapewatch::messages::FeedEvent;
use tapewatch::plumbing::channels::Meter;
use tapewatch::plumbing::http::{build_client, HttpClientConfig};
use tapewatch::sources::yahoo::poller::{PollerConfig, YahooPoller};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Upper bound for any wait that should succeed.
const WAIT: Duration = Duration::from_secs(5);
/// How long "nothing more happens" is watched for.
const QUIET: Duration = Duration::from_millis(400);
const T0: Ts = Ts::from_secs(1_794_927_700);

fn cfg(base_url: String) -> PollerConfig {
    PollerConfig {
        base_url,
        active_interval_secs: 60,
        standby_interval_secs: 300,
        max_concurrency: 4,
        jitter_ms: 0,
        request_timeout_secs: 1,
    }
}

fn plan(symbols: &[&str], cadence: Cadence) -> PollPlan {
    PollPlan {
        symbols: symbols.iter().map(|s| Symbol::from(*s)).collect(),
        cadence,
        hold_until: None,
        max_requests: None,
    }
}

struct Poller {
    plan_tx: watch::Sender<PollPlan>,
    rx: mpsc::Receiver<FeedEvent>,
    cancel: CancellationToken,
    task: JoinHandle<()>,
    hooked: Arc<Mutex<Vec<String>>>,
}

fn spawn(cfg: PollerConfig, clock: Arc<dyn Clock>, first: PollPlan) -> Poller {
    let client = build_client(&HttpClientConfig::default()).expect("client");
    let (plan_tx, plan_rx) = watch::channel(first);
    let (tx, rx) = mpsc::channel(64);
    let meter = Meter::new("feed", 64, "backpressure");
    let hooked = Arc::new(Mutex::new(Vec::new()));
    let h = Arc::clone(&hooked);
    let poller = YahooPoller::new(cfg, client, clock, plan_rx, tx, meter).with_hook(Arc::new(
        move |r: &YahooResponse| h.lock().unwrap().push(r.url.clone()),
    ));
    let cancel = CancellationToken::new();
    let task = tokio::spawn(poller.run(cancel.clone()));
    Poller {
        plan_tx,
        rx,
        cancel,
        task,
        hooked,
    }
}

impl Poller {
    async fn next(&mut self, within: Duration) -> Option<YahooResponse> {
        loop {
            match tokio::time::timeout(within, self.rx.recv()).await {
                Ok(Some(FeedEvent::Yahoo(r))) => return Some(r),
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => return None,
            }
        }
    }

    async fn take(&mut self, n: usize) -> Vec<YahooResponse> {
        let mut out = Vec::new();
        while out.len() < n {
            match self.next(WAIT).await {
                Some(r) => out.push(r),
                None => panic!("only {} of {n} responses arrived", out.len()),
            }
        }
        out
    }

    async fn stop(self) {
        self.cancel.cancel();
        tokio::time::timeout(WAIT, self.task)
            .await
            .expect("poller stops when cancelled")
            .expect("poller task did not panic");
    }
}

#[tokio::test]
async fn a_round_fetches_every_symbol_once_with_a_browser_user_agent() {
    let mock = MockYahoo::start().await;
    mock.mark_unknown("NOPE");
    let clock = ManualClock::new(T0);
    let syms = ["AAPL", "MSFT", "BRK.B", "^GSPC", "NOPE"];
    let mut p = spawn(
        cfg(mock.base_url()),
        Arc::new(clock.clone()),
        plan(&syms, Cadence::Active),
    );
    let mut got = p.take(syms.len()).await;
    assert!(p.next(QUIET).await.is_none(), "one round only");
    got.sort_by_key(|r| r.symbol().map(|s| s.to_string()));
    for r in &got {
        assert_eq!((r.at, r.error.as_deref()), (T0, None), "{r:?}");
        let sym = symbol_from_chart_url(&r.url).expect("symbol in url");
        match parse_chart(r.status, &r.body) {
            Ok(q) => assert_eq!(q.symbol, sym),
            Err(ChartError::UnknownSymbol { .. }) => assert_eq!(sym, "NOPE"),
            Err(e) => panic!("{sym}: {e}"),
        }
    }
    let counts = mock.counts();
    for s in syms {
        assert_eq!(counts.get(s), Some(&1), "{s}: {counts:?}");
    }
    let seen = mock.seen();
    assert!(seen
        .iter()
        .any(|s| s.uri == "/v8/finance/chart/%5EGSPC?range=1d&interval=1m"));
    for s in &seen {
        let ua = s.user_agent.as_deref().unwrap_or("");
        assert!(
            ua.starts_with("Mozilla/5.0 (") && ua.contains("Chrome/"),
            "{ua}"
        );
    }
    assert_eq!(p.hooked.lock().unwrap().len(), syms.len());
    p.stop().await;
}

#[tokio::test]
async fn no_more_than_max_concurrency_requests_are_in_flight() {
    let mock = MockYahoo::start().await;
    mock.set_delay(Duration::from_millis(150));
    let syms: Vec<String> = (0..12).map(|i| format!("S{i}")).collect();
    let syms: Vec<&str> = syms.iter().map(String::as_str).collect();
    let mut c = cfg(mock.base_url());
    c.max_concurrency = 3;
    let mut p = spawn(c, Arc::new(SystemClock), plan(&syms, Cadence::Active));
    let got = p.take(syms.len()).await;
    assert!(got.iter().all(|r| r.status == 200));
    assert_eq!(mock.max_in_flight(), 3);
    p.stop().await;
}

#[tokio::test]
async fn jitter_spreads_request_starts() {
    let mock = MockYahoo::start().await;
    let syms = ["A", "B", "C", "D", "E", "F", "G", "H"];
    let mut c = cfg(mock.base_url());
    c.max_concurrency = 8;
    c.jitter_ms = 400;
    let mut p = spawn(c, Arc::new(SystemClock), plan(&syms, Cadence::Active));
    p.take(syms.len()).await;
    let times: Vec<Instant> = mock.seen().iter().map(|s| s.at).collect();
    let (first, last) = (times.iter().min().unwrap(), times.iter().max().unwrap());
    // Eight uniform starts over 400 ms all within 40 ms of each other: p ≈ 1e-6.
    assert!(
        last.duration_since(*first) > Duration::from_millis(40),
        "{:?}",
        last.duration_since(*first)
    );
    p.stop().await;
}

#[tokio::test]
async fn turning_active_polls_at_once() {
    let mock = MockYahoo::start().await;
    let syms = ["AAPL", "MSFT"];
    // Off: nothing at all.
    let mut p = spawn(
        cfg(mock.base_url()),
        Arc::new(SystemClock),
        plan(&syms, Cadence::Off),
    );
    assert!(p.next(QUIET).await.is_none());
    assert_eq!(mock.total(), 0);
    // Standby: one round now, the next not for 300 s.
    p.plan_tx.send_replace(plan(&syms, Cadence::Standby));
    p.take(2).await;
    assert!(p.next(QUIET).await.is_none());
    // The failover: Active polls immediately, not at the standby schedule.
    let switched = Instant::now();
    p.plan_tx.send_replace(plan(&syms, Cadence::Active));
    p.take(2).await;
    assert!(
        switched.elapsed() < Duration::from_secs(1),
        "{:?}",
        switched.elapsed()
    );
    assert_eq!(mock.total(), 4);
    // Staying Active keeps the 60 s schedule: a new symbol list does not poll again.
    p.plan_tx.send_replace(plan(&["AAPL"], Cadence::Active));
    assert!(p.next(QUIET).await.is_none());
    p.stop().await;
}

#[tokio::test]
async fn nothing_is_sent_while_the_breaker_holds() {
    let mock = MockYahoo::start().await;
    let started = Instant::now();
    let mut held = plan(&["AAPL", "MSFT"], Cadence::Active);
    held.hold_until = Some(SystemClock.now().plus_millis(700));
    let mut p = spawn(cfg(mock.base_url()), Arc::new(SystemClock), held);
    assert!(!mock.wait_for_total(1, Duration::from_millis(500)).await);
    p.take(2).await;
    let first = mock.seen().iter().map(|s| s.at).min().unwrap();
    assert!(first.duration_since(started) >= Duration::from_millis(650));
    p.stop().await;
}

#[tokio::test]
async fn opening_the_breaker_mid_round_stops_the_round() {
    let mock = MockYahoo::start().await;
    mock.set_delay(Duration::from_millis(300));
    let syms = ["A", "B", "C", "D", "E", "F"];
    let mut c = cfg(mock.base_url());
    c.max_concurrency = 2;
    let clock = ManualClock::new(T0);
    let mut p = spawn(c, Arc::new(clock), plan(&syms, Cadence::Active));
    assert!(mock.wait_for_total(2, WAIT).await);
    let mut open = plan(&syms, Cadence::Active);
    open.hold_until = Some(T0.plus_millis(60_000));
    p.plan_tx.send_replace(open);
    assert!(p.next(Duration::from_millis(800)).await.is_none());
    assert_eq!(mock.total(), 2, "no request after the breaker opened");
    p.stop().await;
}

#[tokio::test]
async fn half_open_sends_at_most_max_requests() {
    let mock = MockYahoo::start().await;
    let mut probe = plan(&["AAPL", "MSFT", "NVDA", "TSLA"], Cadence::Active);
    probe.max_requests = Some(1);
    let mut p = spawn(cfg(mock.base_url()), Arc::new(SystemClock), probe);
    let got = p.take(1).await;
    assert_eq!(got[0].symbol().as_deref(), Some("AAPL"));
    assert!(p.next(QUIET).await.is_none());
    assert_eq!(mock.total(), 1);
    p.stop().await;
}

/// What a failure mode's response must satisfy.
type Check = fn(&YahooResponse) -> bool;

#[tokio::test]
async fn failure_bodies_arrive_as_responses_the_parser_classifies() {
    let mut mock = MockYahoo::start().await;
    let cases: [(Mode, Check); 7] = [
        (Mode::TooManyRequests, |r| {
            r.status == 429 && parse_chart(r.status, &r.body) == Err(ChartError::TooManyRequests)
        }),
        (Mode::Html, |r| {
            parse_chart(r.status, &r.body) == Err(ChartError::Html)
        }),
        (Mode::Empty, |r| {
            parse_chart(r.status, &r.body) == Err(ChartError::Empty)
        }),
        (Mode::Down, |r| {
            matches!(
                parse_chart(r.status, &r.body),
                Err(ChartError::UnknownSymbol { .. })
            )
        }),
        (Mode::Slow(Duration::from_secs(3)), |r| {
            r.status == 0 && r.error.as_deref() == Some("timeout after 1s")
        }),
        (Mode::Oversized, |r| {
            r.status == 0 && r.error.as_deref() == Some("body larger than 2 MiB")
        }),
        (Mode::NotUtf8, |r| {
            r.status == 0 && r.error.as_deref() == Some("body is not UTF-8")
        }),
    ];
    for (mode, ok) in cases {
        mock.set_mode(mode.clone());
        let clock = Arc::new(ManualClock::new(T0));
        let mut p = spawn(
            cfg(mock.base_url()),
            clock,
            plan(&["AAPL"], Cadence::Active),
        );
        let started = Instant::now();
        let r = p.next(WAIT).await.expect("a response");
        assert!(ok(&r), "{mode:?}: {r:?}");
        assert_eq!(r.status == 0, r.error.is_some(), "{mode:?}");
        if let Mode::Slow(_) = mode {
            assert!(started.elapsed() < Duration::from_millis(2_500));
        }
        p.stop().await;
    }
    // A server that is gone: connection refused.
    mock.set_mode(Mode::Normal);
    mock.shutdown().await;
    let mut p = spawn(
        cfg(mock.base_url()),
        Arc::new(SystemClock),
        plan(&["AAPL"], Cadence::Active),
    );
    let r = p.next(WAIT).await.expect("a response");
    assert_eq!(
        (r.status, r.error.as_deref()),
        (0, Some("connection refused")),
        "{r:?}"
    );
    p.stop().await;
}

#[tokio::test]
async fn a_tls_failure_says_tls() {
    // The mock speaks plain HTTP; a TLS handshake against it fails.
    let mock = MockYahoo::start().await;
    let base = format!("https://{}", mock.addr);
    let mut p = spawn(
        cfg(base),
        Arc::new(SystemClock),
        plan(&["AAPL"], Cadence::Active),
    );
    let r = p.next(WAIT).await.expect("a response");
    assert_eq!(r.status, 0);
    let err = r.error.unwrap_or_default();
    assert!(err.starts_with("TLS: "), "{err}");
    p.stop().await;
}

#[tokio::test]
async fn cancel_stops_the_task_and_aborts_requests_in_flight() {
    let mock = MockYahoo::start().await;
    mock.set_mode(Mode::Slow(Duration::from_secs(30)));
    let mut c = cfg(mock.base_url());
    c.request_timeout_secs = 30;
    let p = spawn(
        c,
        Arc::new(SystemClock),
        plan(&["AAPL", "MSFT"], Cadence::Active),
    );
    assert!(mock.wait_for_total(2, WAIT).await);
    let cancelled = Instant::now();
    p.stop().await;
    assert!(cancelled.elapsed() < Duration::from_millis(500));
    // The aborted requests' connections close, so the mock's handlers are dropped.
    let deadline = Instant::now() + WAIT;
    while mock.in_flight() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(mock.in_flight(), 0);
}
