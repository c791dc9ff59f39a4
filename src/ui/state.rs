//! UI-local state (selection, overlays) and the pure key → [`Action`] mapping.
//! Nothing here touches the terminal or the clock, so every key path is unit-tested.

use crate::engine::snapshot::Snapshot;
use crate::engine::Command;
use crate::types::{parse_symbol, Symbol, Ts};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What the screen remembers between frames.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UiState {
    /// Index into `Snapshot::watchlist`; clamped when the list shrinks.
    pub selected: usize,
    pub show_help: bool,
    /// When set, ages and the header clock are measured against this instead of
    /// `Snapshot::now`. The shell sets it outside replay to the snapshot's time plus the
    /// wall time since it arrived, so a stuck engine shows up as growing ages.
    pub display_now: Option<Ts>,
    /// The "add symbol" prompt's text while it is open (`a`).
    pub input: Option<String>,
    /// A one-line message for the operator (a refused key, a bad symbol), shown in
    /// the status line until the next key.
    pub notice: Option<String>,
}

impl UiState {
    /// The selection clamped to a list of `len` rows; `None` for an empty list.
    pub fn selected_in(&self, len: usize) -> Option<usize> {
        len.checked_sub(1).map(|last| self.selected.min(last))
    }

    /// The instant ages are measured against.
    pub fn now(&self, snap: &Snapshot) -> Ts {
        self.display_now.unwrap_or(snap.now)
    }
}

/// What a key asked for. UI-local actions are already applied to the state when
/// [`on_key`] returns them; the shell only needs to act on those with a [`Action::command`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    SelectPrev,
    SelectNext,
    SelectFirst,
    SelectLast,
    ToggleHelp,
    CloseHelp,
    /// Tear down the Alpaca connection and connect again now.
    Reconnect,
    /// The add-symbol prompt opened, changed or closed (UI-local).
    Edit,
    AddSymbol(Symbol),
    RemoveSymbol(Symbol),
}

impl Action {
    /// The engine command this action stands for, if any.
    pub fn command(&self) -> Option<Command> {
        match self {
            Action::Quit => Some(Command::Quit),
            Action::Reconnect => Some(Command::ReconnectAlpaca),
            Action::AddSymbol(s) => Some(Command::ChangeWatchlist {
                add: vec![s.clone()],
                remove: Vec::new(),
            }),
            Action::RemoveSymbol(s) => Some(Command::ChangeWatchlist {
                add: Vec::new(),
                remove: vec![s.clone()],
            }),
            Action::SelectPrev
            | Action::SelectNext
            | Action::SelectFirst
            | Action::SelectLast
            | Action::ToggleHelp
            | Action::CloseHelp
            | Action::Edit => None,
        }
    }
}

/// Maps one key event to an action and applies UI-local effects to `state`.
/// Returns `None` for keys (and key releases) that mean nothing.
pub fn on_key(state: &mut UiState, key: KeyEvent, snap: &Snapshot) -> Option<Action> {
    // Some terminals report releases and repeats too; act on presses and repeats only.
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    state.notice = None;
    if state.input.is_some() && !(ctrl && key.code == KeyCode::Char('c')) {
        return Some(edit_input(state, key.code));
    }
    let action = match key.code {
        KeyCode::Char('c') if ctrl => Action::Quit,
        _ if ctrl => return None,
        KeyCode::Char('q') | KeyCode::Char('Q') => Action::Quit,
        KeyCode::Esc if state.show_help => Action::CloseHelp,
        KeyCode::Esc => Action::Quit,
        KeyCode::Char('?') => Action::ToggleHelp,
        KeyCode::Char('r') => Action::Reconnect,
        KeyCode::Char('a') => {
            state.input = Some(String::new());
            Action::Edit
        }
        KeyCode::Char('d') | KeyCode::Delete => {
            let rows = snap.watchlist.len();
            match state.selected_in(rows) {
                Some(_) if rows == 1 => {
                    state.notice = Some("the last symbol cannot be removed".into());
                    return None;
                }
                Some(i) => Action::RemoveSymbol(snap.watchlist[i].symbol.clone()),
                None => return None,
            }
        }
        KeyCode::Up | KeyCode::Char('k') => Action::SelectPrev,
        KeyCode::Down | KeyCode::Char('j') => Action::SelectNext,
        KeyCode::Home | KeyCode::Char('g') => Action::SelectFirst,
        KeyCode::End | KeyCode::Char('G') => Action::SelectLast,
        _ => return None,
    };
    apply(state, &action, snap.watchlist.len());
    Some(action)
}

/// Keys while the add-symbol prompt is open: letters are upper-cased as typed,
/// Enter submits a valid symbol, Esc cancels.
fn edit_input(state: &mut UiState, code: KeyCode) -> Action {
    let Some(buf) = state.input.as_mut() else {
        return Action::Edit;
    };
    match code {
        KeyCode::Esc => state.input = None,
        KeyCode::Backspace => {
            buf.pop();
        }
        KeyCode::Enter => match parse_symbol(buf) {
            Ok(sym) => {
                state.input = None;
                return Action::AddSymbol(sym);
            }
            Err(msg) => state.notice = Some(msg),
        },
        KeyCode::Char(c) if buf.len() < 21 && (c.is_ascii_alphanumeric() || "./-".contains(c)) => {
            buf.push(c.to_ascii_uppercase())
        }
        _ => {}
    }
    Action::Edit
}

fn apply(state: &mut UiState, action: &Action, rows: usize) {
    let current = state.selected_in(rows).unwrap_or(0);
    let last = rows.saturating_sub(1);
    match action {
        Action::SelectPrev => state.selected = current.saturating_sub(1),
        Action::SelectNext => state.selected = (current + 1).min(last),
        Action::SelectFirst => state.selected = 0,
        Action::SelectLast => state.selected = last,
        Action::ToggleHelp => state.show_help = !state.show_help,
        Action::CloseHelp => state.show_help = false,
        Action::Quit
        | Action::Reconnect
        | Action::Edit
        | Action::AddSymbol(_)
        | Action::RemoveSymbol(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::testutil::sample_snapshot;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
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
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod keys_tests;
