//! Everything drawn over a page: the overlays in the order they were opened (help,
//! details; the last one on top) and the command palette's completion list. Overlays
//! stay above the status line ([`region`]), so a notice or an open prompt is seen.

use super::interact::{Overlay, PromptKind};
use super::state::UiState;
use super::theme::Theme;
use crate::engine::snapshot::Snapshot;
use ratatui::layout::Rect;
use ratatui::Frame;

/// Where overlays may go on a screen of `area`: all of it but the status line. The
/// layout and the keys (scrolling, the mouse) both use this, so they agree.
pub fn region(area: Rect, snap: &Snapshot, ui: &UiState) -> Rect {
    let rows = super::statusline::status_rows(snap, ui, &Theme::default(), area.width);
    let split = super::view::split(area, false, false, rows);
    match split.status {
        Some(s) => Rect::new(area.x, area.y, area.width, s.y.saturating_sub(area.y)),
        None => area,
    }
}

/// `status` is where the status line was drawn, if it was.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    status: Option<Rect>,
    snap: &Snapshot,
    ui: &UiState,
    theme: &Theme,
) {
    let within = region(area, snap, ui);
    for o in &ui.ix.overlays {
        match o {
            Overlay::Help { scroll } => {
                super::help::draw(frame, within, &ui.ix.keymap, *scroll, theme)
            }
            Overlay::Detail(d) => super::detail::draw(frame, within, snap, ui, d, theme),
        }
    }
    if ui
        .ix
        .prompt
        .as_ref()
        .is_some_and(|p| p.kind == PromptKind::Palette)
    {
        let bottom = status.map_or(area.bottom(), |r| r.y);
        super::prompt_view::draw(frame, area, bottom, snap, ui, theme);
    }
}
