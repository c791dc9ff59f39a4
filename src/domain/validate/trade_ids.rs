//! The trade-id rules' memory per symbol: duplicates (the same exchange and id
//! again) and out-of-order prints (an older id with an older time on the same
//! exchange), in fixed-size arrays so checking never allocates.

use super::rules::Failure;
use crate::domain::types::Ts;

/// How many recent (exchange, id) pairs per symbol a duplicate is looked for in.
pub(crate) const ID_RING: usize = 8;
/// Slots for the newest id per exchange: 'A'..='Z', and one for anything else.
const EXCHANGE_SLOTS: usize = 27;

/// Per-symbol trade-id memory: a ring of the last [`ID_RING`] ids (duplicates) and
/// the newest (id, timestamp) per exchange (out-of-order). Fixed size: no
/// allocation after construction.
#[derive(Clone, Debug)]
pub(crate) struct TradeIds {
    ring: [(u8, u64); ID_RING],
    next: usize,
    newest: [(u64, Ts); EXCHANGE_SLOTS],
}

impl Default for TradeIds {
    fn default() -> Self {
        TradeIds {
            ring: [(0, 0); ID_RING],
            next: 0,
            newest: [(0, Ts::ZERO); EXCHANGE_SLOTS],
        }
    }
}

/// The exchange code's first byte when it is a single uppercase letter (Alpaca's
/// codes are), else 0.
#[inline]
pub(crate) fn exchange_code(exchange: &str) -> u8 {
    match exchange.as_bytes() {
        [c] if c.is_ascii_uppercase() => *c,
        _ => 0,
    }
}

#[inline]
fn slot(exchange: u8) -> usize {
    if exchange.is_ascii_uppercase() {
        usize::from(exchange - b'A')
    } else {
        EXCHANGE_SLOTS - 1
    }
}

impl TradeIds {
    /// Checks an id without remembering it. Id 0 means "no id" and is not checked.
    #[inline]
    pub(crate) fn check(
        &self,
        exchange: u8,
        id: u64,
        ts: Ts,
        check_order: bool,
    ) -> Option<Failure> {
        if id == 0 {
            return None;
        }
        if self.ring.contains(&(exchange, id)) {
            return Some(Failure::DuplicateId { id, exchange });
        }
        let (newest_id, newest_ts) = self.newest[slot(exchange)];
        // Lower id *and* earlier time: an old print arriving after newer ones. A
        // lower id with a later time is an id reset (a new session), not disorder.
        if check_order && id < newest_id && ts < newest_ts {
            return Some(Failure::OutOfOrderId {
                id,
                newest_id,
                exchange,
            });
        }
        None
    }

    #[inline]
    pub(crate) fn remember(&mut self, exchange: u8, id: u64, ts: Ts) {
        if id == 0 {
            return;
        }
        self.ring[self.next] = (exchange, id);
        self.next = (self.next + 1) % ID_RING;
        let newest = &mut self.newest[slot(exchange)];
        if id > newest.0 || ts > newest.1 {
            *newest = (id, ts);
        }
    }
}
