//! The default key table and the mouse's gestures: the data [`super::keymap`] is
//! built from. One row per (key, context, action, description, hint priority); the
//! help lists them in this order within each context.

use super::actions::Action;
use super::keymap::Context;
use super::keyspec::KeySpec;
use crossterm::event::KeyCode;

use Action as A;
use Context as C;
use KeyCode as K;
const fn ch(c: char) -> KeySpec {
    KeySpec::ch(c)
}
const fn kc(code: KeyCode) -> KeySpec {
    KeySpec::code(code)
}
const fn ctrl(c: char) -> KeySpec {
    KeySpec::ctrl(c)
}

/// The default keys, as the help lists them: by context, then in this order.
#[rustfmt::skip]
pub(super) static DEFAULTS: &[(KeySpec, Context, Action, &str, u8)] = &[
    (ctrl('c'), C::Always, A::Interrupt, "quit at once, from anywhere", 0),
    (ch('q'), C::Global, A::Quit, "quit (in an overlay, q closes it)", 2),
    (ch('?'), C::Global, A::Help, "show the keys (this help)", 1),
    (ch(':'), C::Global, A::Palette, "command palette: add, remove, failover, ack, theme, goto, …", 3),
    (ch('/'), C::Global, A::Filter, "filter the list in view (watchlist, event log, alerts)", 4),
    (kc(K::Esc), C::Global, A::Back, "clear the filter of the list in view (Esc never quits)", 0),
    (kc(K::Tab), C::Global, A::NextPage, "next page", 6),
    (kc(K::BackTab), C::Global, A::PrevPage, "previous page", 0),
    (ch('1'), C::Global, A::PageMarket, "page 1: Market (watchlist, event log)", 0),
    (ch('2'), C::Global, A::PageHealth, "page 2: Health (connections, router, breakers, validation, latency)", 0),
    (ch('3'), C::Global, A::PagePositions, "page 3: Positions (P&L, risk)", 0),
    (ch('4'), C::Global, A::PageAlerts, "page 4: Alerts (active, SLOs, history)", 0),
    (kc(K::Up), C::Global, A::Up, "select the previous row", 5),
    (ch('k'), C::Global, A::Up, "select the previous row", 0),
    (kc(K::Down), C::Global, A::Down, "select the next row", 5),
    (ch('j'), C::Global, A::Down, "select the next row", 0),
    (kc(K::PageUp), C::Global, A::PageUp, "a page up in the list", 0),
    (kc(K::PageDown), C::Global, A::PageDown, "a page down in the list", 0),
    (kc(K::Home), C::Global, A::First, "first row (the newest event)", 0),
    (ch('g'), C::Global, A::First, "first row (the newest event)", 0),
    (kc(K::End), C::Global, A::Last, "last row (the oldest event)", 0),
    (ch('G'), C::Global, A::Last, "last row (the oldest event)", 0),
    (kc(K::Left), C::Global, A::PrevPanel, "previous panel (the one the keys act on)", 0),
    (ch('h'), C::Global, A::PrevPanel, "previous panel (the one the keys act on)", 0),
    (kc(K::Right), C::Global, A::NextPanel, "next panel", 0),
    (ch('l'), C::Global, A::NextPanel, "next panel", 0),
    (kc(K::Enter), C::Global, A::Open, "open the selected row in full", 0),
    (ch('r'), C::Global, A::Reconnect, "reconnect Alpaca now (also leaves a stop)", 7),
    (ch('f'), C::Global, A::Failover, "force the Yahoo fallback / return to Alpaca", 8),
    (ch(' '), C::Global, A::ReplayPause, "replay: pause / resume (fixture time stands still)", 9),
    (ch('+'), C::Global, A::ReplayFaster, "replay: faster", 9),
    (ch('='), C::Global, A::ReplayFaster, "replay: faster", 0),
    (ch('-'), C::Global, A::ReplaySlower, "replay: slower", 9),
    (ch('R'), C::Global, A::ReplayRestart, "replay again from the start", 9),
    (ch('a'), C::Market, A::AddSymbol, "add a symbol to the watchlist", 1),
    (ch('d'), C::Market, A::RemoveSymbol, "remove the selected symbol", 2),
    (kc(K::Delete), C::Market, A::RemoveSymbol, "remove the selected symbol", 0),
    (ch('b'), C::Market, A::AcceptHeld, "accept the selected symbol's held price (its breaker tripped)", 3),
    (kc(K::Left), C::Market, A::PrevPanel, "switch between the watchlist and the event log", 4),
    (kc(K::Right), C::Market, A::NextPanel, "switch between the watchlist and the event log", 4),
    (kc(K::Enter), C::Market, A::Open, "the selected symbol's chart, or the selected event in full", 5),
    (kc(K::Left), C::Health, A::PrevPanel, "previous panel: transitions, breakers, rejections", 1),
    (kc(K::Right), C::Health, A::NextPanel, "next panel: transitions, breakers, rejections", 1),
    (kc(K::Enter), C::Health, A::Open, "open the selected transition, breaker or rejection", 2),
    (ch('s'), C::Positions, A::SortNext, "next sort key (symbol, value, P&L, day, weight)", 1),
    (ch('S'), C::Positions, A::SortFlip, "flip the sort order", 2),
    (ch('a'), C::Alerts, A::Ack, "acknowledge the selected alert", 1),
    (ch('z'), C::Alerts, A::Snooze, "snooze the selected alert for 30 minutes", 2),
    (kc(K::Enter), C::Alerts, A::Open, "open the alert: timeline and runbook steps", 3),
    (kc(K::Left), C::Alerts, A::PrevPanel, "switch between the active alerts and the history", 0),
    (kc(K::Right), C::Alerts, A::NextPanel, "switch between the active alerts and the history", 0),
    (kc(K::Esc), C::Symbol, A::CloseSymbol, "back to the watchlist", 1),
    (ch('c'), C::Symbol, A::Candles, "candlesticks instead of the line (and back)", 2),
    (ch('t'), C::Symbol, A::TimeFrame, "time frame: 1, 5 or 15 minutes a bar", 3),
    (kc(K::Left), C::Symbol, A::PrevMark, "select the previous validation mark (▲ trip, × rejection)", 4),
    (kc(K::Right), C::Symbol, A::NextMark, "select the next validation mark", 4),
    (kc(K::Esc), C::Help, A::Close, "close the help", 1),
    (ch('q'), C::Help, A::Close, "close the help", 0),
    (ch('?'), C::Help, A::Close, "close the help", 0),
    (kc(K::Up), C::Help, A::Up, "scroll up", 2),
    (kc(K::Down), C::Help, A::Down, "scroll down", 2),
    (kc(K::PageUp), C::Help, A::PageUp, "a page up", 0),
    (kc(K::PageDown), C::Help, A::PageDown, "a page down", 0),
    (kc(K::Home), C::Help, A::First, "to the top", 0),
    (kc(K::End), C::Help, A::Last, "to the end", 0),
    (kc(K::Esc), C::Detail, A::Close, "close the detail", 1),
    (ch('q'), C::Detail, A::Close, "close the detail", 0),
    (ch('?'), C::Detail, A::Help, "show the keys (this help)", 0),
    (ch(':'), C::Detail, A::Palette, "command palette", 0),
    (kc(K::Up), C::Detail, A::Up, "previous command (or scroll up)", 2),
    (ch('k'), C::Detail, A::Up, "previous command (or scroll up)", 0),
    (kc(K::Down), C::Detail, A::Down, "next command (or scroll down)", 2),
    (ch('j'), C::Detail, A::Down, "next command (or scroll down)", 0),
    (kc(K::PageUp), C::Detail, A::PageUp, "a page up", 0),
    (kc(K::PageDown), C::Detail, A::PageDown, "a page down", 0),
    (kc(K::Home), C::Detail, A::First, "to the top", 0),
    (kc(K::End), C::Detail, A::Last, "to the end", 0),
    (ch('y'), C::Detail, A::Copy, "copy the selected command to the clipboard (OSC 52)", 3),
    (ch('a'), C::Detail, A::Ack, "acknowledge the alert shown", 4),
    (ch('z'), C::Detail, A::Snooze, "snooze the alert shown for 30 minutes", 5),
    (kc(K::Enter), C::Prompt, A::Submit, "run / apply", 1),
    (kc(K::Esc), C::Prompt, A::Cancel, "cancel (a filter is cleared)", 2),
    (kc(K::Backspace), C::Prompt, A::DeleteBack, "delete the character before the cursor", 0),
    (kc(K::Delete), C::Prompt, A::DeleteForward, "delete the character under the cursor", 0),
    (kc(K::Left), C::Prompt, A::CursorLeft, "cursor left", 0),
    (kc(K::Right), C::Prompt, A::CursorRight, "cursor right", 0),
    (kc(K::Home), C::Prompt, A::LineStart, "to the start of the line", 0),
    (ctrl('a'), C::Prompt, A::LineStart, "to the start of the line", 0),
    (kc(K::End), C::Prompt, A::LineEnd, "to the end of the line", 0),
    (ctrl('e'), C::Prompt, A::LineEnd, "to the end of the line", 0),
    (ctrl('u'), C::Prompt, A::ClearLine, "clear the line", 0),
    (ctrl('w'), C::Prompt, A::DeleteWord, "delete the word before the cursor", 0),
    (kc(K::Tab), C::Palette, A::Complete, "complete the command or argument", 1),
    (kc(K::Up), C::Palette, A::HistoryPrev, "previous command from the history", 2),
    (kc(K::Down), C::Palette, A::HistoryNext, "next command from the history", 2),
];

/// The mouse, for the help and the README (not rebindable).
pub static MOUSE: &[(&str, &str)] = &[
    ("click a tab", "show that page"),
    ("click a row", "select it (and the panel it is in)"),
    ("double-click a row", "open it in full"),
    ("wheel", "scroll the panel or overlay under the pointer"),
];
