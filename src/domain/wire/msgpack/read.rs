//! A bounds-checked msgpack token reader over one frame's bytes. It never
//! allocates and never recurses: container headers are returned as counts and
//! skipping counts pending items, so hostile nesting cannot exhaust the stack and
//! every step consumes at least one byte (a lying length just runs out of input).

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
        let m = self.u8()?;
        Ok(match m {
            0x00..=0x7f => Tok::UInt(u64::from(m)),
            0x80..=0x8f => Tok::Map(u32::from(m & 0x0f)),
            0x90..=0x9f => Tok::Array(u32::from(m & 0x0f)),
            0xa0..=0xbf => Tok::Str(self.take(usize::from(m & 0x1f))?),
            0xc0 => Tok::Nil,
            0xc1 => return Err(Bad::Reserved { at }),
            0xc2 => Tok::Bool(false),
            0xc3 => Tok::Bool(true),
            0xc4 => {
                let n = self.u8()?;
                Tok::Bin(self.take(usize::from(n))?)
            }
            0xc5 => {
                let n = self.u16()?;
                Tok::Bin(self.take(usize::from(n))?)
            }
            0xc6 => {
                let n = self.u32()?;
                Tok::Bin(self.take(n as usize)?)
            }
            0xc7 => {
                let n = self.u8()?;
                self.ext(usize::from(n))?
            }
            0xc8 => {
                let n = self.u16()?;
                self.ext(usize::from(n))?
            }
            0xc9 => {
                let n = self.u32()?;
                self.ext(n as usize)?
            }
            0xca => Tok::F32(f32::from_be_bytes(self.arr()?)),
            0xcb => Tok::F64(f64::from_be_bytes(self.arr()?)),
            0xcc => Tok::UInt(u64::from(self.u8()?)),
            0xcd => Tok::UInt(u64::from(self.u16()?)),
            0xce => Tok::UInt(u64::from(self.u32()?)),
            0xcf => Tok::UInt(u64::from_be_bytes(self.arr()?)),
            0xd0 => Self::signed(i64::from(i8::from_be_bytes(self.arr()?))),
            0xd1 => Self::signed(i64::from(i16::from_be_bytes(self.arr()?))),
            0xd2 => Self::signed(i64::from(i32::from_be_bytes(self.arr()?))),
            0xd3 => Self::signed(i64::from_be_bytes(self.arr()?)),
            0xd4 => self.ext(1)?,
            0xd5 => self.ext(2)?,
            0xd6 => self.ext(4)?,
            0xd7 => self.ext(8)?,
            0xd8 => self.ext(16)?,
            0xd9 => {
                let n = self.u8()?;
                Tok::Str(self.take(usize::from(n))?)
            }
            0xda => {
                let n = self.u16()?;
                Tok::Str(self.take(usize::from(n))?)
            }
            0xdb => {
                let n = self.u32()?;
                Tok::Str(self.take(n as usize)?)
            }
            0xdc => Tok::Array(u32::from(self.u16()?)),
            0xdd => Tok::Array(self.u32()?),
            0xde => Tok::Map(u32::from(self.u16()?)),
            0xdf => Tok::Map(self.u32()?),
            0xe0..=0xff => Tok::NegInt(i64::from(m as i8)),
        })
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
