//! Keys through the dispatch the terminal uses: quitting and Esc, pages, selection,
//! the operator commands that reach the engine, and keys bound on another page.

use super::*;
use crate::messages::command::FailoverAction;
use crate::outputs::ui::interact::{ListId, Overlay};
use crate::outputs::ui::state::Page;
use crate::outputs::ui::testutil::sample_snapshot;
use crossterm::event::KeyModifiers;

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn press(ui: &mut UiState, snap: &Snapshot, code: KeyCode) -> Option<Effect> {
    on_key(ui, key(code), snap)
}

fn is_quit(e: &Option<Effect>) -> bool {
    matches!(e, Some(Effect::Quit))
}

#[test]
fn quit_esc_and_overlays() {
    let snap = sample_snapshot();
    let mut ui = UiState::default();
    // Esc on a page never quits; it says what does.
    assert!(press(&mut ui, &snap, KeyCode::Esc).is_none());
    assert!(
        ui.notice.as_deref().unwrap_or("").contains("q quits"),
        "{:?}",
        ui.notice
    );
    // ? opens the help; q and Esc close it rather than quit.
    press(&mut ui, &snap, KeyCode::Char('?'));
    assert!(ui.ix.help_open());
    assert!(!is_quit(&press(&mut ui, &snap, KeyCode::Char('q'))));
    assert!(ui.ix.overlays.is_empty());
    press(&mut ui, &snap, KeyCode::Char('?'));
    press(&mut ui, &snap, KeyCode::Esc);
    assert!(ui.ix.overlays.is_empty());
    // q on a page quits; Ctrl-C quits from anywhere, a prompt included.
    assert!(is_quit(&press(&mut ui, &snap, KeyCode::Char('q'))));
    press(&mut ui, &snap, KeyCode::Char(':'));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert!(is_quit(&on_key(&mut ui, ctrl_c, &snap)));
    // Releases do nothing.
    let mut release = key(KeyCode::Char('q'));
    release.kind = KeyEventKind::Release;
    assert!(on_key(&mut UiState::default(), release, &snap).is_none());
}

#[test]
fn esc_closes_the_innermost_overlay_first() {
    let snap = sample_snapshot();
    let mut ui = UiState::default();
    ui.ix.focus[0] = 1; // the event log
    press(&mut ui, &snap, KeyCode::Enter);
    press(&mut ui, &snap, KeyCode::Char('?'));
    assert_eq!(ui.ix.overlays.len(), 2);
    press(&mut ui, &snap, KeyCode::Esc);
    assert!(matches!(ui.ix.overlays.as_slice(), [Overlay::Detail(_)]));
    press(&mut ui, &snap, KeyCode::Esc);
    assert!(ui.ix.overlays.is_empty());
    assert!(!is_quit(&press(&mut ui, &snap, KeyCode::Esc)));
}

#[test]
fn navigation_table() {
    let snap = sample_snapshot(); // 12 symbols
                                  // (start selected, key, end selected)
    let cases = [
        (0, KeyCode::Down, 1),
        (0, KeyCode::Char('j'), 1),
        (11, KeyCode::Down, 11),
        (5, KeyCode::Up, 4),
        (5, KeyCode::Char('k'), 4),
        (0, KeyCode::Up, 0),
        (40, KeyCode::Up, 10),
        (5, KeyCode::Char('g'), 0),
        (5, KeyCode::Home, 0),
        (5, KeyCode::End, 11),
        (5, KeyCode::Char('G'), 11),
        (0, KeyCode::PageDown, 11),
        (11, KeyCode::PageUp, 0),
        (5, KeyCode::Char('x'), 5),
    ];
    for (i, (sel, code, want)) in cases.into_iter().enumerate() {
        let mut ui = UiState {
            selected: sel,
            ..UiState::default()
        };
        ui.ix.area = ratatui::layout::Rect::new(0, 0, 80, 40);
        press(&mut ui, &snap, code);
        assert_eq!(ui.selected, want, "case {i}: {code:?}");
    }
    let mut empty = snap.clone();
    empty.watchlist.clear();
    let mut ui = UiState::default();
    for code in [KeyCode::Down, KeyCode::Up, KeyCode::End, KeyCode::Home] {
        press(&mut ui, &empty, code);
        assert_eq!(ui.selected, 0);
    }
}

#[test]
fn tab_digits_and_panels() {
    let snap = sample_snapshot();
    let mut ui = UiState::default();
    // (key, page afterwards)
    let cases = [
        (KeyCode::Tab, Page::Health),
        (KeyCode::Tab, Page::Positions),
        (KeyCode::Tab, Page::Alerts),
        (KeyCode::Tab, Page::Market),
        (KeyCode::BackTab, Page::Alerts),
        (KeyCode::Char('3'), Page::Positions),
        (KeyCode::Char('1'), Page::Market),
        (KeyCode::Char('2'), Page::Health),
    ];
    for (code, page) in cases {
        assert!(matches!(press(&mut ui, &snap, code), Some(Effect::Ui)));
        assert_eq!(ui.page, page, "{code:?}");
    }
    let mut ui = UiState::default();
    assert_eq!(ui.ix.focused(Page::Market), Some(ListId::Watchlist));
    press(&mut ui, &snap, KeyCode::Right);
    assert_eq!(ui.ix.focused(Page::Market), Some(ListId::Events));
    press(&mut ui, &snap, KeyCode::Char('l'));
    assert_eq!(ui.ix.focused(Page::Market), Some(ListId::Watchlist));
    press(&mut ui, &snap, KeyCode::Char('h'));
    assert_eq!(ui.ix.focused(Page::Market), Some(ListId::Events));
}

#[test]
fn operator_keys_send_engine_commands() {
    let mut snap = sample_snapshot();
    snap.watchlist[3].held = Some("439.07".parse().unwrap());
    let mut ui = UiState::default();
    assert!(matches!(
        press(&mut ui, &snap, KeyCode::Char('r')),
        Some(Effect::Send(Command::ReconnectAlpaca))
    ));
    for page in Page::ALL {
        let mut ui = UiState {
            page,
            ..UiState::default()
        };
        assert!(matches!(
            press(&mut ui, &snap, KeyCode::Char('f')),
            Some(Effect::Send(Command::Failover(FailoverAction::Toggle)))
        ));
    }
    // b and d act on the selected row, which is on the Market page only.
    for selected in [3, 0, 99] {
        let mut ui = UiState {
            selected,
            ..UiState::default()
        };
        let want = snap.watchlist[selected.min(11)].symbol.clone();
        assert!(matches!(
            press(&mut ui, &snap, KeyCode::Char('b')),
            Some(Effect::Send(Command::ResetSymbolBreaker(s))) if s == want
        ));
        assert!(matches!(
            press(&mut ui, &snap, KeyCode::Char('d')),
            Some(Effect::Send(Command::ChangeWatchlist { add, remove })) if add.is_empty() && remove == [want.clone()]
        ));
    }
    let mut ui = UiState {
        page: Page::Health,
        ..UiState::default()
    };
    assert!(press(&mut ui, &snap, KeyCode::Char('b')).is_none());
    let notice = ui.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("Market page") && notice.contains("held price"),
        "{notice}"
    );
    let mut one = snap.clone();
    one.watchlist.truncate(1);
    let mut ui = UiState::default();
    assert!(press(&mut ui, &one, KeyCode::Char('d')).is_none());
    assert!(ui.notice.unwrap_or_default().contains("last symbol"));
    // s/S sort on the Positions page only.
    let mut ui = UiState {
        page: Page::Positions,
        ..UiState::default()
    };
    press(&mut ui, &snap, KeyCode::Char('s'));
    press(&mut ui, &snap, KeyCode::Char('S'));
    assert_ne!(ui.sort_key, Default::default());
    assert!(ui.sort_descending);
}

#[test]
fn enter_on_a_watchlist_row_opens_the_symbol_view_in_its_own_context() {
    let snap = sample_snapshot();
    let mut ui = UiState::default();
    assert!(matches!(
        press(&mut ui, &snap, KeyCode::Enter),
        Some(Effect::Ui)
    ));
    assert!(ui.symbol_view.is_some() && ui.ix.overlays.is_empty());
    assert_eq!(innermost(&ui), crate::outputs::ui::keymap::Context::Symbol);
    // Page keys still work there; Esc leaves the view and never quits.
    press(&mut ui, &snap, KeyCode::Char('?'));
    assert!(ui.ix.help_open());
    press(&mut ui, &snap, KeyCode::Esc);
    assert!(!matches!(
        press(&mut ui, &snap, KeyCode::Esc),
        Some(Effect::Quit)
    ));
    assert!(ui.symbol_view.is_none());
}
