//! Writing `serde::Serialize` values as MessagePack straight into an [`Output`], without an
//! allocator (feature `serde`).
//!
//! The bytes are those of rmp-serde's `encode::write_named` (a property test checks them against
//! it), which is what .NET's default MessagePack options read:
//!
//! - structs as maps keyed by field name (rename to PascalCase to match .NET members), unit
//!   structs as an empty array, tuples and tuple structs as arrays;
//! - integers in the shortest form (non-negative signed values as unsigned ones), `i128`/`u128`
//!   as 16 bytes of `bin`, big-endian;
//! - `f32` as `float 32`, `f64` as `float 64` (NaN and infinities as their bits);
//! - `None` and `()` as nil, `Some(v)` as `v`, newtype structs as what they hold;
//! - unit variants as their name, newtype variants as `{name: value}`, tuple variants as
//!   `{name: [..]}`, struct variants as `{name: {..}}`;
//! - `serialize_bytes` (`serde_bytes`, `&[u8]` fields marked so) as `bin`; a plain `Vec<u8>` is
//!   an array of integers;
//! - a newtype struct named `_ExtStruct` holding `(i8, bytes)` as an extension value (rmp-serde's
//!   convention, which [`Timestamp`](crate::Timestamp) uses for extension −1);
//! - `char` and `collect_str` as strings (a `Display` value is formatted twice, once to measure
//!   it, so that nothing is allocated).
//!
//! Small items (markers, lengths, numbers) are written as arrays of a fixed size, so that the
//! output's `put` is inlined; strings and bytes as one `put` after their header.
//!
//! # Sequences and maps of unknown length
//!
//! MessagePack writes the item count before the items. A `Serialize` that does not know it
//! (`serialize_seq(None)`, `serialize_map(None)`: `#[serde(flatten)]`, iterators without an exact
//! size) is written as rmp-serde writes it, with the header in its shortest form, without
//! buffering:
//!
//! - into an output that grows (`Vec<u8>`, `BytesMut`: [`Output::rewind_point`] is `Some`), one
//!   byte is set aside for the header, the items are written after it, and the header is filled
//!   in at the end (the items are moved along when it needs more than one byte);
//! - into an output of fixed room, the value is first serialized into a counter that records
//!   the item counts (up to 32 such collections per counting pass, on the stack; a value with
//!   more is counted again for the next 32 when the writing gets there). A `Serialize` that gives
//!   other counts the second time fails with an error instead of writing a wrong header.
//!
//! ```
//! use signalr_codec_msgpack::ser;
//! #[derive(serde::Serialize)]
//! struct Reading { sensor: &'static str, value: f32 }
//! let mut out = Vec::new();
//! ser::to_output(&Reading { sensor: "t1", value: 21.5 }, &mut out)?;
//! assert_eq!(out, [0x82, 0xa6, b's', b'e', b'n', b's', b'o', b'r', 0xa2, b't', b'1',
//!                  0xa5, b'v', b'a', b'l', b'u', b'e', 0xca, 0x41, 0xac, 0x00, 0x00]);
//! assert_eq!(ser::serialized_len(&Reading { sensor: "t1", value: 21.5 })?, out.len());
//! # Ok::<(), signalr_codec_core::Error>(())
//! ```

use core::fmt::{self, Display};

use serde::ser::{self, Impossible, Serialize};
use signalr_codec_core::{Error, ErrorKind, Output};

/// rmp-serde's name for "this newtype struct is an extension value `(i8, bytes)`".
const EXT_STRUCT: &str = "_ExtStruct";

/// How many unknown-length collections one counting pass records for an output of fixed room.
const WINDOW: usize = 32;

/// Writes `value` as MessagePack into `out`; returns the bytes written.
///
/// Unlike the hub protocol writers this does not check room first: when a fixed-size output is
/// too small it keeps what fits and the call fails with [`ErrorKind::BufferTooSmall`] (with
/// [`Error::needed`]). Measure with [`serialized_len`] first to avoid that.
pub fn to_output<T: Serialize + ?Sized, O: Output + ?Sized>(value: &T, out: &mut O) -> Result<usize, Error> {
    let room = out.remaining();
    let written = write(value, out)?;
    if written > room {
        return Err(Error::buffer_too_small(written));
    }
    Ok(written)
}

/// The number of bytes [`to_output`] writes for `value` (serializes it into a counter).
pub fn serialized_len<T: Serialize + ?Sized>(value: &T) -> Result<usize, Error> {
    let mut ser = Serializer { sink: Counter { len: 0, next: 0, window: None } };
    value.serialize(&mut ser).map_err(|e| e.0)?;
    Ok(ser.sink.len)
}

/// `value` as MessagePack bytes.
#[cfg(feature = "alloc")]
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<alloc::vec::Vec<u8>, Error> {
    let mut out = alloc::vec::Vec::new();
    write(value, &mut out)?;
    Ok(out)
}

/// Serializes `value` into `out`; returns how many bytes were given to `out` (more than it kept
/// when a fixed output is too small).
pub(crate) fn write<T: Serialize + ?Sized, O: Output + ?Sized>(value: &T, out: &mut O) -> Result<usize, Error> {
    // Only an output of fixed room ever needs this: it counts the unknown-length collections
    // numbered `base..base + WINDOW` (in the order they begin) by serializing `value` again.
    let recount = |base: u32, window: &mut Window| -> Result<(), SerError> {
        *window = Window { base, seen: 0, items: [0; WINDOW] };
        let mut counter = Serializer { sink: Counter { len: 0, next: 0, window: Some(window) } };
        value.serialize(&mut counter)
    };
    let lens = match out.rewind_point() {
        Some(_) => Lens::Grow,
        None => Lens::Fixed { recount: &recount, window: None },
    };
    let mut ser = Serializer { sink: Writer { out, written: 0, next: 0, lens } };
    value.serialize(&mut ser).map_err(|e| e.0)?;
    Ok(ser.sink.written)
}

/// A serialization error (the core [`Error`] inside; serde needs a local type).
#[derive(Debug)]
pub(crate) struct SerError(pub(crate) Error);

impl Display for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(&self.0, f)
    }
}

impl ser::StdError for SerError {}

impl ser::Error for SerError {
    #[cold]
    fn custom<T: Display>(msg: T) -> Self {
        SerError(Error::formatted(ErrorKind::Invalid, format_args!("Serializing a payload value failed: {msg}")))
    }
}

#[cold]
#[inline(never)]
fn fail(text: &'static str) -> SerError {
    SerError(Error::new(ErrorKind::Invalid, text))
}

const TOO_LONG: &str = "Serializing a payload value failed: a string, binary, array or map longer than 4 GiB.";
const EXT_SHAPE: &str = "Serializing a payload value failed: an `_ExtStruct` must hold a tuple of an i8 and bytes.";
const COUNT_CHANGED: &str =
    "Serializing a payload value failed: a sequence or map of unknown length gave other items when written than when counted.";
const DISPLAY_CHANGED: &str =
    "Serializing a payload value failed: a `Display` value wrote other text when written than when measured.";

/// An array or a map header.
#[derive(Clone, Copy)]
enum Kind {
    Array,
    Map,
}

/// The shortest header of an array or map of `len` items, and its length.
fn compound_header(kind: Kind, len: u32) -> ([u8; 5], usize) {
    let (fix, m16, m32) = match kind {
        Kind::Array => (0x90, 0xdc, 0xdd),
        Kind::Map => (0x80, 0xde, 0xdf),
    };
    let b = len.to_be_bytes();
    if len < 16 {
        ([fix | len as u8, 0, 0, 0, 0], 1)
    } else if len <= 0xffff {
        ([m16, b[2], b[3], 0, 0], 3)
    } else {
        ([m32, b[0], b[1], b[2], b[3]], 5)
    }
}

/// Where the bytes go. `begin`/`finish` bracket a collection whose item count is known only at
/// its end.
trait Sink {
    fn put(&mut self, bytes: &[u8]);
    fn begin(&mut self, kind: Kind) -> Result<Open, SerError>;
    fn finish(&mut self, open: Open, kind: Kind, items: u32) -> Result<(), SerError>;
}

/// An unknown-length collection being written: its number (in the order collections begin),
/// where it starts in a growing output, the count a counting pass found for it.
#[derive(Clone, Copy)]
struct Open {
    index: u32,
    at: usize,
    items: u32,
}

/// Item counts of unknown-length collections `base..base + WINDOW`.
struct Window {
    base: u32,
    seen: u32,
    items: [u32; WINDOW],
}

impl Window {
    fn slot(&self, index: u32) -> Option<usize> {
        let slot = index.checked_sub(self.base)? as usize;
        (slot < WINDOW).then_some(slot)
    }
}

/// Counts bytes; with a window, also records item counts.
struct Counter<'w> {
    len: usize,
    next: u32,
    window: Option<&'w mut Window>,
}

impl Sink for Counter<'_> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        self.len += bytes.len();
    }

    fn begin(&mut self, _: Kind) -> Result<Open, SerError> {
        let index = self.next;
        self.next += 1;
        Ok(Open { index, at: 0, items: 0 })
    }

    fn finish(&mut self, open: Open, kind: Kind, items: u32) -> Result<(), SerError> {
        self.len += compound_header(kind, items).1;
        if let Some(w) = self.window.as_deref_mut() {
            if let Some(slot) = w.slot(open.index) {
                w.items[slot] = items;
                w.seen |= 1 << slot;
            }
        }
        Ok(())
    }
}

/// How a writer handles unknown lengths (see the module documentation).
enum Lens<'r> {
    Grow,
    Fixed { recount: &'r dyn Fn(u32, &mut Window) -> Result<(), SerError>, window: Option<Window> },
}

struct Writer<'o, 'r, O: Output + ?Sized> {
    out: &'o mut O,
    written: usize,
    next: u32,
    lens: Lens<'r>,
}

impl<O: Output + ?Sized> Sink for Writer<'_, '_, O> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        self.written += bytes.len();
        self.out.put(bytes);
    }

    fn begin(&mut self, kind: Kind) -> Result<Open, SerError> {
        let index = self.next;
        self.next += 1;
        match &mut self.lens {
            Lens::Grow => {
                let at = self.out.rewind_point().ok_or_else(|| fail(COUNT_CHANGED))?;
                self.put(&[0]);
                Ok(Open { index, at, items: 0 })
            }
            Lens::Fixed { recount, window } => {
                let w = window.get_or_insert(Window { base: 0, seen: 0, items: [0; WINDOW] });
                if w.slot(index).is_none_or(|slot| w.seen & (1 << slot) == 0) {
                    recount(index, w)?;
                }
                let slot =
                    w.slot(index).filter(|&slot| w.seen & (1 << slot) != 0).ok_or_else(|| fail(COUNT_CHANGED))?;
                let items = w.items[slot];
                let (header, n) = compound_header(kind, items);
                self.put(&header[..n]);
                Ok(Open { index, at: 0, items })
            }
        }
    }

    fn finish(&mut self, open: Open, kind: Kind, items: u32) -> Result<(), SerError> {
        match self.lens {
            Lens::Grow => {
                let (header, n) = compound_header(kind, items);
                let body = self.out.written_since(open.at).len() - 1;
                if n > 1 {
                    self.put(&[0; 4][..n - 1]);
                    self.out.written_since(open.at).copy_within(1..1 + body, n);
                }
                self.out.written_since(open.at)[..n].copy_from_slice(&header[..n]);
                Ok(())
            }
            Lens::Fixed { .. } if items != open.items => Err(fail(COUNT_CHANGED)),
            Lens::Fixed { .. } => Ok(()),
        }
    }
}

/// The serde serializer over a [`Sink`].
struct Serializer<S> {
    sink: S,
}

impl<S: Sink> Serializer<S> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        self.sink.put(bytes);
    }

    #[inline]
    fn uint(&mut self, v: u64) {
        if v < 0x80 {
            self.put(&[v as u8]);
        } else if v <= 0xff {
            self.put(&[0xcc, v as u8]);
        } else if v <= 0xffff {
            let [a, b] = (v as u16).to_be_bytes();
            self.put(&[0xcd, a, b]);
        } else if v <= 0xffff_ffff {
            let [a, b, c, d] = (v as u32).to_be_bytes();
            self.put(&[0xce, a, b, c, d]);
        } else {
            let [a, b, c, d, e, f, g, h] = v.to_be_bytes();
            self.put(&[0xcf, a, b, c, d, e, f, g, h]);
        }
    }

    #[inline]
    fn sint(&mut self, v: i64) {
        if v >= 0 {
            self.uint(v as u64);
        } else if v >= -32 {
            self.put(&[v as u8]);
        } else if v >= i64::from(i8::MIN) {
            self.put(&[0xd0, v as u8]);
        } else if v >= i64::from(i16::MIN) {
            let [a, b] = (v as i16).to_be_bytes();
            self.put(&[0xd1, a, b]);
        } else if v >= i64::from(i32::MIN) {
            let [a, b, c, d] = (v as i32).to_be_bytes();
            self.put(&[0xd2, a, b, c, d]);
        } else {
            let [a, b, c, d, e, f, g, h] = v.to_be_bytes();
            self.put(&[0xd3, a, b, c, d, e, f, g, h]);
        }
    }

    /// A string header of `len` bytes.
    #[inline]
    fn str_header(&mut self, len: usize) -> Result<(), SerError> {
        if len < 32 {
            self.put(&[0xa0 | len as u8]);
        } else if len <= 0xff {
            self.put(&[0xd9, len as u8]);
        } else if len <= 0xffff {
            let [a, b] = (len as u16).to_be_bytes();
            self.put(&[0xda, a, b]);
        } else {
            let [a, b, c, d] = u32::try_from(len).map_err(|_| fail(TOO_LONG))?.to_be_bytes();
            self.put(&[0xdb, a, b, c, d]);
        }
        Ok(())
    }

    #[inline]
    fn str(&mut self, v: &str) -> Result<(), SerError> {
        self.str_header(v.len())?;
        self.put(v.as_bytes());
        Ok(())
    }

    #[inline]
    fn bin(&mut self, v: &[u8]) -> Result<(), SerError> {
        let len = v.len();
        if len <= 0xff {
            self.put(&[0xc4, len as u8]);
        } else if len <= 0xffff {
            let [a, b] = (len as u16).to_be_bytes();
            self.put(&[0xc5, a, b]);
        } else {
            let [a, b, c, d] = u32::try_from(len).map_err(|_| fail(TOO_LONG))?.to_be_bytes();
            self.put(&[0xc6, a, b, c, d]);
        }
        self.put(v);
        Ok(())
    }

    /// An extension value: its header (fixext where the length allows) and its data.
    fn ext(&mut self, tag: i8, data: &[u8]) -> Result<(), SerError> {
        let ty = tag as u8;
        match data.len() {
            1 => self.put(&[0xd4, ty]),
            2 => self.put(&[0xd5, ty]),
            4 => self.put(&[0xd6, ty]),
            8 => self.put(&[0xd7, ty]),
            16 => self.put(&[0xd8, ty]),
            len @ 0..=0xff => self.put(&[0xc7, len as u8, ty]),
            len @ 0x100..=0xffff => {
                let [a, b] = (len as u16).to_be_bytes();
                self.put(&[0xc8, a, b, ty]);
            }
            len => {
                let [a, b, c, d] = u32::try_from(len).map_err(|_| fail(TOO_LONG))?.to_be_bytes();
                self.put(&[0xc9, a, b, c, d, ty]);
            }
        }
        self.put(data);
        Ok(())
    }

    /// The header of an array or map of a known length.
    #[inline]
    fn compound(&mut self, kind: Kind, len: usize) -> Result<(), SerError> {
        let (fix, m16, m32) = match kind {
            Kind::Array => (0x90, 0xdc, 0xdd),
            Kind::Map => (0x80, 0xde, 0xdf),
        };
        if len < 16 {
            self.put(&[fix | len as u8]);
        } else if len <= 0xffff {
            let [a, b] = (len as u16).to_be_bytes();
            self.put(&[m16, a, b]);
        } else {
            let [a, b, c, d] = u32::try_from(len).map_err(|_| fail(TOO_LONG))?.to_be_bytes();
            self.put(&[m32, a, b, c, d]);
        }
        Ok(())
    }

    /// A collection that may not know its length.
    fn collection(&mut self, kind: Kind, len: Option<usize>) -> Result<Collection<'_, S>, SerError> {
        let open = match len {
            Some(len) => {
                self.compound(kind, len)?;
                None
            }
            None => Some(self.sink.begin(kind)?),
        };
        Ok(Collection { ser: self, kind, open, items: 0 })
    }
}

impl<'a, S: Sink> ser::Serializer for &'a mut Serializer<S> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = Collection<'a, S>;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Collection<'a, S>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn is_human_readable(&self) -> bool {
        false
    }

    #[inline]
    fn serialize_bool(self, v: bool) -> Result<(), SerError> {
        self.put(&[if v { 0xc3 } else { 0xc2 }]);
        Ok(())
    }

    #[inline]
    fn serialize_i8(self, v: i8) -> Result<(), SerError> {
        self.sint(i64::from(v));
        Ok(())
    }

    #[inline]
    fn serialize_i16(self, v: i16) -> Result<(), SerError> {
        self.sint(i64::from(v));
        Ok(())
    }

    #[inline]
    fn serialize_i32(self, v: i32) -> Result<(), SerError> {
        self.sint(i64::from(v));
        Ok(())
    }

    #[inline]
    fn serialize_i64(self, v: i64) -> Result<(), SerError> {
        self.sint(v);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> Result<(), SerError> {
        self.bin(&v.to_be_bytes())
    }

    #[inline]
    fn serialize_u8(self, v: u8) -> Result<(), SerError> {
        self.uint(u64::from(v));
        Ok(())
    }

    #[inline]
    fn serialize_u16(self, v: u16) -> Result<(), SerError> {
        self.uint(u64::from(v));
        Ok(())
    }

    #[inline]
    fn serialize_u32(self, v: u32) -> Result<(), SerError> {
        self.uint(u64::from(v));
        Ok(())
    }

    #[inline]
    fn serialize_u64(self, v: u64) -> Result<(), SerError> {
        self.uint(v);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> Result<(), SerError> {
        self.bin(&v.to_be_bytes())
    }

    #[inline]
    fn serialize_f32(self, v: f32) -> Result<(), SerError> {
        let [a, b, c, d] = v.to_be_bytes();
        self.put(&[0xca, a, b, c, d]);
        Ok(())
    }

    #[inline]
    fn serialize_f64(self, v: f64) -> Result<(), SerError> {
        let [a, b, c, d, e, f, g, h] = v.to_be_bytes();
        self.put(&[0xcb, a, b, c, d, e, f, g, h]);
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), SerError> {
        self.str(v.encode_utf8(&mut [0; 4]))
    }

    #[inline]
    fn serialize_str(self, v: &str) -> Result<(), SerError> {
        self.str(v)
    }

    #[inline]
    fn serialize_bytes(self, v: &[u8]) -> Result<(), SerError> {
        self.bin(v)
    }

    #[inline]
    fn serialize_none(self) -> Result<(), SerError> {
        self.put(&[0xc0]);
        Ok(())
    }

    #[inline]
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), SerError> {
        value.serialize(self)
    }

    #[inline]
    fn serialize_unit(self) -> Result<(), SerError> {
        self.put(&[0xc0]);
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), SerError> {
        self.put(&[0x90]);
        Ok(())
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), SerError> {
        self.str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Result<(), SerError> {
        if name == EXT_STRUCT {
            let mut ext = ExtSerializer { ser: self, tag: None, written: false };
            value.serialize(&mut ext)?;
            return if ext.written { Ok(()) } else { Err(fail(EXT_SHAPE)) };
        }
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        self.put(&[0x81]);
        self.str(variant)?;
        value.serialize(self)
    }

    #[inline]
    fn serialize_seq(self, len: Option<usize>) -> Result<Collection<'a, S>, SerError> {
        self.collection(Kind::Array, len)
    }

    #[inline]
    fn serialize_tuple(self, len: usize) -> Result<Self, SerError> {
        self.compound(Kind::Array, len)?;
        Ok(self)
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Self, SerError> {
        self.compound(Kind::Array, len)?;
        Ok(self)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, SerError> {
        self.put(&[0x81]);
        self.str(variant)?;
        self.compound(Kind::Array, len)?;
        Ok(self)
    }

    #[inline]
    fn serialize_map(self, len: Option<usize>) -> Result<Collection<'a, S>, SerError> {
        self.collection(Kind::Map, len)
    }

    #[inline]
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Self, SerError> {
        self.compound(Kind::Map, len)?;
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, SerError> {
        self.put(&[0x81]);
        self.str(variant)?;
        self.compound(Kind::Map, len)?;
        Ok(self)
    }

    /// Formats `value` twice, once to measure it, so that nothing is allocated.
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<(), SerError> {
        let mut measure = Measure(0);
        fmt::write(&mut measure, format_args!("{value}")).map_err(|_| fail(DISPLAY_CHANGED))?;
        self.str_header(measure.0)?;
        let mut text = Text { ser: self, left: measure.0 };
        fmt::write(&mut text, format_args!("{value}")).map_err(|_| fail(DISPLAY_CHANGED))?;
        if text.left != 0 {
            return Err(fail(DISPLAY_CHANGED));
        }
        Ok(())
    }
}

struct Measure(usize);

impl fmt::Write for Measure {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// Text formatted into the sink, refusing to go past the measured length.
struct Text<'a, S> {
    ser: &'a mut Serializer<S>,
    left: usize,
}

impl<S: Sink> fmt::Write for Text<'_, S> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.left = self.left.checked_sub(s.len()).ok_or(fmt::Error)?;
        self.ser.put(s.as_bytes());
        Ok(())
    }
}

/// A sequence or map, counting its items when its header waits for them.
struct Collection<'a, S: Sink> {
    ser: &'a mut Serializer<S>,
    kind: Kind,
    open: Option<Open>,
    items: u32,
}

impl<S: Sink> Collection<'_, S> {
    #[inline]
    fn end(self) -> Result<(), SerError> {
        match self.open {
            None => Ok(()),
            Some(open) => self.ser.sink.finish(open, self.kind, self.items),
        }
    }
}

impl<S: Sink> ser::SerializeSeq for Collection<'_, S> {
    type Ok = ();
    type Error = SerError;

    #[inline]
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.items = self.items.wrapping_add(1);
        value.serialize(&mut *self.ser)
    }

    #[inline]
    fn end(self) -> Result<(), SerError> {
        Collection::end(self)
    }
}

impl<S: Sink> ser::SerializeMap for Collection<'_, S> {
    type Ok = ();
    type Error = SerError;

    #[inline]
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        self.items = self.items.wrapping_add(1);
        key.serialize(&mut *self.ser)
    }

    #[inline]
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        value.serialize(&mut *self.ser)
    }

    #[inline]
    fn end(self) -> Result<(), SerError> {
        Collection::end(self)
    }
}

impl<S: Sink> ser::SerializeTuple for &mut Serializer<S> {
    type Ok = ();
    type Error = SerError;

    #[inline]
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        value.serialize(&mut **self)
    }

    #[inline]
    fn end(self) -> Result<(), SerError> {
        Ok(())
    }
}

impl<S: Sink> ser::SerializeTupleStruct for &mut Serializer<S> {
    type Ok = ();
    type Error = SerError;

    #[inline]
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        value.serialize(&mut **self)
    }

    #[inline]
    fn end(self) -> Result<(), SerError> {
        Ok(())
    }
}

impl<S: Sink> ser::SerializeTupleVariant for &mut Serializer<S> {
    type Ok = ();
    type Error = SerError;

    #[inline]
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        value.serialize(&mut **self)
    }

    #[inline]
    fn end(self) -> Result<(), SerError> {
        Ok(())
    }
}

impl<S: Sink> ser::SerializeStruct for &mut Serializer<S> {
    type Ok = ();
    type Error = SerError;

    #[inline]
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), SerError> {
        self.str(key)?;
        value.serialize(&mut **self)
    }

    #[inline]
    fn end(self) -> Result<(), SerError> {
        Ok(())
    }
}

impl<S: Sink> ser::SerializeStructVariant for &mut Serializer<S> {
    type Ok = ();
    type Error = SerError;

    #[inline]
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), SerError> {
        self.str(key)?;
        value.serialize(&mut **self)
    }

    #[inline]
    fn end(self) -> Result<(), SerError> {
        Ok(())
    }
}

/// What an `_ExtStruct` newtype holds: a tuple of the type tag (`i8`) and the data (bytes), as
/// rmp-serde takes it. Anything else fails.
struct ExtSerializer<'a, S> {
    ser: &'a mut Serializer<S>,
    tag: Option<i8>,
    written: bool,
}

/// Every method not listed fails with [`EXT_SHAPE`].
macro_rules! refuse {
    ($($name:ident($($arg:ty),*) -> $ret:ty;)*) => {
        $(
            fn $name(self, $(_: $arg),*) -> Result<$ret, SerError> {
                Err(fail(EXT_SHAPE))
            }
        )*
    };
}

macro_rules! refuse_all_but {
    () => {
        refuse! {
            serialize_bool(bool) -> ();
            serialize_i16(i16) -> ();
            serialize_i32(i32) -> ();
            serialize_i64(i64) -> ();
            serialize_u8(u8) -> ();
            serialize_u16(u16) -> ();
            serialize_u32(u32) -> ();
            serialize_u64(u64) -> ();
            serialize_f32(f32) -> ();
            serialize_f64(f64) -> ();
            serialize_char(char) -> ();
            serialize_str(&str) -> ();
            serialize_none() -> ();
            serialize_unit() -> ();
            serialize_unit_struct(&'static str) -> ();
            serialize_unit_variant(&'static str, u32, &'static str) -> ();
            serialize_seq(Option<usize>) -> Impossible<(), SerError>;
            serialize_tuple_struct(&'static str, usize) -> Impossible<(), SerError>;
            serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Impossible<(), SerError>;
            serialize_map(Option<usize>) -> Impossible<(), SerError>;
            serialize_struct(&'static str, usize) -> Impossible<(), SerError>;
            serialize_struct_variant(&'static str, u32, &'static str, usize) -> Impossible<(), SerError>;
        }

        fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), SerError> {
            Err(fail(EXT_SHAPE))
        }

        fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, _: &T) -> Result<(), SerError> {
            Err(fail(EXT_SHAPE))
        }

        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<(), SerError> {
            Err(fail(EXT_SHAPE))
        }

        fn collect_str<T: Display + ?Sized>(self, _: &T) -> Result<(), SerError> {
            Err(fail(EXT_SHAPE))
        }
    };
}

/// The `_ExtStruct` newtype's content: only a tuple.
impl<'b, 'a, S: Sink> ser::Serializer for &'b mut ExtSerializer<'a, S> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = Impossible<(), SerError>;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Impossible<(), SerError>;
    type SerializeTupleVariant = Impossible<(), SerError>;
    type SerializeMap = Impossible<(), SerError>;
    type SerializeStruct = Impossible<(), SerError>;
    type SerializeStructVariant = Impossible<(), SerError>;

    fn is_human_readable(&self) -> bool {
        false
    }

    refuse_all_but!();
    refuse! {
        serialize_i8(i8) -> ();
        serialize_bytes(&[u8]) -> ();
    }

    fn serialize_tuple(self, _: usize) -> Result<Self, SerError> {
        Ok(self)
    }
}

impl<S: Sink> ser::SerializeTuple for &mut ExtSerializer<'_, S> {
    type Ok = ();
    type Error = SerError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        value.serialize(ExtField(&mut **self))
    }

    fn end(self) -> Result<(), SerError> {
        Ok(())
    }
}

/// One element of the extension tuple: the tag first, then the data.
struct ExtField<'b, 'a, S>(&'b mut ExtSerializer<'a, S>);

impl<S: Sink> ser::Serializer for ExtField<'_, '_, S> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = Impossible<(), SerError>;
    type SerializeTuple = Impossible<(), SerError>;
    type SerializeTupleStruct = Impossible<(), SerError>;
    type SerializeTupleVariant = Impossible<(), SerError>;
    type SerializeMap = Impossible<(), SerError>;
    type SerializeStruct = Impossible<(), SerError>;
    type SerializeStructVariant = Impossible<(), SerError>;

    fn is_human_readable(&self) -> bool {
        false
    }

    refuse_all_but!();
    refuse! {
        serialize_tuple(usize) -> Impossible<(), SerError>;
    }

    fn serialize_i8(self, tag: i8) -> Result<(), SerError> {
        match self.0.tag {
            None => {
                self.0.tag = Some(tag);
                Ok(())
            }
            Some(_) => Err(fail(EXT_SHAPE)),
        }
    }

    fn serialize_bytes(self, data: &[u8]) -> Result<(), SerError> {
        let tag = self.0.tag.take().ok_or_else(|| fail(EXT_SHAPE))?;
        self.0.ser.ext(tag, data)?;
        self.0.written = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fmt::Debug;

    use proptest::prelude::*;
    use serde::ser::{SerializeMap, SerializeSeq};
    use serde::Serialize;
    use signalr_codec_core::SliceOutput;

    use super::*;
    use crate::Timestamp;

    /// rmp-serde's bytes for `value` (structs as maps), or `None` when it refuses it.
    fn theirs<T: Serialize + ?Sized>(value: &T) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        rmp_serde::encode::write_named(&mut out, value).ok()?;
        Some(out)
    }

    /// Writes `value` every way this module can (growing, fixed room, counted) and checks that
    /// each gives rmp-serde's bytes.
    fn same<T: Serialize + ?Sized + Debug>(value: &T) -> Result<Vec<u8>, TestCaseError> {
        let expected = theirs(value);
        let grown = to_vec(value).ok();
        prop_assert_eq!(&grown, &expected, "into a Vec: {:?}", value);
        let Some(expected) = expected else { return Ok(Vec::new()) };
        prop_assert_eq!(serialized_len(value).ok(), Some(expected.len()), "measured: {:?}", value);
        let mut buf = vec![0xee; expected.len()];
        let written = to_output(value, &mut SliceOutput::new(&mut buf));
        prop_assert_eq!(written.ok(), Some(expected.len()), "into a slice: {:?}", value);
        prop_assert_eq!(&buf, &expected, "into a slice: {:?}", value);
        // Behind bytes already in the output, as in a message.
        let mut behind = vec![0x91, 0x06];
        to_output(value, &mut behind).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&behind[2..], &expected[..]);
        Ok(expected)
    }

    fn check<T: Serialize + ?Sized + Debug>(value: &T) -> Vec<u8> {
        same(value).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A sequence that does not tell its length (`serialize_seq(None)`), as an iterator without
    /// an exact size does.
    #[derive(Debug)]
    struct Unsized<T>(Vec<T>);

    impl<T: Serialize> Serialize for Unsized<T> {
        fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(None)?;
            for item in &self.0 {
                seq.serialize_element(item)?;
            }
            seq.end()
        }
    }

    /// A map that does not tell its length.
    #[derive(Debug)]
    struct UnsizedMap<K, V>(Vec<(K, V)>);

    impl<K: Serialize, V: Serialize> Serialize for UnsizedMap<K, V> {
        fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(None)?;
            for (k, v) in &self.0 {
                map.serialize_entry(k, v)?;
            }
            map.end()
        }
    }

    #[derive(Debug, Serialize, Clone, PartialEq)]
    enum Kinds {
        Unit,
        Newtype(i32),
        Tuple(u8, String),
        Struct { a: Option<bool>, b: f64 },
    }

    #[derive(Debug, Serialize, Clone)]
    #[serde(rename_all = "PascalCase")]
    struct Inner {
        name: String,
        #[serde(with = "serde_bytes")]
        blob: Vec<u8>,
        kind: Kinds,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    }

    #[derive(Debug, Serialize, Clone)]
    struct Outer {
        id: u64,
        small: i8,
        ratio: f32,
        inner: Inner,
        items: Vec<Inner>,
        map: BTreeMap<String, i64>,
        pair: (u16, char),
        unit: (),
        ts: Timestamp,
        plain_bytes: Vec<u8>,
    }

    #[derive(Debug, Serialize)]
    struct Flat {
        id: u32,
        #[serde(flatten)]
        extra: BTreeMap<String, u32>,
    }

    #[derive(Debug, Serialize)]
    struct UnitStruct;

    #[derive(Debug, Serialize)]
    struct Meters(f64);

    #[derive(Debug, Serialize)]
    struct Point(i32, i32);

    #[test]
    fn integers_at_every_edge() {
        let edges: [i128; 24] = [
            0,
            1,
            31,
            32,
            127,
            128,
            255,
            256,
            65535,
            65536,
            u32::MAX as i128,
            u32::MAX as i128 + 1,
            u64::MAX as i128,
            -1,
            -32,
            -33,
            -128,
            -129,
            -32768,
            -32769,
            i32::MIN as i128,
            i32::MIN as i128 - 1,
            i64::MIN as i128,
            i64::MAX as i128,
        ];
        for v in edges {
            if let Ok(v) = i8::try_from(v) {
                check(&v);
            }
            if let Ok(v) = u8::try_from(v) {
                check(&v);
            }
            if let Ok(v) = i16::try_from(v) {
                check(&v);
            }
            if let Ok(v) = u16::try_from(v) {
                check(&v);
            }
            if let Ok(v) = i32::try_from(v) {
                check(&v);
            }
            if let Ok(v) = u32::try_from(v) {
                check(&v);
            }
            if let Ok(v) = i64::try_from(v) {
                check(&v);
            }
            if let Ok(v) = u64::try_from(v) {
                check(&v);
            }
            check(&v);
            check(&(v as u128));
        }
        assert_eq!(check(&-33i64), [0xd0, 0xdf]);
        assert_eq!(check(&i128::MIN).len(), 18);
        assert_eq!(check(&u128::MAX)[..2], [0xc4, 16]);
    }

    #[test]
    fn floats_as_their_width() {
        for v in [0.0f64, -0.0, 1.5, -2.25e300, f64::MIN_POSITIVE, f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
            assert_eq!(check(&v)[0], 0xcb);
            assert_eq!(check(&(v as f32))[0], 0xca);
        }
        assert_eq!(check(&f32::from_bits(0x7fc0_0001)), [0xca, 0x7f, 0xc0, 0x00, 0x01]);
    }

    #[test]
    fn strings_bytes_and_collections_at_every_header_size() {
        for len in [0, 1, 15, 16, 31, 32, 255, 256, 65535, 65536, 70000] {
            check(&"x".repeat(len));
            check(serde_bytes::Bytes::new(&vec![7u8; len]));
            check(&vec![1u8; len]);
            check(&Unsized(vec![-1i32; len]));
            let map: BTreeMap<u32, bool> = (0..len as u32).map(|k| (k, k % 2 == 0)).collect();
            check(&map);
            check(&UnsizedMap(map.into_iter().collect()));
        }
    }

    #[test]
    fn every_kind_of_value() {
        check(&());
        check(&UnitStruct);
        check(&Meters(2.5));
        check(&Point(-1, 1));
        check(&(1u8, "two", 3.0f32, [4i16; 3]));
        check(&Some(Some(5u8)));
        check(&None::<u8>);
        check(&'é');
        check(&'😀');
        for kind in [Kinds::Unit, Kinds::Newtype(-7), Kinds::Tuple(1, "t".into()), Kinds::Struct { a: None, b: 0.5 }] {
            check(&kind);
            check(&vec![kind.clone(), kind]);
        }
        let inner = Inner { name: "n".into(), blob: vec![0, 1, 2], kind: Kinds::Unit, note: Some("x".into()) };
        let outer = Outer {
            id: u64::MAX,
            small: -5,
            ratio: 0.1,
            inner: inner.clone(),
            items: vec![inner.clone(), Inner { note: None, ..inner }],
            map: [("a".into(), -1), ("b".into(), 1 << 40)].into_iter().collect(),
            pair: (300, 'z'),
            unit: (),
            ts: Timestamp::new(1_700_000_000, 5).unwrap(),
            plain_bytes: vec![200, 1],
        };
        check(&outer);
        check(&Flat { id: 1, extra: [("k".into(), 2)].into_iter().collect() });
    }

    #[test]
    fn timestamps_as_extension_minus_one() {
        for (s, n) in [(0, 0), (1, 0), (u32::MAX as i64, 0), (1 << 33, 0), (1 << 34, 0), (-1, 999_999_999), (0, 1)] {
            let ts = Timestamp::new(s, n).unwrap();
            let bytes = check(&ts);
            assert!(matches!(bytes[..2], [0xd6, 0xff] | [0xd7, 0xff] | [0xc7, 12]), "{bytes:02x?}");
        }
    }

    #[test]
    fn display_values_are_measured_then_written() {
        struct Shown(u32);
        impl Serialize for Shown {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&format_args!("#{}-{}", self.0, "y".repeat(self.0 as usize)))
            }
        }
        impl Debug for Shown {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "Shown({})", self.0)
            }
        }
        for n in [0, 30, 300] {
            let bytes = check(&Shown(n));
            assert_eq!(bytes.len(), serialized_len(&Shown(n)).unwrap());
        }
    }

    /// Many unknown-length collections, nested, into an output of fixed room: the counts are
    /// found by counting passes, 32 at a time.
    #[test]
    fn unknown_lengths_beyond_one_window() {
        let flats: Vec<Flat> =
            (0..100).map(|i| Flat { id: i, extra: (0..i % 20).map(|k| (format!("k{k}"), k)).collect() }).collect();
        check(&flats);
        let nested = Unsized((0..40).map(|i| Unsized(vec![Unsized(vec![i; i as usize])])).collect::<Vec<_>>());
        check(&nested);
    }

    /// A `Serialize` that gives other counts when written than when counted is refused, not
    /// written with a wrong header.
    #[test]
    fn changing_counts_are_refused() {
        use core::cell::Cell;
        struct Fickle(Cell<usize>);
        impl Serialize for Fickle {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let n = self.0.get();
                self.0.set(n + 1);
                let mut seq = s.serialize_seq(None)?;
                for _ in 0..n {
                    seq.serialize_element(&0u8)?;
                }
                seq.end()
            }
        }
        let mut buf = [0u8; 16];
        let e = to_output(&Fickle(Cell::new(0)), &mut SliceOutput::new(&mut buf)).unwrap_err();
        assert_eq!(e.to_string(), COUNT_CHANGED);
    }

    #[test]
    fn errors_of_the_value_are_reported() {
        struct Failing;
        impl Serialize for Failing {
            fn serialize<S: ser::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(ser::Error::custom("no way"))
            }
        }
        assert_eq!(to_vec(&Failing).unwrap_err().to_string(), "Serializing a payload value failed: no way");
        struct BadExt;
        impl Serialize for BadExt {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_newtype_struct(EXT_STRUCT, &(1u8, 2u8))
            }
        }
        assert_eq!(to_vec(&BadExt).unwrap_err().to_string(), EXT_SHAPE);
        assert!(theirs(&BadExt).is_none());
        let mut small = [0u8; 2];
        let e = to_output("abc", &mut SliceOutput::new(&mut small)).unwrap_err();
        assert_eq!((e.kind(), e.needed()), (ErrorKind::BufferTooSmall, Some(4)));
    }

    /// A value of any shape, written through serde's data model as the variant says.
    #[derive(Debug, Clone)]
    enum V {
        Nil,
        Bool(bool),
        I(i64),
        U(u64),
        F32(f32),
        F64(f64),
        Str(String),
        Bin(Vec<u8>),
        Ts(Timestamp),
        Kind(Kinds),
        Seq(Vec<V>, bool),
        Map(Vec<(V, V)>, bool),
        Tuple(Vec<V>),
    }

    impl Serialize for V {
        fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                V::Nil => s.serialize_none(),
                V::Bool(v) => s.serialize_bool(*v),
                V::I(v) => s.serialize_i64(*v),
                V::U(v) => s.serialize_u64(*v),
                V::F32(v) => s.serialize_f32(*v),
                V::F64(v) => s.serialize_f64(*v),
                V::Str(v) => s.serialize_str(v),
                V::Bin(v) => s.serialize_bytes(v),
                V::Ts(v) => v.serialize(s),
                V::Kind(v) => v.serialize(s),
                V::Seq(items, known) => {
                    let mut seq = s.serialize_seq(known.then_some(items.len()))?;
                    for item in items {
                        seq.serialize_element(item)?;
                    }
                    seq.end()
                }
                V::Map(entries, known) => {
                    let mut map = s.serialize_map(known.then_some(entries.len()))?;
                    for (k, v) in entries {
                        map.serialize_entry(k, v)?;
                    }
                    map.end()
                }
                V::Tuple(items) => {
                    use serde::ser::SerializeTuple;
                    let mut t = s.serialize_tuple(items.len())?;
                    for item in items {
                        t.serialize_element(item)?;
                    }
                    t.end()
                }
            }
        }
    }

    fn kinds() -> impl Strategy<Value = Kinds> {
        prop_oneof![
            Just(Kinds::Unit),
            any::<i32>().prop_map(Kinds::Newtype),
            (any::<u8>(), ".{0,40}").prop_map(|(a, b)| Kinds::Tuple(a, b)),
            (any::<Option<bool>>(), any::<f64>()).prop_map(|(a, b)| Kinds::Struct { a, b }),
        ]
    }

    fn value() -> impl Strategy<Value = V> {
        let leaf = prop_oneof![
            Just(V::Nil),
            any::<bool>().prop_map(V::Bool),
            any::<i64>().prop_map(V::I),
            (any::<i8>(), 0u32..64).prop_map(|(v, shift)| V::I(i64::from(v) << shift)),
            any::<u64>().prop_map(V::U),
            (0u64..0x1_0000, 0u32..50).prop_map(|(v, shift)| V::U(v << shift)),
            any::<f32>().prop_map(V::F32),
            any::<f64>().prop_map(V::F64),
            ".{0,40}".prop_map(V::Str),
            (0usize..300).prop_map(|n| V::Str("s".repeat(n))),
            prop::collection::vec(any::<u8>(), 0..40).prop_map(V::Bin),
            (0usize..70_000).prop_map(|n| V::Bin(vec![3; n])),
            (any::<i64>(), 0u32..1_000_000_000).prop_map(|(s, n)| V::Ts(Timestamp::new(s >> 30, n).unwrap())),
            kinds().prop_map(V::Kind),
        ];
        leaf.prop_recursive(4, 64, 20, |inner| {
            prop_oneof![
                (prop::collection::vec(inner.clone(), 0..20), any::<bool>()).prop_map(|(v, k)| V::Seq(v, k)),
                (prop::collection::vec((inner.clone(), inner.clone()), 0..18), any::<bool>())
                    .prop_map(|(v, k)| V::Map(v, k)),
                prop::collection::vec(inner, 0..4).prop_map(V::Tuple),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn agrees_with_rmp_serde(v in value()) {
            same(&v)?;
            same(&Unsized(vec![v.clone(), v.clone()]))?;
        }

        #[test]
        fn derived_structs_agree(
            id in any::<u64>(),
            small in any::<i8>(),
            ratio in any::<f32>(),
            name in ".{0,50}",
            blob in prop::collection::vec(any::<u8>(), 0..300),
            kind in kinds(),
            note in proptest::option::of(".{0,5}"),
            map in prop::collection::btree_map(".{0,8}", any::<i64>(), 0..20),
            pair in (any::<u16>(), any::<char>()),
            (s, n) in (any::<i64>(), 0u32..1_000_000_000),
            count in 0usize..20,
        ) {
            let inner = Inner { name, blob, kind, note };
            let outer = Outer {
                id,
                small,
                ratio,
                inner: inner.clone(),
                items: vec![inner; count],
                map: map.clone(),
                pair,
                unit: (),
                ts: Timestamp::new(s >> 30, n).unwrap(),
                plain_bytes: vec![small as u8; count * 10],
            };
            same(&outer)?;
            same(&Flat { id: id as u32, extra: map.into_iter().map(|(k, v)| (k, v as u32)).collect() })?;
        }
    }
}
