//! The Positions page's charts, under the table when the screen has room: the
//! portfolio's equity through the day (today's holdings marked to each minute's
//! close, a braille `Chart`) and each position's unrealized P&L as horizontal bars
//! (`BarChart`, green up, red down). Pure rendering.

use super::format;
use super::positions::money;
use super::theme::{Role, Theme};
use crate::domain::bars::{equity_curve, minute_start, BarSeries};
use crate::engine::snapshot::Snapshot;
use ratatui::layout::{Direction, Rect};
use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::{
    Axis, Bar, BarChart, BarGroup, Block, Borders, Chart, Dataset, GraphType, Paragraph,
};
use ratatui::Frame;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// The charts need this many rows under the table, and this many columns.
const MIN_ROWS: u16 = 10;
const MIN_COLS: u16 = 60;
/// From this width the P&L bars stand beside the equity curve.
const SIDE_BY_SIDE: u16 = 100;

/// The area under a table of `table_rows` rows (header included), if big enough.
pub(super) fn area_below(body: Rect, table_rows: u16) -> Option<Rect> {
    let left = body.height.checked_sub(table_rows + 1)?;
    (left >= MIN_ROWS && body.width >= MIN_COLS)
        .then(|| Rect::new(body.x, body.y + body.height - left, body.width, left))
}

pub(super) fn draw(frame: &mut Frame, area: Rect, snap: &Snapshot, theme: &Theme) {
    if area.width >= SIDE_BY_SIDE {
        let bars_w = area.width * 2 / 5;
        let curve = Rect {
            width: area.width - bars_w,
            ..area
        };
        draw_equity(frame, curve, snap, theme);
        draw_pl_bars(
            frame,
            Rect::new(curve.right(), area.y, bars_w, area.height),
            snap,
            theme,
        );
    } else {
        draw_equity(frame, area, snap, theme);
    }
}

fn block<'a>(title: &'a str, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .title(Span::styled(title, theme.style(Role::Accent)))
}

fn draw_equity(frame: &mut Frame, area: Rect, snap: &Snapshot, theme: &Theme) {
    let b = block(" Equity today (current holdings, minute closes) ", theme);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let holdings: Vec<(Decimal, &BarSeries)> = snap
        .portfolio
        .positions
        .iter()
        .filter_map(|p| {
            let v = snap.watchlist.iter().find(|v| v.symbol == p.symbol)?;
            Some((p.qty, &v.bars))
        })
        .collect();
    let cash = snap.account.as_ref().map_or(Decimal::ZERO, |a| a.cash);
    let curve = if holdings.len() == snap.portfolio.positions.len() {
        equity_curve(&holdings, cash)
    } else {
        Vec::new()
    };
    let (Some(first), Some(last)) = (curve.first(), curve.last()) else {
        let msg = Span::styled(
            "no curve yet: every position needs a price history",
            theme.style(Role::Muted),
        );
        frame.render_widget(Paragraph::new(msg), inner);
        return;
    };
    let lo = curve.iter().map(|p| p.equity).min().unwrap_or_default();
    let hi = curve.iter().map(|p| p.equity).max().unwrap_or_default();
    let (lo_f, hi_f) = (lo.to_f64().unwrap_or(0.0), hi.to_f64().unwrap_or(0.0));
    let pad = ((hi_f - lo_f) * 0.05).max(1.0);
    let points: Vec<(f64, f64)> = curve
        .iter()
        .map(|p| {
            (
                f64::from(p.minute - first.minute),
                p.equity.to_f64().unwrap_or(0.0),
            )
        })
        .collect();
    let role = if last.equity >= first.equity {
        Role::Up
    } else {
        Role::Down
    };
    let muted = theme.style(Role::Muted);
    let clock = |m: i32| {
        let t = format::ny_time(minute_start(m));
        t.get(..5).unwrap_or(&t).to_string()
    };
    let y_labels = [money(lo), money(hi)];
    // A money label cut by the chart's label column would be a wrong number.
    let label_w = y_labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    if label_w > usize::from(inner.width / 3) {
        return;
    }
    let chart = Chart::new(vec![Dataset::default()
        .marker(Marker::Braille)
        .graph_type(GraphType::Line)
        .style(theme.style(role))
        .data(&points)])
    .x_axis(
        Axis::default()
            .bounds([0.0, f64::from((last.minute - first.minute).max(1))])
            .labels([clock(first.minute), clock(last.minute)].map(|l| Span::styled(l, muted)))
            .style(muted),
    )
    .y_axis(
        Axis::default()
            .bounds([lo_f - pad, hi_f + pad])
            .labels(y_labels.map(|l| Span::styled(l, muted)))
            .style(muted),
    )
    .legend_position(None);
    frame.render_widget(chart, inner);
}

fn draw_pl_bars(frame: &mut Frame, area: Rect, snap: &Snapshot, theme: &Theme) {
    let b = block(" Unrealized P&L ", theme);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let bars: Vec<Bar> = snap
        .portfolio
        .positions
        .iter()
        .map(|p| {
            let (value, text, role) = match p.unrealized_pl {
                Some(pl) => {
                    let dollars = pl.round();
                    let sign = match dollars.cmp(&Decimal::ZERO) {
                        std::cmp::Ordering::Greater => "+",
                        std::cmp::Ordering::Less => "-",
                        std::cmp::Ordering::Equal => "",
                    };
                    let whole = money(dollars.abs());
                    let whole = whole.trim_end_matches(".00");
                    (
                        dollars.abs().to_u64().unwrap_or(0),
                        format!("{sign}{whole}"),
                        if pl >= Decimal::ZERO {
                            Role::Up
                        } else {
                            Role::Down
                        },
                    )
                }
                None => (0, "no price".to_string(), Role::Warn),
            };
            Bar::default()
                .label(p.symbol.to_string())
                .value(value)
                .text_value(text)
                .style(theme.style(role))
                .value_style(
                    theme
                        .style(role)
                        .add_modifier(ratatui::style::Modifier::REVERSED),
                )
        })
        .collect();
    let chart = BarChart::default()
        .direction(Direction::Horizontal)
        .data(BarGroup::default().bars(&bars))
        .bar_width(1)
        .bar_gap(0);
    frame.render_widget(chart, inner);
}
