//! The latency panel: Alpaca feed latency (exchange timestamp to receipt) as p50, p95,
//! p99, p99.9 and max over the last minute, five minutes and since start; processing
//! (receipt to visible in a published snapshot) and render (snapshot to drawn frame)
//! over the last minute; a sparkline of feed p99 per minute, and Yahoo's figures in
//! one line when it has served.

use crate::engine::snapshot::Snapshot;

use crate::domain::stats::LatencyView;
use crate::outputs::ui::format;
use crate::outputs::ui::theme::{Role, Theme};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};
use ratatui::Frame;

const LABEL: usize = 13;
const COL: usize = 9;

pub(super) fn lines<'a>(snap: &'a Snapshot, render: &LatencyView, theme: &Theme) -> Vec<Line<'a>> {
    let a = &snap.latency.alpaca_feed_us;
    let muted = theme.style(Role::Muted);
    let mut out = vec![Line::from(Span::styled(
        format!(
            "{:<LABEL$}{:>COL$}{:>COL$}{:>COL$}{:>COL$}{:>COL$}{:>COL$}",
            "Alpaca feed", "p50", "p95", "p99", "p99.9", "max", "count"
        ),
        muted,
    ))];
    for (label, v) in [
        ("last 1m", &a.last_1m),
        ("last 5m", &a.last_5m),
        ("since start", &a.since_start),
    ] {
        out.push(row(label, v, theme));
    }
    let processing = &snap.perf.processing_us.last_1m;
    if processing.count > 0 {
        out.push(row("processing 1m", processing, theme));
    }
    if render.count > 0 {
        out.push(row("render 1m", render, theme));
    }
    let y = &snap.latency.yahoo_feed_us.last_5m;
    if y.count > 0 {
        out.push(Line::from(vec![
            Span::styled(format!("{:<LABEL$}", "Yahoo 5m"), muted),
            Span::styled(
                format!(
                    "p50 {} · p99 {} · max {} · {} prices",
                    format::micros(y.p50),
                    format::micros(y.p99),
                    format::micros(y.max),
                    format::count(y.count)
                ),
                theme.style(Role::Text),
            ),
        ]));
    }
    out
}

fn row<'a>(label: &'a str, v: &LatencyView, theme: &Theme) -> Line<'a> {
    let muted = theme.style(Role::Muted);
    if v.count == 0 {
        return Line::from(vec![
            Span::styled(format!("{label:<LABEL$}"), muted),
            Span::styled(format!("{:>COL$}", format::MISSING), muted),
        ]);
    }
    let cells = [v.p50, v.p95, v.p99, v.p999, v.max]
        .map(|us| format!("{:>COL$}", format::micros(us)))
        .concat();
    Line::from(vec![
        Span::styled(format!("{label:<LABEL$}"), muted),
        Span::styled(cells, theme.style(Role::Text)),
        Span::styled(format!("{:>COL$}", format::count(v.count)), muted),
    ])
}

/// The table lines, then (when a row is left) the sparkline of p99 per minute, newest
/// at the right, as many minutes as fit.
pub(super) fn draw(frame: &mut Frame, rect: Rect, lines: &[Line], history: &[u64], theme: &Theme) {
    let table_rows = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines.to_vec()), rect);
    if history.is_empty() || rect.height <= table_rows {
        return;
    }
    let y = rect.y + table_rows;
    let peak = history.iter().copied().max().unwrap_or(0);
    let label = format!("{:<LABEL$}", "p99 / minute");
    let tail = format!(" peak {}", format::micros(peak));
    let label_w = u16::try_from(label.chars().count()).unwrap_or(u16::MAX);
    let tail_w = u16::try_from(tail.chars().count()).unwrap_or(u16::MAX);
    let room = rect.width.saturating_sub(label_w + tail_w);
    let shown = history.len().min(usize::from(room));
    if shown == 0 {
        return;
    }
    let data = &history[history.len() - shown..];
    let shown_w = u16::try_from(shown).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(Span::styled(label, theme.style(Role::Muted))),
        Rect::new(rect.x, y, label_w.min(rect.width), 1),
    );
    frame.render_widget(
        Sparkline::default()
            .data(data)
            .style(theme.style(Role::Accent)),
        Rect::new(rect.x + label_w, y, shown_w, 1),
    );
    frame.render_widget(
        Paragraph::new(Span::styled(tail, theme.style(Role::Muted))),
        Rect::new(rect.x + label_w + shown_w, y, tail_w, 1),
    );
}
