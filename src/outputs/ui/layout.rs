//! Where things go on the screen, as pure functions of the terminal's size: the
//! minimum size (below it the screen says so instead of drawing garbage) and the
//! Market page's arrangement. At 80×24 the Market page is the watchlist and the
//! event log; from 120 columns and 30 body rows the selected symbol's chart joins
//! them between the two; from 160 columns the chart takes a right-hand column of its
//! own, beside the watchlist and the log.

use super::theme::{Role, Theme};
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

/// The smallest screen tapewatch draws on: a 40-column watchlist keeps Symbol, Last
/// and Chg % whole, and 8 rows keep the header, three symbols and the status line.
pub const MIN_COLS: u16 = 40;
pub const MIN_ROWS: u16 = 8;

/// The event log is shown only when it gets at least this many rows (borders included).
pub const LOG_MIN_ROWS: u16 = 4;
/// From here on the Market page has room for the selected symbol's chart...
const CHART_COLS: u16 = 120;
const CHART_BODY_ROWS: u16 = 30;
/// ...and from here on, a column of its own.
const SIDE_CHART_COLS: u16 = 160;
/// The chart's share of a side-by-side screen, in percent of the width.
const SIDE_CHART_PCT: u16 = 40;

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_COLS || area.height < MIN_ROWS
}

/// "terminal too small: need 40×8 (this one is 20×5)", wrapped to fit.
pub fn draw_too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = format!(
        "terminal too small: need {MIN_COLS}×{MIN_ROWS} (this one is {}×{}); q quits",
        area.width, area.height
    );
    let p = Paragraph::new(Line::from(Span::styled(text, theme.style(Role::Warn))))
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true });
    frame.render_widget(p, area);
}

/// The Market page's body (below the header and the error line).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct MarketAreas {
    pub table: Option<Rect>,
    pub chart: Option<Rect>,
    pub log: Option<Rect>,
}

/// Splits the Market page's `body` for a watchlist of `rows` symbols: the table
/// gets what it needs first, the chart (wide screens) a fair share, the log the rest
/// or nothing.
pub fn market(body: Rect, rows: usize) -> MarketAreas {
    let table_need = u16::try_from(rows.max(1))
        .unwrap_or(u16::MAX)
        .saturating_add(3);
    let wide = body.width >= CHART_COLS && body.height >= CHART_BODY_ROWS;
    if wide && body.width >= SIDE_CHART_COLS {
        let chart_w = body.width * SIDE_CHART_PCT / 100;
        let left = Rect {
            width: body.width - chart_w,
            ..body
        };
        let chart = Rect::new(left.right(), body.y, chart_w, body.height);
        let mut a = stack(left, table_need);
        a.chart = Some(chart);
        return a;
    }
    if wide {
        let table_rows = table_need.min(body.height / 2);
        let rest = body.height - table_rows;
        let log_rows = (rest * 2 / 5).max(LOG_MIN_ROWS);
        let chart_rows = rest - log_rows;
        let row_at = |y: u16, h: u16| Rect::new(body.x, y, body.width, h);
        return MarketAreas {
            table: Some(row_at(body.y, table_rows)),
            chart: Some(row_at(body.y + table_rows, chart_rows)),
            log: Some(row_at(body.y + table_rows + chart_rows, log_rows)),
        };
    }
    stack(body, table_need)
}

/// The watchlist over the log: the table gets what it needs, the log the rest (or
/// a third of a tall screen, or nothing when short).
fn stack(body: Rect, table_need: u16) -> MarketAreas {
    let log_rows = if body.height >= table_need.saturating_add(LOG_MIN_ROWS) {
        body.height - table_need
    } else if body.height >= 16 {
        (body.height / 3).max(LOG_MIN_ROWS)
    } else {
        0
    };
    let table_rows = body.height - log_rows;
    let row_at = |y: u16, h: u16| Rect::new(body.x, y, body.width, h);
    MarketAreas {
        table: (table_rows > 0).then(|| row_at(body.y, table_rows)),
        chart: None,
        log: (log_rows > 0).then(|| row_at(body.y + table_rows, log_rows)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(r: Option<Rect>) -> Option<(u16, u16, u16, u16)> {
        r.map(|r| (r.x, r.y, r.width, r.height))
    }

    #[test]
    fn the_market_page_uses_the_terminal() {
        // (body, rows) → (table, chart, log)
        type Want = (
            Option<(u16, u16, u16, u16)>,
            Option<(u16, u16, u16, u16)>,
            Option<(u16, u16, u16, u16)>,
        );
        let cases: [(Rect, usize, Want); 5] = [
            // 80×24: watchlist and log, no chart.
            (
                Rect::new(0, 1, 80, 22),
                12,
                (Some((0, 1, 80, 15)), None, Some((0, 16, 80, 7))),
            ),
            // 60×15: the watchlist alone.
            (
                Rect::new(0, 1, 60, 13),
                12,
                (Some((0, 1, 60, 13)), None, None),
            ),
            // 120×40: table, chart, log stacked.
            (
                Rect::new(0, 1, 120, 37),
                12,
                (
                    Some((0, 1, 120, 15)),
                    Some((0, 16, 120, 14)),
                    Some((0, 30, 120, 8)),
                ),
            ),
            // 200×60: the chart takes the right 40 %.
            (
                Rect::new(0, 1, 200, 57),
                12,
                (
                    Some((0, 1, 120, 15)),
                    Some((120, 1, 80, 57)),
                    Some((0, 16, 120, 42)),
                ),
            ),
            // A long watchlist on a wide screen leaves the chart half the height.
            (
                Rect::new(0, 0, 130, 40),
                100,
                (
                    Some((0, 0, 130, 20)),
                    Some((0, 20, 130, 12)),
                    Some((0, 32, 130, 8)),
                ),
            ),
        ];
        for (i, (body, rows, want)) in cases.into_iter().enumerate() {
            let a = market(body, rows);
            assert_eq!((h(a.table), h(a.chart), h(a.log)), want, "case {i}");
        }
        assert!(too_small(Rect::new(0, 0, 20, 5)));
        assert!(!too_small(Rect::new(0, 0, MIN_COLS, MIN_ROWS)));
    }
}
