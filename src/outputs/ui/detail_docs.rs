//! What a detail overlay says about each kind of target: an event whole; an alert's
//! summary, state, timeline (who did what) and its runbook procedure as numbered
//! commands with the API's real address; a transition, a breaker, a held price, a
//! cross-source discrepancy or a rejection with every field the snapshot has.

use super::detail::{Doc, Part};
use super::format;
use super::interact::DetailTarget;
use super::theme::Role;
use crate::domain::alerts::{catalog, procedures, AlertState, AlertView, Severity, RULES};
use crate::domain::event::{Event, Level};
use crate::domain::types::Ts;
use crate::engine::snapshot::Snapshot;
use rust_decimal::Decimal;

pub fn build(target: &DetailTarget, snap: &Snapshot, now: Ts, api: &str) -> Doc {
    match target {
        DetailTarget::Event(e) => event(e),
        DetailTarget::Alert(id) => alert(id, snap, now, api),
        DetailTarget::Transition(t) => {
            let line = format!("{} → {} ({})", t.from, t.to, t.reason);
            Doc {
                title: "Router transition".into(),
                parts: vec![
                    when(t.at),
                    Part::Field("From", t.from.as_str().into(), Role::Text),
                    Part::Field("To", t.to.as_str().into(), Role::Text),
                    Part::Field("Kind", kind_of(t.failover, t.failback).into(), Role::Text),
                    Part::Field("Reason", t.reason.clone(), Role::Text),
                ],
                commands: Vec::new(),
                copy: line,
            }
        }
        DetailTarget::Breaker(name) => breaker(name, snap, now, api),
        DetailTarget::SymbolBreaker(sym) => held(sym, snap, now, api),
        DetailTarget::Discrepancy(sym) => {
            let mut parts = vec![Part::Field("Symbol", sym.to_string(), Role::Text)];
            match snap
                .validation
                .discrepancies
                .iter()
                .find(|d| d.symbol == *sym)
            {
                Some(d) => parts.extend([
                    Part::Field("Alpaca", format::price(d.alpaca), Role::Text),
                    Part::Field("Yahoo", format::price(d.yahoo), Role::Text),
                    Part::Field("Apart", format!("{}%", d.delta_pct.round_dp(2)), Role::Warn),
                    Part::Field(
                        "For",
                        format::duration(now.millis_since(d.since)),
                        Role::Text,
                    ),
                ]),
                None => parts.push(Part::Text("The two sources agree again.".into(), Role::Ok)),
            }
            Doc {
                title: format!("Cross-source discrepancy · {sym}"),
                parts,
                ..Doc::default()
            }
        }
        DetailTarget::Rejection(r) => Doc {
            title: format!("Validation rejection · {}", r.symbol),
            parts: vec![
                when(r.at),
                Part::Field("Symbol", r.symbol.to_string(), Role::Text),
                Part::Field("Rule", r.rule.as_str().into(), Role::Warn),
                Part::Field("Reason", r.reason.clone(), Role::Text),
            ],
            commands: Vec::new(),
            copy: r.reason.clone(),
        },
    }
}

fn when(at: Ts) -> Part {
    let (time, date) = format::ny_clock(at);
    Part::Field(
        "Time",
        format!("{time} {date} ({})", at.to_rfc3339()),
        Role::Text,
    )
}

fn kind_of(failover: bool, failback: bool) -> &'static str {
    match (failover, failback) {
        (true, _) => "failover (Alpaca stopped serving)",
        (_, true) => "failback (back to Alpaca)",
        _ => "state change",
    }
}

fn event(e: &Event) -> Doc {
    let (label, role) = match e.level {
        Level::Info => ("INFO", Role::Text),
        Level::Warn => ("WARN", Role::Warn),
        Level::Error => ("ERROR", Role::Error),
    };
    let mut parts = vec![
        when(e.at),
        Part::Field("Level", label.into(), role),
        Part::Field("Kind", e.kind.as_str().into(), Role::Text),
    ];
    if let Some(s) = e.source {
        parts.push(Part::Field("Source", s.key().into(), Role::Text));
    }
    if let Some(s) = &e.symbol {
        parts.push(Part::Field("Symbol", s.to_string(), Role::Text));
    }
    parts.extend([Part::Blank, Part::Text(e.message.clone(), Role::Text)]);
    Doc {
        title: format!("Event · {label} {}", e.kind.as_str()),
        parts,
        commands: Vec::new(),
        copy: e.message.clone(),
    }
}

fn severity_role(s: Severity) -> Role {
    match s {
        Severity::Critical | Severity::High => Role::Error,
        Severity::Medium => Role::Warn,
        Severity::Low => Role::Accent,
        Severity::Info => Role::Muted,
    }
}

fn state_text(a: &AlertView, now: Ts) -> String {
    let since = format!("since {}", format::ny_time(a.since));
    let held = format::duration(now.millis_since(a.since));
    match a.state {
        AlertState::Firing => format!("firing for {held} ({since})"),
        AlertState::Pending => format!("pending for {held} ({since}); fires if it lasts"),
        AlertState::Resolved => match a.firing_for_ms {
            Some(ms) => format!(
                "resolved {since}, after firing for {}",
                format::duration(ms)
            ),
            None => format!("resolved {since}"),
        },
        AlertState::Inactive => "inactive".into(),
    }
}

fn alert(id: &str, snap: &Snapshot, now: Ts, api: &str) -> Doc {
    let Some(rule) = catalog::find(id).map(|i| &RULES[i]) else {
        return Doc {
            title: format!("Alert {id}"),
            ..Doc::default()
        };
    };
    let view = snap
        .alerts
        .active
        .iter()
        .chain(&snap.alerts.recently_resolved)
        .find(|a| a.id == rule.id);
    let mut parts = vec![
        Part::Field(
            "Severity",
            rule.severity.as_str().into(),
            severity_role(rule.severity),
        ),
        Part::Field(
            "Source",
            format!("{:?}", rule.source).to_lowercase(),
            Role::Text,
        ),
    ];
    match view {
        Some(a) => {
            parts.push(Part::Field(
                "State",
                state_text(a, now),
                severity_role(a.severity),
            ));
            parts.push(Part::Field("Summary", a.summary.clone(), Role::Text));
            if let (Some(v), Some(t)) = (a.value, a.threshold) {
                parts.push(Part::Field(
                    "Value",
                    format!("{v:.2} (threshold {t:.2})"),
                    Role::Text,
                ));
            }
            let mut marks = Vec::new();
            if let Some(at) = a.acked_at.filter(|_| a.acked) {
                marks.push(format!("acknowledged at {}", format::ny_time(at)));
            }
            if let Some(until) = a.snoozed_until.filter(|u| *u > now) {
                marks.push(format!("snoozed until {}", format::ny_time(until)));
            }
            if let Some(by) = &a.inhibited_by {
                marks.push(format!("silenced while {by} fires"));
            }
            if !marks.is_empty() {
                parts.push(Part::Field("Marks", marks.join("; "), Role::Muted));
            }
        }
        None => parts.push(Part::Field("State", "not active".into(), Role::Ok)),
    }
    parts.extend([Part::Blank, Part::Heading("Timeline (oldest first)".into())]);
    let mut timeline: Vec<_> = snap
        .alert_history
        .iter()
        .filter(|h| h.alert_id == rule.id)
        .take(20)
        .collect();
    timeline.reverse();
    if let Some(a) = view.filter(|a| a.state == AlertState::Pending) {
        parts.push(Part::Text(
            format!(
                "{}  pending       by engine   {}",
                format::ny_time(a.since),
                a.summary
            ),
            Role::Text,
        ));
    }
    if timeline.is_empty() && view.is_none_or(|a| a.state != AlertState::Pending) {
        parts.push(Part::Text("nothing recorded yet".into(), Role::Muted));
    }
    for h in timeline {
        parts.push(Part::Text(
            format!(
                "{}  {:<13} by {:<6}  {}",
                format::ny_time(h.at),
                h.action,
                h.actor,
                h.summary
            ),
            Role::Text,
        ));
    }
    let mut commands = Vec::new();
    parts.push(Part::Blank);
    match procedures::for_rule(rule) {
        Some(p) => {
            parts.push(Part::Heading(format!("{}: {}", p.id, p.title)));
            if !p.impact.is_empty() {
                parts.push(Part::Field("Impact", p.impact.into(), Role::Text));
                parts.push(Part::Field(
                    "Respond in",
                    p.respond_within.into(),
                    Role::Text,
                ));
            }
            for (n, step) in p.steps.iter().enumerate() {
                let cmd = step.command_for(api).map(|c| {
                    commands.push(c);
                    commands.len() - 1
                });
                parts.push(Part::Step(n + 1, step.text.into(), cmd));
            }
        }
        None => parts.push(Part::Text(
            crate::domain::alerts::runbooks::at_api(rule.first_step, Some(api)),
            Role::Text,
        )),
    }
    Doc {
        title: format!("Alert {} · {}", rule.id, rule.name),
        copy: view.map_or_else(String::new, |a| a.summary.clone()),
        parts,
        commands,
    }
}

fn breaker(name: &str, snap: &Snapshot, now: Ts, api: &str) -> Doc {
    let Some(b) = snap.breakers.iter().find(|b| b.name == name) else {
        return Doc {
            title: format!("Circuit breaker {name}"),
            ..Doc::default()
        };
    };
    let rate = b
        .failure_rate_pct
        .map_or_else(|| format::MISSING.to_string(), |p| format!("{p:.0}%"));
    let mut parts = vec![
        Part::Field(
            "State",
            format!(
                "{} for {}",
                b.state.as_str(),
                format::duration(now.millis_since(b.state_since))
            ),
            Role::Text,
        ),
        Part::Field(
            "Failures",
            format!("{rate} ({} of the last {} calls)", b.failures, b.calls),
            Role::Text,
        ),
    ];
    if let Some(at) = b.next_probe_at {
        parts.push(Part::Field(
            "Next probe",
            format!(
                "at {} (in {})",
                format::ny_time(at),
                format::countdown(at.millis_since(now).max(0))
            ),
            Role::Warn,
        ));
    }
    if let Some(n) = b.probes_left {
        parts.push(Part::Field("Probes left", n.to_string(), Role::Text));
    }
    parts.extend([
        Part::Field(
            "Trips",
            format!("{} in a row, {} since start", b.trips, b.total_trips),
            Role::Text,
        ),
        Part::Field(
            "Refused",
            format!(
                "{} calls while open, {} late answers",
                b.rejected, b.late_outcomes
            ),
            Role::Text,
        ),
    ]);
    if let Some(r) = &b.last_transition_reason {
        parts.push(Part::Field("Last change", r.clone(), Role::Text));
    }
    let cmd = format!("curl -X POST {api}/api/breakers/{name}/reset");
    parts.extend([
        Part::Blank,
        Part::Step(
            1,
            format!("Reset it by hand once the cause is fixed (or :reset {name})"),
            Some(0),
        ),
    ]);
    Doc {
        title: format!("Circuit breaker {name}"),
        parts,
        commands: vec![cmd],
        copy: String::new(),
    }
}

fn held(sym: &str, snap: &Snapshot, now: Ts, api: &str) -> Doc {
    let title = format!("Price breaker · {sym}");
    let Some(t) = snap.validation.tripped.iter().find(|t| t.symbol == sym) else {
        let parts = vec![Part::Text(
            format!("{sym}'s price breaker is no longer tripped."),
            Role::Ok,
        )];
        return Doc {
            title,
            parts,
            ..Doc::default()
        };
    };
    let moved = (!t.reference.is_zero())
        .then(|| (t.held_price - t.reference) * Decimal::ONE_HUNDRED / t.reference);
    let parts = vec![
        Part::Field("Reason", t.reason.clone(), Role::Text),
        Part::Field("Tripped", format!("{} ago, at {}", format::age(now.millis_since(t.tripped_at)), format::ny_time(t.tripped_at)), Role::Text),
        Part::Field("Reference", format::price(t.reference), Role::Text),
        Part::Field("Held", format!("{}{} · {} prints", format::price(t.held_price), moved.map(|m| format!(" ({})", format::pct(m))).unwrap_or_default(), t.held_prints), Role::Warn),
        Part::Blank,
        Part::Step(1, format!("A real move (news, earnings): accept the held price (b on the Market page, or :reset-symbol {sym})"), Some(0)),
    ];
    let cmd = format!("curl -X POST {api}/api/validation/{sym}/reset");
    Doc {
        title,
        parts,
        commands: vec![cmd],
        copy: String::new(),
    }
}
