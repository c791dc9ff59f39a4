//! What the notifier task tells the engine: each channel's health and the events
//! the log should show.

use crate::domain::event::Level;
use crate::domain::types::Ts;
use serde::{Deserialize, Serialize};

/// One channel's health, for the snapshot, the API and the metrics.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelView {
    pub name: String,
    /// `webhook` or `exec`.
    pub kind: crate::domain::types::Label,
    /// The webhook's host or the exec program; never a full webhook URL.
    pub target: String,
    /// e.g. `>= HIGH`, `CRITICAL,INFO` or `all`.
    pub route: String,
    pub burst: u32,
    pub per_minute: u32,
    pub sent: u64,
    pub failed: u64,
    /// Held back by the rate limit.
    pub suppressed: u64,
    /// Suppressed and not yet covered by a summary.
    pub pending_suppressed: u64,
    /// The same alert transition offered again.
    pub deduplicated: u64,
    /// The channel's send queue was full (its sender is stuck on a slow target).
    pub dropped: u64,
    pub last_error: Option<String>,
    pub last_error_at: Option<Ts>,
    pub last_success_at: Option<Ts>,
}

/// All channels, in config order; empty when none are configured.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifyView {
    pub channels: Vec<ChannelView>,
}

/// Something about notifying the event log should show.
#[derive(Clone, Debug, PartialEq)]
pub struct NotifyEvent {
    pub level: Level,
    pub message: String,
}

/// What the notifier task tells the engine: its counters and what happened since the
/// last report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NotifyReport {
    pub view: NotifyView,
    pub events: Vec<NotifyEvent>,
}
