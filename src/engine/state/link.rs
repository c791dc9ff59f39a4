//! The Alpaca link as the engine sees it: what the stream task reports about its
//! connection (connecting, failures, fatal stops, milestones) and replay's scripted
//! faults, turned into link state, router inputs and events.

use super::{Effects, EngineState};
use crate::domain::event::{Event, EventKind, Level};
use crate::domain::types::Source;
use crate::domain::types::Ts;
use crate::messages::{Fault, LinkState, LinkUpdate};

impl EngineState {
    pub(super) fn set_link(&mut self, state: LinkState, fx: &mut Effects, why: &str) {
        if self.alpaca.state == state {
            return;
        }
        let level = match state {
            LinkState::Disconnected | LinkState::Stalled => Level::Warn,
            _ => Level::Info,
        };
        self.alpaca.state = state;
        self.alpaca.state_since = Some(self.now);
        let ev = Event::new(
            self.now,
            level,
            EventKind::Connection,
            format!("Alpaca {}: {why}", state.as_str()),
        )
        .with_source(Source::Alpaca);
        self.emit(fx, ev);
        self.link_changed(state, why, fx);
    }

    /// A connection fault of a source at `at`.
    pub fn apply_fault(&mut self, at: Ts, source: Source, fault: Fault, fx: &mut Effects) {
        self.advance(at);
        self.on_time(fx);
        self.counters.faults += 1;
        if source != Source::Alpaca {
            let ev = Event::new(
                self.now,
                Level::Warn,
                EventKind::Connection,
                format!("{source} fault: {}", fault.as_str()),
            )
            .with_source(source);
            self.emit(fx, ev);
            return;
        }
        match fault {
            Fault::Disconnect => {
                self.alpaca.last_error = Some("connection closed".into());
                self.set_link(LinkState::Disconnected, fx, "connection closed");
            }
            Fault::Stall => self.set_link(LinkState::Stalled, fx, "no messages on an open socket"),
            Fault::Recover => self.set_link(LinkState::Connecting, fx, "reconnecting"),
        }
    }

    /// A status update from the live stream task.
    pub fn apply_link(&mut self, u: &LinkUpdate, fx: &mut Effects) {
        self.advance(u.at);
        self.on_time(fx);
        let failed_again = u.consecutive_failures > self.alpaca.consecutive_failures;
        let newly_fatal = u.fatal.is_some() && self.alpaca.fatal.is_none();
        // An attempt that never got to streaming failed; a lost stream is a disconnect.
        let attempt_failed = !matches!(
            self.alpaca.state,
            LinkState::Subscribed | LinkState::Stalled
        );
        if let Some(note) = &u.note {
            let ev = Event::new(self.now, Level::Info, EventKind::Connection, note.clone())
                .with_source(Source::Alpaca);
            self.emit(fx, ev);
        }
        let a = &mut self.alpaca;
        a.consecutive_failures = u.consecutive_failures;
        a.reconnect_attempts = u.reconnect_attempts;
        a.next_retry_at = u.next_retry_at;
        a.fatal = u.fatal.clone();
        if u.last_error.is_some() {
            a.last_error = u.last_error.clone();
        }
        // A report without a state change explains a server error whose frame is
        // logged as its own event; only the richer text is kept (above).
        if let Some(state) = u.state {
            let why = u.last_error.clone().unwrap_or_else(|| match state {
                LinkState::Connecting if u.reconnect_attempts > 0 => format!(
                    "Attempting reconnection (attempt {}/unlimited)",
                    u.reconnect_attempts
                ),
                LinkState::Connecting => "Connecting to Alpaca WebSocket".to_string(),
                _ => String::new(),
            });
            if state == LinkState::Disconnected {
                // Nothing is subscribed on a closed socket.
                self.alpaca.subscribed_symbols.clear();
            }
            self.set_link(state, fx, &why);
        }
        let reason = u
            .last_error
            .clone()
            .unwrap_or_else(|| "connection failed".into());
        if (newly_fatal || failed_again) && attempt_failed && u.reconnect_attempts > 0 {
            let retry = match u.next_retry_at {
                Some(at) => format!(
                    "; next attempt in {:.1} s",
                    at.millis_since(self.now).max(0) as f64 / 1e3
                ),
                None => "; stopped until a manual reconnect".into(),
            };
            let ev = Event::new(
                self.now,
                Level::Warn,
                EventKind::Connection,
                format!("Reconnection failed: {reason}{retry}"),
            )
            .with_source(Source::Alpaca);
            self.emit(fx, ev);
        }
        if newly_fatal {
            let why = u.fatal.clone().unwrap_or(reason);
            self.link_fatal(&why, fx);
        } else if failed_again {
            self.link_failed(u.consecutive_failures, u.rate_limited, &reason, fx);
        }
    }
}
