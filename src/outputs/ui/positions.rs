//! The Positions page (page 3): a summary line (equity, whether the totals leave an
//! unpriced position out, day P&L, daily-loss and concentration risk, source,
//! Trading API status), the positions table with a totals row, sorted by the UI's
//! sort key, and on larger screens the equity curve and per-position P&L bars
//! beneath (see `positions_charts`). Columns are dropped whole when narrow, in the
//! order [`COLUMNS`] documents. A pure function of (snapshot, UI state, theme).

use super::chrome::page_tabs;
use super::columns::{self, ColumnNeed, Part};
use super::format;
use super::state::UiState;
use super::theme::{Role, Theme};
use crate::domain::portfolio::{
    sort_positions, LossLevel, PositionRow, PositionsSource, PriceSource, RiskFlag, Totals,
};
use crate::engine::snapshot::Snapshot;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;
use rust_decimal::Decimal;

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

/// The summary line's facts, most important first; those that do not fit are left
/// out whole (a cut equity figure would be a wrong number).
fn summary(snap: &Snapshot, theme: &Theme, width: u16) -> Line<'static> {
    let p = &snap.portfolio;
    let source = match p.source {
        PositionsSource::Broker => "broker",
        PositionsSource::Config => "config lots",
        PositionsSource::None => "none",
    };
    let mut parts: Vec<Part> = vec![vec![
        ("equity ".into(), Role::Muted),
        (money(p.totals.equity), Role::Text),
    ]];
    if let Some(text) = &p.totals.incomplete {
        parts.push(vec![(text.clone(), Role::Warn)]);
    }
    if let Some(day) = p.totals.day_pl {
        let pct = p
            .totals
            .day_pl_pct
            .map(|x| format!(" ({})", format::pct(x)))
            .unwrap_or_default();
        parts.push(vec![
            ("day ".into(), Role::Muted),
            (format!("{}{pct}", signed_money(day)), pl_role(Some(day))),
        ]);
    }
    let risk = &p.risk;
    match (risk.daily_loss_level, risk.daily_loss_pct) {
        (LossLevel::Critical, Some(x)) => parts.push(vec![(
            format!("DAILY LOSS {} CRITICAL", format::pct(x)),
            Role::Error,
        )]),
        (LossLevel::Warning, Some(x)) => parts.push(vec![(
            format!("daily loss {} WARNING", format::pct(x)),
            Role::Warn,
        )]),
        _ => {}
    }
    if let Some(c) = &risk.max_concentration {
        let role = if risk.concentration_breached {
            Role::Warn
        } else {
            Role::Muted
        };
        parts.push(vec![(
            format!("max weight {} {}", c.symbol, weight(c.pct)),
            role,
        )]);
    }
    parts.push(vec![
        ("source ".into(), Role::Muted),
        (source.into(), Role::Text),
    ]);
    let api = if !snap.rest.enabled {
        ("no credentials".to_string(), Role::Muted)
    } else if let Some(e) = &snap.rest.last_error {
        (columns::ellipsize(e, 40), Role::Warn)
    } else if let Some(at) = snap.rest.last_ok_at {
        (
            format!("ok {} ago", format::age(snap.now.millis_since(at))),
            Role::Ok,
        )
    } else {
        ("waiting".to_string(), Role::Muted)
    };
    parts.push(vec![("Trading API ".into(), Role::Muted), api]);
    let mut line = columns::fit_parts(parts, width.saturating_sub(1), "  ", theme);
    line.spans.insert(0, Span::raw(" "));
    line
}

/// Column titles, in display order, and their drop priority (highest goes first):
/// Symbol 0, Last 1, P&L 2, Day P&L 3, Mkt value 4, Qty 5, P&L % 6, Avg cost 7,
/// Weight 8. Risk takes what is left.
const COLUMNS: [(&str, u8); 9] = [
    ("Symbol", 0),
    ("Qty", 5),
    ("Avg cost", 7),
    ("Last", 1),
    ("Mkt value", 4),
    ("P&L", 2),
    ("P&L %", 6),
    ("Day P&L", 3),
    ("Weight", 8),
];

type Text = (String, Role);

fn row_cells(r: &PositionRow) -> [Text; 9] {
    let missing = || (format::MISSING.to_string(), Role::Muted);
    let opt = |d: Option<Decimal>, f: fn(Decimal) -> String, role: Role| {
        d.map_or_else(missing, |x| (f(x), role))
    };
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
    [
        (r.symbol.to_string(), Role::Text),
        (r.qty.normalize().to_string(), Role::Text),
        opt(r.avg_cost, format::price, Role::Muted),
        (last, last_role),
        opt(r.market_value, money, Role::Text),
        opt(r.unrealized_pl, signed_money, pl_role(r.unrealized_pl)),
        opt(r.unrealized_pl_pct, format::pct, pl_role(r.unrealized_pl)),
        opt(r.day_pl, signed_money, pl_role(r.day_pl)),
        opt(r.weight_pct, weight, Role::Muted),
    ]
}

fn total_cells(t: &Totals) -> [Text; 9] {
    let blank = || (String::new(), Role::Text);
    let pl = pl_role(Some(t.unrealized_pl));
    [
        ("Total".to_string(), Role::Text),
        blank(),
        blank(),
        blank(),
        (money(t.market_value), Role::Text),
        (signed_money(t.unrealized_pl), pl),
        t.unrealized_pl_pct.map_or_else(
            || (format::MISSING.into(), Role::Muted),
            |x| (format::pct(x), pl),
        ),
        t.day_pl.map_or_else(
            || (format::MISSING.into(), Role::Muted),
            |x| (signed_money(x), pl_role(Some(x))),
        ),
        blank(),
    ]
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
    let tabs = page_tabs(ui, theme);
    let count = snap.portfolio.positions.len();
    let full = format!(
        " Positions ({count}) · sorted by {} {dir} ",
        ui.sort_key.label()
    );
    // The tabs are drawn over the end of the title: the sort clause goes whole or not
    // at all, never cut to "sorted by".
    let room = usize::from(rect.width.saturating_sub(2)).saturating_sub(tabs.width());
    let title = if Span::raw(full.as_str()).width() <= room {
        full
    } else {
        format!(" Positions ({count}) ")
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .title(Span::styled(title, theme.style(Role::Accent)))
        .title(tabs);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    frame.render_widget(
        Paragraph::new(summary(snap, theme, inner.width)),
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
    let mut rows = snap.portfolio.positions.clone();
    sort_positions(&mut rows, ui.sort_key, ui.sort_descending);
    let t = &snap.portfolio.totals;
    let mut cells: Vec<[Text; 9]> = rows.iter().map(row_cells).collect();
    cells.push(total_cells(t));
    let mut risks: Vec<String> = rows.iter().map(risk_text).collect();
    risks.push(t.incomplete.clone().unwrap_or_default());
    let needs: Vec<ColumnNeed> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (title, priority))| ColumnNeed {
            width: columns::widest(title, cells.iter().map(|r| r[i].0.as_str())),
            priority: *priority,
        })
        .collect();
    let keep = columns::fit(body.width, &needs, 1, 4);
    let used: u16 = keep.iter().map(|&i| needs[i].width + 1).sum();
    let risk_width = body.width.saturating_sub(used);
    let bold = |role: Role| theme.style(role).add_modifier(Modifier::BOLD);
    let total_at = cells.len() - 1;
    let table_rows: Vec<Row> = cells
        .iter()
        .zip(&risks)
        .enumerate()
        .map(|(k, (row, risk))| {
            let style = |role: Role| {
                if k == total_at {
                    bold(role)
                } else {
                    theme.style(role)
                }
            };
            let mut out: Vec<Cell> = keep
                .iter()
                .map(|&i| {
                    let (text, role) = row[i].clone();
                    let line = Line::from(text);
                    let line = if i == 0 {
                        line
                    } else {
                        line.alignment(Alignment::Right)
                    };
                    Cell::from(line).style(style(role))
                })
                .collect();
            out.push(
                Cell::from(columns::ellipsize(risk, risk_width)).style(theme.style(Role::Warn)),
            );
            Row::new(out)
        })
        .collect();
    let header = Row::new(
        keep.iter()
            .map(|&i| {
                let l = Line::from(COLUMNS[i].0);
                Cell::from(if i == 0 {
                    l
                } else {
                    l.alignment(Alignment::Right)
                })
            })
            .chain(std::iter::once(Cell::from("Risk"))),
    )
    .style(theme.style(Role::Muted));
    let mut widths: Vec<Constraint> = keep
        .iter()
        .map(|&i| Constraint::Length(needs[i].width))
        .collect();
    widths.push(Constraint::Fill(1));
    let table_h = u16::try_from(cells.len() + 1).unwrap_or(u16::MAX);
    let charts = super::positions_charts::area_below(body, table_h);
    let table_area = Rect {
        height: charts.map_or(body.height, |c| c.y - body.y),
        ..body
    };
    let table = Table::new(table_rows, widths)
        .header(header)
        .column_spacing(1);
    frame.render_widget(table, table_area);
    if let Some(area) = charts {
        super::positions_charts::draw(frame, area, snap, theme);
    }
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
