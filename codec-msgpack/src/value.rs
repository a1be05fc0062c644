//! Payload values: [`RawValue`] (one MessagePack value, borrowed from the frame), the no-alloc
//! reader over it ([`Value`], [`ArrayIter`], [`MapIter`]), the argument list view
//! ([`Arguments`]) and [`ValueWriter`], which builds raw values in a caller's buffer.

use core::fmt;

use signalr_codec_core::error::Arg;
use signalr_codec_core::limits::MAX_SUPPORTED_DEPTH;
use signalr_codec_core::{Error, ErrorKind};

use crate::read::{self, unexpected_code, Cursor, Fail, Shape};
use crate::timestamp::Timestamp;

/// `Reading array length for 'arguments' failed.`: .NET's text when `arguments` is not an array.
pub const ARGUMENTS_NOT_AN_ARRAY: &str = "Reading array length for 'arguments' failed.";
pub use signalr_codec_core::BINDING_FAILED;

/// One MessagePack value exactly as it appears in the frame: a payload (`arguments`, `item`,
/// `result`) left raw by the parser and decoded only when asked.
///
/// A `RawValue` always holds one complete, well-formed value (the parser and [`RawValue::new`]
/// check that, bounds and nesting included), with one exception: [`RawValue::missing`], the
/// empty value the parser uses when an Invocation ends before its `arguments` (.NET reports that
/// as a binding failure of the invocation, not as a broken message; so does
/// [`RawValue::arguments`]).
///
/// Read it without an allocator through the typed accessors ([`as_i64`](Self::as_i64),
/// [`as_str`](Self::as_str), [`as_array`](Self::as_array), …) or [`decode`](Self::decode);
/// with `serde` (no allocator needed), bind it to your serde types with
/// [`deserialize`](Self::deserialize).
///
/// ```
/// use signalr_codec_msgpack::RawValue;
/// // [42, "string"]
/// let raw = RawValue::new(&[0x92, 0x2a, 0xa6, b's', b't', b'r', b'i', b'n', b'g']).unwrap();
/// let mut items = raw.as_array().unwrap();
/// assert_eq!(items.next().unwrap().as_i64().unwrap(), 42);
/// assert_eq!(items.next().unwrap().as_str().unwrap(), "string");
/// assert!(items.next().is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawValue<'a>(&'a [u8]);

impl fmt::Debug for RawValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RawValue(")?;
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

impl Default for RawValue<'_> {
    /// Nil.
    fn default() -> Self {
        RawValue::NIL
    }
}

impl<'a> RawValue<'a> {
    /// Nil (`c0`).
    pub const NIL: RawValue<'static> = RawValue(&[0xc0]);
    /// The empty array (`90`): no arguments.
    pub const EMPTY_ARRAY: RawValue<'static> = RawValue(&[0x90]);

    /// Checks that `bytes` is exactly one complete MessagePack value (nesting up to
    /// [`MAX_SUPPORTED_DEPTH`]) and wraps it.
    ///
    /// ```
    /// use signalr_codec_msgpack::RawValue;
    /// assert!(RawValue::new(&[0x91, 0x2a]).is_ok());
    /// assert!(RawValue::new(&[0x92, 0x2a]).is_err()); // cut short
    /// assert!(RawValue::new(&[0x2a, 0x2a]).is_err()); // two values
    /// ```
    pub fn new(bytes: &'a [u8]) -> Result<Self, Error> {
        let end = read::skip_value(bytes, 0, 0, MAX_SUPPORTED_DEPTH).map_err(|f| f.plain_error().at(0))?;
        if end != bytes.len() {
            return Err(Error::new(ErrorKind::Syntax, "Unexpected data after the MessagePack value.").at(end));
        }
        Ok(RawValue(bytes))
    }

    /// Wraps bytes the parser already validated.
    pub(crate) const fn trusted(bytes: &'a [u8]) -> Self {
        RawValue(bytes)
    }

    /// The absent value: what the parser puts in `arguments` when an Invocation or
    /// StreamInvocation ends before its argument array. It cannot be written.
    pub const fn missing() -> Self {
        RawValue(&[])
    }

    /// True for [`RawValue::missing`].
    pub const fn is_missing(&self) -> bool {
        self.0.is_empty()
    }

    /// The encoded value.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The first byte (the MessagePack format marker).
    fn code(&self) -> Result<u8, Error> {
        self.0.first().copied().ok_or_else(|| Fail::Eof.plain_error())
    }

    fn cursor(&self) -> Cursor<'a> {
        Cursor::new(self.0)
    }

    /// True when the value is nil.
    pub fn is_nil(&self) -> bool {
        self.0 == [0xc0]
    }

    /// Decodes the top level of the value: scalars fully, containers as iterators over their
    /// raw elements.
    ///
    /// ```
    /// use signalr_codec_msgpack::{RawValue, Value};
    /// let raw = RawValue::new(&[0xcd, 0x01, 0x2c]).unwrap();
    /// assert!(matches!(raw.decode().unwrap(), Value::Int(300)));
    /// ```
    pub fn decode(&self) -> Result<Value<'a>, Error> {
        let code = self.code()?;
        Ok(match code {
            0xc0 => Value::Nil,
            0xc2 => Value::Bool(false),
            0xc3 => Value::Bool(true),
            0xca => Value::F32(self.as_f32()?),
            0xcb => Value::F64(self.as_f64()?),
            0xcf => match self.as_i64() {
                Ok(v) => Value::Int(v),
                Err(_) => Value::UInt(self.as_u64()?),
            },
            0x00..=0x7f | 0xcc..=0xce | 0xd0..=0xd3 | 0xe0..=0xff => Value::Int(self.as_i64()?),
            0xa0..=0xbf | 0xd9..=0xdb => Value::Str(self.as_str()?),
            0xc4..=0xc6 => Value::Bin(self.as_bin()?),
            0x90..=0x9f | 0xdc | 0xdd => Value::Array(self.as_array()?),
            0x80..=0x8f | 0xde | 0xdf => Value::Map(self.as_map()?),
            0xc7..=0xc9 | 0xd4..=0xd8 => {
                let (ty, data) = self.as_ext()?;
                match (ty, Timestamp::from_ext_data(data)) {
                    (Timestamp::EXT_TYPE, Some(ts)) => Value::Timestamp(ts),
                    _ => Value::Ext(ty, data),
                }
            }
            _ => return Err(unexpected_code(code)),
        })
    }

    /// A boolean.
    pub fn as_bool(&self) -> Result<bool, Error> {
        self.cursor().read_bool().map_err(Fail::plain_error)
    }

    /// An integer of any MessagePack width that fits an `i64`.
    pub fn as_i64(&self) -> Result<i64, Error> {
        self.cursor().read_i64().map_err(Fail::plain_error)
    }

    /// An integer of any MessagePack width that fits a `u64`.
    pub fn as_u64(&self) -> Result<u64, Error> {
        self.cursor().read_int().and_then(read::Int::get).map_err(Fail::plain_error)
    }

    /// An integer of any width that fits an `i32`.
    pub fn as_i32(&self) -> Result<i32, Error> {
        self.cursor().read_i32().map_err(Fail::plain_error)
    }

    /// A number as `f64`: float 64, float 32 or any integer (as .NET's `ReadDouble`).
    pub fn as_f64(&self) -> Result<f64, Error> {
        match self.code()? {
            0xcb => Ok(f64::from_bits(u64::from_be_bytes(self.fixed::<8>()?))),
            0xca => Ok(f64::from(f32::from_bits(u32::from_be_bytes(self.fixed::<4>()?)))),
            _ => match self.as_i64() {
                Ok(v) => Ok(v as f64),
                Err(e) => self.as_u64().map(|v| v as f64).map_err(|_| e),
            },
        }
    }

    /// A number as `f32`: float 32, float 64 (rounded) or any integer (as .NET's `ReadSingle`).
    pub fn as_f32(&self) -> Result<f32, Error> {
        match self.code()? {
            0xca => Ok(f32::from_bits(u32::from_be_bytes(self.fixed::<4>()?))),
            _ => self.as_f64().map(|v| v as f32),
        }
    }

    /// The `N` data bytes after the one-byte marker.
    fn fixed<const N: usize>(&self) -> Result<[u8; N], Error> {
        self.0.get(1..1 + N).and_then(|s| <[u8; N]>::try_from(s).ok()).ok_or_else(|| Fail::Eof.plain_error())
    }

    /// A string, borrowed from the frame (invalid UTF-8 is an error).
    pub fn as_str(&self) -> Result<&'a str, Error> {
        match self.cursor().read_str() {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(unexpected_code(0xc0)),
            Err(f) => Err(f.plain_error()),
        }
    }

    /// A string or nil.
    pub fn as_opt_str(&self) -> Result<Option<&'a str>, Error> {
        self.cursor().read_str().map_err(Fail::plain_error)
    }

    /// Binary data (`bin 8/16/32`), borrowed from the frame.
    pub fn as_bin(&self) -> Result<&'a [u8], Error> {
        let code = self.code()?;
        match read::header(self.0, 0) {
            Ok((h, Shape::Data(len))) if matches!(code, 0xc4..=0xc6) => {
                self.0.get(h..h + len as usize).ok_or_else(|| Fail::Eof.plain_error())
            }
            Ok(_) => Err(unexpected_code(code)),
            Err(f) => Err(f.plain_error()),
        }
    }

    /// An extension value: its type and data, borrowed from the frame.
    pub fn as_ext(&self) -> Result<(i8, &'a [u8]), Error> {
        let code = self.code()?;
        match read::header(self.0, 0) {
            Ok((h, Shape::Data(len))) if matches!(code, 0xc7..=0xc9 | 0xd4..=0xd8) => {
                let ty = self.0[h - 1] as i8;
                let data = self.0.get(h..h + len as usize).ok_or_else(|| Fail::Eof.plain_error())?;
                Ok((ty, data))
            }
            Ok(_) => Err(unexpected_code(code)),
            Err(f) => Err(f.plain_error()),
        }
    }

    /// A timestamp (extension type −1, any of its three widths).
    pub fn as_timestamp(&self) -> Result<Timestamp, Error> {
        let (ty, data) = self.as_ext()?;
        if ty != Timestamp::EXT_TYPE {
            return Err(Error::template(
                ErrorKind::Type,
                &["Extension TypeCode is invalid. typeCode: ", ""],
                [Arg::Int(ty as i64), Arg::Int(0)],
            ));
        }
        Timestamp::from_ext_data(data).ok_or_else(|| {
            Error::template(
                ErrorKind::Invalid,
                &["Length of extension was ", ". Either 4, 8 or 12 were expected."],
                [Arg::count(data.len()), Arg::Int(0)],
            )
        })
    }

    /// The elements of an array, as raw values.
    pub fn as_array(&self) -> Result<ArrayIter<'a>, Error> {
        let mut c = self.cursor();
        let len = c.read_array_len().map_err(Fail::plain_error)?;
        Ok(ArrayIter { rest: c.rest(), remaining: len })
    }

    /// The entries of a map, as raw key/value pairs.
    pub fn as_map(&self) -> Result<MapIter<'a>, Error> {
        let mut c = self.cursor();
        let len = c.read_map_len().map_err(Fail::plain_error)?;
        Ok(MapIter { rest: c.rest(), remaining: len })
    }

    /// The value as an invocation's argument list, with .NET's text
    /// (`Reading array length for 'arguments' failed.`) when it is not an array or is
    /// [missing](RawValue::missing).
    ///
    /// ```
    /// use signalr_codec_msgpack::RawValue;
    /// let args = RawValue::new(&[0x92, 0x2a, 0xc3]).unwrap().arguments().unwrap();
    /// assert_eq!(args.len(), 2);
    /// assert!(args.get(1).unwrap().as_bool().unwrap());
    /// let e = RawValue::new(&[0x2a]).unwrap().arguments().unwrap_err();
    /// assert_eq!(e.to_string(), "Reading array length for 'arguments' failed.");
    /// ```
    pub fn arguments(&self) -> Result<Arguments<'a>, Error> {
        self.as_array().map(|items| Arguments { items }).map_err(|e| Error::new(e.kind(), ARGUMENTS_NOT_AN_ARRAY))
    }
}

impl AsRef<[u8]> for RawValue<'_> {
    fn as_ref(&self) -> &[u8] {
        self.0
    }
}

/// An owned [`RawValue`] (feature `alloc`): a payload kept beyond its frame, e.g. in a
/// reconnect buffer or an owned message (`HubMessage::into_owned_with(RawValueBuf::from)`).
///
/// ```
/// use signalr_codec_msgpack::{RawValue, RawValueBuf};
/// let owned = RawValueBuf::from(RawValue::new(&[0x2a]).unwrap());
/// assert_eq!(owned.as_raw().as_i64().unwrap(), 42);
/// ```
#[cfg(feature = "alloc")]
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct RawValueBuf(alloc::vec::Vec<u8>);

#[cfg(feature = "alloc")]
impl RawValueBuf {
    /// Checks that `bytes` hold exactly one complete value (as [`RawValue::new`]) and keeps them.
    pub fn new(bytes: alloc::vec::Vec<u8>) -> Result<Self, Error> {
        RawValue::new(&bytes)?;
        Ok(RawValueBuf(bytes))
    }

    /// The value, borrowed.
    pub fn as_raw(&self) -> RawValue<'_> {
        RawValue(&self.0)
    }

    /// The encoded bytes.
    pub fn into_bytes(self) -> alloc::vec::Vec<u8> {
        self.0
    }
}

#[cfg(feature = "alloc")]
impl signalr_codec_core::ToOwnedValue for RawValue<'_> {
    type Owned = RawValueBuf;

    fn to_owned_value(&self) -> RawValueBuf {
        RawValueBuf::from(*self)
    }
}

#[cfg(feature = "alloc")]
impl From<RawValue<'_>> for RawValueBuf {
    fn from(v: RawValue<'_>) -> Self {
        RawValueBuf(v.0.to_vec())
    }
}

#[cfg(feature = "alloc")]
impl fmt::Debug for RawValueBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.as_raw(), f)
    }
}

/// The top level of a decoded [`RawValue`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// `nil`.
    Nil,
    /// `true` / `false`.
    Bool(bool),
    /// An integer (any width) that fits an `i64`.
    Int(i64),
    /// An unsigned integer above `i64::MAX`.
    UInt(u64),
    /// `float 32` (.NET `float`).
    F32(f32),
    /// `float 64` (.NET `double`).
    F64(f64),
    /// A string.
    Str(&'a str),
    /// Binary data (.NET `byte[]`).
    Bin(&'a [u8]),
    /// An array.
    Array(ArrayIter<'a>),
    /// A map.
    Map(MapIter<'a>),
    /// The timestamp extension (.NET `DateTime`).
    Timestamp(Timestamp),
    /// Another extension type: type and data.
    Ext(i8, &'a [u8]),
}

/// The elements of a MessagePack array, each a [`RawValue`], read one at a time with no
/// allocation.
#[derive(Clone, PartialEq, Eq)]
pub struct ArrayIter<'a> {
    rest: &'a [u8],
    remaining: u32,
}

impl fmt::Debug for ArrayIter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

impl<'a> ArrayIter<'a> {
    /// No elements.
    #[cfg(feature = "serde")]
    pub(crate) const fn empty() -> Self {
        ArrayIter { rest: &[], remaining: 0 }
    }

    /// Elements not yet returned.
    pub fn len(&self) -> usize {
        self.remaining as usize
    }

    /// True when every element was returned.
    pub fn is_empty(&self) -> bool {
        self.remaining == 0
    }
}

/// Splits the first value off `rest`. Values come from validated frames, so this fails only on
/// hand-made bytes; then iteration ends.
fn next_raw<'a>(rest: &mut &'a [u8]) -> Option<RawValue<'a>> {
    let end = read::skip_value(rest, 0, 0, MAX_SUPPORTED_DEPTH).ok()?;
    let (value, tail) = rest.split_at(end);
    *rest = tail;
    Some(RawValue(value))
}

impl<'a> Iterator for ArrayIter<'a> {
    type Item = RawValue<'a>;

    fn next(&mut self) -> Option<RawValue<'a>> {
        if self.remaining == 0 {
            return None;
        }
        match next_raw(&mut self.rest) {
            Some(v) => {
                self.remaining -= 1;
                Some(v)
            }
            None => {
                self.remaining = 0;
                None
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.remaining as usize))
    }
}

/// The entries of a MessagePack map, each a pair of [`RawValue`]s, with no allocation.
#[derive(Clone, PartialEq, Eq)]
pub struct MapIter<'a> {
    rest: &'a [u8],
    remaining: u32,
}

impl fmt::Debug for MapIter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.clone()).finish()
    }
}

impl<'a> MapIter<'a> {
    /// Entries not yet returned.
    pub fn len(&self) -> usize {
        self.remaining as usize
    }

    /// True when every entry was returned.
    pub fn is_empty(&self) -> bool {
        self.remaining == 0
    }

    /// The value of the first remaining entry whose key is the string `key` (.NET writes object
    /// members by their PascalCase names). Does not advance the iterator.
    pub fn get(&self, key: &str) -> Option<RawValue<'a>> {
        self.clone().find(|(k, _)| k.as_str().ok() == Some(key)).map(|(_, v)| v)
    }
}

impl<'a> Iterator for MapIter<'a> {
    type Item = (RawValue<'a>, RawValue<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        match (next_raw(&mut self.rest), next_raw(&mut self.rest)) {
            (Some(k), Some(v)) => {
                self.remaining -= 1;
                Some((k, v))
            }
            _ => {
                self.remaining = 0;
                None
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.remaining as usize))
    }
}

/// An invocation's argument list: the elements of its `arguments` array, as raw values.
///
/// Get it from [`RawValue::arguments`]. Checks mirror .NET's binder: [`expect_len`](Self::expect_len)
/// reports `Invocation provides {n} argument(s) but target expects {m}.`; with `serde`,
/// [`bind`](Self::bind) binds them to a tuple of serde types.
#[derive(Clone, PartialEq, Eq)]
pub struct Arguments<'a> {
    items: ArrayIter<'a>,
}

impl fmt::Debug for Arguments<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> Arguments<'a> {
    /// Number of arguments.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The arguments, in order.
    pub fn iter(&self) -> ArrayIter<'a> {
        self.items.clone()
    }

    /// The argument at `index`.
    pub fn get(&self, index: usize) -> Option<RawValue<'a>> {
        self.iter().nth(index)
    }

    /// Checks the count as .NET's binder does.
    ///
    /// ```
    /// use signalr_codec_msgpack::RawValue;
    /// let args = RawValue::new(&[0x90]).unwrap().arguments().unwrap();
    /// let e = args.expect_len(1).unwrap_err();
    /// assert_eq!(e.to_string(), "Invocation provides 0 argument(s) but target expects 1.");
    /// ```
    pub fn expect_len(&self, expected: usize) -> Result<(), Error> {
        if self.len() == expected {
            Ok(())
        } else {
            Err(Error::template(
                ErrorKind::Invalid,
                &["Invocation provides ", " argument(s) but target expects ", "."],
                [Arg::count(self.len()), Arg::count(expected)],
            ))
        }
    }
}

impl<'a> IntoIterator for Arguments<'a> {
    type Item = RawValue<'a>;
    type IntoIter = ArrayIter<'a>;
    fn into_iter(self) -> ArrayIter<'a> {
        self.items
    }
}

/// Builds raw MessagePack values in a caller's buffer, with no allocation: the no-alloc way to
/// write typed payloads (encode once, send as a [`RawValue`]).
///
/// Every call checks room first: when the buffer is too small it returns
/// [`ErrorKind::BufferTooSmall`] with the total size needed and writes nothing.
/// Integers are written in their shortest form, as .NET and the JS client write them.
///
/// ```
/// use signalr_codec_msgpack::ValueWriter;
/// let mut buf = [0u8; 16];
/// let mut w = ValueWriter::new(&mut buf);
/// w.array(2)?.int(42)?.str("string")?;
/// let args = w.finish()?;
/// assert_eq!(args.as_bytes(), [0x92, 0x2a, 0xa6, b's', b't', b'r', b'i', b'n', b'g']);
/// # Ok::<(), signalr_codec_core::Error>(())
/// ```
#[derive(Debug)]
pub struct ValueWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> ValueWriter<'b> {
    /// An empty writer over `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        ValueWriter { buf, len: 0 }
    }

    /// Bytes written so far.
    pub fn written(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn put(&mut self, parts: &[&[u8]]) -> Result<&mut Self, Error> {
        let n: usize = parts.iter().map(|p| p.len()).sum();
        let end = self.len + n;
        let Some(dst) = self.buf.get_mut(self.len..end) else {
            return Err(Error::buffer_too_small(end));
        };
        let mut at = 0;
        for p in parts {
            dst[at..at + p.len()].copy_from_slice(p);
            at += p.len();
        }
        self.len = end;
        Ok(self)
    }

    fn scalar(&mut self, f: impl FnOnce(&mut crate::write::Scratch)) -> Result<&mut Self, Error> {
        let mut s = crate::write::Scratch::new();
        f(&mut s);
        self.put(&[s.bytes()])
    }

    /// Nil.
    pub fn nil(&mut self) -> Result<&mut Self, Error> {
        self.put(&[&[0xc0]])
    }

    /// A boolean.
    pub fn bool(&mut self, v: bool) -> Result<&mut Self, Error> {
        self.put(&[&[if v { 0xc3 } else { 0xc2 }]])
    }

    /// A signed integer, shortest form.
    pub fn int(&mut self, v: i64) -> Result<&mut Self, Error> {
        self.scalar(|s| s.sint(v))
    }

    /// An unsigned integer, shortest form.
    pub fn uint(&mut self, v: u64) -> Result<&mut Self, Error> {
        self.scalar(|s| s.uint(v))
    }

    /// A `float 32`.
    pub fn f32(&mut self, v: f32) -> Result<&mut Self, Error> {
        self.put(&[&[0xca], &v.to_bits().to_be_bytes()])
    }

    /// A `float 64`.
    pub fn f64(&mut self, v: f64) -> Result<&mut Self, Error> {
        self.put(&[&[0xcb], &v.to_bits().to_be_bytes()])
    }

    /// A string.
    pub fn str(&mut self, v: &str) -> Result<&mut Self, Error> {
        let mut s = crate::write::Scratch::new();
        s.str_len(v.len())?;
        self.put(&[s.bytes(), v.as_bytes()])
    }

    /// Binary data.
    pub fn bin(&mut self, v: &[u8]) -> Result<&mut Self, Error> {
        let mut s = crate::write::Scratch::new();
        s.bin_len(v.len())?;
        self.put(&[s.bytes(), v])
    }

    /// An array header: the next `len` values are its elements.
    pub fn array(&mut self, len: usize) -> Result<&mut Self, Error> {
        let mut s = crate::write::Scratch::new();
        s.array_len(len)?;
        self.put(&[s.bytes()])
    }

    /// A map header: the next `2 * len` values are its keys and values.
    pub fn map(&mut self, len: usize) -> Result<&mut Self, Error> {
        let mut s = crate::write::Scratch::new();
        s.map_len(len)?;
        self.put(&[s.bytes()])
    }

    /// A timestamp (extension −1, shortest width).
    pub fn timestamp(&mut self, ts: Timestamp) -> Result<&mut Self, Error> {
        let mut tmp = [0u8; 15];
        let n = ts.write_ext(&mut tmp).unwrap_or(0);
        self.put(&[&tmp[..n]])
    }

    /// An extension value.
    pub fn ext(&mut self, ty: i8, data: &[u8]) -> Result<&mut Self, Error> {
        let mut s = crate::write::Scratch::new();
        s.ext_meta(data.len(), ty)?;
        self.put(&[s.bytes(), data])
    }

    /// A value already encoded.
    pub fn raw(&mut self, v: RawValue<'_>) -> Result<&mut Self, Error> {
        self.put(&[v.as_bytes()])
    }

    /// The value written, checked to be exactly one complete value.
    pub fn finish(self) -> Result<RawValue<'b>, Error> {
        let bytes: &'b [u8] = &self.buf[..self.len];
        RawValue::new(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_accessors() {
        let v = |b: &'static [u8]| RawValue::new(b).unwrap();
        assert_eq!(v(&[0xd0, 0x80]).as_i64().unwrap(), -128);
        assert_eq!(v(&[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).as_u64().unwrap(), u64::MAX);
        assert!(v(&[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).as_i64().is_err());
        assert_eq!(v(&[0xca, 0x42, 0x28, 0, 0]).as_f32().unwrap(), 42.0);
        assert_eq!(v(&[0xca, 0x42, 0x28, 0, 0]).as_f64().unwrap(), 42.0);
        assert_eq!(v(&[0x2a]).as_f64().unwrap(), 42.0);
        assert_eq!(v(&[0xc4, 3, 1, 2, 3]).as_bin().unwrap(), [1, 2, 3]);
        assert_eq!(v(&[0xc0]).as_opt_str().unwrap(), None);
        let e = v(&[0x2a]).as_str().unwrap_err();
        assert_eq!(e.to_string(), "Unexpected msgpack code 42 (positive fixint) encountered.");
        assert!(v(&[0xa1, 0xff]).as_str().is_err());
        assert_eq!(v(&[0xd6, 0xff, 0, 0, 0, 1]).as_timestamp().unwrap(), Timestamp::from_seconds(1));
        assert!(v(&[0xd6, 0x01, 0, 0, 0, 1]).as_timestamp().is_err());
        let map = v(&[0x82, 0xa1, b'A', 0x01, 0xa1, b'B', 0x02]).as_map().unwrap();
        assert_eq!(map.get("B").unwrap().as_i64().unwrap(), 2);
        assert_eq!(map.count(), 2);
        assert!(matches!(v(&[0xd7, 0xff, 0, 0, 0, 4, 0, 0, 0, 1]).decode().unwrap(), Value::Timestamp(_)));
        assert!(RawValue::missing().arguments().is_err());
    }

    #[test]
    fn writer_reports_needed_size() {
        let mut buf = [0u8; 3];
        let mut w = ValueWriter::new(&mut buf);
        w.array(1).unwrap();
        let e = w.str("abc").unwrap_err();
        assert_eq!(e.needed(), Some(5));
        assert_eq!(w.written(), [0x91]);
    }
}
