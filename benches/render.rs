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
use tapewatch::domain::types::Symbol;
use tapewatch::engine::snapshot::{Mode, Snapshot};
use tapewatch::outputs::ui::{draw, on_key, Theme, UiState};

#[path = "support/full_day.rs"]
mod full_day;

/// 50 symbols, each with a full ring of bars, a price, a previous close and a quote.
fn snapshot() -> Snapshot {
    let symbols: Vec<Symbol> = (0..50)
        .map(|i| Symbol::from(format!("SYM{i:02}")))
        .collect();
    let mut snap = full_day::snapshot(symbols, Mode::Demo, Some("bench".into()));
    for v in &mut snap.watchlist {
        let p = v.price.unwrap();
        v.bid = Some(p - Decimal::new(1, 2));
        v.ask = Some(p + Decimal::new(1, 2));
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
