//! Rejections: a failed rule is counted by rule and by symbol, kept in the bounded
//! list of recent failures, and logged as `Validation failed: <reason> symbol: <SYM>`
//! (rate-limited per second of receipt time; every one is still counted).

use super::rules::Failure;
use super::{RecentRejection, Rule, ValidationEvent, ValidationEventKind, Validator, Verdict};
use super::{NS_PER_SEC, RECENT_RING};
use crate::domain::event::Level;
use crate::domain::types::{Symbol, Ts};

impl Validator {
    /// Reports a non-finite number found in `field` of a message for `symbol`
    /// (see [`check_f64`]); counted like any rejection.
    pub fn record_non_finite(
        &mut self,
        now: Ts,
        idx: Option<usize>,
        symbol: &Symbol,
        field: &'static str,
        out: &mut Vec<ValidationEvent>,
    ) -> Verdict {
        match idx.filter(|&i| i < self.guards.len()) {
            Some(i) => self.reject(now, Some(i), symbol, Failure::NonFinite { field }, out),
            None => self.not_watched(now, symbol, out),
        }
    }

    #[cold]
    pub(super) fn reject(
        &mut self,
        now: Ts,
        idx: Option<usize>,
        symbol: &Symbol,
        f: Failure,
        out: &mut Vec<ValidationEvent>,
    ) -> Verdict {
        let rule = f.rule();
        self.rejected += 1;
        self.by_rule[rule.index()] += 1;
        if let Some(g) = idx.and_then(|i| self.guards.get_mut(i)) {
            g.failures += 1;
        }
        let second = now.as_nanos().div_euclid(NS_PER_SEC);
        if second != self.log_second {
            self.log_second = second;
            self.logged_in_second = 0;
        }
        if self.logged_in_second >= self.cfg.max_events_per_sec {
            self.not_logged += 1;
            return Verdict::Reject(rule);
        }
        self.logged_in_second += 1;
        let reason = f.reason();
        let mut text = format!("Validation failed: {reason} symbol: {symbol}");
        if self.not_logged > 0 {
            text.push_str(&format!(" (+{} more not logged)", self.not_logged));
            self.not_logged = 0;
        }
        self.remember(now, symbol, rule, reason);
        push_event(
            out,
            now,
            Level::Warn,
            ValidationEventKind::Rejected,
            symbol.clone(),
            rule,
            text,
        );
        Verdict::Reject(rule)
    }

    pub(super) fn remember(&mut self, at: Ts, symbol: &Symbol, rule: Rule, reason: String) {
        if self.recent.len() == RECENT_RING {
            self.recent.pop_front();
        }
        self.recent.push_back(RecentRejection {
            at,
            symbol: symbol.clone(),
            rule,
            reason,
        });
    }
}

pub(super) fn push_event(
    out: &mut Vec<ValidationEvent>,
    at: Ts,
    level: Level,
    kind: ValidationEventKind,
    symbol: Symbol,
    rule: Rule,
    text: String,
) {
    out.push(ValidationEvent {
        at,
        level,
        kind,
        symbol,
        rule,
        text,
    });
}
