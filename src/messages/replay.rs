//! Replay control across tasks: the operator's replay actions (pause, speed, restart)
//! travel to the engine as a [`crate::messages::Command`]; a restart also has to reach
//! the replay thread, which reads the fixture from the start again when the
//! [`RestartSignal`]'s generation moves on, and says so with
//! [`crate::messages::FeedEvent::ReplayRestarted`] so the engine knows which queued
//! inputs are from the old pass.

use std::sync::atomic::{AtomicU64, Ordering};

/// What `Space`, `+`, `-` and `R` ask of a replay.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReplayAction {
    TogglePause,
    Faster,
    Slower,
    Restart,
    /// `:speed N` in the TUI: one of [`crate::domain::pace::SPEED_STEPS`] (its
    /// index), or as fast as possible (`None`).
    SetSpeed(Option<u8>),
}

/// Shared between the engine (which requests) and the replay thread (which obeys).
#[derive(Debug, Default)]
pub struct RestartSignal {
    generation: AtomicU64,
}

impl RestartSignal {
    /// Asks for a restart; returns the generation the replay thread will announce.
    pub fn request(&self) -> u64 {
        self.generation.fetch_add(1, Ordering::AcqRel) + 1
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }
}
