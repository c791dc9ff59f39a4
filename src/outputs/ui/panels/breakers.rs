//! The circuit breakers panel: one row per upstream breaker (state, failure rate,
//! calls, time in state, next probe countdown, trips), then the symbols whose price
//! breaker holds a print (reference → held price) and the cross-source discrepancies.

use super::countdown;
use crate::domain::breaker::{BreakerState, BreakerView};
use crate::domain::types::Ts;
use crate::engine::snapshot::Snapshot;
use crate::outputs::ui::format::{self, MISSING};
use crate::outputs::ui::theme::{Role, Theme};
use ratatui::text::{Line, Span};
use rust_decimal::Decimal;

fn state_role(state: BreakerState) -> Role {
    match state {
        BreakerState::Closed => Role::Ok,
        BreakerState::HalfOpen => Role::Warn,
        BreakerState::Open => Role::Error,
    }
}

/// The header row, one row per upstream breaker, then the symbol breakers.
pub(super) fn lines<'a>(snap: &'a Snapshot, now: Ts, theme: &Theme) -> Vec<Line<'a>> {
    let muted = theme.style(Role::Muted);
    let mut out = vec![Line::from(Span::styled(
        format!(
            "{:<14}{:<10}{:>6}{:>7}{:>10}{:>12}{:>6}",
            "upstream", "state", "fail%", "calls", "in state", "next probe", "trips"
        ),
        muted,
    ))];
    out.extend(snap.breakers.iter().map(|b| upstream_row(b, now, theme)));
    let v = &snap.validation;
    for t in &v.tripped {
        let mut spans = vec![
            Span::styled("⚠ ", theme.style(Role::Warn)),
            Span::styled(format!("{:<7}", t.symbol.as_str()), theme.style(Role::Text)),
            Span::styled("ref ", muted),
            Span::styled(format::price(t.reference), theme.style(Role::Text)),
            Span::styled(" → held ", muted),
            Span::styled(format::price(t.held_price), theme.style(Role::Warn)),
        ];
        if !t.reference.is_zero() {
            let moved = (t.held_price - t.reference) * Decimal::ONE_HUNDRED / t.reference;
            spans.push(Span::styled(format!(" ({})", format::pct(moved)), muted));
        }
        spans.push(Span::styled(
            format!(
                " · {} prints · tripped {} ago",
                t.held_prints,
                format::age(now.millis_since(t.tripped_at))
            ),
            muted,
        ));
        out.push(Line::from(spans));
    }
    for d in &v.discrepancies {
        out.push(Line::from(vec![
            Span::styled("≠ ", theme.style(Role::Warn)),
            Span::styled(format!("{:<7}", d.symbol.as_str()), theme.style(Role::Text)),
            Span::styled("Alpaca ", muted),
            Span::styled(format::price(d.alpaca), theme.style(Role::Text)),
            Span::styled(" vs Yahoo ", muted),
            Span::styled(format::price(d.yahoo), theme.style(Role::Text)),
            Span::styled(
                format!(
                    " · Δ {}% · for {}",
                    d.delta_pct.round_dp(2),
                    format::duration(now.millis_since(d.since))
                ),
                muted,
            ),
        ]));
    }
    if v.tripped.is_empty() && v.discrepancies.is_empty() {
        out.push(Line::from(Span::styled(
            "no symbol price breaker tripped · no cross-source discrepancy",
            muted,
        )));
    }
    out
}

fn upstream_row<'a>(b: &BreakerView, now: Ts, theme: &Theme) -> Line<'a> {
    let text = theme.style(Role::Text);
    let rate = b
        .failure_rate_pct
        .map(|p| format!("{p:.0}%"))
        .unwrap_or_else(|| MISSING.to_string());
    let probe = match (b.state, b.next_probe_at, b.probes_left) {
        (BreakerState::Open, Some(at), _) => countdown(at, now),
        (BreakerState::HalfOpen, _, Some(n)) => format!("{n} left"),
        _ => MISSING.to_string(),
    };
    let mut spans = vec![
        Span::styled(format!("{:<14}", b.name), text),
        Span::styled(
            format!("{:<10}", b.state.as_str()),
            theme.style(state_role(b.state)),
        ),
        Span::styled(format!("{rate:>6}"), text),
        Span::styled(
            format!("{:>7}", format!("{}/{}", b.failures, b.calls)),
            text,
        ),
        Span::styled(
            format!("{:>10}", format::duration(now.millis_since(b.state_since))),
            text,
        ),
        Span::styled(
            format!("{probe:>12}"),
            if b.state == BreakerState::Closed {
                text
            } else {
                theme.style(Role::Warn)
            },
        ),
        Span::styled(format!("{:>6}", b.trips), text),
    ];
    if let (false, Some(reason)) = (b.state == BreakerState::Closed, &b.last_transition_reason) {
        spans.push(Span::styled(
            format!("  {reason}"),
            theme.style(Role::Muted),
        ));
    }
    Line::from(spans)
}
