//! The symbol view (Enter on a watchlist row, Esc back): the selected symbol's
//! price, change, previous close, day high and low, Alpaca's bid, ask and spread,
//! and its chart (line or candles, 1/5/15-minute bars, volume, validation marks).
//! A pure view like the others. Facts that do not fit the width are left out whole.

use super::chart::{draw_symbol_chart, ChartOpts};
use super::chrome::page_tabs;
use super::columns::{fit_parts, text_width, Part};
use super::format;
use super::state::UiState;
use super::theme::{Role, Theme};
use crate::domain::bars::minute_of;
use crate::domain::types::Source;
use crate::engine::snapshot::{Snapshot, SymbolView};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use rust_decimal::Decimal;

fn facts(v: &SymbolView, snap: &Snapshot, ui: &UiState) -> (Vec<Part>, Vec<Part>) {
    let now = ui.now(snap);
    let dir = match v.change() {
        Some(c) if c > Decimal::ZERO => Role::Up,
        Some(c) if c < Decimal::ZERO => Role::Down,
        _ => Role::Text,
    };
    let mut first: Vec<Part> = Vec::new();
    let last_role = if v.stale { Role::Stale } else { Role::Text };
    first.push(vec![
        ("Last ".into(), Role::Muted),
        (
            v.price.map_or(format::MISSING.into(), format::price),
            last_role,
        ),
    ]);
    if let (Some(c), Some(p), Some(pct)) = (v.change(), v.price, v.change_pct()) {
        first.push(vec![(
            format!("{} {}", format::signed(c, p), format::pct(pct)),
            dir,
        )]);
    }
    if let (Some(src), Some(age)) = (v.source, v.age_ms(now)) {
        let role = if src == Source::Yahoo {
            Role::Warn
        } else {
            Role::Muted
        };
        first.push(vec![(
            format!("{} {} ago", src.as_str(), format::age(age)),
            role,
        )]);
    }
    if let Some(h) = v.held {
        first.push(vec![(format!("⚠ held {}", format::price(h)), Role::Warn)]);
    }
    if v.stale {
        first.push(vec![("stale: last known".into(), Role::Stale)]);
    }
    let mut second: Vec<Part> = Vec::new();
    if let Some(pc) = v.prev_close {
        second.push(vec![
            ("prev close ".into(), Role::Muted),
            (format::price(pc), Role::Text),
        ]);
    }
    let day = minute_of(format::ny_day_start(now)).and_then(|m| v.bars.range_since(m));
    if let Some((hi, lo)) = day {
        second.push(vec![
            ("day high ".into(), Role::Muted),
            (format::price(hi), Role::Text),
            (" low ".into(), Role::Muted),
            (format::price(lo), Role::Text),
        ]);
    }
    match (v.quote_is_current(), v.bid, v.ask) {
        (true, Some(b), Some(a)) => second.push(vec![
            ("bid ".into(), Role::Muted),
            (format::price(b), Role::Text),
            (" ask ".into(), Role::Muted),
            (format::price(a), Role::Text),
            (" spread ".into(), Role::Muted),
            (format::price(a - b), Role::Text),
        ]),
        (false, _, _) if v.price.is_some() => second.push(vec![(
            "bid/ask: Alpaca's quote is stale while Yahoo serves".into(),
            Role::Stale,
        )]),
        _ => {}
    }
    (first, second)
}

/// The parts that fit in `width`, whole, joined by `·`, after a space.
fn fit_line(parts: Vec<Part>, width: u16, theme: &Theme) -> Line<'static> {
    let mut line = fit_parts(parts, width.saturating_sub(1), "  ·  ", theme);
    line.spans.insert(0, Span::raw(" "));
    line
}

pub(super) fn draw_symbol_view(
    frame: &mut Frame,
    rect: Rect,
    snap: &Snapshot,
    ui: &UiState,
    theme: &Theme,
) {
    let Some(v) = super::lists::selected_symbol(snap, ui) else {
        return;
    };
    let opts = ui
        .symbol_view
        .as_ref()
        .map(|s| s.chart)
        .unwrap_or(ChartOpts {
            full: true,
            ..ChartOpts::default()
        });
    draw_chart_panel(frame, rect, snap, ui, v, &opts, theme);
}

/// A bordered chart of `v`: the symbol view (full) or the Market page's panel.
pub(super) fn draw_chart_panel(
    frame: &mut Frame,
    rect: Rect,
    snap: &Snapshot,
    ui: &UiState,
    v: &SymbolView,
    opts: &ChartOpts,
    theme: &Theme,
) {
    let kind = if opts.candles { "candles" } else { "line" };
    // The keys come from the keymap, so a rebinding shows here too.
    use super::actions::Action as A;
    use super::keymap::Context;
    let hint = if ui.symbol_view.is_some() {
        let keys = super::keymap_doc::footer(
            &ui.ix.keymap,
            Context::Symbol,
            &[
                (&[A::Candles], "candles"),
                (&[A::TimeFrame], "1m/5m/15m"),
                (&[A::PrevMark, A::NextMark], "marks"),
                (&[A::CloseSymbol], "back"),
            ],
        );
        format!(" {} {kind} ·{keys}", opts.frame.label())
    } else {
        let open =
            super::keymap_doc::footer(&ui.ix.keymap, Context::Market, &[(&[A::Open], "full view")]);
        format!(" {} {kind} ·{open}", opts.frame.label())
    };
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .title(Span::styled(
            format!(" {} ", v.symbol),
            theme.style(Role::Accent),
        ));
    if text_width(&hint) + text_width(v.symbol.as_str()) + 6 < rect.width {
        block =
            block.title(Line::from(Span::styled(hint, theme.style(Role::Muted))).right_aligned());
    }
    if ui.symbol_view.is_some() {
        block = block.title_bottom(page_tabs(ui, theme));
    }
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    if inner.height < 3 {
        return;
    }
    let (first, second) = facts(v, snap, ui);
    let mut y = inner.y;
    frame.render_widget(
        Paragraph::new(fit_line(first, inner.width, theme)),
        Rect { height: 1, ..inner },
    );
    y += 1;
    if inner.height >= 12 {
        frame.render_widget(
            Paragraph::new(fit_line(second, inner.width, theme)),
            Rect::new(inner.x, y, inner.width, 1),
        );
        y += 1;
    }
    let chart = Rect::new(inner.x, y, inner.width, inner.bottom().saturating_sub(y));
    draw_symbol_chart(frame, chart, v, opts, theme);
}
