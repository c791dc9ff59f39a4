//! The one-pass path for msgpack frames of plain trades, quotes and bars: the same
//! slots and message building as the JSON one (`wire::scan`), filled from msgpack
//! tokens. Whatever it is not sure of (another type, a field the general reader
//! would refuse, a NaN, trailing bytes) sends the frame back to the general
//! reader, which has the errors; tests prove the two agree on what this accepts.

use super::elem::{cond_list, shortest_decimal, size, timestamp};
use super::read::{Rd, Tok};
use crate::domain::wire::scan::{build, slot, MpNum, Slot, Val, SLOTS};
use crate::domain::wire::Msg;
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;

/// A raw number as a price, as the general reader decodes it.
pub(in crate::domain::wire) fn price(n: MpNum) -> Option<Decimal> {
    match n {
        MpNum::UInt(v) => Some(Decimal::from(v)),
        MpNum::NegInt(v) => Some(Decimal::from(v)),
        MpNum::F64(v) => shortest_decimal(v),
        MpNum::F32(v) => v.is_finite().then(|| Decimal::from_f32(v))?,
    }
}

/// Parses `bytes` into `out` when every message is a plain trade, quote or bar;
/// `false` (with `out` as it was) sends the frame to the general reader.
pub(super) fn frame(bytes: &[u8], out: &mut Vec<Msg>) -> bool {
    let mark = out.len();
    let ok = frame_inner(bytes, out).is_some();
    if !ok {
        out.truncate(mark);
    }
    ok
}

fn frame_inner(bytes: &[u8], out: &mut Vec<Msg>) -> Option<()> {
    let mut rd = Rd::new(bytes);
    let Tok::Array(n) = rd.next().ok()? else {
        return None;
    };
    for _ in 0..n {
        out.push(message(&mut rd)?);
    }
    (rd.remaining() == 0).then_some(())
}

fn message(rd: &mut Rd) -> Option<Msg> {
    let Tok::Map(n) = rd.next().ok()? else {
        return None;
    };
    let mut f: [Option<Val>; SLOTS] = Default::default();
    for _ in 0..n {
        let Tok::Str(key) = rd.next().ok()? else {
            return None;
        };
        let tok = rd.next().ok()?;
        match slot(std::str::from_utf8(key).ok()?).ok()? {
            Some(s) => f[s as usize] = Some(value(rd, s, tok)?),
            None => rd.skip_contents(tok).ok()?,
        }
    }
    build(&f)
}

/// One slot's value, read as the general reader reads that field; `None` where it
/// would refuse it (or flag it, as a NaN).
fn value<'a>(rd: &mut Rd<'a>, s: Slot, tok: Tok<'a>) -> Option<Val<'a>> {
    let finite = match tok {
        Tok::F64(v) => v.is_finite(),
        Tok::F32(v) => v.is_finite(),
        _ => true,
    };
    if !finite {
        return None;
    }
    Some(match s {
        Slot::T | Slot::S | Slot::X | Slot::Z | Slot::Bx | Slot::Ax => match tok {
            Tok::Str(b) => Val::Str(std::str::from_utf8(b).ok()?),
            _ => return None,
        },
        Slot::Time => Val::Time(timestamp(tok).ok()?.ok()?),
        Slot::Sz | Slot::Bs | Slot::As | Slot::V => Val::Int(size(tok, "").ok()?),
        Slot::N => match tok {
            Tok::UInt(v) => Val::Int(i64::try_from(v).ok()?),
            _ => return None,
        },
        _ => match tok {
            Tok::UInt(v) => Val::MpNum(MpNum::UInt(v)),
            Tok::NegInt(v) => Val::MpNum(MpNum::NegInt(v)),
            Tok::F64(v) => Val::MpNum(MpNum::F64(v)),
            Tok::F32(v) => Val::MpNum(MpNum::F32(v)),
            Tok::Array(_) => Val::Conds(cond_list(rd, tok, "").ok()?),
            _ => return None,
        },
    })
}
