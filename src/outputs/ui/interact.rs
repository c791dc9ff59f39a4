//! The interaction layer's share of the UI state ([`Interaction`], one field of
//! [`super::state::UiState`]): the keymap in use, open overlays (help, detail), the
//! open prompt (command palette, filter, add symbol), per-list filters, which panel
//! the keys act on, list selections, the palette's history and the last click. Plain
//! data; [`super::dispatch`] and [`super::mouse`] change it, the views read it.

use super::keymap::Keymap;
use super::line_edit::LineEdit;
use super::state::Page;
use crate::domain::event::Event;
use crate::domain::router::TransitionView;
use crate::domain::types::Symbol;
use crate::domain::validate::RecentRejection;
use ratatui::layout::Rect;
use std::sync::Arc;

/// A list the keys (and the mouse) can select in and `/` can filter.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ListId {
    Watchlist,
    Events,
    Alerts,
    AlertHistory,
    Transitions,
    Breakers,
    Rejections,
}

impl ListId {
    pub const COUNT: usize = 7;

    pub const fn index(self) -> usize {
        self as usize
    }

    /// The lists on a page, in panel order (←/→ move between them).
    pub const fn of_page(page: Page) -> &'static [ListId] {
        match page {
            Page::Market => &[ListId::Watchlist, ListId::Events],
            Page::Health => &[ListId::Transitions, ListId::Breakers, ListId::Rejections],
            Page::Positions => &[],
            Page::Alerts => &[ListId::Alerts, ListId::AlertHistory],
        }
    }

    /// How a notice or the help names it.
    pub const fn label(self) -> &'static str {
        match self {
            ListId::Watchlist => "watchlist",
            ListId::Events => "event log",
            ListId::Alerts => "alerts",
            ListId::AlertHistory => "alert history",
            ListId::Transitions => "router transitions",
            ListId::Breakers => "circuit breakers",
            ListId::Rejections => "validation rejections",
        }
    }

    /// What the filter matches, for the prompt's hint.
    pub const fn filter_hint(self) -> &'static str {
        match self {
            ListId::Watchlist => "symbol, e.g. TSLA",
            ListId::Events => {
                "text and level, e.g. warn TSLA (info, warn, error: that level and above)"
            }
            ListId::Alerts => "id, name, severity or state, e.g. H1, high, firing",
            ListId::AlertHistory => "alert id, action or who, e.g. H1, acknowledged, api",
            ListId::Transitions => "state or reason, e.g. FALLBACK, timeout",
            ListId::Breakers => "name, state or symbol, e.g. yahoo, OPEN, TSLA",
            ListId::Rejections => "symbol or reason, e.g. TSLA, price",
        }
    }
}

/// What a detail overlay shows. Events, transitions and rejections are copied when
/// opened (they never change, and may leave their ring while being read); alerts and
/// breakers are looked up in each new snapshot, so their detail stays live.
#[derive(Clone, Debug, PartialEq)]
pub enum DetailTarget {
    Event(Event),
    Alert(crate::domain::types::Label),
    Transition(TransitionView),
    Breaker(crate::domain::types::Label),
    SymbolBreaker(Symbol),
    Discrepancy(Symbol),
    Rejection(RecentRejection),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Detail {
    pub target: DetailTarget,
    /// First content row shown.
    pub scroll: u16,
    /// The selected runbook command (alert details), for `y`.
    pub step: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    Help { scroll: u16 },
    Detail(Detail),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PromptKind {
    Palette,
    Filter(ListId),
    AddSymbol,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub line: LineEdit,
    /// Why the text cannot be run (shown in the prompt line, in the warning colour).
    pub error: Option<String>,
    /// Position in the palette history while browsing it (0 = the newest entry).
    pub history_pos: Option<usize>,
    /// What was typed before browsing the history began.
    pub draft: String,
}

impl Prompt {
    pub fn new(kind: PromptKind, text: &str) -> Prompt {
        Prompt {
            kind,
            line: LineEdit::with_text(text),
            error: None,
            history_pos: None,
            draft: String::new(),
        }
    }
}

/// A mouse press remembered for double-click detection: where and when (ms on the
/// UI's own clock, given by the shell).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Click {
    pub at_ms: u64,
    pub list: ListId,
    pub index: usize,
}

/// Palette commands remembered, newest last.
pub const HISTORY_KEPT: usize = 100;

#[derive(Clone, Debug, PartialEq)]
pub struct Interaction {
    pub keymap: Arc<Keymap>,
    /// Innermost last: Esc closes the last one.
    pub overlays: Vec<Overlay>,
    pub prompt: Option<Prompt>,
    /// The filter text per list ([`ListId::index`]); empty means none.
    pub filters: [String; ListId::COUNT],
    /// The focused list per page (index into [`ListId::of_page`]).
    pub focus: [usize; 4],
    /// The selected event's sequence number; `None` follows the newest.
    pub event_sel: Option<u64>,
    /// Selections of the lists without a field of their own in `UiState`.
    pub sel: [usize; ListId::COUNT],
    pub history: Vec<String>,
    /// The API's base URL for runbook commands (`http://127.0.0.1:5002`).
    pub api_base: String,
    /// The screen's size at the last draw, for page-sized moves and the mouse.
    pub area: Rect,
    pub last_click: Option<Click>,
}

impl Default for Interaction {
    fn default() -> Interaction {
        Interaction {
            keymap: Arc::default(),
            overlays: Vec::new(),
            prompt: None,
            filters: Default::default(),
            focus: [0; 4],
            event_sel: None,
            sel: [0; ListId::COUNT],
            history: Vec::new(),
            api_base: "http://127.0.0.1:5002".to_string(),
            area: Rect::new(0, 0, 80, 24),
            last_click: None,
        }
    }
}

impl Interaction {
    pub fn filter(&self, list: ListId) -> Option<&str> {
        let f = self.filters[list.index()].as_str();
        (!f.is_empty()).then_some(f)
    }

    /// The list the keys act on for `page`, if the page has lists.
    pub fn focused(&self, page: Page) -> Option<ListId> {
        let lists = ListId::of_page(page);
        lists
            .get(self.focus[page_index(page)])
            .or(lists.first())
            .copied()
    }

    pub fn set_focus(&mut self, page: Page, list: ListId) {
        if let Some(i) = ListId::of_page(page).iter().position(|l| *l == list) {
            self.focus[page_index(page)] = i;
        }
    }

    pub fn help_open(&self) -> bool {
        matches!(self.overlays.last(), Some(Overlay::Help { .. }))
    }
}

pub const fn page_index(page: Page) -> usize {
    match page {
        Page::Market => 0,
        Page::Health => 1,
        Page::Positions => 2,
        Page::Alerts => 3,
    }
}
