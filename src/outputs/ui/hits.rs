//! What is under a screen cell: a page tab, a row of a list, or a list's panel. Worked
//! out from the same layout functions the views draw with (the Market page's split,
//! the Alerts page's layout, the Health page's panels) and the same scrolling, so a
//! click lands on the row that is drawn there. Also how many rows a list shows, for
//! PgUp/PgDn.

use super::interact::ListId;
use super::lists;
use super::state::{Page, UiState};
use super::theme::Theme;
use crate::engine::snapshot::Snapshot;
use ratatui::layout::Rect;
use unicode_width::UnicodeWidthStr;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Hit {
    Tab(Page),
    /// The tab bar's "Tab" (next page).
    NextTab,
    /// A list's row (index in the list as shown).
    Row(ListId, usize),
    /// A list's panel outside its rows (its border, an empty area).
    Panel(ListId),
}

/// A list's panel: where it is, where its rows start, how many show, the first shown.
struct ListArea {
    list: ListId,
    panel: Rect,
    rows_y: u16,
    rows: u16,
    top: usize,
}

/// Where the page tabs are: the rect of the block they are drawn on, and whether it
/// has a right border (the tabs end one cell before it).
struct Tabs {
    on: Rect,
    right_border: bool,
}

fn areas(snap: &Snapshot, ui: &UiState, area: Rect) -> (Vec<ListArea>, Option<Tabs>) {
    let theme = Theme::default();
    let status_rows = super::statusline::status_rows(snap, ui, &theme, area.width);
    let mut out = Vec::new();
    let err = (ui.page == Page::Market)
        .then(|| super::view::link_error(snap, ui.now(snap)))
        .flatten();
    let body = super::view::split(area, ui.remote.is_some(), err.is_some(), status_rows).body;
    // The symbol view: its tabs are on its bottom edge; it has no list.
    if ui.page == Page::Market && ui.symbol_view.is_some() {
        return (out, None);
    }
    if ui.page == Page::Market {
        let shown = lists::watchlist(snap, ui).len();
        let m = super::layout::market(body, shown);
        let mut tabs = None;
        if let Some(t) = m.table {
            let rows = t.height.saturating_sub(3);
            let sel = lists::selected(snap, ui, ListId::Watchlist);
            let top = lists::window_start(sel, usize::from(rows));
            out.push(ListArea {
                list: ListId::Watchlist,
                panel: t,
                rows_y: t.y + 2,
                rows,
                top,
            });
            tabs = Some(Tabs {
                on: t,
                right_border: true,
            });
        }
        if let Some(l) = m.log {
            let top = super::events_panel::window(snap, ui, l);
            let rows = l.height.saturating_sub(2);
            out.push(ListArea {
                list: ListId::Events,
                panel: l,
                rows_y: l.y + 1,
                rows,
                top,
            });
        }
        return (out, tabs);
    }
    match ui.page {
        Page::Market | Page::Positions => (
            out,
            Some(Tabs {
                on: body,
                right_border: true,
            }),
        ),
        Page::Alerts => {
            let al = super::alerts::layout(body, snap, ui);
            let (rows_y, rows) = super::alerts::active_rows(al.active);
            let sel = lists::selected(snap, ui, ListId::Alerts);
            let top = lists::window_start(sel, usize::from(rows));
            out.push(ListArea {
                list: ListId::Alerts,
                panel: al.active,
                rows_y,
                rows,
                top,
            });
            if let Some(h) = al.history {
                let rows = h.height.saturating_sub(2);
                let sel = lists::selected(snap, ui, ListId::AlertHistory);
                let top = lists::window_start(sel, usize::from(rows));
                out.push(ListArea {
                    list: ListId::AlertHistory,
                    panel: h,
                    rows_y: h.y + 1,
                    rows,
                    top,
                });
            }
            (
                out,
                Some(Tabs {
                    on: al.active,
                    right_border: true,
                }),
            )
        }
        Page::Health => {
            let mut tabs = None;
            for p in super::health::layout(body, snap, ui, &theme) {
                if p.tabs {
                    tabs = Some(Tabs {
                        on: p.rect,
                        right_border: false,
                    });
                }
                let Some(list) = super::health::list_of(p.kind) else {
                    continue;
                };
                let rows = p.rect.height.saturating_sub(1);
                let scroll = super::panels::scroll_of(&p.panel, rows);
                // Rows index body lines; the list's items start at `first`.
                let (first, _) = p.panel.items.unwrap_or((0, 0));
                out.push(ListArea {
                    list,
                    panel: p.rect,
                    rows_y: p.rect.y + 1,
                    rows,
                    top: scroll.wrapping_sub(first),
                });
            }
            (out, tabs)
        }
    }
}

/// The tab under column `x` of the tabs' row.
fn tab_at(ui: &UiState, tabs: &Tabs, x: u16) -> Option<Hit> {
    let line = super::chrome::page_tabs(ui, &Theme::default());
    let end = tabs.on.right().saturating_sub(u16::from(tabs.right_border));
    let mut left = end.saturating_sub(u16::try_from(line.width()).unwrap_or(u16::MAX));
    for span in &line.spans {
        let w = u16::try_from(span.content.width()).unwrap_or(u16::MAX);
        if (left..left + w).contains(&x) {
            let text = span.content.trim();
            if text == "Tab" {
                return Some(Hit::NextTab);
            }
            return Page::ALL
                .into_iter()
                .find(|p| text.starts_with(p.key()))
                .map(Hit::Tab);
        }
        left += w;
    }
    None
}

/// What is at (`x`, `y`) on a screen of `area`.
pub fn at(snap: &Snapshot, ui: &UiState, area: Rect, x: u16, y: u16) -> Option<Hit> {
    let (lists_here, tabs) = areas(snap, ui, area);
    if let Some(t) = tabs.as_ref().filter(|t| y == t.on.y) {
        if let Some(hit) = tab_at(ui, t, x) {
            return Some(hit);
        }
    }
    let la = lists_here.iter().find(|l| {
        let p = l.panel;
        (p.x..p.right()).contains(&x) && (p.y..p.bottom()).contains(&y)
    })?;
    if (la.rows_y..la.rows_y + la.rows).contains(&y) {
        // Health panels count rows from their first body line; items may start below.
        let index = la.top.wrapping_add(usize::from(y - la.rows_y));
        if index < lists::len(snap, ui, la.list) {
            return Some(Hit::Row(la.list, index));
        }
    }
    Some(Hit::Panel(la.list))
}

/// Rows `list` showed at the last drawn size (at least 1).
pub fn list_rows(snap: &Snapshot, ui: &UiState, list: ListId) -> usize {
    let (found, _) = areas(snap, ui, ui.ix.area);
    found
        .iter()
        .find(|l| l.list == list)
        .map_or(1, |l| usize::from(l.rows).max(1))
}
