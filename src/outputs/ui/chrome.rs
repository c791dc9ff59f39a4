//! The screen's frame around the pages: the header bar (mode badge, feed, link state,
//! router state and the delayed/no-data badge, New York clock, replay position), the page
//! tabs, the status line (key hints, counters, channel health) and the help overlay.
//! Pure rendering, like [`super::view`].

use super::format;
use super::state::{Page, UiState};
use super::theme::{Role, Theme};
use crate::domain::router::RouterState;
use crate::engine::snapshot::{Mode, Snapshot};
use crate::messages::LinkState;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, LineGauge, Paragraph};
use ratatui::Frame;

pub(super) fn link_role(state: LinkState) -> Role {
    match state {
        LinkState::Subscribed => Role::Ok,
        LinkState::Connecting | LinkState::Connected | LinkState::Authenticated => Role::Warn,
        LinkState::Disconnected | LinkState::Stalled => Role::Error,
    }
}

pub(super) fn router_role(state: RouterState) -> Role {
    match state {
        RouterState::PrimaryActive => Role::Ok,
        RouterState::FallbackActive
        | RouterState::PrimaryRecovering
        | RouterState::ManualFallback => Role::Warn,
        RouterState::BothUnavailable => Role::Error,
    }
}

/// The loud badge for prices that are not live: Yahoo serving (delayed), or nothing.
pub(super) fn data_badge(snap: &Snapshot) -> Option<(&'static str, Role)> {
    if snap.router.connection_state == RouterState::BothUnavailable {
        Some((" NO LIVE DATA ", Role::BadgeNoData))
    } else if snap.router.current_data_source == "Yahoo" {
        Some((" DELAYED DATA ", Role::BadgeDelayed))
    } else {
        None
    }
}

/// The header's left side. `full` keeps the name and the feed, which are the first
/// things dropped when the line is short; the badges and states always stay.
fn header_left<'a>(snap: &'a Snapshot, theme: &Theme, name: bool, feed: bool) -> Line<'a> {
    let bar = theme.header();
    let (badge, badge_role) = match snap.mode {
        Mode::Demo => (" DEMO ", Role::BadgeDemo),
        Mode::Live => (" LIVE ", Role::BadgeLive),
        Mode::Replay => (" REPLAY ", Role::BadgeReplay),
    };
    let mut left = Vec::new();
    if name {
        left.push(Span::styled(" tapewatch ", bar));
    }
    left.push(Span::styled(badge, theme.style(badge_role)));
    if feed && !snap.alpaca.feed.is_empty() {
        left.push(Span::styled("  feed ", bar));
        left.push(Span::styled(snap.alpaca.feed.as_str(), bar));
    }
    left.push(Span::styled("  Alpaca ", bar));
    left.push(Span::styled(
        snap.alpaca.state.as_str(),
        bar.patch(theme.style(link_role(snap.alpaca.state))),
    ));
    let route = snap.router.connection_state;
    left.push(Span::styled("  ", bar));
    left.push(Span::styled(
        route.as_str(),
        bar.patch(theme.style(router_role(route))),
    ));
    if let Some((text, role)) = data_badge(snap) {
        left.push(Span::styled(" ", bar));
        left.push(Span::styled(text, theme.style(role)));
    }
    Line::from(left)
}

pub(super) fn draw_header(
    frame: &mut Frame,
    rect: Rect,
    snap: &Snapshot,
    ui: &UiState,
    theme: &Theme,
) {
    let bar = theme.header();
    let (time, date) = format::ny_clock(ui.now(snap));
    let replay = snap.replay.as_ref().map(|r| {
        let state = if r.finished {
            "done"
        } else if r.paused {
            "PAUSED"
        } else {
            r.speed.as_str()
        };
        format!("{} {state}", format::replay_position(r.position_ms))
    });
    // Drop the least important parts of the clock until it fits next to the left side.
    // Each candidate says whether it has the part that must stay if anything can: the
    // replay position in replay, else the time.
    let mut candidates = Vec::new();
    if let Some(replay) = &replay {
        candidates.push((format!("{replay}  {time}  {date} "), true));
        candidates.push((format!("{replay}  {time} "), true));
        candidates.push((format!("{replay} "), true));
    }
    let time_essential = replay.is_none();
    candidates.push((format!("{time}  {date} "), time_essential));
    candidates.push((format!("{time} "), time_essential));
    let fits = |left: &Line, c: &str| {
        c.chars().count() <= usize::from(rect.width).saturating_sub(left.width() + 1)
    };
    // Drop from the left too (feed first, then the name) before giving up the essential
    // part; only then settle for whatever still fits.
    let variants = [(true, true), (true, false), (false, false)];
    let mut chosen = None;
    for essential_only in [true, false] {
        for (name, feed) in variants {
            let left = header_left(snap, theme, name, feed);
            let right = candidates
                .iter()
                .filter(|(_, essential)| *essential || !essential_only)
                .find(|(c, _)| fits(&left, c));
            if let Some((right, _)) = right {
                chosen = Some((left, Some(right.clone())));
                break;
            }
        }
        if chosen.is_some() {
            break;
        }
    }
    let (left, right) = chosen.unwrap_or_else(|| (header_left(snap, theme, false, false), None));

    let free = usize::from(rect.width)
        .saturating_sub(left.width() + right.as_ref().map_or(0, |r| r.chars().count()));
    frame.render_widget(Paragraph::new(left).style(bar), rect);
    if let Some(right) = right {
        let right_w = u16::try_from(right.chars().count()).unwrap_or(u16::MAX);
        let line = Line::from(Span::styled(right, bar)).alignment(Alignment::Right);
        frame.render_widget(Paragraph::new(line), rect);
        // The replay's progress through the fixture, left of its position.
        if let Some(ratio) = snap.replay.as_ref().and_then(progress) {
            let width = u16::try_from(free.saturating_sub(2))
                .unwrap_or(0)
                .min(PROGRESS_COLS);
            if width >= 8 {
                let x = rect.right().saturating_sub(right_w + width + 1);
                let gauge = LineGauge::default()
                    .ratio(ratio)
                    .label("")
                    .filled_style(bar.patch(theme.style(Role::Accent)))
                    .unfilled_style(bar.patch(theme.style(Role::Muted)));
                frame.render_widget(gauge, Rect::new(x, rect.y, width, 1));
            }
        }
    }
}

/// Widest progress bar in the header.
const PROGRESS_COLS: u16 = 24;

/// How far through the fixture a replay is (0 to 1), when its length is known.
fn progress(r: &crate::engine::snapshot::ReplayView) -> Option<f64> {
    let span = r.span_ms.filter(|s| *s > 0)?;
    if r.finished {
        return Some(1.0);
    }
    Some((r.position_ms as f64 / span as f64).clamp(0.0, 1.0))
}

/// Key hints and counters; channel health follows on the same row when it fits,
/// otherwise on a second row (see `view::split`).
fn status_lines<'a>(snap: &'a Snapshot, theme: &Theme) -> (Line<'a>, Line<'a>) {
    let key = theme.style(Role::Accent);
    let muted = theme.style(Role::Muted);
    let text = theme.style(Role::Text);
    let main = Line::from(vec![
        Span::styled(" q", key),
        Span::styled(" quit  ", muted),
        Span::styled("↑↓", key),
        Span::styled(" select  ", muted),
        Span::styled("r", key),
        Span::styled(" reconnect  ", muted),
        Span::styled("?", key),
        Span::styled(" help", muted),
        Span::styled(" │ ", theme.style(Role::Border)),
        Span::styled("msgs ", muted),
        Span::styled(format::count(snap.counters.messages), text),
        Span::styled("  parse errs ", muted),
        Span::styled(
            format::count(snap.counters.parse_errors),
            if snap.counters.parse_errors > 0 {
                theme.style(Role::Warn)
            } else {
                text
            },
        ),
    ]);
    // Channels that hit their limits first, so truncation hides the healthy ones.
    let mut channels: Vec<_> = snap.channels.iter().collect();
    channels.sort_by_key(|c| c.full == 0 && c.dropped == 0);
    let mut spans = vec![Span::styled(" chans ", muted)];
    for c in channels {
        spans.push(Span::styled(c.name, text));
        if c.full > 0 {
            spans.push(Span::styled(
                format!(" full {}", format::count(c.full)),
                theme.style(Role::Warn),
            ));
        }
        if c.dropped > 0 {
            spans.push(Span::styled(
                format!(" dropped {}", format::count(c.dropped)),
                theme.style(Role::Error),
            ));
        }
        spans.push(Span::raw("  "));
    }
    (main, Line::from(spans))
}

pub(super) fn draw_status<'a>(
    frame: &mut Frame,
    rect: Rect,
    snap: &'a Snapshot,
    ui: &UiState,
    theme: &Theme,
) {
    let (mut main, chans) = status_lines(snap, theme);
    // The prompt and notices take the key-hint row: that is where the eye goes after a key.
    if let Some(buf) = &ui.input {
        main = Line::from(vec![
            Span::styled(" add symbol: ", theme.style(Role::Accent)),
            Span::styled(format!("{buf}█"), theme.style(Role::Text)),
            Span::styled("  Enter add · Esc cancel", theme.style(Role::Muted)),
        ]);
        if let Some(n) = &ui.notice {
            main.spans
                .push(Span::styled(format!("  {n}"), theme.style(Role::Warn)));
        }
    } else if let Some(c) = &ui.confirm {
        main = Line::from(Span::styled(
            format!(" {}", c.question),
            theme.style(Role::Warn).add_modifier(Modifier::BOLD),
        ));
    } else if let Some(n) = &ui.notice {
        main = Line::from(Span::styled(format!(" {n}"), theme.style(Role::Warn)));
    } else if let Some(r) = snap.replay.as_ref() {
        // Said plainly, where the eye looks for what to do next.
        if r.finished {
            main = Line::from(Span::styled(
                " Replay finished — R to replay, q to quit",
                theme.style(Role::Accent),
            ));
        } else if r.paused {
            main = Line::from(Span::styled(
                " Replay paused — Space resumes, + / - speed, R restarts",
                theme.style(Role::Accent),
            ));
        }
    }
    // Whole words and numbers or nothing: a cut `backfill` or count reads wrong.
    let fit = |l: Line<'a>| super::columns::whole_spans(l, rect.width);
    let (main, chans) = (fit(main), fit(chans));
    if snap.channels.is_empty() {
        frame.render_widget(Paragraph::new(main), rect);
    } else if rect.height >= 2 {
        frame.render_widget(Paragraph::new(main), Rect { height: 1, ..rect });
        let second = Rect::new(rect.x, rect.y + 1, rect.width, 1);
        frame.render_widget(Paragraph::new(chans), second);
    } else {
        let mut spans = main.spans;
        spans.push(Span::styled(" │", theme.style(Role::Border)));
        spans.extend(chans.spans);
        frame.render_widget(Paragraph::new(fit(Line::from(spans))), rect);
    }
}

/// Rows the status line wants at this width: 2 when channel health doesn't fit beside
/// the key hints.
pub(super) fn status_rows(snap: &Snapshot, theme: &Theme, width: u16) -> u16 {
    let (main, chans) = status_lines(snap, theme);
    if snap.channels.is_empty() || main.width() + 2 + chans.width() <= usize::from(width) {
        1
    } else {
        2
    }
}

const HELP: [(&str, &str); 19] = [
    ("q, Esc, Ctrl-C", "quit"),
    ("Enter / Esc", "the selected symbol's chart / back"),
    ("c, t, ← →", "chart: candles, 1m/5m/15m bars, select a mark"),
    ("Space, + / -", "replay: pause or resume, faster / slower"),
    ("R", "replay again from the start"),
    (
        "Tab / 1 - 4",
        "page: 1 Market, 2 Health, 3 Positions, 4 Alerts",
    ),
    ("a (Alerts page)", "acknowledge the selected alert"),
    ("z (Alerts page)", "snooze the selected alert for 30 min"),
    ("s / S", "positions: next sort key / flip the order"),
    ("r", "reconnect Alpaca now (also leaves a stop)"),
    ("f", "force the Yahoo fallback / return to Alpaca"),
    ("b", "accept the selected symbol's held price (asks)"),
    ("a", "add a symbol to the watchlist"),
    ("d / Delete", "remove the selected symbol"),
    ("↑ / k", "select previous symbol (or alert)"),
    ("↓ / j", "select next symbol (or alert)"),
    ("g / Home", "first symbol (or alert)"),
    ("G / End", "last symbol (or alert)"),
    ("?", "toggle this help (Esc closes)"),
];

pub(super) fn draw_help(frame: &mut Frame, area: Rect, theme: &Theme) {
    // As wide as the longest entry (keys column, text, borders), so nothing is cut
    // on a screen that has the room; a narrower one ends entries in an ellipsis.
    let need = HELP
        .iter()
        .map(|(_, what)| super::columns::text_width(what) + 17 + 2)
        .max()
        .unwrap_or(0);
    let width = need.min(area.width);
    let text_w = width.saturating_sub(17 + 2);
    let height = u16::try_from(HELP.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let rect = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::styled(format!(" {keys:<16}"), theme.style(Role::Accent)),
                Span::styled(
                    super::columns::ellipsize(what, text_w),
                    theme.style(Role::Text),
                ),
            ])
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Accent))
        .title(" Keys ");
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// The page tabs, for the top-right corner of the first block on the page: the current
/// page by key and name in the accent colour, the others by key only (muted) so four
/// pages fit beside a title on an 80-column screen; `?` lists them all.
pub(super) fn page_tabs(ui: &UiState, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(" ", theme.style(Role::Border))];
    for (i, page) in Page::ALL.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("│", theme.style(Role::Border)));
        }
        let style = if page == ui.page {
            theme.style(Role::Accent).add_modifier(Modifier::REVERSED)
        } else {
            theme.style(Role::Muted)
        };
        let label = if page == ui.page {
            format!(" {} ", page.label())
        } else {
            format!(" {} ", page.key())
        };
        spans.push(Span::styled(label, style));
    }
    spans.push(Span::styled(" Tab ", theme.style(Role::Muted)));
    Line::from(spans).right_aligned()
}
