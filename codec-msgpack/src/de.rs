//! serde binding without an allocator (feature `serde`): a serde [`Deserializer`] that reads a
//! [`RawValue`] in one pass, borrowing strings and bytes from the frame.
//!
//! It reads what rmp-serde reads, the way rmp-serde reads it: structs from maps keyed by field
//! name (as .NET writes them) or from arrays, tuples from arrays, unit enum variants from strings
//! (as .NET writes enums) or `{variant: value}` maps, integers of any MessagePack width
//! (range-checked by the target type), integers into floats, `bin` into `&[u8]`, the timestamp
//! extension into [`Timestamp`](crate::Timestamp). Nesting is bounded (by
//! [`MAX_SUPPORTED_DEPTH`], or [`Deserializer::with_max_depth`]) so hostile input cannot
//! overflow the stack, and no input panics.
//!
//! One pass: a cursor over the bytes reads each marker once and hands arrays and maps to the
//! visitor as sequences and maps that advance the same cursor, so a nested value is read once,
//! however deep it sits. Only what the visitor does not read (`IgnoredAny`, unknown struct
//! fields) is stepped over, by the crate's iterative skipper.
//!
//! ```
//! use signalr_codec_msgpack::{de, RawValue};
//! let raw = RawValue::new(&[0x92, 0x2a, 0xa3, b'a', b'b', b'c']).unwrap();
//! let (n, s): (i32, &str) = de::from_raw(raw).unwrap();
//! assert_eq!((n, s), (42, "abc"));
//! let e = de::from_raw::<(bool, &str)>(raw).unwrap_err();
//! assert_eq!(e.to_string(), "Deserializing object of the `(bool, &str)` type for 'argument' failed.");
//! ```

use core::fmt;

use serde::de::value::{BorrowedBytesDeserializer, I8Deserializer, SeqDeserializer};
use serde::de::{self, DeserializeSeed, Visitor};
use serde::Deserialize;
use signalr_codec_core::limits::MAX_SUPPORTED_DEPTH;
use signalr_codec_core::{Error, ErrorKind};

use crate::read;
use crate::value::RawValue;

/// rmp-serde's name for "this newtype struct is an extension value `(i8, bytes)`".
const EXT_STRUCT: &str = "_ExtStruct";

/// Binds `raw` to `T` without an allocator, borrowing `&str` and `&[u8]` from the frame.
///
/// On failure the error (kind [`ErrorKind::Type`]) has .NET's text,
/// ``Deserializing object of the `{Type}` type for 'argument' failed.``
pub fn from_raw<'de, T: Deserialize<'de>>(raw: RawValue<'de>) -> Result<T, Error> {
    from_raw_field(raw, "argument")
}

/// [`from_raw`], naming `field` in the error text (.NET uses `item` for stream items).
pub fn from_raw_field<'de, T: Deserialize<'de>>(raw: RawValue<'de>, field: &str) -> Result<T, Error> {
    T::deserialize(Deserializer::new(raw)).map_err(|_| deserialize_error::<T>(field))
}

/// The short name of a type, as .NET's `Type.Name` (`String` for `alloc::string::String`).
pub(crate) fn short_type_name<T: ?Sized>() -> &'static str {
    let full = core::any::type_name::<T>();
    let base = full.split('<').next().unwrap_or(full);
    // With `small`, the last `::` found by bytes: `rsplit("::")` links a two-way string
    // searcher (about 700 bytes on a device) for a name read only in an error text. Without
    // it, as before (measured: taking the searcher out of a host build moves the code generated
    // around the JSON decoder, +8 instructions a completion).
    #[cfg(feature = "small")]
    return &base[base.as_bytes().windows(2).rposition(|pair| pair == b"::").map_or(0, |at| at + 2)..];
    #[cfg(not(feature = "small"))]
    return base.rsplit("::").next().unwrap_or(base);
}

/// ``Deserializing object of the `{Type}` type for '{field}' failed.``
///
/// Put together from pieces, not formatted: binding links no `core::fmt`.
#[cold]
pub(crate) fn deserialize_error<T: ?Sized>(field: &str) -> Error {
    Error::concatenated(
        ErrorKind::Type,
        &["Deserializing object of the `", short_type_name::<T>(), "` type for '", field, "' failed."],
    )
}

/// Why a value did not bind: a fixed reason (no allocation, so a custom message is dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeError(&'static str);

impl DeError {
    const MISMATCH: DeError = DeError("the value does not match the type");
    const DEPTH: DeError = DeError("the value is nested too deeply");
    const MALFORMED: DeError = DeError("the value is not well-formed MessagePack");
    const TRAILING: DeError = DeError("the array or map has more elements than the type takes");

    /// The reason, as text.
    pub const fn reason(&self) -> &'static str {
        self.0
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl core::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<M: fmt::Display>(_: M) -> Self {
        DeError::MISMATCH
    }
}

impl From<Error> for DeError {
    fn from(_: Error) -> Self {
        DeError::MALFORMED
    }
}

/// A serde deserializer over one [`RawValue`]; see the [module documentation](self).
#[derive(Debug, Clone, Copy)]
pub struct Deserializer<'de> {
    raw: RawValue<'de>,
    max_depth: usize,
}

impl<'de> Deserializer<'de> {
    /// A deserializer over `raw`, nesting bounded by [`MAX_SUPPORTED_DEPTH`].
    pub fn new(raw: RawValue<'de>) -> Self {
        Self::with_max_depth(raw, MAX_SUPPORTED_DEPTH)
    }

    /// A deserializer over `raw` that refuses arrays and maps nested deeper than `max_depth`
    /// (a device with a small stack may want fewer levels than the default).
    pub fn with_max_depth(raw: RawValue<'de>, max_depth: usize) -> Self {
        Deserializer { raw, max_depth }
    }

    /// The cursor that reads the value, at its start.
    fn reader(self) -> Reader<'de> {
        Reader { buf: self.raw.as_bytes(), pos: 0, depth: 0, max_depth: self.max_depth, variant: Variant::Read }
    }
}

/// The public deserializer hands every request to a [`Reader`] at the value's start.
macro_rules! to_reader {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            #[inline]
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, DeError> {
                de::Deserializer::$method(&mut self.reader(), $($arg,)* visitor)
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Deserializer<'de> {
    type Error = DeError;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // A `RawValue` is one complete value already: nothing to walk.
        self.reader().code()?;
        visitor.visit_unit()
    }

    to_reader! {
        deserialize_any();
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_option();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
    }
}

/// The value as the payload of a `{variant: value}` enum.
impl<'de> de::VariantAccess<'de> for Deserializer<'de> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        // As rmp-serde: `{variant: nil}`.
        if self.raw.is_nil() {
            Ok(())
        } else {
            Err(DeError::MISMATCH)
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, DeError> {
        self.reader().any(visitor, false)
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        self.reader().any(visitor, false)
    }
}

/// How far a `{variant: value}` enum was read when its visitor returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// Neither the variant nor its value (the visitor asked for neither).
    Unread,
    /// The variant, not yet its value.
    Named,
    /// Both.
    Read,
}

/// The one-pass cursor: a position in the value's bytes and the nesting level there.
///
/// Every read checks its bounds (the bytes come from a [`RawValue`], well-formed unless made by
/// hand inside the crate, and no input may panic). A value the visitor leaves unread is skipped
/// before the next one is read, so the cursor is at a value's start whenever a seed gets it.
struct Reader<'de> {
    buf: &'de [u8],
    pos: usize,
    /// Containers open around the position.
    depth: usize,
    max_depth: usize,
    /// What the innermost `{variant: value}` enum visitor read (see [`Variant`]).
    variant: Variant,
}

impl<'de> Reader<'de> {
    /// The marker at the cursor.
    #[inline]
    fn code(&self) -> Result<u8, DeError> {
        self.buf.get(self.pos).copied().ok_or(DeError::MALFORMED)
    }

    /// The next `n` bytes, consumed.
    #[inline]
    fn take(&mut self, n: usize) -> Result<&'de [u8], DeError> {
        // `pos <= buf.len()` always, so neither the subtraction nor the addition overflows.
        if n > self.buf.len() - self.pos {
            return Err(DeError::MALFORMED);
        }
        let bytes = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(bytes)
    }

    /// The next `N` bytes, consumed.
    #[inline]
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DeError> {
        let bytes = self.buf.get(self.pos..).and_then(|rest| rest.first_chunk::<N>()).ok_or(DeError::MALFORMED)?;
        self.pos += N;
        Ok(*bytes)
    }

    #[inline]
    fn u8(&mut self) -> Result<u8, DeError> {
        self.array::<1>().map(|[b]| b)
    }

    #[inline]
    fn u16(&mut self) -> Result<u16, DeError> {
        self.array().map(u16::from_be_bytes)
    }

    #[inline]
    fn u32(&mut self) -> Result<u32, DeError> {
        self.array().map(u32::from_be_bytes)
    }

    #[inline]
    fn u64(&mut self) -> Result<u64, DeError> {
        self.array().map(u64::from_be_bytes)
    }

    /// The data of a `str` or `bin` value whose marker was just read: its length (`len_bytes`
    /// big-endian bytes), then that many bytes.
    #[inline]
    fn data(&mut self, len_bytes: usize) -> Result<&'de [u8], DeError> {
        let len = match len_bytes {
            1 => usize::from(self.u8()?),
            2 => usize::from(self.u16()?),
            _ => usize::try_from(self.u32()?).map_err(|_| DeError::MALFORMED)?,
        };
        self.take(len)
    }

    /// The type and data of an extension whose marker `code` was just read.
    fn ext(&mut self, code: u8) -> Result<(i8, &'de [u8]), DeError> {
        let len = match code {
            0xd4 => 1,
            0xd5 => 2,
            0xd6 => 4,
            0xd7 => 8,
            0xd8 => 16,
            0xc7 => usize::from(self.u8()?),
            0xc8 => usize::from(self.u16()?),
            0xc9 => usize::try_from(self.u32()?).map_err(|_| DeError::MALFORMED)?,
            _ => return Err(DeError::MISMATCH),
        };
        let ty = self.u8()? as i8;
        Ok((ty, self.take(len)?))
    }

    /// Refuses a container one level past the bound.
    #[inline]
    fn enter(&self) -> Result<(), DeError> {
        if self.depth >= self.max_depth {
            Err(DeError::DEPTH)
        } else {
            Ok(())
        }
    }

    /// The element count of an array (`count_bytes` 0 for a fixarray, whose count is `fix`),
    /// checked against the bytes left: each element takes at least one.
    #[inline]
    fn array_len(&mut self, count_bytes: usize, fix: u8) -> Result<usize, DeError> {
        let len = match count_bytes {
            0 => usize::from(fix),
            2 => usize::from(self.u16()?),
            _ => usize::try_from(self.u32()?).map_err(|_| DeError::MALFORMED)?,
        };
        if len > self.buf.len() - self.pos {
            return Err(DeError::MALFORMED);
        }
        Ok(len)
    }

    /// The entry count of a map, checked against the bytes left: each entry takes at least two.
    #[inline]
    fn map_len(&mut self, count_bytes: usize, fix: u8) -> Result<usize, DeError> {
        let len = match count_bytes {
            0 => usize::from(fix),
            2 => usize::from(self.u16()?),
            _ => usize::try_from(self.u32()?).map_err(|_| DeError::MALFORMED)?,
        };
        if len > (self.buf.len() - self.pos) / 2 {
            return Err(DeError::MALFORMED);
        }
        Ok(len)
    }

    /// Steps over the value at the cursor, which the visitor did not read. Each value is
    /// bounded on its own, as the element of an array or map was before it was read.
    #[cold]
    fn skip(&mut self) -> Result<(), DeError> {
        self.pos = read::skip_value(self.buf, self.pos, 0, MAX_SUPPORTED_DEPTH).map_err(|_| DeError::MALFORMED)?;
        Ok(())
    }

    /// Gives the value at the cursor to `seed`, and skips it if the seed did not read it.
    #[inline]
    fn element<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, DeError> {
        let start = self.pos;
        let value = seed.deserialize(&mut *self)?;
        if self.pos == start {
            // Every value takes at least a byte: this one was left alone.
            self.skip()?;
        }
        Ok(value)
    }

    /// A `str` value's data to the visitor: borrowed as `&str`, or as bytes when it is not
    /// UTF-8 (as rmp-serde does).
    #[inline]
    fn visit_str_data<V: Visitor<'de>>(data: &'de [u8], visitor: V) -> Result<V::Value, DeError> {
        match read::utf8(data) {
            Some(s) => visitor.visit_borrowed_str(s),
            None => visitor.visit_borrowed_bytes(data),
        }
    }

    /// A `bin` value's data to the visitor: as bytes when `allow_bytes`, else as a sequence of
    /// integers (as rmp-serde does for sequences, tuples and structs).
    #[inline]
    fn visit_bin_data<V: Visitor<'de>>(data: &'de [u8], visitor: V, allow_bytes: bool) -> Result<V::Value, DeError> {
        if allow_bytes {
            visitor.visit_borrowed_bytes(data)
        } else {
            visitor.visit_seq(SeqDeserializer::<_, DeError>::new(data.iter().copied()))
        }
    }

    /// The elements of an array whose header was read, to the visitor, one level down.
    #[inline]
    fn visit_array<V: Visitor<'de>>(&mut self, len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.depth += 1;
        let mut seq = SeqAccess { de: self, left: len };
        let value = visitor.visit_seq(&mut seq);
        let left = seq.left;
        self.depth -= 1;
        let value = value?;
        if left == 0 {
            Ok(value)
        } else {
            Err(DeError::TRAILING)
        }
    }

    /// The entries of a map whose header was read, to the visitor, one level down.
    #[inline]
    fn visit_map<V: Visitor<'de>>(&mut self, len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.depth += 1;
        let mut map = MapAccess { de: self, left: len, value_pending: false };
        let value = visitor.visit_map(&mut map);
        let (left, value_pending) = (map.left, map.value_pending);
        let value = value.and_then(|value| {
            if left != 0 {
                Err(DeError::TRAILING)
            } else if value_pending {
                // The last key was read, its value was not.
                self.skip().map(|()| value)
            } else {
                Ok(value)
            }
        });
        self.depth -= 1;
        value
    }

    /// Everything `deserialize_any` does; `allow_bytes` false reads `bin` as a sequence of
    /// bytes (as rmp-serde does for sequences, tuples and structs).
    #[inline]
    fn any<V: Visitor<'de>>(&mut self, visitor: V, allow_bytes: bool) -> Result<V::Value, DeError> {
        let code = self.code()?;
        self.pos += 1;
        match code {
            0x00..=0x7f => visitor.visit_u8(code),
            0xa0..=0xbf => {
                let data = self.take(usize::from(code & 0x1f))?;
                Self::visit_str_data(data, visitor)
            }
            0x90..=0x9f => {
                self.enter()?;
                let len = self.array_len(0, code & 0x0f)?;
                self.visit_array(len, visitor)
            }
            0x80..=0x8f => {
                self.enter()?;
                let len = self.map_len(0, code & 0x0f)?;
                self.visit_map(len, visitor)
            }
            0xe0..=0xff => visitor.visit_i8(code as i8),
            0xc0 => visitor.visit_unit(),
            0xc2 => visitor.visit_bool(false),
            0xc3 => visitor.visit_bool(true),
            0xcc => visitor.visit_u8(self.u8()?),
            0xcd => visitor.visit_u16(self.u16()?),
            0xce => visitor.visit_u32(self.u32()?),
            0xcf => visitor.visit_u64(self.u64()?),
            0xd0 => visitor.visit_i8(self.u8()? as i8),
            0xd1 => visitor.visit_i16(self.u16()? as i16),
            0xd2 => visitor.visit_i32(self.u32()? as i32),
            0xd3 => visitor.visit_i64(self.u64()? as i64),
            0xca => visitor.visit_f32(f32::from_bits(self.u32()?)),
            0xcb => visitor.visit_f64(f64::from_bits(self.u64()?)),
            0xd9 => Self::visit_str_data(self.data(1)?, visitor),
            0xda => Self::visit_str_data(self.data(2)?, visitor),
            0xdb => Self::visit_str_data(self.data(4)?, visitor),
            0xc4 => Self::visit_bin_data(self.data(1)?, visitor, allow_bytes),
            0xc5 => Self::visit_bin_data(self.data(2)?, visitor, allow_bytes),
            0xc6 => Self::visit_bin_data(self.data(4)?, visitor, allow_bytes),
            0xdc | 0xdd => {
                self.enter()?;
                let len = self.array_len(if code == 0xdc { 2 } else { 4 }, 0)?;
                self.visit_array(len, visitor)
            }
            0xde | 0xdf => {
                self.enter()?;
                let len = self.map_len(if code == 0xde { 2 } else { 4 }, 0)?;
                self.visit_map(len, visitor)
            }
            0xc7..=0xc9 | 0xd4..=0xd8 => {
                self.enter()?;
                let (ty, data) = self.ext(code)?;
                visitor.visit_newtype_struct(ExtDeserializer { ty, data })
            }
            // 0xc1, never used.
            _ => Err(DeError::MALFORMED),
        }
    }

    /// An integer (of any MessagePack width) or 16 bytes of `bin` (big-endian), as rmp-serde
    /// reads 128-bit integers.
    fn int128(&mut self) -> Result<i128, DeError> {
        let code = self.code()?;
        let len_bytes = match code {
            0xc4 => 1,
            0xc5 => 2,
            0xc6 => 4,
            _ => 0,
        };
        self.pos += 1;
        Ok(match code {
            0xc4..=0xc6 => {
                let data: [u8; 16] = self.data(len_bytes)?.try_into().map_err(|_| DeError::MISMATCH)?;
                i128::from_be_bytes(data)
            }
            0x00..=0x7f => i128::from(code),
            0xe0..=0xff => i128::from(code as i8),
            0xcc => i128::from(self.u8()?),
            0xcd => i128::from(self.u16()?),
            0xce => i128::from(self.u32()?),
            0xcf => i128::from(self.u64()?),
            0xd0 => i128::from(self.u8()? as i8),
            0xd1 => i128::from(self.u16()? as i16),
            0xd2 => i128::from(self.u32()? as i32),
            0xd3 => i128::from(self.u64()? as i64),
            _ => return Err(DeError::MISMATCH),
        })
    }
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = DeError;

    fn is_human_readable(&self) -> bool {
        false
    }

    #[inline]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.any(visitor, true)
    }

    #[inline]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.code()? == 0xc0 {
            self.pos += 1;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, DeError> {
        // As rmp-serde: nil or an empty array.
        match self.code()? {
            0xc0 | 0x90 => {
                self.pos += 1;
                visitor.visit_unit()
            }
            _ => self.any(visitor, true),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        if name == EXT_STRUCT {
            let code = self.code()?;
            self.pos += 1;
            let (ty, data) = self.ext(code).map_err(|_| DeError::MISMATCH)?;
            return visitor.visit_newtype_struct(ExtDeserializer { ty, data });
        }
        visitor.visit_newtype_struct(self)
    }

    #[inline]
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.any(visitor, false)
    }

    #[inline]
    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, DeError> {
        self.any(visitor, false)
    }

    #[inline]
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.any(visitor, false)
    }

    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.any(visitor, false)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let code = self.code()?;
        let count_bytes = match code {
            0x80..=0x8f => 0,
            0xde => 2,
            0xdf => 4,
            // The variant alone (.NET writes enums as their names).
            _ => return visitor.visit_enum(UnitVariantAccess(self)),
        };
        // `{variant: value}`.
        self.enter()?;
        self.pos += 1;
        if self.map_len(count_bytes, code & 0x0f)? != 1 {
            return Err(DeError::MISMATCH);
        }
        self.depth += 1;
        self.variant = Variant::Unread;
        let value = visitor.visit_enum(VariantAccess { de: &mut *self });
        // Step over what the visitor left unread, so that the cursor is past the map.
        let value = value.and_then(|value| {
            match self.variant {
                Variant::Unread => self.skip().and_then(|()| self.skip())?,
                Variant::Named => self.skip()?,
                Variant::Read => {}
            }
            Ok(value)
        });
        // An enclosing enum's visitor has read its variant's value when this one returns.
        self.variant = Variant::Read;
        self.depth -= 1;
        value
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.skip()?;
        visitor.visit_unit()
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_i128(self.int128()?)
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // Range-checked by the visitor (a negative value does not bind).
        visitor.visit_i128(self.int128()?)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 char str string bytes byte_buf unit map identifier
    }
}

/// An array's elements.
struct SeqAccess<'a, 'de> {
    de: &'a mut Reader<'de>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_, 'de> {
    type Error = DeError;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        self.de.element(seed).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// A map's entries.
struct MapAccess<'a, 'de> {
    de: &'a mut Reader<'de>,
    left: usize,
    /// A key was read, its value not yet.
    value_pending: bool,
}

impl<'de> de::MapAccess<'de> for MapAccess<'_, 'de> {
    type Error = DeError;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        if self.value_pending {
            // The visitor asked for the next key without the last one's value.
            self.de.skip()?;
            self.value_pending = false;
        }
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let key = self.de.element(seed)?;
        self.value_pending = true;
        Ok(Some(key))
    }

    #[inline]
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, DeError> {
        if !self.value_pending {
            return Err(DeError::MISMATCH);
        }
        self.value_pending = false;
        self.de.element(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// An extension value, as rmp-serde presents it: a newtype struct holding `(i8, bytes)`.
struct ExtDeserializer<'de> {
    ty: i8,
    data: &'de [u8],
}

impl<'de> de::Deserializer<'de> for ExtDeserializer<'de> {
    type Error = DeError;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(ExtSeq { ty: Some(self.ty), data: Some(self.data) })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// The type, then the data, of an extension value.
struct ExtSeq<'de> {
    ty: Option<i8>,
    data: Option<&'de [u8]>,
}

impl<'de> de::SeqAccess<'de> for ExtSeq<'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        if let Some(ty) = self.ty.take() {
            return seed.deserialize(I8Deserializer::<DeError>::new(ty)).map(Some);
        }
        match self.data.take() {
            Some(data) => seed.deserialize(BorrowedBytesDeserializer::<DeError>::new(data)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(usize::from(self.ty.is_some()) + usize::from(self.data.is_some()))
    }
}

/// An enum written as a one-entry map `{variant: value}`, its header read: the cursor is at
/// the variant.
struct VariantAccess<'a, 'de> {
    de: &'a mut Reader<'de>,
}

impl<'a, 'de> de::EnumAccess<'de> for VariantAccess<'a, 'de> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), DeError> {
        let variant = self.de.element(seed)?;
        self.de.variant = Variant::Named;
        Ok((variant, self))
    }
}

impl<'de> de::VariantAccess<'de> for VariantAccess<'_, 'de> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        self.de.variant = Variant::Read;
        // As rmp-serde: `{variant: nil}`.
        if self.de.code()? == 0xc0 {
            self.de.pos += 1;
            Ok(())
        } else {
            Err(DeError::MISMATCH)
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        self.de.variant = Variant::Read;
        self.de.element(seed)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, DeError> {
        self.de.variant = Variant::Read;
        self.de.any(visitor, false)
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        self.de.variant = Variant::Read;
        self.de.any(visitor, false)
    }
}

/// An enum written as the variant alone: its name (or index).
struct UnitVariantAccess<'a, 'de>(&'a mut Reader<'de>);

impl<'a, 'de> de::EnumAccess<'de> for UnitVariantAccess<'a, 'de> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), DeError> {
        Ok((self.0.element(seed)?, self))
    }
}

impl<'de> de::VariantAccess<'de> for UnitVariantAccess<'_, 'de> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _: T) -> Result<T::Value, DeError> {
        Err(DeError::MISMATCH)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, DeError> {
        Err(DeError::MISMATCH)
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], _: V) -> Result<V::Value, DeError> {
        Err(DeError::MISMATCH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Timestamp, ValueWriter};
    use proptest::prelude::*;
    use serde::Deserialize;

    fn raw(bytes: &[u8]) -> RawValue<'_> {
        RawValue::new(bytes).unwrap()
    }

    /// Writes a value with `ValueWriter` into a fresh buffer.
    fn build(f: impl FnOnce(&mut ValueWriter<'_>) -> Result<(), Error>) -> Vec<u8> {
        let mut buf = vec![0u8; 4096];
        let mut w = ValueWriter::new(&mut buf);
        f(&mut w).unwrap();
        let n = w.written().len();
        buf.truncate(n);
        buf
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "PascalCase")]
    struct Person<'a> {
        name: &'a str,
        age: u8,
        email: Option<&'a str>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Point {
        x: i32,
        y: i32,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Pair(i16, bool);

    #[derive(Debug, Deserialize, PartialEq)]
    struct Meters(f64);

    #[derive(Debug, Deserialize, PartialEq)]
    enum Color {
        Red,
        Green,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    enum Shape {
        Circle(u32),
        Rect { w: u32, h: u32 },
        Empty,
    }

    #[test]
    fn scalars_and_tuples() {
        let args = build(|w| w.array(2)?.int(42)?.str("abc").map(drop));
        assert_eq!(from_raw::<(i32, &str)>(raw(&args)).unwrap(), (42, "abc"));
        let args = build(|w| w.array(3)?.uint(200)?.f32(1.5)?.bool(true).map(drop));
        assert_eq!(from_raw::<(u8, f32, bool)>(raw(&args)).unwrap(), (200, 1.5, true));
        // Integers into floats, floats of both widths.
        assert_eq!(from_raw::<f32>(raw(&[0x2a])).unwrap(), 42.0);
        assert_eq!(from_raw::<f64>(raw(&[0xd0, 0x80])).unwrap(), -128.0);
        assert_eq!(from_raw::<f64>(raw(&[0xca, 0x3f, 0xc0, 0, 0])).unwrap(), 1.5);
        assert_eq!(from_raw::<f32>(raw(&[0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0])).unwrap(), 1.5);
        assert_eq!(from_raw::<char>(raw(&[0xa1, b'x'])).unwrap(), 'x');
        from_raw::<()>(raw(&[0xc0])).unwrap();
        assert_eq!(from_raw::<Pair>(raw(&[0x92, 0x05, 0xc2])).unwrap(), Pair(5, false));
        assert_eq!(from_raw::<Meters>(raw(&[0x01])).unwrap(), Meters(1.0));
        assert_eq!(from_raw::<u64>(raw(&[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).unwrap(), u64::MAX);
        assert_eq!(from_raw::<i64>(raw(&[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0])).unwrap(), i64::MIN);
        assert_eq!(from_raw::<i128>(raw(&[0xe0])).unwrap(), -32);
        assert_eq!(from_raw::<u128>(raw(&[0xcc, 0xff])).unwrap(), 255);
        assert!(from_raw::<u128>(raw(&[0xff])).is_err());
    }

    #[test]
    fn borrowed_str_and_bytes() {
        let bytes = [0xc4, 0x03, 1, 2, 3];
        let b: &[u8] = from_raw(raw(&bytes)).unwrap();
        assert_eq!(b, [1, 2, 3]);
        assert_eq!(b.as_ptr(), bytes[2..].as_ptr());
        let s = [0xa2, b'h', b'i'];
        let t: &str = from_raw(raw(&s)).unwrap();
        assert_eq!(t.as_ptr(), s[1..].as_ptr());
        // A `str` also binds to `&[u8]`; `bin` does not bind to `&str` unless it is UTF-8.
        assert_eq!(from_raw::<&[u8]>(raw(&s)).unwrap(), b"hi");
        assert_eq!(from_raw::<&str>(raw(&[0xc4, 0x01, b'a'])).unwrap(), "a");
        assert!(from_raw::<&str>(raw(&[0xc4, 0x01, 0xff])).is_err());
        // Invalid UTF-8 in a `str`: bytes bind, strings do not.
        assert!(from_raw::<&str>(raw(&[0xa1, 0xff])).is_err());
        assert_eq!(from_raw::<&[u8]>(raw(&[0xa1, 0xff])).unwrap(), [0xff]);
    }

    #[test]
    fn structs_from_maps_and_arrays() {
        let map = build(|w| {
            w.map(3)?.str("Name")?.str("Ann")?.str("Age")?.int(30)?.str("Extra")?.array(1)?.nil()?;
            Ok(())
        });
        let p: Person = from_raw(raw(&map)).unwrap();
        assert_eq!(p, Person { name: "Ann", age: 30, email: None });
        let map = build(|w| w.map(3)?.str("Email")?.str("a@b")?.str("Name")?.str("Bo")?.str("Age")?.int(7).map(drop));
        assert_eq!(from_raw::<Person>(raw(&map)).unwrap(), Person { name: "Bo", age: 7, email: Some("a@b") });
        let arr = build(|w| w.array(3)?.str("Cy")?.int(1)?.str("c@d").map(drop));
        assert_eq!(from_raw::<Person>(raw(&arr)).unwrap(), Person { name: "Cy", age: 1, email: Some("c@d") });
        assert_eq!(from_raw::<Point>(raw(&[0x92, 0x01, 0x02])).unwrap(), Point { x: 1, y: 2 });
        // Missing field, extra array element, wrong field type.
        assert!(from_raw::<Point>(raw(&[0x81, 0xa1, b'x', 0x01])).is_err());
        assert!(from_raw::<Point>(raw(&[0x93, 0x01, 0x02, 0x03])).is_err());
        assert!(from_raw::<Point>(raw(&[0x92, 0x01, 0xa1, b'y'])).is_err());
    }

    #[test]
    fn options_enums_and_timestamps() {
        assert_eq!(from_raw::<Option<i32>>(raw(&[0xc0])).unwrap(), None);
        assert_eq!(from_raw::<Option<i32>>(raw(&[0x07])).unwrap(), Some(7));
        assert_eq!(from_raw::<Color>(raw(&[0xa5, b'G', b'r', b'e', b'e', b'n'])).unwrap(), Color::Green);
        assert_eq!(from_raw::<Color>(raw(&[0x00])).unwrap(), Color::Red);
        assert!(from_raw::<Color>(raw(&[0xa4, b'B', b'l', b'u', b'e'])).is_err());
        assert!(from_raw::<Color>(raw(&[0x02])).is_err());
        let circle = build(|w| w.map(1)?.str("Circle")?.int(3).map(drop));
        assert_eq!(from_raw::<Shape>(raw(&circle)).unwrap(), Shape::Circle(3));
        let rect = build(|w| w.map(1)?.str("Rect")?.map(2)?.str("w")?.int(1)?.str("h")?.int(2).map(drop));
        assert_eq!(from_raw::<Shape>(raw(&rect)).unwrap(), Shape::Rect { w: 1, h: 2 });
        let empty = build(|w| w.map(1)?.str("Empty")?.nil().map(drop));
        assert_eq!(from_raw::<Shape>(raw(&empty)).unwrap(), Shape::Empty);
        assert!(from_raw::<Shape>(raw(b"\xa6Circle")).is_err());
        let ts = Timestamp::new(1_700_000_000, 5).unwrap();
        let bytes = build(|w| w.timestamp(ts).map(drop));
        assert_eq!(from_raw::<Timestamp>(raw(&bytes)).unwrap(), ts);
        assert!(from_raw::<Timestamp>(raw(&[0xd4, 0x01, 0x00])).is_err());
        assert!(from_raw::<Timestamp>(raw(&[0x01])).is_err());
    }

    #[test]
    fn heapless_strings_and_vectors() {
        let s: heapless::String<16> = from_raw(raw(b"\xa5hello")).unwrap();
        assert_eq!(s.as_str(), "hello");
        assert!(from_raw::<heapless::String<4>>(raw(b"\xa5hello")).is_err());
        let v: heapless::Vec<i32, 4> = from_raw(raw(&[0x93, 0x01, 0xff, 0xcd, 0x01, 0x00])).unwrap();
        assert_eq!(v.as_slice(), [1, -1, 256]);
        assert!(from_raw::<heapless::Vec<i32, 4>>(raw(&[0x95, 1, 2, 3, 4, 5])).is_err());
        let (n, name): (i32, heapless::String<16>) = from_raw(raw(b"\x92\x05\xa3abc")).unwrap();
        assert_eq!((n, name.as_str()), (5, "abc"));
    }

    #[test]
    fn wrong_types_and_overflow_fail_with_dotnet_text() {
        let samples: [&[u8]; 12] = [
            &[0xc0],
            &[0xc3],
            &[0x2a],
            &[0xff],
            &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            &[0xca, 0x3f, 0xc0, 0, 0],
            &[0xa1, b'x'],
            &[0xc4, 0x01, 0x00],
            &[0x91, 0x01],
            &[0x81, 0xa1, b'x', 0x01],
            &[0xd4, 0x05, 0x00],
            &[],
        ];
        for bytes in samples {
            let v = if bytes.is_empty() { RawValue::missing() } else { raw(bytes) };
            // None of these panics; each binds to at most a few of the types.
            let _ = from_raw::<bool>(v);
            let _ = from_raw::<i8>(v);
            let _ = from_raw::<u16>(v);
            let _ = from_raw::<f64>(v);
            let _ = from_raw::<&str>(v);
            let _ = from_raw::<&[u8]>(v);
            let _ = from_raw::<(i32, &str)>(v);
            let _ = from_raw::<Point>(v);
            let _ = from_raw::<Color>(v);
            let _ = from_raw::<Shape>(v);
            let _ = from_raw::<Timestamp>(v);
            let _ = from_raw::<heapless::Vec<u8, 2>>(v);
            let _ = from_raw::<serde::de::IgnoredAny>(v);
        }
        let e = from_raw::<i32>(raw(&[0xa1, b'x'])).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Type);
        assert_eq!(e.to_string(), "Deserializing object of the `i32` type for 'argument' failed.");
        let e = from_raw_field::<bool>(raw(&[0x01]), "item").unwrap_err();
        assert_eq!(e.to_string(), "Deserializing object of the `bool` type for 'item' failed.");
        assert!(from_raw::<bool>(raw(&[0x01])).is_err());
        assert!(from_raw::<i32>(raw(&[0xc3])).is_err());
        assert!(from_raw::<i32>(raw(&[0xca, 0x3f, 0xc0, 0, 0])).is_err());
        assert!(from_raw::<()>(raw(&[0x01])).is_err());
        assert!(from_raw::<char>(raw(b"\xa2ab")).is_err());
        assert!(from_raw::<i32>(RawValue::missing()).is_err());
        // Overflow, each width.
        assert!(from_raw::<u8>(raw(&[0xcd, 0x01, 0x00])).is_err());
        assert!(from_raw::<i8>(raw(&[0xcc, 0x80])).is_err());
        assert!(from_raw::<u32>(raw(&[0xff])).is_err());
        assert!(from_raw::<i16>(raw(&[0xd2, 0x00, 0x01, 0x00, 0x00])).is_err());
        assert!(from_raw::<i32>(raw(&[0xce, 0x80, 0, 0, 0])).is_err());
        assert!(from_raw::<i64>(raw(&[0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0])).is_err());
        assert!(from_raw::<u64>(raw(&[0xd0, 0xff])).is_err());
        assert_eq!(from_raw::<i8>(raw(&[0xd1, 0xff, 0x80])).unwrap(), -128);
        assert!(from_raw::<i8>(raw(&[0xd1, 0xff, 0x7f])).is_err());
    }

    #[test]
    fn nesting_is_bounded() {
        // As deep as `RawValue::new` allows: binds (and skips) fine.
        let mut ok = vec![0x91u8; MAX_SUPPORTED_DEPTH - 1];
        ok.push(0xc0);
        let v = raw(&ok);
        from_raw::<serde::de::IgnoredAny>(v).unwrap();
        assert!(from_raw::<i32>(v).is_err());
        // A tighter bound for a small stack.
        let nested = [0x91, 0x91, 0x91, 0x01];
        type Deep = (((i32,),),);
        assert_eq!(Deep::deserialize(Deserializer::with_max_depth(raw(&nested), 3)).unwrap(), (((1,),),));
        assert_eq!(Deep::deserialize(Deserializer::with_max_depth(raw(&nested), 2)).unwrap_err(), DeError::DEPTH);
        // Hand-made bytes nested far deeper than any frame allows: an error, not a stack overflow.
        let mut deep = vec![0x91u8; 100_000];
        deep.push(0x01);
        let v = RawValue::trusted(&deep);
        assert!(from_raw::<serde::de::IgnoredAny>(v).is_ok());
        assert!(from_raw::<Recursive>(v).is_err());
        // Truncated hand-made bytes: an error.
        assert!(from_raw::<(i32, i32)>(RawValue::trusted(&[0x92, 0x01])).is_err());
        assert!(from_raw::<&str>(RawValue::trusted(&[0xa5, b'a'])).is_err());
    }

    /// A field read by a function that never touches its deserializer.
    fn seven<'de, D: serde::Deserializer<'de>>(_: D) -> Result<u8, D::Error> {
        Ok(7)
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Untouched<'a> {
        #[serde(deserialize_with = "seven")]
        a: u8,
        b: &'a str,
    }

    /// What a hand-written visitor took of a value it read only in part.
    #[derive(Debug, PartialEq)]
    enum Partial<'a> {
        /// A map's keys, not their values.
        Keys(heapless::Vec<&'a str, 4>),
        /// An enum's variant, not its value.
        Variant(&'a str),
        /// Nothing of an enum (the visitor returned at once).
        Nothing,
        /// `Some`, without reading what it holds.
        Something,
    }

    impl<'de> Deserialize<'de> for Partial<'de> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct PartialVisitor;
            impl<'de> Visitor<'de> for PartialVisitor {
                type Value = Partial<'de>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a map, an enum or an option")
                }
                fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Partial<'de>, A::Error> {
                    let mut keys = heapless::Vec::new();
                    while let Some(key) = map.next_key::<&str>()? {
                        keys.push(key).map_err(|_| de::Error::custom("full"))?;
                    }
                    Ok(Partial::Keys(keys))
                }
                fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Partial<'de>, A::Error> {
                    let (name, _unread) = data.variant::<&str>()?;
                    Ok(if name == "Nothing" { Partial::Nothing } else { Partial::Variant(name) })
                }
                fn visit_some<D: serde::Deserializer<'de>>(self, _: D) -> Result<Partial<'de>, D::Error> {
                    Ok(Partial::Something)
                }
            }
            /// The enum visitor that asks for nothing at all.
            struct Silent;
            impl<'de> Visitor<'de> for Silent {
                type Value = Partial<'de>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an enum")
                }
                fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<Partial<'de>, A::Error> {
                    Ok(Partial::Nothing)
                }
            }
            // The test sets which entry point (and visitor) the next value is read through.
            PARTIAL_MODE.with(|mode| match mode.get() {
                0 => d.deserialize_map(PartialVisitor),
                1 => d.deserialize_enum("Partial", &[], PartialVisitor),
                2 => d.deserialize_enum("Partial", &[], Silent),
                _ => d.deserialize_option(PartialVisitor),
            })
        }
    }

    std::thread_local! {
        static PARTIAL_MODE: core::cell::Cell<u8> = const { core::cell::Cell::new(0) };
    }

    #[test]
    fn values_a_visitor_leaves_unread_are_skipped() {
        // A field whose reader ignores the deserializer, in a map and in an array.
        let map = build(|w| {
            w.map(2)?.str("a")?.array(2)?.int(1)?.map(1)?.str("k")?.array(1)?.nil()?.str("b")?.str("x").map(drop)
        });
        assert_eq!(from_raw::<Untouched>(raw(&map)).unwrap(), Untouched { a: 7, b: "x" });
        let arr = build(|w| w.array(2)?.array(2)?.int(1)?.array(1)?.int(2)?.str("y").map(drop));
        assert_eq!(from_raw::<Untouched>(raw(&arr)).unwrap(), Untouched { a: 7, b: "y" });

        // Keys without their values (the last one too), then the next element.
        PARTIAL_MODE.with(|m| m.set(0));
        let keys = build(|w| {
            w.array(2)?.map(2)?.str("p")?.array(2)?.int(1)?.int(2)?.str("q")?.map(1)?.str("r")?.int(3)?.int(5).map(drop)
        });
        let (p, n): (Partial, i32) = from_raw(raw(&keys)).unwrap();
        assert_eq!((p, n), (Partial::Keys(heapless::Vec::from_slice(&["p", "q"]).unwrap()), 5));

        // An enum's variant without its value, and an enum visitor that reads nothing.
        PARTIAL_MODE.with(|m| m.set(1));
        let variant =
            build(|w| w.array(2)?.map(1)?.str("Poly")?.map(1)?.str("points")?.array(2)?.nil()?.nil()?.int(9).map(drop));
        assert_eq!(from_raw::<(Partial, i32)>(raw(&variant)).unwrap(), (Partial::Variant("Poly"), 9));
        let unit = build(|w| w.array(2)?.str("Dot")?.int(4).map(drop));
        assert_eq!(from_raw::<(Partial, i32)>(raw(&unit)).unwrap(), (Partial::Variant("Dot"), 4));
        PARTIAL_MODE.with(|m| m.set(2));
        let nothing = build(|w| w.array(2)?.map(1)?.str("A")?.array(1)?.int(1)?.int(3).map(drop));
        assert_eq!(from_raw::<(Partial, i32)>(raw(&nothing)).unwrap(), (Partial::Nothing, 3));
        assert_eq!(from_raw::<(Partial, i32)>(raw(&unit)).unwrap(), (Partial::Nothing, 4));

        // `Some` without reading what it holds.
        PARTIAL_MODE.with(|m| m.set(3));
        let some = build(|w| w.array(2)?.map(1)?.str("z")?.array(1)?.int(1)?.int(6).map(drop));
        assert_eq!(from_raw::<(Partial, i32)>(raw(&some)).unwrap(), (Partial::Something, 6));

        // A value left unread but cut short (bytes made by hand) is still an error.
        PARTIAL_MODE.with(|m| m.set(0));
        let cut = [0x92, 0x81, 0xa1, b'p', 0x92, 0x01];
        assert!(from_raw::<(Partial, i32)>(RawValue::trusted(&cut)).is_err());
    }

    /// Any value, recursively: walks every level.
    #[derive(Debug, Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Recursive {
        Int(i64),
        List(Vec<Recursive>),
    }

    #[test]
    fn binds_through_raw_value_and_bind() {
        let args = raw(b"\x92\x2a\xa3abc");
        let (n, s): (i32, &str) = args.deserialize().unwrap();
        assert_eq!((n, s), (42, "abc"));
        let (n, s): (i64, &str) = args.bind().unwrap();
        assert_eq!((n, s), (42, "abc"));
        assert_eq!(args.argument::<&str>(1).unwrap(), "abc");
    }

    /// A payload value tree, encoded with `ValueWriter`.
    #[derive(Debug, Clone)]
    enum V {
        Nil,
        Bool(bool),
        Int(i64),
        UInt(u64),
        F32(f32),
        F64(f64),
        Str(String),
        Bin(Vec<u8>),
        Ts(i64, u32),
        Arr(Vec<V>),
        Map(Vec<(V, V)>),
    }

    fn write(w: &mut ValueWriter<'_>, v: &V) -> Result<(), Error> {
        match v {
            V::Nil => w.nil().map(drop),
            V::Bool(b) => w.bool(*b).map(drop),
            V::Int(i) => w.int(*i).map(drop),
            V::UInt(u) => w.uint(*u).map(drop),
            V::F32(f) => w.f32(*f).map(drop),
            V::F64(f) => w.f64(*f).map(drop),
            V::Str(s) => w.str(s).map(drop),
            V::Bin(b) => w.bin(b).map(drop),
            V::Ts(s, n) => w.timestamp(Timestamp::new(*s, *n).unwrap()).map(drop),
            V::Arr(items) => {
                w.array(items.len())?;
                items.iter().try_for_each(|i| write(w, i))
            }
            V::Map(entries) => {
                w.map(entries.len())?;
                entries.iter().try_for_each(|(k, v)| write(w, k).and_then(|_| write(w, v)))
            }
        }
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("x".to_string()),
            Just("y".to_string()),
            Just("Name".to_string()),
            Just("Age".to_string()),
            Just("Email".to_string()),
            Just("Red".to_string()),
            Just("Green".to_string()),
            Just("Circle".to_string()),
            Just("Rect".to_string()),
            Just("Empty".to_string()),
            Just("w".to_string()),
            Just("h".to_string()),
            "[a-zA-Z]{0,3}",
        ]
    }

    fn value() -> impl Strategy<Value = V> {
        let leaf = prop_oneof![
            Just(V::Nil),
            any::<bool>().prop_map(V::Bool),
            (-300i64..300).prop_map(V::Int),
            any::<i64>().prop_map(V::Int),
            any::<u64>().prop_map(V::UInt),
            prop_oneof![Just(1.5f32), Just(-0.0), Just(f32::NAN), any::<f32>()].prop_map(V::F32),
            prop_oneof![Just(2.5f64), Just(1e300), any::<f64>()].prop_map(V::F64),
            key().prop_map(V::Str),
            ".{0,4}".prop_map(V::Str),
            prop::collection::vec(any::<u8>(), 0..20).prop_map(V::Bin),
            (-5i64..5_000_000_000, 0u32..1_000_000_000).prop_map(|(s, n)| V::Ts(s, n)),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(V::Arr),
                prop::collection::vec((key().prop_map(V::Str), inner.clone()), 0..5).prop_map(V::Map),
                prop::collection::vec((inner.clone(), inner), 0..3).prop_map(V::Map),
            ]
        })
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Nested<'a> {
        #[serde(borrow)]
        person: Option<Person<'a>>,
        points: heapless::Vec<Point, 3>,
        color: Color,
    }

    /// Binds `bytes` to `T` both ways; the outcomes (value or failure) must agree.
    fn agree<'a, T: Deserialize<'a> + fmt::Debug>(bytes: &'a [u8]) -> Result<(), TestCaseError> {
        let ours = from_raw::<T>(RawValue::new(bytes).unwrap()).ok();
        let theirs = rmp_serde::from_slice::<T>(bytes).ok();
        prop_assert_eq!(
            format!("{ours:?}"),
            format!("{theirs:?}"),
            "{} from {:02x?}",
            core::any::type_name::<T>(),
            bytes
        );
        Ok(())
    }

    /// Binds `bytes` both ways when they are one well-formed value (mutated encodings may not
    /// be); the outcomes must agree.
    fn agree_if_valid<'a, T: Deserialize<'a> + fmt::Debug>(bytes: &'a [u8]) -> Result<(), TestCaseError> {
        if RawValue::new(bytes).is_ok() {
            agree::<T>(bytes)?;
        }
        Ok(())
    }

    /// Typed documents nested several levels: structs in structs, sequences of structs, maps of
    /// sequences, every kind of enum variant, options, tuples, bytes, timestamps.
    #[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
    #[serde(rename_all = "PascalCase")]
    struct Doc {
        id: u64,
        name: String,
        tags: Vec<String>,
        origin: Option<Point2>,
        shape: Figure,
        children: Vec<Leaf>,
        scores: std::collections::BTreeMap<String, Vec<i32>>,
        pair: (i8, bool),
        #[serde(with = "serde_bytes")]
        blob: Vec<u8>,
        at: Option<Timestamp>,
        ratio: f64,
    }

    #[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
    struct Point2 {
        x: i64,
        y: f32,
    }

    #[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
    enum Figure {
        Dot,
        Circle(u16),
        Line(Point2, Point2),
        Poly { sides: u8, points: Vec<Point2> },
    }

    #[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
    struct Leaf {
        key: String,
        value: Option<Box<Leaf>>,
        kind: Figure,
    }

    fn point2() -> impl Strategy<Value = Point2> {
        (any::<i64>(), -1e6f32..1e6).prop_map(|(x, y)| Point2 { x, y })
    }

    fn figure() -> impl Strategy<Value = Figure> {
        prop_oneof![
            Just(Figure::Dot),
            any::<u16>().prop_map(Figure::Circle),
            (point2(), point2()).prop_map(|(a, b)| Figure::Line(a, b)),
            (any::<u8>(), prop::collection::vec(point2(), 0..3))
                .prop_map(|(sides, points)| Figure::Poly { sides, points }),
        ]
    }

    fn leaf() -> impl Strategy<Value = Leaf> {
        let base = ("[a-z]{0,6}", figure()).prop_map(|(key, kind)| Leaf { key, value: None, kind });
        base.prop_recursive(3, 8, 1, |inner| {
            ("[a-z]{0,6}", inner, figure()).prop_map(|(key, v, kind)| Leaf { key, value: Some(Box::new(v)), kind })
        })
    }

    fn doc() -> impl Strategy<Value = Doc> {
        (
            (any::<u64>(), ".{0,40}", prop::collection::vec("[a-zA-Z ]{0,12}", 0..4), prop::option::of(point2())),
            (figure(), prop::collection::vec(leaf(), 0..3)),
            prop::collection::btree_map("[a-z]{1,4}", prop::collection::vec(any::<i32>(), 0..4), 0..3),
            (any::<i8>(), any::<bool>(), prop::collection::vec(any::<u8>(), 0..40)),
            (prop::option::of((-5i64..5_000_000_000, 0u32..1_000_000_000)), -1e9f64..1e9),
        )
            .prop_map(|((id, name, tags, origin), (shape, children), scores, (a, b, blob), (at, ratio))| Doc {
                id,
                name,
                tags,
                origin,
                shape,
                children,
                scores,
                pair: (a, b),
                blob,
                at: at.map(|(s, n)| Timestamp::new(s, n).unwrap()),
                ratio,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn agrees_with_rmp_serde(v in value()) {
            let bytes = build(|w| write(w, &v));
            agree::<bool>(&bytes)?;
            agree::<i8>(&bytes)?;
            agree::<u8>(&bytes)?;
            agree::<i16>(&bytes)?;
            agree::<u16>(&bytes)?;
            agree::<i32>(&bytes)?;
            agree::<u32>(&bytes)?;
            agree::<i64>(&bytes)?;
            agree::<u64>(&bytes)?;
            agree::<f32>(&bytes)?;
            agree::<f64>(&bytes)?;
            agree::<char>(&bytes)?;
            agree::<()>(&bytes)?;
            agree::<&str>(&bytes)?;
            agree::<&[u8]>(&bytes)?;
            agree::<String>(&bytes)?;
            agree::<Option<i32>>(&bytes)?;
            agree::<Option<&str>>(&bytes)?;
            agree::<(i32, &str)>(&bytes)?;
            agree::<(u8, f32, bool)>(&bytes)?;
            agree::<Vec<i64>>(&bytes)?;
            agree::<Vec<Option<bool>>>(&bytes)?;
            agree::<heapless::Vec<i32, 4>>(&bytes)?;
            agree::<heapless::String<16>>(&bytes)?;
            agree::<Point>(&bytes)?;
            agree::<Pair>(&bytes)?;
            agree::<Meters>(&bytes)?;
            agree::<Person>(&bytes)?;
            agree::<Color>(&bytes)?;
            agree::<Shape>(&bytes)?;
            agree::<Timestamp>(&bytes)?;
            agree::<Nested>(&bytes)?;
            agree::<std::collections::BTreeMap<&str, i64>>(&bytes)?;
            agree::<serde::de::IgnoredAny>(&bytes)?;
        }

        #[test]
        fn nested_documents_agree(d in doc(), flip in any::<prop::sample::Index>(), to in any::<u8>()) {
            // Structs as maps (as .NET writes them) and as arrays: both bind to the value
            // written, both ways.
            for bytes in [rmp_serde::to_vec_named(&d).unwrap(), rmp_serde::to_vec(&d).unwrap()] {
                prop_assert_eq!(from_raw::<Doc>(raw(&bytes)).unwrap(), d.clone());
                agree::<Doc>(&bytes)?;
                agree::<serde::de::IgnoredAny>(&bytes)?;
                agree::<Vec<serde::de::IgnoredAny>>(&bytes)?;
                agree::<(u64, String)>(&bytes)?;
                // One byte changed: whatever the bytes become, both ways agree.
                let mut changed = bytes.clone();
                changed[flip.index(bytes.len())] = to;
                agree_if_valid::<Doc>(&changed)?;
                agree_if_valid::<Vec<Leaf>>(&changed)?;
            }
            let children = rmp_serde::to_vec_named(&d.children).unwrap();
            agree::<Vec<Leaf>>(&children)?;
            agree::<Vec<Option<Leaf>>>(&children)?;
            agree::<Vec<(String, Option<Leaf>, Figure)>>(&children)?;
            agree::<Vec<std::collections::BTreeMap<String, serde::de::IgnoredAny>>>(&children)?;
            let scores = rmp_serde::to_vec_named(&d.scores).unwrap();
            agree::<std::collections::BTreeMap<&str, Vec<i64>>>(&scores)?;
            agree::<std::collections::BTreeMap<String, (i32, i32)>>(&scores)?;
            agree::<Vec<(String, Vec<i32>)>>(&scores)?;
            let shape = rmp_serde::to_vec_named(&d.shape).unwrap();
            agree::<Figure>(&shape)?;
            agree::<Option<Figure>>(&shape)?;
            agree::<Shape>(&shape)?;
        }

        #[test]
        fn arrays_of_one_value_agree(v in value()) {
            // Wrapped in an array, so tuples and structs of one field see every value.
            let bytes = build(|w| { w.array(1)?; write(w, &v) });
            agree::<(i32,)>(&bytes)?;
            agree::<(&str,)>(&bytes)?;
            agree::<(Option<f64>,)>(&bytes)?;
            agree::<(Color,)>(&bytes)?;
            agree::<(Shape,)>(&bytes)?;
            agree::<(Person,)>(&bytes)?;
            agree::<(heapless::Vec<u8, 8>,)>(&bytes)?;
            agree::<Vec<Point>>(&bytes)?;
        }
    }
}
