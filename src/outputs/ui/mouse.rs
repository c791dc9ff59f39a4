//! The mouse: a click on a tab shows its page, a click on a row selects it (and the
//! panel it is in), a second click on the same row soon after opens it, and the wheel
//! scrolls the overlay on top or the list under the pointer. Pure like key dispatch:
//! the shell gives the time of the event on its own clock.

use super::actions::Action;
use super::dispatch::Effect;
use super::hits::{self, Hit};
use super::interact::Click;
use super::lists;
use super::state::UiState;
use crate::engine::snapshot::Snapshot;
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

/// Two clicks on one row within this long are a double click.
pub const DOUBLE_CLICK_MS: u64 = 500;
/// Rows one wheel notch moves.
const WHEEL_ROWS: usize = 3;

pub fn on_mouse(ui: &mut UiState, ev: MouseEvent, snap: &Snapshot, at_ms: u64) -> Option<Effect> {
    // A prompt has the keyboard's attention; the mouse waits until it is closed.
    if ui.ix.prompt.is_some() {
        return None;
    }
    let area = ui.ix.area;
    match ev.kind {
        MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
            let up = ev.kind == MouseEventKind::ScrollUp;
            if !ui.ix.overlays.is_empty() {
                let action = if up { Action::Up } else { Action::Down };
                for _ in 0..WHEEL_ROWS {
                    super::nav::move_in(ui, snap, action);
                }
                return Some(Effect::Ui);
            }
            let list = match hits::at(snap, ui, area, ev.column, ev.row)? {
                Hit::Row(l, _) | Hit::Panel(l) => l,
                Hit::Tab(_) | Hit::NextTab => return None,
            };
            ui.ix.set_focus(ui.page, list);
            let cur = lists::selected(snap, ui, list).unwrap_or(0);
            let next = if up {
                cur.saturating_sub(WHEEL_ROWS)
            } else {
                cur + WHEEL_ROWS
            };
            lists::select(snap, ui, list, next);
            Some(Effect::Ui)
        }
        MouseEventKind::Down(MouseButton::Left) => {
            // Overlays are read with the keys; a click elsewhere does not reach the page.
            if !ui.ix.overlays.is_empty() {
                return None;
            }
            ui.notice = None;
            match hits::at(snap, ui, area, ev.column, ev.row)? {
                Hit::Tab(page) => super::perform::show(ui, page),
                Hit::NextTab => super::perform::show(ui, ui.page.next()),
                Hit::Panel(list) => {
                    ui.ix.set_focus(ui.page, list);
                    Some(Effect::Ui)
                }
                Hit::Row(list, index) => {
                    ui.ix.set_focus(ui.page, list);
                    lists::select(snap, ui, list, index);
                    let click = Click { at_ms, list, index };
                    let double = ui.ix.last_click.is_some_and(|c| {
                        c.list == list
                            && c.index == index
                            && at_ms.saturating_sub(c.at_ms) <= DOUBLE_CLICK_MS
                    });
                    if double {
                        ui.ix.last_click = None;
                        return super::detail::open_selected(ui, snap).or(Some(Effect::Ui));
                    }
                    ui.ix.last_click = Some(click);
                    Some(Effect::Ui)
                }
            }
        }
        _ => None,
    }
}

#[cfg(test)]
#[path = "mouse_tests.rs"]
mod mouse_tests;
