//! Notifications inside the engine state: the notifier task's reports become the
//! snapshot's `notifications` counters and events in the log (and so the tracing
//! log), in the engine's time like every other event.

use super::{Effects, EngineState};
use crate::domain::event::{Event, EventKind, Level};
use crate::messages::notify::NotifyReport;

impl EngineState {
    pub fn apply_notify(&mut self, report: NotifyReport, fx: &mut Effects) {
        self.notifications = report.view;
        for e in report.events {
            let ev = Event::new(self.now, e.level, EventKind::Notify, e.message);
            self.emit(fx, ev);
        }
    }

    /// Alert changes the engine could not hand to the notifier (its channel was full).
    pub fn notify_dropped(&mut self, n: u64, fx: &mut Effects) {
        let text = format!("{n} alert changes not handed to the notifier: its channel was full");
        let ev = Event::new(self.now, Level::Warn, EventKind::Notify, text);
        self.emit(fx, ev);
    }
}
