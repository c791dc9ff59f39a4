//! A bounds-checked msgpack token reader over one frame's bytes, on `rmp`'s
//! marker decoding. It never allocates and never recurses: container headers are
//! returned as counts and skipping counts pending items, so hostile nesting cannot
//! exhaust the stack and every step consumes at least one byte (a lying length
//! just runs out of input). Element-level errors stay the caller's: a bad message
//! is skipped whole and costs only itself.

use rmp::Marker;
use std::fmt;

/// One msgpack item. Containers are headers only; their items follow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Tok<'a> {
    Nil,
    Bool(bool),
    /// Any non-negative integer, whatever its marker (encoders send positive
    /// values under signed markers too).
    UInt(u64),
    /// A negative integer.
    NegInt(i64),
    F32(f32),
    F64(f64),
    Str(&'a [u8]),
    Bin(&'a [u8]),
    Ext(i8, &'a [u8]),
    Array(u32),
    Map(u32),
}

impl Tok<'_> {
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Tok::Nil => "nil",
            Tok::Bool(_) => "bool",
            Tok::UInt(_) | Tok::NegInt(_) => "int",
            Tok::F32(_) | Tok::F64(_) => "float",
            Tok::Str(_) => "string",
            Tok::Bin(_) => "binary",
            Tok::Ext(..) => "extension",
            Tok::Array(_) => "array",
            Tok::Map(_) => "map",
        }
    }
}

/// Why the frame's structure is broken (the whole frame is lost).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Bad {
    Truncated { at: usize },
    Reserved { at: usize },
}

impl fmt::Display for Bad {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Bad::Truncated { at } => write!(f, "truncated at byte {at}"),
            Bad::Reserved { at } => write!(f, "reserved marker 0xc1 at byte {at}"),
        }
    }
}

pub(super) struct Rd<'a> {
    buf: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> Rd<'a> {
    pub(super) fn new(buf: &'a [u8]) -> Self {
        Rd { buf, pos: 0 }
    }

    pub(super) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Bad> {
        let end = self.pos.checked_add(n);
        match end.and_then(|end| self.buf.get(self.pos..end)) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(Bad::Truncated { at: self.buf.len() }),
        }
    }

    fn arr<const N: usize>(&mut self) -> Result<[u8; N], Bad> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn u8(&mut self) -> Result<u8, Bad> {
        Ok(self.arr::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, Bad> {
        Ok(u16::from_be_bytes(self.arr()?))
    }
    fn u32(&mut self) -> Result<u32, Bad> {
        Ok(u32::from_be_bytes(self.arr()?))
    }

    fn ext(&mut self, len: usize) -> Result<Tok<'a>, Bad> {
        let ty = i8::from_be_bytes(self.arr()?);
        Ok(Tok::Ext(ty, self.take(len)?))
    }

    fn signed(v: i64) -> Tok<'a> {
        if v < 0 {
            Tok::NegInt(v)
        } else {
            Tok::UInt(v.unsigned_abs())
        }
    }

    pub(super) fn next(&mut self) -> Result<Tok<'a>, Bad> {
        let at = self.pos;
        Ok(match Marker::from_u8(self.u8()?) {
            Marker::FixPos(n) => Tok::UInt(u64::from(n)),
            Marker::FixNeg(n) => Tok::NegInt(i64::from(n)),
            Marker::FixMap(n) => Tok::Map(u32::from(n)),
            Marker::FixArray(n) => Tok::Array(u32::from(n)),
            Marker::FixStr(n) => Tok::Str(self.take(usize::from(n))?),
            Marker::Null => Tok::Nil,
            Marker::Reserved => return Err(Bad::Reserved { at }),
            Marker::False => Tok::Bool(false),
            Marker::True => Tok::Bool(true),
            Marker::Bin8 => Tok::Bin(self.take_u8_len()?),
            Marker::Bin16 => Tok::Bin(self.take_u16_len()?),
            Marker::Bin32 => Tok::Bin(self.take_u32_len()?),
            Marker::Str8 => Tok::Str(self.take_u8_len()?),
            Marker::Str16 => Tok::Str(self.take_u16_len()?),
            Marker::Str32 => Tok::Str(self.take_u32_len()?),
            Marker::Ext8 => {
                let n = self.u8()?;
                self.ext(usize::from(n))?
            }
            Marker::Ext16 => {
                let n = self.u16()?;
                self.ext(usize::from(n))?
            }
            Marker::Ext32 => {
                let n = self.u32()?;
                self.ext(n as usize)?
            }
            Marker::FixExt1 => self.ext(1)?,
            Marker::FixExt2 => self.ext(2)?,
            Marker::FixExt4 => self.ext(4)?,
            Marker::FixExt8 => self.ext(8)?,
            Marker::FixExt16 => self.ext(16)?,
            Marker::F32 => Tok::F32(f32::from_be_bytes(self.arr()?)),
            Marker::F64 => Tok::F64(f64::from_be_bytes(self.arr()?)),
            Marker::U8 => Tok::UInt(u64::from(self.u8()?)),
            Marker::U16 => Tok::UInt(u64::from(self.u16()?)),
            Marker::U32 => Tok::UInt(u64::from(self.u32()?)),
            Marker::U64 => Tok::UInt(u64::from_be_bytes(self.arr()?)),
            Marker::I8 => Self::signed(i64::from(i8::from_be_bytes(self.arr()?))),
            Marker::I16 => Self::signed(i64::from(i16::from_be_bytes(self.arr()?))),
            Marker::I32 => Self::signed(i64::from(i32::from_be_bytes(self.arr()?))),
            Marker::I64 => Self::signed(i64::from_be_bytes(self.arr()?)),
            Marker::Array16 => Tok::Array(u32::from(self.u16()?)),
            Marker::Array32 => Tok::Array(self.u32()?),
            Marker::Map16 => Tok::Map(u32::from(self.u16()?)),
            Marker::Map32 => Tok::Map(self.u32()?),
        })
    }

    fn take_u8_len(&mut self) -> Result<&'a [u8], Bad> {
        let n = self.u8()?;
        self.take(usize::from(n))
    }
    fn take_u16_len(&mut self) -> Result<&'a [u8], Bad> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }
    fn take_u32_len(&mut self) -> Result<&'a [u8], Bad> {
        let n = self.u32()?;
        self.take(n as usize)
    }

    /// Skips the items of a container whose header `tok` was just read (a no-op
    /// for scalars).
    pub(super) fn skip_contents(&mut self, tok: Tok<'a>) -> Result<(), Bad> {
        let mut pending: u64 = match tok {
            Tok::Array(n) => u64::from(n),
            Tok::Map(n) => 2 * u64::from(n),
            _ => 0,
        };
        while pending > 0 {
            pending -= 1;
            match self.next()? {
                Tok::Array(n) => pending += u64::from(n),
                Tok::Map(n) => pending += 2 * u64::from(n),
                _ => {}
            }
        }
        Ok(())
    }

    /// Skips one whole value.
    pub(super) fn skip_value(&mut self) -> Result<(), Bad> {
        let tok = self.next()?;
        self.skip_contents(tok)
    }
}
