//! Keys that move between pages and act on the current one: navigation, Tab and
//! digits, failover, breaker reset, and typing into the add prompt.

use super::*;
use crate::outputs::ui::testutil::sample_snapshot;
use crossterm::event::{KeyEvent, KeyModifiers};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[test]
fn navigation_on_empty_watchlist_stays_at_zero() {
    let mut snap = sample_snapshot();
    snap.watchlist.clear();
    let mut st = UiState::default();
    for code in [KeyCode::Down, KeyCode::Up, KeyCode::End, KeyCode::Home] {
        on_key(&mut st, key(code), &snap);
        assert_eq!(st.selected, 0);
        assert_eq!(st.selected_in(0), None);
    }
}

#[test]
fn only_quit_maps_to_an_engine_command() {
    assert!(matches!(Action::Quit.command(), Some(Command::Quit)));
    assert!(Action::SelectNext.command().is_none());
    assert!(Action::ToggleHelp.command().is_none());
}

#[test]
fn tab_and_digits_switch_pages() {
    let snap = sample_snapshot();
    let mut ui = UiState::default();
    assert_eq!(ui.page, Page::Market);
    // (key, expected action, page afterwards)
    let cases = [
        (KeyCode::Tab, Action::ShowPage(Page::Health), Page::Health),
        (
            KeyCode::Tab,
            Action::ShowPage(Page::Positions),
            Page::Positions,
        ),
        (KeyCode::Tab, Action::ShowPage(Page::Alerts), Page::Alerts),
        (KeyCode::Tab, Action::ShowPage(Page::Market), Page::Market),
        (
            KeyCode::BackTab,
            Action::ShowPage(Page::Alerts),
            Page::Alerts,
        ),
        (
            KeyCode::BackTab,
            Action::ShowPage(Page::Positions),
            Page::Positions,
        ),
        (
            KeyCode::Char('4'),
            Action::ShowPage(Page::Alerts),
            Page::Alerts,
        ),
        (
            KeyCode::Char('1'),
            Action::ShowPage(Page::Market),
            Page::Market,
        ),
        (
            KeyCode::Char('1'),
            Action::ShowPage(Page::Market),
            Page::Market,
        ),
        (
            KeyCode::Char('2'),
            Action::ShowPage(Page::Health),
            Page::Health,
        ),
        (
            KeyCode::Char('2'),
            Action::ShowPage(Page::Health),
            Page::Health,
        ),
    ];
    for (i, (code, want, page)) in cases.into_iter().enumerate() {
        let got = on_key(&mut ui, key(code), &snap);
        assert_eq!(got.as_ref(), Some(&want), "case {i}: {code:?}");
        assert_eq!(ui.page, page, "case {i}: page after {code:?}");
        assert!(want.command().is_none(), "paging stays in the UI");
    }
}

#[test]
fn f_toggles_the_failover_on_either_page() {
    let snap = sample_snapshot();
    for page in Page::ALL {
        let mut ui = UiState {
            page,
            ..UiState::default()
        };
        let a = on_key(&mut ui, key(KeyCode::Char('f')), &snap);
        assert_eq!(a, Some(Action::ToggleFailover), "{page:?}");
        assert!(matches!(
            a.and_then(|a| a.command()),
            Some(Command::Failover(FailoverAction::Toggle))
        ));
    }
}

#[test]
fn b_resets_the_selected_symbols_breaker_on_the_market_page() {
    let mut snap = sample_snapshot();
    snap.watchlist[3].held = Some("439.07".parse().unwrap());
    // A held row and a plain row both send the reset; the engine answers.
    for selected in [3, 0, 99] {
        let mut ui = UiState {
            selected,
            ..UiState::default()
        };
        let want = snap.watchlist[selected.min(11)].symbol.clone();
        let a = on_key(&mut ui, key(KeyCode::Char('b')), &snap);
        assert_eq!(a, Some(Action::ResetSymbolBreaker(want.clone())));
        assert!(matches!(
            a.and_then(|a| a.command()),
            Some(Command::ResetSymbolBreaker(s)) if s == want
        ));
    }
    // On the Health page the selection is not on screen: nothing is sent, and the
    // notice says how to get there.
    let mut ui = UiState {
        page: Page::Health,
        ..UiState::default()
    };
    assert_eq!(on_key(&mut ui, key(KeyCode::Char('b')), &snap), None);
    assert!(ui.notice.as_deref().unwrap_or("").contains("Market page"));
    // No rows, nothing to reset.
    snap.watchlist.clear();
    let mut ui = UiState::default();
    assert_eq!(on_key(&mut ui, key(KeyCode::Char('b')), &snap), None);
}

#[test]
fn new_keys_type_into_the_add_prompt() {
    let snap = sample_snapshot();
    let mut ui = UiState {
        input: Some(String::new()),
        ..UiState::default()
    };
    for code in [KeyCode::Char('f'), KeyCode::Char('b'), KeyCode::Char('2')] {
        assert_eq!(on_key(&mut ui, key(code), &snap), Some(Action::Edit));
    }
    assert_eq!(
        on_key(&mut ui, key(KeyCode::Tab), &snap),
        Some(Action::Edit)
    );
    assert_eq!(ui.input.as_deref(), Some("FB2"));
    assert_eq!(ui.page, Page::Market);
}
