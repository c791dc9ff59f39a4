//! The watchlist's sparklines: the last 30 minutes of one-minute closes, one cell a
//! minute, drawn with ratatui's `Sparkline`. A minute without a bar carries the
//! close before it; minutes before the first known price are left empty.

use super::super::theme::{Role, Theme};
use crate::domain::bars::{minute_of, BarSeries};
use crate::domain::types::Ts;
use crate::engine::snapshot::SymbolView;
use ratatui::layout::Rect;
use ratatui::widgets::Sparkline;
use ratatui::Frame;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// Bar heights run 1..=8 (a flat line still shows), 0 is never used.
const LEVELS: u64 = 8;

/// The close at or before each of the `n` minutes ending with `end_minute`.
pub fn minute_closes(series: &BarSeries, end_minute: i32, n: usize) -> Vec<Option<Decimal>> {
    let n_i32 = i32::try_from(n).unwrap_or(i32::MAX);
    let start = end_minute.saturating_sub(n_i32 - 1);
    let mut carry = series
        .bars()
        .rev()
        .find(|b| b.minute < start)
        .map(|b| b.close);
    let mut it = series.closes_since(start).peekable();
    let mut out = Vec::with_capacity(n);
    for k in 0..n_i32 {
        let m = start + k;
        while let Some(&(bm, close)) = it.peek() {
            if bm > m {
                break;
            }
            carry = Some(close);
            it.next();
        }
        out.push(carry);
    }
    out
}

/// Closes scaled to bar heights between the window's low and high.
pub fn levels(closes: &[Option<Decimal>]) -> Vec<Option<u64>> {
    let known = closes.iter().flatten();
    let (Some(lo), Some(hi)) = (known.clone().min(), known.max()) else {
        return vec![None; closes.len()];
    };
    let span = *hi - *lo;
    closes
        .iter()
        .map(|c| {
            let c = (*c)?;
            if span.is_zero() {
                return Some(LEVELS / 2);
            }
            // Display only: the height of a bar, not a price.
            let scaled = (c - *lo) * Decimal::from(LEVELS - 1) / span;
            Some(scaled.round().to_u64().unwrap_or(0) + 1)
        })
        .collect()
}

/// One row's sparkline in `area` (one cell a minute, ending at `now`'s minute).
pub fn draw_row(frame: &mut Frame, area: Rect, v: &SymbolView, now: Ts, theme: &Theme) {
    if area.is_empty() {
        return;
    }
    let Some(end) = minute_of(now) else { return };
    let closes = minute_closes(&v.bars, end, usize::from(area.width));
    let known: Vec<Decimal> = closes.iter().flatten().copied().collect();
    let role = match (known.first(), known.last()) {
        (Some(a), Some(b)) if b > a => Role::Up,
        (Some(a), Some(b)) if b < a => Role::Down,
        _ => Role::Muted,
    };
    let spark = Sparkline::default()
        .data(levels(&closes))
        .max(LEVELS)
        .style(theme.style(role));
    frame.render_widget(spark, area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::bars::{minute_start, BarSource, MinuteBar};

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn series(points: &[(i32, &str)]) -> BarSeries {
        let mut s = BarSeries::default();
        for (m, c) in points {
            s.bar(MinuteBar {
                open: d(c),
                high: d(c),
                low: d(c),
                close: d(c),
                volume: 1,
                minute: *m,
                source: BarSource::Alpaca,
            });
        }
        s
    }

    #[test]
    fn closes_carry_forward_and_scale_to_eight_levels() {
        let s = series(&[(98, "9"), (101, "10"), (103, "12"), (104, "11")]);
        let closes = minute_closes(&s, 104, 5);
        let want: Vec<Option<Decimal>> = ["9", "10", "10", "12", "11"]
            .iter()
            .map(|c| Some(d(c)))
            .collect();
        assert_eq!(closes, want, "minute 100 carries 98's close");
        assert_eq!(
            levels(&closes),
            vec![Some(1), Some(3), Some(3), Some(8), Some(6)]
        );
        // Nothing before the window: those minutes stay empty; a flat line is mid-height.
        let s = series(&[(103, "5"), (104, "5")]);
        assert_eq!(
            levels(&minute_closes(&s, 104, 3)),
            vec![None, Some(4), Some(4)]
        );
        assert_eq!(minute_start(1).as_millis(), 60_000);
    }
}
