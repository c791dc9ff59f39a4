//! The built-in demo replayed synchronously through the engine state, for the
//! screen's snapshot tests: what the engine would publish at a fixed fixture time
//! (before, during and after the demo's Alpaca outage). Each moment is computed
//! once per test binary.

use crate::domain::types::{Source, Symbol};
use crate::domain::wire::{parse_frame_into, ParseLimits};
use crate::engine::snapshot::{Mode, Perf, Snapshot};
use crate::engine::state::{Effects, EngineState, StateConfig};
use crate::messages::yahoo::YahooResponse;
use crate::messages::Fault;
use crate::plumbing::channels::Meters;
use crate::sources::fixture::reader::FixtureReader;
use crate::sources::fixture::{parse_record, Src, DEMO_FIXTURE};
use std::sync::OnceLock;

/// Fixture times of the three moments: the outage is 240 s to 330 s.
pub const BEFORE_MS: i64 = 200_000;
pub const DURING_MS: i64 = 300_000;
pub const AFTER_MS: i64 = 420_000;

/// The demo's state at `t_ms` into the fixture, as the engine publishes it.
pub fn demo_at(t_ms: i64) -> Snapshot {
    let mut reader = FixtureReader::from_static("demo", DEMO_FIXTURE).unwrap();
    let start = reader.start();
    let symbols: Vec<Symbol> = reader.header().symbols.iter().map(Symbol::from).collect();
    let mut st = EngineState::new(StateConfig {
        mode: Mode::Demo,
        feed: "iex".into(),
        watchlist: symbols,
        started_at: start,
        replay_name: Some("demo".into()),
        routing: Default::default(),
        validation: Default::default(),
    });
    st.set_replay_speed("1x");
    st.set_replay_span(crate::sources::fixture::span::bytes_span_ms(DEMO_FIXTURE));
    let _ = st.set_lots(
        crate::sources::fixture::gen::demo_lots(),
        Default::default(),
    );
    let limits = ParseLimits::default();
    let (mut msgs, mut issues) = (Vec::new(), Vec::new());
    let mut next_tick = 1_000;
    let mut fx = Effects::default();
    while let Some(Ok((_, line))) = reader.next_line() {
        let rec = parse_record(line).unwrap();
        if rec.t_ms > t_ms {
            break;
        }
        while next_tick <= rec.t_ms {
            st.tick(start.plus_millis(next_tick), &mut fx);
            next_tick += 1_000;
        }
        let at = start.plus_millis(rec.t_ms);
        if let Some(ws) = rec.ws.as_deref() {
            msgs.clear();
            issues.clear();
            parse_frame_into(ws.as_bytes(), &limits, &mut msgs, &mut issues);
            st.apply_frame(at, &msgs, &issues, &mut fx);
        } else if let Some(http) = rec.http {
            let r = YahooResponse {
                at,
                url: http.url.into_owned(),
                status: http.status,
                body: http.body.into_owned(),
                error: http.error.map(|e| e.into_owned()),
            };
            st.apply_yahoo(&r, &mut fx);
        } else if let Some(name) = rec.fault.as_deref() {
            let source = match rec.src {
                Src::Alpaca => Source::Alpaca,
                Src::Yahoo => Source::Yahoo,
            };
            st.apply_fault(at, source, Fault::from_name(name).unwrap(), &mut fx);
        }
        fx = Effects::default();
    }
    while next_tick <= t_ms {
        st.tick(start.plus_millis(next_tick), &mut fx);
        next_tick += 1_000;
    }
    st.snapshot(7, Perf::default(), Meters::default().stats())
}

/// [`demo_at`] for the three moments, computed once.
pub fn moment(t_ms: i64) -> Snapshot {
    static BEFORE: OnceLock<Snapshot> = OnceLock::new();
    static DURING: OnceLock<Snapshot> = OnceLock::new();
    static AFTER: OnceLock<Snapshot> = OnceLock::new();
    let cell = match t_ms {
        BEFORE_MS => &BEFORE,
        DURING_MS => &DURING,
        AFTER_MS => &AFTER,
        _ => return demo_at(t_ms),
    };
    cell.get_or_init(|| demo_at(t_ms)).clone()
}
