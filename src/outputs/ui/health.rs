//! The Health page (page 2): connection, router, circuit breakers, validation,
//! latency and channel panels. Narrow screens stack them in one column; from [`TWO_COLUMNS`] cells
//! on, connections and the router go left and the rest right. Rows are shared out in
//! passes (every panel's minimum, then a fair share, then everything), in order of
//! importance, so an 80×24 terminal still shows every panel's essentials.

use super::chrome::page_tabs;
use super::interact::ListId;
use super::lists;
use super::panels::{self, Kind, Panel, Rows};
use super::state::{Page, UiState};
use super::theme::Theme;
use crate::engine::snapshot::Snapshot;
use ratatui::layout::Rect;
use ratatui::Frame;

/// From this width on the page has two columns (each wide enough for the connection
/// panel's two sides).
const TWO_COLUMNS: u16 = 140;

/// A panel placed on the page.
pub(super) struct Placed<'a> {
    pub kind: Kind,
    pub rect: Rect,
    pub panel: Panel<'a>,
    /// The page tabs go on this one's rule.
    pub tabs: bool,
}

/// The list a panel's rows belong to, if they are selectable.
pub(super) const fn list_of(kind: Kind) -> Option<ListId> {
    match kind {
        Kind::Router => Some(ListId::Transitions),
        Kind::Breakers => Some(ListId::Breakers),
        Kind::Validation => Some(ListId::Rejections),
        Kind::Connection | Kind::Latency | Kind::Channels => None,
    }
}

/// Where each panel goes in `rect` (panels that got no rows are left out).
pub(super) fn layout<'a>(
    rect: Rect,
    snap: &'a Snapshot,
    ui: &UiState,
    theme: &Theme,
) -> Vec<Placed<'a>> {
    if rect.width == 0 || rect.height == 0 {
        return Vec::new();
    }
    let columns: Vec<(Rect, Vec<Kind>)> = if rect.width >= TWO_COLUMNS {
        let gap = 2;
        let left_w = (rect.width - gap) / 2;
        vec![
            (
                Rect {
                    width: left_w,
                    ..rect
                },
                vec![Kind::Connection, Kind::Router],
            ),
            (
                Rect::new(
                    rect.x + left_w + gap,
                    rect.y,
                    rect.width - left_w - gap,
                    rect.height,
                ),
                vec![
                    Kind::Breakers,
                    Kind::Validation,
                    Kind::Latency,
                    Kind::Channels,
                ],
            ),
        ]
    } else {
        vec![(
            rect,
            vec![
                Kind::Connection,
                Kind::Router,
                Kind::Breakers,
                Kind::Validation,
                Kind::Latency,
                Kind::Channels,
            ],
        )]
    };
    let now = ui.now(snap);
    let focused = ui.ix.focused(Page::Health);
    // The tabs go on the top-right panel: the last column's first one.
    let tabs_column = columns.len() - 1;
    let mut out = Vec::new();
    for (i, (col, kinds)) in columns.into_iter().enumerate() {
        let built: Vec<Panel> = kinds
            .into_iter()
            .map(|k| {
                let sel = list_of(k)
                    .filter(|l| Some(*l) == focused)
                    .and_then(|l| lists::selected(snap, ui, l));
                panels::build(k, snap, now, theme, col.width, &ui.render_latency_us, sel)
            })
            .collect();
        let rows: Vec<Rows> = built.iter().map(|p| p.rows).collect();
        let heights = share(col.height, &rows);
        let mut y = col.y;
        let mut first = true;
        for (panel, h) in built.into_iter().zip(heights) {
            if h == 0 {
                continue;
            }
            out.push(Placed {
                kind: panel.kind(),
                rect: Rect::new(col.x, y, col.width, h),
                panel,
                tabs: i == tabs_column && first,
            });
            first = false;
            y += h;
        }
    }
    out
}

pub(super) fn draw_health(
    frame: &mut Frame,
    rect: Rect,
    snap: &Snapshot,
    ui: &UiState,
    theme: &Theme,
) {
    for p in layout(rect, snap, ui, theme) {
        let tabs = p.tabs.then(|| page_tabs(ui, theme));
        panels::draw(frame, p.rect, &p.panel, tabs, theme);
    }
}

/// Splits `height` rows between panels (each costing one title row plus its content):
/// first every panel's minimum in order (a panel whose minimum no longer fits is left
/// out), then each one's fair share, then the rest of what they want. Rows nobody
/// wants stay empty at the bottom.
pub(super) fn share(height: u16, rows: &[Rows]) -> Vec<u16> {
    let mut left = height;
    let mut got: Vec<Option<u16>> = vec![None; rows.len()];
    for (g, r) in got.iter_mut().zip(rows) {
        let need = r.min.saturating_add(1);
        if need <= left {
            *g = Some(r.min);
            left -= need;
        }
    }
    let passes: [fn(&Rows) -> u16; 2] = [|r| r.soft, |r| r.want];
    for target in passes {
        for (g, r) in got.iter_mut().zip(rows) {
            if let Some(have) = g.as_mut() {
                let more = target(r).saturating_sub(*have).min(left);
                *have += more;
                left -= more;
            }
        }
    }
    got.into_iter()
        .map(|g| g.map_or(0, |content| content + 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(min: u16, soft: u16, want: u16) -> Rows {
        Rows { min, soft, want }
    }

    #[test]
    fn rows_are_shared_by_minimum_then_fair_share_then_want() {
        // (height, panels, expected heights including the title row)
        let cases: Vec<(u16, Vec<Rows>, Vec<u16>)> = vec![
            // Plenty: everyone gets everything.
            (40, vec![r(1, 2, 3), r(2, 4, 9)], vec![4, 10]),
            // Minimums 2 + 3, then soft: +1 to the first, +2 to the second = 8.
            (8, vec![r(1, 2, 3), r(2, 4, 9)], vec![3, 5]),
            // Soft pass runs out inside the second panel.
            (7, vec![r(1, 2, 3), r(2, 4, 9)], vec![3, 4]),
            // The second minimum does not fit: it is left out, the third still shows.
            (5, vec![r(1, 1, 1), r(4, 4, 4), r(1, 2, 2)], vec![2, 0, 3]),
            (0, vec![r(1, 1, 1)], vec![0]),
            (1, vec![r(0, 0, 3)], vec![1]),
        ];
        for (i, (h, rows, want)) in cases.into_iter().enumerate() {
            let got = share(h, &rows);
            assert_eq!(got, want, "case {i}");
            assert!(got.iter().sum::<u16>() <= h, "case {i} overflows");
        }
    }
}
