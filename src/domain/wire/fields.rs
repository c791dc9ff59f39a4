//! Field-level decoding shared by the JSON and msgpack parsers: one accumulator
//! ([`Acc`]) gathers the fields of a message in whatever order they come, then
//! [`Acc::build`] makes the typed message for its `T`. Only [`Acc::read`] (the
//! serde/JSON reader) is JSON-specific; the msgpack reader fills the same slots.
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
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use sonic_rs::LazyValue;
use std::fmt;
use std::str::FromStr;

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

impl<'de> Acc<LazyValue<'de>> {
    pub(super) fn read<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut acc = Acc::default();
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::T => {
                    let tag: CompactString = map.next_value()?;
                    acc.tag = Some(match MsgType::from_wire_tag(&tag) {
                        Some(ty) => Tag::Known(ty),
                        None => Tag::Unknown(tag),
                    });
                }
                Field::S => acc.sym = Some(map.next_value()?),
                Field::i => acc.i = Some(map.next_value()?),
                Field::c => acc.c = Some(map.next_value()?),
                Field::x => acc.x = Some(map.next_value()?),
                Field::z => acc.z = Some(map.next_value()?),
                Field::bx => acc.bx = Some(map.next_value()?),
                Field::ax => acc.ax = Some(map.next_value()?),
                Field::a => acc.a = Some(map.next_value()?),
                Field::sc => acc.sc = Some(map.next_value()?),
                Field::sm => acc.sm = Some(map.next_value()?),
                Field::rc => acc.rc = Some(map.next_value()?),
                Field::rm => acc.rm = Some(map.next_value()?),
                Field::msg => acc.msg = Some(map.next_value()?),
                Field::p => acc.p = Some(map.next_value()?),
                Field::bp => acc.bp = Some(map.next_value()?),
                Field::ap => acc.ap = Some(map.next_value()?),
                Field::o => acc.o = Some(map.next_value()?),
                Field::h => acc.h = Some(map.next_value()?),
                Field::l => acc.l = Some(map.next_value()?),
                Field::vw => acc.vw = Some(map.next_value()?),
                Field::u => acc.u = Some(map.next_value()?),
                Field::d => acc.d = Some(map.next_value()?),
                Field::op => acc.op = Some(map.next_value()?),
                Field::cp => acc.cp = Some(map.next_value()?),
                Field::s => acc.s = Some(map.next_value()?),
                Field::bs => acc.bs = Some(map.next_value()?),
                Field::as_ => acc.as_ = Some(map.next_value()?),
                Field::v => acc.v = Some(map.next_value()?),
                Field::os => acc.os = Some(map.next_value()?),
                Field::cs => acc.cs = Some(map.next_value()?),
                Field::n => acc.n = Some(map.next_value()?),
                Field::oi => acc.oi = Some(map.next_value()?),
                Field::ci => acc.ci = Some(map.next_value()?),
                Field::oc => acc.oc = Some(map.next_value::<CondList>()?.0),
                Field::cc => acc.cc = Some(map.next_value::<CondList>()?.0),
                Field::t => {
                    let TsText(ts) = map.next_value()?;
                    acc.t = Some(ts.ok_or("is not an RFC 3339 timestamp"));
                }
                Field::code => acc.code = Some(map.next_value()?),
                Field::trades => acc.subs_mut().trades = map.next_value()?,
                Field::quotes => acc.subs_mut().quotes = map.next_value()?,
                Field::bars => acc.subs_mut().bars = map.next_value()?,
                Field::updated_bars => acc.subs_mut().updated_bars = map.next_value()?,
                Field::daily_bars => acc.subs_mut().daily_bars = map.next_value()?,
                Field::statuses => acc.subs_mut().statuses = map.next_value()?,
                Field::lulds => acc.subs_mut().lulds = map.next_value()?,
                Field::corrections => acc.subs_mut().corrections = map.next_value()?,
                Field::cancel_errors => acc.subs_mut().cancel_errors = map.next_value()?,
                Field::imbalances => acc.subs_mut().imbalances = map.next_value()?,
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(acc)
    }
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

impl RawField for LazyValue<'_> {
    fn decimal(&self, field: &str) -> Result<Decimal, String> {
        decimal(self, field)
    }
    fn uint_id(&self, field: &str) -> Result<u64, String> {
        trade_id(self, field)
    }
    fn indicator(&self) -> Result<CompactString, String> {
        indicator(self)
    }
    fn conditions(&self) -> Result<Conditions, String> {
        conditions(self)
    }
}

/// A JSON number taken digit for digit.
fn decimal(raw: &LazyValue, field: &str) -> Result<Decimal, String> {
    let s = raw.as_raw_str();
    if !matches!(s.as_bytes().first(), Some(b'-' | b'0'..=b'9')) {
        return Err(format!("field {field}: expected a number, got {s}"));
    }
    Decimal::from_str(s)
        .or_else(|_| Decimal::from_scientific(s))
        .map_err(|e| format!("field {field}: {s} is not a representable decimal ({e})"))
}

fn trade_id(raw: &LazyValue, field: &str) -> Result<u64, String> {
    let s = raw.as_raw_str();
    s.parse::<u64>()
        .map_err(|_| format!("field {field}: expected an unsigned integer id, got {s}"))
}

fn indicator(raw: &LazyValue) -> Result<CompactString, String> {
    let s = raw.as_raw_str();
    sonic_rs::from_str::<CompactString>(s)
        .map_err(|_| format!("field i: expected an indicator string, got {s}"))
}

fn conditions(raw: &LazyValue) -> Result<Conditions, String> {
    let s = raw.as_raw_str();
    sonic_rs::from_str::<CondList>(s)
        .map(|c| c.0)
        .map_err(|_| format!("field c: expected an array of condition codes, got {s}"))
}

/// Condition codes joined with ',' into one inline string.
struct CondList(Conditions);

impl<'de> Deserialize<'de> for CondList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CondList, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CondList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of condition codes")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CondList, A::Error> {
                let mut out = Conditions::default();
                while let Some(code) = seq.next_element::<CompactString>()? {
                    if !out.is_empty() {
                        out.push(',');
                    }
                    out.push_str(&code);
                }
                Ok(CondList(out))
            }
        }
        d.deserialize_seq(V)
    }
}

/// A timestamp string; `None` inside when it is a string but not RFC 3339, so the
/// message (not the frame) is rejected.
struct TsText(Option<Ts>);

impl<'de> Deserialize<'de> for TsText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TsText, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TsText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TsText, E> {
                Ok(TsText(Ts::parse_rfc3339(v)))
            }
        }
        d.deserialize_str(V)
    }
}
