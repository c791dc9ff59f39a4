//! The TUI shows what the engine decided about a key's command: a refusal's reason
//! lands in the status line, as the API would answer it.

use super::testutil::buffer_text;
use super::*;
use crate::app::pipeline::{self, Setup};
use crate::sources::fixture::reader::FixtureReader;
use crate::sources::fixture::replay::Speed;
use crate::sources::fixture::DEMO_FIXTURE;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use futures_util::StreamExt;
use ratatui::backend::TestBackend;

/// The last `n` rows of the screen: the status line.
fn bottom(text: &str, n: usize) -> String {
    let rows: Vec<&str> = text.lines().collect();
    rows[rows.len().saturating_sub(n)..].join("\n")
}

#[tokio::test]
async fn a_refused_reconnect_shows_the_engines_reason() {
    let reader = FixtureReader::from_static("demo", DEMO_FIXTURE).unwrap();
    let mut setup = Setup::new(Mode::Demo);
    setup.hold = true;
    let r = pipeline::start(reader, setup, Speed::Max).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
    let input = futures_util::stream::iter(vec![Ok(TermEvent::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::NONE,
    )))])
    .chain(futures_util::stream::pending())
    .boxed();
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let driver = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        stop.cancel();
    });
    let exit = event_loop(
        &mut terminal,
        input,
        r.snapshots.clone(),
        Theme::default(),
        &r.commands,
        &cancel,
        &UiOptions::default(),
        &mut super::testutil::Recorded::default(),
    )
    .await
    .unwrap();
    driver.await.unwrap();
    assert_eq!(exit, UiExit::Cancelled);
    let text = buffer_text(terminal.backend().buffer());
    let status = bottom(&text, 2);
    assert!(
        status.contains("refused") && status.contains("live stream"),
        "the status line says why:\n{text}"
    );
    r.cancel.cancel();
    let _ = r.engine.await;
    r.feed.join().await;
}
