//! The screen's newer keys: Enter/Esc and the chart's c, t, ←/→; Space, +, - and R
//! for a replay; `b` asking before it accepts a held price; `d` refusing a symbol
//! with a position; and which clock the ages are measured on. Through the keymap's
//! dispatch, as the terminal sends them.

use super::dispatch::{on_key, Effect};
use super::state::{Page, UiState};
use super::testutil::sample_snapshot;
use crate::domain::bars::{Marker, TimeFrame};
use crate::domain::types::Ts;
use crate::engine::snapshot::Mode;
use crate::messages::replay::ReplayAction;
use crate::messages::Command;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[test]
fn enter_opens_the_chart_esc_backs_out_and_only_then_quits() {
    let mut snap = sample_snapshot();
    for k in 0..3 {
        snap.watchlist[2].bars.mark(Marker {
            at: snap.now.plus_millis(-60_000 * k),
            tripped: k == 0,
            reason: format!("reason {k}"),
        });
    }
    let mut ui = UiState {
        selected: 2,
        ..UiState::default()
    };
    let press = |ui: &mut UiState, c: KeyCode| on_key(ui, key(c), &snap);
    assert!(matches!(press(&mut ui, KeyCode::Enter), Some(Effect::Ui)));
    let chart = |ui: &UiState| ui.symbol_view.as_ref().unwrap().chart;
    assert!(chart(&ui).full && !chart(&ui).candles);
    press(&mut ui, KeyCode::Char('c'));
    press(&mut ui, KeyCode::Char('t'));
    press(&mut ui, KeyCode::Char('t'));
    assert!(chart(&ui).candles);
    assert_eq!(chart(&ui).frame, TimeFrame::M15);
    // ← starts at the newest mark and walks back; → stops at the newest.
    press(&mut ui, KeyCode::Left);
    assert_eq!(chart(&ui).mark, Some(2));
    press(&mut ui, KeyCode::Left);
    press(&mut ui, KeyCode::Left);
    press(&mut ui, KeyCode::Left);
    assert_eq!(chart(&ui).mark, Some(0));
    press(&mut ui, KeyCode::Right);
    assert_eq!(chart(&ui).mark, Some(1));
    assert!(matches!(press(&mut ui, KeyCode::Esc), Some(Effect::Ui)));
    assert!(ui.symbol_view.is_none());
    // Esc never quits.
    assert!(!matches!(press(&mut ui, KeyCode::Esc), Some(Effect::Quit)));
    // Enter does nothing on a page without rows, and c is not a key outside the chart.
    let mut ui = UiState {
        page: Page::Positions,
        ..UiState::default()
    };
    assert!(press(&mut ui, KeyCode::Enter).is_none());
    assert!(press(&mut ui, KeyCode::Char('c')).is_none());
}

#[test]
fn a_chart_without_marks_says_so_on_arrow_keys() {
    let snap = sample_snapshot();
    let mut ui = UiState::default();
    on_key(&mut ui, key(KeyCode::Enter), &snap);
    assert!(on_key(&mut ui, key(KeyCode::Right), &snap).is_none());
    assert!(ui.notice.as_deref().unwrap().contains("no rejections"));
}

#[test]
fn space_plus_minus_and_r_control_the_replay() {
    let snap = sample_snapshot();
    let cases = [
        (KeyCode::Char(' '), ReplayAction::TogglePause),
        (KeyCode::Char('+'), ReplayAction::Faster),
        (KeyCode::Char('='), ReplayAction::Faster),
        (KeyCode::Char('-'), ReplayAction::Slower),
        (KeyCode::Char('R'), ReplayAction::Restart),
    ];
    for (code, want) in cases {
        let mut ui = UiState::default();
        let a = on_key(&mut ui, key(code), &snap);
        assert!(
            matches!(a, Some(Effect::Send(Command::Replay(r))) if r == want),
            "{code:?}"
        );
    }
}

#[test]
fn b_asks_before_accepting_a_held_price_and_shows_the_move() {
    let mut snap = sample_snapshot();
    let sym = snap.watchlist[6].symbol.clone(); // TSLA at 163.57
    snap.watchlist[6].held = Some("204.46".parse().unwrap());
    snap.validation
        .tripped
        .push(crate::domain::validate::TrippedView {
            symbol: sym.clone(),
            reason: "price movement 25% exceeds 20% threshold".into(),
            tripped_at: snap.now,
            age_ms: 0,
            reference: "163.57".parse().unwrap(),
            held_price: "204.46".parse().unwrap(),
            held_prints: 1,
        });
    let mut ui = UiState {
        selected: 6,
        ..UiState::default()
    };
    assert!(matches!(
        on_key(&mut ui, key(KeyCode::Char('b')), &snap),
        Some(Effect::Ui)
    ));
    let q = ui.confirm.as_ref().unwrap().question.clone();
    assert_eq!(
        q,
        "Accept TSLA at the held 204.46 (+25.00% from 163.57)? y yes · n no"
    );
    // Any other key cancels, and says so; nothing is sent.
    assert!(matches!(
        on_key(&mut ui, key(KeyCode::Char('q')), &snap),
        Some(Effect::Ui)
    ));
    assert!(ui.confirm.is_none());
    assert!(ui.notice.as_deref().unwrap().contains("cancelled"));
    on_key(&mut ui, key(KeyCode::Char('b')), &snap);
    let a = on_key(&mut ui, key(KeyCode::Char('y')), &snap);
    assert!(matches!(a, Some(Effect::Send(Command::ResetSymbolBreaker(s))) if s == sym));
}

#[test]
fn d_refuses_a_symbol_with_a_position_and_says_why() {
    let mut snap = sample_snapshot();
    let lots = [crate::domain::portfolio::Lot {
        symbol: "AAPL".into(),
        qty: "150".parse().unwrap(),
        cost_per_share: "100".parse().unwrap(),
        fees: rust_decimal::Decimal::ZERO,
    }];
    snap.portfolio = crate::domain::portfolio::compute(
        &Default::default(),
        snap.now,
        &lots,
        None,
        &|_| None,
        &|_| None,
    );
    let mut ui = UiState::default();
    assert!(on_key(&mut ui, key(KeyCode::Char('d')), &snap).is_none());
    assert_eq!(
        ui.notice.as_deref(),
        Some("AAPL has a position (150 shares): a symbol with a position is always watched")
    );
    // The totals say they leave it out (it has no price here).
    assert_eq!(
        snap.portfolio.totals.incomplete.as_deref(),
        Some("incomplete: 1 position unpriced")
    );
    assert_eq!(
        snap.portfolio.risk.incomplete,
        snap.portfolio.totals.incomplete
    );
}

#[test]
fn ages_run_on_the_wall_live_and_on_the_fixture_clock_in_a_replay() {
    let now = Ts::from_secs(1_000);
    assert_eq!(
        super::display_now(Mode::Live, now, 2_500),
        Some(now.plus_millis(2_500))
    );
    // The demo and replays used to be extrapolated by wall time too, so the clock ran
    // ahead of the fixture and jumped back at the next snapshot.
    assert_eq!(super::display_now(Mode::Demo, now, 2_500), None);
    assert_eq!(super::display_now(Mode::Replay, now, 2_500), None);
}
