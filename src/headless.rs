//! Headless output: one JSON object per line on stdout. Events print as
//! `{"event":{…}}` while the engine runs; a replay ends with `{"summary":{…}}`.

use crate::engine::channels::Meters;
use crate::engine::snapshot::{LatencyView, Snapshot};
use crate::event::Event;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use tokio::sync::mpsc;

#[derive(Serialize)]
struct EventLine<'a> {
    event: &'a Event,
}

/// Prints events as they come until the channel closes. Runs on its own thread
/// because stdout is blocking; flushes whenever it has caught up.
pub fn spawn_printer(
    mut rx: mpsc::Receiver<Event>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("tapewatch-stdout".into())
        .spawn(move || {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            while let Some(ev) = rx.blocking_recv() {
                if write_line(&mut out, &EventLine { event: &ev }).is_err() {
                    // stdout is gone (closed pipe); nothing left to print to.
                    return;
                }
                if rx.is_empty() && out.flush().is_err() {
                    return;
                }
            }
            let _ = out.flush();
        })
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
    }
}

pub fn print_summary(summary: &Summary) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    write_line(&mut out, &SummaryLine { summary })?;
    out.flush()
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
