//! UI-local state (page, selection, overlays) and the pure key → [`Action`] mapping.
//! Nothing here touches the terminal or the clock, so every key path is unit-tested.

use crate::domain::alerts::Actor;
use crate::domain::types::{parse_symbol, Symbol, Ts};
use crate::engine::snapshot::Snapshot;
use crate::messages::command::FailoverAction;
use crate::messages::replay::ReplayAction;
use crate::messages::Command;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// The screen's pages, switched with `Tab` and `1`–`4`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Page {
    /// The watchlist and the event log.
    #[default]
    Market,
    /// Connections, router, breakers, validation and latency.
    Health,
    /// Positions and P&L.
    Positions,
    /// Alerts, SLOs and the alert history.
    Alerts,
}

impl Page {
    pub const ALL: [Page; 4] = [Page::Market, Page::Health, Page::Positions, Page::Alerts];

    /// The key that shows the page, and its name on the tab bar.
    pub const fn label(self) -> &'static str {
        match self {
            Page::Market => "1 Market",
            Page::Health => "2 Health",
            Page::Positions => "3 Positions",
            Page::Alerts => "4 Alerts",
        }
    }

    /// The digit that shows the page.
    pub const fn key(self) -> char {
        match self {
            Page::Market => '1',
            Page::Health => '2',
            Page::Positions => '3',
            Page::Alerts => '4',
        }
    }

    pub const fn next(self) -> Page {
        match self {
            Page::Market => Page::Health,
            Page::Health => Page::Positions,
            Page::Positions => Page::Alerts,
            Page::Alerts => Page::Market,
        }
    }

    pub const fn prev(self) -> Page {
        match self {
            Page::Market => Page::Alerts,
            Page::Health => Page::Market,
            Page::Positions => Page::Health,
            Page::Alerts => Page::Positions,
        }
    }
}

/// What the screen remembers between frames.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UiState {
    pub page: Page,
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
    /// The positions table's order (`s` cycles, `S` flips).
    pub sort_key: crate::domain::portfolio::SortKey,
    pub sort_descending: bool,
    /// Index into the Alerts page's active alerts; clamped like `selected`.
    pub alert_selected: usize,
    /// Render latency (snapshot received to frame drawn) over the last minute, measured
    /// by the shell and shown in the latency panel.
    pub render_latency_us: crate::domain::stats::LatencyView,
    /// The selected symbol's chart, open over the Market page (Enter; Esc closes).
    pub symbol_view: Option<super::actions::SymbolViewState>,
    /// A question waiting for y or n (see [`super::actions`]).
    pub confirm: Option<super::actions::Confirm>,
}

impl UiState {
    /// The selection clamped to a list of `len` rows; `None` for an empty list.
    pub fn selected_in(&self, len: usize) -> Option<usize> {
        len.checked_sub(1).map(|last| self.selected.min(last))
    }

    /// The alert selection clamped to `len` active alerts.
    pub fn alert_selected_in(&self, len: usize) -> Option<usize> {
        len.checked_sub(1).map(|last| self.alert_selected.min(last))
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
    /// Switch to a page (UI-local).
    ShowPage(Page),
    /// Force the Yahoo fallback, or release a forced one.
    ToggleFailover,
    /// Accept the held print of a symbol whose price breaker tripped.
    ResetSymbolBreaker(Symbol),
    /// Acknowledge the selected alert (`a` on the Alerts page).
    AckAlert(String),
    /// Snooze the selected alert's notifications for [`SNOOZE_MINUTES`] (`z`).
    SnoozeAlert(String),
    /// Pause or resume, speed up or down, or restart a replay.
    Replay(crate::messages::replay::ReplayAction),
}

/// How long `z` snoozes an alert.
pub const SNOOZE_MINUTES: u32 = 30;

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
            Action::ToggleFailover => Some(Command::Failover(FailoverAction::Toggle)),
            Action::ResetSymbolBreaker(s) => Some(Command::ResetSymbolBreaker(s.clone())),
            Action::AckAlert(id) => Some(Command::AckAlert {
                id: id.clone(),
                actor: Actor::Tui,
            }),
            Action::SnoozeAlert(id) => Some(Command::SnoozeAlert {
                id: id.clone(),
                minutes: SNOOZE_MINUTES,
                actor: Actor::Tui,
            }),
            Action::Replay(a) => Some(Command::Replay(*a)),
            Action::SelectPrev
            | Action::SelectNext
            | Action::SelectFirst
            | Action::SelectLast
            | Action::ToggleHelp
            | Action::CloseHelp
            | Action::ShowPage(_)
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
    if state.confirm.is_some() && !(ctrl && key.code == KeyCode::Char('c')) {
        return state.answer_confirm(key.code);
    }
    let chart_open = state.symbol_view.is_some() && state.page == Page::Market;
    let action = match key.code {
        KeyCode::Char('c') if ctrl => Action::Quit,
        _ if ctrl => return None,
        KeyCode::Char('q') | KeyCode::Char('Q') => Action::Quit,
        KeyCode::Esc if state.show_help => Action::CloseHelp,
        KeyCode::Esc if chart_open => return state.close_symbol_view(),
        KeyCode::Esc => Action::Quit,
        KeyCode::Enter if state.page == Page::Market => return state.open_symbol_view(snap),
        KeyCode::Char('c') if chart_open => return state.toggle_candles(),
        KeyCode::Char('t') if chart_open => return state.next_time_frame(),
        KeyCode::Left if chart_open => return state.select_mark(snap, false),
        KeyCode::Right if chart_open => return state.select_mark(snap, true),
        KeyCode::Char(' ') => return state.replay_control(ReplayAction::TogglePause),
        KeyCode::Char('+') | KeyCode::Char('=') => {
            return state.replay_control(ReplayAction::Faster)
        }
        KeyCode::Char('-') => return state.replay_control(ReplayAction::Slower),
        KeyCode::Char('R') => return state.replay_control(ReplayAction::Restart),
        KeyCode::Char('?') => Action::ToggleHelp,
        KeyCode::Char('r') => Action::Reconnect,
        KeyCode::Char('f') => Action::ToggleFailover,
        KeyCode::Tab => Action::ShowPage(state.page.next()),
        KeyCode::BackTab => Action::ShowPage(state.page.prev()),
        KeyCode::Char('1') => Action::ShowPage(Page::Market),
        KeyCode::Char('2') => Action::ShowPage(Page::Health),
        KeyCode::Char('3') => Action::ShowPage(Page::Positions),
        KeyCode::Char('4') => Action::ShowPage(Page::Alerts),
        KeyCode::Char('a') | KeyCode::Char('z') if state.page == Page::Alerts => {
            let active = &snap.alerts.active;
            let Some(i) = state.alert_selected_in(active.len()) else {
                state.notice = Some("no active alert to act on".into());
                return None;
            };
            let id = active[i].id.to_string();
            if key.code == KeyCode::Char('a') {
                Action::AckAlert(id)
            } else {
                Action::SnoozeAlert(id)
            }
        }
        KeyCode::Char('s') if state.page == Page::Positions => {
            state.sort_key = state.sort_key.next();
            Action::Edit
        }
        KeyCode::Char('S') if state.page == Page::Positions => {
            state.sort_descending = !state.sort_descending;
            Action::Edit
        }
        KeyCode::Char('b') => return state.ask_reset_breaker(snap),
        KeyCode::Char('a') => {
            state.input = Some(String::new());
            Action::Edit
        }
        KeyCode::Char('d') | KeyCode::Delete => {
            // Like `b`: never act on a watchlist row the operator cannot see.
            if state.page != Page::Market {
                state.notice =
                    Some("d removes the selected symbol: press 1 for the Market page first".into());
                return None;
            }
            let rows = snap.watchlist.len();
            match state.selected_in(rows) {
                Some(_) if rows == 1 => {
                    state.notice = Some("the last symbol cannot be removed".into());
                    return None;
                }
                Some(i) => {
                    let sym = &snap.watchlist[i].symbol;
                    if let Some(why) = super::actions::removal_refusal(snap, sym) {
                        state.notice = Some(why);
                        return None;
                    }
                    Action::RemoveSymbol(sym.clone())
                }
                None => return None,
            }
        }
        KeyCode::Up | KeyCode::Char('k') => Action::SelectPrev,
        KeyCode::Down | KeyCode::Char('j') => Action::SelectNext,
        KeyCode::Home | KeyCode::Char('g') => Action::SelectFirst,
        KeyCode::End | KeyCode::Char('G') => Action::SelectLast,
        _ => return None,
    };
    let rows = if state.page == Page::Alerts {
        snap.alerts.active.len()
    } else {
        snap.watchlist.len()
    };
    apply(state, &action, rows);
    Some(action)
}

/// What the add-symbol prompt holds: room to see a mistake (a symbol is at most 12
/// characters), small enough to fit the status line.
pub const PROMPT_MAX_CHARS: usize = 24;

/// Keys while the add-symbol prompt is open: letters are upper-cased as typed (the
/// only change made to the input, and it is on screen); every other character is kept
/// as typed, and the prompt says at once why the text is not a symbol. Enter submits
/// a valid symbol; an invalid one keeps the prompt open with the text and the reason.
/// Esc cancels.
fn edit_input(state: &mut UiState, code: KeyCode) -> Action {
    let Some(buf) = state.input.as_mut() else {
        return Action::Edit;
    };
    match code {
        KeyCode::Esc => {
            state.input = None;
            return Action::Edit;
        }
        KeyCode::Backspace => {
            buf.pop();
        }
        KeyCode::Enter => match parse_symbol(buf) {
            Ok(sym) => {
                state.input = None;
                return Action::AddSymbol(sym);
            }
            Err(e) => {
                state.notice = Some(e.to_string());
                return Action::Edit;
            }
        },
        KeyCode::Char(c) if !c.is_control() => {
            if buf.chars().count() >= PROMPT_MAX_CHARS {
                state.notice = Some(format!(
                    "the prompt holds {PROMPT_MAX_CHARS} characters; {c:?} was not added"
                ));
                return Action::Edit;
            }
            buf.push(c.to_ascii_uppercase());
        }
        _ => {}
    }
    // Say why as soon as the text cannot become a symbol (an empty prompt is not
    // a mistake yet).
    if !buf.is_empty() {
        state.notice = parse_symbol(buf).err().map(|e| e.to_string());
    }
    Action::Edit
}

fn apply(state: &mut UiState, action: &Action, rows: usize) {
    let on_alerts = state.page == Page::Alerts;
    let selected = if on_alerts {
        &mut state.alert_selected
    } else {
        &mut state.selected
    };
    let current = rows.checked_sub(1).map_or(0, |last| (*selected).min(last));
    let last = rows.saturating_sub(1);
    match action {
        Action::SelectPrev => *selected = current.saturating_sub(1),
        Action::SelectNext => *selected = (current + 1).min(last),
        Action::SelectFirst => *selected = 0,
        Action::SelectLast => *selected = last,
        Action::ToggleHelp => state.show_help = !state.show_help,
        Action::CloseHelp => state.show_help = false,
        Action::ShowPage(p) => state.page = *p,
        Action::Quit
        | Action::Reconnect
        | Action::Edit
        | Action::AddSymbol(_)
        | Action::RemoveSymbol(_)
        | Action::ToggleFailover
        | Action::ResetSymbolBreaker(_)
        | Action::AckAlert(_)
        | Action::SnoozeAlert(_)
        | Action::Replay(_) => {}
    }
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod keys_tests;
#[cfg(test)]
#[path = "page_keys_tests.rs"]
mod page_keys_tests;
