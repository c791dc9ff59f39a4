//! Loopback throughput, mock server → socket → engine, in JSON and msgpack.
//! A measurement, not a pass/fail timing: run it in release and read the figures:
//! `cargo test --release --test it throughput -- --ignored --nocapture`

use crate::support::mock_alpaca::{MockAlpaca, MockConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tapewatch::app::pipeline::{self, Setup};
use tapewatch::engine::snapshot::Mode;
use tapewatch::messages::LinkState;
use tapewatch::sources::alpaca::stream::{Encoding, StreamConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run in release with --ignored --nocapture"]
async fn loopback_messages_per_second() {
    let n: usize = std::env::var("TW_MSGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    for encoding in [Encoding::Json, Encoding::Msgpack] {
        let mock = MockAlpaca::start(MockConfig {
            reap_after: Duration::ZERO,
            ..MockConfig::default()
        })
        .await
        .unwrap();
        let cfg = StreamConfig {
            encoding,
            ..crate::support::stream_cfg::defaults(
                mock.url("iex"),
                &["AAPL", "MSFT", "NVDA", "TSLA", "SPY"],
            )
        };
        let mut r = pipeline::start_live(
            cfg,
            Setup::new(Mode::Live),
            pipeline::system_clock(),
            Arc::new(|_| true),
        );
        while r.snapshots.borrow_and_update().alpaca.state != LinkState::Subscribed {
            tokio::time::timeout(Duration::from_secs(10), r.snapshots.changed())
                .await
                .unwrap()
                .unwrap();
        }
        let t0 = Instant::now();
        mock.push_trades(n, 16);
        let (frames, msgs) = loop {
            let s = r.snapshots.borrow_and_update().clone();
            if s.counters.messages >= n as u64 {
                break (s.counters.frames, s.counters.messages);
            }
            tokio::time::timeout(Duration::from_secs(120), r.snapshots.changed())
                .await
                .unwrap()
                .unwrap();
        };
        let secs = t0.elapsed().as_secs_f64();
        println!(
            "{encoding:?}: {msgs} messages in {frames} frames, {secs:.2} s: {:.0} msgs/s, {:.0} frames/s",
            msgs as f64 / secs,
            frames as f64 / secs
        );
        r.cancel.cancel();
    }
}
