//! The attach URL's forms, each command's route, and the API's answers read back
//! as the engine's decisions.

use super::commands::{post_for, reply_of};
use super::*;
use crate::domain::alerts::Actor;
use crate::messages::command::{Command, FailoverAction, Outcome};
use crate::messages::replay::ReplayAction;

#[test]
fn every_url_form_names_the_stream_and_the_api() {
    let table = [
        (
            "http://10.0.0.5:5002",
            "ws://10.0.0.5:5002/api/stream",
            "http://10.0.0.5:5002",
            "10.0.0.5:5002",
        ),
        (
            "ws://box:5002/",
            "ws://box:5002/api/stream",
            "http://box:5002",
            "box:5002",
        ),
        (
            "https://ops.example.com/tapewatch/",
            "wss://ops.example.com/tapewatch/api/stream",
            "https://ops.example.com/tapewatch",
            "ops.example.com:443",
        ),
        (
            "wss://ops.example.com:8443/api/stream",
            "wss://ops.example.com:8443/api/stream",
            "https://ops.example.com:8443",
            "ops.example.com:8443",
        ),
    ];
    for (url, stream, api, host) in table {
        let t = Target::parse(url).unwrap();
        assert_eq!(
            (t.stream_url.as_str(), t.api_base.as_str(), t.host.as_str()),
            (stream, api, host),
            "{url}"
        );
        assert_eq!(t.tls, url.starts_with("https") || url.starts_with("wss"));
    }
    let bad = [
        ("ftp://x", "ftp:// is not one of"),
        ("localhost:5002", "is not one of"),
        ("not a url", "not a URL"),
    ];
    for (url, want) in bad {
        let e = Target::parse(url).unwrap_err().to_string();
        assert!(e.contains(want), "{url}: {e}");
    }
}

#[test]
fn each_command_has_its_route_and_quit_stays_here() {
    let table: Vec<(Command, &str)> = vec![
        (Command::ReconnectAlpaca, "/api/health/alpaca/reconnect"),
        (
            Command::Failover(FailoverAction::Toggle),
            "/api/health/failover?action=toggle",
        ),
        (
            Command::ResetBreaker("yahoo_http".into()),
            "/api/breakers/yahoo%5Fhttp/reset",
        ),
        (
            Command::ResetSymbolBreaker("BTC/USD".into()),
            "/api/validation/BTC%2FUSD/reset",
        ),
        (
            Command::AckAlert {
                id: "H1".into(),
                actor: Actor::Tui,
            },
            "/api/alerts/H1/ack",
        ),
        (
            Command::SnoozeAlert {
                id: "H1".into(),
                minutes: 30,
                actor: Actor::Tui,
            },
            "/api/alerts/H1/snooze?minutes=30",
        ),
        (
            Command::Replay(ReplayAction::TogglePause),
            "/api/replay/pause",
        ),
        (
            Command::Replay(ReplayAction::SetSpeed(Some(6))),
            "/api/replay/speed/20",
        ),
        (
            Command::Replay(ReplayAction::SetSpeed(None)),
            "/api/replay/speed/max",
        ),
    ];
    for (cmd, path) in table {
        assert_eq!(post_for(&cmd).unwrap().path, path, "{cmd:?}");
    }
    let wl = post_for(&Command::ChangeWatchlist {
        add: vec!["NFLX".into()],
        remove: vec![],
    })
    .unwrap();
    assert_eq!(
        wl.body,
        Some(serde_json::json!({"add": ["NFLX"], "remove": []}))
    );
    assert!(post_for(&Command::Quit).is_none());
}

#[test]
fn answers_read_back_as_the_engines_decisions() {
    let h = "box:5002";
    let table = [
        (
            200,
            r#"{"status":"force","message":"Forced failover"}"#,
            Outcome::Done,
            "box:5002: Forced failover",
        ),
        (
            202,
            r#"{"status":"reconnecting","message":"Reconnecting"}"#,
            Outcome::Accepted,
            "box:5002: Reconnecting",
        ),
        (
            404,
            r#"{"status":"not_found","error":"no alert X"}"#,
            Outcome::NotFound,
            "box:5002 refused (404): no alert X",
        ),
        (
            409,
            r#"{"status":"refused","error":"already in fallback"}"#,
            Outcome::Refused,
            "box:5002 refused (409): already in fallback",
        ),
        (
            503,
            r#"{"status":"unavailable","error":"channel full"}"#,
            Outcome::Busy,
            "box:5002 refused (503): channel full",
        ),
        (
            401,
            r#"{"error":"missing or wrong bearer token"}"#,
            Outcome::Refused,
            "box:5002: 401: the server refused the token",
        ),
        (
            502,
            "<html>bad gateway</html>",
            Outcome::Refused,
            "box:5002 answered HTTP 502",
        ),
    ];
    for (status, body, outcome, message) in table {
        let r = reply_of(status, body, h);
        assert_eq!(
            (r.outcome, r.message.as_str()),
            (outcome, message),
            "{status}"
        );
    }
}

#[test]
fn a_refusal_names_where_the_token_came_from() {
    let t = Target::parse("http://box:5002").unwrap();
    let token = Token {
        secret: std::sync::Arc::new(secrecy::SecretString::from("s3cret")),
        from: "--token-file /etc/tw.token".into(),
    };
    let msg = refusal(401, Some(&token), &t).unwrap();
    assert_eq!(
        msg,
        "401: the server refused the token (--token-file /etc/tw.token)"
    );
    assert!(!msg.contains("s3cret"));
    assert!(refusal(401, None, &t).unwrap().contains("TAPEWATCH_TOKEN"));
    assert!(refusal(503, None, &t).is_none());
}
