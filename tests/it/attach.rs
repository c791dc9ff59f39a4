//! `tapewatch attach`: a headless demo engine served in this process, and a screen
//! attached to it over the socket, drawn on a TestBackend. The remote screen matches
//! the local one; a wrong token is refused (in process and by the binary, exit 2,
//! naming where the token came from); a killed server leaves the screen stale with
//! the link's age and the screen recovers when it is back on the same port; a
//! read-only screen sends nothing, and a read-write one forces a failover.

use crate::support::served::Server;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures_util::StreamExt;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tapewatch::app::attach::{attach, AttachError, AttachOptions, Attached};
use tapewatch::engine::snapshot::Snapshot;
use tapewatch::outputs::ui::{self, Page, Theme, UiExit, UiOptions, UiState};
use tapewatch::sources::alpaca::backoff::BackoffPolicy;
use tapewatch::sources::fixture::replay::Speed;
use tapewatch::sources::remote::{Target, Token};
use tokio_util::sync::CancellationToken;

const TOKEN: &str = "TWTOKEN-5b1e-right-DO-NOT-LEAK";
const WRONG: &str = "TWTOKEN-77aa-wrong-DO-NOT-LEAK";

fn token(secret: &str, from: &str) -> Option<Token> {
    Some(Token {
        secret: Arc::new(secrecy::SecretString::from(secret)),
        from: from.into(),
    })
}

/// Quick to notice a dead link and quick to retry, so the tests take seconds.
fn options(server: &Server, token: Option<Token>, read_only: bool) -> AttachOptions {
    let mut o = AttachOptions::new(Target::parse(&server.url()).unwrap(), token, read_only);
    o.policy = BackoffPolicy {
        base_delay_ms: 100,
        max_delay_ms: 400,
        ..BackoffPolicy::default()
    };
    o.ping_every = Duration::from_millis(100);
    o.dead_after = Duration::from_secs(1);
    o
}

struct Outside;

impl ui::Outside for Outside {
    fn bell(&mut self) {}
    fn copy(&mut self, _: &str) -> std::io::Result<()> {
        Ok(())
    }
    fn theme(&mut self, _: &str) -> Result<Theme, ui::ThemeError> {
        Ok(Theme::default())
    }
}

fn key(c: char) -> std::io::Result<Event> {
    Ok(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

/// The attached screen's loop on a `w`×`h` TestBackend: `keys` typed at once, stopped
/// when `until` finishes. Returns the last frame as text.
async fn screen(
    a: &Attached,
    read_only: bool,
    keys: &str,
    until: impl std::future::Future<Output = ()>,
) -> String {
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let input = futures_util::stream::iter(keys.chars().map(key).collect::<Vec<_>>())
        .chain(futures_util::stream::pending())
        .boxed();
    let opts = UiOptions {
        remote: Some(a.ui_options(read_only)),
        ..UiOptions::default()
    };
    let stop = CancellationToken::new();
    let stopper = stop.clone();
    let driver = async move {
        until.await;
        stopper.cancel();
    };
    let mut outside = Outside;
    let ui_loop = ui::event_loop(
        &mut terminal,
        input,
        a.snapshots.clone(),
        Theme::default(),
        &a.commands,
        &stop,
        &opts,
        &mut outside,
    );
    let (exit, ()) = tokio::join!(ui_loop, driver);
    assert_eq!(exit.unwrap(), UiExit::Cancelled);
    let buf = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            text.push_str(buf[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

/// Waits (at most `secs`) until `ok` holds for the attached snapshot.
async fn remote_until(a: &Attached, secs: u64, ok: impl Fn(&Snapshot) -> bool) -> Arc<Snapshot> {
    let mut rx = a.snapshots.clone();
    let snap = tokio::time::timeout(Duration::from_secs(secs), rx.wait_for(|s| ok(s)))
        .await
        .expect("the attached screen caught up")
        .unwrap()
        .clone();
    snap
}

fn render(snap: &Snapshot, page: Page) -> ratatui::buffer::Buffer {
    let ui = UiState {
        page,
        ..UiState::default()
    };
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    t.draw(|f| ui::draw(f, snap, &ui, &Theme::default()))
        .unwrap();
    t.backend().buffer().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_remote_screen_matches_the_local_one() {
    let server = Server::start("127.0.0.1:0", Some(TOKEN), Speed::Max).await;
    let local = server.at_its_end().await;
    let a = attach(&options(&server, token(TOKEN, "TAPEWATCH_TOKEN"), false))
        .await
        .unwrap();
    let remote = remote_until(&a, 10, |s| s.seq >= local.seq).await;
    let local = server.snapshots.borrow().clone();
    assert_eq!(remote.seq, local.seq, "a finished demo publishes no more");
    assert!(
        remote.watchlist.iter().all(|v| !v.bars.is_empty()),
        "charts travel"
    );
    for page in [Page::Market, Page::Health, Page::Positions, Page::Alerts] {
        assert_eq!(render(&remote, page), render(&local, page), "{page:?}");
    }
    let text = screen(
        &a,
        false,
        "",
        tokio::time::sleep(Duration::from_millis(600)),
    )
    .await;
    let header = text.lines().take(2).collect::<Vec<_>>().join("\n");
    assert!(
        header.contains("REMOTE") && header.contains("DEMO"),
        "{header}"
    );
    assert!(
        header.contains(&format!(" {} live", server.addr)),
        "{header}"
    );
    assert!(header.contains("rtt"), "{header}");
    a.stop().await;
    server.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_refused_naming_where_it_came_from() {
    let server = Server::start("127.0.0.1:0", Some(TOKEN), Speed::Max).await;
    let cases = [
        (
            token(WRONG, "--token-file /etc/tw.token"),
            "401: the server refused the token (--token-file /etc/tw.token)",
        ),
        (None, "401: the server needs a token"),
    ];
    for (t, want) in cases {
        match attach(&options(&server, t, false)).await {
            Err(e @ AttachError::Refused { .. }) => {
                let msg = e.to_string();
                assert!(msg.contains(want), "{msg}");
                assert!(!msg.contains(WRONG) && !msg.contains(TOKEN), "{msg}");
            }
            Err(other) => panic!("not a refusal: {other}"),
            Ok(_) => panic!("attached with a wrong token"),
        }
    }

    // The binary: exit 2 with the flag's path, no retry loop, no secret.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tw.token");
    std::fs::write(&file, format!("{WRONG}\n")).unwrap();
    let run = |args: Vec<String>, env: Option<&str>| {
        let mut cmd = crate::cli::tapewatch(dir.path());
        cmd.args(args).env_remove("TAPEWATCH_TOKEN");
        if let Some(t) = env {
            cmd.env("TAPEWATCH_TOKEN", t);
        }
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
    };
    let url = server.url();
    let wrong = run(
        vec![
            "attach".into(),
            url.clone(),
            "--token-file".into(),
            file.display().to_string(),
        ],
        Some(TOKEN),
    )
    .await
    .unwrap();
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert_eq!(wrong.status.code(), Some(2), "{err}");
    assert!(
        err.contains("401: the server refused the token (--token-file"),
        "{err}"
    );
    assert!(
        err.contains("tw.token") && !err.contains(WRONG) && !err.contains(TOKEN),
        "{err}"
    );

    let missing = run(
        vec![
            "attach".into(),
            url.clone(),
            "--token-file".into(),
            "/nonexistent/tw.token".into(),
        ],
        None,
    )
    .await
    .unwrap();
    let err = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(missing.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--token-file /nonexistent/tw.token: cannot read it"),
        "{err}"
    );

    // The right token from the environment gets past the server: what stops it then
    // is that the test's stdout is no terminal.
    let right = run(vec!["attach".into(), url], Some(TOKEN)).await.unwrap();
    let err = String::from_utf8_lossy(&right.stderr);
    assert_eq!(right.status.code(), Some(1), "{err}");
    assert!(err.contains("needs a terminal"), "{err}");
    server.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_shows_stale_then_recovers_on_the_same_port() {
    let server = Server::start("127.0.0.1:0", None, Speed::Max).await;
    let addr = server.addr;
    server.at_its_end().await;
    let a = attach(&options(&server, None, false)).await.unwrap();
    let mut status = a.status.clone();
    let down = async {
        server.kill().await;
        tokio::time::timeout(Duration::from_secs(5), status.wait_for(|s| !s.is_live()))
            .await
            .expect("the link notices the server is gone")
            .unwrap();
        // Long enough for the age to read in seconds.
        tokio::time::sleep(Duration::from_millis(2_300)).await;
    };
    let text = screen(&a, false, "", down).await;
    assert!(text.contains("STALE 2s"), "{text}");
    // The note column cuts it short at this width.
    assert!(text.contains("stale: last"), "{text}");
    assert!(text.contains(&format!("link to {addr} lost")), "{text}");
    assert!(
        text.contains("refused") || text.contains("closed"),
        "{text}"
    );

    let mut status = a.status.clone();
    let back = async {
        let server = Server::start(&addr.to_string(), None, Speed::Max).await;
        tokio::time::timeout(Duration::from_secs(10), status.wait_for(|s| s.is_live()))
            .await
            .expect("the link comes back")
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        server
    };
    let (text, server) = {
        let server_slot = std::sync::Mutex::new(None);
        let text = screen(&a, false, "", async {
            *server_slot.lock().unwrap() = Some(back.await);
        })
        .await;
        (text, server_slot.into_inner().unwrap().unwrap())
    };
    assert!(
        text.contains(&format!("reconnected to {addr} after")),
        "{text}"
    );
    assert!(
        !text.contains("STALE") && !text.contains("stale: last known"),
        "{text}"
    );
    assert_eq!(a.status.borrow().reconnects, 1);
    a.stop().await;
    server.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_sends_nothing_and_read_write_forces_a_failover() {
    let server = Server::start("127.0.0.1:0", Some(TOKEN), Speed::Max).await;
    server.at_its_end().await;
    let t = token(TOKEN, "TAPEWATCH_TOKEN");
    let a = attach(&options(&server, t.clone(), true)).await.unwrap();
    // f: failover, r: reconnect Alpaca, Space: pause the replay.
    let text = screen(
        &a,
        true,
        "fr ",
        tokio::time::sleep(Duration::from_millis(800)),
    )
    .await;
    assert_eq!(
        server.posts.load(Ordering::SeqCst),
        0,
        "read-only sent a POST"
    );
    assert!(text.contains("READ-ONLY"), "{text}");
    assert!(
        text.contains("read-only:") && text.contains("not sent"),
        "{text}"
    );
    a.stop().await;

    let a = attach(&options(&server, t, false)).await.unwrap();
    let mut snaps = server.snapshots.clone();
    let forced = async {
        tokio::time::timeout(
            Duration::from_secs(5),
            snaps.wait_for(|s| s.router.connection_state.as_str() == "MANUAL_FALLBACK"),
        )
        .await
        .expect("the failover reaches the remote engine")
        .unwrap();
        // The reply and the next frame reach the screen.
        tokio::time::sleep(Duration::from_millis(600)).await;
    };
    let text = screen(&a, false, "f", forced).await;
    assert_eq!(server.posts.load(Ordering::SeqCst), 1);
    assert!(text.contains("MANUAL_FALLBACK"), "{text}");
    assert!(text.contains(&server.addr.to_string()), "{text}");
    a.stop().await;
    server.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wss_to_a_plain_server_says_what_is_missing() {
    let server = Server::start("127.0.0.1:0", None, Speed::Max).await;
    let mut o = options(&server, None, false);
    o.target = Target::parse(&format!("wss://{}", server.addr)).unwrap();
    match attach(&o).await {
        Err(e @ AttachError::Failed { .. }) => {
            assert!(e.to_string().contains("over TLS"), "{e}");
            assert!(e.to_string().contains("https:// needs a TLS proxy"), "{e}");
        }
        Err(e) => panic!("not a connection failure: {e}"),
        Ok(_) => panic!("attached over TLS to a plain server"),
    }
    server.kill().await;
}
