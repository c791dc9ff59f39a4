//! UI-local state (page, selections, sort order; overlays, prompts and filters in
//! [`super::interact`]). Keys change it through [`super::dispatch`]. Nothing here
//! touches the terminal or the clock.

use crate::domain::types::Ts;
use crate::engine::snapshot::Snapshot;

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
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UiState {
    pub page: Page,
    /// Index into the watchlist as shown (after its filter); clamped when it shrinks.
    pub selected: usize,
    /// When set, ages and the header clock are measured against this instead of
    /// `Snapshot::now`. The shell sets it outside replay to the snapshot's time plus the
    /// wall time since it arrived, so a stuck engine shows up as growing ages.
    pub display_now: Option<Ts>,
    /// A one-line message for the operator (a refused key, a bad symbol), shown in
    /// the status line until the next key.
    pub notice: Option<String>,
    /// The positions table's order (`s` cycles, `S` flips).
    pub sort_key: crate::domain::portfolio::SortKey,
    pub sort_descending: bool,
    /// Index into the Alerts page's active alerts as shown; clamped like `selected`.
    pub alert_selected: usize,
    /// Render latency (snapshot received to frame drawn) over the last minute, measured
    /// by the shell and shown in the latency panel.
    pub render_latency_us: crate::domain::stats::LatencyView,
    /// Keymap, overlays, prompts, filters, focus and the rest of the interaction layer.
    pub ix: super::interact::Interaction,
    /// The selected symbol's chart, open over the Market page (Enter; Esc closes).
    pub symbol_view: Option<super::screen_actions::SymbolViewState>,
    /// A question waiting for y or n (see [`super::screen_actions`]).
    pub confirm: Option<super::screen_actions::Confirm>,
    /// Attached to a remote tapewatch: the link, for the header (`None` locally).
    pub remote: Option<super::remote::RemoteView>,
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
