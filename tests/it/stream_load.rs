//! What `/api/stream`'s clients cost the engine: the live ingest rate (mock server →
//! loopback WebSocket → engine, 100 symbols) with no client attached and with 20 (16
//! reading every frame, 4 stalled: connected, never reading), alternating, in one
//! process on the machine's two cores. A measurement, not a pass/fail timing: run it
//! in release and read the figures:
//! `cargo test --release --test it stream_load -- --ignored --nocapture`
//! (`TW_MSGS`, default 1,000,000 messages a run; `TW_ROUNDS`, default 3).

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
    frames: u64,
    bytes: u64,
}

async fn one_run(n: usize, clients: usize) -> Run {
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
    let mut held = Vec::new();
    for i in 0..clients {
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
        tokio::spawn(async move {
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
        });
    }
    let (t0, cpu0) = (Instant::now(), cpu_secs());
    mock.push_trades(n, 16);
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
    stop.cancel();
    drop(held);
    r.cancel.cancel();
    Run {
        msgs_per_sec: n as f64 / secs,
        cpu_us_per_msg: cpu * 1e6 / n as f64,
        frames: frames.load(Ordering::Relaxed),
        bytes: bytes.load(Ordering::Relaxed),
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
    let (mut none, mut twenty) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        for clients in [0, 20] {
            let run = one_run(n, clients).await;
            println!(
                "round {round}, {clients:2} clients: {:.0} msgs/s, {:.2} µs CPU per message, {} frames ({:.1} MB) to the reading clients",
                run.msgs_per_sec,
                run.cpu_us_per_msg,
                run.frames,
                run.bytes as f64 / 1e6
            );
            if clients == 0 {
                none.push(run.msgs_per_sec);
            } else {
                twenty.push(run.msgs_per_sec);
            }
        }
    }
    let (a, b) = (median(none), median(twenty));
    println!(
        "median: {a:.0} msgs/s with none, {b:.0} with 20 clients: {:+.1}%",
        (b / a - 1.0) * 100.0
    );
}
