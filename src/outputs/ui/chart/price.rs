//! The symbol chart: price (line or candles), previous close, volume and marks.
//! One bar per cell (two per candle, body and gap), newest on the right, so the
//! volume bars beneath line up with the price above them.

use super::super::columns::text_width;
use super::super::format;
use super::super::theme::{Role, Theme};
use super::marks;
use super::ChartOpts;
use crate::domain::bars::{aggregate, minute_start, BarSource, MinuteBar};
use crate::engine::snapshot::SymbolView;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Line as CanvasLine};
use ratatui::widgets::{Axis, Bar, BarChart, BarGroup, Chart, Dataset, GraphType, Paragraph};
use ratatui::Frame;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// Below this many rows the volume is left out; below [`MIN_PRICE_ROWS`] everything.
const VOLUME_FROM_ROWS: u16 = 12;
const MIN_PRICE_ROWS: u16 = 5;

/// Plot coordinates for a price: f64 for drawing only (never for money).
fn y(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// Yahoo's minutes in the fallback colour; otherwise up or down by the bar.
fn bar_role(b: &MinuteBar) -> Role {
    if b.source == BarSource::Yahoo {
        Role::Warn
    } else if b.close >= b.open {
        Role::Up
    } else {
        Role::Down
    }
}

/// The part of the first x label ("10:04") that ratatui's Chart puts left of the
/// y axis: it widens the label column when the y labels are narrower.
const X_LABEL_LEFT: u16 = 4;

/// Draws `v`'s chart into `area`: price on top, then the marks row and the volume
/// when `opts.full` and there is room.
pub fn draw_symbol_chart(
    frame: &mut Frame,
    area: Rect,
    v: &SymbolView,
    opts: &ChartOpts,
    theme: &Theme,
) {
    if area.height < MIN_PRICE_ROWS || area.width < 20 {
        return;
    }
    let all = aggregate(v.bars.bars(), opts.frame);
    if all.is_empty() {
        let text = format!(
            "no bars for {} yet: the chart fills as prices arrive",
            v.symbol
        );
        let p = Paragraph::new(Span::styled(text, theme.style(Role::Muted)))
            .alignment(Alignment::Center);
        frame.render_widget(p, Rect { height: 1, ..area });
        return;
    }
    let marks_on = opts.full && !v.bars.markers().is_empty();
    let volume_rows = if opts.full && area.height >= VOLUME_FROM_ROWS {
        (area.height / 4).clamp(3, 8)
    } else {
        0
    };
    let marks_rows = if marks_on { 2 } else { 0 };
    let price_rows = area.height - volume_rows - marks_rows;
    let per_bar: u16 = if opts.candles { 2 } else { 1 };
    // The y labels are padded to one width, so the plot starts where this code
    // says (ratatui's Chart puts it after the widest label and the axis line) and
    // the volume bars below line up with the price bars. A label that would not
    // fit whole is no reason to cut it: then no chart at all.
    let max_label = area.width / 3;
    let width_of = |l: &[String]| l.iter().map(|s| text_width(s)).max().unwrap_or(0);
    let mut label_w = width_of(&labels(bounds(&all, v.prev_close))).max(X_LABEL_LEFT);
    let slots_for = |label_w: u16| usize::from(area.width.saturating_sub(label_w + 1) / per_bar);
    let mut shown = visible(&all, slots_for(label_w));
    let mut y_labels = labels(bounds(shown, v.prev_close));
    if width_of(&y_labels) > label_w {
        label_w = width_of(&y_labels);
        shown = visible(&all, slots_for(label_w));
        y_labels = labels(bounds(shown, v.prev_close));
    }
    if label_w > max_label || shown.is_empty() {
        return;
    }
    let (lo, hi) = bounds(shown, v.prev_close);
    let y_labels: Vec<String> = y_labels
        .iter()
        .map(|l| format!("{l:>width$}", width = usize::from(label_w)))
        .collect();
    let offset = label_w + 1;
    let plot_w = area.width - offset;
    let slots = usize::from(plot_w / per_bar).max(1);
    let max_x = (slots * usize::from(per_bar)).saturating_sub(1).max(1) as f64;
    let x_labels = time_labels(shown, plot_w, per_bar, max_x);
    let price_area = Rect {
        height: price_rows,
        ..area
    };
    // Every dataset's points live until the chart is drawn.
    let reference: Vec<(f64, f64)> = v
        .prev_close
        .map(|pc| vec![(0.0, y(pc)), (max_x, y(pc))])
        .unwrap_or_default();
    let runs = if opts.candles {
        Vec::new()
    } else {
        line_runs(shown, per_bar)
    };
    let mut datasets = vec![Dataset::default()
        .marker(Marker::Braille)
        .graph_type(GraphType::Line)
        .style(theme.style(Role::Muted))
        .data(&reference)];
    for (role, points) in &runs {
        datasets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(theme.style(*role))
                .data(points),
        );
    }
    let axis_style = theme.style(Role::Muted);
    let chart = Chart::new(datasets)
        .x_axis(
            Axis::default()
                .bounds([0.0, max_x])
                .labels(x_labels.iter().map(|l| Span::styled(l.clone(), axis_style)))
                .style(axis_style),
        )
        .y_axis(
            Axis::default()
                .bounds([y(lo), y(hi)])
                .labels(y_labels.iter().map(|l| Span::styled(l.clone(), axis_style)))
                .style(axis_style),
        )
        .legend_position(None);
    frame.render_widget(chart, price_area);
    let plot = Rect::new(
        area.x + offset,
        area.y,
        plot_w,
        price_rows.saturating_sub(2),
    );
    if opts.candles {
        draw_candles(frame, plot, shown, (y(lo), y(hi)), max_x, theme);
    }
    let mut next_y = area.y + price_rows;
    if marks_rows > 0 {
        let row = Rect::new(area.x, next_y, area.width, marks_rows);
        marks::draw(frame, row, offset, per_bar, shown, opts, v, theme);
        next_y += marks_rows;
    }
    if volume_rows > 0 {
        let vol = Rect::new(area.x, next_y, area.width, volume_rows);
        draw_volume(frame, vol, offset, per_bar, shown, theme);
    }
}

/// The last `n` bars.
fn visible(all: &[MinuteBar], n: usize) -> &[MinuteBar] {
    &all[all.len().saturating_sub(n)..]
}

/// Low and high of the bars, widened to the previous close when it is near enough
/// to be worth the reference line (within 10 % of the range's middle).
fn bounds(bars: &[MinuteBar], prev_close: Option<Decimal>) -> (Decimal, Decimal) {
    let mut lo = bars.iter().map(|b| b.low).min().unwrap_or_default();
    let mut hi = bars.iter().map(|b| b.high).max().unwrap_or_default();
    if let Some(pc) = prev_close {
        let mid = (lo + hi) / Decimal::TWO;
        if !mid.is_zero() && ((pc - mid).abs() / mid) < Decimal::new(1, 1) {
            lo = lo.min(pc);
            hi = hi.max(pc);
        }
    }
    if hi <= lo {
        // A flat series still needs a band to draw in.
        let pad = (lo.abs() / Decimal::ONE_HUNDRED).max(Decimal::new(1, 2));
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    }
}

fn labels((lo, hi): (Decimal, Decimal)) -> Vec<String> {
    let mid = (lo + hi) / Decimal::TWO;
    vec![format::price(lo), format::price(mid), format::price(hi)]
}

/// `10:04` in New York for a bar's minute.
/// Labels evenly spaced along the x axis (where ratatui puts them), each the time of
/// the bar under it; blank where no bar is drawn yet, so the right edge of a chart
/// that is not full never claims a time the data has not reached.
fn time_labels(shown: &[MinuteBar], plot_w: u16, per_bar: u16, max_x: f64) -> Vec<String> {
    let n = usize::from(plot_w / 14).clamp(2, 9);
    (0..n)
        .map(|k| {
            let x = max_x * k as f64 / (n - 1) as f64;
            let slot = (x / f64::from(per_bar)).round() as usize;
            clock(shown.get(slot).map(|b| b.minute))
        })
        .collect()
}

fn clock(minute: Option<i32>) -> String {
    minute.map_or_else(String::new, |m| {
        let t = format::ny_time(minute_start(m));
        t.get(..5).unwrap_or(&t).to_string()
    })
}

/// The close line cut into runs by colour (Yahoo or not); each run starts at the
/// previous run's last point, so the line stays continuous.
fn line_runs(bars: &[MinuteBar], per_bar: u16) -> Vec<(Role, Vec<(f64, f64)>)> {
    let mut runs: Vec<(Role, Vec<(f64, f64)>)> = Vec::new();
    let mut prev: Option<(f64, f64)> = None;
    for (i, b) in bars.iter().enumerate() {
        let role = if b.source == BarSource::Yahoo {
            Role::Warn
        } else {
            Role::Accent
        };
        let p = ((i * usize::from(per_bar)) as f64, y(b.close));
        match runs.last_mut() {
            Some((r, points)) if *r == role => points.push(p),
            _ => {
                let mut points: Vec<(f64, f64)> = prev.into_iter().collect();
                points.push(p);
                runs.push((role, points));
            }
        }
        prev = Some(p);
    }
    runs
}

/// Candlesticks on a canvas over the chart's plot: a braille wick from low to high
/// and a half-block body from open to close, one cell wide, a cell apart.
fn draw_candles(
    frame: &mut Frame,
    plot: Rect,
    bars: &[MinuteBar],
    (lo, hi): (f64, f64),
    max_x: f64,
    theme: &Theme,
) {
    if plot.is_empty() {
        return;
    }
    let color = |b: &MinuteBar| theme.style(bar_role(b)).fg.unwrap_or_default();
    let canvas = Canvas::default()
        .x_bounds([0.0, max_x.max(1.0)])
        .y_bounds([lo, hi])
        .marker(Marker::Braille)
        .paint(|ctx| {
            for (i, b) in bars.iter().enumerate() {
                let x = (2 * i) as f64;
                ctx.draw(&CanvasLine::new(x, y(b.low), x, y(b.high), color(b)));
            }
            ctx.marker(Marker::HalfBlock);
            for (i, b) in bars.iter().enumerate() {
                let x = (2 * i) as f64;
                ctx.draw(&CanvasLine::new(x, y(b.open), x, y(b.close), color(b)));
            }
        });
    frame.render_widget(canvas, plot);
}

/// Volume bars under the plot, one per price bar, with the largest on the left.
fn draw_volume(
    frame: &mut Frame,
    area: Rect,
    offset: u16,
    per_bar: u16,
    bars: &[MinuteBar],
    theme: &Theme,
) {
    let max = bars.iter().map(|b| b.volume).max().unwrap_or(0).max(1);
    let label = Paragraph::new(Line::from(vec![Span::styled(
        format::volume(max),
        theme.style(Role::Muted),
    )]))
    .alignment(Alignment::Right);
    frame.render_widget(
        label,
        Rect::new(area.x, area.y, offset.saturating_sub(1), 1),
    );
    let items: Vec<Bar> = bars
        .iter()
        .map(|b| {
            Bar::default()
                .value(u64::try_from(b.volume).unwrap_or(0))
                .text_value(String::new())
                .style(theme.style(bar_role(b)))
        })
        .collect();
    let chart = BarChart::default()
        .data(BarGroup::default().bars(&items))
        .bar_width(1)
        .bar_gap(per_bar - 1)
        .max(u64::try_from(max).unwrap_or(1))
        .style(Style::default());
    let plot = Rect::new(
        area.x + offset,
        area.y,
        area.width.saturating_sub(offset),
        area.height,
    );
    frame.render_widget(chart, plot);
}
