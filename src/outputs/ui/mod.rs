//! The terminal UI shell: owns the terminal's lifecycle (raw mode, alternate screen,
//! mouse capture, restore on every exit path including panics) and the event loop that
//! redraws on new snapshots, input, resizes and a 1 s tick. Rendering lives in
//! [`view`] (page 1's watchlist in `watchlist` and `events_panel`, page 2 in `health`
//! and `panels`, overlays in `overlays`), keys in [`keymap`] → [`dispatch`] →
//! `perform`, the mouse in `mouse`, colours in [`theme`]. Attached to a remote
//! tapewatch (`tapewatch attach`), [`remote`] follows the link: the header's link row,
//! the notices, and the stale copy of the last snapshot while the link is down. The
//! terminal's raw mode and its restoration are `terminal`.

pub mod actions;
mod alerts;
mod alerts_slo;
mod bell;
mod chart;
mod chrome;
mod columns;
mod detail;
mod detail_docs;
pub mod dispatch;
mod events_panel;
mod filter;
pub mod format;
mod health;
mod help;
mod hits;
pub mod interact;
pub mod keymap;
pub mod keymap_doc;
mod keymap_table;
pub mod keyspec;
mod layout;
mod line_edit;
mod lists;
mod mouse;
mod nav;
mod outside;
mod overlays;
pub mod palette;
mod panels;
mod perform;
pub mod positions;
mod positions_charts;
mod prompt;
mod prompt_view;
pub mod remote;
mod screen_actions;
pub mod state;
mod statusline;
mod symbol_view;
mod terminal;
pub mod theme;
mod view;
mod watchlist;
mod wrap;

#[cfg(test)]
mod alerts_tests;
#[cfg(test)]
mod command_tests;
#[cfg(test)]
mod demo_tests;
#[cfg(test)]
mod demo_testutil;
#[cfg(test)]
mod health_tests;
#[cfg(test)]
mod interaction_loop_tests;
#[cfg(test)]
mod interaction_tests;
#[cfg(test)]
mod positions_tests;
#[cfg(test)]
mod remote_tests;
#[cfg(test)]
mod scenarios;
#[cfg(test)]
mod screen_keys_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;
#[cfg(test)]
mod theme_tests;

pub use bell::bell_due;
pub use dispatch::{on_key, Effect};
pub use keymap::{Keymap, KeymapError};
use outside::Term;
pub use outside::{Outside, UiOptions};
pub use state::{Page, UiState};
pub use theme::{Role, Theme, ThemeError};
pub use view::draw;

use crate::engine::snapshot::{Mode, Snapshot};
use crate::messages::command::CommandReply;
use crate::messages::Command;
use crate::messages::Request;
use anyhow::Context;
use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::stream::FuturesUnordered;
use futures_util::{Stream, StreamExt};
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::Terminal;
use std::io::{self, IsTerminal};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use terminal::{TerminalGuard, RESTORED_BY_PANIC};
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

/// Why [`run`] returned.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum UiExit {
    /// The operator pressed a quit key; `Command::Quit` was offered to the engine.
    Quit,
    /// The cancellation token fired (shutdown started elsewhere).
    Cancelled,
}

/// Redraw at least this often so the clock and ages move between snapshots.
const TICK: Duration = Duration::from_secs(1);

/// Runs the TUI on the process's terminal until the operator quits or `cancel` fires.
/// Commands are offered to the engine with `try_send`: the UI never waits on one. The
/// engine's answers arrive later, and a refusal's reason goes to the status line.
pub async fn run(
    snapshots: watch::Receiver<Arc<Snapshot>>,
    theme: Theme,
    commands: mpsc::Sender<Request>,
    cancel: CancellationToken,
    opts: UiOptions,
) -> anyhow::Result<UiExit> {
    if !io::stdout().is_terminal() {
        anyhow::bail!("the terminal UI needs a terminal, but stdout is not one");
    }
    let _guard = TerminalGuard::enter(opts.mouse).context("cannot set up the terminal")?;
    let mut terminal =
        Terminal::new(CrosstermBackend::new(io::stdout())).context("cannot open the terminal")?;
    let mut outside = Term {
        theme_dirs: opts.theme_dirs.clone(),
    };
    let exit = event_loop(
        &mut terminal,
        EventStream::new(),
        snapshots,
        theme,
        &commands,
        &cancel,
        &opts,
        &mut outside,
    )
    .await;
    drop(terminal);
    exit
}

/// The loop, generic over backend and input so tests drive it with a TestBackend
/// (the integration tests attach a screen to a served engine this way).
#[allow(clippy::too_many_arguments)]
pub async fn event_loop<B, S>(
    terminal: &mut Terminal<B>,
    mut input: S,
    mut snapshots: watch::Receiver<Arc<Snapshot>>,
    mut theme: Theme,
    commands: &mpsc::Sender<Request>,
    cancel: &CancellationToken,
    opts: &UiOptions,
    outside: &mut dyn Outside,
) -> anyhow::Result<UiExit>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    S: Stream<Item = io::Result<TermEvent>> + Unpin,
{
    let mut ui = UiState::default();
    ui.ix.keymap = Arc::new(opts.keymap.clone());
    ui.ix.api_base = opts.api_base.clone();
    let mut link = opts.remote.as_ref().map(remote::Link::new);
    let started = Instant::now();
    let mut snap = snapshots.borrow_and_update().clone();
    let mut received_at = Instant::now();
    // Critical alerts already rung for, and the render-latency stage: from a new
    // snapshot's arrival to the end of the frame that first shows it.
    let mut rung = Vec::new();
    if bell_due(&mut rung, &snap) {
        outside.bell();
    }
    let mut render = crate::domain::stats::window::WindowedLatency::new();
    let mut unrendered = Some(received_at);
    let mut engine_alive = true;
    // The engine's answers to commands sent and not yet answered.
    let mut replies = FuturesUnordered::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        let elapsed_ms = i64::try_from(received_at.elapsed().as_millis()).unwrap_or(i64::MAX);
        ui.display_now = display_now(snap.mode, snap.now, elapsed_ms);
        let shown = match link.as_mut() {
            Some(l) => {
                l.refresh(&mut ui, &snap, received_at);
                l.shown(&snap)
            }
            None => snap.clone(),
        };
        if RESTORED_BY_PANIC.swap(false, Ordering::SeqCst) {
            anyhow::bail!("a panic elsewhere in the program ended the terminal UI");
        }
        let mut area = ui.ix.area;
        terminal
            .draw(|f| {
                area = f.area();
                view::draw(f, &shown, &ui, &theme);
            })
            .context("cannot draw the screen")?;
        // Page-sized moves and the mouse work on what was last drawn.
        ui.ix.area = area;
        if let Some(since) = unrendered.take() {
            let us = u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX);
            let now = ui.now(&snap);
            render.record_n(now, us, 1);
            ui.render_latency_us = render.view(now).last_1m;
        }
        tokio::select! {
            biased;
            () = cancel.cancelled() => return Ok(UiExit::Cancelled),
            ev = input.next() => {
                let effect = match ev {
                    Some(Ok(TermEvent::Key(key))) => on_key(&mut ui, key, &snap),
                    Some(Ok(TermEvent::Mouse(m))) => {
                        let at_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                        mouse::on_mouse(&mut ui, m, &snap, at_ms)
                    }
                    // Resizes and anything else just redraw.
                    Some(Ok(_)) => None,
                    Some(Err(e)) => return Err(e).context("cannot read terminal input"),
                    None => anyhow::bail!("terminal input closed"),
                };
                match effect {
                    Some(Effect::Quit) => {
                        // A full or closed channel must not hold up quitting.
                        let _ = commands.try_send(Request::new(Command::Quit));
                        return Ok(UiExit::Quit);
                    }
                    Some(Effect::Send(cmd)) => {
                        let (req, answer) = Request::with_reply(cmd);
                        // Anything refused is said on screen, not dropped silently.
                        if commands.try_send(req).is_err() {
                            ui.notice = Some("engine busy: command refused, try again".into());
                        } else {
                            replies.push(answer);
                        }
                    }
                    Some(Effect::Copy(text)) => {
                        if let Err(e) = outside.copy(&text) {
                            ui.notice = Some(format!("cannot copy to the clipboard: {e}"));
                        }
                    }
                    Some(Effect::Theme(name)) => match outside.theme(&name) {
                        Ok(t) => {
                            theme = t;
                            ui.notice = Some(format!("theme {name}"));
                        }
                        Err(e) => ui.notice = Some(e.to_string()),
                    },
                    Some(Effect::Ui) | None => {}
                }
            },
            changed = snapshots.changed(), if engine_alive => match changed {
                Ok(()) => {
                    snap = snapshots.borrow_and_update().clone();
                    received_at = Instant::now();
                    if let Some(l) = link.as_mut() {
                        l.on_frame();
                    }
                    unrendered = Some(received_at);
                    if bell_due(&mut rung, &snap) {
                        outside.bell();
                    }
                }
                // The engine is gone; keep showing the last picture until told to stop.
                Err(_) => engine_alive = false,
            },
            Some(answer) = replies.next(), if !replies.is_empty() => {
                // The event log says what was done; a refusal's reason also goes where
                // the eye is after a key. A dropped answer means the engine is gone.
                // Attached, every answer is shown: it crossed the network.
                if let Ok(reply) = answer {
                    if link.is_some() {
                        ui.notice = Some(reply.message);
                    } else {
                        notice_refusal(&mut ui, &reply);
                    }
                }
            }
            () = async {
                match link.as_mut() {
                    Some(l) => l.changed().await,
                    None => std::future::pending().await,
                }
            } => {
                if let Some(l) = link.as_mut() {
                    l.on_status(&mut ui);
                }
            }
            _ = tick.tick() => {}
        }
    }
}

/// The time ages are measured against. Live, the engine clock is wall time, so it is
/// extrapolated: if the engine stops publishing, ages keep growing on screen instead
/// of freezing. A replay or the demo runs on the fixture's clock, which only the
/// engine moves (at the replay's speed, paused or finished): extrapolating it by
/// wall time would run ahead, then jump back at the next snapshot.
pub fn display_now(
    mode: Mode,
    snap_now: crate::domain::types::Ts,
    since_ms: i64,
) -> Option<crate::domain::types::Ts> {
    (mode == Mode::Live).then(|| snap_now.plus_millis(since_ms))
}

/// Shows why the engine refused a command (as the API's 404/409/503 would say).
fn notice_refusal(ui: &mut UiState, reply: &CommandReply) {
    if !reply.is_ok() {
        ui.notice = Some(reply.message.clone());
    }
}
