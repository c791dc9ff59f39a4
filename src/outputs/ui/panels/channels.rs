//! The channels panel: every bounded channel between the tasks with its capacity,
//! written overflow policy, and how often it was full or dropped (the status line
//! shows only the troubled ones).

use crate::engine::snapshot::Snapshot;
use crate::outputs::ui::format;
use crate::outputs::ui::theme::{Role, Theme};
use ratatui::text::{Line, Span};

pub(super) fn lines<'a>(snap: &'a Snapshot, theme: &Theme) -> Vec<Line<'a>> {
    let muted = theme.style(Role::Muted);
    let troubled = snap
        .channels
        .iter()
        .filter(|c| c.full > 0 || c.dropped > 0)
        .count();
    let mut out = vec![Line::from(if troubled == 0 {
        Span::styled(
            format!("{} channels, none full or dropping", snap.channels.len()),
            theme.style(Role::Ok),
        )
    } else {
        Span::styled(
            format!(
                "{troubled} of {} channels hit their limit",
                snap.channels.len()
            ),
            theme.style(Role::Warn),
        )
    })];
    out.push(Line::from(Span::styled(
        format!(
            "{:<10}{:>9}{:>10}{:>10}  {}",
            "channel", "capacity", "full", "dropped", "when full"
        ),
        muted,
    )));
    for c in &snap.channels {
        let role = match (c.full, c.dropped) {
            (_, d) if d > 0 => Role::Error,
            (f, _) if f > 0 => Role::Warn,
            _ => Role::Text,
        };
        out.push(Line::from(vec![
            Span::styled(format!("{:<10}", c.name), theme.style(Role::Text)),
            Span::styled(
                format!(
                    "{:>9}{:>10}{:>10}  ",
                    format::count(c.capacity as u64),
                    format::count(c.full),
                    format::count(c.dropped)
                ),
                theme.style(role),
            ),
            Span::styled(c.policy.clone(), muted),
        ]));
    }
    out
}
