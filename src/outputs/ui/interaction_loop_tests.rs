//! Keys and mouse events through the terminal's own event loop on a TestBackend: the
//! clipboard gets the runbook command (OSC 52 in the real terminal), `:theme` switches
//! the theme at run time, a click on a tab shows the page, and `:speed` reaches the
//! engine, whose refusal shows in the status line.

use super::alerts_tests::alerts_snapshot;
use super::testutil::{buffer_text, Recorded};
use super::*;
use crate::app::pipeline::{self, Setup};
use crate::sources::fixture::reader::FixtureReader;
use crate::sources::fixture::replay::Speed;
use crate::sources::fixture::DEMO_FIXTURE;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use futures_util::StreamExt;
use ratatui::backend::TestBackend;

fn keys(text: &str) -> Vec<io::Result<TermEvent>> {
    text.chars()
        .map(|c| {
            let code = match c {
                '\n' => KeyCode::Enter,
                c => KeyCode::Char(c),
            };
            Ok(TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE)))
        })
        .collect()
}

fn click(x: u16, y: u16) -> io::Result<TermEvent> {
    Ok(TermEvent::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    }))
}

/// Runs the loop over `events` (then waits) for a while of paused time.
async fn run_loop(
    snap: Snapshot,
    events: Vec<io::Result<TermEvent>>,
    outside: &mut Recorded,
) -> (String, Vec<Request>) {
    let (tx, rx) = watch::channel(Arc::new(snap));
    let (cmd_tx, mut cmd_rx) = mpsc::channel(16);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let driver = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        stop.cancel();
    });
    let input = futures_util::stream::iter(events)
        .chain(futures_util::stream::pending())
        .boxed();
    let opts = UiOptions {
        api_base: "http://127.0.0.1:7001".into(),
        ..UiOptions::default()
    };
    let exit = event_loop(
        &mut terminal,
        input,
        rx,
        Theme::default(),
        &cmd_tx,
        &cancel,
        &opts,
        outside,
    )
    .await
    .unwrap();
    driver.await.unwrap();
    drop(tx);
    assert_eq!(exit, UiExit::Cancelled);
    let mut sent = Vec::new();
    while let Ok(r) = cmd_rx.try_recv() {
        sent.push(r);
    }
    (buffer_text(terminal.backend().buffer()), sent)
}

#[tokio::test(start_paused = true)]
async fn y_copies_the_runbook_command_and_theme_switches() {
    let mut outside = Recorded::default();
    let mut events = keys("4\ny");
    events.extend(keys(":theme light\n"));
    let (text, sent) = run_loop(alerts_snapshot(), events, &mut outside).await;
    assert_eq!(outside.copied.len(), 1);
    assert!(
        outside.copied[0].starts_with("curl -s http://127.0.0.1:7001/api/health/stocks"),
        "{:?}",
        outside.copied
    );
    assert_eq!(outside.themes, ["light"]);
    assert!(text.contains("theme light"), "{text}");
    assert!(sent.is_empty(), "nothing for the engine");
    // A theme that does not exist says where it looked.
    let mut outside = Recorded::default();
    let (text, _) = run_loop(alerts_snapshot(), keys(":theme nosuch\n"), &mut outside).await;
    assert!(text.contains("theme \"nosuch\" not found"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn a_click_on_a_tab_and_keys_share_one_dispatch() {
    let snap = alerts_snapshot();
    // Find the "4" tab on the Market page's watchlist border.
    let ui = UiState::default();
    let first = testutil::render_text(&snap, &ui, 80, 24);
    let (y, line) = first
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("│ 4 "))
        .unwrap();
    let x = line[..line.find("│ 4 ").unwrap()].chars().count() as u16 + 2;
    let mut events = vec![click(x, y as u16)];
    events.extend(keys("a"));
    let mut outside = Recorded::default();
    let (text, sent) = run_loop(snap, events, &mut outside).await;
    assert!(
        text.contains("4 Alerts"),
        "the Alerts tab is current:\n{text}"
    );
    assert!(
        matches!(
            sent.as_slice(),
            [Request {
                command: Command::AckAlert { .. },
                ..
            }]
        ),
        "a acknowledges on the Alerts page: {sent:?}"
    );
}

#[tokio::test]
async fn speed_reaches_the_engine_and_its_answer_shows() {
    let reader = FixtureReader::from_static("demo", DEMO_FIXTURE).unwrap();
    let mut setup = Setup::new(Mode::Demo);
    setup.hold = true;
    let r = pipeline::start(reader, setup, Speed::Max).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
    let input = futures_util::stream::iter(keys(":speed 10\n"))
        .chain(futures_util::stream::pending())
        .boxed();
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let driver = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        stop.cancel();
    });
    event_loop(
        &mut terminal,
        input,
        r.snapshots.clone(),
        Theme::default(),
        &r.commands,
        &cancel,
        &UiOptions::default(),
        &mut Recorded::default(),
    )
    .await
    .unwrap();
    driver.await.unwrap();
    let text = buffer_text(terminal.backend().buffer());
    assert!(
        text.contains("Replay speed max → 10"),
        "the event log says what was done:\n{text}"
    );
    r.cancel.cancel();
    let _ = r.engine.await;
    r.feed.join().await;
}
