//! Field-level decoding shared by the JSON and msgpack parsers: one accumulator
//! ([`Acc`]) gathers the fields of a message in whatever order they come, then
//! [`Acc::build`] makes the typed message for its `T`. Only `Acc::read` (the
//! serde/JSON reader, in `json_fields`) is JSON-specific; the msgpack reader fills
//! the same slots.
//!
//! `i` and `c` mean different things in different messages (trade id vs LULD
//! indicator, conditions vs bar close), and `T` need not come first, so those two
//! and every price are kept raw (type `R`: a JSON slice, or a msgpack scalar) and
//! decoded through [`RawField`] once the type is known. JSON prices come from the
//! frame's own digits, so `126.55` is exactly 126.55.

use super::parse::ElemIssue;
use super::{
    Bar, BarKind, CancelError, Conditions, Correction, Imbalance, Luld, Msg, MsgType, Quote,
    Subscription, Trade, TradingStatus,
};
use crate::domain::types::{Symbol, Ts};
use compact_str::CompactString;
use rust_decimal::Decimal;
use serde::de::{self, Deserialize, Deserializer, Visitor};
use std::fmt;

pub(super) enum Tag {
    Known(MsgType),
    Unknown(CompactString),
}

macro_rules! fields {
    ($($variant:ident = $key:literal),* $(,)?) => {
        #[allow(non_camel_case_types)]
        pub(super) enum Field { $($variant,)* Other }
        impl Field {
            /// The words for a price or size field, as a validation reason names it.
            pub(super) fn numeric_label(&self) -> Option<&'static str> {
                Some(match self {
                    Field::p => "price",
                    Field::bp => "bid price",
                    Field::ap => "ask price",
                    Field::o => "open",
                    Field::h => "high",
                    Field::l => "low",
                    Field::c => "close",
                    Field::vw => "vwap",
                    Field::s => "size",
                    Field::bs => "bid size",
                    Field::as_ => "ask size",
                    Field::v => "volume",
                    _ => return None,
                })
            }
            pub(super) fn from_key(k: &str) -> Field {
                match k { $($key => Field::$variant,)* _ => Field::Other }
            }
        }
        struct FieldVisitor;
        impl<'de> Visitor<'de> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                Ok(Field::from_key(v))
            }
        }
        impl<'de> Deserialize<'de> for Field {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Field, D::Error> {
                d.deserialize_identifier(FieldVisitor)
            }
        }
    };
}

#[rustfmt::skip]
fields! {
    T = "T", S = "S", i = "i", x = "x", p = "p", s = "s", c = "c",
    t = "t", z = "z", bx = "bx", bp = "bp", bs = "bs",
    ax = "ax", ap = "ap", as_ = "as", o = "o", h = "h",
    l = "l", v = "v", vw = "vw", n = "n", sc = "sc", sm = "sm",
    rc = "rc", rm = "rm", u = "u", d = "d", oi = "oi",
    op = "op", os = "os", oc = "oc", ci = "ci",
    cp = "cp", cs = "cs", cc = "cc", a = "a",
    msg = "msg", code = "code", trades = "trades",
    quotes = "quotes", bars = "bars", updated_bars = "updatedBars",
    daily_bars = "dailyBars", statuses = "statuses", lulds = "lulds",
    corrections = "corrections", cancel_errors = "cancelErrors", imbalances = "imbalances",
}

/// A field kept undecoded until the message type is known.
pub(super) trait RawField {
    fn decimal(&self, field: &str) -> Result<Decimal, String>;
    fn uint_id(&self, field: &str) -> Result<u64, String>;
    fn indicator(&self) -> Result<CompactString, String>;
    fn conditions(&self) -> Result<Conditions, String>;
}

/// Why `t` did not decode, completing "field t ...": the message is lost, not the frame.
pub(super) type TsSlot = Result<Ts, &'static str>;

/// Every field any message type can carry.
#[derive(Default)]
pub(super) struct Acc<R> {
    pub(super) tag: Option<Tag>,
    pub(super) sym: Option<Symbol>,
    pub(super) i: Option<R>,
    pub(super) c: Option<R>,
    pub(super) x: Option<CompactString>,
    pub(super) z: Option<CompactString>,
    pub(super) bx: Option<CompactString>,
    pub(super) ax: Option<CompactString>,
    pub(super) a: Option<CompactString>,
    pub(super) sc: Option<CompactString>,
    pub(super) sm: Option<CompactString>,
    pub(super) rc: Option<CompactString>,
    pub(super) rm: Option<CompactString>,
    pub(super) msg: Option<CompactString>,
    pub(super) p: Option<R>,
    pub(super) bp: Option<R>,
    pub(super) ap: Option<R>,
    pub(super) o: Option<R>,
    pub(super) h: Option<R>,
    pub(super) l: Option<R>,
    pub(super) vw: Option<R>,
    pub(super) u: Option<R>,
    pub(super) d: Option<R>,
    pub(super) op: Option<R>,
    pub(super) cp: Option<R>,
    pub(super) s: Option<i64>,
    pub(super) bs: Option<i64>,
    pub(super) as_: Option<i64>,
    pub(super) v: Option<i64>,
    pub(super) os: Option<i64>,
    pub(super) cs: Option<i64>,
    pub(super) n: Option<u64>,
    pub(super) oi: Option<u64>,
    pub(super) ci: Option<u64>,
    pub(super) oc: Option<Conditions>,
    /// The first price or size field that held NaN or infinity.
    pub(super) non_finite: Option<&'static str>,
    pub(super) cc: Option<Conditions>,
    pub(super) t: Option<TsSlot>,
    pub(super) code: Option<u16>,
    pub(super) subs: Option<Box<Subscription>>,
}

impl<R> Acc<R> {
    pub(super) fn subs_mut(&mut self) -> &mut Subscription {
        self.subs.get_or_insert_with(Default::default)
    }
}

impl<R: RawField> Acc<R> {
    /// The message for the gathered `T`, or why this one element is lost.
    pub(super) fn build(self) -> Result<Msg, ElemIssue> {
        match self.tag {
            None => Err(ElemIssue::Invalid("missing field T".into())),
            Some(Tag::Unknown(ref t)) => Err(ElemIssue::Unknown(t.clone())),
            Some(Tag::Known(_)) if self.non_finite.is_some() => Err(ElemIssue::NonFinite {
                symbol: self.sym,
                field: self.non_finite.unwrap_or("number"),
            }),
            Some(Tag::Known(ty)) => self.finish(ty).map_err(ElemIssue::Invalid),
        }
    }

    /// Builds the message for `ty`, naming the first missing or invalid field.
    fn finish(self, ty: MsgType) -> Result<Msg, String> {
        let tag = ty.wire_tag();
        let miss = |f: &str| format!("T={tag}: missing field {f}");
        macro_rules! req {
            ($field:ident, $name:literal) => {
                self.$field.clone().ok_or_else(|| miss($name))?
            };
        }
        macro_rules! price {
            ($field:ident, $name:literal) => {
                self.$field
                    .as_ref()
                    .ok_or_else(|| miss($name))?
                    .decimal($name)?
            };
        }
        let ts = |t: &Option<TsSlot>| -> Result<Ts, String> {
            match t {
                None => Err(miss("t")),
                Some(Ok(ts)) => Ok(*ts),
                Some(Err(why)) => Err(format!("T={tag}: field t {why}")),
            }
        };
        let code = |f: &Option<CompactString>| f.clone().unwrap_or_default();
        // `c` holds conditions only in trades and quotes (in bars it is the close).
        let conds = || -> Result<Conditions, String> {
            Ok(self
                .c
                .as_ref()
                .map(R::conditions)
                .transpose()?
                .unwrap_or_default())
        };
        Ok(match ty {
            MsgType::Trade => Msg::Trade(Trade {
                symbol: req!(sym, "S"),
                id: self.i.as_ref().ok_or_else(|| miss("i"))?.uint_id("i")?,
                exchange: code(&self.x),
                price: price!(p, "p"),
                size: req!(s, "s"),
                conditions: conds()?,
                ts: ts(&self.t)?,
                tape: code(&self.z),
            }),
            MsgType::Quote => Msg::Quote(Quote {
                symbol: req!(sym, "S"),
                bid_exchange: code(&self.bx),
                bid_price: price!(bp, "bp"),
                bid_size: req!(bs, "bs"),
                ask_exchange: code(&self.ax),
                ask_price: price!(ap, "ap"),
                ask_size: req!(as_, "as"),
                conditions: conds()?,
                ts: ts(&self.t)?,
                tape: code(&self.z),
            }),
            MsgType::Bar | MsgType::DailyBar | MsgType::UpdatedBar => Msg::Bar(Bar {
                kind: match ty {
                    MsgType::DailyBar => BarKind::Daily,
                    MsgType::UpdatedBar => BarKind::Updated,
                    _ => BarKind::Minute,
                },
                symbol: req!(sym, "S"),
                open: price!(o, "o"),
                high: price!(h, "h"),
                low: price!(l, "l"),
                close: price!(c, "c"),
                volume: req!(v, "v"),
                ts: ts(&self.t)?,
                trade_count: self.n,
                vwap: self.vw.as_ref().map(|r| r.decimal("vw")).transpose()?,
            }),
            MsgType::Status => Msg::Status(TradingStatus {
                symbol: req!(sym, "S"),
                status_code: req!(sc, "sc"),
                status_message: code(&self.sm),
                reason_code: code(&self.rc),
                reason_message: code(&self.rm),
                ts: ts(&self.t)?,
                tape: code(&self.z),
            }),
            MsgType::Luld => Msg::Luld(Luld {
                symbol: req!(sym, "S"),
                limit_up: price!(u, "u"),
                limit_down: price!(d, "d"),
                indicator: self
                    .i
                    .as_ref()
                    .map(R::indicator)
                    .transpose()?
                    .unwrap_or_default(),
                ts: ts(&self.t)?,
                tape: code(&self.z),
            }),
            MsgType::Correction => Msg::Correction(Correction {
                symbol: req!(sym, "S"),
                exchange: code(&self.x),
                orig_id: req!(oi, "oi"),
                orig_price: price!(op, "op"),
                orig_size: req!(os, "os"),
                orig_conditions: self.oc.clone().unwrap_or_default(),
                corr_id: req!(ci, "ci"),
                corr_price: price!(cp, "cp"),
                corr_size: req!(cs, "cs"),
                corr_conditions: self.cc.clone().unwrap_or_default(),
                ts: ts(&self.t)?,
                tape: code(&self.z),
            }),
            MsgType::CancelError => Msg::CancelError(CancelError {
                symbol: req!(sym, "S"),
                id: self.i.as_ref().ok_or_else(|| miss("i"))?.uint_id("i")?,
                exchange: code(&self.x),
                price: price!(p, "p"),
                size: req!(s, "s"),
                action: req!(a, "a"),
                ts: ts(&self.t)?,
                tape: code(&self.z),
            }),
            MsgType::Imbalance => Msg::Imbalance(Imbalance {
                symbol: req!(sym, "S"),
                price: price!(p, "p"),
                ts: ts(&self.t)?,
                tape: code(&self.z),
            }),
            MsgType::Success => Msg::Success {
                msg: code(&self.msg),
            },
            MsgType::Error => Msg::Error {
                code: req!(code, "code"),
                msg: code(&self.msg),
            },
            MsgType::Subscription => Msg::Subscription(*self.subs.unwrap_or_default()),
        })
    }
}
