//! The Health page's panels (connection, router, circuit breakers, validation,
//! latency, channels). Each one is built from the snapshot into text lines ordered most important
//! first, with the rows it needs at least, would like, and could use; [`super::health`]
//! shares the screen's rows out and each panel shows what fits. A panel's frame is a
//! single titled rule, so a panel costs one row of chrome, not two.

mod breakers;
mod channels;
mod connection;
mod latency;
mod router;
mod validation;

use super::theme::{Role, Theme};
use crate::domain::types::Ts;
use crate::engine::snapshot::Snapshot;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Connection,
    Router,
    Breakers,
    Validation,
    Latency,
    Channels,
}

impl Kind {
    const fn title(self) -> &'static str {
        match self {
            Kind::Connection => " Connections ",
            Kind::Router => " Router ",
            Kind::Breakers => " Circuit breakers ",
            Kind::Validation => " Validation ",
            Kind::Latency => " Feed latency ",
            Kind::Channels => " Channels ",
        }
    }
}

/// Content rows below the title rule: the least that is still useful, a fair share
/// when rows are scarce, and everything.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) struct Rows {
    pub min: u16,
    pub soft: u16,
    pub want: u16,
}

impl Rows {
    fn new(min: usize, soft: usize, want: usize) -> Rows {
        let clamp = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
        let want = clamp(want);
        let soft = clamp(soft).min(want);
        Rows {
            min: clamp(min).min(soft),
            soft,
            want,
        }
    }
}

enum Body<'a> {
    Lines(Vec<Line<'a>>),
    /// Two halves side by side (Alpaca | Yahoo), stacked when the panel is narrow.
    Columns(Vec<Line<'a>>, Vec<Line<'a>>),
    /// The table, then a sparkline row.
    Latency {
        lines: Vec<Line<'a>>,
        p99_by_minute_us: &'a [u64],
    },
}

pub(super) struct Panel<'a> {
    kind: Kind,
    pub rows: Rows,
    body: Body<'a>,
    /// The body lines that are rows of a selectable list: (first line, how many).
    pub items: Option<(usize, usize)>,
    /// The selected item, when the panel's list has the keys (index into the items).
    pub selected: Option<usize>,
}

/// Two connection columns need this much width to say anything useful.
const COLUMNS_MIN_WIDTH: u16 = 76;

/// Builds one panel for a column `width` cells wide, with ages measured against `now`.
/// `selected` is the selected row of the panel's list when the list has the keys.
pub(super) fn build<'a>(
    kind: Kind,
    snap: &'a Snapshot,
    now: Ts,
    theme: &Theme,
    width: u16,
    render: &crate::domain::stats::LatencyView,
    selected: Option<usize>,
) -> Panel<'a> {
    let mut items = None;
    let (rows, body) = match kind {
        Kind::Connection => {
            let (alpaca, yahoo) = connection::lines(snap, now, theme);
            // The first three lines a side say what matters; the rest are details.
            let rows = if width >= COLUMNS_MIN_WIDTH {
                let n = alpaca.len().max(yahoo.len());
                Rows::new(1, 3, n)
            } else {
                let n = alpaca.len() + yahoo.len();
                Rows::new(2, 4, n)
            };
            (rows, Body::Columns(alpaca, yahoo))
        }
        Kind::Router => {
            let (lines, head) = router::lines(snap, now, theme);
            items = Some((head, snap.router.transitions.len()));
            // The state and timers, then a couple of transitions before others get more.
            let rows = Rows::new(head.min(2), head + 2, lines.len());
            (rows, Body::Lines(lines))
        }
        Kind::Breakers => {
            let lines = breakers::lines(snap, now, theme);
            // The upstream table, then the first symbol breakers: they need the operator.
            let table = snap.breakers.len() + 1;
            let v = &snap.validation;
            items = Some((
                1,
                snap.breakers.len() + v.tripped.len() + v.discrepancies.len(),
            ));
            (Rows::new(table, table + 2, lines.len()), Body::Lines(lines))
        }
        Kind::Validation => {
            // With the keys on it, every kept rejection is listed (and scrolls).
            let (lines, shown) = validation::lines(snap, theme, selected.is_some());
            items = Some((lines.len() - shown, shown));
            (Rows::new(1, 3, lines.len()), Body::Lines(lines))
        }
        Kind::Channels => {
            let lines = channels::lines(snap, theme);
            (Rows::new(1, 1, lines.len()), Body::Lines(lines))
        }
        Kind::Latency => {
            let lines = latency::lines(snap, render, theme);
            let history = &snap.latency.alpaca_feed_us.p99_by_minute_us;
            let spark = usize::from(!history.is_empty());
            let n = lines.len() + spark;
            (
                Rows::new(2.min(n), n, n),
                Body::Latency {
                    lines,
                    p99_by_minute_us: history,
                },
            )
        }
    };
    Panel {
        kind,
        rows,
        body,
        items,
        selected,
    }
}

impl Panel<'_> {
    pub(super) fn kind(&self) -> Kind {
        self.kind
    }
}

/// The body line the selection is on, if the panel has one.
fn selected_line(panel: &Panel) -> Option<usize> {
    let (first, n) = panel.items?;
    let s = panel.selected?;
    (n > 0).then(|| first + s.min(n - 1))
}

/// The first body line shown in `height` rows: enough to keep the selection in view.
pub(super) fn scroll_of(panel: &Panel, height: u16) -> usize {
    super::lists::window_start(selected_line(panel), usize::from(height))
}

/// Draws a panel into `rect` (title rule included); `tabs` goes to the rule's right end.
pub(super) fn draw(
    frame: &mut Frame,
    rect: Rect,
    panel: &Panel,
    tabs: Option<Line<'static>>,
    theme: &Theme,
) {
    let focus = if panel.selected.is_some() {
        Role::Accent
    } else {
        Role::Border
    };
    let mut block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.style(focus))
        .title(Span::styled(panel.kind.title(), theme.style(Role::Accent)));
    if let Some(tabs) = tabs {
        block = block.title_top(tabs);
    }
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    match &panel.body {
        Body::Lines(lines) => {
            let top = scroll_of(panel, inner.height);
            let chosen = selected_line(panel);
            let shown: Vec<Line> = lines
                .iter()
                .enumerate()
                .skip(top)
                .map(|(i, l)| {
                    // Whole words and numbers or nothing (the detail has it all).
                    let l = super::columns::whole_spans(l.clone(), inner.width);
                    if Some(i) == chosen {
                        l.style(theme.style(Role::SelectedBg))
                    } else {
                        l
                    }
                })
                .collect();
            frame.render_widget(Paragraph::new(shown), inner);
        }
        Body::Columns(left, right) => draw_columns(frame, inner, left, right),
        Body::Latency {
            lines,
            p99_by_minute_us,
        } => latency::draw(frame, inner, lines, p99_by_minute_us, theme),
    }
}

fn draw_columns(frame: &mut Frame, rect: Rect, left: &[Line], right: &[Line]) {
    if rect.width >= COLUMNS_MIN_WIDTH {
        let gap = 2;
        let half = (rect.width - gap) / 2;
        let l = Rect {
            width: half,
            ..rect
        };
        let r = Rect::new(
            rect.x + half + gap,
            rect.y,
            rect.width - half - gap,
            rect.height,
        );
        frame.render_widget(Paragraph::new(fit(left, l.width)), l);
        frame.render_widget(Paragraph::new(fit(right, r.width)), r);
        return;
    }
    // Stacked: each side keeps at least its first line when there are two rows.
    let h = usize::from(rect.height);
    let right_rows = if h >= 2 {
        right.len().min(h / 2).max(1)
    } else {
        0
    };
    let left_rows = left.len().min(h - right_rows);
    let right_rows = right.len().min(h - left_rows);
    let lines: Vec<Line> = left[..left_rows]
        .iter()
        .chain(&right[..right_rows])
        .cloned()
        .collect();
    frame.render_widget(Paragraph::new(fit(&lines, rect.width)), rect);
}

/// Each line's words and numbers whole or gone, sentences ending in an ellipsis
/// (a panel narrower than its text used to show `feed ie` for `feed iex`).
fn fit<'a>(lines: &[Line<'a>], width: u16) -> Vec<Line<'a>> {
    lines
        .iter()
        .map(|l| super::columns::whole_spans(l.clone(), width))
        .collect()
}

/// "in 7s" to a deadline, or "due" once it has passed.
fn countdown(at: Ts, now: Ts) -> String {
    let ms = at.millis_since(now);
    if ms <= 0 {
        "due now".to_string()
    } else {
        format!("in {}", super::format::countdown(ms))
    }
}

/// A label, then a value in the text colour.
fn kv<'a>(label: &'a str, value: String, theme: &Theme) -> [Span<'a>; 2] {
    [
        Span::styled(label, theme.style(Role::Muted)),
        Span::styled(value, theme.style(Role::Text)),
    ]
}

fn sep<'a>(theme: &Theme) -> Span<'a> {
    Span::styled(" · ", theme.style(Role::Muted))
}
