//! Key dispatch: a terminal key event, looked up in the keymap along the chain of
//! contexts the user is in (prompt, overlay, page), becomes an action that
//! [`super::perform`] carries out. Keys a prompt does not bind type text. A key bound
//! only on another page says where it works instead of doing nothing silently. Pure:
//! no terminal, no clock; the shell acts on the [`Effect`] returned.

use super::interact::{Overlay, PromptKind};
use super::keymap::Context;
use super::keyspec::KeySpec;
use super::state::{Page, UiState};
use crate::engine::snapshot::Snapshot;
use crate::messages::Command;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};
use std::sync::Arc;

/// What the shell must do after a key (or a click). UI-local changes are already
/// applied to the state when this comes back.
#[derive(Debug)]
pub enum Effect {
    /// The UI state changed (or may have); just redraw.
    Ui,
    Quit,
    /// Offer this to the engine; its answer comes back later.
    Send(Command),
    /// Put this text on the clipboard (OSC 52).
    Copy(String),
    /// Load and switch to this theme.
    Theme(String),
}

impl Effect {
    /// The engine command, if this effect is one (quitting also tells the engine).
    pub fn command(self) -> Option<Command> {
        match self {
            Effect::Send(c) => Some(c),
            Effect::Quit => Some(Command::Quit),
            Effect::Ui | Effect::Copy(_) | Effect::Theme(_) => None,
        }
    }
}

/// Where the user is: the context keys are looked up from first.
pub fn innermost(ui: &UiState) -> Context {
    if let Some(p) = &ui.ix.prompt {
        return match p.kind {
            PromptKind::Palette => Context::Palette,
            PromptKind::Filter(_) => Context::Filter,
            PromptKind::AddSymbol => Context::AddSymbol,
        };
    }
    match ui.ix.overlays.last() {
        Some(Overlay::Help { .. }) => Context::Help,
        Some(Overlay::Detail(_)) => Context::Detail,
        None if ui.page == Page::Market && ui.symbol_view.is_some() => Context::Symbol,
        None => Context::of_page(ui.page),
    }
}

const fn is_page(ctx: Context) -> bool {
    matches!(
        ctx,
        Context::Market | Context::Health | Context::Positions | Context::Alerts
    )
}

/// Maps one key event to what it does and applies the UI-local part to `ui`.
/// `None`: the key means nothing here (a release, an unbound key).
pub fn on_key(ui: &mut UiState, key: KeyEvent, snap: &Snapshot) -> Option<Effect> {
    // Some terminals report releases too; act on presses and repeats only.
    if key.kind == KeyEventKind::Release {
        return None;
    }
    ui.notice = None;
    let spec = KeySpec::from_event(&key);
    // A question waiting for y/n takes the next key (Ctrl-C still quits).
    if ui.confirm.is_some() && spec != KeySpec::ctrl('c') {
        return ui.answer_confirm(key.code);
    }
    let ctx = innermost(ui);
    let keymap = Arc::clone(&ui.ix.keymap);
    if let Some(action) = keymap.lookup(ctx, spec) {
        return super::perform::perform(ui, action, snap);
    }
    if ui.ix.prompt.is_some() {
        return match spec.code {
            KeyCode::Char(c) if spec.is_printable() => {
                super::prompt::type_char(ui, c, snap);
                Some(Effect::Ui)
            }
            _ => None,
        };
    }
    // A page key pressed on another page: say where it works.
    if let Some(b) = keymap.elsewhere(ctx, spec, is_page) {
        ui.notice = Some(format!("{spec} works {}: {}", b.context.place(), b.desc));
    }
    None
}

#[cfg(test)]
#[path = "dispatch_tests.rs"]
mod dispatch_tests;
