//! The Alpaca Market Data v2 stream wire model: typed messages with the field
//! names Alpaca sends, and the frame parser ([`parse`]) that turns a text frame
//! into them. Prices are exact decimals taken from the frame's own digits.

pub mod depth;
mod fields;
mod json_fields;
pub mod msgpack;
pub mod parse;
pub(super) mod scan;
pub(crate) use scan::digits::plain_decimal;

use crate::domain::types::{Symbol, Ts};
use rust_decimal::Decimal;
use serde::Serialize;

pub use parse::{
    parse_frame, parse_frame_into, parse_plain, FrameError, ParseIssue, ParseLimits, ParsedFrame,
};

/// Trade and quote condition codes, joined with ',' (codes are single characters in
/// practice, so this stays inline and allocation-free).
pub type Conditions = compact_str::CompactString;
/// Exchange and tape codes.
pub type Code = compact_str::CompactString;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trade {
    pub symbol: Symbol,
    pub id: u64,
    pub exchange: Code,
    pub price: Decimal,
    pub size: i64,
    pub conditions: Conditions,
    pub ts: Ts,
    pub tape: Code,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Quote {
    pub symbol: Symbol,
    pub bid_exchange: Code,
    pub bid_price: Decimal,
    pub bid_size: i64,
    pub ask_exchange: Code,
    pub ask_price: Decimal,
    pub ask_size: i64,
    pub conditions: Conditions,
    pub ts: Ts,
    pub tape: Code,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum BarKind {
    /// `b`: minute bar.
    Minute,
    /// `d`: daily bar.
    Daily,
    /// `u`: a minute bar corrected by late trades.
    Updated,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bar {
    pub kind: BarKind,
    pub symbol: Symbol,
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub close: Decimal,
    pub volume: i64,
    pub ts: Ts,
    pub trade_count: Option<u64>,
    pub vwap: Option<Decimal>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TradingStatus {
    pub symbol: Symbol,
    pub status_code: Code,
    pub status_message: compact_str::CompactString,
    pub reason_code: Code,
    pub reason_message: compact_str::CompactString,
    pub ts: Ts,
    pub tape: Code,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Luld {
    pub symbol: Symbol,
    pub limit_up: Decimal,
    pub limit_down: Decimal,
    pub indicator: Code,
    pub ts: Ts,
    pub tape: Code,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Correction {
    pub symbol: Symbol,
    pub exchange: Code,
    pub orig_id: u64,
    pub orig_price: Decimal,
    pub orig_size: i64,
    pub orig_conditions: Conditions,
    pub corr_id: u64,
    pub corr_price: Decimal,
    pub corr_size: i64,
    pub corr_conditions: Conditions,
    pub ts: Ts,
    pub tape: Code,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CancelError {
    pub symbol: Symbol,
    pub id: u64,
    pub exchange: Code,
    pub price: Decimal,
    pub size: i64,
    /// `C` cancel, `E` error.
    pub action: Code,
    pub ts: Ts,
    pub tape: Code,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Imbalance {
    pub symbol: Symbol,
    pub price: Decimal,
    pub ts: Ts,
    pub tape: Code,
}

/// The server's statement of what is subscribed: always the full set, never a delta.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Subscription {
    pub trades: Vec<Symbol>,
    pub quotes: Vec<Symbol>,
    pub bars: Vec<Symbol>,
    pub updated_bars: Vec<Symbol>,
    pub daily_bars: Vec<Symbol>,
    pub statuses: Vec<Symbol>,
    pub lulds: Vec<Symbol>,
    pub corrections: Vec<Symbol>,
    pub cancel_errors: Vec<Symbol>,
    pub imbalances: Vec<Symbol>,
}

impl Subscription {
    /// Every symbol named on any channel, sorted and de-duplicated.
    pub fn all_symbols(&self) -> Vec<Symbol> {
        let mut v: Vec<Symbol> = [
            &self.trades,
            &self.quotes,
            &self.bars,
            &self.updated_bars,
            &self.daily_bars,
            &self.statuses,
            &self.lulds,
            &self.corrections,
            &self.cancel_errors,
            &self.imbalances,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
        v.sort();
        v.dedup();
        v
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Msg {
    Trade(Trade),
    Quote(Quote),
    Bar(Bar),
    Status(TradingStatus),
    Luld(Luld),
    Correction(Correction),
    CancelError(CancelError),
    Imbalance(Imbalance),
    /// `{"T":"success","msg":"connected"|"authenticated"}`
    Success {
        msg: compact_str::CompactString,
    },
    /// `{"T":"error","code":402,"msg":"auth failed"}`
    Error {
        code: u16,
        msg: compact_str::CompactString,
    },
    Subscription(Subscription),
}

/// Every message type, as a dense index for per-type counters on the hot path.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum MsgType {
    Trade,
    Quote,
    Bar,
    DailyBar,
    UpdatedBar,
    Status,
    Luld,
    Correction,
    CancelError,
    Imbalance,
    Success,
    Error,
    Subscription,
}

impl MsgType {
    pub const ALL: [MsgType; 13] = [
        MsgType::Trade,
        MsgType::Quote,
        MsgType::Bar,
        MsgType::DailyBar,
        MsgType::UpdatedBar,
        MsgType::Status,
        MsgType::Luld,
        MsgType::Correction,
        MsgType::CancelError,
        MsgType::Imbalance,
        MsgType::Success,
        MsgType::Error,
        MsgType::Subscription,
    ];

    /// The `T` value Alpaca uses for this type.
    pub const fn wire_tag(self) -> &'static str {
        match self {
            MsgType::Trade => "t",
            MsgType::Quote => "q",
            MsgType::Bar => "b",
            MsgType::DailyBar => "d",
            MsgType::UpdatedBar => "u",
            MsgType::Status => "s",
            MsgType::Luld => "l",
            MsgType::Correction => "c",
            MsgType::CancelError => "x",
            MsgType::Imbalance => "i",
            MsgType::Success => "success",
            MsgType::Error => "error",
            MsgType::Subscription => "subscription",
        }
    }

    pub fn from_wire_tag(tag: &str) -> Option<MsgType> {
        Some(match tag {
            "t" => MsgType::Trade,
            "q" => MsgType::Quote,
            "b" => MsgType::Bar,
            "d" => MsgType::DailyBar,
            "u" => MsgType::UpdatedBar,
            "s" => MsgType::Status,
            "l" => MsgType::Luld,
            "c" => MsgType::Correction,
            "x" => MsgType::CancelError,
            "i" => MsgType::Imbalance,
            "success" => MsgType::Success,
            "error" => MsgType::Error,
            "subscription" => MsgType::Subscription,
            _ => return None,
        })
    }

    pub const fn index(self) -> usize {
        self as usize
    }

    /// Data messages (as opposed to control messages).
    pub const fn is_data(self) -> bool {
        !matches!(
            self,
            MsgType::Success | MsgType::Error | MsgType::Subscription
        )
    }
}

impl Msg {
    pub fn msg_type(&self) -> MsgType {
        match self {
            Msg::Trade(_) => MsgType::Trade,
            Msg::Quote(_) => MsgType::Quote,
            Msg::Bar(b) => match b.kind {
                BarKind::Minute => MsgType::Bar,
                BarKind::Daily => MsgType::DailyBar,
                BarKind::Updated => MsgType::UpdatedBar,
            },
            Msg::Status(_) => MsgType::Status,
            Msg::Luld(_) => MsgType::Luld,
            Msg::Correction(_) => MsgType::Correction,
            Msg::CancelError(_) => MsgType::CancelError,
            Msg::Imbalance(_) => MsgType::Imbalance,
            Msg::Success { .. } => MsgType::Success,
            Msg::Error { .. } => MsgType::Error,
            Msg::Subscription(_) => MsgType::Subscription,
        }
    }

    pub fn symbol(&self) -> Option<&Symbol> {
        match self {
            Msg::Trade(m) => Some(&m.symbol),
            Msg::Quote(m) => Some(&m.symbol),
            Msg::Bar(m) => Some(&m.symbol),
            Msg::Status(m) => Some(&m.symbol),
            Msg::Luld(m) => Some(&m.symbol),
            Msg::Correction(m) => Some(&m.symbol),
            Msg::CancelError(m) => Some(&m.symbol),
            Msg::Imbalance(m) => Some(&m.symbol),
            Msg::Success { .. } | Msg::Error { .. } | Msg::Subscription(_) => None,
        }
    }
}

#[cfg(test)]
mod bad_input_tests;
#[cfg(test)]
mod tests;
