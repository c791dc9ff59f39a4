//! The prompts: the command palette (`:`), the filter (`/`) and the add-symbol prompt
//! (`a`). Typing, editing, completion and history, and what Enter and Esc do in each.
//! A palette line that cannot run keeps the prompt open with the reason; the filter
//! applies as it is typed; the add prompt upper-cases letters as they are typed.

use super::actions::Action;
use super::dispatch::Effect;
use super::interact::{ListId, Overlay, PromptKind, HISTORY_KEPT};
use super::lists;
use super::palette::{self, Run};
use super::state::UiState;
use crate::domain::types::parse_symbol;
use crate::engine::snapshot::Snapshot;
use crate::messages::Command;

/// The add-symbol prompt holds this much: room to see a mistake (a symbol is at most
/// 12 characters), small enough to fit the status line.
pub const ADD_MAX_CHARS: usize = 24;

/// A printable key in a prompt.
pub fn type_char(ui: &mut UiState, c: char, snap: &Snapshot) {
    let Some(p) = ui.ix.prompt.as_mut() else {
        return;
    };
    match p.kind {
        PromptKind::AddSymbol => {
            if p.line.text().chars().count() >= ADD_MAX_CHARS {
                p.error = Some(format!(
                    "the prompt holds {ADD_MAX_CHARS} characters; {c:?} was not added"
                ));
                return;
            }
            p.line.insert(c.to_ascii_uppercase());
        }
        _ => {
            if !p.line.insert(c) {
                p.error = Some(format!("the line is full; {c:?} was not added"));
                return;
            }
        }
    }
    changed(ui, snap);
}

/// After the text changed: the palette forgets its error and its place in the
/// history, the filter applies at once, the add prompt says why the text is not a
/// symbol as soon as it cannot become one.
fn changed(ui: &mut UiState, snap: &Snapshot) {
    let Some(p) = ui.ix.prompt.as_mut() else {
        return;
    };
    match p.kind {
        PromptKind::Palette => {
            p.error = None;
            p.history_pos = None;
        }
        PromptKind::Filter(list) => {
            let text = p.line.text().trim().to_string();
            ui.ix.filters[list.index()] = text;
            lists::select(snap, ui, list, 0);
        }
        PromptKind::AddSymbol => {
            let t = p.line.text();
            p.error = if t.is_empty() {
                None
            } else {
                parse_symbol(t).err().map(|e| e.to_string())
            };
        }
    }
}

pub fn edit(ui: &mut UiState, action: Action, snap: &Snapshot) -> Option<Effect> {
    use Action as A;
    let p = ui.ix.prompt.as_mut()?;
    match action {
        A::Submit => return submit(ui, snap),
        A::Cancel => {
            if let PromptKind::Filter(list) = p.kind {
                ui.ix.filters[list.index()].clear();
            }
            ui.ix.prompt = None;
            return Some(Effect::Ui);
        }
        A::Complete => {
            if let Some(line) = palette::complete(p.line.text(), snap) {
                p.line.set(&line);
            }
            p.error = None;
            return Some(Effect::Ui);
        }
        A::HistoryPrev | A::HistoryNext => {
            browse(ui, action == A::HistoryPrev);
            return Some(Effect::Ui);
        }
        A::CursorLeft => p.line.left(),
        A::CursorRight => p.line.right(),
        A::LineStart => p.line.home(),
        A::LineEnd => p.line.end(),
        A::DeleteBack => p.line.delete_back(),
        A::DeleteForward => p.line.delete_forward(),
        A::ClearLine => p.line.clear(),
        A::DeleteWord => p.line.delete_word(),
        _ => return None,
    }
    if matches!(
        action,
        A::DeleteBack | A::DeleteForward | A::ClearLine | A::DeleteWord
    ) {
        changed(ui, snap);
    }
    Some(Effect::Ui)
}

/// ↑/↓ in the palette: older and newer lines from the history; past the newest, what
/// was being typed comes back.
fn browse(ui: &mut UiState, older: bool) {
    let n = ui.ix.history.len();
    let Some(p) = ui.ix.prompt.as_mut() else {
        return;
    };
    let pos = match (p.history_pos, older) {
        (None, true) if n > 0 => {
            p.draft = p.line.text().to_string();
            Some(0)
        }
        (None, _) => None,
        (Some(i), true) => Some((i + 1).min(n.saturating_sub(1))),
        (Some(0), false) => None,
        (Some(i), false) => Some(i - 1),
    };
    let text = match pos {
        Some(i) => ui.ix.history[n - 1 - i].clone(),
        None => p.draft.clone(),
    };
    p.line.set(&text);
    p.history_pos = pos;
    p.error = None;
}

fn remember(ui: &mut UiState, line: &str) {
    let line = line.trim().to_string();
    if ui.ix.history.last() != Some(&line) {
        ui.ix.history.push(line);
    }
    if ui.ix.history.len() > HISTORY_KEPT {
        ui.ix.history.remove(0);
    }
}

fn submit(ui: &mut UiState, snap: &Snapshot) -> Option<Effect> {
    let p = ui.ix.prompt.as_mut()?;
    let text = p.line.text().to_string();
    match p.kind {
        // The filter is already applied; Enter keeps it.
        PromptKind::Filter(_) => {
            ui.ix.prompt = None;
            Some(Effect::Ui)
        }
        PromptKind::AddSymbol => match parse_symbol(&text) {
            Ok(sym) => {
                ui.ix.prompt = None;
                Some(Effect::Send(Command::ChangeWatchlist {
                    add: vec![sym],
                    remove: Vec::new(),
                }))
            }
            Err(e) => {
                p.error = Some(e.to_string());
                Some(Effect::Ui)
            }
        },
        PromptKind::Palette => match palette::parse(&text) {
            Err(e) => {
                p.error = Some(e);
                Some(Effect::Ui)
            }
            Ok(run) => {
                ui.ix.prompt = None;
                remember(ui, &text);
                run_line(ui, run, snap)
            }
        },
    }
}

fn run_line(ui: &mut UiState, run: Run, snap: &Snapshot) -> Option<Effect> {
    match run {
        Run::Send(cmd) => Some(Effect::Send(cmd)),
        Run::Page(page) => super::perform::show(ui, page),
        Run::Theme(name) => Some(Effect::Theme(name)),
        Run::Sort(key, descending) => {
            ui.sort_key = key;
            if let Some(d) = descending {
                ui.sort_descending = d;
            }
            let order = if ui.sort_descending {
                "descending"
            } else {
                "ascending"
            };
            ui.notice = Some(format!(
                "positions sorted by {}, {order} (page 3)",
                key.label()
            ));
            Some(Effect::Ui)
        }
        Run::Filter(text) => {
            let Some(list) = ui
                .ix
                .focused(ui.page)
                .filter(|l| super::perform::filterable(*l))
            else {
                ui.notice = Some("nothing to filter on this page".into());
                return None;
            };
            set_filter(ui, snap, list, &text);
            Some(Effect::Ui)
        }
        Run::Open => super::detail::open_selected(ui, snap),
        Run::Help => {
            ui.ix.overlays.push(Overlay::Help { scroll: 0 });
            Some(Effect::Ui)
        }
        Run::Quit => Some(Effect::Quit),
    }
}

pub fn set_filter(ui: &mut UiState, snap: &Snapshot, list: ListId, text: &str) {
    ui.ix.filters[list.index()] = text.trim().to_string();
    lists::select(snap, ui, list, 0);
}

#[cfg(test)]
#[path = "prompt_tests.rs"]
mod prompt_tests;
