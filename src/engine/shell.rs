//! The engine task's own steps: applying feed items, forwarding effects to the store,
//! the printer and the live tasks, and publishing snapshots with their latency
//! accounting. State changes themselves live in [`super::state`].

use super::*;
use crate::messages::FeedEvent;
use crate::messages::Payload;
use crate::messages::{Command, CommandReply, Outcome};

impl Engine {
    /// Process memory for alert C3, at most once a second (live only: it is I/O).
    pub(super) fn measure_memory(&mut self) {
        if self.memory_checked.elapsed() < Duration::from_secs(1) {
            return;
        }
        self.memory_checked = Instant::now();
        self.state
            .set_memory_used_pct(crate::plumbing::system::memory_used_pct());
    }

    /// Once a minute of engine time, the runbook's "Messages received:" line. To the
    /// log file only: as an event it would crowd the event ring and the database.
    pub(super) fn log_message_rate(&mut self) {
        let (now, total) = (self.state.now(), self.state.messages());
        let Some((since, before)) = self.rate_logged else {
            self.rate_logged = Some((now, total));
            return;
        };
        let ms = now.millis_since(since);
        if ms < 60_000 {
            return;
        }
        self.rate_logged = Some((now, total));
        let n = total.saturating_sub(before);
        tracing::info!(
            kind = "rate",
            "Messages received: {n} in the last {:.0} s ({:.1}/s), {total} since start",
            ms as f64 / 1e3,
            n as f64 * 1e3 / ms as f64
        );
    }

    /// Applies an operator's command and returns the engine's decision, for the
    /// caller's reply channel.
    pub(super) fn command(&mut self, cmd: Command) -> CommandReply {
        let mut fx = Effects::default();
        let st = &mut self.state;
        let reply = match cmd {
            // The loop ends on Quit before it gets here.
            Command::Quit => CommandReply::done("Quitting"),
            Command::ReconnectAlpaca => self.reconnect(&mut fx),
            Command::Failover(action) => st.failover_command(action, &mut fx),
            Command::ResetBreaker(name) => st.reset_breaker(&name, &mut fx),
            Command::ResetSymbolBreaker(sym) => st.reset_symbol_breaker(&sym, &mut fx),
            Command::AckAlert { id, actor } => st.acknowledge_alert(&id, actor, &mut fx),
            Command::SnoozeAlert { id, minutes, actor } => {
                st.snooze_alert(&id, minutes, actor, &mut fx)
            }
            Command::ChangeWatchlist { add, remove } => {
                st.watchlist_command(&add, &remove, &mut fx)
            }
            Command::Replay(action) => self.replay_command(action),
        };
        self.forward(fx);
        reply
    }

    /// Only a live stream can reconnect; the stream task does it, so a request it
    /// took is accepted, not done.
    fn reconnect(&mut self, fx: &mut Effects) -> CommandReply {
        let reply = match self.io.stream_tx.as_ref() {
            None => CommandReply::refused(format!(
                "Manual reconnect refused: not connected to a live stream ({} mode has none to reconnect)",
                self.state.mode().as_str()
            )),
            Some(tx) => match tx.try_send(StreamControl::Reconnect) {
                Ok(()) => {
                    self.state.manual_reconnect(fx);
                    CommandReply::new(Outcome::Accepted, "Manual reconnect of Alpaca requested")
                }
                Err(mpsc::error::TrySendError::Full(_)) => CommandReply::new(
                    Outcome::Busy,
                    "Manual reconnect not sent: the stream task is busy reconnecting; try again",
                ),
                Err(mpsc::error::TrySendError::Closed(_)) => CommandReply::refused(
                    "Manual reconnect refused: the stream task has stopped",
                ),
            },
        };
        self.state.command_event(reply.message.clone(), fx);
        reply
    }

    pub(super) fn apply(&mut self, item: FeedEvent) {
        let mut fx = Effects::default();
        match item {
            FeedEvent::Alpaca(batch) => {
                for f in &batch.frames {
                    self.msgs.clear();
                    self.issues.clear();
                    let (msgs, issues) = match &f.payload {
                        Payload::Text(t) => {
                            parse_frame_into(
                                t.as_bytes(),
                                &self.limits,
                                &mut self.msgs,
                                &mut self.issues,
                            );
                            (&self.msgs[..], &self.issues[..])
                        }
                        Payload::Binary(b) => {
                            crate::domain::wire::msgpack::parse_msgpack_frame_into(
                                b,
                                &self.limits,
                                &mut self.msgs,
                                &mut self.issues,
                            );
                            (&self.msgs[..], &self.issues[..])
                        }
                        Payload::Parsed { frame, .. } => (&frame.msgs[..], &frame.issues[..]),
                    };
                    self.state.apply_frame(f.at, msgs, issues, &mut fx);
                    match self.io.latency_sink.as_ref() {
                        Some(h) => self.state.drain_latencies(|us| h.record(us as f64 / 1e6)),
                        None => self.state.drain_latencies(|_| {}),
                    }
                    let n = msgs.len().max(1) as u64;
                    self.apply_latency.record_n(micros_since(f.received), n);
                    self.pending.push((f.received, n));
                }
            }
            FeedEvent::Yahoo(r) => self.state.apply_yahoo(&r, &mut fx),
            FeedEvent::Fault { at, source, fault } => {
                self.state.apply_fault(at, source, fault, &mut fx)
            }
            FeedEvent::Tick { at } => self.state.tick(at, &mut fx),
            FeedEvent::Rest(u) => self.state.apply_rest(u, &mut fx),
            FeedEvent::Link(update) => self.state.apply_link(&update, &mut fx),
            FeedEvent::FixtureIssue { line, reason } => {
                self.state.fixture_issue(line, &reason, &mut fx)
            }
            FeedEvent::ReplayEnd | FeedEvent::ReplayRestarted { .. } => {}
            FeedEvent::Notify(r) => self.state.apply_notify(r, &mut fx),
            FeedEvent::ConditionLists(c) => self.state.condition_lists(&c, &mut fx),
            FeedEvent::Backfill(b) => self.state.apply_backfill(b, &mut fx),
        }
        self.dirty = true;
        self.forward(fx);
    }

    pub(super) fn forward(&mut self, mut fx: Effects) {
        if let Some(hold) = fx.stream_hold.take() {
            if let Some(tx) = self.io.stream_tx.as_ref() {
                // Full means the task is busy reconnecting; its backoff still applies.
                let _ = tx.try_send(StreamControl::Hold(hold));
            }
        }
        if let Some(tx) = self.io.store_tx.as_ref() {
            for t in fx.transitions.drain(..) {
                let _ = try_send_counted(tx, &self.io.meters.store, StoreMsg::Transition(t));
            }
            for a in fx.alert_records.drain(..) {
                let _ = try_send_counted(tx, &self.io.meters.store, StoreMsg::Alert(a));
            }
            // Replay minutes are fixture time, not this service's: only live runs keep them.
            if self.state.mode() == snapshot::Mode::Live {
                for b in fx.slo_minutes.drain(..) {
                    let _ = try_send_counted(tx, &self.io.meters.store, StoreMsg::SloMinute(b));
                }
            }
        }
        if let Some(list) = fx.watchlist.take() {
            if let Some(tx) = self.io.stream_tx.as_ref() {
                if tx.try_send(StreamControl::SetWatchlist(list)).is_err() {
                    // The stream task keeps its old set; say so rather than drift silently.
                    self.state.command_event(
                        "Watchlist change not sent to the Alpaca stream: its control channel is full or closed; reconnect (r) to resubscribe".into(),
                        &mut fx,
                    );
                }
            }
        }
        if !fx.backfill.is_empty() {
            if let Some(tx) = self.io.backfill_tx.as_ref() {
                // Drop-newest: a chart that starts empty is not worth stalling for.
                let list = std::mem::take(&mut fx.backfill);
                let _ = try_send_counted(tx, &self.io.meters.backfill, list);
            }
        }
        for c in fx.alerts.drain(..) {
            if let Some(tx) = self.io.notify_tx.as_ref() {
                // Drop-newest: a slow notifier never holds up the engine; publish() reports it.
                let _ = try_send_counted(tx, &self.io.meters.notify, c);
            }
        }
        for ev in fx.events {
            log_event(&ev);
            if let Some(tx) = self.io.store_tx.as_ref() {
                // Drop-newest: the engine never waits on the disk.
                let _ = try_send_counted(tx, &self.io.meters.store, StoreMsg::Event(ev.clone()));
            }
            if let Some(tx) = self.io.out_tx.as_ref() {
                let _ = try_send_counted(tx, &self.io.meters.stdout, ev);
            }
        }
    }

    pub(super) fn publish(&mut self) {
        self.state.refresh_latency(self.finished_elapsed.is_some());
        let dropped = self.io.meters.store.dropped();
        if dropped > self.store_dropped_reported {
            let n = dropped - self.store_dropped_reported;
            self.store_dropped_reported = dropped;
            let mut fx = Effects::default();
            self.state.persistence_dropped(n, &mut fx);
            // To the log and the printer, not the store: the store is what is behind.
            for ev in fx.events {
                log_event(&ev);
                if let Some(tx) = self.io.out_tx.as_ref() {
                    let _ = try_send_counted(tx, &self.io.meters.stdout, ev);
                }
            }
        }
        let dropped = self.io.meters.notify.dropped();
        if dropped > self.notify_dropped_reported {
            let mut fx = Effects::default();
            self.state
                .notify_dropped(dropped - self.notify_dropped_reported, &mut fx);
            self.notify_dropped_reported = dropped;
            self.forward(fx);
        }
        let elapsed = self
            .finished_elapsed
            .unwrap_or_else(|| self.started.elapsed());
        let secs = elapsed.as_secs_f64();
        let perf = Perf {
            latency_us: self.visible_latency.view(),
            processing_us: self.processing_view(),
            apply_latency_us: self.apply_latency.view(),
            elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            msgs_per_sec: if secs > 0.0 {
                self.state.messages() as f64 / secs
            } else {
                0.0
            },
        };
        if let Some(tx) = self.io.rest_hold_tx.as_ref() {
            let hold = self.state.rest_hold();
            tx.send_if_modified(|h| {
                let changed = *h != hold;
                *h = hold;
                changed
            });
        }
        if let Some(tx) = self.io.plan_tx.as_ref() {
            let plan = self.state.poll_plan();
            tx.send_if_modified(|p| {
                let changed = *p != plan;
                if changed {
                    *p = plan;
                }
                changed
            });
        }
        self.seq += 1;
        let snap = Arc::new(self.state.snapshot(self.seq, perf, self.io.meters.stats()));
        self.io.snap_tx.send_replace(snap);
        // Latency is counted to the moment the snapshot that shows a frame exists.
        let now = self.state.now();
        for (received, n) in self.pending.drain(..) {
            let us = micros_since(received);
            self.visible_latency.record_n(us, n);
            self.processing.record_n(now, us, n);
        }
        self.last_publish = Instant::now();
        self.dirty = false;
    }
}

impl Engine {
    fn processing_view(&mut self) -> crate::domain::stats::window::WindowedView {
        let now = self.state.now();
        let sec = now.as_nanos().div_euclid(1_000_000_000);
        if sec != self.processing_view.0 || self.finished_elapsed.is_some() {
            self.processing_view = (sec, self.processing.view(now));
        }
        self.processing_view.1.clone()
    }
}

pub(super) fn micros_since(t: Instant) -> u64 {
    u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// Events also go to the log file, in the words the runbook greps for.
pub(super) fn log_event(ev: &Event) {
    let kind = ev.kind.as_str();
    match (ev.level, ev.symbol.as_deref()) {
        (Level::Error, Some(sym)) => tracing::error!(kind, symbol = sym, "{}", ev.message),
        (Level::Error, None) => tracing::error!(kind, "{}", ev.message),
        (Level::Warn, Some(sym)) => tracing::warn!(kind, symbol = sym, "{}", ev.message),
        (Level::Warn, None) => tracing::warn!(kind, "{}", ev.message),
        (Level::Info, Some(sym)) => tracing::info!(kind, symbol = sym, "{}", ev.message),
        (Level::Info, None) => tracing::info!(kind, "{}", ev.message),
    }
}
