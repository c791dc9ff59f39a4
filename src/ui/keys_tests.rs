//! Key tests for the operator actions that reach the engine (reconnect, watchlist edits).

use super::*;
use crate::ui::testutil::sample_snapshot;
use crossterm::event::{KeyEvent, KeyModifiers};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[test]
fn r_asks_the_engine_to_reconnect() {
    let snap = crate::ui::testutil::sample_snapshot();
    let mut st = UiState::default();
    let a = on_key(
        &mut st,
        KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE),
        &snap,
    );
    assert_eq!(a, Some(Action::Reconnect));
    assert!(matches!(
        a.and_then(|a| a.command()),
        Some(Command::ReconnectAlpaca)
    ));
}

#[test]
fn add_prompt_uppercases_validates_and_submits() {
    let snap = sample_snapshot();
    let mut ui = UiState::default();
    let press = |ui: &mut UiState, c: KeyCode| on_key(ui, key(c), &snap);
    assert_eq!(press(&mut ui, KeyCode::Char('a')), Some(Action::Edit));
    assert_eq!(ui.input.as_deref(), Some(""));
    // 'q' types a letter here; it does not quit.
    for c in ['b', 'r', 'k', '.', 'q', ' '] {
        assert_eq!(press(&mut ui, KeyCode::Char(c)), Some(Action::Edit));
    }
    assert_eq!(ui.input.as_deref(), Some("BRK.Q"));
    press(&mut ui, KeyCode::Backspace);
    press(&mut ui, KeyCode::Char('b'));
    assert_eq!(
        press(&mut ui, KeyCode::Enter),
        Some(Action::AddSymbol("BRK.B".into()))
    );
    assert_eq!(ui.input, None);
    // An empty prompt is refused with a notice and stays open; Esc closes it.
    press(&mut ui, KeyCode::Char('a'));
    assert_eq!(press(&mut ui, KeyCode::Enter), Some(Action::Edit));
    assert!(ui.notice.as_deref().unwrap_or("").contains("not a ticker"));
    assert!(ui.input.is_some());
    press(&mut ui, KeyCode::Esc);
    assert_eq!(ui.input, None);
}

#[test]
fn d_removes_the_selected_symbol_but_never_the_last() {
    let snap = sample_snapshot();
    let mut ui = UiState {
        selected: 1,
        ..UiState::default()
    };
    let a = on_key(&mut ui, key(KeyCode::Char('d')), &snap);
    let sym = snap.watchlist[1].symbol.clone();
    assert_eq!(a, Some(Action::RemoveSymbol(sym.clone())));
    assert!(matches!(
        a.and_then(|a| a.command()),
        Some(Command::ChangeWatchlist { add, remove }) if add.is_empty() && remove == [sym]
    ));
    let mut one = snap.clone();
    one.watchlist.truncate(1);
    assert_eq!(on_key(&mut ui, key(KeyCode::Char('d')), &one), None);
    assert!(ui.notice.is_some());
}
