//! The engine's state and the pure functions that change it. No tokio, no I/O, no
//! wall clock: every input carries its time, and every notable change comes back as
//! an [`Event`] in [`Effects`], so replays are deterministic and tests are tables.

mod alerting;
mod charts;
mod commands;
mod condition_lists;
mod holdings;
mod ingest;
mod link;
mod notifying;
mod prints;
mod reliability;
mod routing;
mod watchlist;
mod yahoo;

pub use reliability::ALERT_HISTORY_KEPT;

pub use routing::{RoutingConfig, TICK_MS};

use super::snapshot::{
    AlpacaView, Counters, LatencyPanel, Mode, Perf, ReplayView, Snapshot, SymbolView, YahooView,
};
use crate::domain::event::{Event, EventKind, Level};
use crate::domain::router::{Router, Transition};
use crate::domain::stats::WindowedLatency;
use crate::domain::types::{Source, Symbol, Ts};
use crate::domain::validate::{ValidationConfig, ValidationEvent, Validator};
use crate::domain::wire::MsgType;
use crate::messages::health::ChannelStat;
use crate::messages::LinkState;
use routing::Upstreams;
use std::collections::{HashMap, VecDeque};

/// How many events the state keeps (at least) for the event-log panel and the API.
pub use crate::engine::event_log::EVENT_RING;
/// At most this many parse-error events per second of engine time; the rest are
/// counted, and summarised in the next event, so a storm of bad frames cannot
/// flood the log or the database.
const PARSE_EVENTS_PER_SEC: u32 = 20;

/// What applying an input produced for the outside world.
#[derive(Debug, Default)]
pub struct Effects {
    pub events: Vec<Event>,
    /// The watchlist changed: the live stream must subscribe to exactly this set.
    pub watchlist: Option<Vec<Symbol>>,
    /// Router transitions, for the store's `transitions` table.
    pub transitions: Vec<Transition>,
    /// Tell the live stream task to hold off connecting until then (`Some(None)` lifts it).
    pub stream_hold: Option<Option<Ts>>,
    /// Alert state changes, for notifiers.
    pub alerts: Vec<crate::domain::alerts::AlertChange>,
    /// Alert history entries, for the store's `alert_history` table.
    pub alert_records: Vec<crate::domain::alerts::AlertRecord>,
    /// Closed SLO minutes, for the store's `slo_minutes` table (live runs keep them).
    pub slo_minutes: Vec<crate::domain::slo::MinuteBucket>,
    /// Symbols that started being watched: a live run backfills their bars.
    pub backfill: Vec<Symbol>,
}

impl Effects {
    /// Adds `other`'s effects after these (its watchlist, if any, is the newer one).
    pub fn absorb(&mut self, other: Effects) {
        self.events.extend(other.events);
        if other.watchlist.is_some() {
            self.watchlist = other.watchlist;
        }
        self.transitions.extend(other.transitions);
        if other.stream_hold.is_some() {
            self.stream_hold = other.stream_hold;
        }
        self.alerts.extend(other.alerts);
        self.alert_records.extend(other.alert_records);
        self.slo_minutes.extend(other.slo_minutes);
        self.backfill.extend(other.backfill);
    }
}

/// Removed symbols whose previous close and bars are remembered, so adding one back
/// shows its change and chart at once.
const DEPARTED_KEPT: usize = 32;

/// Most message latencies queued between two drains by the engine shell.
const FRESH_LATENCY_CAP: usize = 65_536;

/// A watchlist larger than this is refused: far beyond any screen, and a typo in a
/// script should not subscribe thousands of symbols.
pub const MAX_WATCHLIST: usize = 500;

#[derive(Clone, Debug)]
pub struct StateConfig {
    pub mode: Mode,
    pub feed: String,
    pub watchlist: Vec<Symbol>,
    pub started_at: Ts,
    pub replay_name: Option<String>,
    pub routing: RoutingConfig,
    pub validation: ValidationConfig,
}

#[derive(Clone, Debug)]
pub struct EngineState {
    mode: Mode,
    started_at: Ts,
    now: Ts,
    watchlist: Vec<SymbolView>,
    /// Looked up for every message: foldhash, not SipHash (a quarter of the apply
    /// step's instructions went to SipHash). Still seeded per process.
    index: HashMap<Symbol, usize, foldhash::fast::RandomState>,
    alpaca: AlpacaView,
    counters: Counters,
    by_type: [u64; MsgType::ALL.len()],
    events: crate::engine::event_log::EventLog,
    replay: Option<ReplayView>,
    unknown_seen: Vec<compact_str::CompactString>,
    parse_events_second: i64,
    parse_events_in_second: u32,
    parse_events_suppressed: u64,
    alpaca_feed_latency: WindowedLatency,
    yahoo_feed_latency: WindowedLatency,
    latency: LatencyPanel,
    latency_refreshed_sec: i64,
    router: Router,
    upstreams: Upstreams,
    yahoo: YahooView,
    yahoo_track: yahoo::YahooTrack,
    /// The router's active source, cached for the hot path.
    route: Option<Source>,
    next_tick_at: Ts,
    validator: Validator,
    /// Reused buffer for the validator's events (no allocation on the accept path).
    validation_out: Vec<ValidationEvent>,
    /// Message latencies (µs) not yet handed to the metrics histogram.
    fresh_latency_us: Vec<u64>,
    holdings: holdings::Holdings,
    alerting: alerting::Alerting,
    reliability: reliability::Reliability,
    notifications: crate::messages::notify::NotifyView,
    /// Per-symbol print books behind Last, high/low and volume (see `prints`).
    prints: prints::Prints,
    /// Recently removed symbols: (symbol, previous close, bars), newest last.
    departed: VecDeque<(
        Symbol,
        Option<rust_decimal::Decimal>,
        crate::domain::bars::BarSeries,
    )>,
}

impl EngineState {
    pub fn new(cfg: StateConfig) -> EngineState {
        let mut index = HashMap::with_capacity_and_hasher(cfg.watchlist.len(), Default::default());
        let mut watchlist = Vec::with_capacity(cfg.watchlist.len());
        for sym in cfg.watchlist {
            if !index.contains_key(&sym) {
                index.insert(sym.clone(), watchlist.len());
                watchlist.push(SymbolView::new(sym));
            }
        }
        let symbols: Vec<Symbol> = watchlist.iter().map(|v| v.symbol.clone()).collect();
        let prints = prints::Prints::new(
            &symbols,
            cfg.validation.late_print_tolerance_secs,
            &cfg.feed,
        );
        EngineState {
            mode: cfg.mode,
            started_at: cfg.started_at,
            now: cfg.started_at,
            watchlist,
            index,
            alpaca: AlpacaView {
                state: LinkState::Disconnected,
                feed: cfg.feed,
                last_error: None,
                subscribed_symbols: Vec::new(),
                last_message_at: None,
                state_since: None,
                consecutive_failures: 0,
                reconnect_attempts: 0,
                next_retry_at: None,
                fatal: None,
            },
            counters: Counters::default(),
            by_type: [0; MsgType::ALL.len()],
            events: Default::default(),
            replay: cfg.replay_name.map(|name| ReplayView {
                name,
                position_ms: 0,
                span_ms: None,
                speed: String::new(),
                paused: false,
                finished: false,
            }),
            unknown_seen: Vec::new(),
            parse_events_second: i64::MIN,
            parse_events_in_second: 0,
            parse_events_suppressed: 0,
            alpaca_feed_latency: WindowedLatency::new(),
            yahoo_feed_latency: WindowedLatency::new(),
            latency: LatencyPanel::default(),
            latency_refreshed_sec: i64::MIN,
            router: Router::new(cfg.routing.router.clone(), cfg.started_at),
            upstreams: Upstreams::new(&cfg.routing.breaker, cfg.started_at),
            yahoo: YahooView {
                polling: "standby".into(),
                ..YahooView::default()
            },
            yahoo_track: yahoo::YahooTrack::default(),
            route: Some(Source::Alpaca),
            next_tick_at: cfg.started_at,
            validator: Validator::new(cfg.validation, &symbols),
            validation_out: Vec::new(),
            fresh_latency_us: Vec::with_capacity(256),
            holdings: holdings::Holdings::default(),
            alerting: alerting::Alerting::new(),
            reliability: reliability::Reliability::new(Default::default()),
            notifications: Default::default(),
            prints,
            departed: VecDeque::new(),
        }
    }

    pub fn now(&self) -> Ts {
        self.now
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn messages(&self) -> u64 {
        self.counters.messages
    }

    /// Moves the engine clock forward (never back: a late input does not rewind time).
    pub fn advance(&mut self, now: Ts) {
        if now > self.now {
            self.now = now;
        }
        if let Some(r) = self.replay.as_mut() {
            r.position_ms = self.now.millis_since(self.started_at);
        }
    }

    fn emit(&mut self, fx: &mut Effects, ev: Event) {
        self.events.push(ev.clone());
        fx.events.push(ev);
    }

    /// A problem in the fixture itself (a bad line), reported and skipped.
    pub fn fixture_issue(&mut self, line: u64, reason: &str, fx: &mut Effects) {
        self.counters.fixture_errors += 1;
        let ev = Event::new(
            self.now,
            Level::Warn,
            EventKind::Replay,
            format!("fixture line {line} skipped: {reason}"),
        );
        self.emit(fx, ev);
    }

    pub fn replay_finished(&mut self, fx: &mut Effects) {
        if let Some(r) = self.replay.as_mut() {
            r.finished = true;
        }
        let text = format!(
            "Replay finished: {} frames, {} messages, {} parse errors",
            self.counters.frames, self.counters.messages, self.counters.parse_errors
        );
        let ev = Event::new(self.now, Level::Info, EventKind::Replay, text);
        self.emit(fx, ev);
    }

    /// Events the store writer could not keep up with, so the event log shows it.
    pub fn persistence_dropped(&mut self, n: u64, fx: &mut Effects) {
        let text = format!("{n} events not persisted: the store channel was full");
        let ev = Event::new(self.now, Level::Warn, EventKind::Persistence, text);
        self.emit(fx, ev);
    }

    /// A setting that is valid but probably not what the user meant.
    pub fn config_warning(&mut self, text: String, fx: &mut Effects) {
        let ev = Event::new(self.now, Level::Warn, EventKind::Config, text);
        self.emit(fx, ev);
    }

    pub fn command_event(&mut self, text: String, fx: &mut Effects) {
        let ev = Event::new(self.now, Level::Info, EventKind::Command, text);
        self.emit(fx, ev);
    }

    pub fn set_replay_speed(&mut self, speed: &str) {
        if let Some(r) = self.replay.as_mut() {
            r.speed = speed.to_string();
        }
    }

    pub fn set_replay_paused(&mut self, paused: bool) {
        if let Some(r) = self.replay.as_mut() {
            r.paused = paused;
        }
    }

    /// The fixture's length, for the header's progress bar.
    pub fn set_replay_span(&mut self, span_ms: Option<i64>) {
        if let Some(r) = self.replay.as_mut() {
            r.span_ms = span_ms;
        }
    }

    pub fn snapshot(&self, seq: u64, perf: Perf, channels: Vec<ChannelStat>) -> Snapshot {
        let mut counters = self.counters.clone();
        counters.by_type = MsgType::ALL
            .iter()
            .filter(|t| self.by_type[t.index()] > 0)
            .map(|t| (t.wire_tag().to_string(), self.by_type[t.index()]))
            .collect();
        Snapshot {
            seq,
            mode: self.mode,
            now: self.now,
            started_at: self.started_at,
            replay: self.replay.clone(),
            alpaca: self.alpaca.clone(),
            watchlist: self.watchlist.clone(),
            counters,
            channels,
            events: self.events.clone(),
            router: self.router.view(self.now),
            breakers: self.upstreams.views(self.now),
            yahoo: self.yahoo.clone(),
            validation: self.validator.view(self.now),
            portfolio: self.portfolio_view(),
            alerts: self.alerting.engine.view(self.now),
            alert_history: self.alert_history(),
            slo: self.slo_report().clone(),
            memory_used_pct: self.alerting.memory_used_pct,
            account: self.account(),
            rest: self.holdings.rest.clone(),
            market_open: self.market_open(),
            latency: self.latency.clone(),
            notifications: self.notifications.clone(),
            perf,
            api_base: self.alerting.api_base.clone(),
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_commands;
#[cfg(test)]
mod tests_in_flight;
#[cfg(test)]
mod tests_screen;
#[cfg(test)]
mod tests_upstream;
#[cfg(test)]
mod tests_yahoo;
