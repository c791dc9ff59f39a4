//! The conditions behind the catalogue's rules: one function per rule turning
//! [`Signals`] and the thresholds into a verdict with the measured value and a
//! summary a person can read.

use super::{AlertConfig, Signals};

/// One rule's verdict for one tick.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Eval {
    pub active: bool,
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    /// How long `active` must hold before firing; 0 fires at once.
    pub for_secs: u64,
    pub summary: String,
}

impl Eval {
    fn new(
        active: bool,
        value: Option<f64>,
        threshold: Option<f64>,
        for_secs: u64,
        summary: String,
    ) -> Eval {
        Eval {
            active,
            value,
            threshold,
            for_secs,
            summary,
        }
    }
}

fn flag(active: bool, for_secs: u64, summary: String) -> Eval {
    Eval::new(active, None, None, for_secs, summary)
}

/// `value op threshold`; a missing measurement is never active.
fn measured(
    value: Option<f64>,
    threshold: f64,
    for_secs: u64,
    active: impl Fn(f64) -> bool,
    summary: impl Fn(f64) -> String,
) -> Eval {
    match value {
        Some(v) => Eval::new(active(v), Some(v), Some(threshold), for_secs, summary(v)),
        None => Eval::new(
            false,
            None,
            Some(threshold),
            for_secs,
            "no measurement".into(),
        ),
    }
}

fn count_above(count: u32, threshold: u32, summary: String) -> Eval {
    Eval::new(
        count > threshold,
        Some(f64::from(count)),
        Some(f64::from(threshold)),
        0,
        summary,
    )
}

fn cmp_word(active: bool, above: &'static str, below: &'static str) -> &'static str {
    if active {
        above
    } else {
        below
    }
}

fn latency(v: Option<f64>, limit_ms: f64, for_secs: u64) -> Eval {
    measured(
        v,
        limit_ms,
        for_secs,
        |v| v > limit_ms,
        |v| {
            format!(
                "P95 latency {:.1} s {} {:.1} s",
                v / 1000.0,
                cmp_word(v > limit_ms, ">", "≤"),
                limit_ms / 1000.0
            )
        },
    )
}

fn pct_above(what: &str, v: Option<f64>, limit: f64, for_secs: u64) -> Eval {
    measured(
        v,
        limit,
        for_secs,
        |v| v > limit,
        |v| {
            format!(
                "{what} {v:.1}% {} {limit:.1}%",
                cmp_word(v > limit, ">", "≤")
            )
        },
    )
}

/// At most ten names, then "and N more", so a bad minute cannot make a huge summary.
fn name_list(names: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut out = names
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        out.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    out
}

fn list(active: bool, names: &[String], what: &str, for_secs: u64) -> Eval {
    let summary = if names.is_empty() {
        format!("no {what}")
    } else {
        format!("{} {what}: {}", names.len(), name_list(names))
    };
    Eval::new(
        active,
        Some(names.len() as f64),
        Some(0.0),
        for_secs,
        summary,
    )
}

pub(super) fn c1(s: &Signals, c: &AlertConfig) -> Eval {
    let summary = if s.both_sources_unavailable {
        "router BOTH_UNAVAILABLE: no Alpaca stream and no Yahoo data"
    } else {
        "at least one data source available"
    };
    flag(
        s.both_sources_unavailable,
        c.both_unavailable_for_secs,
        summary.into(),
    )
}
pub(super) fn c2(s: &Signals, c: &AlertConfig) -> Eval {
    latency(
        s.p95_latency_ms,
        c.extreme_latency_p95_ms,
        c.extreme_latency_for_secs,
    )
}
pub(super) fn c3(s: &Signals, c: &AlertConfig) -> Eval {
    pct_above(
        "memory used",
        s.memory_used_pct,
        c.memory_used_pct,
        c.memory_for_secs,
    )
}
pub(super) fn c4(s: &Signals, c: &AlertConfig) -> Eval {
    let (n, limit) = (s.consecutive_auth_failures, c.auth_failures_consecutive);
    let summary = format!(
        "{n} consecutive Alpaca authentication failures {} {limit}",
        cmp_word(n >= limit, "≥", "<")
    );
    Eval::new(
        n >= limit,
        Some(f64::from(n)),
        Some(f64::from(limit)),
        0,
        summary,
    )
}
pub(super) fn h1(s: &Signals, c: &AlertConfig) -> Eval {
    let summary = if s.alpaca_connected {
        "Alpaca stream connected"
    } else {
        "Alpaca stream disconnected (fallback active)"
    };
    flag(!s.alpaca_connected, c.disconnected_for_secs, summary.into())
}
pub(super) fn h2(s: &Signals, c: &AlertConfig) -> Eval {
    latency(
        s.p95_latency_ms,
        c.high_latency_p95_ms,
        c.high_latency_for_secs,
    )
}
pub(super) fn h3(s: &Signals, c: &AlertConfig) -> Eval {
    pct_above(
        "validation failure rate",
        s.validation_failure_rate_pct,
        c.validation_failure_rate_pct,
        c.validation_failure_for_secs,
    )
}
pub(super) fn m1(s: &Signals, c: &AlertConfig) -> Eval {
    let (n, limit) = (s.failovers_last_hour, c.failovers_per_hour);
    count_above(
        n,
        limit,
        format!("{n} failovers in the last hour (limit {limit})"),
    )
}
pub(super) fn m2(s: &Signals, c: &AlertConfig) -> Eval {
    pct_above(
        "upstream error rate",
        s.error_rate_pct,
        c.error_rate_pct,
        c.error_rate_for_secs,
    )
}
pub(super) fn m3(s: &Signals, c: &AlertConfig) -> Eval {
    let (n, limit) = (s.discrepant_symbols, c.discrepant_symbols);
    count_above(
        n,
        limit,
        format!("{n} symbols differ > 5% between sources (limit {limit})"),
    )
}
pub(super) fn l1(s: &Signals, c: &AlertConfig) -> Eval {
    let limit = c.slo_budget_remaining_pct;
    let mut e = measured(
        s.slo_budget_remaining_pct,
        limit,
        0,
        |v| v < limit,
        |v| {
            format!(
                "worst SLO error budget {v:.1}% left {} {limit:.1}%",
                cmp_word(v < limit, "<", "≥")
            )
        },
    );
    // A multi-window burn spends the budget within days even while plenty is left.
    if let (false, Some(burn)) = (e.active, s.slo_burning.as_ref()) {
        e.active = true;
        e.summary = format!("{burn}; {}", e.summary);
    }
    e
}
pub(super) fn l2(s: &Signals, c: &AlertConfig) -> Eval {
    let (n, limit) = (s.reconnections_last_hour, c.reconnections_per_hour);
    count_above(
        n,
        limit,
        format!("{n} reconnections in the last hour (limit {limit})"),
    )
}
pub(super) fn i1(s: &Signals, _: &AlertConfig) -> Eval {
    flag(s.alpaca_recovered, 0, "Alpaca stream recovered".into())
}
pub(super) fn i2(s: &Signals, _: &AlertConfig) -> Eval {
    let t = s.router_transition.as_deref();
    flag(
        t.is_some(),
        0,
        format!("router state transition: {}", t.unwrap_or("none")),
    )
}
pub(super) fn i3(s: &Signals, _: &AlertConfig) -> Eval {
    let t = s.subscription_changed.as_deref();
    flag(
        t.is_some(),
        0,
        format!("subscription changed: {}", t.unwrap_or("none")),
    )
}
pub(super) fn x1(s: &Signals, c: &AlertConfig) -> Eval {
    let active = s.market_open && !s.stale_symbols.is_empty();
    list(
        active,
        &s.stale_symbols,
        "symbols stale while the market is open",
        c.stale_for_secs,
    )
}
fn breakers(s: &Signals, yahoo: bool) -> Vec<String> {
    let prefix = crate::domain::types::Source::Yahoo.key();
    s.open_breakers
        .iter()
        .filter(|b| b.starts_with(prefix) == yahoo)
        .cloned()
        .collect()
}
/// Every breaker not named yahoo*, so an upstream added later is not silently ignored.
pub(super) fn x2(s: &Signals, _: &AlertConfig) -> Eval {
    let open = breakers(s, false);
    list(!open.is_empty(), &open, "upstream breakers open", 0)
}
pub(super) fn x3(s: &Signals, _: &AlertConfig) -> Eval {
    let open = breakers(s, true);
    list(!open.is_empty(), &open, "upstream breakers open", 0)
}
pub(super) fn x4(s: &Signals, _: &AlertConfig) -> Eval {
    list(
        !s.tripped_symbols.is_empty(),
        &s.tripped_symbols,
        "symbol price breakers tripped",
        0,
    )
}
pub(super) fn x5(s: &Signals, c: &AlertConfig) -> Eval {
    let limit = c.rate_limit_used_pct;
    let used = &s.rate_limit_used_pct;
    let worst = used.iter().map(|(_, p)| *p).reduce(f64::max);
    let over: Vec<String> = used
        .iter()
        .filter(|(_, p)| *p > limit)
        .map(|(u, p)| format!("{u} {p:.0}%"))
        .collect();
    let summary = if over.is_empty() {
        format!("every upstream at or under {limit:.0}% of its rate limit")
    } else {
        format!("rate limit above {limit:.0}% used: {}", name_list(&over))
    };
    Eval::new(!over.is_empty(), worst, Some(limit), 0, summary)
}
pub(super) fn x6(s: &Signals, c: &AlertConfig) -> Eval {
    pct_above("daily loss", s.daily_loss_pct, c.daily_loss_warn_pct, 0)
}
pub(super) fn x7(s: &Signals, c: &AlertConfig) -> Eval {
    pct_above("daily loss", s.daily_loss_pct, c.daily_loss_critical_pct, 0)
}
pub(super) fn x8(s: &Signals, c: &AlertConfig) -> Eval {
    let limit = c.concentration_pct;
    let Some((sym, v)) = &s.max_concentration_pct else {
        return Eval::new(false, None, Some(limit), 0, "no positions".into());
    };
    let summary = format!(
        "{sym} is {v:.1}% of equity {} {limit:.1}%",
        cmp_word(*v > limit, ">", "≤")
    );
    Eval::new(*v > limit, Some(*v), Some(limit), 0, summary)
}
