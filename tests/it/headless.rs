//! The headless binary as a real child process, the way scripts and service managers
//! end it: SIGINT or SIGTERM during a replay prints a partial summary and exits 130
//! or 143; a live run prints a final summary on SIGTERM; a reader that goes away
//! (`tapewatch --no-ui | head`) ends the run quietly with exit 0.
//!
//! Every child is killed when its guard drops and every wait has a deadline, so a
//! misbehaving binary fails the test instead of hanging it.

use crate::support::mock_alpaca::{MockAlpaca, MockConfig};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// Long enough for a debug build to start on a loaded machine.
const START_WITHIN: Duration = Duration::from_secs(30);
/// A signalled run must have written its summary and exited by then.
const EXIT_WITHIN: Duration = Duration::from_secs(30);

/// The child, killed (and reaped) if the test ends before it does.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `tapewatch --no-ui` with its XDG directories in `dir`, a database there, the API
/// on an ephemeral loopback port and no Alpaca credentials unless the test adds them.
fn tapewatch(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tapewatch"));
    c.env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env_remove("APCA_API_KEY_ID")
        .env_remove("APCA_API_SECRET_KEY")
        .env_remove("APCA_API_STREAM_URL")
        .env_remove("APCA_API_BASE_URL")
        .env_remove("TAPEWATCH_LOG")
        .args(["--no-ui", "--listen", "127.0.0.1:0", "--db"])
        .arg(dir.join("t.db"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Starts the child; its stdout lines arrive on the receiver, its stderr is
/// collected by a thread (so a chatty child never blocks on a full pipe).
fn spawn(mut cmd: Command) -> (Guard, Receiver<String>, std::thread::JoinHandle<String>) {
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    (Guard(child), rx, err)
}

/// Collects lines until one satisfies `pred`; fails the test after `within`.
fn until_line(
    rx: &Receiver<String>,
    within: Duration,
    what: &str,
    pred: impl Fn(&serde_json::Value) -> bool,
) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                let v: serde_json::Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not JSON: {line:?}: {e}"));
                let done = pred(&v);
                seen.push(v);
                if done {
                    return seen;
                }
            }
            Err(_) => panic!("no {what} line within {within:?}; saw {seen:?}"),
        }
    }
}

/// The rest of stdout once the child has closed it.
fn rest(rx: &Receiver<String>) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    while let Ok(line) = rx.recv_timeout(EXIT_WITHIN) {
        out.push(serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line:?}: {e}")));
    }
    out
}

fn wait_exit(g: &mut Guard, within: Duration) -> ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = g.0.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the child did not exit within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends `sig` ("INT", "TERM") with kill(1): our own child's pid, which is not
/// reaped until the guard drops.
fn send_signal(g: &Guard, sig: &str) {
    let pid = g.0.id().to_string();
    let status = std::process::Command::new("kill")
        .args(["-s", sig, &pid])
        .status()
        .unwrap();
    assert!(status.success(), "kill -s {sig} {pid} failed");
}

fn is_subscription(v: &serde_json::Value) -> bool {
    v["event"]["kind"] == "subscription"
}

/// The demo at real time takes ten minutes: a signal lands mid-replay.
fn interrupted_replay(sig: &str, code: i32) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = tapewatch(dir.path());
    cmd.args(["--speed", "1"]);
    let (mut child, rx, stderr) = spawn(cmd);
    let head = until_line(&rx, START_WITHIN, "listening", |v| {
        v["listening"].is_string()
    });
    assert_eq!(head.len(), 1, "the first line says where the API listens");
    until_line(&rx, START_WITHIN, "subscription event", is_subscription);
    send_signal(&child, sig);
    let status = wait_exit(&mut child, EXIT_WITHIN);
    let tail = rest(&rx);
    let err = stderr.join().unwrap();
    assert_eq!(status.code(), Some(code), "{status:?}; stderr: {err}");
    assert_eq!(err, "", "a signal is not an error");
    let last = tail.last().unwrap_or_else(|| panic!("no summary line"));
    let s = &last["summary"];
    assert_eq!(s["partial"], true, "{last}");
    assert_eq!(s["fixture"], "demo", "{last}");
    assert!(s["frames"].as_u64().unwrap() > 0, "{last}");
    assert!(
        s["messages"].as_u64().unwrap() < 16_651,
        "a partial replay has not seen every message: {last}"
    );
}

#[test]
fn sigint_during_a_headless_replay_prints_a_partial_summary_and_exits_130() {
    interrupted_replay("INT", 130);
}

#[test]
fn sigterm_during_a_headless_replay_prints_a_partial_summary_and_exits_143() {
    interrupted_replay("TERM", 143);
}

#[test]
fn a_finished_headless_replay_says_it_is_not_partial() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = tapewatch(dir.path());
    cmd.args(["--replay", "tests/data/mini.jsonl"]);
    let (mut child, rx, stderr) = spawn(cmd);
    let status = wait_exit(&mut child, START_WITHIN);
    let lines = rest(&rx);
    assert!(status.success(), "{status:?}: {}", stderr.join().unwrap());
    let last = lines.last().unwrap();
    assert_eq!(last["summary"]["partial"], false, "{last}");
}

/// `tapewatch --no-ui | head -1`: the reader takes the first line and goes away
/// while the replay still has events to print. The run ends there, quietly.
#[test]
fn a_closed_stdout_ends_a_headless_run_quietly_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    // 30x: the demo's ten minutes take 20 s, and its next events come after 5 s,
    // long after the reader is gone.
    let mut cmd = tapewatch(dir.path());
    cmd.args(["--speed", "30"]);
    let mut child = cmd.spawn().unwrap();
    let stdout: ChildStdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut child = Guard(child);
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let mut reader = BufReader::new(stdout);
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(first.contains("listening"), "{first}");
    drop(reader);
    // Well before the replay's own end: the closed pipe ended it.
    let status = wait_exit(&mut child, Duration::from_secs(15));
    let err = err.join().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}; stderr: {err}");
    assert_eq!(err, "", "a reader going away is not an error");
    assert!(started.elapsed() < Duration::from_secs(15));
    // The database writer drained: the events of the run so far are stored.
    let store = tapewatch::outputs::store::Store::open(&dir.path().join("t.db")).unwrap();
    let stored = store.recent_events(100).unwrap();
    assert!(
        stored
            .iter()
            .any(|e| e.message.contains("Successfully connected")),
        "{stored:?}"
    );
}

/// A live headless run (a service) ends on SIGTERM with a final summary and exit 0:
/// for a live run a signal is the normal way to stop, not an interruption.
#[test]
fn sigterm_ends_a_live_headless_run_with_a_final_summary() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mock = rt
        .block_on(MockAlpaca::start(MockConfig::default()))
        .unwrap();
    // The Trading API on a loopback port nobody listens on: refused, never the internet.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let trading = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "watchlist = [\"AAPL\"]\n[yahoo]\nenabled = false\n").unwrap();
    let mut cmd = tapewatch(dir.path());
    cmd.env("APCA_API_KEY_ID", "MOCKKEY")
        .env("APCA_API_SECRET_KEY", "MOCKSECRET")
        .env("APCA_API_STREAM_URL", format!("ws://{}", mock.addr()))
        .env("APCA_API_BASE_URL", &trading)
        // The condition lists too: refused on loopback, never the internet.
        .env("APCA_API_DATA_URL", &trading)
        .arg("--config")
        .arg(&cfg);
    let (mut child, rx, stderr) = spawn(cmd);
    until_line(&rx, START_WITHIN, "listening", |v| {
        v["listening"].is_string()
    });
    until_line(&rx, START_WITHIN, "subscription event", is_subscription);
    mock.push_trades(5, 5);
    send_signal(&child, "TERM");
    let status = wait_exit(&mut child, EXIT_WITHIN);
    let tail = rest(&rx);
    let err = stderr.join().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}; stderr: {err}");
    assert_eq!(err, "");
    let last = tail.last().unwrap_or_else(|| panic!("no summary line"));
    let s = &last["summary"];
    assert_eq!(s["partial"], false, "{last}");
    assert_eq!(s["fixture"], serde_json::Value::Null, "{last}");
    assert!(s["frames"].as_u64().unwrap() >= 3, "{last}");
    mock.shutdown();
}
