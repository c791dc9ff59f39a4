//! The mouse against what is drawn: positions are found in the rendered screen, so a
//! click is tested on the cell the user would click.

use super::*;
use crate::outputs::ui::interact::{ListId, Overlay};
use crate::outputs::ui::state::Page;
use crate::outputs::ui::testutil::{buffer_text, render_buffer, sample_snapshot};
use crate::outputs::ui::theme::Theme;
use crossterm::event::KeyModifiers;
use ratatui::layout::Rect;

/// Where `needle` is drawn (its first cell), searching rows from `from_row`.
fn find(
    snap: &Snapshot,
    ui: &UiState,
    w: u16,
    h: u16,
    needle: &str,
    from_row: usize,
) -> (u16, u16) {
    let text = buffer_text(&render_buffer(snap, ui, &Theme::default(), w, h));
    for (y, line) in text.lines().enumerate().skip(from_row) {
        if let Some(b) = line.find(needle) {
            return (line[..b].chars().count() as u16, y as u16);
        }
    }
    panic!("{needle:?} not on screen:\n{text}");
}

fn ui_at(w: u16, h: u16) -> UiState {
    let mut ui = UiState::default();
    ui.ix.area = Rect::new(0, 0, w, h);
    ui
}

fn click(ui: &mut UiState, snap: &Snapshot, (x, y): (u16, u16), at_ms: u64) -> Option<Effect> {
    let ev = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    };
    on_mouse(ui, ev, snap, at_ms)
}

fn wheel(ui: &mut UiState, snap: &Snapshot, (x, y): (u16, u16), down: bool) {
    let kind = if down {
        MouseEventKind::ScrollDown
    } else {
        MouseEventKind::ScrollUp
    };
    let ev = MouseEvent {
        kind,
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    };
    on_mouse(ui, ev, snap, 0);
}

#[test]
fn clicking_a_tab_switches_page() {
    let snap = sample_snapshot();
    for (w, h) in [(80, 24), (120, 40)] {
        let mut ui = ui_at(w, h);
        // Market shows the others by digit; clicking "2" shows Health, then "4" Alerts.
        let two = find(&snap, &ui, w, h, "│ 2 │", 0);
        click(&mut ui, &snap, (two.0 + 2, two.1), 0);
        assert_eq!(ui.page, Page::Health, "{w}x{h}");
        let four = find(&snap, &ui, w, h, " 4 ", 0);
        click(&mut ui, &snap, (four.0 + 1, four.1), 0);
        assert_eq!(ui.page, Page::Alerts, "{w}x{h}");
        let tab = find(&snap, &ui, w, h, " Tab ", 0);
        click(&mut ui, &snap, (tab.0 + 2, tab.1), 0);
        assert_eq!(ui.page, Page::Market, "{w}x{h}");
    }
}

#[test]
fn clicking_rows_selects_and_a_double_click_opens() {
    let snap = sample_snapshot();
    let (w, h) = (80, 24);
    let mut ui = ui_at(w, h);
    let msft = find(&snap, &ui, w, h, "MSFT", 0);
    click(&mut ui, &snap, msft, 0);
    assert_eq!(ui.selected, 1);
    // The event log's row: selected, focused, then opened by a second click.
    let parse_err = find(&snap, &ui, w, h, "frame 1832", 0);
    click(&mut ui, &snap, parse_err, 1_000);
    assert_eq!(ui.ix.focused(Page::Market), Some(ListId::Events));
    assert!(ui.ix.overlays.is_empty());
    click(&mut ui, &snap, parse_err, 1_300);
    assert!(matches!(ui.ix.overlays.last(), Some(Overlay::Detail(_))));
    // Too slow is two single clicks.
    let mut ui = ui_at(w, h);
    click(&mut ui, &snap, parse_err, 0);
    click(&mut ui, &snap, parse_err, 2_000);
    assert!(ui.ix.overlays.is_empty());
}

#[test]
fn the_wheel_scrolls_the_panel_under_the_pointer() {
    let mut snap = sample_snapshot();
    for i in 0..200 {
        snap.events.push(crate::domain::event::Event::new(
            snap.now,
            crate::domain::event::Level::Info,
            crate::domain::event::EventKind::Command,
            format!("event {i}"),
        ));
    }
    let (w, h) = (80, 24);
    let mut ui = ui_at(w, h);
    let log = find(&snap, &ui, w, h, "event 199", 0);
    wheel(&mut ui, &snap, log, true);
    wheel(&mut ui, &snap, log, true);
    assert_eq!(ui.ix.focused(Page::Market), Some(ListId::Events));
    assert_eq!(lists::selected(&snap, &ui, ListId::Events), Some(6));
    wheel(&mut ui, &snap, log, false);
    assert_eq!(lists::selected(&snap, &ui, ListId::Events), Some(3));
    // The watchlist under the pointer scrolls the watchlist.
    let aapl = find(&snap, &ui, w, h, "AAPL", 0);
    wheel(&mut ui, &snap, aapl, true);
    assert_eq!(ui.selected, 3);
    // An overlay on top takes the wheel.
    ui.ix.overlays.push(Overlay::Help { scroll: 0 });
    wheel(&mut ui, &snap, aapl, true);
    assert!(matches!(
        ui.ix.overlays.last(),
        Some(Overlay::Help { scroll: 3 })
    ));
}
