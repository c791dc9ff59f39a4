//! Unit tests for the Trading API client's pure parts: the request window,
//! `Retry-After`, error texts (never a key) and decoding Alpaca's documented bodies.

use super::*;
use crate::domain::portfolio::Side;
use rust_decimal::Decimal;

fn http() -> reqwest::Client {
    crate::plumbing::http::build_client(&Default::default()).unwrap()
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn window_caps_and_slides() {
    let t0 = Instant::now();
    let s = Duration::from_secs;
    let mut w = RateWindow::per_minute(3);
    assert!(w.try_acquire(t0));
    assert!(w.try_acquire(t0 + s(10)));
    assert!(w.try_acquire(t0 + s(20)));
    assert_eq!(w.used(t0 + s(20)), 3);
    assert_eq!(w.used_pct(t0 + s(20)), 100.0);
    // Full: nothing counted, and the first slot frees a minute after the first request.
    assert!(!w.try_acquire(t0 + s(30)));
    assert_eq!(w.used(t0 + s(30)), 3);
    assert_eq!(w.next_free(t0 + s(30)), Some(t0 + s(60)));
    assert!(w.try_acquire(t0 + s(60)));
    assert_eq!(w.used(t0 + s(61)), 3);
    assert_eq!(w.used(t0 + s(75)), 2);
    assert_eq!(w.next_free(t0 + s(75)), None);
    assert!((w.used_pct(t0 + s(75)) - 66.666).abs() < 0.01);
    assert_eq!(w.used(t0 + s(200)), 0);
    let mut zero = RateWindow::per_minute(0);
    assert!(!zero.try_acquire(t0));
    assert_eq!(zero.used_pct(t0), 100.0);
    assert_eq!(zero.next_free(t0), Some(t0 + s(60)));
}

#[test]
fn retry_after_in_seconds_only() {
    let cases = [
        ("30", Some(30)),
        (" 5 ", Some(5)),
        ("0", Some(0)),
        ("-1", None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
    ];
    for (raw, want) in cases {
        assert_eq!(parse_retry_after(raw), want, "{raw:?}");
    }
}

#[test]
fn error_texts_say_what_to_check() {
    let cases = [
        (RestError::Unauthorized { endpoint: "/v2/account", status: 401 },
         "Alpaca Trading API /v2/account: HTTP 401, not authorized: check APCA_API_KEY_ID/APCA_API_SECRET_KEY"),
        (RestError::RateLimited { endpoint: "/v2/positions", retry_after_secs: Some(7) },
         "Alpaca Trading API /v2/positions: HTTP 429, rate limited; Alpaca asks to retry after 7 s"),
        (RestError::RateLimited { endpoint: "/v2/positions", retry_after_secs: None },
         "Alpaca Trading API /v2/positions: HTTP 429, rate limited; no Retry-After given"),
        (RestError::Http { endpoint: "/v2/clock", status: 500, body: "oops".into() },
         "Alpaca Trading API /v2/clock: HTTP 500: oops"),
        (RestError::BadCredential("APCA_API_KEY_ID"),
         "Alpaca Trading API: APCA_API_KEY_ID contains characters an HTTP header cannot carry"),
    ];
    for (err, prefix) in cases {
        let text = err.to_string();
        assert!(text.starts_with(prefix), "{text}");
    }
    let limited = RestError::RateLimited {
        endpoint: "/v2/account",
        retry_after_secs: None,
    };
    assert_eq!(limited.retry_after_secs(), Some(None));
    assert_eq!(RestError::BadCredential("x").retry_after_secs(), None);
}

#[test]
fn secrets_are_scrubbed_and_never_debug_printed() {
    let secrets = [
        SecretString::from("KEYID123"),
        SecretString::from("s3cr3t-value"),
    ];
    assert_eq!(
        scrub_secrets("bad key KEYID123 / s3cr3t-value!", &secrets),
        "bad key *** / ***!"
    );
    assert_eq!(
        scrub_secrets("nothing", &[SecretString::from("")]),
        "nothing"
    );
    let mut cfg = RestConfig::new(secrets[0].clone(), secrets[1].clone());
    cfg.base_url = "http://127.0.0.1:9/".into();
    let client = RestClient::new(&cfg, http()).unwrap();
    let text = format!("{cfg:?} {client:?}");
    assert!(
        !text.contains("KEYID123") && !text.contains("s3cr3t"),
        "{text}"
    );
    assert!(text.contains("http://127.0.0.1:9"), "{text}");
    // The excerpt scrubs before it cuts, and collapses whitespace.
    let long = format!("{}\n\n s3cr3t-value", "x".repeat(195));
    let ex = client.excerpt(&long);
    assert!(!ex.contains("s3cr"), "{ex}");
    let bad = RestConfig::new(SecretString::from("bad\nkey"), SecretString::from("ok"));
    assert_eq!(
        RestClient::new(&bad, http()).err(),
        Some(RestError::BadCredential("APCA_API_KEY_ID"))
    );
}

/// The example bodies from Alpaca's Trading API reference, numbers as strings.
pub(crate) const ACCOUNT_BODY: &str = r#"{
  "id": "e6fe16f3-64a4-4921-8928-cadf02f92f98",
  "account_number": "010203ABCD",
  "status": "ACTIVE",
  "currency": "USD",
  "cash": "-23140.2",
  "portfolio_value": "103820.56",
  "pattern_day_trader": false,
  "trade_suspended_by_user": false,
  "trading_blocked": false,
  "transfers_blocked": false,
  "account_blocked": false,
  "created_at": "2019-06-12T22:47:07.99658Z",
  "shorting_enabled": true,
  "long_market_value": "126960.76",
  "short_market_value": "0",
  "equity": "103820.56",
  "last_equity": "103529.24",
  "multiplier": "4",
  "buying_power": "413282.24",
  "initial_margin": "63480.38",
  "maintenance_margin": "38088.228",
  "sma": "0",
  "daytrade_count": 0,
  "last_maintenance_margin": "38000.832",
  "daytrading_buying_power": "413282.24",
  "regt_buying_power": "80680.36"
}"#;

pub(crate) const POSITIONS_BODY: &str = r#"[
  {
    "asset_id": "904837e3-3b76-47ec-b432-046db621571b",
    "symbol": "AAPL",
    "exchange": "NASDAQ",
    "asset_class": "us_equity",
    "avg_entry_price": "100.0",
    "qty": "5",
    "qty_available": "4",
    "side": "long",
    "market_value": "600.0",
    "cost_basis": "500.0",
    "unrealized_pl": "100.0",
    "unrealized_plpc": "0.20",
    "unrealized_intraday_pl": "10.0",
    "unrealized_intraday_plpc": "0.0084",
    "current_price": "120.0",
    "lastday_price": "119.0",
    "change_today": "0.0084"
  },
  {
    "asset_id": "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415",
    "symbol": "TSLA",
    "exchange": "NASDAQ",
    "asset_class": "us_equity",
    "avg_entry_price": "250.5",
    "qty": "-2",
    "side": "short",
    "market_value": "-480.00",
    "cost_basis": "-501.00",
    "unrealized_pl": "21.00",
    "unrealized_plpc": "0.0419",
    "current_price": "240.00",
    "lastday_price": null,
    "change_today": null
  }
]"#;

#[test]
fn documented_bodies_decode() {
    let a: Account = serde_json::from_str(ACCOUNT_BODY).unwrap();
    assert_eq!(a.status, "ACTIVE");
    assert_eq!(a.currency, "USD");
    assert_eq!(a.equity, d("103820.56"));
    assert_eq!(a.last_equity, d("103529.24"));
    assert_eq!(a.cash, d("-23140.2"));
    assert_eq!(a.buying_power, d("413282.24"));
    assert_eq!(a.portfolio_value, Some(d("103820.56")));
    assert_eq!(a.long_market_value, Some(d("126960.76")));
    assert_eq!(a.maintenance_margin, Some(d("38088.228")));
    assert_eq!(a.daytrade_count, Some(0));
    assert!(!a.trading_blocked);
    let p: Vec<BrokerPosition> = serde_json::from_str(POSITIONS_BODY).unwrap();
    assert_eq!(p.len(), 2);
    assert_eq!(
        (p[0].symbol.as_str(), p[0].side, p[0].qty),
        ("AAPL", Side::Long, d("5"))
    );
    assert_eq!(p[0].avg_entry_price, d("100.0"));
    assert_eq!(p[0].market_value, Some(d("600")));
    assert_eq!(p[0].cost_basis, Some(d("500")));
    assert_eq!(p[0].unrealized_pl, Some(d("100")));
    assert_eq!(p[0].unrealized_plpc, Some(d("0.2")));
    assert_eq!(p[0].unrealized_intraday_pl, Some(d("10")));
    assert_eq!(p[0].current_price, Some(d("120")));
    assert_eq!(p[0].lastday_price, Some(d("119")));
    assert_eq!(p[0].change_today, Some(d("0.0084")));
    assert_eq!(p[0].exchange.as_deref(), Some("NASDAQ"));
    assert_eq!((p[1].side, p[1].signed_qty()), (Side::Short, d("-2")));
    assert_eq!(p[1].lastday_price, None);
    // A number sent as a JSON number (not Alpaca's string) is a decode error that names it.
    let e = serde_json::from_str::<Account>(
        &ACCOUNT_BODY.replace("\"103820.56\",\n  \"last", "103820.56,\n  \"last"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("Decimal"), "{e}");
}
