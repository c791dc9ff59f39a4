//! Tests for the rendered screen (insta text snapshots, styles, tiny sizes) and for the
//! event loop driven through a TestBackend with scripted input.

use super::interact::Overlay;
use super::testutil::{
    buffer_text, render_buffer, render_text, sample_now, sample_snapshot, Recorded,
};
use super::*;
use crate::engine::snapshot::ReplayView;
use crate::messages::LinkState;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::style::Color;

#[test]
fn demo_80x24() {
    let ui = UiState {
        selected: 2,
        ..UiState::default()
    };
    insta::assert_snapshot!(render_text(&sample_snapshot(), &ui, 80, 24));
}

#[test]
fn demo_160x48() {
    let ui = UiState {
        selected: 5,
        ..UiState::default()
    };
    insta::assert_snapshot!(render_text(&sample_snapshot(), &ui, 160, 48));
}

#[test]
fn empty_watchlist_80x24() {
    let mut snap = sample_snapshot();
    snap.watchlist.clear();
    snap.events.clear();
    snap.channels.clear();
    insta::assert_snapshot!(render_text(&snap, &UiState::default(), 80, 24));
}

#[test]
fn live_disconnected_with_error_80x24() {
    let mut snap = sample_snapshot();
    snap.mode = Mode::Live;
    snap.alpaca.state = LinkState::Disconnected;
    snap.alpaca.last_error = Some("connection closed".to_string());
    snap.alpaca.reconnect_attempts = 2;
    snap.alpaca.consecutive_failures = 3;
    snap.alpaca.next_retry_at = Some(snap.now.plus_millis(11_200));
    insta::assert_snapshot!(render_text(&snap, &UiState::default(), 80, 24));
}

#[test]
fn live_fatal_stop_says_how_to_leave_it() {
    let mut snap = sample_snapshot();
    snap.mode = Mode::Live;
    snap.alpaca.state = LinkState::Disconnected;
    snap.alpaca.last_error = Some("402 auth failed".to_string());
    snap.alpaca.fatal = Some("402 auth failed".to_string());
    let text = render_text(&snap, &UiState::default(), 100, 24);
    assert!(
        text.contains("402 auth failed · stopped: press r to reconnect"),
        "{text}"
    );
}

#[test]
fn replay_header_and_help_overlay_80x24() {
    let mut snap = sample_snapshot();
    snap.mode = Mode::Replay;
    snap.replay = Some(ReplayView {
        name: "open-2024-03-15".to_string(),
        position_ms: 83_450,
        span_ms: None,
        speed: "10x".to_string(),
        paused: false,
        finished: false,
    });
    let mut ui = UiState::default();
    ui.ix.overlays.push(Overlay::Help { scroll: 0 });
    insta::assert_snapshot!(render_text(&snap, &ui, 80, 24));
}

#[test]
fn tiny_and_odd_sizes_do_not_panic() {
    let full = sample_snapshot();
    let mut empty = sample_snapshot();
    empty.watchlist.clear();
    empty.events.clear();
    let mut erroring = sample_snapshot();
    erroring.alpaca.state = LinkState::Stalled;
    erroring.alpaca.last_error = Some("x".repeat(500));
    let sizes = [
        (1, 1),
        (10, 3),
        (3, 10),
        (20, 5),
        (40, 8),
        (80, 6),
        (80, 12),
        (200, 2),
    ];
    let health = super::scenarios::health_snapshot();
    let nothing = super::scenarios::both_unavailable_snapshot();
    for snap in [&full, &empty, &erroring, &health, &nothing] {
        for (w, h) in sizes
            .into_iter()
            .chain([(79, 23), (119, 30), (120, 12), (160, 48)])
        {
            for show_help in [false, true] {
                for page in Page::ALL {
                    let mut ui = UiState {
                        selected: 99,
                        page,
                        ..UiState::default()
                    };
                    if show_help {
                        ui.ix.overlays.push(Overlay::Help { scroll: 400 });
                    }
                    let _ = render_text(snap, &ui, w, h);
                }
            }
        }
    }
}

/// Finds the first cell whose row text contains `needle` and returns that cell's position.
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
fn colours_follow_the_theme() {
    let theme = Theme::embedded_default();
    let ui = UiState {
        selected: 1, // MSFT
        ..UiState::default()
    };
    let buf = render_buffer(&sample_snapshot(), &ui, &theme, 80, 24);
    let fg = |needle: &str| buf[find(&buf, needle)].fg;
    assert_eq!(buf[find(&buf, "DEMO")].bg, Color::Yellow, "demo badge");
    assert_eq!(fg("SUBSCRIBED"), Color::Green, "link ok");
    assert_eq!(fg("+1.28"), Color::LightGreen, "AAPL up");
    assert_eq!(fg("-4.75"), Color::LightRed, "MSFT down");
    assert_eq!(fg("12s"), Color::Yellow, "AMZN age warn");
    assert_eq!(fg("3m"), Color::Red, "META age stale");
    assert_eq!(fg("850ms"), Color::Reset, "AAPL age fresh");
    let (_, msft_row) = find(&buf, "MSFT");
    let (x, _) = find(&buf, "416.42");
    assert_eq!(
        buf[(x, msft_row)].bg,
        Color::Rgb(0x2e, 0x3f, 0x55),
        "selection"
    );
}

#[test]
fn disconnected_link_is_painted_as_an_error() {
    let mut snap = sample_snapshot();
    snap.mode = Mode::Live;
    snap.alpaca.state = LinkState::Disconnected;
    let buf = render_buffer(
        &snap,
        &UiState::default(),
        &Theme::embedded_default(),
        80,
        24,
    );
    assert_eq!(buf[find(&buf, "DISCONNECTED")].fg, Color::LightRed);
    assert_eq!(buf[find(&buf, "LIVE")].bg, Color::Green);
}

#[test]
fn display_now_overrides_the_engine_clock() {
    let ui = UiState {
        display_now: Some(sample_now().plus_millis(120_000)),
        ..UiState::default()
    };
    let text = render_text(&sample_snapshot(), &ui, 80, 24);
    assert!(text.contains("10:06:31 ET"), "{text}");
    assert!(text.contains("2m"), "AAPL aged by the override:\n{text}");
}

// --- event loop ---------------------------------------------------------------

type Input = futures_util::stream::BoxStream<'static, io::Result<TermEvent>>;

fn keys_then_wait(codes: Vec<KeyCode>) -> Input {
    let events = codes
        .into_iter()
        .map(|c| Ok(TermEvent::Key(KeyEvent::new(c, KeyModifiers::NONE))));
    futures_util::stream::iter(events)
        .chain(futures_util::stream::pending())
        .boxed()
}

struct Harness {
    terminal: Terminal<TestBackend>,
    tx: watch::Sender<Arc<Snapshot>>,
    cmd_tx: mpsc::Sender<Request>,
    cmd_rx: mpsc::Receiver<Request>,
    cancel: CancellationToken,
}

fn harness(cmd_capacity: usize) -> Harness {
    let (tx, _) = watch::channel(Arc::new(sample_snapshot()));
    let (cmd_tx, cmd_rx) = mpsc::channel(cmd_capacity);
    Harness {
        terminal: Terminal::new(TestBackend::new(80, 24)).unwrap(),
        tx,
        cmd_tx,
        cmd_rx,
        cancel: CancellationToken::new(),
    }
}

#[tokio::test]
async fn quit_key_sends_quit_and_returns() {
    let mut h = harness(4);
    let input = keys_then_wait(vec![KeyCode::Down, KeyCode::Char('q')]);
    let exit = event_loop(
        &mut h.terminal,
        input,
        h.tx.subscribe(),
        Theme::default(),
        &h.cmd_tx,
        &h.cancel,
        &UiOptions::default(),
        &mut Recorded::default(),
    )
    .await
    .unwrap();
    assert_eq!(exit, UiExit::Quit);
    assert!(matches!(
        h.cmd_rx.try_recv(),
        Ok(Request {
            command: Command::Quit,
            reply: None
        })
    ));
}

#[tokio::test]
async fn quit_with_a_full_command_channel_still_quits() {
    let mut h = harness(1);
    h.cmd_tx.try_send(Request::new(Command::Quit)).unwrap(); // fill it
    let input = keys_then_wait(vec![KeyCode::Char('q')]);
    let exit = event_loop(
        &mut h.terminal,
        input,
        h.tx.subscribe(),
        Theme::default(),
        &h.cmd_tx,
        &h.cancel,
        &UiOptions::default(),
        &mut Recorded::default(),
    )
    .await
    .unwrap();
    assert_eq!(exit, UiExit::Quit);
}

#[tokio::test(start_paused = true)]
async fn redraws_on_new_snapshot_and_stops_on_cancel() {
    let mut h = harness(4);
    let rx = h.tx.subscribe();
    let tx = h.tx.clone();
    let cancel = h.cancel.clone();
    let driver = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut next = sample_snapshot();
        next.watchlist[0].price = Some("199.99".parse().unwrap());
        tx.send(Arc::new(next)).unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        cancel.cancel();
    });
    let exit = event_loop(
        &mut h.terminal,
        keys_then_wait(Vec::new()),
        rx,
        Theme::default(),
        &h.cmd_tx,
        &h.cancel,
        &UiOptions::default(),
        &mut Recorded::default(),
    )
    .await
    .unwrap();
    driver.await.unwrap();
    assert_eq!(exit, UiExit::Cancelled);
    let text = buffer_text(h.terminal.backend().buffer());
    assert!(text.contains("199.99"), "new snapshot drawn:\n{text}");
    assert!(h.cmd_rx.try_recv().is_err(), "cancel sends no command");
}

#[tokio::test(start_paused = true)]
async fn engine_gone_keeps_last_picture_and_ages_keep_growing() {
    let mut h = harness(4);
    let (tx, rx) = watch::channel(Arc::new(sample_snapshot()));
    drop(tx); // the engine is gone before the UI even starts
    let cancel = h.cancel.clone();
    let driver = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(130)).await;
        cancel.cancel();
    });
    let exit = event_loop(
        &mut h.terminal,
        keys_then_wait(Vec::new()),
        rx,
        Theme::default(),
        &h.cmd_tx,
        &h.cancel,
        &UiOptions::default(),
        &mut Recorded::default(),
    )
    .await
    .unwrap();
    driver.await.unwrap();
    assert_eq!(exit, UiExit::Cancelled);
    let text = buffer_text(h.terminal.backend().buffer());
    // AAPL was 850ms old; after ~130 s of silence it must read minutes, not milliseconds.
    assert!(text.contains("AAPL") && text.contains("2m"), "{text}");
}

#[tokio::test]
async fn input_errors_are_reported() {
    let mut h = harness(4);
    let input: Input = futures_util::stream::iter(vec![Err(io::Error::other("tty gone"))])
        .chain(futures_util::stream::pending())
        .boxed();
    let err = event_loop(
        &mut h.terminal,
        input,
        h.tx.subscribe(),
        Theme::default(),
        &h.cmd_tx,
        &h.cancel,
        &UiOptions::default(),
        &mut Recorded::default(),
    )
    .await
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("cannot read terminal input"),
        "{err:#}"
    );
}

#[tokio::test(start_paused = true)]
async fn tab_shows_the_health_page_and_f_asks_for_a_failover() {
    let mut h = harness(4);
    let cancel = h.cancel.clone();
    let driver = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        cancel.cancel();
    });
    let input = keys_then_wait(vec![KeyCode::Tab, KeyCode::Char('f')]);
    let exit = event_loop(
        &mut h.terminal,
        input,
        h.tx.subscribe(),
        Theme::default(),
        &h.cmd_tx,
        &h.cancel,
        &UiOptions::default(),
        &mut Recorded::default(),
    )
    .await
    .unwrap();
    driver.await.unwrap();
    assert_eq!(exit, UiExit::Cancelled);
    assert!(matches!(
        h.cmd_rx.try_recv(),
        Ok(Request {
            command: Command::Failover(crate::messages::command::FailoverAction::Toggle),
            reply: Some(_)
        })
    ));
    let text = buffer_text(h.terminal.backend().buffer());
    assert!(
        text.contains("Router") && text.contains("Circuit breakers"),
        "{text}"
    );
}
