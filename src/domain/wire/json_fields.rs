//! The JSON side of the field accumulator: [`Acc::read`] fills an [`Acc`] from a
//! serde map (sonic-rs), keeping `i`, `c` and every price as raw JSON slices, and
//! [`RawField`] decodes those slices once the message type is known. Prices come
//! from the frame's own digits, so `126.55` is exactly 126.55.

use super::fields::{Acc, Field, RawField, Tag};
use super::{Conditions, MsgType};
use crate::domain::types::Ts;
use compact_str::CompactString;
use rust_decimal::Decimal;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use sonic_rs::LazyValue;
use std::fmt;
use std::str::FromStr;

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
