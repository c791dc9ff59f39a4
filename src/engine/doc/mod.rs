//! The snapshot as `GET /api/stream`'s JSON document, and back ([`decode`], for
//! `tapewatch attach`). The document is the snapshot's JSON (what `/api/*` shows of
//! it) plus two members the API leaves out:
//!
//! * `eventsFirstSeq`: the number of the oldest event in `events`, so a remote screen
//!   numbers events as the engine does (a selected event stays selected);
//! * `charts`: `{"AAPL": {"bars": [row, …], "markers": […]}, …}`, each symbol's
//!   one-minute bars (see `domain::bars`'s serde) for the charts and sparklines.
//!
//! Frame to frame, [`Encoder`] diffs the snapshot part with json-patch, but writes the
//! charts' operations itself: a full day is 960 bars a symbol, and diffing (or even
//! building) that as a JSON tree ten times a second would cost more than the rest of
//! the snapshot together. A frame usually changes only the forming bar, or closes it
//! and opens the next: one `replace`, or a `replace` and an `add` (and a `remove` at
//! the front once the ring is full).

pub mod decode;

use crate::domain::bars::{BarSeries, MinuteBar};
use crate::domain::types::Symbol;
use crate::engine::snapshot::Snapshot;
use json_patch::jsonptr::PointerBuf;
use json_patch::{AddOperation, PatchOperation, RemoveOperation, ReplaceOperation};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;

pub use decode::{DecodeError, Decoder};

/// The member with the charts.
pub const CHARTS: &str = "charts";
/// The member with the oldest event's number.
pub const EVENTS_FIRST_SEQ: &str = "eventsFirstSeq";
/// A series whose operations would touch more than this many bars is replaced whole.
const MAX_BAR_OPS: usize = 32;

/// The document without `charts`: what json-patch diffs.
pub fn main_part(snap: &Snapshot) -> Result<Value, serde_json::Error> {
    let mut v = serde_json::to_value(snap)?;
    if let Value::Object(m) = &mut v {
        m.insert(EVENTS_FIRST_SEQ.into(), snap.events.first_seq().into());
    }
    Ok(v)
}

/// The whole document, written from the main part and the snapshot's bars without
/// building the charts as a JSON tree.
pub struct Whole<'a> {
    pub main: &'a Value,
    pub snap: &'a Snapshot,
}

impl Serialize for Whole<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let main = self.main.as_object();
        let mut m = s.serialize_map(None)?;
        for (k, v) in main.into_iter().flatten() {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry(CHARTS, &Charts(self.snap))?;
        m.end()
    }
}

struct Charts<'a>(&'a Snapshot);

impl Serialize for Charts<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.watchlist.len()))?;
        for v in &self.0.watchlist {
            m.serialize_entry(v.symbol.as_str(), &v.bars)?;
        }
        m.end()
    }
}

/// One frame's output: the main part (kept for the next diff and for writing the whole
/// document on demand) and the patch from the frame before, if there was one.
pub struct Encoded {
    pub main: Arc<Value>,
    pub snap: Arc<Snapshot>,
    pub patch: Option<json_patch::Patch>,
}

/// Frame-to-frame state: the previous frame's main part and snapshot.
#[derive(Default)]
pub struct Encoder {
    prev: Option<(Arc<Value>, Arc<Snapshot>)>,
}

impl Encoder {
    /// Forget the previous frame: the next one has no patch.
    pub fn reset(&mut self) {
        self.prev = None;
    }

    pub fn next(&mut self, snap: Arc<Snapshot>) -> Result<Encoded, serde_json::Error> {
        let main = Arc::new(main_part(&snap)?);
        let patch = match &self.prev {
            Some((prev_main, prev_snap)) => {
                let mut p = json_patch::diff(prev_main, &main);
                chart_ops(prev_snap, &snap, &mut p.0)?;
                Some(p)
            }
            None => None,
        };
        self.prev = Some((main.clone(), snap.clone()));
        Ok(Encoded { main, snap, patch })
    }
}

fn pointer(sym: &Symbol, rest: &[&str]) -> PointerBuf {
    let mut p = PointerBuf::from_tokens([CHARTS, sym.as_str()]);
    for t in rest {
        p.push_back(*t);
    }
    p
}

fn bar_pointer(sym: &Symbol, i: usize) -> PointerBuf {
    let mut p = pointer(sym, &["bars"]);
    p.push_back(i);
    p
}

/// The operations that turn `prev`'s charts into `next`'s.
pub fn chart_ops(
    prev: &Snapshot,
    next: &Snapshot,
    out: &mut Vec<PatchOperation>,
) -> Result<(), serde_json::Error> {
    for v in &next.watchlist {
        match prev.watchlist.iter().find(|p| p.symbol == v.symbol) {
            Some(p) => series_ops(&v.symbol, &p.bars, &v.bars, out)?,
            None => out.push(PatchOperation::Add(AddOperation {
                path: pointer(&v.symbol, &[]),
                value: serde_json::to_value(&v.bars)?,
            })),
        }
    }
    for p in &prev.watchlist {
        if !next.watchlist.iter().any(|v| v.symbol == p.symbol) {
            out.push(PatchOperation::Remove(RemoveOperation {
                path: pointer(&p.symbol, &[]),
            }));
        }
    }
    Ok(())
}

fn series_ops(
    sym: &Symbol,
    prev: &BarSeries,
    next: &BarSeries,
    out: &mut Vec<PatchOperation>,
) -> Result<(), serde_json::Error> {
    if prev.markers() != next.markers() {
        out.push(PatchOperation::Replace(ReplaceOperation {
            path: pointer(sym, &["markers"]),
            value: serde_json::to_value(next.markers())?,
        }));
    }
    let p: Vec<&MinuteBar> = prev.bars().collect();
    let n: Vec<&MinuteBar> = next.bars().collect();
    let start = n
        .first()
        .map(|first| p.partition_point(|b| b.minute < first.minute));
    let whole = |out: &mut Vec<PatchOperation>| -> Result<(), serde_json::Error> {
        out.push(PatchOperation::Replace(ReplaceOperation {
            path: pointer(sym, &["bars"]),
            value: serde_json::to_value(&n)?,
        }));
        Ok(())
    };
    // The ring only ever drops its oldest bars; anything else (a backfill in the
    // middle, a new first minute) is a rewrite.
    let Some(dropped) = start.filter(|&k| k <= MAX_BAR_OPS) else {
        return if p.is_empty() && n.is_empty() {
            Ok(())
        } else {
            whole(out)
        };
    };
    let kept = &p[dropped..];
    let changed: Vec<usize> = (0..kept.len().min(n.len()))
        .filter(|&i| kept[i] != n[i])
        .collect();
    let grown = n.len().saturating_sub(kept.len());
    let shrunk = kept.len().saturating_sub(n.len());
    if dropped + changed.len() + grown + shrunk > MAX_BAR_OPS {
        return whole(out);
    }
    for _ in 0..dropped {
        out.push(PatchOperation::Remove(RemoveOperation {
            path: bar_pointer(sym, 0),
        }));
    }
    for i in changed {
        out.push(PatchOperation::Replace(ReplaceOperation {
            path: bar_pointer(sym, i),
            value: serde_json::to_value(n[i])?,
        }));
    }
    for (i, bar) in n.iter().enumerate().skip(kept.len()) {
        out.push(PatchOperation::Add(AddOperation {
            path: bar_pointer(sym, i),
            value: serde_json::to_value(bar)?,
        }));
    }
    for i in (n.len()..kept.len()).rev() {
        out.push(PatchOperation::Remove(RemoveOperation {
            path: bar_pointer(sym, i),
        }));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
