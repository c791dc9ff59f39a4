//! The Market page's watchlist table: price, change, source and age per symbol, a
//! sparkline of the last 30 minutes when the width allows, Alpaca's quote and
//! volume, and a note column that says when a price is not to be trusted as live
//! (stale: both sources down), when a newer print is held by the symbol's price
//! breaker, or when Alpaca and Yahoo disagree. A held print is only ever a note.
//!
//! Columns are as wide as their widest cell and are dropped whole, never squeezed
//! (see [`super::columns`]), in this order: Volume, Bid and Ask, the sparkline,
//! Chg, Source, Age, Chg %, Last. Symbol always stays; the note takes what is left.
//! Bid, Ask and Volume are Alpaca's: beside a Yahoo price they are blanked (a
//! frozen quote next to a live price could even exclude it).

use super::chart::spark;
use super::chrome::page_tabs;
use super::columns::{self, ColumnNeed};
use super::events_panel;
use super::format::{self, MISSING};
use super::interact::ListId;
use super::state::UiState;
use super::theme::{Role, Theme};
use crate::domain::types::{Source, Ts};
use crate::engine::snapshot::{Snapshot, SymbolView};
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, HighlightSpacing, Paragraph, Row, Table, TableState};
use ratatui::Frame;
use rust_decimal::Decimal;

/// Ages above this are painted `warn`.
const AGE_WARN_MS: i64 = 5_000;
/// Ages above this are painted `stale`.
const AGE_STALE_MS: i64 = 60_000;
/// The sparkline: one cell per minute.
pub const SPARK_MINUTES: u16 = 30;
/// The selection marker's width ("▸ ").
const MARKER: u16 = 2;

#[derive(Copy, Clone, PartialEq, Eq)]
enum Col {
    Symbol,
    Last,
    Chg,
    ChgPct,
    Source,
    Age,
    Spark,
    Bid,
    Ask,
    Volume,
}

impl Col {
    const ALL: [Col; 10] = [
        Col::Symbol,
        Col::Last,
        Col::Chg,
        Col::ChgPct,
        Col::Source,
        Col::Age,
        Col::Spark,
        Col::Bid,
        Col::Ask,
        Col::Volume,
    ];

    fn title(self) -> &'static str {
        match self {
            Col::Symbol => "Symbol",
            Col::Last => "Last",
            Col::Chg => "Chg",
            Col::ChgPct => "Chg %",
            Col::Source => "Source",
            Col::Age => "Age",
            Col::Spark => "30 min",
            Col::Bid => "Bid",
            Col::Ask => "Ask",
            Col::Volume => "Volume",
        }
    }

    /// The documented drop order: the highest number goes first.
    fn priority(self) -> u8 {
        match self {
            Col::Symbol => 0,
            Col::Last => 1,
            Col::ChgPct => 2,
            Col::Age => 3,
            Col::Source => 4,
            Col::Chg => 5,
            Col::Spark => 6,
            Col::Bid | Col::Ask => 7,
            Col::Volume => 8,
        }
    }

    fn right(self) -> bool {
        !matches!(self, Col::Symbol | Col::Source | Col::Spark)
    }
}

/// One cell's text and colour.
type Text = (String, Role);

fn cells(s: &SymbolView, now: Ts) -> [Text; 10] {
    let missing = || (MISSING.to_string(), Role::Muted);
    let change = s.change();
    let dir = match change {
        Some(c) if c > Decimal::ZERO => Role::Up,
        Some(c) if c < Decimal::ZERO => Role::Down,
        _ => Role::Text,
    };
    // A stale price is the last known one, not a live one: it must look different.
    let live = |role| if s.stale { Role::Stale } else { role };
    let last = s
        .price
        .map_or_else(missing, |p| (format::price(p), live(Role::Text)));
    let chg = match (change, s.price) {
        (Some(c), Some(p)) => (format::signed(c, p), dir),
        _ => missing(),
    };
    let pct = s
        .change_pct()
        .map_or_else(missing, |p| (format::pct(p), dir));
    let source = match s.source {
        Some(Source::Alpaca) => ("Alpaca".to_string(), Role::Muted),
        // The fallback being in use is worth noticing.
        Some(Source::Yahoo) => ("Yahoo".to_string(), Role::Warn),
        None => missing(),
    };
    let age = s.age_ms(now).map_or_else(missing, |ms| {
        let role = if s.stale { Role::Stale } else { age_role(ms) };
        (format::age(ms), role)
    });
    // Alpaca's quote and volume only beside Alpaca's price.
    let quote = |q: Option<Decimal>| match q {
        _ if !s.quote_is_current() && s.price.is_some() => (MISSING.to_string(), Role::Stale),
        Some(q) => (format::price(q), live(Role::Muted)),
        None => missing(),
    };
    let volume = if s.quote_is_current() || s.price.is_none() {
        (format::volume(s.volume), live(Role::Muted))
    } else {
        (MISSING.to_string(), Role::Stale)
    };
    [
        (s.symbol.to_string(), Role::Text),
        last,
        chg,
        pct,
        source,
        age,
        (String::new(), Role::Muted),
        quote(s.bid),
        quote(s.ask),
        volume,
    ]
}

/// "⚠ held 439.07" when the breaker holds a print, "≠ Yahoo 6.1%" when the sources
/// disagree, "stale: last known" when both sources are down; the held print first
/// (it needs the operator).
fn note(s: &SymbolView, snap: &Snapshot) -> Vec<Text> {
    let mut parts = Vec::new();
    if let Some(h) = s.held {
        parts.push((format!("⚠ held {}", format::price(h)), Role::Warn));
    }
    if let Some(d) = snap
        .validation
        .discrepancies
        .iter()
        .find(|d| d.symbol == s.symbol)
    {
        let pct = d.delta_pct.abs().round_dp(1);
        parts.push((format!("≠ Yahoo {pct:.1}%"), Role::Warn));
    }
    if s.stale {
        // The age is in its own column, painted stale too.
        parts.push(("stale: last known".to_string(), Role::Stale));
    }
    parts
}

pub(super) fn draw_watchlist(
    frame: &mut Frame,
    rect: Rect,
    snap: &Snapshot,
    ui: &UiState,
    theme: &Theme,
) {
    let shown = super::lists::watchlist(snap, ui);
    let count = if shown.len() == snap.watchlist.len() {
        format!(" Watchlist ({}) ", snap.watchlist.len())
    } else {
        format!(" Watchlist ({} of {}) ", shown.len(), snap.watchlist.len())
    };
    let tabs = page_tabs(ui, theme);
    // The tabs share the top border: the count goes whole or not at all.
    let room = rect.width.saturating_sub(tabs.width() as u16 + 4);
    let count = [count, " Watchlist ".to_string(), " ".to_string()]
        .into_iter()
        .find(|t| super::columns::text_width(t) <= room)
        .unwrap_or_default();
    // Then the filter note in what is left: whole, short, or not at all.
    let left = room.saturating_sub(super::columns::text_width(&count));
    let short = ui
        .ix
        .filter(ListId::Watchlist)
        .map(|f| format!("· /{f} "))
        .unwrap_or_default();
    let filter = [events_panel::filter_note(ui, ListId::Watchlist), short]
        .into_iter()
        .find(|t| super::columns::text_width(t) <= left)
        .unwrap_or_default();
    let title = Line::from(vec![
        Span::styled(count, theme.style(Role::Accent)),
        Span::styled(filter, theme.style(Role::Warn)),
    ]);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(events_panel::border_role(ui, ListId::Watchlist)))
        .title(title)
        .title_top(tabs);
    if shown.is_empty() {
        let text = if snap.watchlist.is_empty() {
            "no symbols in the watchlist"
        } else {
            "no symbol matches the filter"
        };
        let msg = Paragraph::new(Span::styled(text, theme.style(Role::Muted))).block(block);
        frame.render_widget(msg, rect);
        return;
    }
    let inner = block.inner(rect);
    let now = ui.now(snap);
    let table: Vec<[Text; 10]> = shown.iter().map(|s| cells(s, now)).collect();
    let notes: Vec<Vec<Text>> = shown.iter().map(|s| note(s, snap)).collect();
    let needs: Vec<ColumnNeed> = Col::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| ColumnNeed {
            width: if *c == Col::Spark {
                SPARK_MINUTES
            } else {
                columns::widest(c.title(), table.iter().map(|r| r[i].0.as_str()))
            },
            priority: c.priority(),
        })
        .collect();
    // A note, when any row has one, keeps room for its start ("⚠ held").
    let note_min = if notes.iter().any(|n| !n.is_empty()) {
        8
    } else {
        4
    };
    let mut keep = columns::fit(inner.width, &needs, 1, MARKER + note_min);
    // No bars anywhere (nothing received yet): no empty sparkline column.
    if shown.iter().all(|v| v.bars.is_empty()) {
        keep.retain(|&i| Col::ALL[i] != Col::Spark);
    }
    let used: u16 = keep.iter().map(|&i| needs[i].width + 1).sum::<u16>() + MARKER;
    let note_width = inner.width.saturating_sub(used);
    let mut widths: Vec<Constraint> = keep
        .iter()
        .map(|&i| Constraint::Length(needs[i].width))
        .collect();
    widths.push(Constraint::Fill(1));
    let align = |text: String, right: bool| {
        let line = Line::from(text);
        if right {
            line.alignment(Alignment::Right)
        } else {
            line
        }
    };
    let header = Row::new(
        keep.iter()
            .map(|&i| Cell::from(align(Col::ALL[i].title().into(), Col::ALL[i].right())))
            .chain(std::iter::once(Cell::from("Note"))),
    )
    .style(theme.style(Role::Muted));
    let rows = table.iter().zip(&notes).map(|(row, note)| {
        let mut out: Vec<Cell> = keep
            .iter()
            .map(|&i| {
                let (text, role) = row[i].clone();
                Cell::from(align(text, Col::ALL[i].right())).style(theme.style(role))
            })
            .collect();
        out.push(Cell::from(note_line(note, note_width, theme)));
        Row::new(out)
    });
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(theme.style(Role::SelectedBg))
        .highlight_symbol("▸ ")
        .highlight_spacing(HighlightSpacing::Always);
    let mut state = TableState::default().with_selected(ui.selected_in(shown.len()));
    frame.render_stateful_widget(table, rect, &mut state);
    // The sparklines go over their (empty) cells, row by visible row: the rows shown
    // (a filter hides some), never the watchlist's own order.
    let Some(pos) = keep.iter().position(|&i| Col::ALL[i] == Col::Spark) else {
        return;
    };
    let x = inner.x + MARKER + keep[..pos].iter().map(|&i| needs[i].width + 1).sum::<u16>();
    let first_row_y = inner.y + 1;
    let visible = usize::from(inner.height.saturating_sub(1));
    for (k, v) in shown.iter().enumerate().skip(state.offset()).take(visible) {
        let y = first_row_y + u16::try_from(k - state.offset()).unwrap_or(u16::MAX);
        let area = Rect::new(x, y, SPARK_MINUTES, 1).intersection(inner);
        spark::draw_row(frame, area, v, now, theme);
    }
}

fn note_line(parts: &[Text], width: u16, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    let mut left = width;
    for (i, (text, role)) in parts.iter().enumerate() {
        let sep = if i > 0 { " · " } else { "" };
        let need = columns::text_width(sep) + columns::text_width(text);
        if need > left {
            // Cut with an ellipsis rather than drop silently.
            let room = left.saturating_sub(columns::text_width(sep));
            if room > 1 {
                spans.push(Span::styled(sep, theme.style(Role::Muted)));
                spans.push(Span::styled(
                    columns::ellipsize(text, room),
                    theme.style(*role),
                ));
            }
            break;
        }
        left -= need;
        spans.push(Span::styled(sep, theme.style(Role::Muted)));
        spans.push(Span::styled(text.clone(), theme.style(*role)));
    }
    Line::from(spans)
}

fn age_role(age_ms: i64) -> Role {
    match age_ms {
        ms if ms > AGE_STALE_MS => Role::Stale,
        // A price from the future means a clock is off.
        ms if !(0..=AGE_WARN_MS).contains(&ms) => Role::Warn,
        _ => Role::Text,
    }
}
