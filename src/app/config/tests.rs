//! Config parsing and validation: defaults, a full file, and errors that name the
//! file, the key and what was expected.

use super::*;
use secrecy::ExposeSecret;

#[test]
fn defaults_without_a_file() {
    let s = load(None).unwrap();
    assert_eq!(s.watchlist.len(), 12);
    assert_eq!(s.listen.to_string(), DEFAULT_LISTEN);
    assert_eq!(s.feed, "iex");
    assert!(s.key_id.is_none());
}

#[test]
fn full_file() {
    let s = parse(
        "watchlist = [\"AAPL\", \"BRK.B\"]\n[alpaca]\nkey_id = \"PK123\"\nsecret_key = \"s3cr3t\"\nfeed = \"sip\"\n[api]\nlisten = \"0.0.0.0:8080\"\ntoken = \"tok\"\n[ui]\ntheme = \"mono\"\n[storage]\ndb = \"/tmp/x.db\"\n",
        "c.toml",
    )
    .unwrap();
    assert_eq!(s.watchlist, ["AAPL", "BRK.B"]);
    assert_eq!(s.secret_key.as_ref().unwrap().expose_secret(), "s3cr3t");
    assert_eq!(s.api_token.as_ref().unwrap().expose_secret(), "tok");
    assert_eq!(s.feed, "sip");
    // Secrets never show in Debug output.
    assert!(!format!("{s:?}").contains("s3cr3t"));
}

/// (file text, fragments the error must contain)
#[test]
fn errors_name_file_key_and_expectation() {
    let cases: [(&str, &[&str]); 25] = [
        (
            "[[positions]]\nsymbol = \"AAPL\"\nqty = 0\ncost = 1",
            &["c.toml", "positions.qty", "entry 1 (AAPL)", "must not be 0"],
        ),
        (
            "[[positions]]\nsymbol = \"aapl\"\nqty = 1\ncost = 1",
            &["c.toml", "positions.symbol", "lower-case"],
        ),
        (
            "[[positions]]\nsymbol = \"AAPL\"\nqty = 1\ncost = \"x\"",
            &["c.toml", "cost", "decimal"],
        ),
        (
            "[portfolio]\ndaily_loss_warn_pct = 4\ndaily_loss_critical_pct = 3",
            &["c.toml", "portfolio.daily_loss_critical_pct", "below"],
        ),
        (
            "[router]\nmax_consecutive_failures = 0",
            &["c.toml", "router.max_consecutive_failures", "at least 1"],
        ),
        (
            "[router]\nprimary_recovery_grace_period_secs = 30\nmax_grace_period_secs = 20",
            &["c.toml", "router.max_grace_period_secs", "at least 30"],
        ),
        (
            "[router]\nFallbackActivationDelaySeconds = 5",
            &[
                "c.toml",
                "FallbackActivationDelaySeconds",
                "expected one of",
            ],
        ),
        (
            "[yahoo]\nbase_url = \"query1.finance.yahoo.com\"",
            &["c.toml", "yahoo.base_url", "http(s) URL"],
        ),
        (
            "[breakers]\nwindow_size = 4\nminimum_calls = 5",
            &["c.toml", "breakers.minimum_calls", "window_size (4)"],
        ),
        (
            "[validation]\nbreaker_threshold_pct = \"120\"",
            &["c.toml", "validation.breaker_threshold_pct", "percentage"],
        ),
        (
            "[validation]\nconfirm_prints = 0",
            &["c.toml", "validation.confirm_prints", "at least 1"],
        ),
        (
            "[alpaca]\nencoding = \"xml\"",
            &["c.toml", "alpaca.encoding", "msgpack"],
        ),
        (
            "[alpaca]\nchannels = [\"news\"]",
            &["c.toml", "alpaca.channels", "trades, quotes or bars"],
        ),
        (
            "[alpaca]\nping_interval_secs = 0",
            &["c.toml", "alpaca.ping_interval_secs", "at least 1"],
        ),
        ("watchlst = []", &["c.toml", "watchlst", "expected one of"]),
        (
            "[api]\nlisten = \"nowhere\"",
            &["c.toml", "api.listen", "socket address"],
        ),
        (
            "[alpaca]\nfeed = \"nasdaq\"",
            &["c.toml", "alpaca.feed", "iex, sip"],
        ),
        (
            "watchlist = [\"aapl\"]",
            &["c.toml", "watchlist", "lower-case", "\"AAPL\""],
        ),
        // Refused with the reason, never trimmed or truncated into something else.
        (
            "watchlist = [\"MSFT\", \"TOOLONGSYMBOL\"]",
            &[
                "c.toml: watchlist: entry 2",
                "\"TOOLONGSYMBOL\": longer than 12 characters",
            ],
        ),
        (
            "watchlist = [\"A B\"]",
            &["c.toml: watchlist: entry 1", "\"A B\": contains a space"],
        ),
        (
            "watchlist = [\" AAPL\"]",
            &[
                "c.toml: watchlist",
                "\" AAPL\": contains a space at character 1",
            ],
        ),
        (
            "[[positions]]\nsymbol = \"BRK-B\"\nqty = 1\ncost = 1",
            &[
                "c.toml: positions.symbol",
                "'-' at character 4 is not allowed",
            ],
        ),
        ("watchlist = \"AAPL\"", &["c.toml", "watchlist", "sequence"]),
        ("[ui]\ntheme = \"../x\"", &["c.toml", "ui.theme"]),
        ("[api\nlisten=1", &["c.toml", "line 1"]),
    ];
    for (text, fragments) in cases {
        let err = parse(text, "c.toml").unwrap_err().to_string();
        for f in fragments {
            assert!(err.contains(f), "{text:?}: {err:?} lacks {f:?}");
        }
    }
}

#[test]
fn resilience_sections_reach_the_pure_configs() {
    let s = parse(
        "[alpaca]\nmessage_timeout_secs = 60\n[router]\nmax_consecutive_failures = 5\nprimary_recovery_grace_period_secs = 20\n[yahoo]\nbase_url = \"http://127.0.0.1:9/\"\nactive_interval_secs = 30\n[breakers]\nopen_wait_secs = 45\n[validation]\nbreaker_threshold_pct = 15\n",
        "c.toml",
    )
    .unwrap();
    let r = &s.resilience;
    assert_eq!(r.router.message_timeout_secs, 60);
    assert_eq!(r.router.max_consecutive_failures, 5);
    assert_eq!(r.router.primary_recovery_grace_period_secs, 20);
    assert_eq!(r.breaker.open_wait_secs, 45);
    assert_eq!(
        r.validation.breaker_threshold_pct,
        rust_decimal::Decimal::from(15)
    );
    let y = r.yahoo.as_ref().unwrap();
    assert_eq!(y.base_url, "http://127.0.0.1:9");
    assert_eq!(y.active_interval_secs, 30);
    let off = parse("[yahoo]\nenabled = false\n", "c.toml").unwrap();
    assert!(off.resilience.yahoo.is_none());
    let d = parse("", "c.toml").unwrap();
    assert_eq!(d.resilience.router.fallback_activation_delay_secs, 10);
    assert_eq!(d.resilience.router.primary_recovery_grace_period_secs, 10);
    assert_eq!(d.resilience.router.max_consecutive_failures, 3);
    assert_eq!(d.resilience.router.message_timeout_secs, 30);
}

#[test]
fn config_lots_read_exactly() {
    let s = parse(
        "[[positions]]\nsymbol = \"AAPL\"\nqty = 100\ncost = 185.20\nfees = 1.5\n[[positions]]\nsymbol = \"TSLA\"\nqty = -10\ncost = \"240.10\"\n[alpaca]\ntrading_url = \"http://127.0.0.1:9\"\n",
        "c.toml",
    )
    .unwrap();
    assert_eq!(s.lots.len(), 2);
    assert_eq!(s.lots[0].cost_per_share.to_string(), "185.2");
    assert_eq!(s.lots[0].fees.to_string(), "1.5");
    assert_eq!(s.lots[1].qty.to_string(), "-10");
    assert_eq!(s.lots[1].fees, rust_decimal::Decimal::ZERO);
    assert_eq!(s.trading_url.as_deref(), Some("http://127.0.0.1:9"));
    assert_eq!(s.trading_poll_secs, 15);
}

#[test]
fn unreadable_file_is_named() {
    let err = load(Some(Path::new("/nonexistent/tw.toml")))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("/nonexistent/tw.toml: cannot read config"),
        "{err}"
    );
}

#[test]
fn the_test_feed_defaults_to_fakepaca_and_warns_about_other_symbols() {
    let s = parse("[alpaca]\nfeed = \"test\"\n", "c.toml").unwrap();
    assert_eq!(s.watchlist, ["FAKEPACA"]);
    assert!(
        !s.watchlist_from_config,
        "the demo still shows its own symbols"
    );
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);

    let s = parse(
        "watchlist = [\"FAKEPACA\", \"AAPL\", \"MSFT\"]\n[alpaca]\nfeed = \"test\"\n",
        "c.toml",
    )
    .unwrap();
    assert_eq!(s.watchlist, ["FAKEPACA", "AAPL", "MSFT"], "kept as written");
    assert_eq!(s.warnings.len(), 1);
    for part in [
        "c.toml",
        "watchlist",
        "v2/test",
        "only FAKEPACA",
        "AAPL, MSFT",
    ] {
        assert!(s.warnings[0].contains(part), "{part}: {}", s.warnings[0]);
    }

    let s = parse(
        "watchlist = [\"FAKEPACA\"]\n[alpaca]\nfeed = \"test\"\n",
        "c.toml",
    )
    .unwrap();
    assert!(s.warnings.is_empty());
    let s = parse("watchlist = [\"AAPL\"]\n", "c.toml").unwrap();
    assert!(s.warnings.is_empty(), "other feeds carry every symbol");
    assert_eq!(load(None).unwrap().watchlist.len(), 12);
}

#[test]
fn keys_and_mouse() {
    use crate::outputs::ui::keymap::Context;
    use crate::outputs::ui::keyspec::KeySpec;
    let s = parse(
        "[ui]\nmouse = false\n[keys]\nfailover = \"F\"\nhelp = [\"?\", \"F1\"]\n",
        "c.toml",
    )
    .unwrap();
    assert!(!s.mouse);
    let f = crate::outputs::ui::actions::Action::Failover;
    assert_eq!(s.keymap.lookup(Context::Market, KeySpec::ch('F')), Some(f));
    assert_eq!(s.keymap.lookup(Context::Market, KeySpec::ch('f')), None);
    assert!(load(None).unwrap().mouse, "the mouse is on by default");
    // (file text, fragments the error must contain)
    let cases: [(&str, &[&str]); 4] = [
        (
            "[keys]\nfailovr = \"F\"",
            &["c.toml", "keys.failovr", "unknown action", "failover"],
        ),
        (
            "[keys]\nfailover = \"q\"",
            &["c.toml", "keys.failover", "\"q\" is already bound to quit"],
        ),
        (
            "[keys]\nfailover = \"Hyper-x\"",
            &["c.toml", "keys.failover", "is not a key"],
        ),
        (
            "[keys]\nsubmit = \"x\"",
            &["c.toml", "keys.submit", "types text"],
        ),
    ];
    for (text, want) in cases {
        let err = parse(text, "c.toml").unwrap_err().to_string();
        for w in want {
            assert!(err.contains(w), "{text:?}: {w:?} missing in {err:?}");
        }
    }
}
