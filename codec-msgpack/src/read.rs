//! Low-level reading: a cursor over one frame, the failure causes the envelope parser turns into
//! .NET texts, and an iterative, bounds-checked value skipper.
//!
//! The few MessagePack markers the envelope needs (integers of every width, booleans, array and
//! map headers, strings) are decoded here rather than through `rmp::decode`: rmp 0.8 declares
//! `extern crate alloc` unconditionally, so linking it would force an allocator on every
//! firmware, and these reads are a few lines each.

use core::fmt;

use signalr_codec_core::error::Arg;
use signalr_codec_core::limits::MAX_SUPPORTED_DEPTH;
use signalr_codec_core::{Error, ErrorKind};

/// Why a low-level read failed; the caller knows which .NET text that becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fail {
    /// The input ended (or a declared length runs past its end).
    Eof,
    /// A value of another type: the marker byte found.
    Code(u8),
    /// An integer that does not fit the requested type.
    Range,
    /// A string that is not UTF-8.
    Utf8,
    /// Nesting deeper than the configured maximum.
    Depth,
}

/// `Attempted to read past the end of the stream.`: .NET's `EndOfStreamException` text, which
/// MessagePack-CSharp throws for truncated input.
pub(crate) const END_OF_STREAM: &str = "Attempted to read past the end of the stream.";
/// The text for nesting over [`Limits::max_depth`](signalr_codec_core::Limits).
pub(crate) const DEPTH_EXCEEDED: &str = "The MessagePack nesting depth exceeds the configured maximum.";
/// .NET's `OverflowException` text.
pub(crate) const OVERFLOW: &str = "Arithmetic operation resulted in an overflow.";

/// MessagePack-CSharp's `Unexpected msgpack code {code} ({format}) encountered.`.
pub(crate) fn unexpected_code(code: u8) -> Error {
    Error::template(
        ErrorKind::Type,
        &["Unexpected msgpack code ", " (", ") encountered."],
        [Arg::Int(code as i64), Arg::Str(format_name(code))],
    )
}

impl Fail {
    /// The MessagePack-CSharp exception text for this failure (used where .NET does not wrap it).
    pub(crate) fn plain_error(self) -> Error {
        match self {
            Fail::Eof => Error::new(ErrorKind::Syntax, END_OF_STREAM),
            Fail::Code(code) => unexpected_code(code),
            Fail::Range => Error::new(ErrorKind::Type, OVERFLOW),
            Fail::Utf8 => Error::new(ErrorKind::Invalid, "Invalid UTF-8 in a MessagePack string."),
            Fail::Depth => Error::new(ErrorKind::Limit, DEPTH_EXCEEDED),
        }
    }

    /// The error kind to use for a wrapped (.NET `InvalidDataException`) text.
    pub(crate) fn kind(self) -> ErrorKind {
        match self {
            Fail::Eof => ErrorKind::Syntax,
            Fail::Code(_) | Fail::Range => ErrorKind::Type,
            Fail::Utf8 => ErrorKind::Invalid,
            Fail::Depth => ErrorKind::Limit,
        }
    }
}

/// An integer as MessagePack stores it: every width, unsigned or signed, widened losslessly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Int {
    /// A positive fixint or `uint 8/16/32/64`.
    U(u64),
    /// A negative fixint or `int 8/16/32/64`.
    I(i64),
}

impl Int {
    /// The value as `T`, or [`Fail::Range`] when it does not fit (as rmp's `read_int`).
    pub(crate) fn get<T: TryFrom<u64> + TryFrom<i64>>(self) -> Result<T, Fail> {
        match self {
            Int::U(v) => T::try_from(v).map_err(|_| Fail::Range),
            Int::I(v) => T::try_from(v).map_err(|_| Fail::Range),
        }
    }
}

/// The MessagePack format name of a leading byte, as MessagePack-CSharp (and the spec) names it.
pub(crate) fn format_name(code: u8) -> &'static str {
    match code {
        0x00..=0x7f => "positive fixint",
        0x80..=0x8f => "fixmap",
        0x90..=0x9f => "fixarray",
        0xa0..=0xbf => "fixstr",
        0xc0 => "nil",
        0xc1 => "(never used)",
        0xc2 => "false",
        0xc3 => "true",
        0xc4 => "bin 8",
        0xc5 => "bin 16",
        0xc6 => "bin 32",
        0xc7 => "ext 8",
        0xc8 => "ext 16",
        0xc9 => "ext 32",
        0xca => "float 32",
        0xcb => "float 64",
        0xcc => "uint 8",
        0xcd => "uint 16",
        0xce => "uint 32",
        0xcf => "uint 64",
        0xd0 => "int 8",
        0xd1 => "int 16",
        0xd2 => "int 32",
        0xd3 => "int 64",
        0xd4 => "fixext 1",
        0xd5 => "fixext 2",
        0xd6 => "fixext 4",
        0xd7 => "fixext 8",
        0xd8 => "fixext 16",
        0xd9 => "str 8",
        0xda => "str 16",
        0xdb => "str 32",
        0xdc => "array 16",
        0xdd => "array 32",
        0xde => "map 16",
        0xdf => "map 32",
        0xe0..=0xff => "negative fixint",
    }
}

/// A reading position in one frame body.
#[derive(Clone, Copy)]
pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl fmt::Debug for Cursor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cursor").field("pos", &self.pos).field("len", &self.buf.len()).finish()
    }
}

impl<'a> Cursor<'a> {
    pub(crate) const fn new(buf: &'a [u8]) -> Self {
        Cursor { buf, pos: 0 }
    }

    pub(crate) const fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(crate) fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// The input from `start` on.
    pub(crate) fn rest_from(&self, start: usize) -> &'a [u8] {
        &self.buf[start..]
    }

    /// Steps over `n` bytes the caller has looked at.
    pub(crate) fn advance(&mut self, n: usize) {
        self.pos += n;
    }

    #[cfg_attr(not(feature = "small"), inline(always))]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// The `N` bytes after the marker at the cursor.
    fn after_marker<const N: usize>(&self) -> Result<[u8; N], Fail> {
        let start = self.pos + 1;
        let bytes = self.buf.get(start..).and_then(|rest| rest.get(..N)).ok_or(Fail::Eof)?;
        let mut out = [0; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// An integer of any width (`rmp::decode::read_int` without the type parameter): fixints,
    /// `uint 8`–`uint 64`, `int 8`–`int 64`. Advances only on success.
    pub(crate) fn read_int(&mut self) -> Result<Int, Fail> {
        #[cfg(feature = "small")]
        return self.read_int_by_bytes();
        #[cfg(not(feature = "small"))]
        self.read_int_by_width()
    }

    /// [`read_int`](Self::read_int) with `small`: the bytes after the marker folded in a loop,
    /// not one read for each width (350 → 180 B of a device's flash). Sign-extended from the
    /// first byte, with shifts by a constant only: a variable 64-bit shift is a library call
    /// on a 32-bit device. A test compares the two.
    #[cfg_attr(not(feature = "small"), allow(dead_code))]
    fn read_int_by_bytes(&mut self) -> Result<Int, Fail> {
        let code = self.peek().ok_or(Fail::Eof)?;
        let value = match code {
            0x00..=0x7f => Int::U(u64::from(code)),
            0xe0..=0xff => Int::I(i64::from(code as i8)),
            0xcc..=0xd3 => {
                let signed = code >= 0xd0;
                // 1, 2, 4 or 8 bytes: the marker's low two bits.
                let len = 1usize << (code & 3);
                let bytes = self.buf.get(self.pos + 1..).and_then(|rest| rest.get(..len)).ok_or(Fail::Eof)?;
                let negative = signed && bytes.first().is_some_and(|b| b & 0x80 != 0);
                let v = bytes.iter().fold(if negative { u64::MAX } else { 0 }, |v, &b| v << 8 | u64::from(b));
                self.pos += len;
                if signed {
                    Int::I(v as i64)
                } else {
                    Int::U(v)
                }
            }
            _ => return Err(Fail::Code(code)),
        };
        self.pos += 1;
        Ok(value)
    }

    /// [`read_int`](Self::read_int) a width at a time.
    #[cfg_attr(feature = "small", allow(dead_code))]
    fn read_int_by_width(&mut self) -> Result<Int, Fail> {
        let code = self.peek().ok_or(Fail::Eof)?;
        let (len, value) = match code {
            0x00..=0x7f => (0, Int::U(u64::from(code))),
            0xe0..=0xff => (0, Int::I(i64::from(code as i8))),
            0xcc => (1, Int::U(u64::from(self.after_marker::<1>()?[0]))),
            0xcd => (2, Int::U(u64::from(u16::from_be_bytes(self.after_marker()?)))),
            0xce => (4, Int::U(u64::from(u32::from_be_bytes(self.after_marker()?)))),
            0xcf => (8, Int::U(u64::from_be_bytes(self.after_marker()?))),
            0xd0 => (1, Int::I(i64::from(self.after_marker::<1>()?[0] as i8))),
            0xd1 => (2, Int::I(i64::from(i16::from_be_bytes(self.after_marker()?)))),
            0xd2 => (4, Int::I(i64::from(i32::from_be_bytes(self.after_marker()?)))),
            0xd3 => (8, Int::I(i64::from_be_bytes(self.after_marker()?))),
            _ => return Err(Fail::Code(code)),
        };
        self.pos += 1 + len;
        Ok(value)
    }

    /// The length of an array or map header: the count in a fix marker, or the 16- or 32-bit
    /// count after `m16`/`m32`. Advances only on success.
    fn container_len(&mut self, fix: u8, m16: u8, m32: u8) -> Result<u32, Fail> {
        let code = self.peek().ok_or(Fail::Eof)?;
        let (len, count) = if code & 0xf0 == fix {
            (0, u32::from(code & 0x0f))
        } else if code == m16 || code == m32 {
            // The 16- or 32-bit count after the marker.
            let len = if code == m16 { 2 } else { 4 };
            (len, self.be(len)? as u32)
        } else {
            return Err(Fail::Code(code));
        };
        self.pos += 1 + len;
        Ok(count)
    }

    // The readers below sit on every envelope field: each takes the one-byte encoding (what
    // every official client writes for small values) inline, and leaves the rest to a cold path.

    /// An integer of any MessagePack width that fits an `i32` (.NET's `ReadInt32`).
    #[cfg_attr(not(feature = "small"), inline(always))]
    pub(crate) fn read_i32(&mut self) -> Result<i32, Fail> {
        // With `small`, every width by the one reader: the one-byte fast path was a copy of
        // its own (136 B for the four readers, `firmware/check codec`).
        #[cfg(not(feature = "small"))]
        {
            if let Some(&b @ 0x00..=0x7f) = self.buf.get(self.pos) {
                self.pos += 1;
                return Ok(i32::from(b));
            }
        }
        self.read_i32_slow()
    }

    #[cold]
    fn read_i32_slow(&mut self) -> Result<i32, Fail> {
        let start = self.pos;
        // With `small`, through the `i64` reader (one conversion from `Int` linked, not two).
        #[cfg(feature = "small")]
        let value = self.read_i64().and_then(|v| i32::try_from(v).map_err(|_| Fail::Range));
        #[cfg(not(feature = "small"))]
        let value = self.read_int()?.get();
        if value.is_err() {
            self.pos = start;
        }
        value
    }

    /// An integer of any MessagePack width that fits an `i64` (.NET's `ReadInt64`).
    #[cfg_attr(not(feature = "small"), inline(always))]
    pub(crate) fn read_i64(&mut self) -> Result<i64, Fail> {
        #[cfg(not(feature = "small"))]
        {
            if let Some(&b @ 0x00..=0x7f) = self.buf.get(self.pos) {
                self.pos += 1;
                return Ok(i64::from(b));
            }
        }
        self.read_i64_slow()
    }

    #[cold]
    fn read_i64_slow(&mut self) -> Result<i64, Fail> {
        let start = self.pos;
        let value = self.read_int()?.get();
        if value.is_err() {
            self.pos = start;
        }
        value
    }

    pub(crate) fn read_bool(&mut self) -> Result<bool, Fail> {
        let value = match self.peek() {
            None => return Err(Fail::Eof),
            Some(0xc2) => false,
            Some(0xc3) => true,
            Some(code) => return Err(Fail::Code(code)),
        };
        self.pos += 1;
        Ok(value)
    }

    /// An array header whose count fits in the remaining bytes (one byte per element at least),
    /// as MessagePack-CSharp checks before anything trusts the count.
    #[cfg_attr(not(feature = "small"), inline(always))]
    pub(crate) fn read_array_len(&mut self) -> Result<u32, Fail> {
        #[cfg(not(feature = "small"))]
        {
            if let Some(&b @ 0x90..=0x9f) = self.buf.get(self.pos) {
                let len = b & 0x0f;
                if usize::from(len) < self.buf.len() - self.pos {
                    self.pos += 1;
                    return Ok(u32::from(len));
                }
            }
        }
        self.read_array_len_slow()
    }

    #[cold]
    fn read_array_len_slow(&mut self) -> Result<u32, Fail> {
        let start = self.pos;
        let len = self.container_len(0x90, 0xdc, 0xdd)?;
        if len as usize > self.remaining() {
            self.pos = start;
            return Err(Fail::Eof);
        }
        Ok(len)
    }

    /// A map header whose count fits in the remaining bytes (two bytes per entry at least).
    #[cfg_attr(not(feature = "small"), inline(always))]
    pub(crate) fn read_map_len(&mut self) -> Result<u32, Fail> {
        #[cfg(not(feature = "small"))]
        {
            if let Some(&b @ 0x80..=0x8f) = self.buf.get(self.pos) {
                let len = b & 0x0f;
                if 2 * usize::from(len) < self.buf.len() - self.pos {
                    self.pos += 1;
                    return Ok(u32::from(len));
                }
            }
        }
        self.read_map_len_slow()
    }

    #[cold]
    fn read_map_len_slow(&mut self) -> Result<u32, Fail> {
        let start = self.pos;
        let len = self.container_len(0x80, 0xde, 0xdf)?;
        if (len as u64) * 2 > self.remaining() as u64 {
            self.pos = start;
            return Err(Fail::Eof);
        }
        Ok(len)
    }

    /// A string (borrowed, UTF-8 checked) or nil (`None`), as MessagePack-CSharp's `ReadString`.
    #[cfg_attr(not(feature = "small"), inline(always))]
    pub(crate) fn read_str(&mut self) -> Result<Option<&'a str>, Fail> {
        let (header, len) = match self.buf.get(self.pos) {
            Some(0xc0) => {
                self.pos += 1;
                return Ok(None);
            }
            Some(&b @ 0xa0..=0xbf) => (1, usize::from(b & 0x1f)),
            // With `small`, the longer forms share the body read below (one copy, not two).
            #[cfg(feature = "small")]
            _ => self.long_str_header()?,
            #[cfg(not(feature = "small"))]
            _ => return self.read_str_slow(),
        };
        self.str_body(header, len).map(Some)
    }

    #[cold]
    #[cfg(not(feature = "small"))]
    fn read_str_slow(&mut self) -> Result<Option<&'a str>, Fail> {
        let (header, len) = self.long_str_header()?;
        self.str_body(header, len).map(Some)
    }

    /// The header length and string length of a `str 8`/`16`/`32` at the cursor.
    #[cfg_attr(feature = "small", inline(always))]
    fn long_str_header(&self) -> Result<(usize, usize), Fail> {
        match self.peek() {
            None => Err(Fail::Eof),
            Some(0xd9) => Ok((2, self.be(1)?)),
            Some(0xda) => Ok((3, self.be(2)?)),
            Some(0xdb) => Ok((5, self.be(4)?)),
            Some(other) => Err(Fail::Code(other)),
        }
    }

    /// The `len` bytes after a `header`-byte string header, checked as UTF-8.
    #[cfg_attr(not(feature = "small"), inline(always))]
    fn str_body(&mut self, header: usize, len: usize) -> Result<&'a str, Fail> {
        let body = self.pos + header;
        let bytes = self.buf.get(body..).and_then(|rest| rest.get(..len)).ok_or(Fail::Eof)?;
        let s = utf8(bytes).ok_or(Fail::Utf8)?;
        self.pos = body + len;
        Ok(s)
    }

    /// The `n`-byte big-endian length after the marker at the cursor.
    fn be(&self, n: usize) -> Result<usize, Fail> {
        be_len(self.buf, self.pos + 1, n).ok_or(Fail::Eof)
    }

    /// Skips one complete value (see [`skip_value`]), returning its bytes.
    #[cfg_attr(not(feature = "small"), inline(always))]
    pub(crate) fn skip_value(&mut self, depth: usize, max_depth: usize) -> Result<&'a [u8], Fail> {
        let start = self.pos;
        let end = match skip_flat(self.buf, start, depth, max_depth) {
            Some(end) => end,
            None => skip_value(self.buf, start, depth, max_depth)?,
        };
        self.pos = end;
        Ok(&self.buf[start..end])
    }
}

/// `bytes` as a string, if they are UTF-8 (fast for short ASCII).
#[cfg_attr(not(feature = "small"), inline(always))]
pub(crate) fn utf8(bytes: &[u8]) -> Option<&str> {
    signalr_codec_core::text::to_str(bytes).ok()
}

/// How a value starts: header length and what follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `len` data bytes follow the header.
    Data(u32),
    /// A container of `items` values (a map counts keys and values).
    Container(u64),
}

/// Reads the header of the value at `pos`: its length and its shape. Bounds-checks only the
/// header itself.
pub(crate) fn header(buf: &[u8], pos: usize) -> Result<(usize, Shape), Fail> {
    let first = *buf.get(pos).ok_or(Fail::Eof)?;
    let be = |n: usize| -> Result<u32, Fail> {
        let bytes = buf.get(pos + 1..pos + 1 + n).ok_or(Fail::Eof)?;
        Ok(bytes.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
    };
    Ok(match first {
        0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => (1, Shape::Data(0)),
        0xcc | 0xd0 => (1, Shape::Data(1)),
        0xcd | 0xd1 => (1, Shape::Data(2)),
        0xce | 0xd2 | 0xca => (1, Shape::Data(4)),
        0xcf | 0xd3 | 0xcb => (1, Shape::Data(8)),
        0xa0..=0xbf => (1, Shape::Data(u32::from(first & 0x1f))),
        0xd9 | 0xc4 => (2, Shape::Data(be(1)?)),
        0xda | 0xc5 => (3, Shape::Data(be(2)?)),
        0xdb | 0xc6 => (5, Shape::Data(be(4)?)),
        // Extensions: the type byte is counted in the header.
        0xd4 => (2, Shape::Data(1)),
        0xd5 => (2, Shape::Data(2)),
        0xd6 => (2, Shape::Data(4)),
        0xd7 => (2, Shape::Data(8)),
        0xd8 => (2, Shape::Data(16)),
        0xc7 => (3, Shape::Data(be(1)?)),
        0xc8 => (4, Shape::Data(be(2)?)),
        0xc9 => (6, Shape::Data(be(4)?)),
        0x90..=0x9f => (1, Shape::Container(u64::from(first & 0x0f))),
        0xdc => (3, Shape::Container(u64::from(be(2)?))),
        0xdd => (5, Shape::Container(u64::from(be(4)?))),
        0x80..=0x8f => (1, Shape::Container(2 * u64::from(first & 0x0f))),
        0xde => (3, Shape::Container(2 * u64::from(be(2)?))),
        0xdf => (5, Shape::Container(2 * u64::from(be(4)?))),
        // 0xc1, never used.
        _ => return Err(Fail::Code(first)),
    })
    .and_then(|(len, shape)| if pos + len > buf.len() { Err(Fail::Eof) } else { Ok((len, shape)) })
}

/// A `match` on the marker `$code` of a value that is not a container, to the bytes after the
/// marker: its length bytes and its data. `$len!(n)` reads an `n`-byte length after the
/// marker; the arms given last take every other marker (containers, the never-used 0xc1). One
/// list for [`data_len`] and the skip loop, which needs the containers in the same `match`
/// (a second `match` after the first cost nested payloads 20% more instructions and time).
macro_rules! marker_data {
    ($code:ident, $len:ident, { $($other:tt)* }) => {
        match $code {
            0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => 0,
            // (`as`, not `usize::from`: the list also builds `SIZE_BY_MARKER` at compile time.)
            0xa0..=0xbf => ($code & 0x1f) as usize,
            0xcc | 0xd0 => 1,
            0xcd | 0xd1 | 0xd4 => 2,
            0xd5 => 3,
            0xca | 0xce | 0xd2 => 4,
            0xd6 => 5,
            0xcb | 0xcf | 0xd3 => 8,
            0xd7 => 9,
            0xd8 => 17,
            0xc4 | 0xd9 => 1 + $len!(1),
            0xc5 | 0xda => 2 + $len!(2),
            0xc6 | 0xdb => 4 + $len!(4),
            // Extensions: the type byte follows the length.
            0xc7 => 2 + $len!(1),
            0xc8 => 3 + $len!(2),
            0xc9 => 5 + $len!(4),
            $($other)*
        }
    };
}

/// The bytes after the marker `code` (read at `pos - 1`) of a value that is not a container:
/// its length bytes and its data. `None` for containers, for the never-used 0xc1, and when the
/// length bytes are cut off.
#[cfg_attr(not(feature = "small"), inline(always))]
fn data_len(buf: &[u8], pos: usize, code: u8) -> Option<usize> {
    macro_rules! len {
        ($n:expr) => {
            be_len(buf, pos, $n)?
        };
    }
    Some(marker_data!(code, len, { _ => return None }))
}

/// Where the value at `pos` ends, when it is not a container and lies within `buf`.
#[cfg_attr(not(feature = "small"), inline(always))]
fn scalar_end(buf: &[u8], pos: usize) -> Option<usize> {
    let code = *buf.get(pos)?;
    // Fixints and fixstrs, what flat argument lists are mostly made of, on predicted branches;
    // the rest through `data_len`'s `match` (with `small`, everything: one copy). A 256-entry
    // size table here before `data_len` was no faster (aligned builds, five alternations:
    // many_arguments 24.3 -> 23.3 ns and batch_1000_small 13.3 -> 13.0 ns without it,
    // few_arguments 17.8 -> 18.2 ns).
    if !cfg!(feature = "small") && (code as i8) >= -32 {
        return Some(pos + 1);
    }
    if !cfg!(feature = "small") && code & 0xe0 == 0xa0 {
        let end = pos + 1 + usize::from(code & 0x1f);
        return (end <= buf.len()).then_some(end);
    }
    let data = data_len(buf, pos + 1, code)?;
    // `pos < buf.len()`: no overflow, and `data` is compared with what is left.
    (data < buf.len() - pos).then_some(pos + 1 + data)
}

/// Where the scalar at `pos` ends, possibly past the end of `buf` (by less than 64 KiB) when
/// its marker alone gives its size: the caller checks the last end (each read here is checked,
/// so an element past the end fails at the next one).
#[cfg(not(feature = "small"))]
#[inline(always)]
fn element_end(buf: &[u8], pos: usize) -> Option<usize> {
    let code = *buf.get(pos)?;
    let size = SIZE_BY_MARKER[usize::from(code)];
    // One comparison for the sizes the marker gives (1 to 18), the frequent case.
    if size.wrapping_sub(1) < LENGTH_16 - 1 {
        return Some(pos + usize::from(size));
    }
    match size {
        // str 8 and bin 8, the strings of 32 to 255 bytes: a length byte.
        LENGTH_8 => Some(pos + 2 + usize::from(*buf.get(pos + 1)?)),
        // str 16 and bin 16.
        LENGTH_16 => Some(pos + 3 + usize::from(u16::from_be_bytes(*buf.get(pos + 1..)?.first_chunk::<2>()?))),
        _ => scalar_end(buf, pos),
    }
}

#[cfg(feature = "small")]
use scalar_end as element_end;

/// In [`SIZE_BY_MARKER`]: a one-byte length follows the marker.
#[cfg(not(feature = "small"))]
const LENGTH_8: u8 = 0xff;
/// In [`SIZE_BY_MARKER`]: a two-byte length follows the marker.
#[cfg(not(feature = "small"))]
const LENGTH_16: u8 = 0xfe;

/// A value's size in bytes, marker included, for the markers that alone give it (fixints, nil,
/// booleans, fixstrs, fixed-size numbers, fixexts); [`LENGTH_8`] and [`LENGTH_16`] for strings
/// and binaries with a length after the marker; 0 for the rest (containers, longer lengths,
/// extensions, the never-used 0xc1).
#[cfg(not(feature = "small"))]
static SIZE_BY_MARKER: [u8; 256] = {
    let mut sizes = [0u8; 256];
    let mut code = 0;
    while code < 256 {
        let c = code as u8;
        code += 1;
        // The list of `marker_data!`, with every length after a marker read as `FOLLOWS`
        // (more than any size a marker gives alone) and the containers and 0xc1 as `usize::MAX`.
        const FOLLOWS: usize = 0x100;
        macro_rules! len {
            ($n:expr) => {
                FOLLOWS
            };
        }
        let data = marker_data!(c, len, { _ => usize::MAX });
        sizes[c as usize] = match (c, data) {
            (0xc4 | 0xd9, _) => LENGTH_8,
            (0xc5 | 0xda, _) => LENGTH_16,
            (_, data) if data < FOLLOWS => 1 + data as u8,
            _ => 0,
        };
    }
    sizes
};

/// [`skip_value`] for the shapes most payloads have — a scalar, a string, or a short array of
/// them (most argument lists) — without the container stack. `None` when the value has
/// another shape or anything is wrong with it.
#[cfg_attr(not(feature = "small"), inline(always))]
pub(crate) fn skip_flat(buf: &[u8], pos: usize, depth: usize, max_depth: usize) -> Option<usize> {
    match *buf.get(pos)? {
        code @ 0x90..=0x9f if depth < max_depth => {
            let mut end = pos + 1;
            for _ in 0..code & 0x0f {
                end = element_end(buf, end)?;
            }
            (end <= buf.len()).then_some(end)
        }
        _ => scalar_end(buf, pos),
    }
}

/// Skips the complete value starting at `pos` and returns where it ends.
///
/// Iterative within [`SHALLOW`] levels, with every declared length checked against the bytes
/// left before it is trusted: a container claiming more elements than there are bytes fails at
/// once, so the work is linear in the input. `depth` is the nesting level of the container
/// holding the value; a container at a level over `max_depth` fails with [`Fail::Depth`].
///
/// The stack follows `max_depth`, not the largest depth supported: a container nested more
/// than [`SHALLOW`] levels below the last call is skipped by one more call with a stack of its
/// own (at most `max_depth / SHALLOW` calls, about 100 bytes each on 32-bit targets), so the
/// default depth of 64 needs at most four, where a fixed stack for 256 levels took 1 KB on
/// every call that went past 16.
#[inline(never)]
pub(crate) fn skip_value(buf: &[u8], pos: usize, depth: usize, max_depth: usize) -> Result<usize, Fail> {
    // Every container takes at least a byte, so a value nests no deeper than it is long: when
    // the bytes left could not reach `max_depth`, one count of the values still to skip does
    // the work of the stack (most frames are this short).
    #[cfg(not(feature = "small"))]
    {
        if buf.len().saturating_sub(pos) <= max_depth.min(MAX_SUPPORTED_DEPTH).saturating_sub(depth) {
            return skip_with::<UNTRACKED, false>(buf, pos, depth, max_depth);
        }
        skip_longer(buf, pos, depth, max_depth)
    }
    // With `small`, the stack straight away, short values too: one copy of the walk (the
    // count walks were 400 B of a device's flash, the short values' one another 356 B,
    // `firmware/check codec`).
    #[cfg(feature = "small")]
    {
        skip_with::<SHALLOW, false>(buf, pos, depth, max_depth)
    }
}

/// [`skip_value`] for a value longer than the levels left, out of line (inlined, its
/// branches made the short path, most payloads, slower).
///
/// Mostly it holds no more containers than there are levels left (a level takes a
/// container): a walk counting them gives up with `Depth` as soon as it has seen more, and
/// levels are then tracked from the start. That walk is tried first only on values of at most
/// 16 bytes a level left, so that giving up wastes little: medium_invocation's payload (800
/// bytes, 12 containers) takes 16% fewer instructions; a large one goes straight to the
/// stack (giving up after 64 containers cost large_invocation 15% more).
#[cfg(not(feature = "small"))]
#[inline(never)]
fn skip_longer(buf: &[u8], pos: usize, depth: usize, max_depth: usize) -> Result<usize, Fail> {
    let levels_left = max_depth.min(MAX_SUPPORTED_DEPTH).saturating_sub(depth);
    if buf.len() - pos <= levels_left * 16 {
        match skip_with::<UNTRACKED, true>(buf, pos, depth, max_depth) {
            Err(Fail::Depth) => {}
            done => return done,
        }
    }
    // Payloads rarely nest deeper than a few levels: a small stack (cheap to set up on every
    // call) handles them; a deeper container gets another one (`skip_deeper`).
    skip_with::<SHALLOW, false>(buf, pos, depth, max_depth)
}

/// Skips the container at `pos`, one level below `depth`, with a stack of its own: what
/// [`skip_with`] does when its stack is full. Bounded: each call is [`SHALLOW`] levels deeper
/// than its caller, and no level passes `max_depth`.
#[inline(never)]
fn skip_deeper(buf: &[u8], pos: usize, depth: usize, max_depth: usize) -> Result<usize, Fail> {
    skip_with::<SHALLOW, false>(buf, pos, depth, max_depth)
}

/// Levels the first attempt of [`skip_value`] tracks.
const SHALLOW: usize = 16;
/// No levels tracked: [`skip_with`] for a value too short to nest past the limit.
const UNTRACKED: usize = 0;

/// `COUNT` (without a stack only): give up with [`Fail::Depth`] past as many containers as
/// there are levels left, for the caller to track levels instead.
fn skip_with<const LEVELS: usize, const COUNT: bool>(
    buf: &[u8],
    mut pos: usize,
    depth: usize,
    max_depth: usize,
) -> Result<usize, Fail> {
    // Values still to skip in the innermost open container (at first, the one value asked
    // for) in a register; the same count for each enclosing container on a stack, touched
    // only when a container opens or closes.
    let mut left = 1usize;
    let mut outer = [0u32; LEVELS];
    let mut top = 0usize;
    // Without a stack: the containers this value may still open before one could be too deep.
    let mut containers_left = max_depth.min(MAX_SUPPORTED_DEPTH).saturating_sub(depth);
    loop {
        let code = *buf.get(pos).ok_or(Fail::Eof)?;
        let marker = pos;
        pos += 1;
        // Decoded straight from the marker byte (not through `header`): fixints and fixstrs,
        // most of the values and map keys, on two predicted branches; every other marker by
        // one `match`, a jump table, containers included. Measured on builds aligned as
        // `benches/readme.py` times them, each side's own time, eight alternations: with a
        // 256-entry size table between the branches and the `match` (as before), medium_invocation
        // 216 ns and large_invocation 5,871 ns; the `match` alone, 174 and 5,253 ns; both, as here,
        // 161 and 4,340 ns (the floor's walk: 142 and 4,200 ns). `pos <= buf.len()` here, so
        // every length is compared with what is left before it moves `pos` (no overflow on
        // 32-bit targets either).
        #[cfg(not(feature = "small"))]
        macro_rules! len {
            ($n:expr) => {
                be_len(buf, pos, $n).ok_or(Fail::Eof)?
            };
        }
        // With `small`, the markers that are not containers go to `data_len`, out of line:
        // one copy of their list on a device.
        #[cfg(not(feature = "small"))]
        macro_rules! sized {
            ($($arms:tt)*) => { marker_data!(code, len, { $($arms)* }) };
        }
        #[cfg(feature = "small")]
        macro_rules! sized {
            ($($arms:tt)*) => {
                match code {
                    $($arms)*
                    _ => data_len(buf, pos, code).ok_or(Fail::Eof)?,
                }
            };
        }
        let data = if !cfg!(feature = "small") && (code as i8) >= -32 {
            0
        } else if !cfg!(feature = "small") && code & 0xe0 == 0xa0 {
            usize::from(code & 0x1f)
        } else {
            sized!(
                0xc1 => return Err(Fail::Code(code)),
                0x90..=0x9f | 0x80..=0x8f | 0xdc..=0xdf => {
                    let (header, items) = match code {
                        0x90..=0x9f => (0, usize::from(code & 0x0f)),
                        0x80..=0x8f => (0, 2 * usize::from(code & 0x0f)),
                        0xdc => (2, be_len(buf, pos, 2).ok_or(Fail::Eof)?),
                        0xdd => (4, be_len(buf, pos, 4).ok_or(Fail::Eof)?),
                        0xde => (2, 2 * be_len(buf, pos, 2).ok_or(Fail::Eof)?),
                        _ => (4, be_len(buf, pos, 4).ok_or(Fail::Eof)?.saturating_mul(2)),
                    };
                    pos += header;
                    // Every item takes at least a byte: a count past the input fails before
                    // any work is done for it.
                    if items > buf.len() - pos {
                        return Err(Fail::Eof);
                    }
                    if LEVELS == UNTRACKED {
                        // The container's items join the values still to skip. At most as many
                        // as there are bytes left are added each time: without `COUNT` this path
                        // only serves values of at most `MAX_SUPPORTED_DEPTH` bytes, no
                        // overflow; with it, saturating (a count past the input fails for lack
                        // of bytes either way), and past the budget of containers the caller
                        // tracks levels instead.
                        if COUNT {
                            if containers_left == 0 {
                                return Err(Fail::Depth);
                            }
                            containers_left -= 1;
                            left = left.saturating_add(items);
                        } else {
                            left += items;
                        }
                    } else if depth + top + 1 > max_depth {
                        return Err(Fail::Depth);
                    } else if top >= LEVELS {
                        // This stack is full: the container is skipped whole, with a stack of
                        // its own, as one value of the level open here.
                        pos = skip_deeper(buf, marker, depth + top, max_depth)?;
                        left -= 1;
                        while left == 0 {
                            if top == 0 {
                                return Ok(pos);
                            }
                            top -= 1;
                            left = outer[top] as usize;
                        }
                        continue;
                    } else if items > 0 {
                        // `items <= buf.len()`; frames are at most 2^31 bytes, and a larger
                        // slice handed in directly is capped rather than wrapped.
                        outer[top] = u32::try_from(left - 1).map_err(|_| Fail::Eof)?;
                        top += 1;
                        left = items;
                        continue;
                    }
                    0
                }
            )
        };
        // Past the end is found by the next marker's read, or before returning: one test a
        // walk instead of one a value. `data` is under 2^32, so only a 32-bit `pos` could wrap
        // around: saturating there, a plain add (one cycle on the walk's chain) elsewhere.
        pos = if usize::BITS > 32 { pos + data } else { pos.saturating_add(data) };
        // A value ended: count it, and close every container it was the last value of.
        left -= 1;
        while left == 0 {
            if top == 0 {
                return if pos <= buf.len() { Ok(pos) } else { Err(Fail::Eof) };
            }
            top -= 1;
            left = outer[top] as usize;
        }
    }
}

/// The `n`-byte big-endian length at `pos` (just after a marker); `None` if the input ends first.
#[cfg_attr(not(feature = "small"), inline(always))]
fn be_len(buf: &[u8], pos: usize, n: usize) -> Option<usize> {
    let bytes = buf.get(pos..pos + n)?;
    Some(bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The argument walk's table says what `header`, in the spec's order, reads from each
    /// marker: a whole size, a length byte or two to read, or nothing (left to `scalar_end`).
    #[test]
    #[cfg(not(feature = "small"))]
    fn the_marker_size_table_agrees_with_header() {
        for code in 0..=255u8 {
            let buf = [code, 0, 0, 0, 0, 0, 0, 0];
            let expected = match header(&buf, 0) {
                Ok((2, Shape::Data(_))) if matches!(code, 0xc4 | 0xd9) => LENGTH_8,
                Ok((3, Shape::Data(_))) if matches!(code, 0xc5 | 0xda) => LENGTH_16,
                // Longer lengths and extensions with a length: not in the table.
                Ok((_, Shape::Data(_))) if matches!(code, 0xc6 | 0xdb | 0xc7..=0xc9) => 0,
                Ok((len, Shape::Data(data))) => (len as u32 + data) as u8,
                Ok((_, Shape::Container(_))) | Err(_) => 0,
            };
            assert_eq!(SIZE_BY_MARKER[usize::from(code)], expected, "marker {code:#04x}");
        }
    }

    #[test]
    fn values_longer_than_the_levels_left_count_or_track_their_containers() {
        // 70 empty arrays in one: more containers than 64 levels, two levels deep. The count
        // walk gives up at the 65th container and the tracked walk skips it.
        let mut many = Vec::from([0xdc, 0x00, 70]);
        many.extend([0x90; 70]);
        assert_eq!(skip_value(&many, 0, 0, 64), Ok(many.len()));
        assert_eq!(skip_value(&many, 0, 62, 64), Ok(many.len()));
        assert_eq!(skip_value(&many, 0, 63, 64), Err(Fail::Depth));
        // 40 levels, padded with a long string so that the value is longer than the levels:
        // counted (40 containers), and refused when fewer levels are left.
        let mut deep = vec![0x92; 40];
        deep.extend([0xd9, 100]);
        deep.extend([b'x'; 100]);
        deep.extend([0xc0; 40]);
        assert_eq!(skip_value(&deep, 0, 0, 64), Ok(deep.len()));
        assert_eq!(skip_value(&deep, 0, 24, 64), Ok(deep.len()));
        assert_eq!(skip_value(&deep, 0, 25, 64), Err(Fail::Depth));
        // Cut short: the end of input, whichever walk reads it.
        assert_eq!(skip_value(&deep[..deep.len() - 1], 0, 0, 64), Err(Fail::Eof));
        assert_eq!(skip_value(&many[..many.len() - 1], 0, 0, 64), Err(Fail::Eof));
    }

    #[test]
    fn skips_nested_values() {
        let v = [0x92, 0x81, 0xa1, b'a', 0x91, 0xc0, 0xcd, 0x01, 0x02, 0xff];
        assert_eq!(skip_value(&v, 0, 0, 64), Ok(9));
        assert_eq!(skip_value(&v, 0, 0, 2), Err(Fail::Depth));
        assert_eq!(skip_value(&v, 0, 0, 3), Ok(9));
        assert_eq!(skip_value(&[0x92, 0x01], 0, 0, 64), Err(Fail::Eof));
        assert_eq!(skip_value(&[0xdd, 0xff, 0xff, 0xff, 0xff], 0, 0, 64), Err(Fail::Eof));
        assert_eq!(skip_value(&[0xc1], 0, 0, 64), Err(Fail::Code(0xc1)));
        assert_eq!(skip_value(&[0xd6, 0xff, 1, 2, 3, 4], 0, 0, 64), Ok(6));
        assert_eq!(skip_value(&[0xc7, 0x02, 0x05, 1, 2], 0, 0, 64), Ok(5));
    }

    /// The plain recursive walk `skip_value` must agree with. Markers are decoded by `header`
    /// (its own `match` in the spec's order), not by the skip loop's `marker_data!`.
    fn reference(buf: &[u8], pos: usize, depth: usize, max_depth: usize) -> Result<usize, Fail> {
        let (len, shape) = header(buf, pos)?;
        let mut pos = pos + len;
        match shape {
            Shape::Data(data) => {
                let data = data as usize;
                if data > buf.len() - pos {
                    Err(Fail::Eof)
                } else {
                    Ok(pos + data)
                }
            }
            Shape::Container(items) => {
                if items > (buf.len() - pos) as u64 {
                    return Err(Fail::Eof);
                }
                if depth + 1 > max_depth {
                    return Err(Fail::Depth);
                }
                for _ in 0..items {
                    pos = reference(buf, pos, depth + 1, max_depth)?;
                }
                Ok(pos)
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn skip_value_agrees_with_a_recursive_walk(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..48),
            depth in 0usize..3,
            max_depth in 0usize..24,
        ) {
            proptest::prop_assert_eq!(skip_value(&bytes, 0, depth, max_depth), reference(&bytes, 0, depth, max_depth));
        }

        #[test]
        fn skip_value_agrees_on_nested_containers(
            // Mostly containers and short scalars, so that nesting is deep and often complete.
            bytes in proptest::collection::vec(
                proptest::prop_oneof![0x90u8..=0x93, 0x80u8..=0x82, 0x00u8..=0x05, 0xa0u8..=0xa2, proptest::prelude::any::<u8>()],
                0..64,
            ),
            max_depth in 0usize..40,
        ) {
            proptest::prop_assert_eq!(skip_value(&bytes, 0, 1, max_depth), reference(&bytes, 0, 1, max_depth));
        }
    }

    #[test]
    fn nesting_past_the_shallow_stack_is_skipped_in_further_calls() {
        // 50 levels of [x, [ ... [1] ... ], y]: past SHALLOW three times, with values after
        // each inner container so that every level's count must survive the deeper calls.
        let mut v = std::vec::Vec::new();
        for _ in 0..50 {
            v.extend([0x93, 0x07]);
        }
        v.push(0x01);
        v.extend([0x08; 50]);
        v.push(0xff); // after the value
        let end = v.len() - 1;
        assert_eq!(skip_value(&v, 0, 0, 64), Ok(end));
        assert_eq!(skip_value(&v, 0, 0, 64), reference(&v, 0, 0, 64));
        assert_eq!(skip_value(&v, 0, 0, 50), Ok(end));
        assert_eq!(skip_value(&v, 0, 0, 49), Err(Fail::Depth));
        assert_eq!(skip_value(&v, 0, 14, 64), Ok(end));
        assert_eq!(skip_value(&v, 0, 15, 64), Err(Fail::Depth));
        assert_eq!(skip_value(&v[..end - 1], 0, 0, 64), Err(Fail::Eof));
    }

    #[test]
    fn deep_nesting_is_bounded_not_recursive() {
        let deep = [0x91u8; 100_000];
        assert_eq!(skip_value(&deep, 0, 0, MAX_SUPPORTED_DEPTH), Err(Fail::Depth));
    }

    /// Both integer readers, on every marker followed by bytes that make each width's values
    /// positive, negative and at their edges, whole and cut short: the same integer (or error)
    /// and the same position.
    #[test]
    fn both_integer_readers_agree_on_every_marker() {
        let fillers: [&[u8]; 6] = [
            &[0x00; 8],
            &[0xff; 8],
            &[0x80, 0, 0, 0, 0, 0, 0, 0],
            &[0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0],
            &[0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10],
        ];
        for code in 0..=255u8 {
            for filler in fillers {
                for cut in 0..=filler.len() {
                    let mut bytes = std::vec![0x01, code];
                    bytes.extend_from_slice(&filler[..cut]);
                    let (mut by_bytes, mut by_width) = (Cursor::new(&bytes), Cursor::new(&bytes));
                    by_bytes.advance(1);
                    by_width.advance(1);
                    assert_eq!(by_bytes.read_int_by_bytes(), by_width.read_int_by_width(), "{bytes:02x?}");
                    assert_eq!(by_bytes.pos(), by_width.pos(), "{bytes:02x?}");
                }
            }
        }
    }
}
