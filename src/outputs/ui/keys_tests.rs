//! Key tests: the navigation table, and the operator actions that reach the engine
//! (reconnect, watchlist edits, failover, symbol breaker resets) and the page switch.

use super::*;
use crate::outputs::ui::testutil::sample_snapshot;
use crossterm::event::{KeyEvent, KeyEventKind, KeyModifiers};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[test]
fn r_asks_the_engine_to_reconnect() {
    let snap = crate::outputs::ui::testutil::sample_snapshot();
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
    for c in ['b', 'r', 'k', '.', 'q'] {
        assert_eq!(press(&mut ui, KeyCode::Char(c)), Some(Action::Edit));
        assert_eq!(ui.notice, None, "{c:?} keeps a valid symbol");
    }
    assert_eq!(ui.input.as_deref(), Some("BRK.Q"));
    // A space is kept as typed and the reason shows at once; Enter does not submit.
    press(&mut ui, KeyCode::Char(' '));
    assert_eq!(ui.input.as_deref(), Some("BRK.Q "));
    assert_eq!(press(&mut ui, KeyCode::Enter), Some(Action::Edit));
    assert_eq!(ui.input.as_deref(), Some("BRK.Q "));
    assert!(
        ui.notice
            .as_deref()
            .unwrap_or("")
            .contains("contains a space at character 6"),
        "{:?}",
        ui.notice
    );
    press(&mut ui, KeyCode::Backspace);
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
    assert!(ui.notice.as_deref().unwrap_or("").contains("empty"));
    assert!(ui.input.is_some());
    press(&mut ui, KeyCode::Esc);
    assert_eq!(ui.input, None);
}

/// The prompt never alters what was typed beyond upper-casing letters: a symbol
/// that breaks the grammar is refused with the reason and the text stays to fix.
#[test]
fn add_prompt_refuses_with_the_reason_and_keeps_the_text() {
    let snap = sample_snapshot();
    for (typed, kept, reason) in [
        (
            "toolongsymbol",
            "TOOLONGSYMBOL",
            "longer than 12 characters",
        ),
        ("a b", "A B", "contains a space at character 2"),
        ("brk-b", "BRK-B", "'-' at character 4 is not allowed"),
    ] {
        let mut ui = UiState::default();
        on_key(&mut ui, key(KeyCode::Char('a')), &snap);
        for c in typed.chars() {
            on_key(&mut ui, key(KeyCode::Char(c)), &snap);
        }
        assert_eq!(
            on_key(&mut ui, key(KeyCode::Enter), &snap),
            Some(Action::Edit),
            "{typed} must not be added"
        );
        assert_eq!(ui.input.as_deref(), Some(kept));
        let notice = ui.notice.clone().unwrap_or_default();
        assert!(
            notice.contains(&format!("{kept:?}")) && notice.contains(reason),
            "{typed}: {notice}"
        );
    }
    // Crypto pairs and the longest allowed symbol go through unchanged.
    for typed in ["btc/usd", "abcdefghijkl"] {
        let mut ui = UiState::default();
        on_key(&mut ui, key(KeyCode::Char('a')), &snap);
        for c in typed.chars() {
            on_key(&mut ui, key(KeyCode::Char(c)), &snap);
        }
        assert_eq!(
            on_key(&mut ui, key(KeyCode::Enter), &snap),
            Some(Action::AddSymbol(typed.to_ascii_uppercase().into()))
        );
    }
    // The prompt is bounded, and says so rather than dropping a key silently.
    let mut ui = UiState {
        input: Some("X".repeat(PROMPT_MAX_CHARS)),
        ..UiState::default()
    };
    on_key(&mut ui, key(KeyCode::Char('Y')), &snap);
    assert_eq!(ui.input.as_deref().map(str::len), Some(PROMPT_MAX_CHARS));
    assert!(ui.notice.unwrap_or_default().contains("was not added"));
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

#[test]
fn key_table() {
    let snap = sample_snapshot(); // 12 symbols
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    let ctrl_j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL);
    let mut release = key(KeyCode::Char('q'));
    release.kind = KeyEventKind::Release;
    // (start selected, help shown, key, expected action, end selected, end help)
    let cases: Vec<(usize, bool, KeyEvent, Option<Action>, usize, bool)> = vec![
        (
            0,
            false,
            key(KeyCode::Char('q')),
            Some(Action::Quit),
            0,
            false,
        ),
        (
            0,
            true,
            key(KeyCode::Char('q')),
            Some(Action::Quit),
            0,
            true,
        ),
        (0, false, key(KeyCode::Esc), Some(Action::Quit), 0, false),
        (
            0,
            true,
            key(KeyCode::Esc),
            Some(Action::CloseHelp),
            0,
            false,
        ),
        (3, true, ctrl_c, Some(Action::Quit), 3, true),
        (0, false, ctrl_j, None, 0, false),
        (0, false, release, None, 0, false),
        (
            0,
            false,
            key(KeyCode::Char('?')),
            Some(Action::ToggleHelp),
            0,
            true,
        ),
        (
            0,
            true,
            key(KeyCode::Char('?')),
            Some(Action::ToggleHelp),
            0,
            false,
        ),
        (
            0,
            false,
            key(KeyCode::Down),
            Some(Action::SelectNext),
            1,
            false,
        ),
        (
            0,
            false,
            key(KeyCode::Char('j')),
            Some(Action::SelectNext),
            1,
            false,
        ),
        (
            11,
            false,
            key(KeyCode::Down),
            Some(Action::SelectNext),
            11,
            false,
        ),
        (
            5,
            false,
            key(KeyCode::Up),
            Some(Action::SelectPrev),
            4,
            false,
        ),
        (
            5,
            false,
            key(KeyCode::Char('k')),
            Some(Action::SelectPrev),
            4,
            false,
        ),
        (
            0,
            false,
            key(KeyCode::Up),
            Some(Action::SelectPrev),
            0,
            false,
        ),
        (
            40,
            false,
            key(KeyCode::Up),
            Some(Action::SelectPrev),
            10,
            false,
        ),
        (
            5,
            false,
            key(KeyCode::Char('g')),
            Some(Action::SelectFirst),
            0,
            false,
        ),
        (
            5,
            false,
            key(KeyCode::End),
            Some(Action::SelectLast),
            11,
            false,
        ),
        (5, false, key(KeyCode::Char('x')), None, 5, false),
    ];
    for (i, (sel, help, k, want, want_sel, want_help)) in cases.into_iter().enumerate() {
        let mut st = UiState {
            selected: sel,
            show_help: help,
            display_now: None,
            ..UiState::default()
        };
        let got = on_key(&mut st, k, &snap);
        assert_eq!(got, want, "case {i}: action for {k:?}");
        assert_eq!(st.selected, want_sel, "case {i}: selection for {k:?}");
        assert_eq!(st.show_help, want_help, "case {i}: help for {k:?}");
    }
}
