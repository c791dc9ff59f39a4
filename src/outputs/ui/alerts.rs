//! The Alerts page (page 4): active alerts coloured by severity with state, age,
//! runbook id and ack/snooze/inhibit marks; the selected alert's first diagnostic step;
//! the SLOs with error budget left and burn rates; and the alert history with who
//! acted. `a` acknowledges and `z` snoozes the selected alert (see [`super::state`]).

use super::chrome::page_tabs;
use super::columns::{ellipsize, fit, text_width, widest, ColumnNeed};
use super::events_panel;
use super::format;
use super::interact::ListId;
use super::lists;
use super::state::UiState;
use super::theme::{Role, Theme};
use crate::domain::alerts::{AlertState, AlertView, Severity};
use crate::domain::types::Ts;
use crate::engine::snapshot::Snapshot;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;

/// Rows the SLO table needs: borders, header and the four SLOs.
const SLO_ROWS: u16 = 7;

/// Where the page's three panels go in `rect`.
pub(super) struct AlertAreas {
    pub active: Rect,
    pub slo: Option<Rect>,
    pub history: Option<Rect>,
}

pub(super) fn layout(rect: Rect, snap: &Snapshot, ui: &UiState) -> AlertAreas {
    let active = lists::alerts(snap, ui);
    // Alerts first (at least 5 rows), then the SLOs, then the history with the rest.
    let alert_rows = u16::try_from(active.len().max(1))
        .unwrap_or(u16::MAX)
        .saturating_add(4);
    let avail = rect.height;
    let slo_h = if avail >= 5 + SLO_ROWS { SLO_ROWS } else { 0 };
    let alerts_h = alert_rows
        .min(avail.saturating_sub(slo_h))
        .max(avail.min(5));
    let slo_h = slo_h.min(avail.saturating_sub(alerts_h));
    let history_h = avail.saturating_sub(alerts_h + slo_h);
    let at = |y: u16, h: u16| Rect::new(rect.x, y, rect.width, h);
    AlertAreas {
        active: at(rect.y, alerts_h),
        slo: (slo_h > 0).then(|| at(rect.y + alerts_h, slo_h)),
        history: (history_h >= 3).then(|| at(rect.y + alerts_h + slo_h, history_h)),
    }
}

/// The active alerts table's rows inside its panel `rect`: (first row's y, rows).
/// The last inner row holds the selected alert's first step when there is room.
pub(super) fn active_rows(rect: Rect) -> (u16, u16) {
    let inner_h = rect.height.saturating_sub(2);
    let show_step = inner_h >= 3;
    let table_h = inner_h.saturating_sub(u16::from(show_step));
    (rect.y + 2, table_h.saturating_sub(1))
}

pub(super) fn draw_alerts(
    frame: &mut Frame,
    rect: Rect,
    snap: &Snapshot,
    ui: &UiState,
    theme: &Theme,
) {
    if rect.width == 0 || rect.height == 0 {
        return;
    }
    let now = ui.now(snap);
    let areas = layout(rect, snap, ui);
    draw_active(frame, areas.active, snap, ui, now, theme);
    if let Some(r) = areas.slo {
        super::alerts_slo::draw_slos(frame, r, snap, theme);
    }
    if let Some(r) = areas.history {
        draw_history(frame, r, snap, ui, theme);
    }
}

fn severity_style(sev: Severity, theme: &Theme) -> Style {
    match sev {
        Severity::Critical => theme.style(Role::Error).add_modifier(Modifier::BOLD),
        Severity::High => theme.style(Role::Error),
        Severity::Medium => theme.style(Role::Warn),
        Severity::Low => theme.style(Role::Accent),
        Severity::Info => theme.style(Role::Muted),
    }
}

fn marks(a: &AlertView, now: Ts) -> String {
    let mut out = Vec::new();
    if a.acked {
        out.push("ACK".to_string());
    }
    if let Some(until) = a.snoozed_until.filter(|u| *u > now) {
        out.push(format!("ZZ {}", format::countdown(until.millis_since(now))));
    }
    if let Some(by) = &a.inhibited_by {
        out.push(format!("by {by}"));
    }
    out.join(" ")
}

fn draw_active(
    frame: &mut Frame,
    rect: Rect,
    snap: &Snapshot,
    ui: &UiState,
    now: Ts,
    theme: &Theme,
) {
    let c = &snap.alerts.counts;
    let counts = format!(
        "{} critical · {} high · {} medium · {} low firing ",
        c.critical, c.high, c.medium, c.low
    );
    let filter = events_panel::filter_note(ui, ListId::Alerts);
    // The page tabs share the top border: the counts go short, then whole or not at all.
    let room = rect
        .width
        .saturating_sub(page_tabs(ui, theme).width() as u16 + 4);
    let fixed = text_width(" Alerts ") + text_width(&filter);
    let short = format!("{}C {}H {}M {}L ", c.critical, c.high, c.medium, c.low);
    // Whole or not at all: never "0C 0…".
    let counts = [counts, format!("firing {short}"), short]
        .into_iter()
        .find(|t| text_width(t) + fixed <= room)
        .unwrap_or_default();
    let title = Line::from(vec![
        Span::styled(" Alerts ", theme.style(Role::Accent)),
        Span::styled(counts, theme.style(Role::Muted)),
        Span::styled(filter, theme.style(Role::Warn)),
    ]);
    let title = super::columns::whole_spans(title, room);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(events_panel::border_role(ui, ListId::Alerts)))
        .title(title)
        .title(page_tabs(ui, theme).right_aligned());
    let active = lists::alerts(snap, ui);
    if active.is_empty() {
        let text = if ui.ix.filter(ListId::Alerts).is_some() {
            Span::styled("no alert matches the filter", theme.style(Role::Muted))
        } else {
            Span::styled(
                "no pending or firing alerts · press ? for keys",
                theme.style(Role::Ok),
            )
        };
        frame.render_widget(Paragraph::new(text).block(block), rect);
        return;
    }
    let selected = ui.alert_selected_in(active.len());
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    // The selected alert's first step takes the last inner row when there is room.
    let show_step = inner.height >= 3;
    let table_rect = Rect {
        height: inner.height.saturating_sub(u16::from(show_step)),
        ..inner
    };
    // (text, style) per column; every figure whole: columns drop in ACTIVE_DROP's
    // order and the summary takes the rest, ending in an ellipsis.
    let cells: Vec<[(String, Style); 7]> = active
        .iter()
        .map(|a| {
            let sev = severity_style(a.severity, theme);
            let state_style = match a.state {
                AlertState::Firing => sev,
                _ => theme.style(Role::Muted),
            };
            let muted = theme.style(Role::Muted);
            [
                (a.severity.as_str().to_string(), sev),
                (a.id.to_string(), sev),
                (a.name.to_string(), theme.style(Role::Text)),
                (a.state.as_str().to_string(), state_style),
                (format::age(now.millis_since(a.since)), muted),
                (
                    a.runbook.as_deref().unwrap_or("-").to_string(),
                    theme.style(Role::Accent),
                ),
                (marks(a, now), muted),
            ]
        })
        .collect();
    let needs: Vec<ColumnNeed> = (0..7)
        .map(|c| ColumnNeed {
            width: widest(ACTIVE_TITLES[c], cells.iter().map(|r| r[c].0.as_str())),
            priority: ACTIVE_DROP[c],
        })
        .collect();
    let keep = fit(table_rect.width, &needs, 1, ACTIVE_MIN_SUMMARY);
    let summary_w = table_rect
        .width
        .saturating_sub(keep.iter().map(|&c| needs[c].width + 1).sum());
    let rows: Vec<Row> = active
        .iter()
        .zip(&cells)
        .map(|(a, row)| {
            let mut out: Vec<Cell> = keep
                .iter()
                .map(|&c| Cell::from(Span::styled(row[c].0.clone(), row[c].1)))
                .collect();
            out.push(Cell::from(Span::styled(
                ellipsize(&a.summary, summary_w),
                theme.style(Role::Text),
            )));
            Row::new(out)
        })
        .collect();
    let header = Row::new(
        keep.iter()
            .map(|&c| ACTIVE_TITLES[c])
            .chain(std::iter::once("SUMMARY")),
    )
    .style(theme.style(Role::Muted));
    let widths: Vec<Constraint> = keep
        .iter()
        .map(|&c| Constraint::Length(needs[c].width))
        .chain(std::iter::once(Constraint::Length(summary_w)))
        .collect();
    let table = Table::new(rows, widths)
        .header(header)
        .row_highlight_style(theme.style(Role::SelectedBg));
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, table_rect, &mut state);
    if let (true, Some(a)) = (show_step, selected.and_then(|i| active.get(i))) {
        let line = Line::from(vec![
            Span::styled(
                format!("{} first step (Enter: all steps): ", a.id),
                theme.style(Role::Accent),
            ),
            Span::styled(
                crate::domain::alerts::runbooks::at_api(&a.first_step, Some(&ui.ix.api_base)),
                theme.style(Role::Text),
            ),
        ]);
        let r = Rect::new(inner.x, inner.bottom().saturating_sub(1), inner.width, 1);
        let line = super::columns::whole_spans(line, inner.width);
        frame.render_widget(Paragraph::new(line), r);
    }
}

const ACTIVE_TITLES: [&str; 7] = ["SEV", "ID", "NAME", "STATE", "AGE", "RUNBOOK", "MARKS"];
/// Drop order for the active alerts when narrow (highest first: the name, which the
/// id stands for, then the runbook and the marks); severity, id and state never go.
const ACTIVE_DROP: [u8; 7] = [0, 0, 6, 0, 2, 5, 4];
const ACTIVE_MIN_SUMMARY: u16 = 10;

fn draw_history(frame: &mut Frame, rect: Rect, snap: &Snapshot, ui: &UiState, theme: &Theme) {
    let list = ListId::AlertHistory;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(events_panel::border_role(ui, list)))
        .title(Line::from(vec![
            Span::styled(" Alert history ", theme.style(Role::Accent)),
            Span::styled(events_panel::filter_note(ui, list), theme.style(Role::Warn)),
        ]));
    let visible = usize::from(rect.height.saturating_sub(2));
    let history = lists::history(snap, ui);
    let selected = lists::selected(snap, ui, list);
    let focused = ui.ix.focused(ui.page) == Some(list);
    let top = lists::window_start(selected, visible);
    let lines: Vec<Line> = history
        .iter()
        .enumerate()
        .skip(top)
        .take(visible)
        .map(|(i, h)| {
            let line = Line::from(vec![
                Span::styled(format::ny_time(h.at), theme.style(Role::Muted)),
                Span::raw(" "),
                Span::styled(format!("{:<3} ", h.alert_id), theme.style(Role::Accent)),
                Span::styled(format!("{:<12} ", h.action), theme.style(Role::Text)),
                Span::styled(format!("by {:<6} ", h.actor), theme.style(Role::Muted)),
                Span::styled(h.summary.as_str(), theme.style(Role::Text)),
            ]);
            // A summary too long for the row ends in an ellipsis; Enter shows it whole.
            let line = super::columns::whole_spans(line, rect.width.saturating_sub(2));
            if focused && Some(i) == selected {
                line.style(theme.style(Role::SelectedBg))
            } else {
                line
            }
        })
        .collect();
    let body = if lines.is_empty() {
        Paragraph::new(Span::styled(
            "no alert history yet",
            theme.style(Role::Muted),
        ))
    } else {
        Paragraph::new(lines)
    };
    frame.render_widget(body.block(block), rect);
}
