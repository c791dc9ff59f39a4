//! The P&L arithmetic: aggregating lots, marking to the routed price, day P&L
//! against the previous close, weights, totals, risk flags and reconciliation.
//! Sums use saturating arithmetic so absurd broker numbers give absurd output
//! rather than a panic.

use super::view::{
    Concentration, LossLevel, PortfolioView, PositionRow, PrevCloseSource, PriceSource,
    Reconciliation, RiskFlag, RiskSummary, Totals,
};
use super::{Account, BrokerPosition, Lot, Mark, PortfolioConfig, PositionsSource};
use crate::domain::types::{Symbol, Ts};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

const PCT_DP: u32 = 4;
const AVG_DP: u32 = 6;

/// One position before marking: what we hold and what it cost.
struct Holding<'a> {
    symbol: Symbol,
    qty: Decimal,
    cost_basis: Decimal,
    broker: Option<&'a BrokerPosition>,
    lot_count: usize,
}

/// Pure: inputs in, view out. `marks` gives the routed price per symbol (`None` =
/// no price yet); `prev_close` the best previous close known to the caller (Yahoo's
/// or the daily bar's); a broker position's own `lastday_price` wins over it.
///
/// When `broker` is given (Alpaca answered `/v2/positions`, even with an empty
/// list), its positions are the ones shown and `lots` are only listed in
/// `config_lots`. A broker position with no routed price is marked to Alpaca's
/// `current_price`, labelled [`PriceSource::Broker`].
pub fn compute(
    cfg: &PortfolioConfig,
    now: Ts,
    lots: &[Lot],
    broker: Option<(&[BrokerPosition], Option<&Account>)>,
    marks: &dyn Fn(&str) -> Option<Mark>,
    prev_close: &dyn Fn(&str) -> Option<Decimal>,
) -> PortfolioView {
    let (source, holdings, account) = match broker {
        Some((positions, account)) => (
            PositionsSource::Broker,
            positions.iter().map(broker_holding).collect(),
            account,
        ),
        None if !lots.is_empty() => (PositionsSource::Config, aggregate_lots(lots), None),
        None => (PositionsSource::None, Vec::new(), None),
    };
    let mut rows: Vec<PositionRow> = holdings
        .iter()
        .map(|h| mark_row(cfg, now, h, marks, prev_close))
        .collect();
    rows.sort_by(|a, b| a.symbol.cmp(&b.symbol));
    let gross = rows
        .iter()
        .filter_map(|r| r.market_value)
        .fold(Decimal::ZERO, |acc, mv| acc.saturating_add(mv.abs()));
    for row in &mut rows {
        row.weight_pct = row.market_value.and_then(|mv| pct(mv.abs(), gross));
        if row.weight_pct.is_some_and(|w| w > cfg.concentration_pct) {
            row.risk.insert(0, RiskFlag::Concentration);
        }
    }
    let totals = totals(&rows, account, gross);
    let risk = risk_summary(cfg, &rows, &totals);
    PortfolioView {
        source,
        as_of: now,
        positions: rows,
        totals,
        risk,
        config_lots: lots.to_vec(),
    }
}

/// Lots of one symbol become one holding: quantities add, and the cost basis is
/// `Σ qty × cost + Σ fees`, so the average cost is the quantity-weighted one with
/// the fees spread over the shares (fees lower the P&L of longs and shorts alike).
fn aggregate_lots(lots: &[Lot]) -> Vec<Holding<'static>> {
    let mut by_symbol: BTreeMap<&str, Holding<'static>> = BTreeMap::new();
    for lot in lots {
        let h = by_symbol.entry(lot.symbol.as_str()).or_insert(Holding {
            symbol: lot.symbol.clone(),
            qty: Decimal::ZERO,
            cost_basis: Decimal::ZERO,
            broker: None,
            lot_count: 0,
        });
        h.qty = h.qty.saturating_add(lot.qty);
        h.cost_basis = h
            .cost_basis
            .saturating_add(lot.qty.saturating_mul(lot.cost_per_share))
            .saturating_add(lot.fees);
        h.lot_count += 1;
    }
    by_symbol.into_values().collect()
}

/// Our cost basis is `qty × avg_entry_price` in our sign convention, whatever
/// sign Alpaca put on its own `cost_basis`.
fn broker_holding(p: &BrokerPosition) -> Holding<'_> {
    let qty = p.signed_qty();
    Holding {
        symbol: p.symbol.clone(),
        qty,
        cost_basis: qty.saturating_mul(p.avg_entry_price),
        broker: Some(p),
        lot_count: 1,
    }
}

fn mark_row(
    cfg: &PortfolioConfig,
    now: Ts,
    h: &Holding<'_>,
    marks: &dyn Fn(&str) -> Option<Mark>,
    prev_close: &dyn Fn(&str) -> Option<Decimal>,
) -> PositionRow {
    let stale_after_ms =
        i64::try_from(cfg.stale_after_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let mark = marks(&h.symbol);
    let (last, last_source, last_as_of, last_age_ms, stale) = match (&mark, h.broker) {
        (Some(m), _) => {
            let age_ms = now.millis_since(m.as_of);
            let stale = m.stale || age_ms > stale_after_ms;
            (
                Some(m.price),
                Some(PriceSource::from(m.source)),
                Some(m.as_of),
                Some(age_ms),
                stale,
            )
        }
        (None, Some(b)) if b.current_price.is_some() => (
            b.current_price,
            Some(PriceSource::Broker),
            None,
            None,
            false,
        ),
        _ => (None, None, None, None, false),
    };
    let (prev, prev_source) = match h.broker.and_then(|b| b.lastday_price) {
        Some(p) => (Some(p), Some(PrevCloseSource::Broker)),
        None => match prev_close(&h.symbol) {
            Some(p) => (Some(p), Some(PrevCloseSource::Market)),
            None => (None, None),
        },
    };
    let market_value = last.map(|l| h.qty.saturating_mul(l));
    let unrealized_pl = market_value.map(|mv| mv.saturating_sub(h.cost_basis));
    let day_pl = match (last, prev) {
        (Some(l), Some(p)) => Some(h.qty.saturating_mul(l.saturating_sub(p))),
        _ => None,
    };
    let day_base = prev.map(|p| h.qty.saturating_mul(p).abs());
    let mut risk = Vec::new();
    if last.is_none() {
        risk.push(RiskFlag::NoPrice);
    }
    if stale {
        risk.push(RiskFlag::StalePrice);
    }
    let reconciliation = h
        .broker
        .and_then(|b| reconcile(cfg, b, market_value, unrealized_pl));
    if reconciliation.is_some() {
        risk.push(RiskFlag::BrokerMismatch);
    }
    PositionRow {
        symbol: h.symbol.clone(),
        qty: h.qty,
        avg_cost: h
            .cost_basis
            .checked_div(h.qty)
            .map(|a| a.round_dp(AVG_DP).normalize()),
        last,
        last_source,
        last_as_of,
        last_age_ms,
        stale,
        market_value,
        cost_basis: h.cost_basis,
        unrealized_pl,
        unrealized_pl_pct: unrealized_pl.and_then(|pl| pct(pl, h.cost_basis.abs())),
        day_pl,
        day_pl_pct: day_pl.zip(day_base).and_then(|(d, b)| pct(d, b)),
        prev_close: prev,
        prev_close_source: prev_source,
        weight_pct: None,
        risk,
        reconciliation,
        config_lots: h.broker.is_none(),
        lot_count: h.lot_count,
    }
}

/// Ours minus Alpaca's, reported when either difference is beyond tolerance.
fn reconcile(
    cfg: &PortfolioConfig,
    b: &BrokerPosition,
    market_value: Option<Decimal>,
    unrealized_pl: Option<Decimal>,
) -> Option<Reconciliation> {
    let broker_mv = b.signed_market_value();
    let diff_mv = market_value
        .zip(broker_mv)
        .map(|(o, t)| o.saturating_sub(t));
    let diff_pl = unrealized_pl
        .zip(b.unrealized_pl)
        .map(|(o, t)| o.saturating_sub(t));
    let over_mv = diff_mv
        .zip(broker_mv)
        .is_some_and(|(d, t)| beyond(cfg, d, t));
    let over_pl = diff_pl
        .zip(b.unrealized_pl)
        .is_some_and(|(d, t)| beyond(cfg, d, t));
    (over_mv || over_pl).then_some(Reconciliation {
        broker_market_value: broker_mv,
        broker_unrealized_pl: b.unrealized_pl,
        diff_market_value: diff_mv,
        diff_unrealized_pl: diff_pl,
    })
}

/// Beyond both the absolute tolerance and the relative one (of the broker's
/// value): cents of rounding on a small position and a dollar on a large one are
/// not worth a warning.
fn beyond(cfg: &PortfolioConfig, diff: Decimal, reference: Decimal) -> bool {
    let rel = reference
        .abs()
        .saturating_mul(cfg.reconcile_tolerance_pct)
        .checked_div(Decimal::ONE_HUNDRED)
        .unwrap_or(Decimal::MAX);
    diff.abs() > cfg.reconcile_tolerance_abs.max(rel)
}

fn totals(rows: &[PositionRow], account: Option<&Account>, gross: Decimal) -> Totals {
    let sum = |f: &dyn Fn(&PositionRow) -> Option<Decimal>| {
        rows.iter()
            .filter_map(f)
            .fold(Decimal::ZERO, Decimal::saturating_add)
    };
    let market_value = sum(&|r| r.market_value);
    let cost_basis = sum(&|r| r.market_value.map(|_| r.cost_basis));
    let abs_cost = sum(&|r| r.market_value.map(|_| r.cost_basis.abs()));
    let unrealized_pl = sum(&|r| r.unrealized_pl);
    let day_pl = rows
        .iter()
        .any(|r| r.day_pl.is_some())
        .then(|| sum(&|r| r.day_pl));
    let equity = account.map_or(market_value, |a| a.equity);
    let unpriced = rows.iter().filter(|r| r.last.is_none()).count();
    let day_pl_pct = day_pl.and_then(|d| pct(d, equity.saturating_sub(d)));
    Totals {
        market_value,
        cost_basis,
        unrealized_pl,
        unrealized_pl_pct: pct(unrealized_pl, abs_cost),
        day_pl,
        day_pl_pct,
        equity,
        equity_from_broker: account.is_some(),
        cash: account.map(|a| a.cash),
        account_day_change: account.map(|a| a.equity.saturating_sub(a.last_equity)),
        long_exposure: sum(&|r| r.market_value.filter(|mv| *mv > Decimal::ZERO)),
        short_exposure: sum(&|r| {
            r.market_value
                .filter(|mv| *mv < Decimal::ZERO)
                .map(|mv| mv.abs())
        }),
        gross_exposure: gross,
        positions_missing_prev_close: rows.iter().filter(|r| r.prev_close.is_none()).count(),
        positions_without_price: unpriced,
        stale_positions: rows.iter().filter(|r| r.stale).count(),
        reconciliation_mismatches: rows.iter().filter(|r| r.reconciliation.is_some()).count(),
        incomplete: incomplete(unpriced),
    }
}

/// What the totals say when they leave positions out.
fn incomplete(unpriced: usize) -> Option<String> {
    match unpriced {
        0 => None,
        1 => Some("incomplete: 1 position unpriced".to_string()),
        n => Some(format!("incomplete: {n} positions unpriced")),
    }
}

fn risk_summary(cfg: &PortfolioConfig, rows: &[PositionRow], totals: &Totals) -> RiskSummary {
    // Base: start-of-day equity, `equity − day_pl`, so a 2 % loss means 2 % of what
    // the account was worth at the open, not of what is left.
    let daily_loss_pct = totals.day_pl.filter(|d| *d < Decimal::ZERO).and_then(|d| {
        let base = totals.equity.saturating_sub(d);
        (base > Decimal::ZERO).then(|| pct(-d, base)).flatten()
    });
    let daily_loss_level = match daily_loss_pct {
        Some(p) if p > cfg.daily_loss_critical_pct => LossLevel::Critical,
        Some(p) if p > cfg.daily_loss_warn_pct => LossLevel::Warning,
        _ => LossLevel::None,
    };
    let max_concentration = rows
        .iter()
        .filter_map(|r| r.weight_pct.map(|w| (w, &r.symbol)))
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(pct, symbol)| Concentration {
            symbol: symbol.clone(),
            pct,
        });
    let concentration_breached = max_concentration
        .as_ref()
        .is_some_and(|c| c.pct > cfg.concentration_pct);
    RiskSummary {
        daily_loss_pct,
        daily_loss_level,
        max_concentration,
        concentration_breached,
        incomplete: totals.incomplete.clone(),
    }
}

/// `num / den × 100`, rounded; `None` for a zero denominator.
fn pct(num: Decimal, den: Decimal) -> Option<Decimal> {
    if den.is_zero() {
        return None;
    }
    num.saturating_mul(Decimal::ONE_HUNDRED)
        .checked_div(den)
        .map(|p| p.round_dp(PCT_DP).normalize())
}
