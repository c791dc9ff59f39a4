//! The `?` help overlay: every key from the keymap by context, the mouse, and the
//! command palette's commands. Sized to its content (as wide as its widest line, as
//! tall as it is, within the screen) and scrollable when the screen is smaller.

use super::actions::Action;
use super::keymap::{Context, Keymap};
use super::keymap_doc::{footer, groups};
use super::keymap_table::MOUSE;
use super::palette::COMMANDS;
use super::theme::{Role, Theme};
use super::wrap::wrap;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// Widest key column; longer key lists wrap their description to the next line.
const KEYS_MAX: usize = 20;

enum Item {
    Heading(String),
    Entry(String, String),
    Blank,
}

fn items(map: &Keymap) -> Vec<Item> {
    let mut out = Vec::new();
    for (ctx, entries) in groups(map) {
        if !out.is_empty() {
            out.push(Item::Blank);
        }
        out.push(Item::Heading(ctx.title().to_string()));
        out.extend(
            entries
                .into_iter()
                .map(|e| Item::Entry(e.keys, e.desc.to_string())),
        );
    }
    out.push(Item::Blank);
    out.push(Item::Heading("Mouse".into()));
    out.extend(
        MOUSE
            .iter()
            .map(|(k, d)| Item::Entry(k.to_string(), d.to_string())),
    );
    out.push(Item::Blank);
    out.push(Item::Heading("Commands (: then Tab completes)".into()));
    for c in &COMMANDS {
        let usage = format!("{} {}", c.name, c.args).trim().to_string();
        out.push(Item::Entry(usage, c.desc.to_string()));
    }
    out
}

/// The width of the key column.
fn keys_width(items: &[Item]) -> usize {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Entry(k, _) => Some(k.width()),
            _ => None,
        })
        .filter(|w| *w <= KEYS_MAX)
        .max()
        .unwrap_or(8)
}

/// The widest line unwrapped: how wide the help wants to be.
fn natural_width(items: &[Item]) -> usize {
    let kw = keys_width(items);
    items
        .iter()
        .map(|i| match i {
            Item::Blank => 0,
            Item::Heading(h) => h.width(),
            Item::Entry(k, d) if k.width() > kw => (k.width() + 1).max(kw + 3 + d.width()),
            Item::Entry(_, d) => kw + 3 + d.width(),
        })
        .max()
        .unwrap_or(0)
}

/// The help's lines for an inner width of `width`, descriptions wrapped under
/// themselves so nothing is cut.
fn lines(map: &Keymap, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let items = items(map);
    let keys_w = keys_width(&items);
    let desc_w = width.saturating_sub(keys_w + 3).max(10);
    let indent = " ".repeat(keys_w + 3);
    let mut out = Vec::new();
    for item in items {
        let (first, desc) = match item {
            Item::Blank => {
                out.push(Line::default());
                continue;
            }
            Item::Heading(h) => {
                for l in wrap(&h, width.max(1)) {
                    out.push(Line::from(Span::styled(l, theme.style(Role::Muted))));
                }
                continue;
            }
            Item::Entry(k, d) if k.width() > keys_w => {
                out.push(Line::from(Span::styled(
                    format!(" {k}"),
                    theme.style(Role::Accent),
                )));
                (Span::raw(indent.clone()), d)
            }
            Item::Entry(k, d) => {
                let pad = keys_w - k.width();
                let keys = format!(" {k}{}  ", " ".repeat(pad));
                (Span::styled(keys, theme.style(Role::Accent)), d)
            }
        };
        for (i, l) in wrap(&desc, desc_w).into_iter().enumerate() {
            let head = if i == 0 {
                first.clone()
            } else {
                Span::raw(indent.clone())
            };
            out.push(Line::from(vec![
                head,
                Span::styled(l, theme.style(Role::Text)),
            ]));
        }
    }
    out
}

/// Where the help goes on a screen of `area`, and its lines at that width.
fn place(map: &Keymap, area: Rect, theme: &Theme) -> (Rect, Vec<Line<'static>>) {
    let natural = natural_width(&items(map));
    let w = u16::try_from(natural + 3)
        .unwrap_or(u16::MAX)
        .min(area.width);
    let lines = lines(map, theme, usize::from(w.saturating_sub(3)));
    let h = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    (r, lines)
}

/// (visible lines, total lines) on a screen of `area`: what scrolling is bounded by.
pub fn extent(map: &Keymap, area: Rect) -> (usize, usize) {
    let (r, lines) = place(map, area, &Theme::default());
    (usize::from(r.height.saturating_sub(2)), lines.len())
}

pub fn draw(frame: &mut Frame, area: Rect, map: &Keymap, scroll: u16, theme: &Theme) {
    let (r, lines) = place(map, area, theme);
    if r.width < 3 || r.height < 3 {
        return;
    }
    let total = lines.len();
    let visible = usize::from(r.height - 2);
    let top = usize::from(scroll).min(total.saturating_sub(visible));
    let position = if total > visible {
        let scroll = footer(
            map,
            Context::Help,
            &[(
                &[Action::Up, Action::Down, Action::PageUp, Action::PageDown],
                "",
            )],
        );
        format!(" {}–{} of {} ·{scroll}", top + 1, top + visible, total)
    } else {
        String::new()
    };
    let close = footer(map, Context::Help, &[(&[Action::Close], "close")]);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Accent))
        .title(Span::styled(" Keys ", theme.style(Role::Accent)))
        .title(Line::from(Span::styled(position, theme.style(Role::Muted))).right_aligned())
        .title_bottom(Line::from(Span::styled(close, theme.style(Role::Muted))).right_aligned());
    let shown: Vec<Line> = lines.into_iter().skip(top).take(visible).collect();
    frame.render_widget(Clear, r);
    frame.render_widget(Paragraph::new(shown).block(block), r);
}
