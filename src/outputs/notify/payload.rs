//! The bodies notifications carry, pure: the Slack-compatible webhook JSON (`text` for
//! clients that read only that, one coloured attachment with the runbook fields) and
//! the JSON an exec hook reads on stdin.

use super::Notification;
use crate::domain::alerts::{AlertChange, AlertState, Severity};
use serde_json::{json, Value};

/// Slack's attachment colours, by severity.
fn colour(s: Severity, to: AlertState) -> &'static str {
    if to == AlertState::Resolved {
        return "#2eb886";
    }
    match s {
        Severity::Critical => "#d00000",
        Severity::High => "#e8590c",
        Severity::Medium => "#f2c744",
        Severity::Low => "#439fe0",
        Severity::Info => "#999999",
    }
}

/// One line a person reads first, in Slack, a pager or a log.
pub fn headline(n: &Notification) -> String {
    match n {
        Notification::Alert {
            change: c,
            reminder,
        } => {
            let state = if *reminder {
                "still firing"
            } else {
                c.to.as_str()
            };
            format!(
                "[{}] {} {} {state}: {}",
                c.severity, c.id, c.name, c.summary
            )
        }
        Notification::Suppressed {
            count,
            since,
            until,
        } => format!(
            "tapewatch: {count} notifications suppressed by the rate limit between {} and {}",
            since.to_rfc3339(),
            until.to_rfc3339()
        ),
    }
}

fn alert_attachment(c: &AlertChange, text: &str) -> Value {
    let mut fields = vec![
        json!({"title": "Severity", "value": c.severity.as_str(), "short": true}),
        json!({"title": "State", "value": c.to.as_str(), "short": true}),
        json!({"title": "Source", "value": c.source, "short": true}),
    ];
    if let Some(r) = c.runbook {
        fields.push(json!({"title": "Runbook", "value": r, "short": true}));
    }
    fields.push(json!({"title": "First step", "value": c.first_step, "short": false}));
    json!({
        "fallback": text,
        "color": colour(c.severity, c.to),
        "title": format!("{} {}", c.id, c.name),
        "text": c.summary,
        "fields": fields,
        "footer": "tapewatch",
        "ts": c.at.as_millis().div_euclid(1_000),
    })
}

/// The webhook body: `{"text": ..., "attachments": [...]}`.
pub fn slack_json(n: &Notification) -> Value {
    let text = headline(n);
    match n {
        Notification::Alert { change, .. } => json!({
            "text": text,
            "attachments": [alert_attachment(change, &text)],
        }),
        Notification::Suppressed { .. } => json!({ "text": text }),
    }
}

/// The exec hook's stdin: `{"type": "alert", "text", "reminder", "alert": {...}}` or
/// `{"type": "suppressed", "text", "count", "since", "until"}`.
pub fn exec_json(n: &Notification) -> Value {
    let text = headline(n);
    match n {
        Notification::Alert { change, reminder } => json!({
            "type": "alert",
            "text": text,
            "reminder": reminder,
            "alert": change,
        }),
        Notification::Suppressed {
            count,
            since,
            until,
        } => json!({
            "type": "suppressed",
            "text": text,
            "count": count,
            "since": since,
            "until": until,
        }),
    }
}
