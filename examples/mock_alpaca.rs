//! Dev binary: runs the test suite's mock Alpaca stream server on a fixed local port
//! so tapewatch (or wscat) can be pointed at it by hand. Every subscribed session
//! gets generated trades and quotes each second.
//!
//! ```text
//! cargo run --example mock_alpaca -- [PORT] [MESSAGES_PER_SEC]
//! cargo run --release --example mock_alpaca -- PORT blast MESSAGES BATCH [json|msgpack]
//! ```
//! `blast` sends MESSAGES trades in frames of BATCH, as fast as the socket takes them,
//! to the first session that subscribes, then exits once it has gone: the loopback
//! throughput measurement (`scripts/loopback-bench`).
//! Credentials: MOCK_ALPACA_KEY / MOCK_ALPACA_SECRET, else the MockConfig defaults.

#[allow(dead_code, unused_imports)]
#[path = "../tests/it/support/mock_alpaca.rs"]
mod mock_alpaca;

use mock_alpaca::{MockAlpaca, MockConfig, FEEDS};
use std::net::SocketAddr;
use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = match args.next() {
        Some(p) => p.parse().map_err(|e| anyhow::anyhow!("PORT {p:?}: {e}"))?,
        None => 8765,
    };
    let rest: Vec<String> = args.collect();
    if let [mode, n, batch, encoding @ ..] = rest.as_slice() {
        if mode == "blast" {
            let msgpack = encoding.first().is_some_and(|e| e == "msgpack");
            let n: usize = n
                .parse()
                .map_err(|e| anyhow::anyhow!("MESSAGES {n:?}: {e}"))?;
            let batch: usize = batch
                .parse()
                .map_err(|e| anyhow::anyhow!("BATCH {batch:?}: {e}"))?;
            return blast(port, n, batch, msgpack).await;
        }
    }
    let mut args = rest.into_iter();
    let rate: usize = match args.next() {
        Some(r) => r
            .parse()
            .map_err(|e| anyhow::anyhow!("MESSAGES_PER_SEC {r:?}: {e}"))?,
        None => 20,
    };
    let mut cfg = MockConfig::default();
    if let Ok(key) = std::env::var("MOCK_ALPACA_KEY") {
        cfg.key = key;
    }
    if let Ok(secret) = std::env::var("MOCK_ALPACA_SECRET") {
        cfg.secret = secret;
    }
    let key = cfg.key.clone();
    let mock = MockAlpaca::start_on(cfg, SocketAddr::from(([127, 0, 0, 1], port))).await?;
    for feed in FEEDS {
        println!("{}", mock.url(feed));
    }
    println!("key {key} (secret from MOCK_ALPACA_SECRET or the default); Ctrl-C stops");

    // Every 10 ms rather than once a second: a steady rate, not one burst a second
    // (the latency measurement, `scripts/live-latency`, needs it steady).
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    let mut owed = 0usize;
    loop {
        tokio::select! {
            _ = tick.tick() => {
                owed += rate;
                let now = owed / 100;
                owed %= 100;
                if now > 0 {
                    mock.push_trades(now, now.clamp(1, 10));
                }
            }
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    println!(
        "served {} connections, {} pings",
        mock.connections_accepted(),
        mock.pings_received()
    );
    Ok(())
}

async fn blast(port: u16, n: usize, batch: usize, msgpack: bool) -> anyhow::Result<()> {
    // Ready before the port opens: a client waiting through the preparation would
    // time the stream out.
    let frames = MockAlpaca::prepare(&prepared_frames(n, batch.max(1)), msgpack);
    let mock = MockAlpaca::start_on(
        MockConfig::default(),
        SocketAddr::from(([127, 0, 0, 1], port)),
    )
    .await?;
    while mock.subscription_of_last_session().is_none() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    mock.push_prepared(&frames);
    while mock.live_sessions() > 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// `n` trades and quotes (half each) for the five symbols `scripts/loopback-bench`
/// watches, stamped from now on, in frames of `batch`: built before the clock starts,
/// so the measurement is of the client, not of this generator.
fn prepared_frames(n: usize, batch: usize) -> Vec<String> {
    const SYMBOLS: [&str; 5] = ["AAPL", "MSFT", "NVDA", "TSLA", "SPY"];
    let start = chrono::Utc::now();
    let mut frames = Vec::with_capacity(n / batch + 1);
    let mut frame = String::new();
    for k in 0..n {
        let sym = SYMBOLS[k % SYMBOLS.len()];
        let cents = 10_000 + (k % 97) as i64;
        let t = (start + chrono::Duration::nanoseconds(k as i64)).format("%Y-%m-%dT%H:%M:%S%.9fZ");
        frame.push(if frame.is_empty() { '[' } else { ',' });
        if k % 2 == 0 {
            frame.push_str(&format!(
                r#"{{"T":"t","S":"{sym}","i":{k},"x":"V","p":{}.{:02},"s":100,"c":["@"],"t":"{t}","z":"C"}}"#,
                cents / 100,
                cents % 100
            ));
        } else {
            frame.push_str(&format!(
                r#"{{"T":"q","S":"{sym}","bx":"V","bp":{}.{:02},"bs":3,"ax":"V","ap":{}.{:02},"as":2,"c":["R"],"z":"C","t":"{t}"}}"#,
                cents / 100,
                cents % 100,
                (cents + 2) / 100,
                (cents + 2) % 100
            ));
        }
        if (k + 1) % batch == 0 || k + 1 == n {
            frame.push(']');
            frames.push(std::mem::take(&mut frame));
        }
    }
    frames
}
