//! The screen attached to a remote tapewatch (`tapewatch attach`): the header's
//! second row (where, the link's state and round trip, READ-ONLY), the notices when
//! the link drops and comes back, and the stale marking of the last snapshot while
//! it is down, so no price looks fresh. The link itself is `sources::remote`; this
//! only reads its status.

use super::format;
use super::state::UiState;
use super::theme::{Role, Theme};
use crate::engine::snapshot::Snapshot;
use crate::messages::remote::{RemoteState, RemoteStatus};
use ratatui::text::{Line, Span};
use std::sync::Arc;
use tokio::sync::watch;
use tokio::time::Instant;

/// What the screen is started with in attach mode.
#[derive(Clone, Debug)]
pub struct RemoteOptions {
    pub status: watch::Receiver<RemoteStatus>,
    /// `--read-only`: the header says so (the command forwarder refuses everything).
    pub read_only: bool,
}

/// The link as drawn: its status and what the shell measured for it.
#[derive(Clone, Debug, PartialEq)]
pub struct RemoteView {
    pub status: RemoteStatus,
    pub read_only: bool,
    /// While the link is down: how long ago the last frame arrived.
    pub stale_ms: Option<u64>,
    /// While waiting to reconnect: how long until the next attempt.
    pub retry_in_ms: Option<u64>,
}

/// The last snapshot as shown while the link is down: every price marked stale,
/// whatever the remote engine last thought of it.
pub fn stale_copy(snap: &Snapshot) -> Snapshot {
    let mut s = snap.clone();
    for v in &mut s.watchlist {
        v.stale = true;
    }
    s
}

fn ms(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The shell's side of the link: follows its status, says when it drops and comes
/// back, and keeps the stale copy of the snapshot while it is down.
pub(super) struct Link {
    rx: watch::Receiver<RemoteStatus>,
    read_only: bool,
    down_since: Option<Instant>,
    stale: Option<Arc<Snapshot>>,
}

impl Link {
    pub(super) fn new(opts: &RemoteOptions) -> Link {
        let live = opts.status.borrow().is_live();
        Link {
            rx: opts.status.clone(),
            read_only: opts.read_only,
            down_since: (!live).then(Instant::now),
            stale: None,
        }
    }

    /// Waits for the link's next change; never, once the link task is gone.
    pub(super) async fn changed(&mut self) {
        if self.rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// A new status: a drop or a return is said in the status line.
    pub(super) fn on_status(&mut self, ui: &mut UiState) {
        let status = self.rx.borrow_and_update().clone();
        let host = &status.host;
        match (&status.state, self.down_since) {
            (RemoteState::Live, Some(since)) => {
                ui.notice = Some(format!(
                    "reconnected to {host} after {}; the screen is live again",
                    format::duration(i64::try_from(ms(since.elapsed())).unwrap_or(i64::MAX))
                ));
                self.down_since = None;
                self.stale = None;
            }
            (RemoteState::Live, None) => {}
            (down, None) => {
                let why = status.last_error.as_deref().unwrap_or("link lost");
                let next = match down {
                    RemoteState::Stopped(_) => "stopped",
                    _ => "reconnecting",
                };
                ui.notice = Some(format!(
                    "link to {host} lost: {why}; showing the last snapshot, stale; {next}"
                ));
                self.down_since = Some(Instant::now());
            }
            (_, Some(_)) => {}
        }
    }

    /// A new frame arrived: any stale copy is of an older one.
    pub(super) fn on_frame(&mut self) {
        self.stale = None;
    }

    /// Fills in what the header needs to draw the link, measured now. While the link
    /// is down, ages count on from the last frame's time by the wall clock, whatever
    /// clock the remote runs on: a stale price must not keep a young age.
    pub(super) fn refresh(&self, ui: &mut UiState, snap: &Snapshot, frame_received_at: Instant) {
        let status = self.rx.borrow().clone();
        let live = status.is_live();
        if !live {
            let since = i64::try_from(ms(frame_received_at.elapsed())).unwrap_or(i64::MAX);
            ui.display_now = Some(snap.now.plus_millis(since));
        }
        let retry_in_ms = match &status.state {
            RemoteState::Reconnecting {
                retry_at: Some(at), ..
            } => Some(ms(at.saturating_duration_since(std::time::Instant::now()))),
            _ => None,
        };
        ui.remote = Some(RemoteView {
            status,
            read_only: self.read_only,
            stale_ms: (!live).then(|| ms(frame_received_at.elapsed())),
            retry_in_ms,
        });
    }

    /// The snapshot to draw: the latest, or while the link is down its stale copy.
    pub(super) fn shown(&mut self, snap: &Arc<Snapshot>) -> Arc<Snapshot> {
        if self.rx.borrow().is_live() {
            return snap.clone();
        }
        self.stale
            .get_or_insert_with(|| Arc::new(stale_copy(snap)))
            .clone()
    }
}

/// The header's second row in attach mode: where, READ-ONLY, and the link: live with
/// its round trip, or STALE with the last frame's age, what happens next and why.
/// The parts that must survive a narrow screen come first.
pub(super) fn remote_line<'a>(r: &RemoteView, theme: &Theme) -> Line<'a> {
    let muted = theme.style(Role::Muted);
    let mut spans = vec![Span::styled(
        format!(" {} ", r.status.host),
        theme.style(Role::Text),
    )];
    if r.read_only {
        spans.push(Span::styled("READ-ONLY ", theme.style(Role::Warn)));
    }
    let age = |ms: Option<u64>| format::age(i64::try_from(ms.unwrap_or(0)).unwrap_or(i64::MAX));
    let next = match &r.status.state {
        RemoteState::Live => {
            spans.push(Span::styled("live", theme.style(Role::Ok)));
            match r.status.rtt_ms {
                Some(0) => spans.push(Span::styled(" · rtt <1 ms", muted)),
                Some(rtt) => spans.push(Span::styled(format!(" · rtt {rtt} ms"), muted)),
                None => {}
            }
            return Line::from(spans);
        }
        RemoteState::Stopped(_) => "stopped".to_string(),
        RemoteState::Reconnecting { attempt, .. } => match r.retry_in_ms {
            Some(ms) => format!(
                "retry in {} (attempt {attempt})",
                format::countdown(i64::try_from(ms).unwrap_or(i64::MAX))
            ),
            None => format!("reconnecting (attempt {attempt})"),
        },
    };
    spans.push(Span::styled(
        format!(" STALE {} ", age(r.stale_ms)),
        theme.style(Role::BadgeNoData),
    ));
    spans.push(Span::styled(format!(" {next}"), theme.style(Role::Error)));
    let why = r.status.last_error.as_deref().unwrap_or("link lost");
    spans.push(Span::styled(format!(" · {why}"), muted));
    Line::from(spans)
}
