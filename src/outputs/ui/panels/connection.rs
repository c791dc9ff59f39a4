//! The connection panel: the Alpaca stream (state, feed, subscriptions, last message,
//! failures, reconnects, the live retry countdown or the fatal stop) beside the Yahoo
//! fallback (health, polling, last good answer, last error, 404s).

use super::{countdown, kv, sep};
use crate::domain::types::Ts;
use crate::engine::snapshot::Snapshot;
use crate::messages::LinkState;
use crate::outputs::ui::chrome::link_role;
use crate::outputs::ui::format;
use crate::outputs::ui::theme::{Role, Theme};
use ratatui::text::{Line, Span};

/// (Alpaca lines, Yahoo lines), each most important first.
pub(super) fn lines<'a>(
    snap: &'a Snapshot,
    now: Ts,
    theme: &Theme,
) -> (Vec<Line<'a>>, Vec<Line<'a>>) {
    (alpaca(snap, now, theme), yahoo(snap, now, theme))
}

fn alpaca<'a>(snap: &'a Snapshot, now: Ts, theme: &Theme) -> Vec<Line<'a>> {
    let a = &snap.alpaca;
    let mut head = vec![
        Span::styled("Alpaca ", theme.style(Role::Accent)),
        Span::styled(a.state.as_str(), theme.style(link_role(a.state))),
    ];
    if let Some(since) = a.state_since {
        head.push(Span::styled(
            format!(" for {}", format::duration(now.millis_since(since))),
            theme.style(Role::Muted),
        ));
    }
    if !a.feed.is_empty() {
        head.push(sep(theme));
        head.extend(kv("feed ", a.feed.clone(), theme));
    }
    let mut out = vec![Line::from(head)];
    // What happens next comes right after the state: it is what the operator waits for.
    if let Some(fatal) = &a.fatal {
        out.push(Line::from(vec![
            Span::styled("stopped: ", theme.style(Role::Error)),
            Span::styled(fatal.as_str(), theme.style(Role::Text)),
            Span::styled(" · press r to reconnect", theme.style(Role::Muted)),
        ]));
    } else if let Some(at) = a.next_retry_at.filter(|_| a.state != LinkState::Subscribed) {
        out.push(Line::from(vec![
            Span::styled(
                format!("retry {}", countdown(at, now)),
                theme.style(Role::Warn),
            ),
            Span::styled(
                format!(" (attempt {})", a.reconnect_attempts + 1),
                theme.style(Role::Muted),
            ),
        ]));
    }
    let last = match a.last_message_at {
        Some(t) => format!("{} ago", format::age(now.millis_since(t))),
        None => "none yet".to_string(),
    };
    let mut second = kv("subscribed ", a.subscribed_symbols.len().to_string(), theme).to_vec();
    second.push(sep(theme));
    second.extend(kv("last message ", last, theme));
    out.push(Line::from(second));
    let failures_role = if a.consecutive_failures > 0 {
        Role::Warn
    } else {
        Role::Text
    };
    out.push(Line::from(vec![
        Span::styled("failures in a row ", theme.style(Role::Muted)),
        Span::styled(
            a.consecutive_failures.to_string(),
            theme.style(failures_role),
        ),
        sep(theme),
        Span::styled("reconnects ", theme.style(Role::Muted)),
        Span::styled(format::count(a.reconnect_attempts), theme.style(Role::Text)),
    ]));
    if let Some(err) = a.last_error.as_deref().filter(|_| a.fatal.is_none()) {
        out.push(Line::from(vec![
            Span::styled("last error ", theme.style(Role::Muted)),
            Span::styled(err, theme.style(Role::Warn)),
        ]));
    }
    out
}

fn yahoo<'a>(snap: &'a Snapshot, now: Ts, theme: &Theme) -> Vec<Line<'a>> {
    let y = &snap.yahoo;
    let (health, role) = match y.healthy {
        Some(true) => ("healthy", Role::Ok),
        Some(false) => ("unhealthy", Role::Error),
        None => ("not tried yet", Role::Muted),
    };
    let mut head = vec![
        Span::styled("Yahoo ", theme.style(Role::Accent)),
        Span::styled(health, theme.style(role)),
    ];
    if !y.polling.is_empty() {
        head.push(sep(theme));
        head.push(Span::styled("polling ", theme.style(Role::Muted)));
        // Active polling means Yahoo is serving prices: worth noticing.
        let role = if y.polling == "active" {
            Role::Warn
        } else {
            Role::Text
        };
        head.push(Span::styled(y.polling.clone(), theme.style(role)));
    }
    let mut out = vec![Line::from(head)];
    let last_ok = match y.last_ok_at {
        Some(t) => format!("{} ago", format::age(now.millis_since(t))),
        None => "never".to_string(),
    };
    let mut second = kv("last ok ", last_ok, theme).to_vec();
    second.push(sep(theme));
    second.extend(kv("responses ", format::count(y.responses), theme));
    out.push(Line::from(second));
    let failures_role = if y.consecutive_failures > 0 {
        Role::Warn
    } else {
        Role::Text
    };
    out.push(Line::from(vec![
        Span::styled("failures in a row ", theme.style(Role::Muted)),
        Span::styled(
            y.consecutive_failures.to_string(),
            theme.style(failures_role),
        ),
        sep(theme),
        Span::styled("total ", theme.style(Role::Muted)),
        Span::styled(format::count(y.failures), theme.style(Role::Text)),
    ]));
    if let Some(err) = &y.last_error {
        out.push(Line::from(vec![
            Span::styled("last error ", theme.style(Role::Muted)),
            Span::styled(err.as_str(), theme.style(Role::Warn)),
        ]));
    }
    if !y.not_found.is_empty() {
        let names: Vec<&str> = y.not_found.iter().map(|s| s.as_str()).collect();
        out.push(Line::from(vec![
            Span::styled("not found ", theme.style(Role::Muted)),
            Span::styled(names.join(", "), theme.style(Role::Warn)),
        ]));
    }
    out
}
