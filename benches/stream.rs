//! Criterion bench for `/api/stream`: what one frame costs the hub, and a remote
//! screen, with 100 symbols each holding a full day of one-minute bars (960, the
//! ring's size) and a trade in every symbol's forming minute since the frame before.
//! The hub runs at most 10 frames a second, so 10 × `hub_frame` is its share of a
//! core while clients are attached.
//!
//! Run: `cargo bench --bench stream`.

// A bench that cannot set up should stop right there.
#![allow(clippy::unwrap_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use rust_decimal::Decimal;
use std::sync::Arc;
use tapewatch::domain::types::Symbol;
use tapewatch::engine::doc::{Decoder, Encoder, Whole};
use tapewatch::engine::snapshot::{Mode, Snapshot};

#[path = "support/full_day.rs"]
mod full_day;

const SYMBOLS: usize = 100;

fn snapshot() -> Snapshot {
    let symbols: Vec<Symbol> = (0..SYMBOLS)
        .map(|i| Symbol::from(format!("SYM{i:03}")))
        .collect();
    let mut snap = full_day::snapshot(symbols, Mode::Live, None);
    for v in &mut snap.watchlist {
        v.trades = 1_920;
    }
    snap
}

/// The next frame's snapshot: a trade in every symbol's forming minute.
fn next(prev: &Snapshot, i: i64) -> Snapshot {
    let mut s = prev.clone();
    s.seq += 1;
    s.now = s.now.plus_millis(100);
    s.counters.messages += 100;
    for v in &mut s.watchlist {
        let p = v.price.unwrap() + Decimal::new(i % 3 - 1, 2);
        v.bars.trade(s.now, p, 10);
        v.price = Some(p);
        v.trades += 1;
        v.volume += 10;
        v.as_of = Some(s.now);
    }
    s
}

fn bench_stream(c: &mut Criterion) {
    let first = Arc::new(snapshot());
    let mut g = c.benchmark_group("stream_100x960");
    g.sample_size(20);

    // The hub: diff against the frame before and write the patch message.
    g.bench_function("hub_frame", |b| {
        let mut enc = Encoder::default();
        enc.next(first.clone()).unwrap();
        let mut snap = (*first).clone();
        let mut i = 0;
        b.iter(|| {
            i += 1;
            snap = next(&snap, i);
            let e = enc.next(Arc::new(snap.clone())).unwrap();
            serde_json::to_string(&e.patch.unwrap()).unwrap().len()
        })
    });

    // A whole message, for a client that has just attached.
    let enc = Encoder::default().next(first.clone()).unwrap();
    let whole = serde_json::to_string(&Whole {
        main: &enc.main,
        snap: &enc.snap,
    })
    .unwrap();
    println!("whole message: {:.1} MB", whole.len() as f64 / 1e6);
    g.bench_function("hub_whole", |b| {
        b.iter(|| {
            serde_json::to_string(&Whole {
                main: &enc.main,
                snap: &enc.snap,
            })
            .unwrap()
            .len()
        })
    });

    // A remote screen: read the whole message, then apply a patch and decode.
    g.bench_function("client_whole", |b| {
        b.iter(|| {
            let doc: serde_json::Value = serde_json::from_str(&whole).unwrap();
            Decoder::default().decode(&doc, None).unwrap().seq
        })
    });
    let mut e = Encoder::default();
    e.next(first.clone()).unwrap();
    let second = next(&first, 1);
    let patch = e.next(Arc::new(second)).unwrap().patch.unwrap();
    let patch_text = serde_json::to_string(&patch).unwrap();
    println!(
        "patch for one frame: {} operations, {:.1} KB",
        patch.0.len(),
        patch_text.len() as f64 / 1e3
    );
    let base: serde_json::Value = serde_json::from_str(&whole).unwrap();
    let mut dec = Decoder::default();
    dec.decode(&base, None).unwrap();
    g.bench_function("client_patch", |b| {
        b.iter_batched(
            || base.clone(),
            |mut doc| {
                let ops: json_patch::Patch = serde_json::from_str(&patch_text).unwrap();
                json_patch::patch(&mut doc, &ops).unwrap();
                dec.decode(&doc, Some(&ops.0)).unwrap().seq
            },
            criterion::BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench_stream);
criterion_main!(benches);
