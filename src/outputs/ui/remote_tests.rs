//! A remote screen (`tapewatch attach`) against the local one: the demo's snapshots at
//! its three moments go through the stream's document (written whole, read back) and
//! every page draws the same buffer, styles included, at 80×24 and 120×40. Then the
//! header's link row in each state, and the shell's loop as the link drops and returns.

use super::demo_testutil::{moment, AFTER_MS, BEFORE_MS, DURING_MS};
use super::remote::{stale_copy, RemoteOptions, RemoteView};
use super::testutil::{buffer_text, render_buffer, render_text};
use super::*;
use crate::engine::doc::{Decoder, Encoder, Whole};
use crate::messages::remote::{RemoteState, RemoteStatus};
use futures_util::StreamExt;
use ratatui::backend::TestBackend;

/// The snapshot as `attach` holds it after the stream's first (whole) message.
pub(super) fn through_the_stream(snap: &Snapshot) -> Snapshot {
    let encoded = Encoder::default().next(Arc::new(snap.clone())).unwrap();
    let whole = Whole {
        main: &encoded.main,
        snap: &encoded.snap,
    };
    let text = serde_json::to_string(&whole).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    Decoder::default().decode(&doc, None).unwrap()
}

#[test]
fn the_remote_screen_matches_the_local_one() {
    let theme = Theme::embedded_default();
    for t_ms in [BEFORE_MS, DURING_MS, AFTER_MS] {
        let local = moment(t_ms);
        let remote = through_the_stream(&local);
        // Equal but for the recent prints, which the screen does not draw.
        let mut expected = local.clone();
        expected
            .watchlist
            .iter_mut()
            .for_each(|v| v.tape.recent.clear());
        assert_eq!(remote, expected, "at {t_ms} ms");
        assert!(remote.watchlist.iter().all(|v| !v.bars.is_empty()));
        for (page, ui) in super::demo_tests::pages(&local) {
            for (w, h) in [(80, 24), (120, 40)] {
                assert_eq!(
                    render_buffer(&remote, &ui, &theme, w, h),
                    render_buffer(&local, &ui, &theme, w, h),
                    "{page} at {w}x{h}, {t_ms} ms"
                );
            }
        }
    }
}

fn view(state: RemoteState, read_only: bool, rtt_ms: Option<u64>) -> RemoteView {
    RemoteView {
        status: RemoteStatus {
            host: "10.0.0.5:5002".into(),
            state,
            rtt_ms,
            last_error: Some("connection refused by 10.0.0.5:5002".into()),
            reconnects: 0,
        },
        read_only,
        stale_ms: None,
        retry_in_ms: None,
    }
}

/// The header's two rows in each state of the link, as the shell draws them (the
/// snapshot marked stale while the link is down).
#[test]
fn the_header_says_remote_with_the_links_state() {
    let snap = moment(BEFORE_MS);
    let live = view(RemoteState::Live, false, Some(3));
    let read_only = view(RemoteState::Live, true, Some(41));
    let mut down = view(
        RemoteState::Reconnecting {
            attempt: 2,
            retry_at: None,
        },
        false,
        Some(3),
    );
    down.stale_ms = Some(12_400);
    down.retry_in_ms = Some(2_100);
    let mut stopped = view(
        RemoteState::Stopped("401: the server refused the token (TAPEWATCH_TOKEN)".into()),
        true,
        None,
    );
    stopped.status.last_error = Some("401: the server refused the token (TAPEWATCH_TOKEN)".into());
    stopped.stale_ms = Some(75_000);
    for (name, r) in [
        ("live", live),
        ("read_only", read_only),
        ("reconnecting", down),
        ("stopped", stopped),
    ] {
        let shown = if r.status.is_live() {
            snap.clone()
        } else {
            stale_copy(&snap)
        };
        // The shell counts ages on from the last frame while the link is down.
        let display_now = r
            .stale_ms
            .map(|ms| snap.now.plus_millis(i64::try_from(ms).unwrap()));
        let ui = UiState {
            remote: Some(r),
            display_now,
            ..UiState::default()
        };
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(
                format!("remote_{name}_{w}x{h}"),
                render_text(&shown, &ui, w, h)
            );
        }
    }
}

type Script = Box<
    dyn FnOnce(
        watch::Sender<RemoteStatus>,
        watch::Sender<Arc<Snapshot>>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>,
>;

/// The shell's loop on an 80×24 TestBackend, attached, while `script` moves the link;
/// the screen when it ends.
async fn run_attached(initial: RemoteStatus, script: Script) -> String {
    let (snap_tx, snap_rx) = watch::channel(Arc::new(moment(BEFORE_MS)));
    let (status_tx, status_rx) = watch::channel(initial);
    let (cmd_tx, _cmd_rx) = mpsc::channel(4);
    let opts = UiOptions {
        remote: Some(RemoteOptions {
            status: status_rx,
            read_only: false,
        }),
        ..UiOptions::default()
    };
    let cancel = CancellationToken::new();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let stop = cancel.clone();
    let driver = async move {
        script(status_tx, snap_tx).await;
        stop.cancel();
    };
    let mut outside = super::testutil::Recorded::default();
    let ui_loop = event_loop(
        &mut terminal,
        futures_util::stream::pending().boxed(),
        snap_rx,
        Theme::default(),
        &cmd_tx,
        &cancel,
        &opts,
        &mut outside,
    );
    let (exit, ()) = tokio::join!(ui_loop, driver);
    assert_eq!(exit.unwrap(), UiExit::Cancelled);
    buffer_text(terminal.backend().buffer())
}

fn down(s: &mut RemoteStatus) {
    s.state = RemoteState::Reconnecting {
        attempt: 1,
        retry_at: None,
    };
    s.last_error = Some("the server closed the link".into());
}

/// The loop with a link that drops: the rows go stale, the age counts from the last
/// frame, and the status line says so; then with one that comes back.
#[tokio::test(start_paused = true)]
async fn a_dropped_link_shows_stale_then_says_it_is_back() {
    let text = run_attached(
        RemoteStatus::new("box:5002"),
        Box::new(|status, _snaps| {
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(500)).await;
                status.send_modify(down);
                tokio::time::sleep(Duration::from_millis(4_100)).await;
            })
        }),
    )
    .await;
    assert!(text.contains("STALE 4s"), "{text}");
    assert!(text.contains("stale: last known"), "{text}");
    assert!(
        text.contains("link to box:5002 lost: the server closed the link"),
        "{text}"
    );

    let mut was_down = RemoteStatus::new("box:5002");
    down(&mut was_down);
    let text = run_attached(
        was_down,
        Box::new(|status, snaps| {
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(3_000)).await;
                status.send_modify(|s| s.state = RemoteState::Live);
                snaps.send_replace(Arc::new(moment(BEFORE_MS)));
                tokio::time::sleep(Duration::from_millis(200)).await;
            })
        }),
    )
    .await;
    assert!(text.contains("reconnected to box:5002 after 3s"), "{text}");
    assert!(!text.contains("stale: last known"), "{text}");
    assert!(!text.contains("STALE"), "{text}");
}
