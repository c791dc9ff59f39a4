//! The validation panel: success rate and counts (and, once there are any, messages
//! dropped in flight after an unsubscribe), failures per rule (non-zero only), what the
//! sale-condition tables kept off Last (once there is any), stale symbols, then the
//! last few rejections, newest first.

use super::sep;
use crate::engine::snapshot::Snapshot;
use crate::outputs::ui::format;
use crate::outputs::ui::theme::{Role, Theme};
use ratatui::text::{Line, Span};

/// Rejections listed while the panel does not have the keys; the API has the full ring.
const RECENT_SHOWN: usize = 5;
/// Below this success rate the figure is painted `warn`.
const SUCCESS_WARN_PCT: f64 = 99.0;

/// The panel's lines and how many rejections end it (`all`: every kept one, else
/// the last few).
pub(super) fn lines<'a>(snap: &'a Snapshot, theme: &Theme, all: bool) -> (Vec<Line<'a>>, usize) {
    let v = &snap.validation;
    let muted = theme.style(Role::Muted);
    let text = theme.style(Role::Text);
    let rate_role = if v.success_rate_pct < SUCCESS_WARN_PCT {
        Role::Warn
    } else {
        Role::Ok
    };
    let mut out = vec![Line::from(vec![
        Span::styled("success ", muted),
        Span::styled(
            format!("{:.2}%", v.success_rate_pct),
            theme.style(rate_role),
        ),
        sep(theme),
        Span::styled(format::count(v.total), text),
        Span::styled(" checked", muted),
        sep(theme),
        Span::styled(format::count(v.rejected), text),
        Span::styled(" rejected", muted),
        sep(theme),
        Span::styled(format::count(v.held), text),
        Span::styled(" held", muted),
        sep(theme),
        Span::styled(format::count(v.locked_quotes), text),
        Span::styled(" locked quotes", muted),
    ])];

    let mut by_rule = vec![Span::styled("by rule ", muted)];
    for (rule, n) in v.by_rule.iter().filter(|(_, n)| **n > 0) {
        if by_rule.len() > 1 {
            by_rule.push(sep(theme));
        }
        by_rule.push(Span::styled(rule.clone(), text));
        by_rule.push(Span::styled(
            format!(" {}", format::count(*n)),
            theme.style(Role::Warn),
        ));
    }
    if by_rule.len() == 1 {
        by_rule.push(Span::styled("no failures", muted));
    }
    out.push(Line::from(by_rule));
    // Not failures (the operator removed the symbol): muted, and only once there are any.
    if v.unsubscribed_in_flight > 0 {
        out.push(Line::from(vec![
            Span::styled(format::count(v.unsubscribed_in_flight), text),
            Span::styled(" in flight after unsubscribe (not failures)", muted),
        ]));
    }
    if let Some(line) = tape_line(snap, theme) {
        out.push(line);
    }
    if !v.stale.is_empty() {
        let list: Vec<String> = v
            .stale
            .iter()
            .map(|s| format!("{} {}", s.symbol, format::age(s.age_ms)))
            .collect();
        out.push(Line::from(vec![
            Span::styled("stale ", theme.style(Role::Stale)),
            Span::styled(list.join(", "), text),
        ]));
    }
    let shown = if all {
        v.recent.len()
    } else {
        RECENT_SHOWN.min(v.recent.len())
    };
    for r in v.recent.iter().rev().take(shown) {
        out.push(Line::from(vec![
            Span::styled(format::ny_time(r.at), muted),
            Span::raw(" "),
            Span::styled(
                format!("{:<6}", r.symbol.as_str()),
                theme.style(Role::Accent),
            ),
            Span::raw(" "),
            Span::styled(r.reason.as_str(), text),
        ]));
    }
    (out, shown)
}

/// Prints kept off Last by their conditions or their time, summed over the watchlist:
/// not failures, so muted, and only the counts that are not zero (short, so the line
/// fits a narrow panel).
fn tape_line<'a>(snap: &Snapshot, theme: &Theme) -> Option<Line<'a>> {
    let mut n = [0u64; 5];
    for t in snap.watchlist.iter().map(|v| &v.tape) {
        n[0] += t.non_eligible;
        n[1] += t.late;
        n[2] += t.unknown_condition;
        n[3] += t.corrected + t.cancelled;
        n[4] += t.non_firm_quotes;
    }
    let labels = [
        " not last",
        " late",
        " unknown code",
        " amended",
        " non-firm",
    ];
    let muted = theme.style(Role::Muted);
    let mut spans = vec![Span::styled("tape ", muted)];
    for (count, label) in n.iter().zip(labels).filter(|(c, _)| **c > 0) {
        if spans.len() > 1 {
            spans.push(sep(theme));
        }
        spans.push(Span::styled(format::count(*count), theme.style(Role::Text)));
        spans.push(Span::styled(label, muted));
    }
    (spans.len() > 1).then(|| Line::from(spans))
}
