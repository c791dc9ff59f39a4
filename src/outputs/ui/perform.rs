//! What each [`Action`] does, given where the user is: page and list actions here,
//! movement in [`super::nav`], prompt editing and running in [`super::prompt`],
//! opening details in [`super::detail`]. Engine commands come back as
//! [`Effect::Send`]; everything else is applied to the UI state.

use super::actions::Action;
use super::detail;
use super::dispatch::Effect;
use super::interact::{ListId, Overlay, Prompt, PromptKind};
use super::lists;
use super::state::{Page, UiState};
use crate::domain::alerts::Actor;
use crate::engine::snapshot::Snapshot;
use crate::messages::command::FailoverAction;
use crate::messages::replay::ReplayAction;
use crate::messages::Command;

/// How long `z` snoozes an alert.
pub const SNOOZE_MINUTES: u32 = 30;

pub fn perform(ui: &mut UiState, action: Action, snap: &Snapshot) -> Option<Effect> {
    use Action as A;
    let ui_change = Some(Effect::Ui);
    match action {
        A::Interrupt | A::Quit => Some(Effect::Quit),
        A::Help => {
            ui.ix.overlays.push(Overlay::Help { scroll: 0 });
            ui_change
        }
        A::Close => {
            ui.ix.overlays.pop();
            ui_change
        }
        A::Palette => {
            ui.ix.prompt = Some(Prompt::new(PromptKind::Palette, ""));
            ui_change
        }
        A::Filter => open_filter(ui),
        A::AddSymbol => {
            ui.ix.prompt = Some(Prompt::new(PromptKind::AddSymbol, ""));
            ui_change
        }
        A::NextPage => show(ui, ui.page.next()),
        A::PrevPage => show(ui, ui.page.prev()),
        A::PageMarket => show(ui, Page::Market),
        A::PageHealth => show(ui, Page::Health),
        A::PagePositions => show(ui, Page::Positions),
        A::PageAlerts => show(ui, Page::Alerts),
        A::Reconnect => Some(Effect::Send(Command::ReconnectAlpaca)),
        A::Failover => Some(Effect::Send(Command::Failover(FailoverAction::Toggle))),
        A::Up | A::Down | A::PageUp | A::PageDown | A::First | A::Last => {
            super::nav::move_in(ui, snap, action)
        }
        A::PrevPanel | A::NextPanel => focus_step(ui, action == A::NextPanel),
        A::Open => detail::open_selected(ui, snap),
        A::Back => back(ui),
        A::RemoveSymbol => remove_symbol(ui, snap),
        // Asks first, showing the move it makes (see `screen_actions`).
        A::AcceptHeld => ui.ask_reset_breaker(snap),
        A::SortNext => {
            ui.sort_key = ui.sort_key.next();
            ui_change
        }
        A::SortFlip => {
            ui.sort_descending = !ui.sort_descending;
            ui_change
        }
        A::Ack | A::Snooze => {
            let Some(id) = alert_in_view(ui, snap) else {
                ui.notice = Some("no alert selected to act on".into());
                return None;
            };
            let actor = Actor::Tui;
            Some(Effect::Send(if action == A::Ack {
                Command::AckAlert { id, actor }
            } else {
                Command::SnoozeAlert {
                    id,
                    minutes: SNOOZE_MINUTES,
                    actor,
                }
            }))
        }
        A::Copy => detail::copy_selected(ui, snap),
        A::OpenSymbol => ui.open_symbol_view(snap),
        A::CloseSymbol => ui.close_symbol_view(),
        A::Candles => ui.toggle_candles(),
        A::TimeFrame => ui.next_time_frame(),
        A::PrevMark | A::NextMark => ui.select_mark(snap, action == A::NextMark),
        A::ReplayPause => ui.replay_control(ReplayAction::TogglePause),
        A::ReplayFaster => ui.replay_control(ReplayAction::Faster),
        A::ReplaySlower => ui.replay_control(ReplayAction::Slower),
        A::ReplayRestart => ui.replay_control(ReplayAction::Restart),
        A::Submit
        | A::Cancel
        | A::Complete
        | A::HistoryPrev
        | A::HistoryNext
        | A::DeleteBack
        | A::DeleteForward
        | A::CursorLeft
        | A::CursorRight
        | A::LineStart
        | A::LineEnd
        | A::ClearLine
        | A::DeleteWord => super::prompt::edit(ui, action, snap),
    }
}

pub fn show(ui: &mut UiState, page: Page) -> Option<Effect> {
    ui.page = page;
    Some(Effect::Ui)
}

fn focus_step(ui: &mut UiState, forward: bool) -> Option<Effect> {
    let lists = ListId::of_page(ui.page);
    if lists.len() < 2 {
        return None;
    }
    let i = super::interact::page_index(ui.page);
    let n = lists.len();
    let cur = ui.ix.focus[i].min(n - 1);
    ui.ix.focus[i] = if forward {
        (cur + 1) % n
    } else {
        (cur + n - 1) % n
    };
    Some(Effect::Ui)
}

/// The lists `/` can filter.
pub const fn filterable(list: ListId) -> bool {
    matches!(
        list,
        ListId::Watchlist | ListId::Events | ListId::Alerts | ListId::AlertHistory
    )
}

fn open_filter(ui: &mut UiState) -> Option<Effect> {
    match ui.ix.focused(ui.page).filter(|l| filterable(*l)) {
        Some(list) => {
            let current = ui.ix.filters[list.index()].clone();
            ui.ix.prompt = Some(Prompt::new(PromptKind::Filter(list), &current));
            Some(Effect::Ui)
        }
        None => {
            ui.notice = Some(
                "/ filters the watchlist and the event log (page 1) and the alerts (page 4)".into(),
            );
            None
        }
    }
}

/// Esc on a page: clear the focused list's filter. It never quits.
fn back(ui: &mut UiState) -> Option<Effect> {
    if let Some(list) = ui
        .ix
        .focused(ui.page)
        .filter(|l| ui.ix.filter(*l).is_some())
    {
        ui.ix.filters[list.index()].clear();
        return Some(Effect::Ui);
    }
    let quit = ui
        .ix
        .keymap
        .keys_for(super::keymap::Context::Global, Action::Quit);
    let quit = quit.first().map_or("Ctrl-c".to_string(), |k| k.to_string());
    ui.notice = Some(format!(
        "Esc closes overlays and prompts and clears filters; {quit} quits"
    ));
    None
}

/// The watchlist row the keys act on: only on the Market page, where it is on screen.
fn selected_symbol(ui: &UiState, snap: &Snapshot) -> Option<crate::domain::types::Symbol> {
    if ui.page != Page::Market {
        return None;
    }
    let i = lists::selected(snap, ui, ListId::Watchlist)?;
    lists::watchlist(snap, ui).get(i).map(|s| s.symbol.clone())
}

fn remove_symbol(ui: &mut UiState, snap: &Snapshot) -> Option<Effect> {
    if snap.watchlist.len() == 1 {
        ui.notice = Some("the last symbol cannot be removed".into());
        return None;
    }
    let sym = selected_symbol(ui, snap)?;
    if let Some(why) = super::screen_actions::removal_refusal(snap, &sym) {
        ui.notice = Some(why);
        return None;
    }
    Some(Effect::Send(Command::ChangeWatchlist {
        add: Vec::new(),
        remove: vec![sym],
    }))
}

/// The alert `a`/`z` act on: the one a detail shows, else the Alerts page's
/// selection (an active alert, or the alert of the selected history entry).
fn alert_in_view(ui: &UiState, snap: &Snapshot) -> Option<String> {
    if let Some(Overlay::Detail(d)) = ui.ix.overlays.last() {
        return match &d.target {
            super::interact::DetailTarget::Alert(id) => Some(id.to_string()),
            _ => None,
        };
    }
    if ui.page != Page::Alerts {
        return None;
    }
    match ui.ix.focused(Page::Alerts)? {
        ListId::AlertHistory => {
            let i = lists::selected(snap, ui, ListId::AlertHistory)?;
            lists::history(snap, ui).get(i).map(|h| h.alert_id.clone())
        }
        _ => {
            let i = lists::selected(snap, ui, ListId::Alerts)?;
            lists::alerts(snap, ui).get(i).map(|a| a.id.to_string())
        }
    }
}
