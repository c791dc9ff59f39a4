//! What a key can do: the [`Action`]s the keymap binds, each with the name the config's
//! `[keys]` section uses and the short label the status line shows. What an action does
//! is in [`super::perform`]; which keys reach it in [`super::keymap`].

/// A verb a key is bound to. Parameterless: the selection, the prompt's text or the
/// overlay in view supply the object.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Ctrl-C: quit from anywhere, prompts included.
    Interrupt,
    Quit,
    Help,
    Palette,
    Filter,
    NextPage,
    PrevPage,
    PageMarket,
    PageHealth,
    PagePositions,
    PageAlerts,
    Reconnect,
    Failover,
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    PrevPanel,
    NextPanel,
    Open,
    /// Esc on a page: clear the filter of the list in view (it never quits).
    Back,
    AddSymbol,
    RemoveSymbol,
    AcceptHeld,
    SortNext,
    SortFlip,
    Ack,
    Snooze,
    /// Close the innermost overlay.
    Close,
    Copy,
    /// The symbol view: Enter on a watchlist row opens it, Esc leaves it.
    OpenSymbol,
    CloseSymbol,
    /// Candlesticks or the line, in the symbol view.
    Candles,
    /// 1, 5 or 15 minutes a bar, in the symbol view.
    TimeFrame,
    /// The previous or next validation mark on the symbol view's time axis.
    PrevMark,
    NextMark,
    /// The replay controls.
    ReplayPause,
    ReplayFaster,
    ReplaySlower,
    ReplayRestart,
    // The prompts (command palette, filter, add symbol).
    Submit,
    Cancel,
    Complete,
    HistoryPrev,
    HistoryNext,
    DeleteBack,
    DeleteForward,
    CursorLeft,
    CursorRight,
    LineStart,
    LineEnd,
    ClearLine,
    DeleteWord,
}

impl Action {
    pub const ALL: [Action; 55] = [
        Action::Interrupt,
        Action::Quit,
        Action::Help,
        Action::Palette,
        Action::Filter,
        Action::NextPage,
        Action::PrevPage,
        Action::PageMarket,
        Action::PageHealth,
        Action::PagePositions,
        Action::PageAlerts,
        Action::Reconnect,
        Action::Failover,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::First,
        Action::Last,
        Action::PrevPanel,
        Action::NextPanel,
        Action::Open,
        Action::Back,
        Action::AddSymbol,
        Action::RemoveSymbol,
        Action::AcceptHeld,
        Action::SortNext,
        Action::SortFlip,
        Action::Ack,
        Action::Snooze,
        Action::Close,
        Action::Copy,
        Action::OpenSymbol,
        Action::CloseSymbol,
        Action::Candles,
        Action::TimeFrame,
        Action::PrevMark,
        Action::NextMark,
        Action::ReplayPause,
        Action::ReplayFaster,
        Action::ReplaySlower,
        Action::ReplayRestart,
        Action::Submit,
        Action::Cancel,
        Action::Complete,
        Action::HistoryPrev,
        Action::HistoryNext,
        Action::DeleteBack,
        Action::DeleteForward,
        Action::CursorLeft,
        Action::CursorRight,
        Action::LineStart,
        Action::LineEnd,
        Action::ClearLine,
        Action::DeleteWord,
    ];

    /// The name in the config's `[keys]` section (`failover = "F"`).
    pub const fn name(self) -> &'static str {
        match self {
            Action::Interrupt => "interrupt",
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Palette => "palette",
            Action::Filter => "filter",
            Action::NextPage => "next_page",
            Action::PrevPage => "prev_page",
            Action::PageMarket => "page_market",
            Action::PageHealth => "page_health",
            Action::PagePositions => "page_positions",
            Action::PageAlerts => "page_alerts",
            Action::Reconnect => "reconnect",
            Action::Failover => "failover",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::First => "first",
            Action::Last => "last",
            Action::PrevPanel => "prev_panel",
            Action::NextPanel => "next_panel",
            Action::Open => "open",
            Action::Back => "back",
            Action::AddSymbol => "add_symbol",
            Action::RemoveSymbol => "remove_symbol",
            Action::AcceptHeld => "accept_held",
            Action::SortNext => "sort_next",
            Action::SortFlip => "sort_flip",
            Action::Ack => "ack",
            Action::Snooze => "snooze",
            Action::Close => "close",
            Action::Copy => "copy",
            Action::OpenSymbol => "open_symbol",
            Action::CloseSymbol => "close_symbol",
            Action::Candles => "candles",
            Action::TimeFrame => "time_frame",
            Action::PrevMark => "prev_mark",
            Action::NextMark => "next_mark",
            Action::ReplayPause => "replay_pause",
            Action::ReplayFaster => "replay_faster",
            Action::ReplaySlower => "replay_slower",
            Action::ReplayRestart => "replay_restart",
            Action::Submit => "submit",
            Action::Cancel => "cancel",
            Action::Complete => "complete",
            Action::HistoryPrev => "history_prev",
            Action::HistoryNext => "history_next",
            Action::DeleteBack => "delete_back",
            Action::DeleteForward => "delete_forward",
            Action::CursorLeft => "cursor_left",
            Action::CursorRight => "cursor_right",
            Action::LineStart => "line_start",
            Action::LineEnd => "line_end",
            Action::ClearLine => "clear_line",
            Action::DeleteWord => "delete_word",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// One or two words for the status line's hints.
    pub const fn short(self) -> &'static str {
        match self {
            Action::Interrupt | Action::Quit => "quit",
            Action::Help => "help",
            Action::Palette => "command",
            Action::Filter => "filter",
            Action::NextPage | Action::PrevPage => "page",
            Action::PageMarket => "market",
            Action::PageHealth => "health",
            Action::PagePositions => "positions",
            Action::PageAlerts => "alerts",
            Action::Reconnect => "reconnect",
            Action::Failover => "failover",
            Action::Up | Action::Down => "move",
            Action::PageUp | Action::PageDown => "scroll",
            Action::First | Action::Last => "ends",
            Action::PrevPanel | Action::NextPanel => "panel",
            Action::Open => "open",
            Action::Back => "clear filter",
            Action::AddSymbol => "add",
            Action::RemoveSymbol => "remove",
            Action::AcceptHeld => "accept held",
            Action::SortNext => "sort",
            Action::SortFlip => "order",
            Action::Ack => "ack",
            Action::Snooze => "snooze",
            Action::Close => "close",
            Action::Copy => "copy",
            Action::OpenSymbol => "chart",
            Action::CloseSymbol => "back",
            Action::Candles => "candles",
            Action::TimeFrame => "bars",
            Action::PrevMark | Action::NextMark => "mark",
            Action::ReplayPause => "pause",
            Action::ReplayFaster | Action::ReplaySlower => "speed",
            Action::ReplayRestart => "restart",
            Action::Submit => "ok",
            Action::Cancel => "cancel",
            Action::Complete => "complete",
            Action::HistoryPrev | Action::HistoryNext => "history",
            Action::DeleteBack
            | Action::DeleteForward
            | Action::ClearLine
            | Action::DeleteWord
            | Action::CursorLeft
            | Action::CursorRight
            | Action::LineStart
            | Action::LineEnd => "edit",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        for a in Action::ALL {
            assert_eq!(Action::from_name(a.name()), Some(a));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
    }
}
