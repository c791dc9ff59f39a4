//! The alert lifecycle over the catalogue: inactive → pending → firing → resolved,
//! inhibition, acknowledge and snooze. Time comes only from the `now` arguments.

use super::catalog::{self, Rule, RULES};
use super::conditions::Eval;
use super::{
    AlertChange, AlertConfig, AlertError, AlertSource, AlertState, AlertView, AlertsView, Severity,
    Signals,
};
use crate::domain::types::Ts;

/// Per-rule state, parallel to [`RULES`].
#[derive(Clone, Debug)]
struct Slot {
    state: AlertState,
    /// When `state` was entered.
    since: Ts,
    /// Start of the current (or, once resolved, the last) firing episode.
    fired_at: Option<Ts>,
    /// Frozen at resolve time, so a resolved alert shows what it recovered to.
    last: Eval,
    acked_at: Option<Ts>,
    snoozed_until: Option<Ts>,
    inhibited_by: Option<&'static str>,
    /// A notification went out for this firing episode and still stands.
    notified: bool,
}

impl Slot {
    fn new() -> Slot {
        Slot {
            state: AlertState::Inactive,
            since: Ts::ZERO,
            fired_at: None,
            last: Eval::default(),
            acked_at: None,
            snoozed_until: None,
            inhibited_by: None,
            notified: false,
        }
    }

    fn enter(&mut self, state: AlertState, now: Ts) {
        self.state = state;
        self.since = now;
        match state {
            AlertState::Firing => self.fired_at = Some(now),
            AlertState::Pending => self.fired_at = None,
            // Ack and snooze belong to one episode; inhibition only to a live alert.
            AlertState::Inactive | AlertState::Resolved => {
                self.acked_at = None;
                self.snoozed_until = None;
                self.inhibited_by = None;
                self.notified = false;
            }
        }
    }

    fn notifiable(&self) -> bool {
        self.acked_at.is_none() && self.snoozed_until.is_none() && self.inhibited_by.is_none()
    }
}

#[derive(Clone, Debug)]
pub struct AlertEngine {
    cfg: AlertConfig,
    slots: Vec<Slot>,
}

fn secs_to_ms(secs: u64) -> i64 {
    i64::try_from(secs).unwrap_or(i64::MAX).saturating_mul(1000)
}

/// The explicit list, or a firing CRITICAL of alpaca/yahoo over a lower alert of its source.
fn silences(by: &Rule, target: &Rule) -> bool {
    if by.id == target.id || target.severity == Severity::Info {
        return false;
    }
    by.inhibits.contains(&target.id)
        || (by.severity == Severity::Critical
            && matches!(by.source, AlertSource::Alpaca | AlertSource::Yahoo)
            && by.source == target.source
            && target.severity < Severity::Critical)
}

impl AlertEngine {
    pub fn new(cfg: AlertConfig) -> Self {
        AlertEngine {
            cfg,
            slots: RULES.iter().map(|_| Slot::new()).collect(),
        }
    }

    pub fn config(&self) -> &AlertConfig {
        &self.cfg
    }

    /// Evaluate all rules; returns what changed (for the event log, persistence and
    /// notifiers), in catalogue order, reminders last.
    pub fn evaluate(&mut self, now: Ts, s: &Signals) -> Vec<AlertChange> {
        let retention_ms = secs_to_ms(self.cfg.resolved_retention_secs);
        // (rule index, from, to, summary), notify decided once inhibition is known.
        let mut moves: Vec<(usize, AlertState, AlertState, String)> = Vec::new();
        for (i, rule) in RULES.iter().enumerate() {
            let ev = (rule.eval)(s, &self.cfg);
            let slot = &mut self.slots[i];
            if slot.snoozed_until.is_some_and(|until| until <= now) {
                slot.snoozed_until = None;
                // A snooze is "remind me later": the reminder is due.
                slot.notified = false;
            }
            let from = slot.state;
            if rule.severity == Severity::Info {
                // Events, not conditions: each edge fires and resolves on the same tick.
                if ev.active {
                    moves.push((i, from, AlertState::Firing, ev.summary.clone()));
                    moves.push((
                        i,
                        AlertState::Firing,
                        AlertState::Resolved,
                        ev.summary.clone(),
                    ));
                    slot.enter(AlertState::Firing, now);
                    slot.enter(AlertState::Resolved, now);
                    slot.last = ev;
                } else if from == AlertState::Resolved
                    && now.millis_since(slot.since) >= retention_ms
                {
                    slot.enter(AlertState::Inactive, now);
                }
                continue;
            }
            let for_ms = secs_to_ms(ev.for_secs);
            let to = match (from, ev.active) {
                (AlertState::Inactive | AlertState::Resolved, true) if for_ms <= 0 => {
                    AlertState::Firing
                }
                (AlertState::Inactive | AlertState::Resolved, true) => AlertState::Pending,
                (AlertState::Pending, true) if now.millis_since(slot.since) >= for_ms => {
                    AlertState::Firing
                }
                (AlertState::Pending, false) => AlertState::Inactive,
                (AlertState::Firing, false) => AlertState::Resolved,
                // Retention over: drop from the list without a change record.
                (AlertState::Resolved, false) if now.millis_since(slot.since) >= retention_ms => {
                    AlertState::Inactive
                }
                (state, _) => state,
            };
            if matches!(from, AlertState::Pending | AlertState::Firing) || ev.active {
                slot.last = ev;
            }
            if to != from {
                if from != AlertState::Resolved || to != AlertState::Inactive {
                    moves.push((i, from, to, slot.last.summary.clone()));
                }
                slot.enter(to, now);
            }
        }

        self.update_inhibition();

        let mut changes = Vec::with_capacity(moves.len());
        let mut fresh = vec![false; RULES.len()];
        for (i, from, to, summary) in moves {
            let rule = &RULES[i];
            let slot = &mut self.slots[i];
            let notify = if rule.severity == Severity::Info {
                to == AlertState::Firing
            } else {
                to == AlertState::Firing && slot.notifiable()
            };
            if to == AlertState::Firing && rule.severity != Severity::Info {
                slot.notified = notify;
                fresh[i] = true;
            }
            changes.push(change(rule, now, from, to, summary, notify));
        }
        for (i, rule) in RULES.iter().enumerate() {
            let slot = &mut self.slots[i];
            if slot.state == AlertState::Firing && !fresh[i] && !slot.notified && slot.notifiable()
            {
                slot.notified = true;
                let summary = slot.last.summary.clone();
                changes.push(change(
                    rule,
                    now,
                    AlertState::Firing,
                    AlertState::Firing,
                    summary,
                    true,
                ));
            }
        }
        changes
    }

    fn update_inhibition(&mut self) {
        let firing: Vec<bool> = self
            .slots
            .iter()
            .map(|s| s.state == AlertState::Firing)
            .collect();
        for (i, target) in RULES.iter().enumerate() {
            let live = matches!(
                self.slots[i].state,
                AlertState::Pending | AlertState::Firing
            );
            self.slots[i].inhibited_by = if live {
                RULES
                    .iter()
                    .zip(&firing)
                    .find(|(by, on)| **on && silences(by, target))
                    .map(|(by, _)| by.id)
            } else {
                None
            };
        }
    }

    fn lookup(&self, id: &str) -> Result<usize, AlertError> {
        catalog::find(id).ok_or_else(|| AlertError::Unknown(id.to_string()))
    }

    /// Keeps the alert firing but stops reminders until it resolves. `id` is a rule id
    /// ("H1") or name ("AlpacaDisconnected").
    pub fn acknowledge(&mut self, now: Ts, id: &str) -> Result<(), AlertError> {
        let i = self.lookup(id)?;
        let (rule, slot) = (&RULES[i], &mut self.slots[i]);
        if slot.state != AlertState::Firing {
            return Err(AlertError::NotFiring {
                id: rule.id,
                name: rule.name,
                state: slot.state,
            });
        }
        if slot.acked_at.is_none() {
            slot.acked_at = Some(now);
        }
        Ok(())
    }

    /// Hides a pending or firing alert from notifications until `until`; if it is still
    /// firing then (and not acked), `evaluate` emits a reminder.
    pub fn snooze(&mut self, now: Ts, id: &str, until: Ts) -> Result<(), AlertError> {
        let i = self.lookup(id)?;
        let (rule, slot) = (&RULES[i], &mut self.slots[i]);
        if !matches!(slot.state, AlertState::Pending | AlertState::Firing) {
            return Err(AlertError::NotActive {
                id: rule.id,
                name: rule.name,
                state: slot.state,
            });
        }
        if until <= now {
            return Err(AlertError::SnoozeNotInFuture {
                id: rule.id,
                until,
                now,
            });
        }
        slot.snoozed_until = Some(until);
        Ok(())
    }

    pub fn view(&self, now: Ts) -> AlertsView {
        let retention_ms = secs_to_ms(self.cfg.resolved_retention_secs);
        let mut out = AlertsView::default();
        for (rule, slot) in RULES.iter().zip(&self.slots) {
            match slot.state {
                AlertState::Inactive => {}
                AlertState::Resolved if now.millis_since(slot.since) >= retention_ms => {}
                AlertState::Resolved => out.recently_resolved.push(view_of(rule, slot, now)),
                AlertState::Pending | AlertState::Firing => {
                    if slot.state == AlertState::Firing {
                        out.counts.add(rule.severity);
                    }
                    out.active.push(view_of(rule, slot, now));
                }
            }
        }
        for list in [&mut out.active, &mut out.recently_resolved] {
            list.sort_by(|a, b| {
                b.severity
                    .cmp(&a.severity)
                    .then(a.since.cmp(&b.since))
                    .then(a.id.cmp(&b.id))
            });
        }
        out
    }
}

fn change(
    rule: &Rule,
    at: Ts,
    from: AlertState,
    to: AlertState,
    summary: String,
    notify: bool,
) -> AlertChange {
    AlertChange {
        at,
        id: rule.id,
        name: rule.name,
        severity: rule.severity,
        source: rule.source,
        from,
        to,
        summary,
        runbook: rule.runbook,
        first_step: rule.first_step,
        notify,
    }
}

fn view_of(rule: &Rule, slot: &Slot, now: Ts) -> AlertView {
    let firing_for_ms = match (slot.state, slot.fired_at) {
        (AlertState::Firing, Some(at)) => Some(now.millis_since(at).max(0)),
        (AlertState::Resolved, Some(at)) => Some(slot.since.millis_since(at).max(0)),
        _ => None,
    };
    AlertView {
        id: rule.id.into(),
        name: rule.name.into(),
        severity: rule.severity,
        source: rule.source,
        state: slot.state,
        since: slot.since,
        firing_for_ms,
        summary: slot.last.summary.clone(),
        value: slot.last.value,
        threshold: slot.last.threshold,
        runbook: rule.runbook.map(Into::into),
        first_step: rule.first_step.into(),
        acked: slot.acked_at.is_some(),
        acked_at: slot.acked_at,
        snoozed_until: slot.snoozed_until,
        inhibited_by: slot.inhibited_by.map(Into::into),
    }
}
