//! The Market page's event log: the engine's ring of the last few thousand events,
//! newest first, filtered by `/` (text and level), scrolled with ↑/↓, PgUp/PgDn,
//! Home/End and the wheel. The title says where in the log the view is and which
//! filter applies; Enter opens the selected event whole ([`super::detail`]).

use super::format;
use super::interact::ListId;
use super::lists;
use super::state::UiState;
use super::theme::{Role, Theme};
use crate::domain::event::Level;
use crate::engine::snapshot::Snapshot;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// The first event row shown for a panel of `rect` (the selected one stays in view).
pub fn window(snap: &Snapshot, ui: &UiState, rect: Rect) -> usize {
    let visible = usize::from(rect.height.saturating_sub(2));
    lists::window_start(lists::selected(snap, ui, ListId::Events), visible)
}

/// A focused panel's border, so it is clear where ↑/↓ go.
pub fn border_role(ui: &UiState, list: ListId) -> Role {
    if ui.ix.focused(ui.page) == Some(list) && ListId::of_page(ui.page).len() > 1 {
        Role::Accent
    } else {
        Role::Border
    }
}

/// " · /warn" for a filtered list, else nothing.
pub fn filter_note(ui: &UiState, list: ListId) -> String {
    ui.ix
        .filter(list)
        .map(|f| format!("· /{f} · Esc clears "))
        .unwrap_or_default()
}

pub fn draw(frame: &mut Frame, rect: Rect, snap: &Snapshot, ui: &UiState, theme: &Theme) {
    let events = lists::events(snap, ui);
    let visible = usize::from(rect.height.saturating_sub(2));
    let selected = lists::selected(snap, ui, ListId::Events);
    let top = window(snap, ui, rect);
    let focused = ui.ix.focused(ui.page) == Some(ListId::Events);
    // Where the view is, once the log is longer than the panel.
    let position = if events.len() <= visible {
        String::new()
    } else {
        format!(
            "{}–{} of {} ",
            top + 1,
            (top + visible).min(events.len()),
            format::count(events.len() as u64)
        )
    };
    let title = Line::from(vec![
        Span::styled(" Events ", theme.style(Role::Accent)),
        Span::styled(position, theme.style(Role::Muted)),
        Span::styled(filter_note(ui, ListId::Events), theme.style(Role::Warn)),
    ]);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(border_role(ui, ListId::Events)))
        .title(title);
    let lines: Vec<Line> = events
        .iter()
        .enumerate()
        .skip(top)
        .take(visible)
        .map(|(i, (_, e))| {
            let (label, role) = match e.level {
                Level::Info => ("INFO ", Role::Muted),
                Level::Warn => ("WARN ", Role::Warn),
                Level::Error => ("ERROR", Role::Error),
            };
            let mut spans = vec![
                Span::styled(format::ny_time(e.at), theme.style(Role::Muted)),
                Span::raw(" "),
                Span::styled(label, theme.style(role)),
                Span::raw(" "),
            ];
            let tag = match (e.source, e.symbol.as_ref()) {
                (Some(src), Some(sym)) => Some(format!("{} {sym} ", src.key())),
                (Some(src), None) => Some(format!("{} ", src.key())),
                (None, Some(sym)) => Some(format!("{sym} ")),
                (None, None) => None,
            };
            if let Some(tag) = tag {
                spans.push(Span::styled(tag, theme.style(Role::Accent)));
            }
            // A message longer than the row ends in an ellipsis rather than mid-word
            // (Enter shows it whole).
            let used: u16 = spans
                .iter()
                .map(|s| super::columns::text_width(&s.content))
                .sum();
            let room = rect.width.saturating_sub(2).saturating_sub(used);
            spans.push(Span::styled(
                super::columns::ellipsize(&e.message, room),
                theme.style(Role::Text),
            ));
            let line = Line::from(spans);
            if focused && Some(i) == selected {
                line.style(theme.style(Role::SelectedBg))
            } else {
                line
            }
        })
        .collect();
    let body = if lines.is_empty() {
        let text = if ui.ix.filter(ListId::Events).is_some() {
            "no event matches the filter"
        } else {
            "no events yet"
        };
        Paragraph::new(Span::styled(text, theme.style(Role::Muted)))
    } else {
        Paragraph::new(lines)
    };
    frame.render_widget(body.block(block), rect);
}
