//! The Market page's watchlist table: price, change, source and age per symbol, and a
//! note column that says when a price is not to be trusted as live (stale: both sources
//! down) or when a newer print is held by the symbol's price breaker. A held print is
//! only ever shown as a note, never as the price.

use super::chrome::page_tabs;
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
/// From this width on, the watchlist also shows bid, ask and volume.
const WIDE_COLS: u16 = 110;

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
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(events_panel::border_role(ui, ListId::Watchlist)))
        .title(Line::from(vec![
            Span::styled(count, theme.style(Role::Accent)),
            Span::styled(
                events_panel::filter_note(ui, ListId::Watchlist),
                theme.style(Role::Warn),
            ),
        ]))
        .title_top(page_tabs(ui, theme));
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
    let wide = rect.width >= WIDE_COLS;
    let now = ui.now(snap);
    let symbol_width = shown
        .iter()
        .map(|s| s.symbol.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(6, 12);
    let mut widths = vec![
        Constraint::Length(u16::try_from(symbol_width).unwrap_or(12)),
        Constraint::Length(11),
        Constraint::Length(10),
        Constraint::Length(8),
        Constraint::Length(7),
        Constraint::Length(6),
    ];
    let mut titles = vec!["Symbol", "Last", "Chg", "Chg %", "Source", "Age"];
    if wide {
        widths.extend([
            Constraint::Length(11),
            Constraint::Length(11),
            Constraint::Length(8),
        ]);
        titles.extend(["Bid", "Ask", "Volume"]);
    }
    // The note takes what is left; at 80 columns that is about 20 characters.
    widths.push(Constraint::Min(0));
    titles.push("Note");
    let header = Row::new(titles.iter().enumerate().map(|(i, t)| {
        let line = Line::from(*t);
        // Symbol, Source and Note are text; the rest are numbers and align right.
        let line = if i == 0 || i == 4 || *t == "Note" {
            line
        } else {
            line.alignment(Alignment::Right)
        };
        Cell::from(line)
    }))
    .style(theme.style(Role::Muted));
    let rows = shown.iter().map(|s| watch_row(s, now, wide, theme));
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(theme.style(Role::SelectedBg))
        .highlight_symbol("▸ ")
        .highlight_spacing(HighlightSpacing::Always);
    let mut state = TableState::default().with_selected(ui.selected_in(shown.len()));
    frame.render_stateful_widget(table, rect, &mut state);
}

fn watch_row<'a>(s: &'a SymbolView, now: Ts, wide: bool, theme: &Theme) -> Row<'a> {
    let right = |text: String, role: Role| {
        Cell::from(Line::from(text).alignment(Alignment::Right)).style(theme.style(role))
    };
    let missing = || right(MISSING.to_string(), Role::Muted);
    let change = s.change();
    let dir_role = match change {
        Some(c) if c > Decimal::ZERO => Role::Up,
        Some(c) if c < Decimal::ZERO => Role::Down,
        _ => Role::Text,
    };
    let mut cells = vec![Cell::from(s.symbol.as_str()).style(theme.style(Role::Text))];
    cells.push(match s.price {
        // A stale price is the last known one, not a live one: it must look different.
        Some(p) if s.stale => right(format::price(p), Role::Stale),
        Some(p) => right(format::price(p), Role::Text),
        None => missing(),
    });
    cells.push(match (change, s.price) {
        (Some(c), Some(p)) => right(format::signed(c, p), dir_role),
        _ => missing(),
    });
    cells.push(match s.change_pct() {
        Some(p) => right(format::pct(p), dir_role),
        None => missing(),
    });
    cells.push(match s.source {
        Some(Source::Alpaca) => Cell::from("Alpaca").style(theme.style(Role::Muted)),
        // The fallback being in use is worth noticing.
        Some(Source::Yahoo) => Cell::from("Yahoo").style(theme.style(Role::Warn)),
        None => Cell::from(MISSING).style(theme.style(Role::Muted)),
    });
    let age_ms = s.age_ms(now);
    cells.push(match age_ms {
        Some(ms) if s.stale => right(format::age(ms), Role::Stale),
        Some(ms) => right(format::age(ms), age_role(ms)),
        None => missing(),
    });
    if wide {
        for quote in [s.bid, s.ask] {
            cells.push(match quote {
                Some(q) => right(format::price(q), Role::Muted),
                None => missing(),
            });
        }
        cells.push(right(format::volume(s.volume), Role::Muted));
    }
    cells.push(Cell::from(note(s, theme)));
    Row::new(cells)
}

/// "⚠ held 439.07" when the breaker holds a print, "stale: last known" when both
/// sources are down; both when both apply, the held print first (it needs the operator).
fn note<'a>(s: &SymbolView, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    if let Some(h) = s.held {
        spans.push(Span::styled(
            format!("⚠ held {}", format::price(h)),
            theme.style(Role::Warn),
        ));
    }
    if s.stale {
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", theme.style(Role::Muted)));
        }
        // The age is in its own column, painted stale too.
        spans.push(Span::styled("stale: last known", theme.style(Role::Stale)));
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
