//! The status line: the keys of where the user is (from the keymap, as many as fit,
//! the least important dropped first), the message and parse-error counters, and the
//! channels' health with their counts (all of them, with capacity and policy, are on
//! the Health page). An open prompt, a notice or a refusal takes the key-hint row:
//! that is where the eye goes after a key.

use super::actions::Action;
use super::dispatch::innermost;
use super::format;
use super::interact::{DetailTarget, Overlay, PromptKind};
use super::keymap::Context;
use super::keymap_doc::{hints, Hint};
use super::state::UiState;
use super::theme::{Role, Theme};
use crate::engine::snapshot::Snapshot;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

fn counters<'a>(snap: &Snapshot, theme: &Theme) -> Vec<Span<'a>> {
    let muted = theme.style(Role::Muted);
    let text = theme.style(Role::Text);
    let errs = snap.counters.parse_errors;
    vec![
        Span::styled(" │ ", theme.style(Role::Border)),
        Span::styled("msgs ", muted),
        Span::styled(format::count(snap.counters.messages), text),
        Span::styled("  parse errs ", muted),
        Span::styled(
            format::count(errs),
            if errs > 0 {
                theme.style(Role::Warn)
            } else {
                text
            },
        ),
    ]
}

/// The hints that fit in `budget` columns: the least important go first, `?` never.
fn fitted(mut all: Vec<Hint>, budget: usize) -> Vec<Hint> {
    let width = |hs: &[Hint]| {
        hs.iter()
            .map(|h| h.keys.width() + h.label.width() + 3)
            .sum::<usize>()
    };
    while width(&all) > budget {
        let drop = all
            .iter()
            .enumerate()
            .filter(|(_, h)| h.label != "help")
            .max_by_key(|(i, h)| (h.priority, *i))
            .map(|(i, _)| i);
        match drop {
            Some(i) => {
                all.remove(i);
            }
            None => break,
        }
    }
    all
}

fn main_line<'a>(snap: &Snapshot, ui: &UiState, theme: &Theme, width: u16) -> Line<'a> {
    let mut tail = counters(snap, theme);
    let mut tail_w: usize = tail.iter().map(|s| s.content.width()).sum();
    // The counters go whole or not at all (the Health page has them); `?` stays.
    if tail_w + 8 > usize::from(width) {
        tail.clear();
        tail_w = 0;
    }
    let budget = usize::from(width).saturating_sub(tail_w + 1);
    let mut all = hints(&ui.ix.keymap, innermost(ui));
    // a and z act on alerts only.
    let alert_shown = matches!(
        ui.ix.overlays.last(),
        Some(Overlay::Detail(d)) if matches!(d.target, DetailTarget::Alert(_))
    );
    if ui.ix.overlays.last().is_some() && !alert_shown {
        all.retain(|h| h.label != "ack" && h.label != "snooze");
    }
    // / only where there is a list to filter.
    let filterable = ui
        .ix
        .focused(ui.page)
        .is_some_and(super::perform::filterable);
    if !filterable {
        all.retain(|h| h.label != "filter");
    }
    // Esc only means something on a page when the list in view is filtered.
    let on_page = matches!(
        innermost(ui),
        Context::Market | Context::Health | Context::Positions | Context::Alerts
    );
    if on_page
        && ui
            .ix
            .focused(ui.page)
            .and_then(|l| ui.ix.filter(l))
            .is_some()
    {
        all.insert(
            0,
            Hint {
                keys: "Esc".into(),
                label: "clear filter",
                priority: 1,
            },
        );
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, h) in fitted(all, budget).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        spans.push(Span::styled(h.keys, theme.style(Role::Accent)));
        spans.push(Span::styled(
            format!(" {}", h.label),
            theme.style(Role::Muted),
        ));
    }
    spans.extend(tail);
    Line::from(spans)
}

/// Channels at their limits first, with their counts; healthy ones as a count. A
/// channel whose counts do not fit in `width` is left out whole and counted in the
/// tail, which points to the Health page: a count is shown in full or not at all.
fn channels_line<'a>(snap: &Snapshot, theme: &Theme, width: usize) -> Line<'a> {
    let muted = theme.style(Role::Muted);
    let troubled: Vec<_> = snap
        .channels
        .iter()
        .filter(|c| c.full > 0 || c.dropped > 0)
        .collect();
    let ok = snap.channels.len() - troubled.len();
    let pieces: Vec<Vec<Span<'a>>> = troubled
        .iter()
        .map(|c| {
            let mut p = vec![Span::styled(c.name.clone(), theme.style(Role::Text))];
            if c.full > 0 {
                p.push(Span::styled(
                    format!(" full {}", format::count(c.full)),
                    theme.style(Role::Warn),
                ));
            }
            if c.dropped > 0 {
                p.push(Span::styled(
                    format!(" dropped {}", format::count(c.dropped)),
                    theme.style(Role::Error),
                ));
            }
            p.push(Span::raw("  "));
            p
        })
        .collect();
    let tail = |left_out: usize| -> Vec<Span<'a>> {
        let mut t = Vec::new();
        if left_out > 0 {
            t.push(Span::styled(
                format!("+{left_out} more  "),
                theme.style(Role::Warn),
            ));
        }
        if ok > 0 {
            t.push(Span::styled(format!("{ok} ok"), theme.style(Role::Ok)));
        }
        t.push(Span::styled("  (page 2)", muted));
        t
    };
    let w = |spans: &[Span]| spans.iter().map(|s| s.content.width()).sum::<usize>();
    let mut spans = vec![Span::styled(" chans ", muted)];
    for (i, p) in pieces.iter().enumerate() {
        let left_after = pieces.len() - i - 1;
        if w(&spans) + w(p) + w(&tail(left_after)) > width {
            spans.extend(tail(pieces.len() - i));
            return Line::from(spans);
        }
        spans.extend(p.iter().cloned());
    }
    spans.extend(tail(0));
    Line::from(spans)
}

/// The open prompt's line: its sign, the text with the cursor, and the reason the
/// text cannot run (or what to type).
fn prompt_line<'a>(ui: &UiState, theme: &Theme) -> Option<Line<'a>> {
    let p = ui.ix.prompt.as_ref()?;
    let (sign, hint) = match p.kind {
        PromptKind::Palette => (
            " :".to_string(),
            "Tab completes · Enter runs · Esc cancels".to_string(),
        ),
        PromptKind::Filter(list) => (
            " /".to_string(),
            format!("filter the {}: {}", list.label(), list.filter_hint()),
        ),
        PromptKind::AddSymbol => (
            " add symbol: ".to_string(),
            "Enter add · Esc cancel".to_string(),
        ),
    };
    let text: Vec<char> = p.line.text().chars().collect();
    let at = p.line.cursor().min(text.len());
    let before: String = text[..at].iter().collect();
    let under = text.get(at).map_or(" ".to_string(), |c| c.to_string());
    let after: String = text
        .get(at + 1..)
        .map_or(String::new(), |t| t.iter().collect());
    let accent = theme.style(Role::Accent);
    let mut spans = vec![
        Span::styled(sign, accent),
        Span::styled(before, theme.style(Role::Text)),
        Span::styled(
            under,
            theme
                .style(Role::Text)
                .add_modifier(ratatui::style::Modifier::REVERSED),
        ),
        Span::styled(after, theme.style(Role::Text)),
    ];
    match &p.error {
        Some(e) => spans.push(Span::styled(format!("  {e}"), theme.style(Role::Warn))),
        None => spans.push(Span::styled(format!("  {hint}"), theme.style(Role::Muted))),
    }
    Some(Line::from(spans))
}

/// The prompt, a question waiting for y/n, the notice, or a paused or finished
/// replay's next step, when one is up: it takes the key-hint row.
fn message_line<'a>(snap: &Snapshot, ui: &UiState, theme: &Theme) -> Option<Line<'a>> {
    if let Some(line) = prompt_line(ui, theme) {
        return Some(line);
    }
    if let Some(c) = &ui.confirm {
        let bold = theme
            .style(Role::Warn)
            .add_modifier(ratatui::style::Modifier::BOLD);
        return Some(Line::from(Span::styled(format!(" {}", c.question), bold)));
    }
    if let Some(n) = &ui.notice {
        return Some(Line::from(Span::styled(
            format!(" {n}"),
            theme.style(Role::Warn),
        )));
    }
    let r = snap.replay.as_ref()?;
    // Said plainly, where the eye looks for what to do next, with the keys in use.
    let key = |a: Action| {
        ui.ix
            .keymap
            .keys_for(Context::Global, a)
            .first()
            .map_or_else(|| ":".to_string(), ToString::to_string)
    };
    let text = if r.finished {
        format!(
            " Replay finished — {} to replay, {} to quit",
            key(Action::ReplayRestart),
            key(Action::Quit)
        )
    } else if r.paused {
        format!(
            " Replay paused — {} resumes, {} / {} speed, {} restarts",
            key(Action::ReplayPause),
            key(Action::ReplayFaster),
            key(Action::ReplaySlower),
            key(Action::ReplayRestart)
        )
    } else {
        return None;
    };
    Some(Line::from(Span::styled(text, theme.style(Role::Accent))))
}

pub(super) fn draw_status(
    frame: &mut Frame,
    rect: Rect,
    snap: &Snapshot,
    ui: &UiState,
    theme: &Theme,
) {
    let beside = rect.height < 2 && !snap.channels.is_empty();
    // Beside the hints, the channels get what the hints leave them, at least half.
    let width = usize::from(rect.width);
    let chans = match channels_line(snap, theme, usize::MAX) {
        full if !beside || full.width() + 24 <= width => channels_line(snap, theme, width),
        _ => channels_line(snap, theme, width / 2),
    };
    let message = message_line(snap, ui, theme);
    // A prompt's error or a notice too long for a row takes both rows, wrapped (the
    // channels come back when it is gone): a reason cut off is no reason.
    if let Some(line) = message
        .as_ref()
        .filter(|l| l.width() > usize::from(rect.width))
    {
        if rect.height >= 2 {
            let p = Paragraph::new(line.clone()).wrap(ratatui::widgets::Wrap { trim: false });
            frame.render_widget(p, rect);
            return;
        }
    }
    // Side by side, the hints leave the channels their room.
    let budget = if beside {
        rect.width
            .saturating_sub(u16::try_from(chans.width() + 2).unwrap_or(u16::MAX))
    } else {
        rect.width
    };
    let has_message = message.is_some();
    let main = message.unwrap_or_else(|| main_line(snap, ui, theme, budget));
    // A prompt or notice on a one-row status line gets the row to itself.
    if snap.channels.is_empty() || (beside && has_message) {
        frame.render_widget(Paragraph::new(main), rect);
    } else if !beside {
        frame.render_widget(Paragraph::new(main), Rect { height: 1, ..rect });
        let second = Rect::new(rect.x, rect.y + 1, rect.width, 1);
        frame.render_widget(Paragraph::new(chans), second);
    } else {
        // The channels on the right, whole; the hints fill what is left.
        let chans_w = u16::try_from(chans.width() + 2)
            .unwrap_or(u16::MAX)
            .min(rect.width);
        let left = Rect {
            width: rect.width - chans_w,
            ..rect
        };
        let right = Rect::new(left.right(), rect.y, chans_w, 1);
        frame.render_widget(Paragraph::new(main), left);
        let mut spans = vec![Span::styled(" │", theme.style(Role::Border))];
        spans.extend(chans.spans);
        frame.render_widget(Paragraph::new(Line::from(spans)), right);
    }
}

/// Rows the status line wants at this width: 2 when the channels do not fit beside
/// every key hint, or a prompt or notice does not fit in one row.
pub(super) fn status_rows(snap: &Snapshot, ui: &UiState, theme: &Theme, width: u16) -> u16 {
    if message_line(snap, ui, theme).is_some_and(|l| l.width() > usize::from(width)) {
        return 2;
    }
    let all = main_line(snap, ui, theme, u16::MAX);
    let chans = channels_line(snap, theme, usize::MAX);
    if snap.channels.is_empty() || all.width() + 2 + chans.width() <= usize::from(width) {
        1
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{render_text, sample_snapshot};
    use super::*;

    /// At every width the channels' counts are whole, or counted as "+N more" with the
    /// way to the Health page; never cut.
    #[test]
    fn channel_counts_are_whole_or_left_out() {
        let snap = sample_snapshot();
        let ui = UiState::default();
        for (w, h) in [(60, 15), (50, 24), (80, 24), (40, 10)] {
            let text = render_text(&snap, &ui, w, h);
            let line = text
                .lines()
                .rfind(|l| l.contains("chans"))
                .unwrap_or_default();
            assert!(line.trim_end().ends_with("(page 2)"), "{w}x{h}: {line:?}");
            for count in ["full 7", "full 12 dropped 5"] {
                let name = if count == "full 7" { "store" } else { "events" };
                assert!(
                    !line.contains(name) || line.contains(count),
                    "{w}x{h}: {name} without its counts: {line:?}"
                );
            }
        }
    }
}
