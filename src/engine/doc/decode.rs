//! The stream's document back into a [`Snapshot`] (`tapewatch attach`), frame after
//! frame. The snapshot part is read whole each time; the charts are not: a symbol's
//! bars are rebuilt only when the patch touched them, and when it replaced just the
//! newest bar (what most frames do), from a kept copy of the others. Otherwise a
//! hundred symbols' full days would be parsed ten times a second.

use super::{CHARTS, EVENTS_FIRST_SEQ};
use crate::domain::bars::{BarSeries, Marker, MinuteBar};
use crate::domain::types::Symbol;
use crate::engine::snapshot::Snapshot;
use json_patch::jsonptr::index::Index;
use json_patch::PatchOperation;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("the snapshot does not read back: {0}")]
    Snapshot(serde_json::Error),
    #[error("{symbol}'s chart does not read back: {cause}")]
    Chart {
        symbol: Symbol,
        cause: serde_json::Error,
    },
}

/// One symbol's bars as last decoded: `base` holds all but the newest bar (and the
/// markers), `full` all of them.
struct Kept {
    base: BarSeries,
    full: BarSeries,
    rows: usize,
}

/// What a patch did to one symbol's chart.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Change {
    /// Replaced the bar at this index, and nothing else.
    Bar(usize),
    Other,
}

/// Keeps each symbol's decoded bars between frames.
#[derive(Default)]
pub struct Decoder {
    kept: HashMap<Symbol, Kept>,
}

impl Decoder {
    /// The snapshot `doc` holds. `patch` is what was just applied to it (`None` for a
    /// whole document): the symbols it did not touch keep their bars from the last call.
    pub fn decode(
        &mut self,
        doc: &Value,
        patch: Option<&[PatchOperation]>,
    ) -> Result<Snapshot, DecodeError> {
        let mut snap = Snapshot::deserialize(doc).map_err(DecodeError::Snapshot)?;
        let first_seq = doc.get(EVENTS_FIRST_SEQ).and_then(Value::as_u64);
        snap.events = std::mem::take(&mut snap.events).numbered_from(first_seq.unwrap_or(0));
        let changes = patch.map(changes);
        let charts = doc.get(CHARTS).and_then(Value::as_object);
        let mut kept = HashMap::with_capacity(snap.watchlist.len());
        for v in &mut snap.watchlist {
            let chart = charts.and_then(|c| c.get(v.symbol.as_str()));
            let before = self.kept.remove(&v.symbol);
            let change = match &changes {
                None => Some(Change::Other),
                Some(Changes::All) => Some(Change::Other),
                Some(Changes::Some(m)) => m.get(v.symbol.as_str()).copied(),
            };
            let now = match (before, change) {
                (Some(k), None) => k,
                (Some(k), Some(Change::Bar(i))) if i + 1 == k.rows && rows(chart) == k.rows => {
                    let bar = chart
                        .and_then(|c| c.get("bars"))
                        .and_then(|b| b.get(i))
                        .map(MinuteBar::deserialize)
                        .transpose()
                        .map_err(|cause| chart_error(&v.symbol, cause))?;
                    let mut full = k.base.clone();
                    full.merge(bar);
                    Kept { full, ..k }
                }
                _ => rebuild(chart).map_err(|cause| chart_error(&v.symbol, cause))?,
            };
            v.bars = now.full.clone();
            kept.insert(v.symbol.clone(), now);
        }
        self.kept = kept;
        Ok(snap)
    }
}

fn chart_error(symbol: &Symbol, cause: serde_json::Error) -> DecodeError {
    DecodeError::Chart {
        symbol: symbol.clone(),
        cause,
    }
}

fn rows(chart: Option<&Value>) -> usize {
    chart
        .and_then(|c| c.get("bars"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

fn rebuild(chart: Option<&Value>) -> Result<Kept, serde_json::Error> {
    let Some(chart) = chart else {
        return Ok(Kept {
            base: BarSeries::default(),
            full: BarSeries::default(),
            rows: 0,
        });
    };
    let bars = match chart.get("bars") {
        Some(b) => Vec::<MinuteBar>::deserialize(b)?,
        None => Vec::new(),
    };
    let markers = match chart.get("markers") {
        Some(m) => Vec::<Marker>::deserialize(m)?,
        None => Vec::new(),
    };
    let rows = bars.len();
    let (older, newest) = match bars.split_last() {
        Some((last, older)) => (older, Some(*last)),
        None => (&bars[..], None),
    };
    let base = BarSeries::rebuilt(older.iter().copied(), markers);
    let mut full = base.clone();
    full.merge(newest);
    Ok(Kept { base, full, rows })
}

enum Changes {
    /// The charts as a whole were replaced.
    All,
    Some(HashMap<String, Change>),
}

/// Which symbols' charts `ops` touched, and how.
fn changes(ops: &[PatchOperation]) -> Changes {
    let mut by_symbol: HashMap<String, Change> = HashMap::new();
    for op in ops {
        let mut tokens = op.path().tokens();
        if tokens.next().is_none_or(|t| t.decoded() != CHARTS) {
            continue;
        }
        let Some(symbol) = tokens.next() else {
            return Changes::All;
        };
        let rest: Vec<_> = tokens.collect();
        let change = match (op, rest.as_slice()) {
            (PatchOperation::Replace(_), [bars, i]) if bars.decoded() == "bars" => {
                match i.to_index() {
                    Ok(Index::Num(n)) => Change::Bar(n),
                    _ => Change::Other,
                }
            }
            _ => Change::Other,
        };
        by_symbol
            .entry(symbol.decoded().into_owned())
            .and_modify(|c| {
                if *c != change {
                    *c = Change::Other;
                }
            })
            .or_insert(change);
    }
    Changes::Some(by_symbol)
}
