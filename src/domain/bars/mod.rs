//! One-minute bars per symbol for the charts, in a bounded ring: what tapewatch
//! received (accepted trades aggregated by minute, Alpaca's `b`/`u` bars, Yahoo's
//! chart series) and what a backfill fetched. Pure: no clock, no I/O.
//!
//! # Memory
//! A [`MinuteBar`] is 80 bytes (four `Decimal` prices, the volume, the minute and
//! its source). A series keeps at most [`RING_MINUTES`] bars (960: 04:00 to 20:00
//! ET, pre-market, the regular session's 390 minutes and after hours), so a full
//! day costs [`BYTES_PER_SYMBOL`] = 76,800 bytes per symbol: 7.7 MB for 100 symbols.
//! The finished bars are a persistent vector (`imbl`, a tree of 64-bar chunks) that
//! published snapshots share. A change to them (about once a minute, when a bar
//! closes) copies only the chunk it touches (5 KB) and the path to it, never the
//! whole day, while trades in the newest minute only touch the small
//! [`BarSeries::forming`] bar. So the engine's copy and the newest snapshot's share
//! all but a chunk or two per symbol. Copying the whole 77 KB ring per close (the
//! first design) left the allocator holding about 40 MB of freed rings for 100
//! symbols.
//!
//! # Merging
//! Each minute keeps the best source it has heard from: an Alpaca bar (`b`, `u`,
//! or the REST backfill) replaces anything; trades build a bar unless Alpaca's own
//! bar for the minute is there; Yahoo's bars fill only minutes nobody else has
//! (they are drawn in another colour).

mod equity;
mod frames;
pub mod rest;
mod serde_impl;
#[cfg(test)]
mod tests;

pub use equity::{equity_curve, EquityPoint};
pub use frames::{aggregate, TimeFrame};

use crate::domain::types::Ts;
use imbl::Vector;
use rust_decimal::Decimal;
use std::collections::VecDeque;
use std::sync::Arc;

/// Bars kept per symbol: 16 hours of minutes.
pub const RING_MINUTES: usize = 960;
/// What one symbol's full ring costs.
pub const BYTES_PER_SYMBOL: usize = RING_MINUTES * std::mem::size_of::<MinuteBar>();
/// Validation marks kept per symbol (rejections and breaker trips).
pub const MARKERS_KEPT: usize = 32;

/// Where a bar came from, in rising order of trust.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BarSource {
    /// Yahoo's chart series (a fallback poll, a standby probe, or a backfill).
    Yahoo,
    /// Accepted Alpaca trades aggregated by tapewatch.
    Trades,
    /// Alpaca's own minute bar (`b`, `u`, or the REST bars endpoint).
    Alpaca,
}

/// One minute of prices. `minute` counts minutes since the Unix epoch (UTC).
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct MinuteBar {
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub close: Decimal,
    pub volume: i64,
    pub minute: i32,
    pub source: BarSource,
}

/// The minute a timestamp falls in; `None` outside the years an `i32` of minutes holds.
pub fn minute_of(t: Ts) -> Option<i32> {
    i32::try_from(t.as_nanos().div_euclid(60_000_000_000)).ok()
}

/// The start of a minute.
pub fn minute_start(minute: i32) -> Ts {
    Ts::from_secs(i64::from(minute) * 60)
}

impl MinuteBar {
    /// A bar of one trade.
    pub fn from_trade(minute: i32, price: Decimal, size: i64) -> MinuteBar {
        MinuteBar {
            open: price,
            high: price,
            low: price,
            close: price,
            volume: size.max(0),
            minute,
            source: BarSource::Trades,
        }
    }

    /// Prices above zero, a low that is the lowest and a high that is the highest.
    /// Bars that are not (a Yahoo series with a glitch) are never drawn.
    pub fn is_sane(&self) -> bool {
        let z = Decimal::ZERO;
        self.low > z
            && self.low <= self.open.min(self.close)
            && self.high >= self.open.max(self.close)
            && self.volume >= 0
    }

    fn add_trade(&mut self, price: Decimal, size: i64) {
        self.high = self.high.max(price);
        self.low = self.low.min(price);
        self.close = price;
        self.volume = self.volume.saturating_add(size.max(0));
    }
}

/// A validation mark on the time axis: a rejected message or a breaker trip.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub at: Ts,
    pub tripped: bool,
    pub reason: String,
}

/// One symbol's bars: finished minutes (shared, copied a chunk at a time on write) and
/// the newest one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BarSeries {
    closed: Vector<MinuteBar>,
    forming: Option<MinuteBar>,
    markers: Arc<VecDeque<Marker>>,
}

/// What to do with an update for a minute that already has a bar.
fn replaces(existing: BarSource, update: BarSource) -> bool {
    match update {
        BarSource::Alpaca => true,
        BarSource::Trades => false,
        BarSource::Yahoo => existing == BarSource::Yahoo,
    }
}

impl BarSeries {
    /// Bars oldest first, the forming one last.
    pub fn bars(&self) -> impl DoubleEndedIterator<Item = &MinuteBar> + '_ {
        self.closed.iter().chain(self.forming.iter())
    }

    /// The newest minute's bar, still changing.
    pub fn forming(&self) -> Option<&MinuteBar> {
        self.forming.as_ref()
    }

    pub fn len(&self) -> usize {
        self.closed.len() + usize::from(self.forming.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The newest minute held.
    pub fn last_minute(&self) -> Option<i32> {
        self.forming.map(|b| b.minute)
    }

    pub fn markers(&self) -> &VecDeque<Marker> {
        &self.markers
    }

    /// An accepted trade at `ts`.
    pub fn trade(&mut self, ts: Ts, price: Decimal, size: i64) {
        let Some(minute) = minute_of(ts) else { return };
        if let Some(f) = self.forming.as_mut().filter(|f| f.minute == minute) {
            match f.source {
                BarSource::Trades => f.add_trade(price, size),
                BarSource::Yahoo => *f = MinuteBar::from_trade(minute, price, size),
                BarSource::Alpaca => {}
            }
            return;
        }
        self.put(MinuteBar::from_trade(minute, price, size));
    }

    /// A whole bar (Alpaca's, Yahoo's or a backfill's) for its minute.
    pub fn bar(&mut self, bar: MinuteBar) {
        if !bar.is_sane() {
            return;
        }
        self.put(bar);
    }

    /// Many bars at once (a backfill, a Yahoo series): oldest first is cheapest.
    pub fn merge(&mut self, bars: impl IntoIterator<Item = MinuteBar>) {
        for b in bars {
            self.bar(b);
        }
    }

    /// Puts `bar` into its minute: a new newest minute, the forming one, or an
    /// older one (kept in order; too old for a full ring is dropped).
    fn put(&mut self, bar: MinuteBar) {
        let Some(f) = self.forming.as_mut() else {
            self.forming = Some(bar);
            return;
        };
        if bar.minute == f.minute {
            if bar.source == BarSource::Trades {
                // A trade for a minute that has a Yahoo bar: the trades take it over.
                if f.source == BarSource::Yahoo {
                    *f = bar;
                } else if f.source == BarSource::Trades {
                    f.add_trade(bar.close, bar.volume);
                }
            } else if replaces(f.source, bar.source) {
                *f = bar;
            }
            return;
        }
        if bar.minute > f.minute {
            let done = *f;
            self.forming = Some(bar);
            self.closed.push_back(done);
            self.trim();
            return;
        }
        let full = self.closed.len() + 1 >= RING_MINUTES;
        if full && self.closed.front().is_some_and(|b| bar.minute < b.minute) {
            return;
        }
        match self.closed.binary_search_by_key(&bar.minute, |b| b.minute) {
            Ok(i) => {
                let existing = self.closed[i];
                let next = match (existing.source, bar.source) {
                    (BarSource::Trades, BarSource::Trades) => {
                        let mut e = existing;
                        e.add_trade(bar.close, bar.volume);
                        e
                    }
                    (BarSource::Yahoo, BarSource::Trades) => bar,
                    (e, u) if replaces(e, u) => bar,
                    _ => return,
                };
                self.closed.set(i, next);
            }
            Err(i) => {
                self.closed.insert(i, bar);
                self.trim();
            }
        }
    }

    /// Keeps the closed bars plus the forming one within [`RING_MINUTES`].
    fn trim(&mut self) {
        while self.closed.len() >= RING_MINUTES {
            self.closed.pop_front();
        }
    }

    /// Marks a rejection or a breaker trip on the time axis (the newest
    /// [`MARKERS_KEPT`] are kept).
    pub fn mark(&mut self, marker: Marker) {
        let m = Arc::make_mut(&mut self.markers);
        if m.len() == MARKERS_KEPT {
            m.pop_front();
        }
        m.push_back(marker);
    }

    /// The highest high and lowest low from `since_minute` on.
    pub fn range_since(&self, since_minute: i32) -> Option<(Decimal, Decimal)> {
        self.bars()
            .filter(|b| b.minute >= since_minute)
            .fold(None, |acc, b| match acc {
                None => Some((b.high, b.low)),
                Some((h, l)) => Some((h.max(b.high), l.min(b.low))),
            })
    }

    /// Closes of the minutes from `since_minute` on, oldest first.
    pub fn closes_since(&self, since_minute: i32) -> impl Iterator<Item = (i32, Decimal)> + '_ {
        let start = match self.closed.binary_search_by(|b| {
            if b.minute < since_minute {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Greater
            }
        }) {
            Ok(i) | Err(i) => i,
        };
        self.closed
            .iter()
            .skip(start)
            .chain(
                self.forming
                    .iter()
                    .filter(move |b| b.minute >= since_minute),
            )
            .map(|b| (b.minute, b.close))
    }
}
