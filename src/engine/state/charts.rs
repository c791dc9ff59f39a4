//! The charts' side of the engine state: Yahoo's chart series and the REST backfill
//! go into each symbol's bar ring (trades and Alpaca's own bars go in on the hot
//! path, in `ingest`), and backfill requests go out when a symbol starts being
//! watched. Pure, like the rest of the state.

use super::{Effects, EngineState};
use crate::domain::bars::{minute_of, BarSource, MinuteBar};
use crate::domain::chart::LastBar;
use crate::domain::event::{Event, EventKind, Level};
use crate::domain::types::Source;
use crate::messages::rest::BarsBackfill;

/// Yahoo's minutes as bars (a minute without open, high or low takes its close).
pub(super) fn yahoo_bars(series: &[LastBar]) -> impl Iterator<Item = MinuteBar> + '_ {
    series.iter().filter_map(|b| {
        Some(MinuteBar {
            open: b.open.unwrap_or(b.close),
            high: b.high.unwrap_or(b.close),
            low: b.low.unwrap_or(b.close),
            close: b.close,
            volume: b.volume.unwrap_or(0),
            minute: minute_of(b.ts)?,
            source: BarSource::Yahoo,
        })
    })
}

impl EngineState {
    /// Today's bars fetched for a symbol (Alpaca's REST bars endpoint).
    pub fn apply_backfill(&mut self, b: BarsBackfill, fx: &mut Effects) {
        self.advance(b.at);
        self.on_time(fx);
        let Some(&i) = self.index.get(&b.symbol) else {
            return;
        };
        match b.result {
            Ok(bars) => {
                let n = bars.len();
                self.watchlist[i].bars.merge(bars);
                let ev = Event::new(
                    self.now,
                    Level::Info,
                    EventKind::Connection,
                    format!("Backfilled {n} one-minute bars from Alpaca"),
                )
                .with_source(Source::Alpaca)
                .with_symbol(b.symbol);
                self.emit(fx, ev);
            }
            Err(why) => {
                let ev = Event::new(
                    self.now,
                    Level::Warn,
                    EventKind::Connection,
                    format!("Bars backfill failed (the chart starts empty): {why}"),
                )
                .with_source(Source::Alpaca)
                .with_symbol(b.symbol);
                self.emit(fx, ev);
            }
        }
    }
}
