//! The benches' shared fixture: a snapshot whose every symbol holds a full ring of
//! one-minute bars (a deterministic walk), a price, a previous close and an age,
//! as the screen and the snapshot stream see them late in a long day.

use rust_decimal::Decimal;
use tapewatch::domain::bars::{minute_start, RING_MINUTES};
use tapewatch::domain::types::{Source, Symbol, Ts};
use tapewatch::engine::snapshot::{Mode, Perf, Snapshot};
use tapewatch::engine::state::{EngineState, StateConfig};
use tapewatch::plumbing::channels::Meters;

/// 2026-11-17 09:00 UTC (04:00 in New York), in minutes since the epoch.
const DAY_START_MINUTE: i32 = 29_915_460;

/// `symbols`, each with a full ring of bars; `now` is half a minute into the last.
pub fn snapshot(symbols: Vec<Symbol>, mode: Mode, replay_name: Option<String>) -> Snapshot {
    let st = EngineState::new(StateConfig {
        mode,
        feed: "iex".into(),
        watchlist: symbols,
        started_at: minute_start(DAY_START_MINUTE),
        replay_name,
        routing: Default::default(),
        validation: Default::default(),
    });
    let mut snap = st.snapshot(1, Perf::default(), Meters::default().stats());
    let minutes = i32::try_from(RING_MINUTES).unwrap_or(i32::MAX);
    let now: Ts = minute_start(DAY_START_MINUTE + minutes - 1).plus_millis(30_000);
    snap.now = now;
    for (k, v) in snap.watchlist.iter_mut().enumerate() {
        let base = Decimal::from(50 + 7 * k as i64);
        let mut p = base;
        for m in 0..minutes {
            // A cent up or down by minute and symbol.
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
        v.volume = 1_234_567;
    }
    snap
}
