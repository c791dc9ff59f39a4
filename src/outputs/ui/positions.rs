//! The Positions page (page 3): a summary line (source, equity, Trading API status,
//! daily-loss and concentration risk), the positions table with a totals row, sorted
//! by the UI's sort key. A pure function of (snapshot, UI state, theme), like every view.

use super::chrome::page_tabs;
use super::format;
use super::state::UiState;
use super::theme::{Role, Theme};
use crate::domain::portfolio::{
    sort_positions, LossLevel, PositionRow, PositionsSource, PriceSource, RiskFlag,
};
use crate::engine::snapshot::Snapshot;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;
use rust_decimal::Decimal;

/// Below this inner width the table drops the columns in [`NARROW_DROPS`].
const WIDE_COLS: u16 = 100;
/// Avg cost, weight and risk, by column index.
const NARROW_DROPS: [usize; 3] = [2, 8, 9];

/// Money with thousands separators and cents: `-1,234.50`. From the Decimal's own
/// digits, never through a float.
pub fn money(d: Decimal) -> String {
    let r = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let neg = r.is_sign_negative() && !r.is_zero();
    let text = format!("{:.2}", r.abs());
    let (int, frac) = text.split_once('.').unwrap_or((text.as_str(), "00"));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}{grouped}.{frac}", if neg { "-" } else { "" })
}

/// Signed money for P&L: `+1,234.50` / `-12.00`.
fn signed_money(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", money(d))
    } else {
        money(d)
    }
}

/// A share of the portfolio, unsigned: `26.9%`.
fn weight(d: Decimal) -> String {
    let r = d.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    format!("{r:.1}%")
}

fn pl_role(d: Option<Decimal>) -> Role {
    match d {
        Some(x) if x > Decimal::ZERO => Role::Up,
        Some(x) if x < Decimal::ZERO => Role::Down,
        _ => Role::Text,
    }
}

fn risk_text(r: &PositionRow) -> String {
    let mut parts: Vec<String> = r
        .risk
        .iter()
        .filter(|f| **f != RiskFlag::BrokerMismatch)
        .map(|f| match f {
            RiskFlag::Concentration => "conc".to_string(),
            RiskFlag::StalePrice => "stale".to_string(),
            RiskFlag::NoPrice => "no price".to_string(),
            RiskFlag::BrokerMismatch => String::new(),
        })
        .collect();
    if let Some(diff) = r.reconciliation.as_ref().and_then(|c| c.diff_market_value) {
        parts.push(format!("≠ broker {}", signed_money(diff)));
    }
    parts.join(" ")
}

fn summary(snap: &Snapshot, theme: &Theme) -> Line<'static> {
    let p = &snap.portfolio;
    let muted = theme.style(Role::Muted);
    let text = theme.style(Role::Text);
    let source = match p.source {
        PositionsSource::Broker => "broker",
        PositionsSource::Config => "config lots",
        PositionsSource::None => "none",
    };
    let mut spans = vec![Span::styled(" source ", muted), Span::styled(source, text)];
    spans.push(Span::styled("  equity ", muted));
    spans.push(Span::styled(money(p.totals.equity), text));
    if let Some(day) = p.totals.day_pl {
        spans.push(Span::styled("  day ", muted));
        let pct = p
            .totals
            .day_pl_pct
            .map(|x| format!(" ({})", format::pct(x)))
            .unwrap_or_default();
        spans.push(Span::styled(
            format!("{}{pct}", signed_money(day)),
            theme.style(pl_role(Some(day))),
        ));
    }
    let risk = &p.risk;
    let (loss_text, loss_role) = match (risk.daily_loss_level, risk.daily_loss_pct) {
        (LossLevel::Critical, Some(x)) => (
            format!("  DAILY LOSS {} CRITICAL", format::pct(x)),
            Role::Error,
        ),
        (LossLevel::Warning, Some(x)) => (
            format!("  daily loss {} WARNING", format::pct(x)),
            Role::Warn,
        ),
        _ => (String::new(), Role::Text),
    };
    if !loss_text.is_empty() {
        spans.push(Span::styled(loss_text, theme.style(loss_role)));
    }
    if let Some(c) = &risk.max_concentration {
        let role = if risk.concentration_breached {
            Role::Warn
        } else {
            Role::Muted
        };
        spans.push(Span::styled(
            format!("  max weight {} {}", c.symbol, weight(c.pct)),
            theme.style(role),
        ));
    }
    spans.push(Span::styled("  Trading API ", muted));
    let api = if !snap.rest.enabled {
        ("no credentials".to_string(), Role::Muted)
    } else if let Some(e) = &snap.rest.last_error {
        (e.chars().take(40).collect(), Role::Warn)
    } else if let Some(at) = snap.rest.last_ok_at {
        (
            format!("ok {} ago", format::age(snap.now.millis_since(at))),
            Role::Ok,
        )
    } else {
        ("waiting".to_string(), Role::Muted)
    };
    spans.push(Span::styled(api.0, theme.style(api.1)));
    Line::from(spans)
}

pub(super) fn draw_positions(
    frame: &mut Frame,
    rect: Rect,
    snap: &Snapshot,
    ui: &UiState,
    theme: &Theme,
) {
    if rect.height < 3 || rect.width < 10 {
        return;
    }
    let dir = if ui.sort_descending { "↓" } else { "↑" };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .title(Span::styled(
            format!(
                " Positions ({}) · sorted by {} {dir} ",
                snap.portfolio.positions.len(),
                ui.sort_key.label()
            ),
            theme.style(Role::Accent),
        ))
        .title(page_tabs(ui, theme));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    frame.render_widget(
        Paragraph::new(summary(snap, theme)),
        Rect { height: 1, ..inner },
    );
    let body = Rect::new(
        inner.x,
        inner.y + 1,
        inner.width,
        inner.height.saturating_sub(1),
    );
    if snap.portfolio.positions.is_empty() {
        let msg = "No positions. Add [[positions]] lots to the config, or set APCA_API_KEY_ID and APCA_API_SECRET_KEY to read them from Alpaca.";
        frame.render_widget(
            Paragraph::new(Span::styled(msg, theme.style(Role::Muted)))
                .wrap(ratatui::widgets::Wrap { trim: true }),
            body,
        );
        return;
    }
    // Too narrow for every column: drop avg cost, weight and risk rather than let the
    // table squeeze numbers (a squeezed right-aligned number loses its leading digits).
    let wide = body.width >= WIDE_COLS;
    let keep = |cells: Vec<Cell<'static>>| -> Row<'static> {
        Row::new(
            cells
                .into_iter()
                .enumerate()
                .filter(|(i, _)| wide || !NARROW_DROPS.contains(i))
                .map(|(_, c)| c),
        )
    };
    let mut rows = snap.portfolio.positions.clone();
    sort_positions(&mut rows, ui.sort_key, ui.sort_descending);
    let right = |t: String, role: Role| {
        Cell::from(Line::from(t).alignment(Alignment::Right)).style(theme.style(role))
    };
    let opt = |d: Option<Decimal>, f: fn(Decimal) -> String, role: Role| match d {
        Some(x) => right(f(x), role),
        None => right(format::MISSING.to_string(), Role::Muted),
    };
    let table_rows: Vec<Row> = rows
        .iter()
        .map(|r| {
            let last_role = match (r.stale, r.last_source) {
                (true, _) => Role::Stale,
                (false, Some(PriceSource::Yahoo)) => Role::Warn,
                _ => Role::Text,
            };
            let mut last = r
                .last
                .map(format::price)
                .unwrap_or_else(|| format::MISSING.into());
            if r.stale {
                last.push_str(" stale");
            } else if r.last_source == Some(PriceSource::Yahoo) {
                last.push_str(" Y");
            }
            keep(vec![
                Cell::from(r.symbol.to_string()).style(theme.style(Role::Text)),
                right(r.qty.normalize().to_string(), Role::Text),
                opt(r.avg_cost, format::price, Role::Muted),
                right(last, last_role),
                opt(r.market_value, money, Role::Text),
                opt(r.unrealized_pl, signed_money, pl_role(r.unrealized_pl)),
                opt(r.unrealized_pl_pct, format::pct, pl_role(r.unrealized_pl)),
                opt(r.day_pl, signed_money, pl_role(r.day_pl)),
                opt(r.weight_pct, weight, Role::Muted),
                Cell::from(risk_text(r)).style(theme.style(Role::Warn)),
            ])
        })
        .collect();
    let t = &snap.portfolio.totals;
    let bold = |role: Role| theme.style(role).add_modifier(Modifier::BOLD);
    let total_row = keep(vec![
        Cell::from("Total").style(bold(Role::Text)),
        Cell::from(""),
        Cell::from(""),
        Cell::from(""),
        right(money(t.market_value), Role::Text).style(bold(Role::Text)),
        right(signed_money(t.unrealized_pl), Role::Text)
            .style(bold(pl_role(Some(t.unrealized_pl)))),
        opt(
            t.unrealized_pl_pct,
            format::pct,
            pl_role(Some(t.unrealized_pl)),
        ),
        opt(t.day_pl, signed_money, pl_role(t.day_pl)),
        Cell::from(""),
        Cell::from(""),
    ]);
    let header = keep(
        [
            "Symbol",
            "Qty",
            "Avg cost",
            "Last",
            "Mkt value",
            "P&L",
            "P&L %",
            "Day P&L",
            "Weight",
            "Risk",
        ]
        .into_iter()
        .enumerate()
        .map(|(i, h)| {
            let l = Line::from(h);
            Cell::from(if i == 0 || i == 9 {
                l
            } else {
                l.alignment(Alignment::Right)
            })
        })
        .collect(),
    )
    .style(theme.style(Role::Muted));
    let all_widths = [
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(9),
        Constraint::Length(13),
        Constraint::Length(12),
        Constraint::Length(11),
        Constraint::Length(8),
        Constraint::Length(10),
        Constraint::Length(7),
        Constraint::Fill(1),
    ];
    let widths: Vec<Constraint> = all_widths
        .iter()
        .enumerate()
        .filter(|(i, _)| wide || !NARROW_DROPS.contains(i))
        .map(|(_, w)| *w)
        .collect();
    let mut all = table_rows;
    all.push(total_row);
    let table = Table::new(all, widths).header(header).column_spacing(1);
    frame.render_widget(table, body);
}

#[cfg(test)]
mod tests {
    use super::money;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    #[test]
    fn money_groups_thousands_and_keeps_cents() {
        for (v, want) in [
            ("0", "0.00"),
            ("12.5", "12.50"),
            ("1234.567", "1,234.57"),
            ("-1234567.1", "-1,234,567.10"),
            ("100", "100.00"),
            ("-0.001", "0.00"),
        ] {
            assert_eq!(money(Decimal::from_str(v).unwrap()), want, "{v}");
        }
    }
}
