//! The interaction layer's pictures, each reached by keys through the dispatch the
//! terminal uses: the help, the command palette, a filter, and the detail views (an
//! event, an alert with its runbook, the Health page's transitions, breakers and
//! rejections), at 80×24 and 120×40; and the README's keys section.

use super::alerts_tests::alerts_snapshot;
use super::dispatch::{on_key, Effect};
use super::interact::Overlay;
use super::keymap::Keymap;
use super::scenarios::health_snapshot;
use super::state::UiState;
use super::testutil::{render_text, sample_snapshot};
use crate::domain::event::{Event, EventKind, Level};
use crate::engine::snapshot::Snapshot;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// Types `keys` (`\n` Enter, `\t` Tab, `\u{1b}` Esc, `→` Right, `↓` Down) at a
/// `w`×`h` screen and returns the UI state.
fn drive(snap: &Snapshot, w: u16, h: u16, keys: &str) -> UiState {
    let mut ui = UiState::default();
    ui.ix.area = Rect::new(0, 0, w, h);
    ui.ix.api_base = "http://127.0.0.1:7001".into();
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\t' => KeyCode::Tab,
            '\u{1b}' => KeyCode::Esc,
            '→' => KeyCode::Right,
            '↓' => KeyCode::Down,
            c => KeyCode::Char(c),
        };
        on_key(&mut ui, KeyEvent::new(code, KeyModifiers::NONE), snap);
    }
    ui
}

/// The sample with a long event: the kind that used to be cut at the panel's edge.
fn with_long_event() -> Snapshot {
    let mut snap = sample_snapshot();
    snap.events.push(
        Event::new(
            snap.now,
            Level::Warn,
            EventKind::Alert,
            "Alert H1 HIGH AlpacaDisconnected firing: Alpaca stream disconnected (fallback active) — RUNBOOK-002; first step: Check connection state: curl http://localhost:5002/api/health/alpaca | jq '.alpacaStatus'",
        ),
    );
    snap
}

#[test]
fn help_is_sized_to_its_content_and_scrolls() {
    let snap = sample_snapshot();
    for (w, h) in SIZES {
        let ui = drive(&snap, w, h, "?");
        let text = render_text(&snap, &ui, w, h);
        insta::assert_snapshot!(format!("help_{w}x{h}"), text);
    }
    // At 60×15 every entry can be scrolled to, and nothing is cut.
    let (w, h) = (60, 15);
    let mut ui = drive(&snap, w, h, "?");
    let mut seen = String::new();
    for _ in 0..60 {
        seen.push_str(&render_text(&snap, &ui, w, h));
        on_key(
            &mut ui,
            KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE),
            &snap,
        );
    }
    let flat = seen.split_whitespace().collect::<Vec<_>>().join(" ");
    for (_, entries) in super::keymap_doc::groups(&Keymap::default()) {
        for e in entries {
            let last_word = e.desc.split_whitespace().last().unwrap_or("");
            assert!(
                flat.contains(last_word),
                "{:?} not reachable at 60x15",
                e.desc
            );
        }
    }
}

#[test]
fn palette_lists_completions() {
    let snap = sample_snapshot();
    for (w, h) in SIZES {
        let ui = drive(&snap, w, h, ":re");
        let text = render_text(&snap, &ui, w, h);
        assert!(
            text.contains(":re") && text.contains("reset-symbol"),
            "{text}"
        );
        insta::assert_snapshot!(format!("palette_{w}x{h}"), text);
    }
    // An error stays in the prompt line with the reason.
    let ui = drive(&snap, 80, 24, ":snooze H1 9999\n");
    let text = render_text(&snap, &ui, 80, 24);
    // Too long for one row, it wraps onto the channels' row rather than being cut.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("is not a whole number of minutes from 1 to 1440"),
        "{text}"
    );
}

#[test]
fn filters_show_in_the_panel_title() {
    let snap = with_long_event();
    for (w, h) in SIZES {
        // The watchlist by symbol, while typing, then the event log by level.
        let ui = drive(&snap, w, h, "/ms");
        let text = render_text(&snap, &ui, w, h);
        assert!(
            text.contains("/ms ·") && text.contains("(1 of 12)"),
            "{text}"
        );
        insta::assert_snapshot!(format!("filter_watchlist_{w}x{h}"), text);
        let ui = drive(&snap, w, h, "→/error\n");
        let text = render_text(&snap, &ui, w, h);
        assert!(
            text.contains("/error") && !text.contains("subscribed to 12"),
            "{text}"
        );
        insta::assert_snapshot!(format!("filter_events_{w}x{h}"), text);
    }
}

#[test]
fn an_event_opens_whole_and_wrapped() {
    let snap = with_long_event();
    for (w, h) in SIZES {
        let ui = drive(&snap, w, h, "→\n");
        let text = render_text(&snap, &ui, w, h);
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("jq '.alpacaStatus'"),
            "the end of the message shows:\n{text}"
        );
        insta::assert_snapshot!(format!("detail_event_{w}x{h}"), text);
    }
}

#[test]
fn an_alert_opens_with_timeline_and_runbook_steps_at_the_real_address() {
    let snap = alerts_snapshot();
    for (w, h) in SIZES {
        let ui = drive(&snap, w, h, "4\n");
        let text = render_text(&snap, &ui, w, h);
        assert!(text.contains("Alert C1"), "{text}");
        assert!(
            text.contains("127.0.0.1:7001") && !text.contains("localhost:5002"),
            "{text}"
        );
        insta::assert_snapshot!(format!("detail_alert_{w}x{h}"), text);
    }
    // ↓ picks the next command; y copies it whole, with the address.
    let mut ui = drive(&snap, 80, 24, "4\n↓");
    let e = on_key(
        &mut ui,
        KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE),
        &snap,
    );
    let Some(Effect::Copy(cmd)) = e else {
        panic!("y copies: {e:?}")
    };
    assert_eq!(
        cmd,
        "curl -s http://127.0.0.1:7001/api/health/alpaca | jq '.alpacaStatus | {connected, state, lastError, consecutiveFailures, nextRetryAt, stopped}'"
    );
    // The history names who did what: H3 acknowledged from the API.
    let mut ui = drive(&snap, 120, 40, "4");
    let h3 = super::lists::alerts(&snap, &ui)
        .iter()
        .position(|a| a.id == "H3")
        .unwrap();
    for _ in 0..h3 {
        on_key(
            &mut ui,
            KeyEvent::new(KeyCode::Down, KeyModifiers::NONE),
            &snap,
        );
    }
    on_key(
        &mut ui,
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
        &snap,
    );
    let text = render_text(&snap, &ui, 120, 40);
    assert!(
        text.contains("acknowledged") && text.contains("by api"),
        "{text}"
    );
    // a in the detail acknowledges the alert shown.
    let e = on_key(
        &mut ui,
        KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE),
        &snap,
    );
    assert!(
        matches!(e, Some(Effect::Send(crate::messages::Command::AckAlert { id, .. })) if id == "H3")
    );
}

#[test]
fn health_rows_open_the_same_way() {
    let snap = health_snapshot();
    // (keys, what the detail must say)
    let cases = [
        ("2\n", "Alpaca reconnected"),
        ("2→\n", "Circuit breaker yahoo_http"),
        (
            "2→↓↓\n",
            "curl -X POST http://127.0.0.1:7001/api/breakers/alpaca_rest/reset",
        ),
        ("2→↓↓↓\n", "Price breaker · TSLA"),
        ("2→→\n", "Validation rejection"),
    ];
    for (keys, want) in cases {
        let ui = drive(&snap, 120, 40, keys);
        assert!(
            matches!(ui.ix.overlays.last(), Some(Overlay::Detail(_))),
            "{keys}"
        );
        let text = render_text(&snap, &ui, 120, 40);
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(want), "{keys}: {want:?} missing\n{text}");
    }
    for (w, h) in SIZES {
        let ui = drive(&snap, w, h, "2\n");
        insta::assert_snapshot!(
            format!("detail_transition_{w}x{h}"),
            render_text(&snap, &ui, w, h)
        );
    }
}

#[test]
fn every_overlay_and_prompt_survives_every_size() {
    let snaps = [with_long_event(), alerts_snapshot(), health_snapshot()];
    for snap in &snaps {
        for keys in [
            "?",
            ":re",
            "/m",
            "→\n",
            "4\n",
            "2\n",
            "2→\n",
            "a",
            "?↓↓\u{1b}",
        ] {
            for (w, h) in [
                (1, 1),
                (10, 3),
                (20, 5),
                (40, 8),
                (60, 15),
                (80, 24),
                (200, 60),
            ] {
                let ui = drive(snap, w, h, keys);
                let _ = render_text(snap, &ui, w, h);
            }
        }
    }
}

/// The README's keys section is this test's output; regenerate it with
/// `TAPEWATCH_WRITE_README=1 cargo test --lib readme_keys`.
#[test]
fn readme_keys_section_matches_the_keymap() {
    const START: &str = "<!-- keys:start -->\n";
    const END: &str = "<!-- keys:end -->";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let (Some(a), Some(b)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md lacks the {START:?} … {END:?} markers");
    };
    let want = super::keymap_doc::markdown(&Keymap::default());
    let have = &readme[a + START.len()..b];
    if have != want {
        if std::env::var_os("TAPEWATCH_WRITE_README").is_some() {
            let updated = format!("{}{want}{}", &readme[..a + START.len()], &readme[b..]);
            std::fs::write(path, updated).unwrap();
            return;
        }
        panic!(
            "README.md's keys section differs from the keymap (src/outputs/ui/keymap.rs); \
             regenerate it: TAPEWATCH_WRITE_README=1 cargo test --lib readme_keys"
        );
    }
}
