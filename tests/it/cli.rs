//! The binary from the outside: help text, config errors, fixture errors, the API
//! bind rule, and the headless replay's event lines and summary.

use assert_cmd::Command;
use std::path::Path;

/// A command with every XDG directory pointed into `dir`, no Alpaca credentials, and
/// the API on an ephemeral port, so tests never touch the user's files or collide.
pub(crate) fn tapewatch(dir: &Path) -> Command {
    tapewatch_on(dir, "127.0.0.1:0")
}

/// [`tapewatch`] with the API on `listen`.
fn tapewatch_on(dir: &Path, listen: &str) -> Command {
    let mut c = Command::cargo_bin("tapewatch").unwrap();
    c.env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env_remove("APCA_API_KEY_ID")
        .env_remove("APCA_API_SECRET_KEY")
        .env_remove("TAPEWATCH_LOG")
        .args(["--listen", listen])
        .timeout(std::time::Duration::from_secs(60));
    c
}

/// Runs to a usage error (exit 2) and returns its message, after checking that the
/// message names `names` and says its cause once: `{:#}` prints an error's sources
/// after it, so a cause both in the message and in the source chain shows twice.
pub(crate) fn usage_error(cmd: &mut Command, names: &[&str], cause: &str) -> String {
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "{err}");
    for n in names {
        assert!(err.contains(n), "no {n:?} in {err}");
    }
    assert_eq!(err.matches(cause).count(), 1, "{cause:?} once in {err}");
    err
}

fn lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect()
}

#[test]
fn help_explains_every_flag() {
    let out = Command::cargo_bin("tapewatch")
        .unwrap()
        .arg("--help")
        .env("APCA_API_SECRET_KEY", "HELP-SECRET-VALUE")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--no-ui",
        "--replay",
        "--speed",
        "--config",
        "--db",
        "--listen",
        "--hold",
        "--theme",
        "--key-id",
        "--secret-key",
        "--stream-url",
        "--trading-url",
    ] {
        assert!(text.contains(flag), "--help lacks {flag}:\n{text}");
    }
    // The SDKs' variables are declared on their flags, and a set secret is not shown.
    for var in [
        "[env: APCA_API_KEY_ID",
        "[env: APCA_API_SECRET_KEY",
        "[env: APCA_API_STREAM_URL",
        "[env: APCA_API_BASE_URL",
    ] {
        assert!(text.contains(var), "--help lacks {var}:\n{text}");
    }
    assert!(!text.contains("HELP-SECRET-VALUE"), "{text}");
}

#[test]
fn bad_config_names_file_key_and_expectation() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[api]\nlisten = \"everywhere\"\n").unwrap();
    let out = tapewatch(dir.path())
        .args(["--no-ui", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("api.listen") && err.contains("socket address"),
        "{err}"
    );

    std::fs::write(&cfg, "[alpaca]\nfeeed = \"iex\"\n").unwrap();
    let out = tapewatch(dir.path())
        .args(["--no-ui", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("feeed") && err.contains("expected one of"),
        "{err}"
    );
}

#[test]
fn missing_fixture_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = tapewatch(dir.path())
        .args(["--no-ui", "--replay", "/nonexistent/f.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/f.jsonl"));
}

#[test]
fn public_listen_without_token_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = tapewatch(dir.path())
        .args(["--no-ui", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--listen 0.0.0.0:0") && err.contains("api.token"),
        "{err}"
    );
}

#[test]
fn headless_replay_prints_events_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let out = tapewatch(dir.path())
        .args(["--no-ui", "--replay", "tests/data/mini.jsonl", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = lines(&out.stdout);
    assert!(lines[0]["listening"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:"));
    let events: Vec<&serde_json::Value> = lines.iter().filter_map(|l| l.get("event")).collect();
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for k in [
        "connection",
        "subscription",
        "unknown_type",
        "parse_error",
        "replay",
    ] {
        assert!(kinds.contains(&k), "no {k} event in {kinds:?}");
    }
    let s = &lines.last().unwrap()["summary"];
    assert_eq!(s["fixture"], "mini");
    assert_eq!(s["frames"], 5);
    assert_eq!(s["messages"], 1);
    assert_eq!(s["by_type"]["t"], 1);
    assert_eq!(s["by_type"]["success"], 2);
    assert_eq!(s["parse_errors"], 1);
    assert_eq!(s["unknown_types"], 1);
    assert_eq!(s["fixture_errors"], 2);
    for k in ["p50", "p99", "p999", "max"] {
        assert!(s["latency_us"][k].is_u64(), "latency_us.{k} in {s}");
    }
    assert!(s["elapsed_ms"].is_u64() && s["msgs_per_sec"].is_number());

    // The same events were persisted.
    let store = tapewatch::outputs::store::Store::open(&db).unwrap();
    let stored = store.recent_events(100).unwrap();
    assert_eq!(stored.len(), events.len());
    assert!(stored.iter().any(|e| e.kind == "parse_error"));
}

#[test]
fn demo_runs_headless_without_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let out = tapewatch(dir.path()).arg("--no-ui").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = lines(&out.stdout);
    let s = &lines.last().unwrap()["summary"];
    assert_eq!(s["fixture"], "demo");
    assert!(s["messages"].as_u64().unwrap() > 10_000, "{s}");
    // The database went to the XDG data directory, with the router's transitions.
    let db = dir.path().join("data/tapewatch/tapewatch.db");
    let store = tapewatch::outputs::store::Store::open(&db).unwrap();
    let moves: Vec<String> = store
        .transitions()
        .unwrap()
        .into_iter()
        .map(|(_, from, to, _)| format!("{from}→{to}"))
        .collect();
    assert_eq!(
        moves,
        [
            "PRIMARY_ACTIVE→FALLBACK_ACTIVE",
            "FALLBACK_ACTIVE→PRIMARY_RECOVERING",
            "PRIMARY_RECOVERING→PRIMARY_ACTIVE"
        ]
    );
    // The headless lines carry the runbook's log wording for the on-call grep.
    let texts: Vec<String> = lines
        .iter()
        .filter_map(|l| l["event"]["message"].as_str().map(str::to_string))
        .collect();
    assert!(texts
        .iter()
        .any(|t| t.contains("State transition: PRIMARY_ACTIVE → FALLBACK_ACTIVE")));
    assert!(texts.iter().any(|t| t.starts_with("Validation failed: ")));
}

#[test]
fn a_taken_port_says_the_os_error_once() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    usage_error(
        tapewatch_on(dir.path(), &addr).arg("--no-ui"),
        &[&format!("--listen {addr}")],
        "os error",
    );
}

#[test]
fn a_missing_replay_file_says_the_os_error_once() {
    let dir = tempfile::tempdir().unwrap();
    usage_error(
        tapewatch(dir.path()).args(["--no-ui", "--replay", "/nonexistent/f.jsonl"]),
        &["/nonexistent/f.jsonl"],
        "os error",
    );
}

#[test]
fn a_db_that_cannot_be_opened_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    // A directory is no database file.
    let as_dir = dir.path().join("a-directory");
    std::fs::create_dir(&as_dir).unwrap();
    let shown = as_dir.display().to_string();
    usage_error(
        tapewatch(dir.path())
            .arg("--no-ui")
            .arg("--db")
            .arg(&as_dir),
        &["--db", &shown],
        "unable to open database file",
    );
    // Its directory cannot be made: a plain file is in the way.
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "not a directory").unwrap();
    let under = file.join("t.db");
    let shown = under.display().to_string();
    usage_error(
        tapewatch(dir.path()).arg("--no-ui").arg("--db").arg(&under),
        &["--db", &shown],
        "os error",
    );
}

#[test]
fn an_existing_record_file_says_the_os_error_once() {
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("session.jsonl");
    std::fs::write(&existing, "keep me\n").unwrap();
    let shown = existing.display().to_string();
    // Credentials make it a live run, but it stops before connecting anywhere: the
    // addresses are on loopback's discard port all the same.
    usage_error(
        tapewatch(dir.path())
            .env("APCA_API_KEY_ID", "MOCKKEY")
            .env("APCA_API_SECRET_KEY", "MOCKSECRET")
            .env("APCA_API_STREAM_URL", "ws://127.0.0.1:9")
            .env("APCA_API_BASE_URL", "http://127.0.0.1:9")
            .env("APCA_API_DATA_URL", "http://127.0.0.1:9")
            .arg("--no-ui")
            .arg("--db")
            .arg(dir.path().join("t.db"))
            .arg("--record")
            .arg(&existing),
        &[&format!("--record {shown}")],
        "os error",
    );
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me\n");
}

/// An exported but empty SDK variable counts as not set, as the SDKs treat it: the
/// run is a replay (no credentials), not an error about an empty flag.
#[test]
fn empty_sdk_variables_count_as_not_set() {
    let dir = tempfile::tempdir().unwrap();
    let out = tapewatch(dir.path())
        .env("APCA_API_KEY_ID", "")
        .env("APCA_API_SECRET_KEY", "")
        .env("APCA_API_STREAM_URL", "")
        .env("APCA_API_BASE_URL", "")
        .args(["--no-ui", "--replay", "tests/data/mini.jsonl", "--db"])
        .arg(dir.path().join("t.db"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(lines(&out.stdout)
        .iter()
        .any(|l| l.get("summary").is_some()));
}
