//! The Alpaca Trading REST client and poller over real sockets on 127.0.0.1,
//! against the mock trading server: every field parses, a wrong key is an
//! Unauthorized that never shows the secret, 429/500/malformed/slow answers, and
//! the poller's cadence, request cap, 429 back-off, breaker hold and cancellation.

use crate::support::mock_trading;

use mock_trading::{MockTrading, Mode, KEY_ID, SECRET_KEY};
use rust_decimal::Decimal;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tapewatch::domain::clock::{Clock, SystemClock};
use tapewatch::domain::portfolio::Side;
use tapewatch::domain::types::Ts;
use tapewatch::messages::rest::RestError;
use tapewatch::messages::rest::RestUpdate;
use tapewatch::plumbing::http::{build_client, HttpClientConfig};
use tapewatch::sources::alpaca::rest::{RestClient, RestConfig, RestPoller};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn config(mock: &MockTrading, secret: &str) -> RestConfig {
    let mut cfg = RestConfig::new(SecretString::from(KEY_ID), SecretString::from(secret));
    cfg.base_url = mock.base_url();
    cfg.poll_interval_secs = 1;
    cfg.request_timeout_secs = 2;
    cfg
}

fn client(cfg: &RestConfig) -> RestClient {
    let http = build_client(&HttpClientConfig::default()).expect("http client");
    RestClient::new(cfg, http).expect("rest client")
}

struct Running {
    rx: mpsc::Receiver<RestUpdate>,
    hold_tx: watch::Sender<Option<Ts>>,
    cancel: CancellationToken,
    task: JoinHandle<()>,
}

fn spawn_poller(cfg: &RestConfig, hold: Option<Ts>) -> Running {
    let (tx, rx) = mpsc::channel(64);
    let (hold_tx, hold_rx) = watch::channel(hold);
    let cancel = CancellationToken::new();
    let poller = RestPoller::new(cfg, client(cfg), Arc::new(SystemClock), hold_rx, tx);
    let task = tokio::spawn(poller.run(cancel.clone()));
    Running {
        rx,
        hold_tx,
        cancel,
        task,
    }
}

impl Running {
    async fn next(&mut self) -> RestUpdate {
        tokio::time::timeout(Duration::from_secs(5), self.rx.recv())
            .await
            .expect("an update within 5 s")
            .expect("poller alive")
    }

    async fn stop(self) {
        self.cancel.cancel();
        tokio::time::timeout(Duration::from_secs(2), self.task)
            .await
            .expect("poller stops within 2 s after cancel")
            .expect("poller task did not panic");
    }
}

fn kind(u: &RestUpdate) -> &'static str {
    match u {
        RestUpdate::Account { result: Ok(_), .. } => "account",
        RestUpdate::Positions { result: Ok(_), .. } => "positions",
        RestUpdate::Clock { result: Ok(_), .. } => "clock",
        RestUpdate::RateLimit { .. } => "rate",
        _ => "error",
    }
}

#[tokio::test]
async fn happy_path_parses_every_field() {
    let mock = MockTrading::start().await;
    let c = client(&config(&mock, SECRET_KEY));
    let a = c.get_account().await.expect("account");
    assert_eq!((a.status.as_str(), a.currency.as_str()), ("ACTIVE", "USD"));
    assert_eq!((a.equity, a.last_equity), (d("103820.56"), d("103529.24")));
    assert_eq!((a.cash, a.buying_power), (d("-23140.2"), d("413282.24")));
    assert_eq!(a.portfolio_value, Some(d("103820.56")));
    assert_eq!(a.long_market_value, Some(d("126960.76")));
    assert_eq!(a.short_market_value, Some(d("0")));
    assert_eq!(a.initial_margin, Some(d("63480.38")));
    assert_eq!(a.maintenance_margin, Some(d("38088.228")));
    assert_eq!(a.daytrade_count, Some(0));
    assert_eq!(a.account_number.as_deref(), Some("010203ABCD"));
    assert!(!a.pattern_day_trader && !a.trading_blocked && !a.account_blocked);

    let p = c.get_positions().await.expect("positions");
    assert_eq!(p.len(), 2);
    let aapl = &p[0];
    assert_eq!(
        (aapl.symbol.as_str(), aapl.side, aapl.qty),
        ("AAPL", Side::Long, d("5"))
    );
    assert_eq!(aapl.avg_entry_price, d("100"));
    assert_eq!(aapl.market_value, Some(d("600")));
    assert_eq!(aapl.cost_basis, Some(d("500")));
    assert_eq!(aapl.unrealized_pl, Some(d("100")));
    assert_eq!(aapl.unrealized_plpc, Some(d("0.20")));
    assert_eq!(aapl.unrealized_intraday_pl, Some(d("10")));
    assert_eq!(aapl.current_price, Some(d("120")));
    assert_eq!(aapl.lastday_price, Some(d("119")));
    assert_eq!(aapl.change_today, Some(d("0.0084")));
    assert_eq!(aapl.asset_class.as_deref(), Some("us_equity"));
    let tsla = &p[1];
    assert_eq!((tsla.side, tsla.signed_qty()), (Side::Short, d("-2")));
    assert_eq!(tsla.signed_market_value(), Some(d("-480")));

    let clock = c.get_clock().await.expect("clock");
    assert!(clock.is_open);
    assert_eq!(
        clock.next_close,
        Ts::parse_rfc3339("2024-03-15T20:00:00Z").unwrap()
    );
    assert!(mock.seen().iter().all(|s| s.authorized));
}

#[tokio::test]
async fn wrong_key_is_unauthorized_and_never_shows_the_secret() {
    let mock = MockTrading::start().await;
    let wrong = "wrong-secret-Zq9-should-not-appear";
    let c = client(&config(&mock, wrong));
    for err in [
        c.get_account().await.map(|_| ()).unwrap_err(),
        c.get_positions().await.map(|_| ()).unwrap_err(),
        c.get_clock().await.map(|_| ()).unwrap_err(),
    ] {
        assert!(
            matches!(err, RestError::Unauthorized { status: 401, .. }),
            "{err:?}"
        );
        let text = format!("{err} {err:?}");
        assert!(
            text.contains("APCA_API_KEY_ID/APCA_API_SECRET_KEY"),
            "{text}"
        );
        assert!(
            !text.contains(wrong) && !text.contains(SECRET_KEY) && !text.contains(KEY_ID),
            "{text}"
        );
    }
    // No headers at all: the mock answers 401 like Alpaca.
    let http = build_client(&HttpClientConfig::default()).unwrap();
    let resp = http
        .get(format!("{}/v2/account", mock.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
}

#[tokio::test]
async fn failures_map_to_their_errors() {
    let mock = MockTrading::start().await;
    let mut cfg = config(&mock, SECRET_KEY);
    cfg.request_timeout_secs = 1;
    let c = client(&cfg);
    mock.set_mode(Mode::TooManyRequests(Some(7)));
    let e = c.get_account().await.unwrap_err();
    assert_eq!(
        e,
        RestError::RateLimited {
            endpoint: "/v2/account",
            retry_after_secs: Some(7)
        }
    );
    mock.set_mode(Mode::TooManyRequests(None));
    let e = c.get_positions().await.unwrap_err();
    assert_eq!(e.retry_after_secs(), Some(None));
    mock.set_mode(Mode::ServerError);
    let e = c.get_positions().await.unwrap_err();
    assert!(
        matches!(&e, RestError::Http { status: 500, body, .. } if body.contains("internal server error")),
        "{e:?}"
    );
    mock.set_mode(Mode::Malformed);
    for e in [
        c.get_account().await.map(|_| ()).unwrap_err(),
        c.get_positions().await.map(|_| ()).unwrap_err(),
        c.get_clock().await.map(|_| ()).unwrap_err(),
    ] {
        assert!(matches!(e, RestError::Decode { .. }), "{e:?}");
    }
    // A body nested 100,000 levels deep is a decode error that names the limit.
    mock.set_mode(Mode::Nested(100_000));
    for e in [
        c.get_account().await.map(|_| ()).unwrap_err(),
        c.get_positions().await.map(|_| ()).unwrap_err(),
        c.get_clock().await.map(|_| ()).unwrap_err(),
    ] {
        assert!(
            matches!(&e, RestError::Decode { message, .. } if message.contains("nested deeper than 32 levels")),
            "{e:?}"
        );
    }
    mock.set_mode(Mode::Normal);
    assert!(
        c.get_account().await.is_ok(),
        "the next good answer decodes"
    );
    mock.set_mode(Mode::Slow(Duration::from_secs(3)));
    let started = Instant::now();
    let e = c.get_clock().await.unwrap_err();
    assert!(
        matches!(&e, RestError::Transport { reason, .. } if reason.contains("timed out")),
        "{e:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(2_500));
    let mut mock = mock;
    mock.shutdown().await;
    let e = c.get_account().await.unwrap_err();
    assert!(matches!(&e, RestError::Transport { .. }), "{e:?}");
}

#[tokio::test]
async fn poller_rounds_fetch_account_positions_and_the_clock_once_a_minute() {
    let mock = MockTrading::start().await;
    let mut run = spawn_poller(&config(&mock, SECRET_KEY), None);
    let mut kinds = Vec::new();
    for _ in 0..7 {
        kinds.push(kind(&run.next().await));
    }
    // Round one asks for the clock too; round two (a second later) does not.
    assert_eq!(
        kinds,
        [
            "account",
            "positions",
            "clock",
            "rate",
            "account",
            "positions",
            "rate"
        ]
    );
    let paths: Vec<String> = mock.seen().iter().map(|s| s.path.clone()).collect();
    assert_eq!(
        paths[..5],
        [
            "/v2/account",
            "/v2/positions",
            "/v2/clock",
            "/v2/account",
            "/v2/positions"
        ]
    );
    let seen = mock.seen();
    let gap = seen[3].at.duration_since(seen[0].at);
    assert!(
        gap >= Duration::from_millis(900) && gap < Duration::from_millis(2_000),
        "{gap:?}"
    );
    run.stop().await;
}

#[tokio::test]
async fn poller_obeys_its_request_cap() {
    let mock = MockTrading::start().await;
    let mut cfg = config(&mock, SECRET_KEY);
    cfg.max_requests_per_min = 5;
    let mut run = spawn_poller(&cfg, None);
    // 3 requests in round one, 2 in round two, then the cap: nothing more this minute.
    let mut last_pct = None;
    let deadline = tokio::time::Instant::now() + Duration::from_millis(3_500);
    while let Ok(Some(u)) = tokio::time::timeout_at(deadline, run.rx.recv()).await {
        if let RestUpdate::RateLimit {
            used_pct, limit, ..
        } = u
        {
            assert_eq!(limit, 5);
            last_pct = Some(used_pct);
        }
    }
    assert_eq!(mock.total(), 5);
    assert_eq!(last_pct, Some(100.0));
    run.stop().await;
}

#[tokio::test]
async fn poller_backs_off_after_a_429() {
    let mock = MockTrading::start().await;
    mock.set_mode(Mode::TooManyRequests(Some(2)));
    let mut run = spawn_poller(&config(&mock, SECRET_KEY), None);
    // The 429 ends the round: no positions request follows it.
    let first = run.next().await;
    assert!(
        matches!(
            &first,
            RestUpdate::Account {
                result: Err(RestError::RateLimited {
                    retry_after_secs: Some(2),
                    ..
                }),
                ..
            }
        ),
        "{first:?}"
    );
    assert_eq!(kind(&run.next().await), "rate");
    mock.set_mode(Mode::Normal);
    assert!(mock.wait_for_total(2, Duration::from_secs(5)).await);
    let seen = mock.seen();
    assert_eq!(seen[1].path, "/v2/account");
    let gap = seen[1].at.duration_since(seen[0].at);
    // Retry-After: 2 beats the 1 s poll interval.
    assert!(gap >= Duration::from_millis(1_900), "{gap:?}");
    assert_eq!(kind(&run.next().await), "account");
    run.stop().await;
}

#[tokio::test]
async fn poller_waits_out_the_breaker_hold() {
    let mock = MockTrading::start().await;
    let started = Instant::now();
    let hold = SystemClock.now().plus_millis(1_500);
    let mut run = spawn_poller(&config(&mock, SECRET_KEY), Some(hold));
    assert_eq!(kind(&run.next().await), "account");
    let waited = mock.seen()[0].at.duration_since(started);
    assert!(waited >= Duration::from_millis(1_400), "{waited:?}");
    // Opening the breaker mid-run stops the polling until the hold passes.
    for _ in 0..3 {
        run.next().await;
    }
    run.hold_tx
        .send_replace(Some(SystemClock.now().plus_millis(60_000)));
    let before = mock.total();
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    assert_eq!(mock.total(), before, "no requests while the breaker holds");
    run.hold_tx.send_replace(None);
    assert!(
        mock.wait_for_total(before + 1, Duration::from_secs(3))
            .await
    );
    run.stop().await;
}

#[tokio::test]
async fn cancel_stops_the_poller_mid_request() {
    let mock = MockTrading::start().await;
    mock.set_mode(Mode::Slow(Duration::from_secs(30)));
    let run = spawn_poller(&config(&mock, SECRET_KEY), None);
    assert!(mock.wait_for_total(1, Duration::from_secs(5)).await);
    let started = Instant::now();
    run.stop().await;
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[tokio::test]
async fn poller_ends_when_the_engine_goes_away() {
    let mock = MockTrading::start().await;
    let cfg = config(&mock, SECRET_KEY);
    let Running {
        rx,
        hold_tx,
        cancel: _cancel,
        task,
    } = spawn_poller(&cfg, None);
    drop(rx);
    tokio::time::timeout(Duration::from_secs(3), task)
        .await
        .expect("stops once its update channel is closed")
        .unwrap();
    // And when the hold's sender (the engine) is dropped.
    let run = spawn_poller(&cfg, Some(SystemClock.now().plus_millis(60_000)));
    drop(hold_tx);
    drop(run.hold_tx);
    tokio::time::timeout(Duration::from_secs(3), run.task)
        .await
        .expect("stops once the hold sender is dropped")
        .unwrap();
}
