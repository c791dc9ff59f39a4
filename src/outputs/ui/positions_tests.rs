//! The Positions page at fixed sizes (insta), its sort keys, and the empty case.

use super::dispatch::on_key;
use super::state::{Page, UiState};
use super::testutil::{render_text, sample_snapshot};
use crate::domain::portfolio::{compute, Lot, Mark, PortfolioConfig, SortKey};
use crate::domain::types::Source;
use crate::engine::snapshot::Snapshot;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn lot(sym: &str, qty: &str, cost: &str, fees: &str) -> Lot {
    Lot {
        symbol: sym.into(),
        qty: d(qty),
        cost_per_share: d(cost),
        fees: d(fees),
    }
}

/// The sample watchlist's prices, with a portfolio of a gain, a loss, two lots, a
/// short, a Yahoo-marked row and a stale one.
fn with_portfolio() -> Snapshot {
    let mut snap = sample_snapshot();
    let lots = vec![
        lot("AAPL", "150", "160.10", "1.00"),
        lot("MSFT", "20", "430.00", "0"),
        lot("NVDA", "50", "850.00", "0.50"),
        lot("NVDA", "25", "900.00", "0.50"),
        lot("TSLA", "-40", "190.00", "1.25"),
        lot("AMZN", "30", "170.00", "0"),
    ];
    let now = snap.now;
    let wl = snap.watchlist.clone();
    let marks = |sym: &str| -> Option<Mark> {
        let v = wl.iter().find(|v| v.symbol == sym)?;
        Some(Mark {
            price: v.price?,
            source: v.source.unwrap_or(Source::Alpaca),
            as_of: v.as_of?,
            stale: sym == "MSFT",
        })
    };
    let prev = |sym: &str| wl.iter().find(|v| v.symbol == sym)?.prev_close;
    snap.portfolio = compute(&PortfolioConfig::default(), now, &lots, None, &marks, &prev);
    snap
}

fn ui_on_positions() -> UiState {
    UiState {
        page: Page::Positions,
        ..UiState::default()
    }
}

#[test]
fn positions_80x24() {
    insta::assert_snapshot!(render_text(&with_portfolio(), &ui_on_positions(), 80, 24));
}

#[test]
fn positions_140x40_sorted_by_pl_descending() {
    let ui = UiState {
        sort_key: SortKey::UnrealizedPl,
        sort_descending: true,
        ..ui_on_positions()
    };
    insta::assert_snapshot!(render_text(&with_portfolio(), &ui, 140, 40));
}

#[test]
fn empty_portfolio_says_how_to_get_positions() {
    let text = render_text(&sample_snapshot(), &ui_on_positions(), 100, 20);
    assert!(text.contains("No positions. Add [[positions]]"), "{text}");
}

#[test]
fn keys_switch_to_positions_and_sort() {
    let snap = with_portfolio();
    let mut ui = UiState::default();
    let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    on_key(&mut ui, key('3'), &snap);
    assert_eq!(ui.page, Page::Positions);
    on_key(&mut ui, key('s'), &snap);
    assert_eq!(ui.sort_key, SortKey::MarketValue);
    on_key(&mut ui, key('S'), &snap);
    assert!(ui.sort_descending);
    // Tab cycles through all four pages.
    let tab = KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE);
    on_key(&mut ui, tab, &snap);
    assert_eq!(ui.page, Page::Alerts);
    on_key(&mut ui, tab, &snap);
    assert_eq!(ui.page, Page::Market);
    // `s` means nothing on the Market page.
    on_key(&mut ui, key('s'), &snap);
    assert_eq!(ui.sort_key, SortKey::MarketValue);
}

#[test]
fn every_size_renders_without_panicking() {
    let snap = with_portfolio();
    for (w, h) in [(1, 1), (10, 3), (20, 5), (40, 10), (80, 24), (200, 60)] {
        let _ = render_text(&snap, &ui_on_positions(), w, h);
    }
}

#[test]
fn the_sort_clause_shows_whole_or_not_at_all() {
    let snap = with_portfolio();
    for w in 40..=120 {
        let text = render_text(&snap, &ui_on_positions(), w, 20);
        let Some(title) = text.lines().find(|l| l.contains("Positions (")) else {
            continue;
        };
        if title.contains("sorted") {
            assert!(title.contains("sorted by symbol ↑"), "{w}: {title}");
        }
    }
}

#[test]
fn titles_beside_the_tabs_show_counts_whole_or_not_at_all() {
    let snap = with_portfolio();
    for w in 40..=120 {
        let title = |page| {
            let ui = UiState {
                page,
                ..UiState::default()
            };
            let text = render_text(&snap, &ui, w, 16);
            text.lines().nth(1).unwrap_or_default().to_string()
        };
        let market = title(Page::Market);
        assert!(
            !market.contains("Watchlist (") || market.contains("Watchlist (12)"),
            "{w}: {market}"
        );
        let alerts = title(Page::Alerts);
        assert!(!alerts.contains('…'), "{w}: {alerts}");
        assert!(
            !alerts.contains("0C") || alerts.contains("0L"),
            "{w}: {alerts}"
        );
    }
}

#[test]
fn a_filtered_watchlist_keeps_its_count_at_every_width() {
    let snap = with_portfolio();
    let mut ui = UiState::default();
    let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    for c in ['/', 'A'] {
        on_key(&mut ui, key(c), &snap);
    }
    on_key(
        &mut ui,
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
        &snap,
    );
    for w in 40..=120 {
        let text = render_text(&snap, &ui, w, 16);
        let title = text.lines().nth(1).unwrap_or_default();
        if title.contains("Watchlist (") {
            assert!(title.contains(" of 12)"), "{w}: {title}");
        }
        if w >= 70 {
            assert!(
                title.contains("Watchlist (") && title.contains("/A"),
                "{w}: {title}"
            );
        }
    }
}
