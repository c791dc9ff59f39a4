//! Every page at 60×15, 80×24, 120×40 and 200×60, from the demo at fixed moments
//! (before, during and after its Alpaca outage), as insta text snapshots; and the
//! screen's truth rules checked at every width: numbers whole or absent, signs kept,
//! a too-small terminal said so.

use super::chart::ChartOpts;
use super::demo_testutil::{moment, AFTER_MS, BEFORE_MS, DURING_MS};
use super::format;
use super::screen_actions::SymbolViewState;
use super::state::{Page, UiState};
use super::testutil::render_text;
use crate::engine::snapshot::Snapshot;

const SIZES: [(u16, u16); 4] = [(60, 15), (80, 24), (120, 40), (200, 60)];
const MOMENTS: [(&str, i64); 3] = [
    ("before", BEFORE_MS),
    ("during", DURING_MS),
    ("after", AFTER_MS),
];

fn index_of(snap: &Snapshot, sym: &str) -> usize {
    snap.watchlist.iter().position(|v| v.symbol == sym).unwrap()
}

/// The pages, with the UI state that shows each (the chart of TSLA, whose spike
/// was held and rejected in the bad-data burst).
pub(super) fn pages(snap: &Snapshot) -> Vec<(&'static str, UiState)> {
    let tsla = index_of(snap, "TSLA");
    vec![
        (
            "market",
            UiState {
                selected: tsla,
                ..UiState::default()
            },
        ),
        (
            "chart",
            UiState {
                selected: tsla,
                symbol_view: Some(SymbolViewState {
                    chart: ChartOpts {
                        full: true,
                        ..ChartOpts::default()
                    },
                }),
                ..UiState::default()
            },
        ),
        (
            "health",
            UiState {
                page: Page::Health,
                ..UiState::default()
            },
        ),
        (
            "positions",
            UiState {
                page: Page::Positions,
                ..UiState::default()
            },
        ),
        (
            "alerts",
            UiState {
                page: Page::Alerts,
                ..UiState::default()
            },
        ),
    ]
}

#[test]
fn every_page_at_four_sizes_before_during_and_after_the_outage() {
    for (when, t_ms) in MOMENTS {
        let snap = moment(t_ms);
        for (page, ui) in pages(&snap) {
            for (w, h) in SIZES {
                let name = format!("{page}_{when}_{w}x{h}");
                insta::assert_snapshot!(name, render_text(&snap, &ui, w, h));
            }
        }
    }
}

#[test]
fn candles_and_a_selected_mark() {
    let snap = moment(BEFORE_MS);
    let ui = UiState {
        selected: index_of(&snap, "TSLA"),
        symbol_view: Some(SymbolViewState {
            chart: ChartOpts {
                full: true,
                candles: true,
                frame: crate::domain::bars::TimeFrame::M1,
                mark: Some(0),
            },
        }),
        ..UiState::default()
    };
    insta::assert_snapshot!(render_text(&snap, &ui, 120, 40));
}

/// The watchlist's rows at `width`: each shows its Last and Chg % whole (with the
/// sign), or the column is gone from the table. Cut digits used to read 229.23 as
/// `29.23`, and −1.01 % as `1.01%`.
fn numbers_are_whole(snap: &Snapshot, width: u16) {
    let ui = UiState::default();
    let text = render_text(snap, &ui, width, 24);
    let lines: Vec<&str> = text.lines().collect();
    for v in &snap.watchlist {
        let start = format!("{} ", v.symbol);
        let row = lines
            .iter()
            .find(|l| {
                l.trim_start_matches('│')
                    .trim_start_matches('▸')
                    .trim_start()
                    .starts_with(&start)
            })
            .unwrap_or_else(|| panic!("no row for {} at {width}:\n{text}", v.symbol));
        if let Some(p) = v.price {
            assert!(
                row.contains(&format!(" {}", format::price(p))),
                "{} Last {} cut at {width} columns: {row}",
                v.symbol,
                format::price(p)
            );
        }
        if let (Some(pct), true) = (v.change_pct(), text.contains("Chg %")) {
            assert!(
                row.contains(&format!(" {}", format::pct(pct))),
                "{} Chg % {} cut at {width} columns: {row}",
                v.symbol,
                format::pct(pct)
            );
        }
    }
}

#[test]
fn numbers_are_whole_or_absent_at_every_width() {
    for (_, t_ms) in MOMENTS {
        let snap = moment(t_ms);
        for width in 40..=200 {
            numbers_are_whole(&snap, width);
        }
    }
}

#[test]
fn a_terminal_too_small_says_so() {
    let snap = moment(BEFORE_MS);
    for (w, h) in [(20, 5), (39, 24), (80, 7), (1, 1)] {
        let text = render_text(&snap, &UiState::default(), w, h);
        assert!(
            text.replace('\n', " ").contains("terminal") || w * h < 20,
            "{w}x{h}:\n{text}"
        );
    }
    let text = render_text(&snap, &UiState::default(), 20, 5);
    insta::assert_snapshot!(text);
}

/// A filter hides rows: each shown row keeps its own symbol's sparkline, and rows
/// left empty by the filter draw none.
#[test]
fn a_filtered_watchlist_draws_each_rows_own_sparkline() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let snap = moment(BEFORE_MS);
    let is_block = |c: &char| ('▁'..='█').contains(c);
    // The row's sparkline (the columns around it may differ in width).
    let row_of = |text: &str, sym: &str| -> String {
        text.lines()
            .find(|l| l.starts_with(&format!("│  {sym} ")) || l.starts_with(&format!("│▸ {sym} ")))
            .map(|l| l.chars().filter(is_block).collect())
            .unwrap_or_default()
    };
    let whole = render_text(&snap, &UiState::default(), 120, 40);
    let mut ui = UiState::default();
    let press = |ui: &mut UiState, code| {
        super::dispatch::on_key(ui, KeyEvent::new(code, KeyModifiers::NONE), &snap);
    };
    press(&mut ui, KeyCode::Char('/'));
    for c in "NFLX".chars() {
        press(&mut ui, KeyCode::Char(c));
    }
    press(&mut ui, KeyCode::Enter);
    let filtered = render_text(&snap, &ui, 120, 40);
    assert!(filtered.contains("(1 of 12)"), "{filtered}");
    let want = row_of(&whole, "NFLX");
    assert!(want.chars().count() >= 20, "no sparkline: {whole}");
    assert_eq!(row_of(&filtered, "NFLX"), want, "{filtered}");
    // Nothing under NFLX draws another symbol's sparkline.
    let lines: Vec<&str> = filtered.lines().collect();
    let at = lines.iter().position(|l| l.starts_with("│▸ NFLX "));
    let below = at
        .and_then(|i| lines.get(i + 1))
        .copied()
        .unwrap_or_default();
    assert!(
        at.is_some() && !below.chars().any(|c| is_block(&c)),
        "{filtered}"
    );
}
