//! serde binding without an allocator (feature `serde`): a serde [`Deserializer`] that walks a
//! [`RawValue`] with the crate's own value reader, borrowing strings and bytes from the frame.
//!
//! It reads what rmp-serde reads, the way rmp-serde reads it: structs from maps keyed by field
//! name (as .NET writes them) or from arrays, tuples from arrays, unit enum variants from strings
//! (as .NET writes enums) or `{variant: value}` maps, integers of any MessagePack width
//! (range-checked by the target type), integers into floats, `bin` into `&[u8]`, the timestamp
//! extension into [`Timestamp`](crate::Timestamp). Nesting is bounded (by
//! [`MAX_SUPPORTED_DEPTH`], or [`Deserializer::with_max_depth`]) so hostile input cannot
//! overflow the stack, and no input panics.
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

use crate::read::{self, Shape};
use crate::value::{ArrayIter, MapIter, RawValue};

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
    depth: usize,
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
        Deserializer { raw, depth: 0, max_depth }
    }

    fn code(&self) -> Result<u8, DeError> {
        self.raw.as_bytes().first().copied().ok_or(DeError::MALFORMED)
    }

    /// The deserializer for an element one level down.
    fn child(&self, raw: RawValue<'de>) -> Deserializer<'de> {
        Deserializer { raw, depth: self.depth + 1, max_depth: self.max_depth }
    }

    fn enter(&self) -> Result<(), DeError> {
        if self.depth >= self.max_depth {
            Err(DeError::DEPTH)
        } else {
            Ok(())
        }
    }

    fn uint<T: TryFrom<u64>>(&self) -> Result<T, DeError> {
        T::try_from(self.raw.as_u64()?).map_err(|_| DeError::MALFORMED)
    }

    fn int<T: TryFrom<i64>>(&self) -> Result<T, DeError> {
        T::try_from(self.raw.as_i64()?).map_err(|_| DeError::MALFORMED)
    }

    /// The `N` bytes after the marker (a float's).
    fn fixed<const N: usize>(&self) -> Result<[u8; N], DeError> {
        self.raw.as_bytes().get(1..1 + N).and_then(|s| s.try_into().ok()).ok_or(DeError::MALFORMED)
    }

    /// The data bytes of a `str` or `bin` value.
    fn data(&self) -> Result<&'de [u8], DeError> {
        let bytes = self.raw.as_bytes();
        match read::header(bytes, 0) {
            Ok((h, Shape::Data(len))) => {
                let end = h.checked_add(len as usize).ok_or(DeError::MALFORMED)?;
                bytes.get(h..end).ok_or(DeError::MALFORMED)
            }
            _ => Err(DeError::MALFORMED),
        }
    }

    /// Everything `deserialize_any` does; `allow_bytes` false reads `bin` as a sequence of
    /// bytes (as rmp-serde does for sequences, tuples and structs).
    fn any<V: Visitor<'de>>(self, visitor: V, allow_bytes: bool) -> Result<V::Value, DeError> {
        let code = self.code()?;
        match code {
            0xc0 => visitor.visit_unit(),
            0xc2 => visitor.visit_bool(false),
            0xc3 => visitor.visit_bool(true),
            0x00..=0x7f => visitor.visit_u8(code),
            0xe0..=0xff => visitor.visit_i8(code as i8),
            0xcc => visitor.visit_u8(self.uint()?),
            0xcd => visitor.visit_u16(self.uint()?),
            0xce => visitor.visit_u32(self.uint()?),
            0xcf => visitor.visit_u64(self.uint()?),
            0xd0 => visitor.visit_i8(self.int()?),
            0xd1 => visitor.visit_i16(self.int()?),
            0xd2 => visitor.visit_i32(self.int()?),
            0xd3 => visitor.visit_i64(self.int()?),
            // The bits themselves: `as_f32`/`as_f64` also convert integers, code every
            // binding would carry for markers that are floats already.
            0xca => visitor.visit_f32(f32::from_bits(u32::from_be_bytes(self.fixed()?))),
            0xcb => visitor.visit_f64(f64::from_bits(u64::from_be_bytes(self.fixed()?))),
            0xa0..=0xbf | 0xd9..=0xdb => {
                let data = self.data()?;
                match core::str::from_utf8(data) {
                    Ok(s) => visitor.visit_borrowed_str(s),
                    // As rmp-serde: invalid UTF-8 binds to bytes, or fails.
                    Err(_) => visitor.visit_borrowed_bytes(data),
                }
            }
            0xc4..=0xc6 => {
                let data = self.data()?;
                if allow_bytes {
                    visitor.visit_borrowed_bytes(data)
                } else {
                    visitor.visit_seq(SeqDeserializer::<_, DeError>::new(data.iter().copied()))
                }
            }
            0x90..=0x9f | 0xdc | 0xdd => {
                self.enter()?;
                let items = self.raw.as_array()?;
                let mut seq = SeqAccess { de: self, left: items.len(), items };
                let value = visitor.visit_seq(&mut seq)?;
                if seq.left == 0 {
                    Ok(value)
                } else {
                    Err(DeError::TRAILING)
                }
            }
            0x80..=0x8f | 0xde | 0xdf => {
                self.enter()?;
                let entries = self.raw.as_map()?;
                let mut map = MapAccess { de: self, left: entries.len(), entries, value: None };
                let value = visitor.visit_map(&mut map)?;
                if map.left == 0 {
                    Ok(value)
                } else {
                    Err(DeError::TRAILING)
                }
            }
            0xc7..=0xc9 | 0xd4..=0xd8 => {
                self.enter()?;
                let (ty, data) = self.raw.as_ext()?;
                visitor.visit_newtype_struct(ExtDeserializer { ty, data })
            }
            _ => Err(DeError::MALFORMED),
        }
    }

    /// An integer (of any MessagePack width) or 16 bytes of `bin` (big-endian), as rmp-serde
    /// reads 128-bit integers.
    fn int128(&self) -> Result<i128, DeError> {
        match self.code()? {
            0xc4..=0xc6 => {
                let data: [u8; 16] = self.data()?.try_into().map_err(|_| DeError::MISMATCH)?;
                Ok(i128::from_be_bytes(data))
            }
            0xcf => Ok(i128::from(self.raw.as_u64()?)),
            0x00..=0x7f | 0xcc..=0xce | 0xd0..=0xd3 | 0xe0..=0xff => Ok(i128::from(self.raw.as_i64()?)),
            _ => Err(DeError::MISMATCH),
        }
    }
}

impl<'de> de::Deserializer<'de> for Deserializer<'de> {
    type Error = DeError;

    fn is_human_readable(&self) -> bool {
        false
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.any(visitor, true)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.code()? == 0xc0 {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, DeError> {
        // As rmp-serde: nil or an empty array.
        match self.code()? {
            0xc0 | 0x90 => visitor.visit_unit(),
            _ => self.any(visitor, true),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        if name == EXT_STRUCT {
            let (ty, data) = self.raw.as_ext().map_err(|_| DeError::MISMATCH)?;
            return visitor.visit_newtype_struct(ExtDeserializer { ty, data });
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.any(visitor, false)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, DeError> {
        self.any(visitor, false)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.any(visitor, false)
    }

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
        match self.code()? {
            // `{variant: value}`.
            0x80..=0x8f | 0xde | 0xdf => {
                self.enter()?;
                let mut entries = self.raw.as_map()?;
                if entries.len() != 1 {
                    return Err(DeError::MISMATCH);
                }
                let (key, value) = entries.next().ok_or(DeError::MALFORMED)?;
                visitor.visit_enum(VariantAccess { key: self.child(key), value: self.child(value) })
            }
            // The variant alone (.NET writes enums as their names).
            _ => visitor.visit_enum(UnitVariantAccess(self)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // A `RawValue` is one complete value already: nothing to walk.
        self.code()?;
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
struct SeqAccess<'de> {
    de: Deserializer<'de>,
    items: ArrayIter<'de>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'de> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        if self.left == 0 {
            return Ok(None);
        }
        // The iterator stops early only on malformed bytes.
        let item = self.items.next().ok_or(DeError::MALFORMED)?;
        self.left -= 1;
        seed.deserialize(self.de.child(item)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// A map's entries.
struct MapAccess<'de> {
    de: Deserializer<'de>,
    entries: MapIter<'de>,
    left: usize,
    value: Option<RawValue<'de>>,
}

impl<'de> de::MapAccess<'de> for MapAccess<'de> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        if self.left == 0 {
            return Ok(None);
        }
        let (key, value) = self.entries.next().ok_or(DeError::MALFORMED)?;
        self.left -= 1;
        self.value = Some(value);
        seed.deserialize(self.de.child(key)).map(Some)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, DeError> {
        let value = self.value.take().ok_or(DeError::MISMATCH)?;
        seed.deserialize(self.de.child(value))
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

/// An enum written as a one-entry map `{variant: value}`.
struct VariantAccess<'de> {
    key: Deserializer<'de>,
    value: Deserializer<'de>,
}

impl<'de> de::EnumAccess<'de> for VariantAccess<'de> {
    type Error = DeError;
    type Variant = Deserializer<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Deserializer<'de>), DeError> {
        Ok((seed.deserialize(self.key)?, self.value))
    }
}

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
        self.any(visitor, false)
    }

    fn struct_variant<V: Visitor<'de>>(self, _: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        self.any(visitor, false)
    }
}

/// An enum written as the variant alone: its name (or index).
struct UnitVariantAccess<'de>(Deserializer<'de>);

impl<'de> de::EnumAccess<'de> for UnitVariantAccess<'de> {
    type Error = DeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), DeError> {
        Ok((seed.deserialize(self.0)?, self))
    }
}

impl<'de> de::VariantAccess<'de> for UnitVariantAccess<'de> {
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
