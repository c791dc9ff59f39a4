//! The portfolio's equity through the day, from the bars: each minute, every
//! position marked to its symbol's last close at or before that minute. Pure.
//!
//! This is today's holdings marked through the day (what the current portfolio was
//! worth minute by minute), not a record of past trades. A minute is only drawn
//! once every position has a price, so the curve never leaves a position out.

use super::BarSeries;
use rust_decimal::Decimal;

/// Equity at the close of one minute.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct EquityPoint {
    pub minute: i32,
    pub equity: Decimal,
}

/// `holdings`: (quantity, the symbol's bars) per position, shorts negative; `cash`
/// is added to every point (zero for config lots). Minutes before the last position
/// gets its first price are left out.
pub fn equity_curve(holdings: &[(Decimal, &BarSeries)], cash: Decimal) -> Vec<EquityPoint> {
    if holdings.is_empty() {
        return Vec::new();
    }
    let mut minutes: Vec<i32> = holdings
        .iter()
        .flat_map(|(_, s)| s.bars().map(|b| b.minute))
        .collect();
    minutes.sort_unstable();
    minutes.dedup();
    // One cursor per position over its bars (both sorted by minute).
    let series: Vec<Vec<(i32, Decimal)>> = holdings
        .iter()
        .map(|(_, s)| s.bars().map(|b| (b.minute, b.close)).collect())
        .collect();
    let mut cursor = vec![0usize; holdings.len()];
    let mut last: Vec<Option<Decimal>> = vec![None; holdings.len()];
    let mut out = Vec::with_capacity(minutes.len());
    for m in minutes {
        for (i, bars) in series.iter().enumerate() {
            while let Some(&(bm, close)) = bars.get(cursor[i]) {
                if bm > m {
                    break;
                }
                last[i] = Some(close);
                cursor[i] += 1;
            }
        }
        let mut equity = cash;
        let mut complete = true;
        for ((qty, _), price) in holdings.iter().zip(&last) {
            match price {
                Some(p) => equity = equity.saturating_add(qty.saturating_mul(*p)),
                None => complete = false,
            }
        }
        if complete {
            out.push(EquityPoint { minute: m, equity });
        }
    }
    out
}
