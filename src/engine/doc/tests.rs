//! The stream document: frames of patches rebuild every snapshot exactly (charts
//! included), chart operations stay small for the usual changes, and the decoder's
//! shortcut for a changed newest bar gives what a full decode gives.

use super::*;
use crate::domain::bars::{minute_start, Marker};
use crate::domain::types::Ts;
use crate::engine::snapshot::{Mode, Perf};
use crate::engine::state::{EngineState, StateConfig};
use rust_decimal::Decimal;

const M0: i32 = 29_000_000;

fn base(symbols: &[&str]) -> Snapshot {
    let st = EngineState::new(StateConfig {
        mode: Mode::Demo,
        feed: "iex".into(),
        watchlist: symbols.iter().map(|s| Symbol::from(*s)).collect(),
        started_at: minute_start(M0),
        replay_name: Some("demo".into()),
        routing: Default::default(),
        validation: Default::default(),
    });
    st.snapshot(1, Perf::default(), Vec::new())
}

fn trade(s: &mut Snapshot, sym: &str, minute: i32, cents: i64) {
    let v = s.watchlist.iter_mut().find(|v| v.symbol == sym).unwrap();
    let at = minute_start(minute).plus_millis(1_000);
    v.bars.trade(at, Decimal::new(cents, 2), 10);
}

/// Patches applied to the client's document, decoded, against the original.
struct Pair {
    enc: Encoder,
    dec: Decoder,
    doc: Value,
}

impl Pair {
    fn new() -> Pair {
        Pair {
            enc: Encoder::default(),
            dec: Decoder::default(),
            doc: Value::Null,
        }
    }

    /// Sends `s` and returns the operations the frame carried (none when whole).
    fn send(&mut self, s: &Snapshot) -> Vec<PatchOperation> {
        let e = self.enc.next(Arc::new(s.clone())).unwrap();
        let ops = match e.patch {
            Some(p) => {
                json_patch::patch(&mut self.doc, &p).unwrap();
                Some(p.0)
            }
            None => {
                let whole = Whole {
                    main: &e.main,
                    snap: &e.snap,
                };
                self.doc = serde_json::from_str(&serde_json::to_string(&whole).unwrap()).unwrap();
                None
            }
        };
        let got = self.dec.decode(&self.doc, ops.as_deref()).unwrap();
        assert_eq!(&got, s, "decoded frame differs");
        // The shortcut and a decode from nothing agree.
        assert_eq!(Decoder::default().decode(&self.doc, None).unwrap(), got);
        ops.unwrap_or_default()
    }
}

fn chart_paths(ops: &[PatchOperation]) -> Vec<String> {
    ops.iter()
        .map(|o| o.path().as_str().to_string())
        .filter(|p| p.starts_with("/charts"))
        .collect()
}

#[test]
fn frames_rebuild_each_snapshot_with_small_chart_operations() {
    let mut s = base(&["AAPL", "BTC/USD"]);
    for k in 0..5 {
        trade(&mut s, "AAPL", M0 + k, 10_000 + i64::from(k));
    }
    let mut pair = Pair::new();
    pair.send(&s);

    // A trade in the forming minute: one replace.
    trade(&mut s, "AAPL", M0 + 4, 10_050);
    assert_eq!(chart_paths(&pair.send(&s)), ["/charts/AAPL/bars/4"]);

    // A new minute: the new bar added (the closed one is unchanged).
    trade(&mut s, "AAPL", M0 + 5, 10_060);
    assert_eq!(chart_paths(&pair.send(&s)), ["/charts/AAPL/bars/5"]);

    // A symbol whose name needs escaping in a JSON pointer.
    trade(&mut s, "BTC/USD", M0 + 5, 6_000_000);
    assert_eq!(chart_paths(&pair.send(&s)), ["/charts/BTC~1USD/bars/0"]);

    // A marker.
    s.watchlist[0].bars.mark(Marker {
        at: Ts::from_secs(1),
        tripped: true,
        reason: "held".into(),
    });
    assert_eq!(chart_paths(&pair.send(&s)), ["/charts/AAPL/markers"]);

    // Nothing changed: no chart operation at all.
    assert!(chart_paths(&pair.send(&s)).is_empty());
}

#[test]
fn a_full_ring_drops_its_oldest_bar_with_one_remove() {
    let mut s = base(&["AAPL"]);
    for k in 0..crate::domain::bars::RING_MINUTES as i32 + 3 {
        trade(&mut s, "AAPL", M0 + k, 10_000 + i64::from(k % 50));
    }
    let mut pair = Pair::new();
    pair.send(&s);
    let next = M0 + crate::domain::bars::RING_MINUTES as i32 + 3;
    trade(&mut s, "AAPL", next, 10_000);
    let paths = chart_paths(&pair.send(&s));
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert_eq!(paths[0], "/charts/AAPL/bars/0");
}

#[test]
fn a_backfill_in_the_middle_and_a_watchlist_change_still_rebuild_exactly() {
    let mut s = base(&["AAPL", "MSFT"]);
    for k in (0..100).step_by(2) {
        trade(&mut s, "AAPL", M0 + k, 10_000);
    }
    let mut pair = Pair::new();
    pair.send(&s);
    for k in (1..100).step_by(2) {
        trade(&mut s, "AAPL", M0 + k, 10_001);
    }
    assert_eq!(chart_paths(&pair.send(&s)), ["/charts/AAPL/bars"]);

    let msft = s.watchlist.remove(1);
    assert_eq!(chart_paths(&pair.send(&s)), ["/charts/MSFT"]);
    s.watchlist.push(msft);
    trade(&mut s, "MSFT", M0, 40_000);
    assert_eq!(chart_paths(&pair.send(&s)), ["/charts/MSFT"]);
}

#[test]
fn the_oldest_event_keeps_its_number() {
    let mut s = base(&["AAPL"]);
    for i in 0..(crate::engine::event_log::EVENT_RING as i64 + 300) {
        s.events.push(crate::domain::event::Event::new(
            Ts::from_millis(i),
            crate::domain::event::Level::Info,
            crate::domain::event::EventKind::Command,
            format!("event {i}"),
        ));
    }
    assert!(s.events.first_seq() > 0);
    Pair::new().send(&s);
}
