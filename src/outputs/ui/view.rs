//! The screen as a pure function of (snapshot, UI state, theme): header, the current
//! page (Market: watchlist, the selected symbol's chart on wide screens, event log,
//! or the symbol view; Health: see [`super::health`]), status line, and the overlays
//! ([`super::overlays`]); below the minimum size, a sentence saying so. No clock reads
//! and no I/O, so the rendered buffer is snapshot-tested at fixed sizes.

use super::chart::ChartOpts;
use super::chrome::draw_header;
use super::health::draw_health;
use super::layout;
use super::state::{Page, UiState};
use super::statusline::{draw_status, status_rows};
use super::symbol_view::draw_chart_panel;
use super::theme::{Role, Theme};
use super::watchlist::draw_watchlist;
use crate::domain::types::Ts;
use crate::engine::snapshot::Snapshot;
use crate::messages::LinkState;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// A page body drawn below the header and above the status line.
type BodyFn = fn(&mut Frame, Rect, &Snapshot, &UiState, &Theme);

pub fn draw(frame: &mut Frame, snap: &Snapshot, ui: &UiState, theme: &Theme) {
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    if layout::too_small(area) {
        layout::draw_too_small(frame, area, theme);
        return;
    }
    let rows = super::lists::watchlist(snap, ui).len();
    let status_rows = status_rows(snap, ui, theme, area.width);
    let chart_open = ui.page == Page::Market && ui.symbol_view.is_some();
    let body_fn: Option<BodyFn> = match ui.page {
        Page::Market if chart_open => Some(super::symbol_view::draw_symbol_view),
        Page::Market => None,
        // The Alpaca error has its place in the connection panel there.
        Page::Health => Some(draw_health),
        Page::Positions => Some(super::positions::draw_positions),
        Page::Alerts => Some(super::alerts::draw_alerts),
    };
    let err = (ui.page == Page::Market)
        .then(|| link_error(snap, ui.now(snap)))
        .flatten();
    let areas = split(area, ui.remote.is_some(), err.is_some(), status_rows);
    draw_header(frame, areas.header, snap, ui, theme);
    if let (Some(rect), Some(r)) = (areas.remote, &ui.remote) {
        frame.render_widget(Paragraph::new(super::remote::remote_line(r, theme)), rect);
    }
    if let (Some(rect), Some(msg)) = (areas.error, err) {
        let line = Line::from(vec![
            Span::styled(" Alpaca: ", theme.style(Role::Error)),
            Span::styled(msg, theme.style(Role::Text)),
        ]);
        frame.render_widget(Paragraph::new(line), rect);
    }
    match body_fn {
        Some(body_fn) => body_fn(frame, areas.body, snap, ui, theme),
        None => {
            let m = layout::market(areas.body, rows);
            if let Some(rect) = m.table {
                draw_watchlist(frame, rect, snap, ui, theme);
            }
            let selected = super::lists::selected(snap, ui, super::interact::ListId::Watchlist);
            let shown = super::lists::watchlist(snap, ui);
            if let (Some(rect), Some(v)) = (m.chart, selected.and_then(|i| shown.get(i))) {
                let opts = ChartOpts {
                    full: rect.height >= 16,
                    ..ChartOpts::default()
                };
                draw_chart_panel(frame, rect, snap, ui, v, &opts, theme);
            }
            if let Some(rect) = m.log {
                super::events_panel::draw(frame, rect, snap, ui, theme);
            }
        }
    }
    if let Some(rect) = areas.status {
        draw_status(frame, rect, snap, ui, theme);
    }
    super::overlays::draw(frame, area, areas.status, snap, ui, theme);
}

pub(super) struct Areas {
    pub header: Rect,
    /// Attached to a remote tapewatch: the link's row under the header.
    pub remote: Option<Rect>,
    pub error: Option<Rect>,
    pub body: Rect,
    pub status: Option<Rect>,
}

/// Row budget, top to bottom: header, the remote link's row (attached), optional error
/// line, the page's body, status (one or two rows).
pub(super) fn split(area: Rect, want_remote: bool, want_error: bool, status_rows: u16) -> Areas {
    let row_at = |y: u16, h: u16| Rect::new(area.x, y, area.width, h);
    let header = row_at(area.y, 1);
    let mut top = area.y + 1;
    let mut bottom = area.y + area.height;
    // A two-row status line only when the screen can spare it.
    let status_rows = if area.height >= 12 { status_rows } else { 1 };
    let status = (area.height > status_rows).then(|| {
        bottom -= status_rows;
        row_at(bottom, status_rows)
    });
    let remote = (want_remote && area.height >= 6).then(|| {
        top += 1;
        row_at(top - 1, 1)
    });
    let error = (want_error && area.height >= 6).then(|| {
        top += 1;
        row_at(top - 1, 1)
    });
    Areas {
        header,
        remote,
        error,
        body: row_at(top, bottom.saturating_sub(top)),
        status,
    }
}

/// The last Alpaca error while the link is not fully up, with what happens next:
/// a live countdown to the retry, or how to leave a stop.
pub(super) fn link_error(snap: &Snapshot, now: Ts) -> Option<String> {
    let a = &snap.alpaca;
    if a.state == LinkState::Subscribed {
        return None;
    }
    let mut text = a.last_error.clone()?;
    if a.fatal.is_some() {
        text.push_str(" · stopped: press r to reconnect");
    } else if let Some(at) = a.next_retry_at {
        let secs = (at.millis_since(now).max(0) + 999) / 1000;
        text.push_str(&format!(
            " · retry in {secs}s (attempt {}, {} failures in a row)",
            a.reconnect_attempts + 1,
            a.consecutive_failures
        ));
    }
    Some(text)
}
