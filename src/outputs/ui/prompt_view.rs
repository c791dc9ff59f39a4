//! The command palette's completion list: what the word being typed can become
//! (commands with their arguments and descriptions, or the argument's values from the
//! snapshot), in a box just above the status line where the prompt is.

use super::interact::PromptKind;
use super::palette::{candidates, COMMANDS};
use super::state::UiState;
use super::theme::{Role, Theme};
use crate::engine::snapshot::Snapshot;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// Completions listed at most; the rest are counted.
const SHOWN: usize = 8;

fn rows(ui: &UiState, snap: &Snapshot) -> Vec<(String, String)> {
    let Some(p) = ui
        .ix
        .prompt
        .as_ref()
        .filter(|p| p.kind == PromptKind::Palette)
    else {
        return Vec::new();
    };
    let text = p.line.text();
    // Command names: name and arguments in one column, so the descriptions line up.
    if !text.contains(char::is_whitespace) {
        let lower = text.to_ascii_lowercase();
        return COMMANDS
            .iter()
            .filter(|c| c.name.starts_with(&lower))
            .map(|c| {
                (
                    format!("{} {}", c.name, c.args).trim_end().to_string(),
                    c.desc.to_string(),
                )
            })
            .collect();
    }
    let found = candidates(text, snap);
    if !found.is_empty() {
        return found;
    }
    // Past the command's name with nothing to offer: its usage.
    let first = text.split_whitespace().next().unwrap_or("");
    COMMANDS
        .iter()
        .filter(|c| c.name == first)
        .map(|c| (format!("{} {}", c.name, c.args), c.desc.to_string()))
        .collect()
}

/// Draws the list with its bottom edge on row `bottom` (the status line's top).
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    bottom: u16,
    snap: &Snapshot,
    ui: &UiState,
    theme: &Theme,
) {
    let all = rows(ui, snap);
    if all.is_empty() {
        return;
    }
    let name_w = all
        .iter()
        .take(SHOWN)
        .map(|(n, _)| n.width())
        .max()
        .unwrap_or(0);
    // A description that does not fit ends in "…" (the help has it whole).
    let desc_w = usize::from(area.width).saturating_sub(name_w + 6);
    let mut lines: Vec<Line> = all
        .iter()
        .take(SHOWN)
        .map(|(name, desc)| {
            Line::from(vec![
                Span::styled(format!(" {name:<name_w$}  "), theme.style(Role::Accent)),
                Span::styled(ellipsis(desc, desc_w), theme.style(Role::Muted)),
            ])
        })
        .collect();
    if all.len() > SHOWN {
        lines.push(Line::from(Span::styled(
            format!(" … {} more: keep typing", all.len() - SHOWN),
            theme.style(Role::Muted),
        )));
    }
    let widest = lines.iter().map(Line::width).max().unwrap_or(0);
    let w = u16::try_from(widest + 3)
        .unwrap_or(u16::MAX)
        .min(area.width);
    let room = bottom.saturating_sub(area.y);
    let h = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX).min(room);
    if h < 3 || w < 3 {
        return;
    }
    let r = Rect::new(area.x, bottom - h, w, h);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .title(Span::styled(" Tab completes ", theme.style(Role::Muted)));
    frame.render_widget(Clear, r);
    frame.render_widget(Paragraph::new(lines).block(block), r);
}

/// `text` in at most `width` columns, ending in "…" when shortened.
fn ellipsis(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for ch in text.chars() {
        if out.width() + unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0) + 1 > width {
            break;
        }
        out.push(ch);
    }
    if width > 0 {
        out.push('…');
    }
    out
}
