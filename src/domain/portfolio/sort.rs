//! Orders for the positions table (the TUI's sort keys). Rows without the value
//! (no price, no previous close) always go last, in either direction.

use super::PositionRow;
use rust_decimal::Decimal;
use std::cmp::Ordering;

#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    #[default]
    Symbol,
    MarketValue,
    UnrealizedPl,
    DayPl,
    Weight,
}

impl SortKey {
    pub const ALL: [SortKey; 5] = [
        SortKey::Symbol,
        SortKey::MarketValue,
        SortKey::UnrealizedPl,
        SortKey::DayPl,
        SortKey::Weight,
    ];

    /// Short label for the table header and the API's `?sort=`.
    pub const fn label(self) -> &'static str {
        match self {
            SortKey::Symbol => "symbol",
            SortKey::MarketValue => "value",
            SortKey::UnrealizedPl => "pl",
            SortKey::DayPl => "day",
            SortKey::Weight => "weight",
        }
    }

    /// The next key in [`SortKey::ALL`], wrapping (the TUI's `s`).
    pub fn next(self) -> SortKey {
        let i = SortKey::ALL.iter().position(|k| *k == self).unwrap_or(0);
        SortKey::ALL[(i + 1) % SortKey::ALL.len()]
    }

    pub fn from_label(s: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.label() == s)
    }

    fn value(self, r: &PositionRow) -> Option<Decimal> {
        match self {
            SortKey::Symbol => None,
            SortKey::MarketValue => r.market_value,
            SortKey::UnrealizedPl => r.unrealized_pl,
            SortKey::DayPl => r.day_pl,
            SortKey::Weight => r.weight_pct,
        }
    }
}

/// Stable sort by `key`; ties fall back to the symbol (ascending).
pub fn sort_positions(rows: &mut [PositionRow], key: SortKey, descending: bool) {
    rows.sort_by(|a, b| {
        let primary = if key == SortKey::Symbol {
            a.symbol.cmp(&b.symbol)
        } else {
            match (key.value(a), key.value(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => return Ordering::Less,
                (None, Some(_)) => return Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        };
        let primary = if descending {
            primary.reverse()
        } else {
            primary
        };
        primary.then_with(|| a.symbol.cmp(&b.symbol))
    });
}
