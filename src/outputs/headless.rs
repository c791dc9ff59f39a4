//! Headless output and ending: one JSON object per line on stdout. Events print as
//! `{"event":{…}}` while the engine runs; a run ends with `{"summary":{…}}`. Also
//! what may end a headless run besides the engine: SIGINT/SIGTERM ([`Signals`]) and
//! a reader that goes away (the printer reports a closed stdout).
//!
//! # Decisions
//! * **A closed stdout** (`tapewatch --no-ui | head`) ends the run quietly, exit 0,
//!   as Unix filters do: the reader has what it wanted. Only a broken pipe counts;
//!   other write errors (a full disk) are failures and are reported.
//! * **Signals**: a replay stopped by SIGINT/SIGTERM prints its summary marked
//!   `"partial": true` and exits 128 + the signal number (130, 143), as a shell
//!   reports an interrupted command. A live run (or a `--hold` replay that has
//!   finished) has nothing left undone: a signal is its normal end, so it prints a
//!   final summary and exits 0 (a service manager's stop is not a failure).

use crate::domain::event::Event;
use crate::domain::stats::LatencyView;
use crate::engine::snapshot::Snapshot;
use crate::plumbing::channels::Meters;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[derive(Serialize)]
struct EventLine<'a> {
    event: &'a Event,
}

/// Prints events as they come until the channel closes. Runs on its own thread
/// because stdout is blocking; flushes whenever it has caught up. When the reader
/// has gone away (a broken pipe) it cancels `stdout_closed`, which ends the run.
pub fn spawn_printer(
    mut rx: mpsc::Receiver<Event>,
    stdout_closed: CancellationToken,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("tapewatch-stdout".into())
        .spawn(move || {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let mut written = Ok(());
            while let Some(ev) = rx.blocking_recv() {
                written = write_line(&mut out, &EventLine { event: &ev });
                if written.is_ok() && rx.is_empty() {
                    written = out.flush();
                }
                if written.is_err() {
                    break;
                }
            }
            if written.is_ok() {
                written = out.flush();
            }
            match written {
                Ok(()) => {}
                Err(e) if is_closed(&e) => stdout_closed.cancel(),
                // Nothing left to print to; the summary's own write reports it.
                Err(e) => tracing::warn!("stdout: {e}; events are no longer printed"),
            }
        })
}

/// The reader of stdout has gone away: not a failure, the end of the run.
pub fn is_closed(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}

pub fn write_line<W: Write, T: Serialize>(out: &mut W, value: &T) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

#[derive(Debug, Serialize, PartialEq)]
pub struct Summary {
    pub fixture: Option<String>,
    pub frames: u64,
    pub messages: u64,
    pub by_type: BTreeMap<String, u64>,
    pub parse_errors: u64,
    pub unknown_types: u64,
    pub yahoo_responses: u64,
    pub faults: u64,
    pub fixture_errors: u64,
    pub elapsed_ms: u64,
    pub msgs_per_sec: f64,
    /// Receipt to visible in a published snapshot.
    pub latency_us: LatencyView,
    /// Receipt to applied to state.
    pub apply_latency_us: LatencyView,
    /// Events lost to full channels: by channel name.
    pub dropped_events: BTreeMap<&'static str, u64>,
    /// A replay stopped (by a signal) before its end; false for a live run.
    pub partial: bool,
}

#[derive(Serialize)]
struct SummaryLine<'a> {
    summary: &'a Summary,
}

pub fn summary_of(snap: &Snapshot, meters: &Meters) -> Summary {
    let c = &snap.counters;
    Summary {
        fixture: snap.replay.as_ref().map(|r| r.name.clone()),
        frames: c.frames,
        messages: c.messages,
        by_type: c.by_type.clone(),
        parse_errors: c.parse_errors,
        unknown_types: c.unknown_types,
        yahoo_responses: c.yahoo_responses,
        faults: c.faults,
        fixture_errors: c.fixture_errors,
        elapsed_ms: snap.perf.elapsed_ms,
        msgs_per_sec: (snap.perf.msgs_per_sec * 10.0).round() / 10.0,
        latency_us: snap.perf.latency_us.clone(),
        apply_latency_us: snap.perf.apply_latency_us.clone(),
        dropped_events: [
            ("store", meters.store.dropped()),
            ("stdout", meters.stdout.dropped()),
        ]
        .into_iter()
        .collect(),
        partial: snap.replay.as_ref().is_some_and(|r| !r.finished),
    }
}

pub fn print_summary(summary: &Summary) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    write_line(&mut out, &SummaryLine { summary })?;
    out.flush()
}

/// Prints the listening line; a reader that is already gone cancels `stdout_closed`.
pub fn announce(
    addr: std::net::SocketAddr,
    stdout_closed: &CancellationToken,
) -> std::io::Result<()> {
    match print_listening(addr) {
        Err(e) if is_closed(&e) => {
            stdout_closed.cancel();
            Ok(())
        }
        other => other,
    }
}

/// The line that tells scripts where the API listens (useful with `--listen 127.0.0.1:0`).
pub fn print_listening(addr: std::net::SocketAddr) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    write_line(
        &mut out,
        &serde_json::json!({ "listening": addr.to_string() }),
    )?;
    out.flush()
}

/// What ended a headless run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The engine stopped by itself: the replay ended, or it was told to quit.
    Engine {
        replay_ended: bool,
    },
    Signal(Signal),
    /// The reader of stdout went away.
    StdoutClosed,
}

/// Prints the summary the run's end calls for and returns the exit code (see the
/// module's decisions). A reader that went away gets nothing and exit 0.
pub fn finish(end: End, hold: bool, last: &Snapshot, meters: &Meters) -> std::io::Result<u8> {
    let wants_summary = match end {
        End::StdoutClosed => false,
        End::Signal(_) => true,
        End::Engine { replay_ended } => replay_ended || hold,
    };
    if !wants_summary {
        return Ok(0);
    }
    let summary = summary_of(last, meters);
    match print_summary(&summary) {
        Ok(()) => {}
        Err(e) if is_closed(&e) => return Ok(0),
        Err(e) => return Err(e),
    }
    Ok(match end {
        End::Signal(sig) if summary.partial => sig.exit_code(),
        _ => 0,
    })
}

/// A signal that ends a headless run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    /// 128 + the signal number: how a shell reports a command the signal ended.
    pub const fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

/// SIGINT and SIGTERM, caught from the moment [`Signals::install`] returns, so a
/// signal sent as soon as the `listening` line is out is handled, not fatal.
pub struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

/// The next signal, or never without handlers.
pub async fn next_signal(signals: Option<&mut Signals>) -> Signal {
    match signals {
        Some(s) => s.recv().await,
        None => std::future::pending().await,
    }
}

impl Signals {
    /// Needs a tokio runtime.
    pub fn install() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Signals {})
        }
    }

    /// The next signal. Never returns if the handlers are gone.
    pub async fn recv(&mut self) -> Signal {
        #[cfg(unix)]
        {
            tokio::select! {
                Some(()) = self.interrupt.recv() => Signal::Interrupt,
                Some(()) = self.terminate.recv() => Signal::Terminate,
                else => std::future::pending().await,
            }
        }
        #[cfg(not(unix))]
        {
            match tokio::signal::ctrl_c().await {
                Ok(()) => Signal::Interrupt,
                Err(_) => std::future::pending().await,
            }
        }
    }
}
