//! Criterion benches for the hot path: parse → apply → publish.
//!
//! * `parse/*`: the JSON frame parser on real-shaped frames, per message;
//!   `parse/msgpack_x8` is the same mixed frame as msgpack (binary frames).
//! * `apply/*`: applying parsed messages to the engine state.
//! * `conditions/*`: the sale-condition table lookup each trade goes through.
//! * `pipeline/replay`: a generated fixture replayed end to end through the replay
//!   thread, the feed channel and the engine task, at max speed.
//!
//! Run: `cargo bench --bench hot_path`. The 1M-message headless target is measured
//! with the binary itself; see README "Performance".

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use tapewatch::domain::types::{Symbol, Ts};
use tapewatch::domain::wire::msgpack::parse_msgpack_frame_into;

/// The tests' JSON→msgpack converter, shared by path (rmpv is a dev-dependency).
#[path = "../tests/it/support/mock_alpaca/msgpack_encode.rs"]
mod msgpack_encode;
use msgpack_encode::json_frame_to_msgpack;
use tapewatch::domain::wire::{parse_frame_into, ParseLimits};
use tapewatch::engine::snapshot::{Mode, Perf};
use tapewatch::engine::state::{Effects, EngineState, StateConfig};

const TRADE: &str = r#"{"T":"t","S":"AAPL","i":52983525029461,"x":"V","p":228.135,"s":100,"c":["@"],"t":"2026-11-17T15:00:01.493817234Z","z":"C"}"#;
const QUOTE: &str = r#"{"T":"q","S":"NVDA","bx":"V","bp":135.41,"bs":3,"ax":"V","ap":135.43,"as":2,"c":["R"],"z":"C","t":"2026-11-17T15:00:01.49381Z"}"#;
const BAR: &str = r#"{"T":"b","S":"SPY","o":590.11,"h":590.42,"l":589.97,"c":590.3,"v":49378,"t":"2026-11-17T15:00:00Z","n":461,"vw":590.2126}"#;

fn frame(parts: &[&str]) -> String {
    format!("[{}]", parts.join(","))
}

fn bench_parse(c: &mut Criterion) {
    let limits = ParseLimits::default();
    let mut g = c.benchmark_group("parse");
    let batch8 = frame(&[TRADE, QUOTE, TRADE, QUOTE, QUOTE, TRADE, QUOTE, BAR]);
    // 48 messages: more openers than the nesting limit, so the depth scan runs.
    let batch48 = frame(&[&[TRADE, QUOTE, TRADE, QUOTE, QUOTE, TRADE, QUOTE, BAR][..]; 6].concat());
    for (name, f, n) in [
        ("trade_x1", frame(&[TRADE]), 1u64),
        ("quote_x1", frame(&[QUOTE]), 1),
        ("mixed_x8", batch8, 8),
        ("mixed_x48", batch48, 48),
    ] {
        g.throughput(Throughput::Elements(n));
        let mut out = Vec::with_capacity(16);
        let mut issues = Vec::new();
        g.bench_with_input(BenchmarkId::from_parameter(name), &f, |b, f| {
            b.iter(|| {
                out.clear();
                parse_frame_into(black_box(f.as_bytes()), &limits, &mut out, &mut issues);
                black_box(out.len())
            })
        });
    }
    if let Ok(mp) = json_frame_to_msgpack(&frame(&[
        TRADE, QUOTE, TRADE, QUOTE, QUOTE, TRADE, QUOTE, BAR,
    ])) {
        g.throughput(Throughput::Elements(8));
        let mut out = Vec::with_capacity(16);
        let mut issues = Vec::new();
        g.bench_function("msgpack_x8", |b| {
            b.iter(|| {
                out.clear();
                parse_msgpack_frame_into(black_box(&mp), &limits, &mut out, &mut issues);
                black_box(out.len())
            })
        });
    }
    g.finish();
}

fn bench_apply(c: &mut Criterion) {
    let limits = ParseLimits::default();
    let f = frame(&[TRADE, QUOTE, TRADE, QUOTE, QUOTE, TRADE, QUOTE, BAR]);
    let mut msgs = Vec::new();
    let mut issues = Vec::new();
    parse_frame_into(f.as_bytes(), &limits, &mut msgs, &mut issues);
    let watch: Vec<Symbol> = ["AAPL", "NVDA", "SPY"]
        .iter()
        .map(|s| Symbol::new(s))
        .collect();
    let mut st = EngineState::new(StateConfig {
        mode: Mode::Replay,
        feed: "iex".into(),
        watchlist: watch,
        started_at: Ts::from_secs(1_790_000_000),
        replay_name: None,
        routing: Default::default(),
        validation: Default::default(),
    });
    let mut g = c.benchmark_group("apply");
    g.throughput(Throughput::Elements(msgs.len() as u64));
    let mut t = Ts::from_secs(1_790_000_000);
    g.bench_function("mixed_x8", |b| {
        b.iter(|| {
            t = t.plus_millis(1);
            let mut fx = Effects::default();
            st.apply_frame(t, black_box(&msgs), &issues, &mut fx);
            black_box(fx.events.len())
        })
    });
    g.finish();
    black_box(st.snapshot(0, Perf::default(), Vec::new()));
}

/// The per-trade condition evaluation alone (issue 18 budget: < 30 ns per trade), on
/// the shapes real tapes send: regular sales, odd lots, sweeps, Form T, unknown codes.
fn bench_conditions(c: &mut Criterion) {
    use tapewatch::domain::conditions::evaluate;
    let prints: [(&str, &str); 8] = [
        ("C", "@"),
        ("C", "@,I"),
        ("A", " ,F"),
        ("B", "@,T"),
        ("C", "@,F,I"),
        ("A", "@"),
        ("C", ""),
        ("B", "@,J"),
    ];
    let mut g = c.benchmark_group("conditions");
    g.throughput(Throughput::Elements(prints.len() as u64));
    g.bench_function("evaluate_x8", |b| {
        b.iter(|| {
            let mut acc = 0u8;
            for (tape, conds) in black_box(&prints) {
                acc ^= evaluate(tape, conds).flags;
            }
            black_box(acc)
        })
    });
    g.finish();
}

fn bench_pipeline(c: &mut Criterion) {
    let messages = 100_000usize;
    let dir = std::env::temp_dir().join(format!("tapewatch-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("bench.jsonl");
    {
        let Ok(file) = std::fs::File::create(&path) else {
            return;
        };
        let mut w = std::io::BufWriter::new(file);
        if tapewatch::sources::fixture::gen::bench(messages, &mut w).is_err() {
            return;
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build();
    let Ok(rt) = rt else { return };
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    g.throughput(Throughput::Elements(messages as u64));
    g.bench_function("replay_100k", |b| {
        b.iter(|| {
            rt.block_on(tapewatch::app::pipeline::replay_headless(&path))
                .map(|s| s.counters.messages)
        })
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(
    benches,
    bench_parse,
    bench_apply,
    bench_conditions,
    bench_pipeline
);
criterion_main!(benches);
