//! Moving: ↑/↓, PgUp/PgDn and Home/End scroll the overlay on top (the help, a
//! detail, where ↑/↓ pick the runbook command instead when there are commands), or
//! move the selection in the list the keys act on. Page-sized moves use the rows the
//! list had at the last draw.

use super::actions::Action;
use super::dispatch::Effect;
use super::interact::Overlay;
use super::lists;
use super::state::UiState;
use crate::engine::snapshot::Snapshot;

pub fn move_in(ui: &mut UiState, snap: &Snapshot, action: Action) -> Option<Effect> {
    let area = ui.ix.area;
    match ui.ix.overlays.last() {
        Some(Overlay::Help { scroll }) => {
            let within = super::overlays::region(area, snap, ui);
            let (visible, total) = super::help::extent(&ui.ix.keymap, within);
            let scroll = scrolled(*scroll, action, visible, total);
            if let Some(Overlay::Help { scroll: s }) = ui.ix.overlays.last_mut() {
                *s = scroll;
            }
            Some(Effect::Ui)
        }
        Some(Overlay::Detail(_)) => {
            super::detail::move_in(ui, snap, action);
            Some(Effect::Ui)
        }
        None => {
            let list = ui.ix.focused(ui.page)?;
            let n = lists::len(snap, ui, list);
            let cur = lists::selected(snap, ui, list).unwrap_or(0);
            let page = super::hits::list_rows(snap, ui, list).max(2) - 1;
            let next = match action {
                Action::Up => cur.saturating_sub(1),
                Action::Down => cur + 1,
                Action::PageUp => cur.saturating_sub(page),
                Action::PageDown => cur + page,
                Action::First => 0,
                _ => n.saturating_sub(1),
            };
            lists::select(snap, ui, list, next);
            Some(Effect::Ui)
        }
    }
}

/// A scroll position after a move, kept within `0..=total - visible`.
pub fn scrolled(scroll: u16, action: Action, visible: usize, total: usize) -> u16 {
    let max = total.saturating_sub(visible);
    let page = visible.saturating_sub(1).max(1);
    let cur = usize::from(scroll).min(max);
    let next = match action {
        Action::Up => cur.saturating_sub(1),
        Action::Down => cur + 1,
        Action::PageUp => cur.saturating_sub(page),
        Action::PageDown => cur + page,
        Action::First => 0,
        _ => max,
    };
    u16::try_from(next.min(max)).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrolling_stays_in_range() {
        // (scroll, action, visible, total, expected)
        let cases = [
            (0, Action::Up, 10, 30, 0),
            (0, Action::Down, 10, 30, 1),
            (20, Action::Down, 10, 30, 20),
            (0, Action::PageDown, 10, 30, 9),
            (15, Action::PageUp, 10, 30, 6),
            (3, Action::Last, 10, 30, 20),
            (3, Action::First, 10, 30, 0),
            (0, Action::Down, 10, 5, 0),
            (500, Action::Up, 10, 30, 19),
        ];
        for (i, (s, a, v, t, want)) in cases.into_iter().enumerate() {
            assert_eq!(scrolled(s, a, v, t), want, "case {i}");
        }
    }
}
