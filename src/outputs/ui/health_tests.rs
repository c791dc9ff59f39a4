//! Rendering tests for the router, breaker and validation pictures: the Market page in
//! fallback (DELAYED DATA), with both sources down (stale rows), with a held print, and
//! the Health page, as insta snapshots from driven scenarios plus style checks.

use super::scenarios::{
    both_unavailable_snapshot, fallback_snapshot, health_snapshot, held_snapshot,
};
use super::testutil::{buffer_text, render_buffer, render_text, sample_snapshot};
use super::*;
use ratatui::style::{Color, Modifier};

fn health() -> UiState {
    UiState {
        page: Page::Health,
        ..UiState::default()
    }
}

#[test]
fn market_fallback_delayed_80x24() {
    insta::assert_snapshot!(render_text(
        &fallback_snapshot(),
        &UiState::default(),
        80,
        24
    ));
}

#[test]
fn market_fallback_delayed_120x32() {
    insta::assert_snapshot!(render_text(
        &fallback_snapshot(),
        &UiState::default(),
        120,
        32
    ));
}

#[test]
fn market_both_unavailable_stale_rows_80x24() {
    insta::assert_snapshot!(render_text(
        &both_unavailable_snapshot(),
        &UiState::default(),
        80,
        24
    ));
}

#[test]
fn market_held_row_80x24() {
    let ui = UiState {
        selected: 6, // TSLA
        ..UiState::default()
    };
    insta::assert_snapshot!(render_text(&held_snapshot(), &ui, 80, 24));
}

#[test]
fn health_80x24() {
    insta::assert_snapshot!(render_text(&health_snapshot(), &health(), 80, 24));
}

#[test]
fn health_160x48() {
    insta::assert_snapshot!(render_text(&health_snapshot(), &health(), 160, 48));
}

#[test]
fn health_in_fallback_120x32() {
    insta::assert_snapshot!(render_text(
        &both_unavailable_snapshot(),
        &health(),
        120,
        32
    ));
}

/// Finds the first cell whose row text contains `needle`.
fn find(buf: &ratatui::buffer::Buffer, needle: &str) -> (u16, u16) {
    let text = buffer_text(buf);
    for (y, line) in text.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            let x = line[..byte].chars().count();
            return (x as u16, y as u16);
        }
    }
    panic!("{needle:?} not on screen:\n{text}");
}

#[test]
fn header_badges_and_router_state_are_painted() {
    let theme = Theme::embedded_default();
    let ui = UiState::default();
    // (scenario, router state, its colour, badge text, badge background)
    let cases = [
        (
            fallback_snapshot(),
            "FALLBACK_ACTIVE",
            Color::Yellow,
            Some(("DELAYED DATA", Color::Rgb(0xff, 0x87, 0x00))),
        ),
        (
            both_unavailable_snapshot(),
            "BOTH_UNAVAILABLE",
            Color::LightRed,
            Some(("NO LIVE DATA", Color::Red)),
        ),
        (sample_snapshot(), "PRIMARY_ACTIVE", Color::Green, None),
    ];
    for (snap, state, colour, badge) in cases {
        for width in [80, 120] {
            let buf = render_buffer(&snap, &ui, &theme, width, 24);
            assert_eq!(buf[find(&buf, state)].fg, colour, "{state} at {width}");
            let header = buffer_text(&buf).lines().next().unwrap_or("").to_string();
            match badge {
                Some((text, bg)) => {
                    assert!(header.contains(text), "{header}");
                    assert_eq!(buf[find(&buf, text)].bg, bg, "{text} at {width}");
                }
                None => assert!(!header.contains("DATA"), "{header}"),
            }
        }
    }
}

#[test]
fn header_keeps_states_and_clock_at_80_columns() {
    let text = render_text(&fallback_snapshot(), &UiState::default(), 80, 24);
    let header = text.lines().next().unwrap();
    for part in [
        "LIVE",
        "DISCONNECTED",
        "FALLBACK_ACTIVE",
        "DELAYED DATA",
        "10:04:31 ET",
    ] {
        assert!(header.contains(part), "{part} missing from {header:?}");
    }
    // In replay the position matters more than the clock: the feed goes first.
    let mut replay = sample_snapshot();
    replay.mode = Mode::Replay;
    replay.replay = Some(crate::engine::snapshot::ReplayView {
        name: "open".to_string(),
        position_ms: 83_450,
        span_ms: None,
        speed: "10x".to_string(),
        paused: false,
        finished: false,
    });
    let text = render_text(&replay, &UiState::default(), 80, 24);
    let header = text.lines().next().unwrap();
    for part in ["REPLAY", "SUBSCRIBED", "PRIMARY_ACTIVE", "+00:01:23.4 10x"] {
        assert!(header.contains(part), "{part} missing from {header:?}");
    }
    // With room to spare nothing is dropped.
    let text = render_text(&fallback_snapshot(), &UiState::default(), 160, 24);
    let header = text.lines().next().unwrap();
    for part in ["tapewatch", "feed iex", "Fri 2024-03-15"] {
        assert!(header.contains(part), "{part} missing from {header:?}");
    }
}

#[test]
fn stale_and_held_rows_never_show_the_held_price_as_the_price() {
    let theme = Theme::embedded_default();
    let buf = render_buffer(
        &both_unavailable_snapshot(),
        &UiState::default(),
        &theme,
        80,
        24,
    );
    let (x, y) = find(&buf, "171.48");
    assert_eq!(buf[(x, y)].fg, Color::Red, "stale price in the stale role");
    assert!(buf[(x, y)].modifier.contains(Modifier::DIM));
    let aapl = buffer_text(&buf)
        .lines()
        .find(|l| l.contains("AAPL"))
        .unwrap()
        .to_string();
    assert!(aapl.contains("50s stale: last known"), "{aapl}");
    assert_eq!(buf[find(&buf, "stale: last")].fg, Color::Red);

    let buf = render_buffer(&held_snapshot(), &UiState::default(), &theme, 80, 24);
    let text = buffer_text(&buf);
    let tsla = text.lines().find(|l| l.contains("TSLA")).unwrap();
    assert!(
        tsla.contains("163.57") && tsla.contains("⚠ held 203.10"),
        "{tsla}"
    );
    assert_eq!(buf[find(&buf, "⚠ held")].fg, Color::Yellow);
}

#[test]
fn health_countdowns_follow_the_display_clock() {
    let snap = health_snapshot();
    let text = render_text(&snap, &health(), 160, 48);
    for part in [
        "back to Alpaca in 4s",
        "in 12s",
        "⚠ TSLA",
        "≠ AAPL",
        "p99 / minute",
    ] {
        assert!(text.contains(part), "{part} missing:\n{text}");
    }
    // Two seconds later on the display clock, with the same snapshot.
    let ui = UiState {
        display_now: Some(snap.now.plus_millis(2_000)),
        ..health()
    };
    let text = render_text(&snap, &ui, 160, 48);
    assert!(text.contains("back to Alpaca in 2s"), "{text}");
    assert!(text.contains("in 10s"), "{text}");
}

#[test]
fn page_tabs_mark_the_current_page() {
    let theme = Theme::embedded_default();
    for (ui, active, other) in [
        // The others show their key only: "│ 2 │" beside "1 Market".
        (UiState::default(), "1 Market", "│ 2 │"),
        (health(), "2 Health", " 1 │"),
    ] {
        let buf = render_buffer(&health_snapshot(), &ui, &theme, 100, 30);
        let on = &buf[find(&buf, active)];
        assert!(on.modifier.contains(Modifier::REVERSED), "{active}");
        assert!(
            !buf[find(&buf, other)].modifier.contains(Modifier::REVERSED),
            "{other}"
        );
    }
}

/// Messages dropped after an unsubscribe show in the validation panel, apart from
/// the failures, and only once there are any.
#[test]
fn validation_panel_counts_messages_in_flight_after_unsubscribe() {
    let mut snap = health_snapshot();
    let before = render_text(&snap, &health(), 160, 48);
    assert!(!before.contains("in flight"), "{before}");
    snap.validation.unsubscribed_in_flight = 1_234;
    let after = render_text(&snap, &health(), 160, 48);
    assert!(
        after.contains("1,234 in flight after unsubscribe (not failures)"),
        "{after}"
    );
}

#[test]
fn forced_failovers_are_shown_apart_from_the_routers_own() {
    use crate::domain::router::{Router, RouterInput};
    let mut snap = health_snapshot();
    let start = snap.now.plus_millis(-600_000);
    let mut r = Router::new(Default::default(), start);
    for i in 0..2 {
        r.handle(start.plus_millis(i * 60_000), RouterInput::ForceFallback);
        r.handle(
            start.plus_millis(i * 60_000 + 30_000),
            RouterInput::ReturnToPrimary,
        );
    }
    snap.router = r.view(snap.now);
    let text = render_text(&snap, &health(), 160, 48);
    for part in [
        "failovers 2 (2 forced)",
        "grace 10s",
        "0 failovers in the last hour (+2 forced)",
    ] {
        assert!(text.contains(part), "{part} missing:\n{text}");
    }
}

/// Prints the condition tables kept off Last, summed over the watchlist: one muted
/// `tape` line in the validation panel, only the counts that are not zero.
fn tape_snapshot() -> crate::engine::snapshot::Snapshot {
    let mut s = health_snapshot();
    s.watchlist[0].tape.non_eligible = 1_180;
    s.watchlist[0].tape.late = 2;
    s.watchlist[1].tape.non_eligible = 24;
    s.watchlist[1].tape.cancelled = 1;
    s
}

#[test]
fn health_tape_counters_80x24() {
    let text = render_text(&tape_snapshot(), &health(), 80, 24);
    insta::assert_snapshot!(text);
}

#[test]
fn health_tape_counters_120x40() {
    let text = render_text(&tape_snapshot(), &health(), 120, 40);
    assert!(
        text.contains("tape 1,204 not last · 2 late · 1 amended"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}
