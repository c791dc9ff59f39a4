//! Messages still in flight for a symbol the operator just unsubscribed. Removing a
//! symbol (`d`, `POST /api/watchlist`) is not a data-quality problem: what the server
//! had already sent, and what it sends until it processes the unsubscribe, arrives
//! after the symbol left the watchlist. Such messages are counted apart
//! (`unsubscribedInFlight`) and dropped quietly: no `Validation failed` line, not
//! counted as checked, so no validation failure, alert or SLO cost. A symbol that
//! was never subscribed, or one whose messages keep coming after the window, is still
//! `not_subscribed`.

use super::rules::Failure;
use super::{ValidationEvent, Validator, Verdict};
use crate::domain::types::{Symbol, Ts};

/// How long after an unsubscribe a symbol's messages still count as in flight, in
/// seconds of engine time (receipt time live, fixture time in a replay). Alpaca
/// answers an unsubscribe within a round trip; 5 s also covers a batch queued behind
/// a slow consumer.
pub const UNSUBSCRIBED_IN_FLIGHT_SECS: i64 = 5;

/// Unsubscribed symbols remembered at most; the oldest is forgotten first.
const UNSUBSCRIBED_KEPT: usize = 64;

impl Validator {
    /// `symbol` left the watchlist; its messages received up to `until` (usually
    /// `now` + [`UNSUBSCRIBED_IN_FLIGHT_SECS`]) are in flight, not failures.
    pub fn unsubscribed(&mut self, symbol: Symbol, until: Ts) {
        self.unsubscribed.retain(|(s, _)| *s != symbol);
        if self.unsubscribed.len() == UNSUBSCRIBED_KEPT {
            self.unsubscribed.remove(0);
        }
        self.unsubscribed.push((symbol, until));
    }

    /// A message for a symbol that is not on the watchlist: dropped quietly while
    /// it is in flight after an unsubscribe, else a `not_subscribed` failure.
    #[cold]
    pub(super) fn not_watched(
        &mut self,
        now: Ts,
        symbol: &Symbol,
        out: &mut Vec<ValidationEvent>,
    ) -> Verdict {
        self.unsubscribed.retain(|(_, until)| *until >= now);
        if self.unsubscribed.iter().any(|(s, _)| s == symbol) {
            self.unsubscribed_in_flight += 1;
            return Verdict::Dropped;
        }
        self.reject(now, None, symbol, Failure::NotSubscribed, out)
    }
}
