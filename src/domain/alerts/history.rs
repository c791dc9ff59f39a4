//! The alert history: one [`AlertRecord`] per thing that happened to an alert (fired,
//! resolved, acknowledged, snoozed) and who did it, kept in the snapshot for the TUI and
//! the API and written to SQLite's `alert_history` table so it outlives the process.
//! Plain data with `String` fields, so rows written by any build read back as they are.

use super::{AlertChange, AlertState};
use crate::domain::types::Ts;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Who caused an entry: the engine's own evaluation, or an operator in the TUI or
/// through the HTTP API.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Actor {
    Engine,
    Tui,
    Api,
}

impl Actor {
    pub const fn as_str(self) -> &'static str {
        match self {
            Actor::Engine => "engine",
            Actor::Tui => "tui",
            Actor::Api => "api",
        }
    }

    /// The stored text back; unknown text (a newer build's) reads as the engine.
    pub fn parse(s: &str) -> Actor {
        match s {
            "tui" => Actor::Tui,
            "api" => Actor::Api,
            _ => Actor::Engine,
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertRecord {
    pub at: Ts,
    /// The catalogue id, e.g. "H1".
    pub alert_id: String,
    pub name: String,
    pub severity: String,
    /// fired, resolved, reminded, acknowledged or snoozed.
    pub action: String,
    pub actor: Actor,
    pub summary: String,
}

impl AlertRecord {
    /// The history entry for an engine-made state change, if it is one worth keeping
    /// (pending and back-to-inactive are not: the view shows them while they last).
    pub fn from_change(c: &AlertChange) -> Option<AlertRecord> {
        let action = match (c.from, c.to) {
            (AlertState::Firing, AlertState::Firing) => "reminded",
            (_, AlertState::Firing) => "fired",
            (AlertState::Firing, AlertState::Resolved) => "resolved",
            _ => return None,
        };
        Some(AlertRecord {
            at: c.at,
            alert_id: c.id.to_string(),
            name: c.name.to_string(),
            severity: c.severity.as_str().to_string(),
            action: action.to_string(),
            actor: Actor::Engine,
            summary: c.summary.clone(),
        })
    }
}
