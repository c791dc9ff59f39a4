//! Replay pacing and replay control in the engine task. The replay thread reads
//! ahead as far as the feed channel allows; the engine holds the next input until
//! its fixture time is due (see [`crate::domain::pace`]), so engine time follows
//! wall time at the chosen speed through quiet stretches too, timers fire in
//! fixture time, and engine time never runs ahead of the wall. The operator's
//! Space / `+` / `-` / `R` change the pace or start the replay over.
//!
//! Wall time is tokio's clock, so a test on a paused clock replays exactly.

use super::state::Effects;
use super::Engine;
use crate::domain::pace::{self, Pace, Speed};
use crate::domain::types::Ts;
use crate::messages::replay::{ReplayAction, RestartSignal};
use crate::messages::{CommandReply, FeedEvent};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// The engine's replay clock: `None` pace in live sessions (inputs apply as they come).
pub(super) struct Pacer {
    pace: Option<Pace>,
    origin: Instant,
    /// The next input, waiting for its fixture time (an Alpaca batch may be part-applied).
    pub held: Option<FeedEvent>,
    /// Inputs of an old pass are dropped until the replay thread announces this restart.
    pub draining: Option<u64>,
    restart: Option<Arc<RestartSignal>>,
    /// The state to go back to on a restart.
    initial: Option<Box<super::state::EngineState>>,
}

/// When an input happens in fixture time; `None` is "right after the one before".
fn input_time(ev: &FeedEvent) -> Option<Ts> {
    match ev {
        FeedEvent::Alpaca(b) => b.frames.first().map(|f| f.at),
        FeedEvent::Yahoo(r) => Some(r.at),
        FeedEvent::Fault { at, .. } | FeedEvent::Tick { at } => Some(*at),
        FeedEvent::Backfill(b) => Some(b.at),
        FeedEvent::Rest(u) => Some(u.at()),
        FeedEvent::Link(u) => Some(u.at),
        FeedEvent::FixtureIssue { .. }
        | FeedEvent::ReplayEnd
        | FeedEvent::ReplayRestarted { .. }
        | FeedEvent::Notify(_)
        | FeedEvent::ConditionLists(_) => None,
    }
}

impl Pacer {
    /// `speed` is `None` for a live session; `start` is the fixture's start.
    pub fn new(
        speed: Option<Speed>,
        start: Ts,
        restart: Option<Arc<RestartSignal>>,
        initial: Option<super::state::EngineState>,
    ) -> Pacer {
        Pacer {
            pace: speed.map(|s| Pace::new(s, Duration::ZERO, start)),
            origin: Instant::now(),
            held: None,
            draining: None,
            restart,
            initial: initial.map(Box::new),
        }
    }

    fn wall(&self) -> Duration {
        Instant::now().saturating_duration_since(self.origin)
    }

    /// When to look at the held input again: `None` when there is none, or while paused.
    pub fn next_wake(&self) -> Option<Instant> {
        let pace = self.pace.as_ref()?;
        let t = self.held.as_ref().and_then(input_time)?;
        pace.due_at(t).map(|d| self.origin + d)
    }

    /// Takes the part of the held input that is due now, if any.
    pub fn take_due(&mut self) -> Option<FeedEvent> {
        let horizon = match self.pace.as_ref() {
            None => return self.held.take(),
            Some(p) => p.horizon(self.wall()),
        };
        let due = |t: Ts| horizon.is_none_or(|h| t <= h);
        let item = self.held.take()?;
        if input_time(&item).is_none_or(due) {
            let Some(h) = horizon else {
                // Not paced (`max`): as the replay thread sent it.
                return Some(item);
            };
            if let FeedEvent::Alpaca(batch) = &item {
                if batch.frames.last().is_some_and(|f| f.at > h) {
                    return self.split(item, h);
                }
            }
            return Some(stamp(item));
        }
        self.held = Some(item);
        None
    }

    /// The frames of a batch that are due; the rest stay held.
    fn split(&mut self, item: FeedEvent, horizon: Ts) -> Option<FeedEvent> {
        let FeedEvent::Alpaca(mut batch) = item else {
            return Some(item);
        };
        let k = batch.frames.partition_point(|f| f.at <= horizon);
        let rest: Vec<_> = batch.frames.drain(k..).collect();
        let mut later = crate::messages::AlpacaBatch::with_capacity(rest.len());
        for f in rest {
            later.bytes += f.payload.len();
            later.frames.push(f);
        }
        batch.bytes = batch.bytes.saturating_sub(later.bytes);
        self.held = Some(FeedEvent::Alpaca(later));
        Some(stamp(FeedEvent::Alpaca(batch)))
    }
}

/// A paced frame counts as received when it is released: the processing latency
/// measures the engine, not the time the pacing held it back.
fn stamp(mut item: FeedEvent) -> FeedEvent {
    if let FeedEvent::Alpaca(b) = &mut item {
        let now = std::time::Instant::now();
        for f in &mut b.frames {
            f.received = now;
        }
    }
    item
}

impl Engine {
    /// An input from the feed: dropped while a restart drains the old pass, else held
    /// until due and applied. Returns true at the end of a replay the engine does
    /// not hold on to.
    pub(super) fn feed_input(&mut self, item: FeedEvent, hold: bool) -> bool {
        if let Some(generation) = self.pacer.draining {
            if let FeedEvent::ReplayRestarted { generation: g } = item {
                if g == generation {
                    self.restarted();
                }
            }
            return false;
        }
        self.pacer.held = Some(item);
        self.release_due(hold)
    }

    /// Applies the held input if it is due (the wake-up timer calls this too).
    pub(super) fn release_due(&mut self, hold: bool) -> bool {
        let Some(item) = self.pacer.take_due() else {
            return false;
        };
        match item {
            FeedEvent::ReplayEnd => {
                self.finished_elapsed = Some(self.started.elapsed());
                let mut fx = Effects::default();
                self.state.replay_finished(&mut fx);
                self.forward(fx);
                self.publish();
                !hold
            }
            // A restart nobody asked for (or already done): nothing to drop.
            FeedEvent::ReplayRestarted { .. } => false,
            item => {
                self.apply(item);
                false
            }
        }
    }

    /// Space, `+`, `-` and `R`.
    pub(super) fn replay_command(&mut self, action: ReplayAction) -> CommandReply {
        let wall = self.pacer.wall();
        let reached = self.state.now();
        let Some(pace) = self.pacer.pace.as_mut() else {
            return CommandReply::refused(format!(
                "Replay control refused: this is a {} session, not a replay",
                self.state.mode().as_str()
            ));
        };
        let text = match action {
            ReplayAction::TogglePause if pace.paused() => {
                pace.resume(wall);
                format!("Replay resumed at {}", pace.speed())
            }
            ReplayAction::TogglePause => {
                pace.pause(wall, reached);
                "Replay paused (Space resumes)".to_string()
            }
            ReplayAction::Faster | ReplayAction::Slower => {
                let from = pace.speed();
                let to = if action == ReplayAction::Faster {
                    pace::faster(from)
                } else {
                    pace::slower(from)
                };
                if to == from {
                    let limit = if action == ReplayAction::Faster {
                        "fastest"
                    } else {
                        "slowest"
                    };
                    return CommandReply::refused(format!(
                        "Replay speed unchanged: {from} is the {limit}"
                    ));
                }
                pace.set_speed(to, wall, reached);
                format!("Replay speed {from} → {to}")
            }
            ReplayAction::SetSpeed(step) => {
                let from = pace.speed();
                let to = step
                    .and_then(|i| pace::SPEED_STEPS.get(usize::from(i)))
                    .map_or(Speed::Max, |&f| Speed::Factor(f));
                if to == from {
                    return CommandReply::refused(format!("Replay speed unchanged: it is {from}"));
                }
                pace.set_speed(to, wall, reached);
                format!("Replay speed {from} → {to}")
            }
            ReplayAction::Restart => {
                let Some(signal) = self.pacer.restart.as_ref() else {
                    return CommandReply::refused(
                        "Replay restart refused: this replay cannot start over (headless runs read the fixture once)",
                    );
                };
                self.pacer.draining = Some(signal.request());
                self.pacer.held = None;
                "Replay restarting from the beginning".to_string()
            }
        };
        self.show_pace();
        let mut fx = Effects::default();
        self.state.command_event(text.clone(), &mut fx);
        self.forward(fx);
        CommandReply::done(text)
    }

    /// The replay thread is reading from the start: so does the state.
    fn restarted(&mut self) {
        self.pacer.draining = None;
        if let Some(initial) = self.pacer.initial.as_ref() {
            self.state = (**initial).clone();
        }
        let wall = self.pacer.wall();
        let start = self.state.now();
        if let Some(p) = self.pacer.pace.as_mut() {
            p.restart(wall, start);
        }
        self.finished_elapsed = None;
        self.show_pace();
        let mut fx = Effects::default();
        self.state
            .command_event("Replay restarted from the beginning".into(), &mut fx);
        self.forward(fx);
        self.dirty = true;
    }

    /// The replay's speed and pause state, for the header.
    pub(super) fn show_pace(&mut self) {
        if let Some(p) = self.pacer.pace.as_ref() {
            self.state.set_replay_speed(&p.speed().to_string());
            self.state.set_replay_paused(p.paused());
        }
    }
}
