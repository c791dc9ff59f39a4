//! The Alerts page's SLO table: each SLO's target, SLI, error budget left, burn rates
//! and verdict, with whole figures at every width (columns drop, the name shortens).

use super::columns::{ellipsize, fit, widest, ColumnNeed};
use super::format;
use super::theme::{Role, Theme};
use crate::domain::slo::SloView;
use crate::engine::snapshot::Snapshot;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| format::MISSING.to_string(), |v| format!("{v:.2}%"))
}

/// Budgets run far negative in an outage; one decimal keeps the column narrow.
fn budget(v: Option<f64>) -> String {
    v.map_or_else(|| format::MISSING.to_string(), |v| format!("{v:.1}%"))
}

/// From this width on the SLO table spells the SLO names out.
const SLO_LONG_NAMES: u16 = 100;

fn burn(v: Option<f64>) -> String {
    v.map_or_else(|| format::MISSING.to_string(), |v| format!("{v:.1}×"))
}

fn slo_status(s: &SloView) -> (&'static str, Role) {
    match (s.met, s.fast_burn, s.slow_burn) {
        (None, _, _) if s.total == 0 => ("no data", Role::Muted),
        (None, _, _) => ("collecting", Role::Muted),
        (_, true, _) => ("FAST BURN", Role::Error),
        (_, _, true) => ("SLOW BURN", Role::Warn),
        (Some(false), _, _) => ("MISSED", Role::Error),
        (Some(true), _, _) if s.budget_remaining_pct.is_some_and(|b| b < 20.0) => {
            ("LOW BUDGET", Role::Warn)
        }
        (Some(true), _, _) => ("met", Role::Ok),
    }
}

pub(super) fn draw_slos(frame: &mut Frame, rect: Rect, snap: &Snapshot, theme: &Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .title(Span::styled(" SLOs ", theme.style(Role::Accent)))
        .title(
            Line::from(Span::styled(
                format!(" {} minutes of data ", snap.slo.minutes_of_data),
                theme.style(Role::Muted),
            ))
            .right_aligned(),
        );
    if snap.slo.slos.is_empty() {
        let text = Span::styled("no SLO data yet", theme.style(Role::Muted));
        frame.render_widget(Paragraph::new(text).block(block), rect);
        return;
    }
    let long = rect.width >= SLO_LONG_NAMES;
    let cells: Vec<([String; 7], Role)> = snap
        .slo
        .slos
        .iter()
        .map(|s| {
            let (status, role) = slo_status(s);
            (
                [
                    format!("{}%/{}d", s.target_pct, s.window_days),
                    pct(s.sli_pct),
                    budget(s.budget_remaining_pct),
                    burn(s.burn_rates.m5),
                    burn(s.burn_rates.h1),
                    burn(s.burn_rates.h6),
                    status.to_string(),
                ],
                role,
            )
        })
        .collect();
    // Every figure whole: columns drop in SLO_DROP's order; the name takes the rest.
    let needs: Vec<ColumnNeed> = (0..7)
        .map(|c| ColumnNeed {
            width: widest(SLO_TITLES[c + 1], cells.iter().map(|(r, _)| r[c].as_str())),
            priority: SLO_DROP[c],
        })
        .collect();
    let inner = rect.width.saturating_sub(2);
    let keep = fit(inner, &needs, 1, SLO_MIN_NAME);
    let used: u16 = keep.iter().map(|&c| needs[c].width + 1).sum();
    // The names take what the figures leave, but no more than the longest needs: on a
    // wide screen the figures sit beside the names, not across the screen from them.
    let longest = widest(
        SLO_TITLES[0],
        snap.slo.slos.iter().map(|s| {
            if long {
                s.name.as_ref()
            } else {
                s.key.as_ref()
            }
        }),
    );
    let name_w = inner.saturating_sub(used).min(longest);
    let rows: Vec<Row> = snap
        .slo
        .slos
        .iter()
        .zip(&cells)
        .map(|(s, (row, role))| {
            let mut out = vec![Cell::from(ellipsize(
                if long { &s.name } else { &s.key },
                name_w,
            ))];
            for &c in &keep {
                out.push(if c == 6 {
                    Cell::from(Span::styled(row[c].clone(), theme.style(*role)))
                } else {
                    Cell::from(row[c].clone())
                });
            }
            Row::new(out).style(theme.style(Role::Text))
        })
        .collect();
    let header =
        Row::new(std::iter::once(SLO_TITLES[0]).chain(keep.iter().map(|&c| SLO_TITLES[c + 1])))
            .style(theme.style(Role::Muted));
    let widths: Vec<Constraint> = std::iter::once(Constraint::Length(name_w))
        .chain(keep.iter().map(|&c| Constraint::Length(needs[c].width)))
        .collect();
    frame.render_widget(Table::new(rows, widths).header(header).block(block), rect);
}

const SLO_TITLES: [&str; 8] = [
    "SLO", "TARGET", "SLI", "BUDGET", "BURN 5m", "BURN 1h", "BURN 6h", "STATUS",
];
/// Drop order for the SLO table when narrow (highest first): the long burn windows,
/// then the target, the SLI and the budget; the status never goes.
const SLO_DROP: [u8; 7] = [4, 3, 2, 5, 6, 7, 0];
/// The name column's least width before figures are dropped to make room.
const SLO_MIN_NAME: u16 = 12;
