//! One msgpack message map into the shared field accumulator ([`Acc`]), whose
//! [`Acc::build`] makes the typed message exactly as for JSON. msgpack values are
//! self-describing, so every field is decoded as it is read; only `i`, `c` and the
//! prices wait (as [`MpRaw`]) until `T` says what they mean.

use super::read::{Bad, Rd, Tok};
use crate::domain::types::{Symbol, Ts};
use crate::domain::wire::fields::{Acc, Field, RawField, Tag, TsSlot};
use crate::domain::wire::parse::ElemIssue;
use crate::domain::wire::{Conditions, Msg, MsgType};
use compact_str::CompactString;
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;

/// Why an element failed: its own content (only it is lost) or the frame's structure.
pub(super) enum Fault {
    Msg(String),
    Frame(Bad),
}

impl From<Bad> for Fault {
    fn from(b: Bad) -> Fault {
        Fault::Frame(b)
    }
}

/// A field whose meaning depends on `T`.
#[derive(Default)]
pub(super) enum MpRaw {
    UInt(u64),
    NegInt(i64),
    F32(f32),
    F64(f64),
    Str(CompactString),
    Conds(Conditions),
    /// Any other kind, kept by name for the error message.
    Other(&'static str),
    #[default]
    Nil,
}

impl MpRaw {
    fn kind(&self) -> &'static str {
        match self {
            MpRaw::UInt(_) | MpRaw::NegInt(_) => "int",
            MpRaw::F32(_) | MpRaw::F64(_) => "float",
            MpRaw::Str(_) => "string",
            MpRaw::Conds(_) => "array",
            MpRaw::Other(k) => k,
            MpRaw::Nil => "nil",
        }
    }
}

/// The shortest decimal that reads back as `v` (ryu's digits): what the JSON
/// encoding of the same double carries, so a price sent as 228.135 is exactly 228.135
/// over either encoding. `Decimal::from_f64` is not that: it rounds at about 16
/// digits from the binary value, so 4452883.713 became 4452883.713000001.
pub(super) fn shortest_decimal(v: f64) -> Option<Decimal> {
    if !v.is_finite() {
        return None;
    }
    if let Some(d) = few_places(v) {
        return Some(d);
    }
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(v);
    let text = text.strip_suffix(".0").unwrap_or(text);
    crate::domain::wire::plain_decimal(text)
        .or_else(|| Decimal::from_scientific(text).ok())
        .or_else(|| text.parse().ok())
        .or_else(|| Decimal::from_f64(v))
}

/// Prices have few decimal places: the smallest `k` ≤ 9 whose `m / 10^k` reads back
/// as `v` is ryu's shortest form. The check is exact: with `m` below 2^53 and `10^k`
/// exact, IEEE division rounds `m / 10^k` to the double nearest it, as a parse would.
fn few_places(v: f64) -> Option<Decimal> {
    const POW10: [f64; 10] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if v == 0.0 {
        return None;
    }
    for (k, p) in POW10.iter().enumerate() {
        let m = (v * p).round();
        if m.abs() >= EXACT {
            return None;
        }
        if m / p == v {
            return Some(Decimal::new(m as i64, k as u32));
        }
    }
    None
}

impl RawField for MpRaw {
    fn decimal(&self, field: &str) -> Result<Decimal, String> {
        let (dec, finite) = match *self {
            MpRaw::UInt(v) => return Ok(Decimal::from(v)),
            MpRaw::NegInt(v) => return Ok(Decimal::from(v)),
            MpRaw::F64(v) => (shortest_decimal(v), v.is_finite()),
            MpRaw::F32(v) => (Decimal::from_f32(v), v.is_finite()),
            _ => {
                return Err(format!(
                    "field {field}: expected a number, got {}",
                    self.kind()
                ))
            }
        };
        match dec {
            Some(d) => Ok(d),
            None if !finite => Err(format!("field {field}: not a finite number")),
            None => Err(format!("field {field}: not a representable decimal")),
        }
    }

    fn uint_id(&self, field: &str) -> Result<u64, String> {
        match self {
            MpRaw::UInt(v) => Ok(*v),
            MpRaw::NegInt(v) => Err(format!(
                "field {field}: expected an unsigned integer id, got {v}"
            )),
            other => Err(format!(
                "field {field}: expected an unsigned integer id, got {}",
                other.kind()
            )),
        }
    }

    fn indicator(&self) -> Result<CompactString, String> {
        match self {
            MpRaw::Str(s) => Ok(s.clone()),
            other => Err(format!(
                "field i: expected an indicator string, got {}",
                other.kind()
            )),
        }
    }

    fn conditions(&self) -> Result<Conditions, String> {
        match self {
            MpRaw::Conds(c) => Ok(c.clone()),
            other => Err(format!(
                "field c: expected an array of condition codes, got {}",
                other.kind()
            )),
        }
    }
}

/// Reads one message map. On `Fault::Msg` the reader is left mid-element; the
/// caller rewinds and skips it.
pub(super) fn read_elem(rd: &mut Rd) -> Result<Result<Msg, ElemIssue>, Fault> {
    let n = match rd.next()? {
        Tok::Map(n) => n,
        other => {
            return Err(Fault::Msg(format!(
                "expected a message map, got {}",
                other.kind()
            )))
        }
    };
    let mut acc: Acc<MpRaw> = Acc::default();
    for _ in 0..n {
        let key = match rd.next()? {
            Tok::Str(b) => {
                std::str::from_utf8(b).map_err(|_| Fault::Msg("a key is not valid UTF-8".into()))?
            }
            other => return Err(Fault::Msg(format!("a key is a {}", other.kind()))),
        };
        let f = Field::from_key(key);
        let tok = rd.next()?;
        // A NaN/inf price or size is a validation failure of this symbol's data, not
        // a malformed message: note it, and let the element finish (build reports it).
        let non_finite = match tok {
            Tok::F64(v) => !v.is_finite(),
            Tok::F32(v) => !v.is_finite(),
            _ => false,
        };
        if non_finite {
            if let Some(label) = f.numeric_label() {
                acc.non_finite.get_or_insert(label);
                continue;
            }
        }
        match f {
            Field::T => {
                let tag = string(tok, "T")?;
                acc.tag = Some(match MsgType::from_wire_tag(&tag) {
                    Some(ty) => Tag::Known(ty),
                    None => Tag::Unknown(tag),
                });
            }
            Field::S => acc.sym = Some(string(tok, "S")?),
            Field::x => acc.x = Some(string(tok, "x")?),
            Field::z => acc.z = Some(string(tok, "z")?),
            Field::bx => acc.bx = Some(string(tok, "bx")?),
            Field::ax => acc.ax = Some(string(tok, "ax")?),
            Field::a => acc.a = Some(string(tok, "a")?),
            Field::sc => acc.sc = Some(string(tok, "sc")?),
            Field::sm => acc.sm = Some(string(tok, "sm")?),
            Field::rc => acc.rc = Some(string(tok, "rc")?),
            Field::rm => acc.rm = Some(string(tok, "rm")?),
            Field::msg => acc.msg = Some(string(tok, "msg")?),
            Field::i => acc.i = Some(raw(rd, tok, "i")?),
            Field::c => acc.c = Some(raw(rd, tok, "c")?),
            Field::p => acc.p = Some(raw(rd, tok, "p")?),
            Field::bp => acc.bp = Some(raw(rd, tok, "bp")?),
            Field::ap => acc.ap = Some(raw(rd, tok, "ap")?),
            Field::o => acc.o = Some(raw(rd, tok, "o")?),
            Field::h => acc.h = Some(raw(rd, tok, "h")?),
            Field::l => acc.l = Some(raw(rd, tok, "l")?),
            Field::vw => acc.vw = Some(raw(rd, tok, "vw")?),
            Field::u => acc.u = Some(raw(rd, tok, "u")?),
            Field::d => acc.d = Some(raw(rd, tok, "d")?),
            Field::op => acc.op = Some(raw(rd, tok, "op")?),
            Field::cp => acc.cp = Some(raw(rd, tok, "cp")?),
            Field::s => acc.s = Some(size(tok, "s")?),
            Field::bs => acc.bs = Some(size(tok, "bs")?),
            Field::as_ => acc.as_ = Some(size(tok, "as")?),
            Field::v => acc.v = Some(size(tok, "v")?),
            Field::os => acc.os = Some(size(tok, "os")?),
            Field::cs => acc.cs = Some(size(tok, "cs")?),
            Field::n => acc.n = Some(uint(tok, "n")?),
            Field::oi => acc.oi = Some(uint(tok, "oi")?),
            Field::ci => acc.ci = Some(uint(tok, "ci")?),
            Field::oc => acc.oc = Some(cond_list(rd, tok, "oc")?),
            Field::cc => acc.cc = Some(cond_list(rd, tok, "cc")?),
            Field::t => acc.t = Some(timestamp(tok)?),
            Field::code => {
                let v = uint(tok, "code")?;
                acc.code = Some(
                    u16::try_from(v)
                        .map_err(|_| Fault::Msg(format!("field code: {v} is out of range")))?,
                );
            }
            Field::trades => acc.subs_mut().trades = symbols(rd, tok, "trades")?,
            Field::quotes => acc.subs_mut().quotes = symbols(rd, tok, "quotes")?,
            Field::bars => acc.subs_mut().bars = symbols(rd, tok, "bars")?,
            Field::updated_bars => acc.subs_mut().updated_bars = symbols(rd, tok, "updatedBars")?,
            Field::daily_bars => acc.subs_mut().daily_bars = symbols(rd, tok, "dailyBars")?,
            Field::statuses => acc.subs_mut().statuses = symbols(rd, tok, "statuses")?,
            Field::lulds => acc.subs_mut().lulds = symbols(rd, tok, "lulds")?,
            Field::corrections => acc.subs_mut().corrections = symbols(rd, tok, "corrections")?,
            Field::cancel_errors => {
                acc.subs_mut().cancel_errors = symbols(rd, tok, "cancelErrors")?
            }
            Field::imbalances => acc.subs_mut().imbalances = symbols(rd, tok, "imbalances")?,
            Field::Other => rd.skip_contents(tok)?,
        }
    }
    Ok(acc.build())
}

fn wrong(field: &str, want: &str, got: Tok) -> Fault {
    Fault::Msg(format!(
        "field {field}: expected {want}, got {}",
        got.kind()
    ))
}

fn string(tok: Tok, field: &str) -> Result<CompactString, Fault> {
    match tok {
        Tok::Str(b) => std::str::from_utf8(b)
            .map(CompactString::from)
            .map_err(|_| Fault::Msg(format!("field {field}: string is not valid UTF-8"))),
        other => Err(wrong(field, "a string", other)),
    }
}

fn raw<'a>(rd: &mut Rd<'a>, tok: Tok<'a>, field: &str) -> Result<MpRaw, Fault> {
    Ok(match tok {
        Tok::UInt(v) => MpRaw::UInt(v),
        Tok::NegInt(v) => MpRaw::NegInt(v),
        Tok::F32(v) => MpRaw::F32(v),
        Tok::F64(v) => MpRaw::F64(v),
        Tok::Str(_) => MpRaw::Str(string(tok, field)?),
        Tok::Array(_) => MpRaw::Conds(cond_list(rd, tok, field)?),
        Tok::Nil => MpRaw::Nil,
        other => {
            rd.skip_contents(other)?;
            MpRaw::Other(other.kind())
        }
    })
}

/// A size or volume: any integer that fits i64, or a float with no fraction.
pub(super) fn size(tok: Tok, field: &str) -> Result<i64, Fault> {
    let f = match tok {
        Tok::UInt(v) => return i64::try_from(v).map_err(|_| out_of_range(field, v)),
        Tok::NegInt(v) => return Ok(v),
        Tok::F32(v) => f64::from(v),
        Tok::F64(v) => v,
        other => return Err(wrong(field, "an integer", other)),
    };
    // ±2^63 are exact doubles, so the bounds check is exact.
    const TWO_POW_63: f64 = 9.223_372_036_854_776e18;
    if f.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&f) {
        Ok(f as i64)
    } else {
        Err(Fault::Msg(format!(
            "field {field}: {f} is not a whole number of shares"
        )))
    }
}

fn out_of_range(field: &str, v: u64) -> Fault {
    Fault::Msg(format!("field {field}: {v} is out of range"))
}

fn uint(tok: Tok, field: &str) -> Result<u64, Fault> {
    match tok {
        Tok::UInt(v) => Ok(v),
        other => Err(wrong(field, "an unsigned integer", other)),
    }
}

/// The items of an array of strings, each passed to `each`.
fn strings(rd: &mut Rd, tok: Tok, field: &str, mut each: impl FnMut(&str)) -> Result<(), Fault> {
    let Tok::Array(n) = tok else {
        return Err(wrong(field, "an array of strings", tok));
    };
    for _ in 0..n {
        let item = rd.next()?;
        match item {
            Tok::Str(b) => each(
                std::str::from_utf8(b)
                    .map_err(|_| Fault::Msg(format!("field {field}: string is not valid UTF-8")))?,
            ),
            other => {
                return Err(Fault::Msg(format!(
                    "field {field}: expected an array of strings, found {} in it",
                    other.kind()
                )))
            }
        }
    }
    Ok(())
}

pub(super) fn cond_list(rd: &mut Rd, tok: Tok, field: &str) -> Result<Conditions, Fault> {
    let mut out = Conditions::default();
    strings(rd, tok, field, |code| {
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(code);
    })?;
    Ok(out)
}

fn symbols(rd: &mut Rd, tok: Tok, field: &str) -> Result<Vec<Symbol>, Fault> {
    let mut out = Vec::new();
    strings(rd, tok, field, |s| out.push(Symbol::from(s)))?;
    Ok(out)
}

const NANOS_PER_SEC: i64 = 1_000_000_000;

/// `t`: a timestamp extension (-1) of any width, or (tolerated) an RFC 3339 string.
pub(super) fn timestamp(tok: Tok) -> Result<TsSlot, Fault> {
    match tok {
        Tok::Ext(-1, data) => Ok(ext_timestamp(data).ok_or("is not a valid msgpack timestamp")),
        Tok::Str(_) => {
            Ok(Ts::parse_rfc3339(&string(tok, "t")?).ok_or("is not an RFC 3339 timestamp"))
        }
        other => Err(wrong("t", "a timestamp", other)),
    }
}

/// Decodes the payload of timestamp32/64/96; `None` for another length, a
/// nanosecond field of a second or more, or an instant outside `Ts`'s range.
pub(super) fn ext_timestamp(data: &[u8]) -> Option<Ts> {
    let (secs, nanos) = match data.len() {
        4 => (i64::from(u32::from_be_bytes(data.try_into().ok()?)), 0u32),
        8 => {
            let v = u64::from_be_bytes(data.try_into().ok()?);
            ((v & 0x3_ffff_ffff) as i64, (v >> 34) as u32)
        }
        12 => {
            let nanos = u32::from_be_bytes(data.get(..4)?.try_into().ok()?);
            (i64::from_be_bytes(data.get(4..)?.try_into().ok()?), nanos)
        }
        _ => return None,
    };
    if i64::from(nanos) >= NANOS_PER_SEC {
        return None;
    }
    secs.checked_mul(NANOS_PER_SEC)?
        .checked_add(i64::from(nanos))
        .map(Ts)
}
