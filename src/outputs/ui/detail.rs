//! The detail overlay: Enter on an event, an alert, a router transition, a circuit
//! breaker or a validation rejection opens it, wrapped to the overlay's width and
//! scrollable, so nothing is cut at a panel's edge. A document ([`Doc`]) is built from
//! the target and the snapshot ([`super::detail_docs`]), laid out into rows for a
//! width, and drawn; the same layout serves scrolling and `y` (copy).

use super::actions::Action;
use super::dispatch::Effect;
use super::interact::{Detail, DetailTarget, ListId, Overlay};
use super::lists::{self, BreakerItem};
use super::state::UiState;
use super::theme::{Role, Theme};
use super::wrap::wrap;
use crate::domain::router::TransitionView;
use crate::domain::validate::RecentRejection;
use crate::engine::snapshot::Snapshot;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

/// One piece of a detail document.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Heading(String),
    /// A label and its value; the value wraps under itself.
    Field(&'static str, String, Role),
    Text(String, Role),
    /// A numbered step, and its command (an index into [`Doc::commands`]).
    Step(usize, String, Option<usize>),
    Blank,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Doc {
    pub title: String,
    pub parts: Vec<Part>,
    /// The runbook commands, in step order, ready to run.
    pub commands: Vec<String>,
    /// What `y` copies when there is no command.
    pub copy: String,
}

/// A laid-out row: styled pieces, and the command it shows (for the highlight).
pub struct Row {
    pub spans: Vec<(String, Role)>,
    pub command: Option<usize>,
}

const LABEL_W: usize = 12;

/// The document in rows of at most `width` columns.
pub fn layout(doc: &Doc, width: usize) -> Vec<Row> {
    let width = width.max(8);
    let mut rows = Vec::new();
    let plain = |spans: Vec<(String, Role)>| Row {
        spans,
        command: None,
    };
    for part in &doc.parts {
        match part {
            Part::Heading(t) => rows.push(plain(vec![(t.clone(), Role::Accent)])),
            Part::Blank => rows.push(plain(Vec::new())),
            Part::Text(t, role) => {
                rows.extend(wrap(t, width).into_iter().map(|l| plain(vec![(l, *role)])));
            }
            Part::Field(label, value, role) => {
                let lw = LABEL_W.min(width / 3);
                for (i, l) in wrap(value, width - lw).into_iter().enumerate() {
                    let head = if i == 0 {
                        format!("{label:<lw$}")
                    } else {
                        " ".repeat(lw)
                    };
                    rows.push(plain(vec![(head, Role::Muted), (l, *role)]));
                }
            }
            Part::Step(n, text, cmd) => {
                for (i, l) in wrap(text, width - 4).into_iter().enumerate() {
                    let head = if i == 0 {
                        format!("{n:>2}. ")
                    } else {
                        "    ".into()
                    };
                    rows.push(plain(vec![(head, Role::Accent), (l, Role::Text)]));
                }
                if let Some(c) = cmd.and_then(|c| doc.commands.get(c).map(|t| (c, t))) {
                    for (i, l) in wrap(c.1, width - 6).into_iter().enumerate() {
                        let head = if i == 0 { "    $ " } else { "      " };
                        rows.push(Row {
                            spans: vec![(head.into(), Role::Muted), (l, Role::Ok)],
                            command: Some(c.0),
                        });
                    }
                }
            }
        }
    }
    rows
}

/// Where the overlay goes in `area` (the screen above the status line,
/// [`super::overlays::region`]): all of it below the header, when there is room.
pub fn rect(area: Rect) -> Rect {
    let w = area.width.saturating_sub(4).clamp(area.width.min(20), 110);
    let skip = u16::from(area.height > 6);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + skip,
        w,
        area.height - skip,
    )
}

fn doc_for(ui: &UiState, snap: &Snapshot, d: &Detail) -> Doc {
    super::detail_docs::build(&d.target, snap, ui.now(snap), &ui.ix.api_base)
}

/// Content rows and visible rows for the detail on top, at the last drawn size.
fn extent(ui: &UiState, snap: &Snapshot, d: &Detail) -> (Vec<Row>, usize) {
    let r = rect(super::overlays::region(ui.ix.area, snap, ui));
    let rows = layout(
        &doc_for(ui, snap, d),
        usize::from(r.width.saturating_sub(2)),
    );
    (rows, usize::from(r.height.saturating_sub(2)))
}

pub fn open(ui: &mut UiState, target: DetailTarget) -> Option<Effect> {
    ui.ix.overlays.push(Overlay::Detail(Detail {
        target,
        scroll: 0,
        step: 0,
    }));
    Some(Effect::Ui)
}

/// Enter: the selected row of the list the keys act on, in full.
pub fn open_selected(ui: &mut UiState, snap: &Snapshot) -> Option<Effect> {
    let list = ui.ix.focused(ui.page)?;
    if list == ListId::Watchlist {
        return ui.open_symbol_view(snap);
    }
    let i = lists::selected(snap, ui, list)?;
    let target = match list {
        ListId::Events => DetailTarget::Event(lists::events(snap, ui).get(i)?.1.clone()),
        ListId::Alerts => DetailTarget::Alert(lists::alerts(snap, ui).get(i)?.id.clone()),
        ListId::AlertHistory => {
            let id = &lists::history(snap, ui).get(i)?.alert_id;
            let rule = crate::domain::alerts::catalog::find(id)?;
            DetailTarget::Alert(crate::domain::alerts::RULES[rule].id.into())
        }
        ListId::Transitions => {
            DetailTarget::Transition(TransitionView::clone(lists::transitions(snap).get(i)?))
        }
        ListId::Breakers => match *lists::breakers(snap).get(i)? {
            BreakerItem::Upstream(b) => DetailTarget::Breaker(b.name.clone()),
            BreakerItem::Tripped(t) => DetailTarget::SymbolBreaker(t.symbol.clone()),
            BreakerItem::Discrepancy(d) => DetailTarget::Discrepancy(d.symbol.clone()),
        },
        ListId::Rejections => {
            DetailTarget::Rejection(RecentRejection::clone(lists::rejections(snap).get(i)?))
        }
        ListId::Watchlist => return None,
    };
    open(ui, target)
}

/// ↑/↓ pick the previous/next command when the detail has commands (scrolling it into
/// view), else scroll; PgUp/PgDn/Home/End scroll.
pub fn move_in(ui: &mut UiState, snap: &Snapshot, action: Action) {
    let Some(Overlay::Detail(d)) = ui.ix.overlays.last() else {
        return;
    };
    let doc = doc_for(ui, snap, d);
    let (rows, visible) = extent(ui, snap, d);
    let (mut scroll, mut step) = (d.scroll, d.step);
    let picks = matches!(action, Action::Up | Action::Down) && !doc.commands.is_empty();
    if picks {
        let last = doc.commands.len() - 1;
        step = match action {
            Action::Up => step.min(last).saturating_sub(1),
            _ => (step + 1).min(last),
        };
        // Bring the command's rows (and the step text above them) into view.
        let first = rows
            .iter()
            .position(|r| r.command == Some(step))
            .unwrap_or(0);
        let end = rows
            .iter()
            .rposition(|r| r.command == Some(step))
            .unwrap_or(first)
            + 1;
        let top = usize::from(scroll);
        let new_top = if end > top + visible {
            end.saturating_sub(visible)
        } else if first.saturating_sub(2) < top {
            first.saturating_sub(2)
        } else {
            top
        };
        scroll = u16::try_from(new_top).unwrap_or(u16::MAX);
    } else {
        scroll = super::nav::scrolled(scroll, action, visible, rows.len());
    }
    if let Some(Overlay::Detail(d)) = ui.ix.overlays.last_mut() {
        d.scroll = scroll;
        d.step = step;
    }
}

/// `y`: the selected command (or, without commands, the whole text) to the clipboard.
pub fn copy_selected(ui: &mut UiState, snap: &Snapshot) -> Option<Effect> {
    let Some(Overlay::Detail(d)) = ui.ix.overlays.last() else {
        return None;
    };
    let doc = doc_for(ui, snap, d);
    let text = match doc
        .commands
        .get(d.step.min(doc.commands.len().saturating_sub(1)))
    {
        Some(cmd) => cmd.clone(),
        None => doc.copy.clone(),
    };
    if text.is_empty() {
        return None;
    }
    let shown: String = text.chars().take(60).collect();
    let more = if shown.len() < text.len() { "…" } else { "" };
    ui.notice = Some(format!("copied to the clipboard (OSC 52): {shown}{more}"));
    Some(Effect::Copy(text))
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    snap: &Snapshot,
    ui: &UiState,
    d: &Detail,
    theme: &Theme,
) {
    let r = rect(area);
    if r.width < 3 || r.height < 3 {
        return;
    }
    let doc = doc_for(ui, snap, d);
    let rows = layout(&doc, usize::from(r.width - 2));
    let visible = usize::from(r.height - 2);
    let max = rows.len().saturating_sub(visible);
    let top = usize::from(d.scroll).min(max);
    let step = d.step.min(doc.commands.len().saturating_sub(1));
    let lines: Vec<Line> = rows
        .iter()
        .skip(top)
        .take(visible)
        .map(|row| {
            let selected = row.command == Some(step);
            let spans: Vec<Span> = row
                .spans
                .iter()
                .map(|(t, role)| {
                    let mut style = theme.style(*role);
                    if selected {
                        style = style.patch(theme.style(Role::SelectedBg));
                    }
                    Span::styled(t.clone(), style)
                })
                .collect();
            Line::from(spans)
        })
        .collect();
    let position = if rows.len() > visible {
        format!(
            " {}–{} of {} ",
            top + 1,
            (top + visible).min(rows.len()),
            rows.len()
        )
    } else {
        String::new()
    };
    let moves = if doc.commands.is_empty() {
        "scroll"
    } else {
        "command"
    };
    let keys = super::keymap_doc::footer(
        &ui.ix.keymap,
        super::keymap::Context::Detail,
        &[
            (&[Action::Up, Action::Down], moves),
            (&[Action::Copy], "copy"),
            (&[Action::Close], "close"),
        ],
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Accent))
        .title(Span::styled(
            format!(" {} ", doc.title),
            theme.style(Role::Accent),
        ))
        .title(Line::from(Span::styled(position, theme.style(Role::Muted))).right_aligned())
        .title_bottom(Line::from(Span::styled(keys, theme.style(Role::Muted))).right_aligned());
    frame.render_widget(Clear, r);
    frame.render_widget(Paragraph::new(lines).block(block), r);
}
