//! The fast path of the JSON frame parser: one pass over a frame of plain trades,
//! quotes and bars, straight from bytes to [`Msg`]s, with prices and timestamps taken
//! from their digits. It accepts only what it is sure of (see below) and answers
//! `false` for anything else, and the caller then parses the frame with the general
//! path ([`super::parse`], sonic-rs through serde), which has the errors, the limits
//! and every message type. So this path never has to explain a bad frame, only to
//! recognise a good one.
//!
//! Why it exists: the general path costs about 7,200 instructions per message
//! (callgrind, `parse/mixed_x8`), mostly serde's generic machinery around a large
//! field accumulator; the data that arrives by the million is three flat shapes.
//!
//! Accepted: a JSON array of objects of `t`, `q`, `b`, `d` or `u` messages whose
//! strings are printable ASCII without escapes, whose numbers are plain JSON
//! numbers, and whose only nested values are arrays of such strings. Every field
//! the general path knows but these types do not use, every unexpected value type,
//! a missing field, or bad JSON sends the frame back. Tests prove that whatever
//! this path accepts, the general path parses to the same messages with no issue.

use super::fields::Field;
use super::{Bar, BarKind, Conditions, Msg, Quote, Trade};
use crate::domain::types::{Symbol, Ts};
use digits::{decimal, int, timestamp, uint};

/// A scalar or a conditions array, as a slice of the frame (JSON), or already
/// decoded (msgpack, see `msgpack::fast`).
#[derive(Clone)]
pub(super) enum Val<'a> {
    Str(&'a str),
    Num(&'a str),
    /// The text between the brackets of an array of plain strings.
    Arr(&'a str),
    /// `true`, `false` or `null`.
    Lit,
    /// A size, volume or count, checked where it was read.
    Int(i64),
    /// A msgpack number in a field read raw (prices, `i`, a bar's `c`).
    MpNum(MpNum),
    /// A msgpack conditions array, joined.
    Conds(Conditions),
    /// A msgpack timestamp.
    Time(Ts),
}

/// A msgpack number as it came: prices decode it once the type is known.
#[derive(Copy, Clone)]
pub(super) enum MpNum {
    UInt(u64),
    NegInt(i64),
    F64(f64),
    F32(f32),
}

#[derive(Copy, Clone)]
#[repr(usize)]
pub(super) enum Slot {
    T,
    S,
    I,
    X,
    P,
    Sz,
    C,
    Time,
    Z,
    Bx,
    Bp,
    Bs,
    Ax,
    Ap,
    As,
    O,
    H,
    L,
    V,
    Vw,
    N,
}
pub(super) const SLOTS: usize = Slot::N as usize + 1;

/// The slot for a key; `Err` for a key the general path knows but these types don't.
pub(super) fn slot(key: &str) -> Result<Option<Slot>, ()> {
    Ok(Some(match Field::from_key(key) {
        Field::T => Slot::T,
        Field::S => Slot::S,
        Field::i => Slot::I,
        Field::x => Slot::X,
        Field::p => Slot::P,
        Field::s => Slot::Sz,
        Field::c => Slot::C,
        Field::t => Slot::Time,
        Field::z => Slot::Z,
        Field::bx => Slot::Bx,
        Field::bp => Slot::Bp,
        Field::bs => Slot::Bs,
        Field::ax => Slot::Ax,
        Field::ap => Slot::Ap,
        Field::as_ => Slot::As,
        Field::o => Slot::O,
        Field::h => Slot::H,
        Field::l => Slot::L,
        Field::v => Slot::V,
        Field::vw => Slot::Vw,
        Field::n => Slot::N,
        Field::Other => return Ok(None),
        _ => return Err(()),
    }))
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }
    fn eat(&mut self, b: u8) -> Option<()> {
        self.ws();
        (self.peek()? == b).then(|| self.pos += 1)
    }
    /// A string of printable ASCII without escapes, its quotes stripped.
    fn string(&mut self) -> Option<&'a str> {
        self.ws();
        let bytes = self.text.as_bytes();
        if bytes.get(self.pos) != Some(&b'"') {
            return None;
        }
        let start = self.pos + 1;
        let mut i = start;
        loop {
            match *bytes.get(i)? {
                b'"' => break,
                b'\\' | 0..=0x1f | 0x7f..=0xff => return None,
                _ => i += 1,
            }
        }
        self.pos = i + 1;
        self.text.get(start..i)
    }
    /// A number in JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut i = start;
        let digits = |i: &mut usize| {
            let from = *i;
            while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i - from
        };
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        match bytes.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                digits(&mut i);
            }
            _ => return None,
        }
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            if digits(&mut i) == 0 {
                return None;
            }
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if digits(&mut i) == 0 {
                return None;
            }
        }
        self.pos = i;
        self.text.get(start..i)
    }
    fn value(&mut self) -> Option<Val<'a>> {
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(Val::Str),
            b'[' => {
                self.pos += 1;
                let start = self.pos;
                if self.eat(b']').is_none() {
                    loop {
                        self.string()?;
                        self.ws();
                        match self.peek()? {
                            b',' => self.pos += 1,
                            b']' => break self.pos += 1,
                            _ => return None,
                        }
                    }
                }
                self.text.get(start..self.pos - 1).map(Val::Arr)
            }
            b't' | b'f' | b'n' => {
                let rest = self.text.get(self.pos..)?;
                let word = ["true", "false", "null"]
                    .into_iter()
                    .find(|w| rest.starts_with(w))?;
                self.pos += word.len();
                Some(Val::Lit)
            }
            _ => self.number().map(Val::Num),
        }
    }
}

/// Parses `text` into `out` when every message in it is a plain trade, quote or bar;
/// `false` (with `out` as it was) sends the frame to the general path.
pub(super) fn frame(text: &str, out: &mut Vec<Msg>) -> bool {
    let mark = out.len();
    let ok = frame_inner(text, out).is_some();
    if !ok {
        out.truncate(mark);
    }
    ok
}

fn frame_inner(text: &str, out: &mut Vec<Msg>) -> Option<()> {
    let mut c = Cursor { text, pos: 0 };
    c.eat(b'[')?;
    if c.eat(b']').is_none() {
        loop {
            out.push(message(&mut c)?);
            c.ws();
            match c.peek()? {
                b',' => c.pos += 1,
                b']' => break c.pos += 1,
                _ => return None,
            }
        }
    }
    c.ws();
    (c.pos == text.len()).then_some(())
}

fn message(c: &mut Cursor) -> Option<Msg> {
    let mut f: [Option<Val>; SLOTS] = Default::default();
    c.eat(b'{')?;
    if c.eat(b'}').is_none() {
        loop {
            let key = c.string()?;
            c.eat(b':')?;
            let v = c.value()?;
            if let Some(s) = slot(key).ok()? {
                f[s as usize] = Some(checked(s, v)?);
            }
            c.ws();
            match c.peek()? {
                b',' => c.pos += 1,
                b'}' => break c.pos += 1,
                _ => return None,
            }
        }
    }
    build(&f)
}

/// The general path reads these slots as text or integers whatever the type, and
/// refuses the message for a value that is not one, even in a field the type does
/// not use or one repeated later; so every occurrence is checked here.
fn checked(s: Slot, v: Val) -> Option<Val> {
    match s {
        Slot::T | Slot::S | Slot::X | Slot::Z | Slot::Bx | Slot::Ax | Slot::Time => {
            matches!(v, Val::Str(_)).then_some(v)
        }
        Slot::Sz | Slot::Bs | Slot::As | Slot::V => match v {
            Val::Num(n) => int(n).map(Val::Int),
            _ => None,
        },
        Slot::N => match v {
            Val::Num(n) => i64::try_from(uint(n)?).ok().map(Val::Int),
            _ => None,
        },
        _ => Some(v),
    }
}

pub(super) fn build(f: &[Option<Val>; SLOTS]) -> Option<Msg> {
    let get = |s: Slot| f[s as usize].as_ref();
    let text = |s: Slot| match get(s) {
        Some(Val::Str(v)) => Some(*v),
        _ => None,
    };
    let code = |s: Slot| {
        text(s)
            .map(compact_str::CompactString::new)
            .unwrap_or_default()
    };
    let price = |s: Slot| match get(s)? {
        Val::Num(v) => decimal(v),
        Val::MpNum(n) => crate::domain::wire::msgpack::price(*n),
        _ => None,
    };
    let id = |s: Slot| match get(s)? {
        Val::Num(v) => uint(v),
        Val::MpNum(MpNum::UInt(v)) => Some(*v),
        _ => None,
    };
    let int_of = |s: Slot| match get(s) {
        Some(Val::Int(v)) => Some(*v),
        _ => None,
    };
    let conds = || match get(Slot::C) {
        None => Some(Conditions::default()),
        Some(Val::Arr(a)) => Some(conditions(a)),
        Some(Val::Conds(c)) => Some(c.clone()),
        _ => None,
    };
    let symbol = Symbol::new(text(Slot::S)?);
    let ts = match get(Slot::Time)? {
        Val::Str(t) => timestamp(t)?,
        Val::Time(t) => *t,
        _ => return None,
    };
    Some(match text(Slot::T)? {
        "t" => Msg::Trade(Trade {
            symbol,
            id: id(Slot::I)?,
            exchange: code(Slot::X),
            price: price(Slot::P)?,
            size: int_of(Slot::Sz)?,
            conditions: conds()?,
            ts,
            tape: code(Slot::Z),
        }),
        "q" => Msg::Quote(Quote {
            symbol,
            bid_exchange: code(Slot::Bx),
            bid_price: price(Slot::Bp)?,
            bid_size: int_of(Slot::Bs)?,
            ask_exchange: code(Slot::Ax),
            ask_price: price(Slot::Ap)?,
            ask_size: int_of(Slot::As)?,
            conditions: conds()?,
            ts,
            tape: code(Slot::Z),
        }),
        tag @ ("b" | "d" | "u") => Msg::Bar(Bar {
            kind: match tag {
                "d" => BarKind::Daily,
                "u" => BarKind::Updated,
                _ => BarKind::Minute,
            },
            symbol,
            open: price(Slot::O)?,
            high: price(Slot::H)?,
            low: price(Slot::L)?,
            close: price(Slot::C)?,
            volume: int_of(Slot::V)?,
            ts,
            trade_count: match get(Slot::N) {
                None => None,
                Some(_) => Some(u64::try_from(int_of(Slot::N)?).ok()?),
            },
            vwap: match get(Slot::Vw) {
                None => None,
                Some(_) => Some(price(Slot::Vw)?),
            },
        }),
        _ => return None,
    })
}

/// Codes joined with ',' (the array was checked to hold plain strings).
fn conditions(inner: &str) -> Conditions {
    let mut out = Conditions::default();
    let mut c = Cursor {
        text: inner,
        pos: 0,
    };
    while let Some(code) = c.string() {
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(code);
        if c.eat(b',').is_none() {
            break;
        }
    }
    out
}

#[path = "scan_digits.rs"]
pub(super) mod digits;
#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
