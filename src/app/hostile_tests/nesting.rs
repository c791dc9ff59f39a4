//! Input nested 100,000 levels deep, at every parser that reads outside input: each
//! refuses it with a reason instead of overflowing the stack (which aborts the
//! whole process, beyond any `catch_unwind`).

use crate::domain::wire::ParseLimits;

const LEVELS: usize = 100_000;

fn arrays() -> String {
    format!("{}{}", "[".repeat(LEVELS), "]".repeat(LEVELS))
}

fn objects() -> String {
    format!("{}1{}", r#"{"a":"#.repeat(LEVELS), "}".repeat(LEVELS))
}

#[test]
fn alpaca_frames_json_and_msgpack() {
    for text in [
        arrays(),
        objects(),
        format!(r#"[{{"T":"t","S":"AAPL","zz":{}}}]"#, arrays()),
        format!(r#"[{{"T":"t","S":"AAPL","p":{}}}]"#, objects()),
    ] {
        let p = crate::domain::wire::parse_frame(text.as_bytes(), &ParseLimits::default());
        assert!(p.msgs.is_empty());
        let why = p
            .issues
            .first()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(why.contains("nested deeper than 16 levels"), "{why}");
    }
    // msgpack: fixarray of one element, 100,000 times; then a map nested the same way.
    let mut arr = vec![0x91u8; LEVELS];
    arr.push(0xc0);
    let mut map = Vec::new();
    for _ in 0..LEVELS {
        map.extend_from_slice(&[0x81, 0xa1, b'a']);
    }
    map.push(0xc0);
    for bytes in [arr, map] {
        let p = crate::domain::wire::msgpack::parse_msgpack_frame(&bytes, &ParseLimits::default());
        assert!(p.msgs.is_empty() && !p.issues.is_empty(), "{p:?}");
    }
}

#[test]
fn fixture_lines_and_headers() {
    for line in [
        format!(r#"{{"t_ms":1,"src":"alpaca","ws":{}}}"#, arrays()),
        format!(
            r#"{{"t_ms":1,"src":"alpaca","zz":{},"ws":"[]"}}"#,
            objects()
        ),
    ] {
        let why = crate::sources::fixture::parse_record(&line)
            .err()
            .unwrap_or_default();
        assert!(why.contains("nested deeper than 16 levels"), "{why}");
    }
    let header = format!(r#"{{"tapewatch_fixture":1,"zz":{}}}"#, arrays());
    let err = crate::sources::fixture::reader::FixtureReader::from_bytes(
        "deep.jsonl",
        header.into_bytes(),
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(
        err.contains("deep.jsonl:1: not a tapewatch fixture header"),
        "{err}"
    );
}

#[test]
fn yahoo_and_trading_api_bodies() {
    use crate::sources::alpaca::rest::{decode_account, decode_clock, decode_positions};
    for body in [arrays(), objects()] {
        let e = crate::domain::chart::parse_chart(200, &body).unwrap_err();
        assert!(
            e.to_string().contains("nested deeper than 32 levels"),
            "{e}"
        );
        for why in [
            decode_account(&body).err(),
            decode_positions(&body).err(),
            decode_clock(&body).err(),
        ] {
            let why = why.unwrap_or_default();
            assert!(why.contains("nested deeper than 32 levels"), "{why}");
        }
    }
}

/// TOML's parser stops at its own depth limit (80); the error still names the file.
#[test]
fn config_and_theme_files() {
    let deep_array = format!("watchlist = {}", arrays());
    let deep_table = format!(
        "watchlist = {}1{}",
        "{a=".repeat(LEVELS),
        "}".repeat(LEVELS)
    );
    for text in [deep_array, deep_table] {
        let e = crate::app::config::parse(&text, "deep.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("deep.toml"), "{e}");
        let base = crate::outputs::ui::theme::Theme::embedded_default();
        let e = crate::outputs::ui::theme::parse_theme(
            "deep",
            "deep.toml",
            &text.replace("watchlist", "[colors]\ntext"),
            &base,
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(e.contains("deep.toml"), "{e}");
    }
}

/// The API's JSON bodies (axum's `Json`, serde_json with its 128-level limit) answer
/// 400 or 422, and the server goes on answering.
#[tokio::test]
async fn api_json_bodies() {
    use crate::engine::snapshot::{Mode, Perf};
    use crate::engine::state::{EngineState, StateConfig};
    use crate::outputs::api::{router, ApiState};
    use crate::plumbing::channels::Meters;
    use axum::body::Body;
    use axum::http::Request;
    use std::sync::Arc;
    use tower::ServiceExt;

    let st = EngineState::new(StateConfig {
        mode: Mode::Demo,
        feed: "iex".into(),
        watchlist: vec!["AAPL".into()],
        started_at: crate::domain::types::Ts::from_secs(1_790_000_000),
        replay_name: None,
        routing: Default::default(),
        validation: Default::default(),
    });
    let (_snap_tx, snapshots) = tokio::sync::watch::channel(Arc::new(st.snapshot(
        1,
        Perf::default(),
        Meters::default().stats(),
    )));
    let (commands, _cmd_rx) = tokio::sync::mpsc::channel(4);
    let app = router(ApiState {
        snapshots,
        commands,
        meters: Meters::default(),
        token: None,
        exporter: None,
    });
    for body in [arrays(), objects(), format!(r#"{{"add":{}}}"#, arrays())] {
        let resp = app
            .clone()
            .oneshot(
                Request::post("/api/watchlist")
                    .header("content-type", "application/json")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert!(resp.status().is_client_error(), "{}", resp.status());
    }
    let resp = app
        .oneshot(Request::get("/health").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
}
