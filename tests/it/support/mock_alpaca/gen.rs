//! Synthetic trades and quotes for `push_trades`: Alpaca-shaped messages for a
//! session's subscribed symbols, cheap enough for throughput tests.

use super::subs::{Channel, SubscriptionSet};
use std::collections::HashMap;
use std::fmt::Write;

/// What a `*` subscription generates data for.
const WILDCARD_SYMBOLS: [&str; 5] = ["AAPL", "MSFT", "NVDA", "AMZN", "SPY"];
const EXCHANGES: [&str; 6] = ["V", "P", "Q", "Z", "K", "D"];

pub struct TapeGen {
    rng: u64,
    next_trade_id: u64,
    next_symbol: usize,
    price_cents: HashMap<String, i64>,
    last_ts_nanos: i64,
}

impl Default for TapeGen {
    fn default() -> Self {
        TapeGen {
            rng: 0x9E37_79B9_7F4A_7C15,
            next_trade_id: 1,
            next_symbol: 0,
            price_cents: HashMap::new(),
            last_ts_nanos: 0,
        }
    }
}

impl TapeGen {
    fn next_u64(&mut self) -> u64 {
        // xorshift64*: deterministic and good enough for made-up prices.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// One frame of up to `count` messages, or `None` when the session subscribed
    /// no trades or quotes.
    pub fn frame(&mut self, subs: &SubscriptionSet, count: usize) -> Option<String> {
        let mut symbols: Vec<&str> = subs.trade_quote_symbols();
        if symbols.contains(&"*") {
            symbols.retain(|s| *s != "*");
            for s in WILDCARD_SYMBOLS {
                if !symbols.contains(&s) {
                    symbols.push(s);
                }
            }
        }
        if symbols.is_empty() || count == 0 {
            return None;
        }
        let mut out = String::with_capacity(count * 160);
        out.push('[');
        for k in 0..count {
            if k > 0 {
                out.push(',');
            }
            let sym = symbols[self.next_symbol % symbols.len()];
            self.next_symbol = self.next_symbol.wrapping_add(1);
            let trade = match (
                subs.covers(Channel::Trades, sym),
                subs.covers(Channel::Quotes, sym),
            ) {
                (true, true) => self.below(2) == 0,
                (t, _) => t,
            };
            if trade {
                self.write_trade(&mut out, sym);
            } else {
                self.write_quote(&mut out, sym);
            }
        }
        out.push(']');
        Some(out)
    }

    fn step_price(&mut self, sym: &str) -> i64 {
        let base = 5_000 + (fnv1a(sym) % 45_000) as i64;
        let step = self.below(7) as i64 - 3;
        let p = self.price_cents.entry(sym.to_owned()).or_insert(base);
        *p = (*p + step).max(100);
        *p
    }

    /// Strictly rising, so every message has its own timestamp.
    fn timestamp(&mut self) -> String {
        let now = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0);
        self.last_ts_nanos = now.max(self.last_ts_nanos + 1);
        chrono::DateTime::from_timestamp_nanos(self.last_ts_nanos)
            .format("%Y-%m-%dT%H:%M:%S%.9fZ")
            .to_string()
    }

    fn write_trade(&mut self, out: &mut String, sym: &str) {
        let price = self.step_price(sym);
        let id = self.next_trade_id;
        self.next_trade_id += 1;
        let x = EXCHANGES[self.below(EXCHANGES.len() as u64) as usize];
        let size = 1 + self.below(300);
        let cond = if size < 100 {
            r#"["@","I"]"#
        } else {
            r#"["@"]"#
        };
        let ts = self.timestamp();
        let _ = write!(
            out,
            r#"{{"T":"t","S":"{sym}","i":{id},"x":"{x}","p":{},"s":{size},"c":{cond},"z":"C","t":"{ts}"}}"#,
            dollars(price)
        );
    }

    fn write_quote(&mut self, out: &mut String, sym: &str) {
        let mid = self.step_price(sym);
        let bid = mid - 1 - self.below(2) as i64;
        let ask = mid + 1 + self.below(2) as i64;
        let bx = EXCHANGES[self.below(EXCHANGES.len() as u64) as usize];
        let ax = EXCHANGES[self.below(EXCHANGES.len() as u64) as usize];
        let (bs, az) = (1 + self.below(9), 1 + self.below(9));
        let ts = self.timestamp();
        let _ = write!(
            out,
            r#"{{"T":"q","S":"{sym}","bx":"{bx}","bp":{},"bs":{bs},"ax":"{ax}","ap":{},"as":{az},"c":["R"],"z":"C","t":"{ts}"}}"#,
            dollars(bid),
            dollars(ask)
        );
    }
}

/// Cents as Alpaca prints prices: shortest form, so whole dollars are JSON integers.
fn dollars(cents: i64) -> String {
    match cents % 100 {
        0 => format!("{}", cents / 100),
        c if c % 10 == 0 => format!("{}.{}", cents / 100, c / 10),
        c => format!("{}.{c:02}", cents / 100),
    }
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
