//! Everything drawn over a page: the overlays in the order they were opened (help,
//! details; the last one on top) and the command palette's completion list.

use super::interact::{Overlay, PromptKind};
use super::state::UiState;
use super::theme::Theme;
use crate::engine::snapshot::Snapshot;
use ratatui::layout::Rect;
use ratatui::Frame;

/// `status` is where the status line was drawn, if it was.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    status: Option<Rect>,
    snap: &Snapshot,
    ui: &UiState,
    theme: &Theme,
) {
    for o in &ui.ix.overlays {
        match o {
            Overlay::Help { scroll } => super::help::draw(frame, area, &ui.ix.keymap, *scroll, theme),
            Overlay::Detail(d) => super::detail::draw(frame, area, snap, ui, d, theme),
        }
    }
    if ui.ix.prompt.as_ref().is_some_and(|p| p.kind == PromptKind::Palette) {
        let bottom = status.map_or(area.bottom(), |r| r.y);
        super::prompt_view::draw(frame, area, bottom, snap, ui, theme);
    }
}
