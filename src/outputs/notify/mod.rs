//! Notifications: alert changes sent to webhooks (Slack-compatible JSON POST) and exec
//! hooks (a configured command with the alert as JSON on stdin), routed by severity,
//! de-duplicated and rate-limited per channel. A failure to notify is counted and
//! reported back to the engine, so the event log, the snapshot, `GET /api/alerts` and
//! the metrics all show it.
//!
//! * [`policy`] is pure: which sends a change (or the passing of time) calls for, and
//!   every counter. It takes `now`; table tests drive it on a manual clock.
//! * `payload` builds the bodies; `send` does the I/O (reqwest, `tokio::process`).
//! * [`task`] is the notifier task the pipeline spawns; it reads a [`crate::domain::clock::Clock`].
//!
//! This module owns the types shared by the three: the checked config, what one send
//! carries, and the view the snapshot shows.

mod payload;
pub mod policy;
#[cfg(test)]
mod policy_tests;
mod send;
pub mod task;

pub use payload::{exec_json, slack_json};

use crate::domain::alerts::{AlertChange, Severity};
use crate::domain::types::Ts;
use secrecy::SecretString;

/// Every configured channel, checked. No channels: no notifier task at all.
#[derive(Clone, Debug, Default)]
pub struct NotifyConfig {
    pub channels: Vec<ChannelConfig>,
}

#[derive(Clone, Debug)]
pub struct ChannelConfig {
    /// Unique; the `channel` label in metrics. Defaults to `webhook-1`, `exec-1`, ...
    pub name: String,
    pub target: Target,
    pub route: Route,
    /// Also tell this channel when an alert it was told about resolves.
    pub send_resolved: bool,
    pub timeout_secs: u64,
    pub rate_limit: RateLimit,
}

#[derive(Clone, Debug)]
pub enum Target {
    /// `host` is all that is ever shown: Slack webhook URLs carry their token in the path.
    Webhook { url: SecretString, host: String },
    /// Run directly (no shell), so nothing in an alert's text can become a command.
    Exec { program: String, args: Vec<String> },
}

impl Target {
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Webhook { .. } => "webhook",
            Target::Exec { .. } => "exec",
        }
    }
    /// Safe to display: the webhook's host, or the program.
    pub fn shown(&self) -> String {
        match self {
            Target::Webhook { host, .. } => host.clone(),
            Target::Exec { program, .. } => program.clone(),
        }
    }
}

/// Which alert severities a channel hears.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    AtLeast(Severity),
    Only(Vec<Severity>),
}

impl Route {
    pub fn matches(&self, s: Severity) -> bool {
        match self {
            Route::AtLeast(min) => s >= *min,
            Route::Only(list) => list.contains(&s),
        }
    }
    pub fn describe(&self) -> String {
        match self {
            Route::AtLeast(Severity::Info) => "all".to_string(),
            Route::AtLeast(min) => format!(">= {min}"),
            Route::Only(list) => list
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

/// A token bucket: `burst` sends at once, refilled at `per_minute`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub burst: u32,
    pub per_minute: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            burst: 5,
            per_minute: 10,
        }
    }
}

/// What one send carries.
#[derive(Clone, Debug, PartialEq)]
pub enum Notification {
    /// `reminder`: the alert was already firing (its snooze ended, or what inhibited it
    /// resolved before it was ever sent).
    Alert { change: AlertChange, reminder: bool },
    /// The rate limit held back `count` notifications between `since` and `until`.
    Suppressed { count: u64, since: Ts, until: Ts },
}

impl Notification {
    /// For log lines and events: never the payload itself.
    pub fn describe(&self) -> String {
        match self {
            Notification::Alert { change, reminder } => format!(
                "{} {} {}{}",
                change.id,
                change.severity,
                change.to,
                if *reminder { " (reminder)" } else { "" }
            ),
            Notification::Suppressed { count, .. } => format!("summary of {count} suppressed"),
        }
    }
    pub fn severity(&self) -> Option<Severity> {
        match self {
            Notification::Alert { change, .. } => Some(change.severity),
            Notification::Suppressed { .. } => None,
        }
    }
}
