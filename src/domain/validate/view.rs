//! The validator's read side: [`ValidationView`] (counters, recent failures, open
//! breakers, discrepancies, stale symbols) for the snapshot, the API and the TUI.

use super::{Rule, Validator};
use crate::domain::types::{Symbol, Ts};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

impl Validator {
    /// Counters and per-symbol state for the snapshot, the API and the TUI.
    pub fn view(&self, now: Ts) -> ValidationView {
        let total = self.accepted + self.rejected + self.held;
        let success_rate_pct = if total == 0 {
            100.0
        } else {
            (total - self.rejected) as f64 * 100.0 / total as f64
        };
        let mut tripped = Vec::new();
        let mut discrepancies = Vec::new();
        let mut stale = Vec::new();
        for g in &self.guards {
            if let Some(t) = &g.breaker.trip {
                tripped.push(TrippedView {
                    symbol: g.symbol.clone(),
                    reason: trip_text(&g.symbol, t.move_pct, self.cfg.breaker_threshold_pct),
                    tripped_at: t.tripped_at,
                    age_ms: now.millis_since(t.tripped_at),
                    reference: t.reference,
                    held_price: t.last,
                    held_prints: t.prints,
                });
            }
            if let Some(t) = &g.yahoo_breaker.trip {
                let mut reason = trip_text(&g.symbol, t.move_pct, self.cfg.breaker_threshold_pct);
                reason.push_str(" (Yahoo)");
                tripped.push(TrippedView {
                    symbol: g.symbol.clone(),
                    reason,
                    tripped_at: t.tripped_at,
                    age_ms: now.millis_since(t.tripped_at),
                    reference: t.reference,
                    held_price: t.last,
                    held_prints: t.prints,
                });
            }
            if let Some(d) = &g.cross.discrepancy {
                discrepancies.push(DiscrepancyView {
                    symbol: g.symbol.clone(),
                    alpaca: d.alpaca,
                    yahoo: d.other,
                    delta_pct: d.delta_pct,
                    since: d.since,
                });
            }
            if g.fresh.stale {
                stale.push(StaleView {
                    symbol: g.symbol.clone(),
                    last_update_at: g.fresh.last_update,
                    age_ms: g.fresh.age_ms(now).unwrap_or(0),
                });
            }
        }
        ValidationView {
            total,
            accepted: self.accepted,
            rejected: self.rejected,
            held: self.held,
            locked_quotes: self.locked_quotes,
            unsubscribed_in_flight: self.unsubscribed_in_flight,
            success_rate_pct,
            by_rule: Rule::ALL
                .iter()
                .map(|r| (r.as_str().into(), self.by_rule[r.index()]))
                .collect(),
            by_symbol: self
                .guards
                .iter()
                .map(|g| (g.symbol.clone(), g.failures))
                .collect(),
            recent: self.recent.iter().cloned().collect(),
            tripped,
            discrepancies,
            stale,
        }
    }
}

/// "Circuit breaker triggered: TSLA price movement 25% exceeds 20% threshold". The
/// move is shown in whole percent, or with one decimal when the whole number would
/// not exceed the threshold (20.4% must not read "20% exceeds 20%").
pub(crate) fn trip_text(sym: &Symbol, move_pct: Decimal, threshold_pct: Decimal) -> String {
    let magnitude = move_pct.abs();
    let whole = magnitude.round();
    let shown = if whole > threshold_pct {
        whole
    } else {
        magnitude.round_dp(1)
    };
    format!(
        "Circuit breaker triggered: {sym} price movement {}% exceeds {}% threshold",
        shown.normalize(),
        threshold_pct.normalize()
    )
}

/// One logged rejection or breaker trip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecentRejection {
    pub at: Ts,
    pub symbol: Symbol,
    pub rule: Rule,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrippedView {
    pub symbol: Symbol,
    pub reason: String,
    pub tripped_at: Ts,
    pub age_ms: i64,
    pub reference: Decimal,
    /// The last held print: what a manual reset would accept.
    pub held_price: Decimal,
    /// Consecutive prints near the held level so far.
    pub held_prints: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscrepancyView {
    pub symbol: Symbol,
    pub alpaca: Decimal,
    pub yahoo: Decimal,
    pub delta_pct: Decimal,
    pub since: Ts,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaleView {
    pub symbol: Symbol,
    pub last_update_at: Option<Ts>,
    pub age_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationView {
    /// Trades, quotes and bars checked.
    pub total: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Trades held by an open price breaker.
    pub held: u64,
    /// Locked quotes (bid == ask): accepted, counted.
    pub locked_quotes: u64,
    /// Messages for a symbol unsubscribed moments ago, dropped quietly: not in
    /// `total`, not failures (see `UNSUBSCRIBED_IN_FLIGHT_SECS`).
    pub unsubscribed_in_flight: u64,
    pub success_rate_pct: f64,
    /// Rejections per rule; trips, discrepancies and stale spells count once each.
    pub by_rule: BTreeMap<crate::domain::types::Label, u64>,
    pub by_symbol: BTreeMap<Symbol, u64>,
    pub recent: Vec<RecentRejection>,
    pub tripped: Vec<TrippedView>,
    pub discrepancies: Vec<DiscrepancyView>,
    pub stale: Vec<StaleView>,
}
