//! The router panel: state and time in it, the source serving prices, failover and
//! failback counts, pending timers as live countdowns, why each side is down, then the
//! recent transitions, newest first.

use super::{countdown, sep};
use crate::domain::types::Ts;
use crate::engine::snapshot::Snapshot;
use crate::outputs::ui::chrome::router_role;
use crate::outputs::ui::format;
use crate::outputs::ui::theme::{Role, Theme};
use ratatui::text::{Line, Span};

/// The panel's lines and how many of them come before the timeline.
pub(super) fn lines<'a>(snap: &'a Snapshot, now: Ts, theme: &Theme) -> (Vec<Line<'a>>, usize) {
    let r = &snap.router;
    let muted = theme.style(Role::Muted);
    let text = theme.style(Role::Text);
    let source_role = match r.current_data_source.as_ref() {
        "Alpaca" => Role::Ok,
        "Yahoo" => Role::Warn,
        _ => Role::Error,
    };
    let mut head = vec![
        Span::styled(
            r.connection_state.as_str(),
            theme.style(router_role(r.connection_state)),
        ),
        Span::styled(
            format!(" for {}", format::duration(now.millis_since(r.state_since))),
            muted,
        ),
        sep(theme),
        Span::styled("source ", muted),
        Span::styled(r.current_data_source.clone(), theme.style(source_role)),
        sep(theme),
        Span::styled("failovers ", muted),
        Span::styled(format::count(r.fallback_count), text),
    ];
    if r.manual_failovers > 0 {
        head.push(Span::styled(
            format!(" ({} forced)", format::count(r.manual_failovers)),
            muted,
        ));
    }
    head.extend([
        sep(theme),
        Span::styled("failbacks ", muted),
        Span::styled(format::count(r.failbacks), text),
    ]);
    if r.manual {
        head.push(sep(theme));
        head.push(Span::styled(
            "forced: f returns to Alpaca",
            theme.style(Role::Warn),
        ));
    }
    let mut out = vec![Line::from(head)];

    let mut timers = Vec::new();
    if let Some(at) = r.failover_due_at {
        timers.push(Span::styled(
            format!("failover {}", countdown(at, now)),
            theme.style(Role::Warn),
        ));
    }
    if let Some(at) = r.recovery_due_at {
        timers.push(Span::styled(
            format!("back to Alpaca {}", countdown(at, now)),
            theme.style(Role::Warn),
        ));
    }
    if timers.is_empty() {
        timers.push(Span::styled("no timers pending", muted));
    }
    timers.push(sep(theme));
    timers.push(Span::styled("grace ", muted));
    timers.push(Span::styled(
        format::duration(secs_to_ms(r.current_grace_period_secs)),
        text,
    ));
    timers.push(sep(theme));
    // Forced ones apart: drills do not grow the grace, and the operator should see why.
    let (n, forced) = (r.failovers_last_hour, r.manual_failovers_last_hour);
    let forced = if forced > 0 {
        format!(" (+{forced} forced)")
    } else {
        String::new()
    };
    timers.push(Span::styled(
        format!(
            "{n} failover{} in the last hour{forced}",
            if n == 1 { "" } else { "s" }
        ),
        muted,
    ));
    out.push(Line::from(timers));

    if let (false, Some(reason)) = (r.primary_healthy, r.primary_down_reason.as_deref()) {
        let since = r
            .primary_down_since
            .map(|t| format!(" {}", format::duration(now.millis_since(t))))
            .unwrap_or_default();
        out.push(Line::from(vec![
            Span::styled(format!("Alpaca down{since}: "), theme.style(Role::Error)),
            Span::styled(reason, text),
        ]));
    }
    if let (Some(false), Some(err)) = (r.fallback_healthy, r.fallback_last_error.as_deref()) {
        out.push(Line::from(vec![
            Span::styled("Yahoo down: ", theme.style(Role::Error)),
            Span::styled(err, text),
        ]));
    }
    let head = out.len();
    if r.transitions.is_empty() {
        out.push(Line::from(Span::styled(
            "no transitions since start",
            muted,
        )));
    }
    for t in r.transitions.iter().rev() {
        out.push(Line::from(vec![
            Span::styled(format::ny_time(t.at), muted),
            Span::raw("  "),
            Span::styled(t.from.as_str(), muted),
            Span::styled(" → ", muted),
            Span::styled(t.to.as_str(), theme.style(router_role(t.to))),
            Span::raw("  "),
            Span::styled(t.reason.as_str(), text),
        ]));
    }
    (out, head)
}

fn secs_to_ms(secs: u64) -> i64 {
    i64::try_from(secs)
        .unwrap_or(i64::MAX / 1_000)
        .saturating_mul(1_000)
}
