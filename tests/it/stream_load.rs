//! What `/api/stream`'s clients cost the engine: the live ingest rate (mock server →
//! loopback WebSocket → engine, 100 symbols) with no client attached and with 20 (16
//! reading every frame, 4 stalled: connected, never reading), alternating, in one
//! process on the machine's two cores (the clients on a thread and runtime of their
//! own, as another process would be). A measurement, not a pass/fail timing: run it
//! in release and read the figures:
//! `cargo test --release --test it stream_load -- --ignored --nocapture`
//! (`TW_MSGS`, default 1,000,000 messages a run; `TW_ROUNDS`, default 3; `TW_PACED`,
//! e.g. 100000, offers that many messages a second instead of all at once).

use crate::support::mock_alpaca::{MockAlpaca, MockConfig};
use futures_util::StreamExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tapewatch::app::pipeline::{self, Setup};
use tapewatch::engine::snapshot::Mode;
use tapewatch::messages::LinkState;
use tapewatch::outputs::api::{self, stream::StreamHub, ApiState};
use tokio_util::sync::CancellationToken;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// This process's CPU time so far (user + system), from `/proc/self/stat`.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after ")".
    (ticks(11) + ticks(12)) / 100.0
}

struct Run {
    msgs_per_sec: f64,
    cpu_us_per_msg: f64,
    /// Of one core: 200 is both.
    cpu_pct: f64,
    /// Receipt of a frame to the snapshot that shows it, 99th percentile.
    p99_us: u64,
    frames: u64,
    bytes: u64,
}

async fn one_run(n: usize, clients: usize, paced: Option<usize>) -> Run {
    let mock = MockAlpaca::start(MockConfig {
        reap_after: Duration::ZERO,
        symbol_limit: 1_000,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let names: Vec<String> = (0..100).map(|i| format!("S{i:03}")).collect();
    let symbols: Vec<&str> = names.iter().map(String::as_str).collect();
    let cfg = crate::support::stream_cfg::defaults(mock.url("iex"), &symbols);
    let mut r = pipeline::start_live(
        cfg,
        Setup::new(Mode::Live),
        pipeline::system_clock(),
        Arc::new(|_| true),
    );
    tokio::time::timeout(
        Duration::from_secs(10),
        r.snapshots
            .wait_for(|s| s.alpaca.state == LinkState::Subscribed),
    )
    .await
    .expect("subscribed within 10 s")
    .unwrap();
    let api_state = ApiState {
        snapshots: r.snapshots.clone(),
        commands: r.commands.clone(),
        meters: r.meters.clone(),
        token: None,
        exporter: None,
    };
    let stop = CancellationToken::new();
    let hub = StreamHub::start(r.snapshots.clone(), 32, stop.child_token());
    let app = api::stream::router(&api_state, hub).merge(api::router(api_state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(api::serve(listener, app, stop.child_token()));
    let frames = Arc::new(AtomicU64::new(0));
    let bytes = Arc::new(AtomicU64::new(0));
    // The clients run on their own thread and runtime, as another process would: on
    // the same two cores, but not on the server's runtime.
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let client_thread = {
        let (frames, bytes, stop) = (frames.clone(), bytes.clone(), stop.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(clients_run(addr, clients, frames, bytes, stop, ready_tx));
        })
    };
    tokio::task::spawn_blocking(move || ready_rx.recv())
        .await
        .unwrap()
        .unwrap();
    let (t0, cpu0) = (Instant::now(), cpu_secs());
    match paced {
        // 10,000 messages every 100 ms: 100k msgs/s offered, whatever the engine takes.
        Some(per_sec) => {
            let chunk = per_sec / 10;
            for k in 0..n.div_ceil(chunk) {
                mock.push_trades(chunk.min(n - k * chunk), 16);
                let due = t0 + Duration::from_millis(100 * (k as u64 + 1));
                tokio::time::sleep_until(due.into()).await;
            }
        }
        None => mock.push_trades(n, 16),
    }
    loop {
        if r.snapshots.borrow_and_update().counters.messages >= n as u64 {
            break;
        }
        tokio::time::timeout(Duration::from_secs(120), r.snapshots.changed())
            .await
            .unwrap()
            .unwrap();
    }
    let (secs, cpu) = (t0.elapsed().as_secs_f64(), cpu_secs() - cpu0);
    let p99_us = r.snapshots.borrow().perf.latency_us.p99;
    stop.cancel();
    tokio::task::spawn_blocking(move || client_thread.join())
        .await
        .unwrap()
        .unwrap();
    r.cancel.cancel();
    Run {
        msgs_per_sec: n as f64 / secs,
        cpu_us_per_msg: cpu * 1e6 / n as f64,
        cpu_pct: cpu * 100.0 / secs,
        p99_us,
        frames: frames.load(Ordering::Relaxed),
        bytes: bytes.load(Ordering::Relaxed),
    }
}

/// `n` clients: every fifth connected but never reading, the others reading every
/// frame. `ready` once all have their first frame; they end with `stop`.
async fn clients_run(
    addr: std::net::SocketAddr,
    n: usize,
    frames: Arc<AtomicU64>,
    bytes: Arc<AtomicU64>,
    stop: CancellationToken,
    ready: std::sync::mpsc::Sender<()>,
) {
    let mut held = Vec::new();
    let mut readers = Vec::new();
    for i in 0..n {
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/api/stream"))
            .await
            .unwrap();
        // The first frame, so every client is attached before the clock starts.
        ws.next().await.unwrap().unwrap();
        if i % 5 == 4 {
            held.push(ws);
            continue;
        }
        let (frames, bytes, stop) = (frames.clone(), bytes.clone(), stop.clone());
        readers.push(tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = stop.cancelled() => return,
                    m = ws.next() => match m {
                        Some(Ok(m)) => {
                            frames.fetch_add(1, Ordering::Relaxed);
                            bytes.fetch_add(m.len() as u64, Ordering::Relaxed);
                        }
                        _ => return,
                    },
                }
            }
        }));
    }
    let _ = ready.send(());
    stop.cancelled().await;
    drop(held);
    for r in readers {
        let _ = r.await;
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run in release with --ignored --nocapture"]
async fn stream_clients_cost_the_ingest_rate() {
    let n = env("TW_MSGS", 1_000_000);
    let rounds = env("TW_ROUNDS", 3);
    // TW_PACED=100000: offer that many messages a second instead of all at once.
    let paced = std::env::var("TW_PACED").ok().and_then(|v| v.parse().ok());
    // TW_CLIENTS: how many attach in the second run of each round (default 20).
    let attached = env("TW_CLIENTS", 20);
    let mut by_clients: [Vec<Run>; 2] = [Vec::new(), Vec::new()];
    for round in 1..=rounds {
        for (i, clients) in [0, attached].into_iter().enumerate() {
            let run = one_run(n, clients, paced).await;
            println!(
                "round {round}, {clients:2} clients: {:.0} msgs/s, CPU {:.0}% of a core, {:.2} µs per message, p99 {} µs, {} frames ({:.1} MB) to the reading clients",
                run.msgs_per_sec,
                run.cpu_pct,
                run.cpu_us_per_msg,
                run.p99_us,
                run.frames,
                run.bytes as f64 / 1e6
            );
            by_clients[i].push(run);
        }
    }
    let med = |i: usize, f: fn(&Run) -> f64| median(by_clients[i].iter().map(f).collect());
    let (rate0, rate20) = (med(0, |r| r.msgs_per_sec), med(1, |r| r.msgs_per_sec));
    let (cpu0, cpu20) = (med(0, |r| r.cpu_us_per_msg), med(1, |r| r.cpu_us_per_msg));
    let (p0, p20) = (med(0, |r| r.p99_us as f64), med(1, |r| r.p99_us as f64));
    println!(
        "median: {rate0:.0} msgs/s with none, {rate20:.0} with {attached} clients ({:+.1}%); CPU {cpu0:.2} vs {cpu20:.2} µs per message ({:+.1}%); p99 {p0:.0} vs {p20:.0} µs",
        (rate20 / rate0 - 1.0) * 100.0,
        (cpu20 / cpu0 - 1.0) * 100.0
    );
}
