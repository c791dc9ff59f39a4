//! The notification policy, pure: severity routing, de-duplication, a token bucket per
//! channel, and every counter. It reads no clock (`now` is an argument) and does no
//! I/O; the notifier task carries out the [`Dispatch`]es it returns and reports each
//! outcome back through [`Policy::finished`] or [`Policy::dropped`].
//!
//! Rules, per channel:
//! * A change is sent when its severity is routed to the channel and either it is
//!   `→ firing` with the alert engine's `notify` flag (a `firing → firing` change is a
//!   reminder, which the engine only emits when one is due), or it is `→ resolved`,
//!   the channel has `send_resolved`, and the channel was told the alert fired.
//! * The same alert id and transition (`from`, `to`, `at`) is never sent twice: a
//!   repeat is counted as deduplicated.
//! * Each send takes a token. Without one the send is suppressed and counted; when a
//!   token is free again, the first one goes to a "N notifications suppressed" summary.

use super::RateLimit;
use super::{ChannelConfig, Notification, NotifyConfig};
use crate::domain::alerts::{AlertChange, AlertState, Severity};
use crate::domain::event::Level;
use crate::domain::types::Ts;
use crate::messages::notify::{ChannelView, NotifyEvent, NotifyView};
use std::collections::HashMap;

/// A token bucket on the caller's clock. Hand-rolled (20 lines) rather than a crate
/// like governor because it must run on the injected `Ts`, not on a monotonic clock
/// of its own, so the tables below can move time by hand.
#[derive(Clone, Debug)]
struct Bucket {
    capacity: f64,
    per_sec: f64,
    tokens: f64,
    at: Ts,
}

impl Bucket {
    fn new(limit: RateLimit, now: Ts) -> Bucket {
        Bucket {
            capacity: f64::from(limit.burst),
            per_sec: f64::from(limit.per_minute) / 60.0,
            tokens: f64::from(limit.burst),
            at: now,
        }
    }
    fn refill(&mut self, now: Ts) {
        // A clock that steps back refills nothing (and does not go negative).
        if now > self.at {
            let secs = now.millis_since(self.at) as f64 / 1_000.0;
            self.tokens = (self.tokens + secs * self.per_sec).min(self.capacity);
            self.at = now;
        }
    }
    fn has_token(&mut self, now: Ts) -> bool {
        self.refill(now);
        self.tokens >= 1.0
    }
    fn take(&mut self, now: Ts) -> bool {
        let ok = self.has_token(now);
        if ok {
            self.tokens -= 1.0;
        }
        ok
    }
}

/// One send for the task to carry out on channel `channel` (an index in config order).
#[derive(Clone, Debug, PartialEq)]
pub struct Dispatch {
    pub channel: usize,
    pub notification: Notification,
}

/// What one offer or tick calls for: sends to make, and events for the log.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dispatches {
    pub dispatches: Vec<Dispatch>,
    pub events: Vec<NotifyEvent>,
}

#[derive(Clone, Debug)]
struct Channel {
    view: ChannelView,
    route: super::Route,
    send_resolved: bool,
    bucket: Bucket,
    /// The last transition offered per alert id, for de-duplication.
    last_seen: HashMap<&'static str, (AlertState, AlertState, Ts)>,
    /// Alerts this channel was told are firing (and not yet told resolved).
    told_firing: HashMap<&'static str, Ts>,
    suppressed_since: Option<Ts>,
}

impl Channel {
    fn new(cfg: &ChannelConfig, now: Ts) -> Channel {
        Channel {
            view: ChannelView {
                name: cfg.name.clone(),
                kind: cfg.target.kind().into(),
                target: cfg.target.shown(),
                route: cfg.route.describe(),
                burst: cfg.rate_limit.burst,
                per_minute: cfg.rate_limit.per_minute,
                ..ChannelView::default()
            },
            route: cfg.route.clone(),
            send_resolved: cfg.send_resolved,
            bucket: Bucket::new(cfg.rate_limit, now),
            last_seen: HashMap::new(),
            told_firing: HashMap::new(),
            suppressed_since: None,
        }
    }

    fn label(&self) -> String {
        format!(
            "{} ({} {})",
            self.view.name, self.view.kind, self.view.target
        )
    }

    /// The summary goes out before anything new once a token is free.
    fn flush_summary(&mut self, i: usize, now: Ts, out: &mut Dispatches) {
        if self.view.pending_suppressed == 0 || !self.bucket.take(now) {
            return;
        }
        let count = std::mem::take(&mut self.view.pending_suppressed);
        let since = self.suppressed_since.take().unwrap_or(now);
        out.events.push(NotifyEvent {
            level: Level::Info,
            message: format!(
                "Notifications to {} resume: sending a summary of {count} suppressed by the rate limit",
                self.label()
            ),
        });
        out.dispatches.push(Dispatch {
            channel: i,
            notification: Notification::Suppressed {
                count,
                since,
                until: now,
            },
        });
    }

    fn offer(&mut self, i: usize, now: Ts, c: &AlertChange, out: &mut Dispatches) {
        if !self.route.matches(c.severity) {
            return;
        }
        let key = (c.from, c.to, c.at);
        if self.last_seen.get(c.id) == Some(&key) {
            self.view.deduplicated += 1;
            return;
        }
        self.last_seen.insert(c.id, key);
        let wanted = match c.to {
            AlertState::Firing => c.notify,
            AlertState::Resolved => {
                let told = self.told_firing.remove(c.id).is_some();
                told && self.send_resolved
            }
            AlertState::Pending | AlertState::Inactive => false,
        };
        if !wanted {
            return;
        }
        self.flush_summary(i, now, out);
        if !self.bucket.take(now) {
            self.view.suppressed += 1;
            self.view.pending_suppressed += 1;
            if self.suppressed_since.is_none() {
                self.suppressed_since = Some(now);
                let (burst, per_minute) = (self.view.burst, self.view.per_minute);
                out.events.push(NotifyEvent {
                    level: Level::Warn,
                    message: format!(
                        "Notifications to {} rate-limited ({burst} at once, {per_minute}/min): further ones are counted and summarised",
                        self.label()
                    ),
                });
            }
            return;
        }
        // INFO alerts are edges that resolve on the same tick; no resolution follows.
        if c.to == AlertState::Firing && c.severity != Severity::Info {
            self.told_firing.insert(c.id, c.at);
        }
        out.dispatches.push(Dispatch {
            channel: i,
            notification: Notification::Alert {
                change: c.clone(),
                reminder: c.from == AlertState::Firing && c.to == AlertState::Firing,
            },
        });
    }
}

/// The policy over all configured channels.
#[derive(Clone, Debug)]
pub struct Policy {
    channels: Vec<Channel>,
}

impl Policy {
    pub fn new(cfg: &NotifyConfig, now: Ts) -> Policy {
        Policy {
            channels: cfg.channels.iter().map(|c| Channel::new(c, now)).collect(),
        }
    }

    /// The sends one alert change calls for, across channels in config order.
    pub fn offer(&mut self, now: Ts, change: &AlertChange) -> Dispatches {
        let mut out = Dispatches::default();
        for (i, ch) in self.channels.iter_mut().enumerate() {
            ch.offer(i, now, change, &mut out);
        }
        out
    }

    /// The passing of time: summaries of suppressed notifications once tokens refill.
    pub fn tick(&mut self, now: Ts) -> Dispatches {
        let mut out = Dispatches::default();
        for (i, ch) in self.channels.iter_mut().enumerate() {
            ch.flush_summary(i, now, &mut out);
        }
        out
    }

    /// A dispatch that never reached its sender (the channel's queue was full).
    pub fn dropped(&mut self, d: &Dispatch) -> Option<NotifyEvent> {
        let ch = self.channels.get_mut(d.channel)?;
        ch.view.dropped += 1;
        if let Notification::Alert { change, .. } = &d.notification {
            // Not told, so its resolution is not news to the receiver either.
            ch.told_firing.remove(change.id);
        }
        Some(NotifyEvent {
            level: Level::Warn,
            message: format!(
                "Notification dropped: {} to {}: its send queue is full (the target is slow or hanging)",
                d.notification.describe(),
                ch.label()
            ),
        })
    }

    /// A send's outcome. Failures become an event: ERROR for a critical alert, else WARN.
    pub fn finished(
        &mut self,
        now: Ts,
        d: &Dispatch,
        result: Result<(), String>,
    ) -> Option<NotifyEvent> {
        let ch = self.channels.get_mut(d.channel)?;
        match result {
            Ok(()) => {
                ch.view.sent += 1;
                ch.view.last_success_at = Some(now);
                None
            }
            Err(e) => {
                ch.view.failed += 1;
                ch.view.last_error_at = Some(now);
                let level = match d.notification.severity() {
                    Some(Severity::Critical) => Level::Error,
                    _ => Level::Warn,
                };
                let message = format!(
                    "Notification failed: {} to {}: {e}",
                    d.notification.describe(),
                    ch.label()
                );
                ch.view.last_error = Some(e);
                Some(NotifyEvent { level, message })
            }
        }
    }

    pub fn view(&self) -> NotifyView {
        NotifyView {
            channels: self.channels.iter().map(|c| c.view.clone()).collect(),
        }
    }
}
