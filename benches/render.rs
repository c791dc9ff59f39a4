//! Criterion bench for the screen: one 200×60 frame of the Market page with 50
//! symbols (a full day of one-minute bars each, so every row has its 30-minute
//! sparkline) and the selected symbol's chart, and the symbol view with candles.
//! The target is under 2 ms a frame.
//!
//! Run: `cargo bench --bench render`.

// A bench that cannot set up should stop right there.
#![allow(clippy::unwrap_used)]

use criterion::{criterion_group, criterion_main, Criterion};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use rust_decimal::Decimal;
use tapewatch::domain::bars::{minute_start, RING_MINUTES};
use tapewatch::domain::types::{Source, Symbol, Ts};
use tapewatch::engine::snapshot::{Mode, Perf, Snapshot};
use tapewatch::engine::state::{EngineState, StateConfig};
use tapewatch::outputs::ui::{draw, on_key, Theme, UiState};
use tapewatch::plumbing::channels::Meters;

/// 2026-11-17 09:00 UTC (04:00 in New York), in minutes since the epoch.
const DAY_START_MINUTE: i32 = 29_915_460;

/// 50 symbols, each with a full ring of bars (a random-ish walk), a price, a
/// previous close and a quote.
fn snapshot() -> Snapshot {
    let symbols: Vec<Symbol> = (0..50)
        .map(|i| Symbol::from(format!("SYM{i:02}")))
        .collect();
    let start = minute_start(DAY_START_MINUTE);
    let st = EngineState::new(StateConfig {
        mode: Mode::Demo,
        feed: "iex".into(),
        watchlist: symbols,
        started_at: start,
        replay_name: Some("bench".into()),
        routing: Default::default(),
        validation: Default::default(),
    });
    let mut snap = st.snapshot(1, Perf::default(), Meters::default().stats());
    let minutes = i32::try_from(RING_MINUTES).unwrap();
    let now: Ts = minute_start(DAY_START_MINUTE + minutes - 1).plus_millis(30_000);
    snap.now = now;
    for (k, v) in snap.watchlist.iter_mut().enumerate() {
        let base = Decimal::from(50 + 7 * k as i64);
        let mut p = base;
        for m in 0..minutes {
            // A deterministic wiggle: a cent step up or down by minute and symbol.
            let step = if (m * 7 + k as i32 * 3) % 5 < 2 {
                -1
            } else {
                1
            };
            p += Decimal::new(step, 2);
            let t = minute_start(DAY_START_MINUTE + m);
            v.bars.trade(t.plus_millis(1_000), p, 100);
            v.bars
                .trade(t.plus_millis(30_000), p + Decimal::new(2, 2), 50);
        }
        v.price = Some(p);
        v.prev_close = Some(base);
        v.source = Some(Source::Alpaca);
        v.as_of = Some(now.plus_millis(-800));
        v.bid = Some(p - Decimal::new(1, 2));
        v.ask = Some(p + Decimal::new(1, 2));
        v.volume = 1_234_567;
    }
    snap
}

fn bench_render(c: &mut Criterion) {
    let snap = snapshot();
    let theme = Theme::embedded_default();
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let market = UiState {
        selected: 7,
        ..UiState::default()
    };
    let mut g = c.benchmark_group("render");
    g.bench_function("market_200x60_50_symbols_with_chart", |b| {
        b.iter(|| {
            terminal.draw(|f| draw(f, &snap, &market, &theme)).unwrap();
        })
    });
    let mut symbol_view = market.clone();
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    on_key(&mut symbol_view, key(KeyCode::Enter), &snap);
    on_key(&mut symbol_view, key(KeyCode::Char('c')), &snap);
    g.bench_function("symbol_view_200x60_candles", |b| {
        b.iter(|| {
            terminal
                .draw(|f| draw(f, &snap, &symbol_view, &theme))
                .unwrap();
        })
    });
    g.finish();
}

criterion_group!(benches, bench_render);
criterion_main!(benches);
