//! `/metrics` through the real app: the demo replayed headless with the API held open,
//! scraped over HTTP, and linted by `promtool check metrics` (installed by
//! `scripts/install-test-deps`; CI sets TAPEWATCH_REQUIRE_PROMTOOL=1 so it cannot skip).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn scrape(addr: &str, path: &str) -> (String, String) {
    http_get::blocking_get(addr, path, Instant::now() + Duration::from_secs(30))
}

mod http_get {
    //! A tiny blocking GET over std's TcpStream: the test needs no HTTP client crate.
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    pub fn blocking_get(addr: &str, path: &str, deadline: Instant) -> (String, String) {
        loop {
            if let Ok(mut s) = TcpStream::connect(addr) {
                s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                write!(
                    s,
                    "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
                )
                .unwrap();
                let mut raw = String::new();
                s.read_to_string(&mut raw).unwrap();
                let (head, body) = raw.split_once("\r\n\r\n").unwrap();
                return (head.to_string(), body.to_string());
            }
            assert!(Instant::now() < deadline, "API never came up on {addr}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn metrics_endpoint_has_the_runbook_series_and_passes_promtool() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tapewatch"))
        .args([
            "--no-ui",
            "--replay",
            "fixtures/demo.jsonl",
            "--speed",
            "max",
            "--hold",
        ])
        .args(["--listen", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("t.db"))
        .env("XDG_STATE_HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The first line says where the API listens. Read it on a thread so a silent
    // child cannot hang the test.
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
            if let Some(l) = v["listening"].as_str() {
                let _ = tx.send(l.trim_start_matches("http://").to_string());
            }
        }
    });
    let addr = match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(a) => a,
        Err(_) => {
            let _ = child.kill();
            panic!("no listening line within 30 s");
        }
    };
    // With --hold the API stays up after the replay; scrape until the replay is done.
    let deadline = Instant::now() + Duration::from_secs(60);
    let (head, body) = loop {
        let (head, body) = scrape(&addr, "/api/metrics");
        if body.contains("alpaca_messages_total{type=\"t\"} 7425") || Instant::now() > deadline {
            break (head, body);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let (_, body2) = scrape(&addr, "/metrics");
    let _ = child.kill();
    let _ = child.wait();
    assert!(head.contains("200 OK"), "{head}");
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");
    assert!(!body2.is_empty());
    for series in [
        "alpaca_message_latency_seconds_bucket{le=",
        "alpaca_messages_total{type=\"t\"} 7425",
        "tapewatch_validation_failures_total{rule=\"price_positive\"} 1",
        "tapewatch_validation_unsubscribed_in_flight_total 0",
        "tapewatch_router_state{state=\"PRIMARY_ACTIVE\"} 1",
        "tapewatch_failovers_total 1",
        "tapewatch_circuit_breaker_state{breaker=\"yahoo_http\",state=\"CLOSED\"} 1",
        "tapewatch_upstream_requests_total{upstream=\"yahoo_http\",outcome=\"ok\"} 48",
        "alpaca_message_rate_per_second",
        "tapewatch_build_info{",
    ] {
        assert!(body.contains(series), "missing {series}");
    }
    let promtool = Command::new("promtool").arg("--version").output();
    if promtool.is_err() {
        assert!(
            std::env::var_os("TAPEWATCH_REQUIRE_PROMTOOL").is_none(),
            "promtool is required here: run scripts/install-test-deps"
        );
        eprintln!(
            "promtool not installed; skipping the lint (scripts/install-test-deps installs it)"
        );
        return;
    }
    let mut lint = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    lint.stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = lint.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
