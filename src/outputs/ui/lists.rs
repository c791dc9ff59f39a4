//! The selectable lists as the screen shows them: each one's rows after its `/`
//! filter, in display order, and the selection clamped to them. The views, the keys
//! and the mouse all go through here, so a row number means the same row to each.

use super::filter::Matcher;
use super::interact::ListId;
use super::state::UiState;
use crate::domain::alerts::{AlertRecord, AlertView};
use crate::domain::breaker::BreakerView;
use crate::domain::event::Event;
use crate::domain::router::TransitionView;
use crate::domain::validate::{DiscrepancyView, RecentRejection, TrippedView};
use crate::engine::snapshot::{Snapshot, SymbolView};

fn matcher(ui: &UiState, list: ListId) -> Option<Matcher> {
    ui.ix
        .filter(list)
        .map(|f| Matcher::new(f, list == ListId::Events))
}

/// Watchlist rows matching the filter (by symbol), in watchlist order.
pub fn watchlist<'a>(snap: &'a Snapshot, ui: &UiState) -> Vec<&'a SymbolView> {
    let m = matcher(ui, ListId::Watchlist);
    snap.watchlist
        .iter()
        .filter(|s| m.as_ref().is_none_or(|m| m.matches(&[s.symbol.as_str()])))
        .collect()
}

/// The watchlist row the selection is on (in the filtered list, as it is shown).
pub fn selected_symbol<'a>(snap: &'a Snapshot, ui: &UiState) -> Option<&'a SymbolView> {
    let shown = watchlist(snap, ui);
    ui.selected_in(shown.len())
        .and_then(|i| shown.get(i).copied())
}

/// Events matching the filter, newest first, with their sequence numbers.
pub fn events<'a>(snap: &'a Snapshot, ui: &UiState) -> Vec<(u64, &'a Event)> {
    let m = matcher(ui, ListId::Events);
    snap.events
        .iter_seq()
        .rev()
        .filter(|(_, e)| m.as_ref().is_none_or(|m| m.matches_event(e)))
        .collect()
}

/// Active alerts matching the filter (id, name, severity, state, summary).
pub fn alerts<'a>(snap: &'a Snapshot, ui: &UiState) -> Vec<&'a AlertView> {
    let m = matcher(ui, ListId::Alerts);
    snap.alerts
        .active
        .iter()
        .filter(|a| {
            m.as_ref().is_none_or(|m| {
                m.matches(&[
                    &a.id,
                    &a.name,
                    a.severity.as_str(),
                    a.state.as_str(),
                    a.summary.as_str(),
                ])
            })
        })
        .collect()
}

/// Alert history matching the filter, newest first (as the snapshot keeps it).
pub fn history<'a>(snap: &'a Snapshot, ui: &UiState) -> Vec<&'a AlertRecord> {
    let m = matcher(ui, ListId::AlertHistory);
    snap.alert_history
        .iter()
        .filter(|h| {
            m.as_ref().is_none_or(|m| {
                m.matches(&[
                    h.alert_id.as_str(),
                    h.name.as_str(),
                    h.action.as_str(),
                    h.actor.as_str(),
                    h.severity.as_str(),
                    h.summary.as_str(),
                ])
            })
        })
        .collect()
}

/// Router transitions, newest first (the router panel's order).
pub fn transitions(snap: &Snapshot) -> Vec<&TransitionView> {
    snap.router.transitions.iter().rev().collect()
}

/// A row of the circuit breakers panel.
#[derive(Copy, Clone, Debug)]
pub enum BreakerItem<'a> {
    Upstream(&'a BreakerView),
    Tripped(&'a TrippedView),
    Discrepancy(&'a DiscrepancyView),
}

/// The breakers panel's rows: upstream breakers, tripped symbols, discrepancies.
pub fn breakers(snap: &Snapshot) -> Vec<BreakerItem<'_>> {
    let v = &snap.validation;
    snap.breakers
        .iter()
        .map(BreakerItem::Upstream)
        .chain(v.tripped.iter().map(BreakerItem::Tripped))
        .chain(v.discrepancies.iter().map(BreakerItem::Discrepancy))
        .collect()
}

/// Validation rejections, newest first.
pub fn rejections(snap: &Snapshot) -> Vec<&RecentRejection> {
    snap.validation.recent.iter().rev().collect()
}

/// Rows in `list` as shown.
pub fn len(snap: &Snapshot, ui: &UiState, list: ListId) -> usize {
    match list {
        ListId::Watchlist => watchlist(snap, ui).len(),
        ListId::Events => events(snap, ui).len(),
        ListId::Alerts => alerts(snap, ui).len(),
        ListId::AlertHistory => history(snap, ui).len(),
        ListId::Transitions => snap.router.transitions.len(),
        ListId::Breakers => breakers(snap).len(),
        ListId::Rejections => snap.validation.recent.len(),
    }
}

/// The selected row of `list`, clamped to its rows; `None` when it has none.
pub fn selected(snap: &Snapshot, ui: &UiState, list: ListId) -> Option<usize> {
    let n = len(snap, ui, list);
    let last = n.checked_sub(1)?;
    let raw = match list {
        ListId::Watchlist => ui.selected,
        ListId::Alerts => ui.alert_selected,
        ListId::Events => match ui.ix.event_sel {
            None => 0,
            Some(seq) => events(snap, ui)
                .iter()
                .position(|(s, _)| *s == seq)
                .unwrap_or(0),
        },
        other => ui.ix.sel[other.index()],
    };
    Some(raw.min(last))
}

/// Selects row `index` of `list` (clamped). Selecting the newest event follows new
/// events again; any other event stays selected while newer ones arrive.
pub fn select(snap: &Snapshot, ui: &mut UiState, list: ListId, index: usize) {
    let last = len(snap, ui, list).saturating_sub(1);
    let index = index.min(last);
    match list {
        ListId::Watchlist => ui.selected = index,
        ListId::Alerts => ui.alert_selected = index,
        ListId::Events => {
            ui.ix.event_sel = if index == 0 {
                None
            } else {
                events(snap, ui).get(index).map(|(seq, _)| *seq)
            };
        }
        other => ui.ix.sel[other.index()] = index,
    }
}

/// The first row shown when `visible` rows fit and `selected` must be among them,
/// as ratatui's table scrolls a fresh state: just enough to show the selection.
pub fn window_start(selected: Option<usize>, visible: usize) -> usize {
    match selected {
        Some(s) if visible > 0 => s.saturating_sub(visible - 1),
        _ => 0,
    }
}
