//! The screen as a pure function of (snapshot, UI state, theme): header, the current
//! page (Market: watchlist and event log; Health: see [`super::health`]), status line,
//! and the overlays ([`super::overlays`]). No clock reads and no I/O, so the rendered
//! buffer is snapshot-tested at fixed sizes.

use super::chrome::draw_header;
use super::health::draw_health;
use super::state::{Page, UiState};
use super::statusline::{draw_status, status_rows};
use super::theme::{Role, Theme};
use super::watchlist::draw_watchlist;
use crate::domain::types::Ts;
use crate::engine::snapshot::Snapshot;
use crate::messages::LinkState;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// The event log is shown only when it gets at least this many rows (borders included).
const LOG_MIN_ROWS: u16 = 4;

/// A page body drawn below the header and above the status line.
type BodyFn = fn(&mut Frame, Rect, &Snapshot, &UiState, &Theme);

pub fn draw(frame: &mut Frame, snap: &Snapshot, ui: &UiState, theme: &Theme) {
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let rows = super::lists::watchlist(snap, ui).len();
    let status_rows = status_rows(snap, ui, theme, area.width);
    let body_fn: Option<BodyFn> = match ui.page {
        Page::Market => None,
        // The Alpaca error has its place in the connection panel there.
        Page::Health => Some(draw_health),
        Page::Positions => Some(super::positions::draw_positions),
        Page::Alerts => Some(super::alerts::draw_alerts),
    };
    if let Some(body_fn) = body_fn {
        let areas = split(area, 0, false, status_rows);
        draw_header(frame, areas.header, snap, ui, theme);
        let top = areas.header.bottom();
        let bottom = areas.status.map_or(area.bottom(), |r| r.y);
        let body = Rect::new(area.x, top, area.width, bottom.saturating_sub(top));
        body_fn(frame, body, snap, ui, theme);
        if let Some(rect) = areas.status {
            draw_status(frame, rect, snap, ui, theme);
        }
        super::overlays::draw(frame, area, areas.status, snap, ui, theme);
        return;
    }
    let err = link_error(snap, ui.now(snap));
    let areas = split(area, rows, err.is_some(), status_rows);
    draw_header(frame, areas.header, snap, ui, theme);
    if let (Some(rect), Some(msg)) = (areas.error, err) {
        let line = Line::from(vec![
            Span::styled(" Alpaca: ", theme.style(Role::Error)),
            Span::styled(msg, theme.style(Role::Text)),
        ]);
        frame.render_widget(Paragraph::new(line), rect);
    }
    if let Some(rect) = areas.table {
        draw_watchlist(frame, rect, snap, ui, theme);
    }
    if let Some(rect) = areas.log {
        super::events_panel::draw(frame, rect, snap, ui, theme);
    }
    if let Some(rect) = areas.status {
        draw_status(frame, rect, snap, ui, theme);
    }
    super::overlays::draw(frame, area, areas.status, snap, ui, theme);
}

pub(super) struct Areas {
    pub header: Rect,
    pub error: Option<Rect>,
    pub table: Option<Rect>,
    pub log: Option<Rect>,
    pub status: Option<Rect>,
}

/// Row budget, top to bottom: header, optional error line, watchlist, event log, status
/// (one or two rows).
/// The watchlist gets what it needs first; the log takes the rest or disappears.
pub(super) fn split(area: Rect, rows: usize, want_error: bool, status_rows: u16) -> Areas {
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
    let error = (want_error && area.height >= 6).then(|| {
        top += 1;
        row_at(top - 1, 1)
    });
    let body = bottom.saturating_sub(top);
    // Borders and the column header, and one row for "no symbols".
    let table_need = u16::try_from(rows.max(1))
        .unwrap_or(u16::MAX)
        .saturating_add(3);
    let log_rows = if body >= table_need.saturating_add(LOG_MIN_ROWS) {
        body - table_need
    } else if body >= 16 {
        (body / 3).max(LOG_MIN_ROWS)
    } else {
        0
    };
    let table_rows = body - log_rows;
    Areas {
        header,
        error,
        table: (table_rows > 0).then(|| row_at(top, table_rows)),
        log: (log_rows > 0).then(|| row_at(top + table_rows, log_rows)),
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
