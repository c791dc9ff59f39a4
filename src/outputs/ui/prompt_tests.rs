//! The prompts through key dispatch: the palette runs, refuses with the reason,
//! completes and recalls; the filter applies as typed and Esc clears it; the add
//! prompt upper-cases, explains and never alters a symbol into another one.

use super::*;
use crate::messages::command::FailoverAction;
use crate::outputs::ui::dispatch::on_key;
use crate::outputs::ui::interact::ListId;
use crate::outputs::ui::state::Page;
use crate::outputs::ui::testutil::sample_snapshot;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn typed(ui: &mut UiState, snap: &Snapshot, text: &str) -> Option<Effect> {
    let mut last = None;
    for c in text.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\t' => KeyCode::Tab,
            '\u{1b}' => KeyCode::Esc,
            c => KeyCode::Char(c),
        };
        last = on_key(ui, key(code), snap);
    }
    last
}

fn prompt_text(ui: &UiState) -> Option<&str> {
    ui.ix.prompt.as_ref().map(|p| p.line.text())
}

fn prompt_error(ui: &UiState) -> String {
    ui.ix
        .prompt
        .as_ref()
        .and_then(|p| p.error.clone())
        .unwrap_or_default()
}

#[test]
fn palette_runs_commands_and_remembers_them() {
    let snap = sample_snapshot();
    let mut ui = UiState::default();
    let e = typed(&mut ui, &snap, ":add nflx amd\n");
    assert!(matches!(
        e,
        Some(Effect::Send(Command::ChangeWatchlist { add, remove }))
            if add == ["NFLX", "AMD"] && remove.is_empty()
    ));
    assert!(ui.ix.prompt.is_none());
    // (line, what it runs)
    let sent = |line: &str| {
        let mut ui = UiState::default();
        typed(&mut ui, &snap, &format!(":{line}\n"))
    };
    assert!(matches!(
        sent("failover"),
        Some(Effect::Send(Command::Failover(FailoverAction::Force)))
    ));
    assert!(matches!(
        sent("return"),
        Some(Effect::Send(Command::Failover(FailoverAction::Return)))
    ));
    assert!(matches!(
        sent("reconnect"),
        Some(Effect::Send(Command::ReconnectAlpaca))
    ));
    assert!(
        matches!(sent("reset yahoo_http"), Some(Effect::Send(Command::ResetBreaker(n))) if n == "yahoo_http")
    );
    assert!(
        matches!(sent("reset-symbol tsla"), Some(Effect::Send(Command::ResetSymbolBreaker(s))) if s == "TSLA")
    );
    assert!(
        matches!(sent("remove AMD"), Some(Effect::Send(Command::ChangeWatchlist { remove, .. })) if remove == ["AMD"])
    );
    assert!(
        matches!(sent("ack h1"), Some(Effect::Send(Command::AckAlert { id, .. })) if id == "H1")
    );
    assert!(
        matches!(sent("snooze H1 30"), Some(Effect::Send(Command::SnoozeAlert { id, minutes: 30, .. })) if id == "H1")
    );
    assert!(matches!(
        sent("speed 10"),
        Some(Effect::Send(Command::Replay(
            crate::messages::replay::ReplayAction::SetSpeed(Some(5))
        )))
    ));
    assert!(matches!(sent("theme light"), Some(Effect::Theme(t)) if t == "light"));
    assert!(matches!(sent("quit"), Some(Effect::Quit)));
    let mut ui = UiState::default();
    typed(&mut ui, &snap, ":sort pnl desc\n");
    assert_eq!(
        (ui.sort_key, ui.sort_descending),
        (crate::domain::portfolio::SortKey::UnrealizedPl, true)
    );
    typed(&mut ui, &snap, ":goto positions\n");
    assert_eq!(ui.page, Page::Positions);
    typed(&mut ui, &snap, ":goto 4\n");
    assert_eq!(ui.page, Page::Alerts);
    // ↑ recalls earlier lines, newest first; ↓ comes back to what was typed.
    typed(&mut ui, &snap, ":dra");
    on_key(&mut ui, key(KeyCode::Up), &snap);
    assert_eq!(prompt_text(&ui), Some("goto 4"));
    on_key(&mut ui, key(KeyCode::Up), &snap);
    assert_eq!(prompt_text(&ui), Some("goto positions"));
    on_key(&mut ui, key(KeyCode::Down), &snap);
    on_key(&mut ui, key(KeyCode::Down), &snap);
    assert_eq!(prompt_text(&ui), Some("dra"));
}

#[test]
fn palette_errors_stay_in_the_prompt_with_the_reason() {
    let snap = sample_snapshot();
    // (line, fragment of the reason)
    let cases = [
        ("frobnicate", "unknown command \"frobnicate\""),
        ("add", "give at least one symbol"),
        ("add toolongsymbol", "longer than 12 characters"),
        ("snooze H1 0", "from 1 to 1440"),
        ("sort colour", "not a sort key"),
        ("speed fast", "not a speed"),
        ("goto nowhere", "not a page"),
        ("failover now", "takes no arguments"),
        ("", "type a command"),
    ];
    for (line, reason) in cases {
        let mut ui = UiState::default();
        let e = typed(&mut ui, &snap, &format!(":{line}\n"));
        assert!(matches!(e, Some(Effect::Ui)), "{line}");
        assert_eq!(prompt_text(&ui), Some(line), "the text stays");
        assert!(
            prompt_error(&ui).contains(reason),
            "{line}: {}",
            prompt_error(&ui)
        );
    }
}

#[test]
fn tab_completes_commands_and_arguments() {
    let snap = sample_snapshot();
    let mut ui = UiState::default();
    typed(&mut ui, &snap, ":ad\t");
    assert_eq!(prompt_text(&ui), Some("add "));
    let mut ui = UiState::default();
    typed(&mut ui, &snap, ":goto pos\t");
    assert_eq!(prompt_text(&ui), Some("goto positions "));
    let mut ui = UiState::default();
    typed(&mut ui, &snap, ":remove MS\t");
    assert_eq!(prompt_text(&ui), Some("remove MSFT "));
    let mut ui = UiState::default();
    typed(&mut ui, &snap, ":re\t");
    // reconnect, remove, reset, reset-symbol, return: the common prefix only.
    assert_eq!(prompt_text(&ui), Some("re"));
    let names: Vec<String> = palette::candidates("re", &snap)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        ["remove", "return", "reconnect", "reset", "reset-symbol"]
    );
}

#[test]
fn the_filter_applies_as_typed_and_esc_clears_it() {
    let snap = sample_snapshot();
    let mut ui = UiState::default();
    typed(&mut ui, &snap, "/ms");
    assert_eq!(ui.ix.filter(ListId::Watchlist), Some("ms"));
    assert_eq!(lists::watchlist(&snap, &ui).len(), 1);
    typed(&mut ui, &snap, "\n");
    assert!(ui.ix.prompt.is_none());
    assert_eq!(ui.ix.filter(ListId::Watchlist), Some("ms"));
    // Esc on the page clears it; it does not quit.
    let e = typed(&mut ui, &snap, "\u{1b}");
    assert!(matches!(e, Some(Effect::Ui)));
    assert_eq!(ui.ix.filter(ListId::Watchlist), None);
    // The event log by level: Esc in the prompt cancels and clears.
    typed(&mut ui, &snap, "\u{1b}");
    on_key(&mut ui, key(KeyCode::Right), &snap);
    typed(&mut ui, &snap, "/warn");
    assert_eq!(
        lists::events(&snap, &ui).len(),
        2,
        "the warning and the error"
    );
    typed(&mut ui, &snap, "\u{1b}");
    assert_eq!(ui.ix.filter(ListId::Events), None);
    // Nothing to filter on the Positions page: say what / does.
    let mut ui = UiState {
        page: Page::Positions,
        ..UiState::default()
    };
    typed(&mut ui, &snap, "/");
    assert!(ui.ix.prompt.is_none() && ui.notice.is_some());
}

#[test]
fn add_prompt_uppercases_validates_and_submits() {
    let snap = sample_snapshot();
    let mut ui = UiState::default();
    typed(&mut ui, &snap, "a");
    assert_eq!(prompt_text(&ui), Some(""));
    // 'q' types a letter here; it does not quit.
    typed(&mut ui, &snap, "brk.q");
    assert_eq!(prompt_text(&ui), Some("BRK.Q"));
    assert_eq!(prompt_error(&ui), "");
    typed(&mut ui, &snap, " \n");
    assert_eq!(prompt_text(&ui), Some("BRK.Q "));
    assert!(
        prompt_error(&ui).contains("contains a space at character 6"),
        "{}",
        prompt_error(&ui)
    );
    on_key(&mut ui, key(KeyCode::Backspace), &snap);
    on_key(&mut ui, key(KeyCode::Backspace), &snap);
    let e = typed(&mut ui, &snap, "b\n");
    assert!(
        matches!(e, Some(Effect::Send(Command::ChangeWatchlist { add, .. })) if add == ["BRK.B"])
    );
    assert!(ui.ix.prompt.is_none());
    // Refused with the reason, the text kept to fix.
    for (text, kept, reason) in [
        (
            "toolongsymbol",
            "TOOLONGSYMBOL",
            "longer than 12 characters",
        ),
        ("brk-b", "BRK-B", "'-' at character 4 is not allowed"),
    ] {
        let mut ui = UiState::default();
        typed(&mut ui, &snap, &format!("a{text}\n"));
        assert_eq!(prompt_text(&ui), Some(kept));
        assert!(prompt_error(&ui).contains(reason), "{}", prompt_error(&ui));
    }
    // Bounded, and says so.
    let mut ui = UiState::default();
    typed(
        &mut ui,
        &snap,
        &format!("a{}", "X".repeat(ADD_MAX_CHARS + 1)),
    );
    assert_eq!(prompt_text(&ui).map(str::len), Some(ADD_MAX_CHARS));
    assert!(prompt_error(&ui).contains("was not added"));
    // Esc cancels.
    typed(&mut ui, &snap, "\u{1b}");
    assert!(ui.ix.prompt.is_none());
}
