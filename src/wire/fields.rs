//! Field-level decoding for the JSON parser: one accumulator ([`Acc`]) gathers the
//! fields of a message object in whatever order they come, then [`Acc::finish`]
//! builds the typed message for its `T`.
//!
//! `i` and `c` mean different things in different messages (trade id vs LULD
//! indicator, conditions vs bar close), and `T` need not come first, so those two
//! and every price are kept as raw JSON slices and decoded once the type is known.
//! Prices come from the frame's own digits, so `126.55` is exactly 126.55.

use super::{
    Bar, BarKind, CancelError, Conditions, Correction, Imbalance, Luld, Msg, MsgType, Quote,
    Subscription, Trade, TradingStatus,
};
use crate::types::{Symbol, Ts};
use compact_str::CompactString;
use rust_decimal::Decimal;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use sonic_rs::LazyValue;
use std::fmt;
use std::str::FromStr;

pub(crate) enum Tag {
    Known(MsgType),
    Unknown(CompactString),
}

macro_rules! fields {
    ($($variant:ident = $key:literal),* $(,)?) => {
        #[allow(non_camel_case_types)]
        enum Field { $($variant,)* Other }
        struct FieldVisitor;
        impl<'de> Visitor<'de> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                Ok(match v { $($key => Field::$variant,)* _ => Field::Other })
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

type Raw<'de> = Option<LazyValue<'de>>;

/// Every field any message type can carry.
#[derive(Default)]
pub(crate) struct Acc<'de> {
    pub(crate) tag: Option<Tag>,
    sym: Option<Symbol>,
    i: Raw<'de>,
    c: Raw<'de>,
    x: Option<CompactString>,
    z: Option<CompactString>,
    bx: Option<CompactString>,
    ax: Option<CompactString>,
    a: Option<CompactString>,
    sc: Option<CompactString>,
    sm: Option<CompactString>,
    rc: Option<CompactString>,
    rm: Option<CompactString>,
    msg: Option<CompactString>,
    p: Raw<'de>,
    bp: Raw<'de>,
    ap: Raw<'de>,
    o: Raw<'de>,
    h: Raw<'de>,
    l: Raw<'de>,
    vw: Raw<'de>,
    u: Raw<'de>,
    d: Raw<'de>,
    op: Raw<'de>,
    cp: Raw<'de>,
    s: Option<i64>,
    bs: Option<i64>,
    as_: Option<i64>,
    v: Option<i64>,
    os: Option<i64>,
    cs: Option<i64>,
    n: Option<u64>,
    oi: Option<u64>,
    ci: Option<u64>,
    oc: Option<CondList>,
    cc: Option<CondList>,
    t: Option<TsText>,
    code: Option<u16>,
    subs: Option<Box<Subscription>>,
}

impl<'de> Acc<'de> {
    pub(crate) fn read<A: MapAccess<'de>>(mut map: A) -> Result<Acc<'de>, A::Error> {
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
                Field::oc => acc.oc = Some(map.next_value()?),
                Field::cc => acc.cc = Some(map.next_value()?),
                Field::t => acc.t = Some(map.next_value()?),
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

    fn subs_mut(&mut self) -> &mut Subscription {
        self.subs.get_or_insert_with(Default::default)
    }

    /// Builds the message for `ty`, naming the first missing or invalid field.
    pub(crate) fn finish(self, ty: MsgType) -> Result<Msg, String> {
        let tag = ty.wire_tag();
        let miss = |f: &str| format!("T={tag}: missing field {f}");
        macro_rules! req {
            ($field:ident, $name:literal) => {
                self.$field.clone().ok_or_else(|| miss($name))?
            };
        }
        macro_rules! price {
            ($field:ident, $name:literal) => {
                decimal(self.$field.as_ref().ok_or_else(|| miss($name))?, $name)?
            };
        }
        let ts = |t: &Option<TsText>| -> Result<Ts, String> {
            match t {
                None => Err(miss("t")),
                Some(TsText(Some(ts))) => Ok(*ts),
                Some(TsText(None)) => Err(format!("T={tag}: field t is not an RFC 3339 timestamp")),
            }
        };
        let code = |f: &Option<CompactString>| f.clone().unwrap_or_default();
        // `c` holds conditions only in trades and quotes (in bars it is the close).
        let conds = || -> Result<Conditions, String> {
            Ok(self
                .c
                .as_ref()
                .map(conditions)
                .transpose()?
                .unwrap_or_default())
        };
        Ok(match ty {
            MsgType::Trade => Msg::Trade(Trade {
                symbol: req!(sym, "S"),
                id: trade_id(self.i.as_ref().ok_or_else(|| miss("i"))?, "i")?,
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
                vwap: self.vw.as_ref().map(|r| decimal(r, "vw")).transpose()?,
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
                    .map(indicator)
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
                orig_conditions: self.oc.clone().map(|c| c.0).unwrap_or_default(),
                corr_id: req!(ci, "ci"),
                corr_price: price!(cp, "cp"),
                corr_size: req!(cs, "cs"),
                corr_conditions: self.cc.clone().map(|c| c.0).unwrap_or_default(),
                ts: ts(&self.t)?,
                tape: code(&self.z),
            }),
            MsgType::CancelError => Msg::CancelError(CancelError {
                symbol: req!(sym, "S"),
                id: trade_id(self.i.as_ref().ok_or_else(|| miss("i"))?, "i")?,
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
#[derive(Clone)]
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
