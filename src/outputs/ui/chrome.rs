//! The screen's frame around the pages: the header bar (mode badge, feed, link state,
//! router state and the delayed/no-data badge, New York clock, replay position) and the
//! page tabs. The status line is [`super::statusline`]. Pure rendering, like
//! [`super::view`].

use super::format;
use super::state::{Page, UiState};
use super::theme::{Role, Theme};
use crate::domain::router::RouterState;
use crate::engine::snapshot::{Mode, Snapshot};
use crate::messages::LinkState;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{LineGauge, Paragraph};
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
fn header_left<'a>(
    snap: &'a Snapshot,
    theme: &Theme,
    remote: Option<bool>,
    name: bool,
    feed: bool,
) -> Line<'a> {
    let bar = theme.header();
    let (badge, badge_role) = match snap.mode {
        Mode::Demo => (" DEMO ", Role::BadgeDemo),
        Mode::Live => (" LIVE ", Role::BadgeLive),
        Mode::Replay => (" REPLAY ", Role::BadgeReplay),
    };
    let mut left = Vec::new();
    if let Some(live) = remote {
        // Whose screen this is comes first, loud while the link is down; the row
        // below says where and how.
        let role = if live {
            Role::BadgeReplay
        } else {
            Role::BadgeNoData
        };
        left.push(Span::styled(" REMOTE ", theme.style(role)));
    } else if name {
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
    let remote = ui.remote.as_ref().map(|r| r.status.is_live());
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
            let left = header_left(snap, theme, remote, name, feed);
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
    let (left, right) =
        chosen.unwrap_or_else(|| (header_left(snap, theme, remote, false, false), None));

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
