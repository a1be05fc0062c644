//! Writing `serde::Serialize` values as JSON straight into an [`Output`], formatted as
//! System.Text.Json formats them.
//!
//! The mapping from serde's data model is serde_json's (structs and maps as objects, sequences
//! and tuples as arrays, `None` and `()` as `null`, enums externally tagged, bytes as an array of
//! numbers, map keys that are numbers or booleans quoted, serde_json's `RawValue` and this
//! crate's [`RawJson`](crate::RawJson) copied as is). The text differs from serde_json's where
//! .NET's differs, so that payloads are byte-identical to what a .NET peer writes:
//!
//! - strings are escaped as .NET's relaxed encoder escapes them (upper-case `\u001F`, characters
//!   above U+FFFF as surrogate pairs, …; see [`escape`] for the details);
//! - floating-point numbers use .NET's layout: `2.0` → `2`, `1e20` → `1E+20`, `1e-7` → `1E-07`;
//! - non-finite floats are written as `null`, as serde_json does (.NET refuses them).
//!
//! No intermediate `String` or `Value` is built and nothing is allocated (except for the text of
//! an error).
//!
//! ```
//! use signalr_codec_json::ser;
//! #[derive(serde::Serialize)]
//! struct Reading { sensor: &'static str, value: f64, tags: [&'static str; 2] }
//! let mut out = Vec::new();
//! ser::to_output(&Reading { sensor: "t1", value: 21.0, tags: ["a", "b\n"] }, &mut out)?;
//! assert_eq!(out, br#"{"sensor":"t1","value":21,"tags":["a","b\n"]}"#);
//! # Ok::<(), signalr_codec_core::Error>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Display};

use serde::ser::{self, Impossible, Serialize};
use signalr_codec_core::{CountingOutput, Error, ErrorKind, Output};

use crate::number;
use crate::raw::RAW_TOKEN;
use signalr_codec_core::json as escape;

/// Writes `value` as JSON into `out` and returns the bytes written.
///
/// Unlike the hub protocol writers, this does not check room first: a fixed-size output that is
/// too small keeps what fits (measure with [`serialized_len`] first).
pub fn to_output<T: Serialize + ?Sized, O: Output + ?Sized>(value: &T, out: &mut O) -> Result<usize, Error> {
    // Counted by the room it took rather than by a wrapper counting every put: a counter
    // between the serializer and the buffer puts one more store on the path of each byte.
    let before = out.remaining();
    value.serialize(&mut Ser { out }).map_err(|e| e.0)?;
    Ok(before - out.remaining())
}

/// The number of bytes [`to_output`] writes for `value` (serializes it without storing anything).
pub fn serialized_len<T: Serialize + ?Sized>(value: &T) -> Result<usize, Error> {
    let mut counter = CountingOutput::new();
    value.serialize(&mut Ser { out: &mut counter }).map_err(|e| e.0)?;
    Ok(counter.len())
}

/// `value` as JSON bytes.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    to_output(value, &mut out)?;
    Ok(out)
}

/// `value` as a JSON string.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    // The serializer only ever writes valid UTF-8 (escaped strings and ASCII punctuation).
    String::from_utf8(to_vec(value)?)
        .map_err(|_| Error::new(ErrorKind::Invalid, "The serializer produced invalid UTF-8."))
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
    fn custom<T: Display>(msg: T) -> Self {
        SerError(Error::formatted(ErrorKind::Invalid, format_args!("{msg}")))
    }
}

fn key_must_be_a_string() -> SerError {
    SerError(Error::new(ErrorKind::Invalid, "A JSON object key must be a string."))
}

fn float_key_must_be_finite() -> SerError {
    SerError(Error::new(ErrorKind::Invalid, "A float used as a JSON object key must be finite."))
}

fn not_raw() -> SerError {
    SerError(Error::new(ErrorKind::Invalid, "A raw JSON value must serialize as a string."))
}

type SResult<T> = core::result::Result<T, SerError>;

/// The serializer: writes to `out` as it goes.
pub(crate) struct Ser<'o, O: Output + ?Sized> {
    out: &'o mut O,
}

impl<O: Output + ?Sized> Ser<'_, O> {
    fn put(&mut self, bytes: &[u8]) {
        self.out.put(bytes);
    }

    fn string(&mut self, s: &str) {
        escape::write_string(s, self.out);
    }

    fn f64(&mut self, v: f64) {
        if v.is_finite() {
            number::write_f64(v, self.out);
        } else {
            self.put(b"null");
        }
    }

    fn f32(&mut self, v: f32) {
        if v.is_finite() {
            number::write_f32(v, self.out);
        } else {
            self.put(b"null");
        }
    }
}

/// Escapes `Display` output as it is produced (for `collect_str`, without a `String`).
struct EscapeWriter<'a, O: Output + ?Sized>(&'a mut O);

impl<O: Output + ?Sized> fmt::Write for EscapeWriter<'_, O> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        escape::write_escaped(s, self.0);
        Ok(())
    }
}

impl<'s, 'o, O: Output + ?Sized> ser::Serializer for &'s mut Ser<'o, O> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = Compound<'s, 'o, O>;
    type SerializeTuple = Compound<'s, 'o, O>;
    type SerializeTupleStruct = Compound<'s, 'o, O>;
    type SerializeTupleVariant = Compound<'s, 'o, O>;
    type SerializeMap = Compound<'s, 'o, O>;
    type SerializeStruct = Compound<'s, 'o, O>;
    type SerializeStructVariant = Compound<'s, 'o, O>;

    fn serialize_bool(self, v: bool) -> SResult<()> {
        self.put(if v { b"true" } else { b"false" });
        Ok(())
    }

    fn serialize_i8(self, v: i8) -> SResult<()> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i16(self, v: i16) -> SResult<()> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i32(self, v: i32) -> SResult<()> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i64(self, v: i64) -> SResult<()> {
        number::write_i64(v, self.out);
        Ok(())
    }

    fn serialize_i128(self, v: i128) -> SResult<()> {
        number::write_i128(v, self.out);
        Ok(())
    }

    fn serialize_u8(self, v: u8) -> SResult<()> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u16(self, v: u16) -> SResult<()> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u32(self, v: u32) -> SResult<()> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u64(self, v: u64) -> SResult<()> {
        number::write_u64(v, self.out);
        Ok(())
    }

    fn serialize_u128(self, v: u128) -> SResult<()> {
        number::write_u128(v, self.out);
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> SResult<()> {
        self.f32(v);
        Ok(())
    }

    fn serialize_f64(self, v: f64) -> SResult<()> {
        self.f64(v);
        Ok(())
    }

    fn serialize_char(self, v: char) -> SResult<()> {
        self.string(v.encode_utf8(&mut [0u8; 4]));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> SResult<()> {
        self.string(v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> SResult<()> {
        self.put(b"[");
        for (i, b) in v.iter().enumerate() {
            if i > 0 {
                self.put(b",");
            }
            number::write_u64(u64::from(*b), self.out);
        }
        self.put(b"]");
        Ok(())
    }

    fn serialize_none(self) -> SResult<()> {
        self.serialize_unit()
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> SResult<()> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> SResult<()> {
        self.put(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> SResult<()> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> SResult<()> {
        self.string(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _name: &'static str, value: &T) -> SResult<()> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> SResult<()> {
        self.put(b"{");
        self.string(variant);
        self.put(b":");
        value.serialize(&mut *self)?;
        self.put(b"}");
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> SResult<Compound<'s, 'o, O>> {
        self.put(b"[");
        Ok(Compound { ser: self, state: State::First })
    }

    fn serialize_tuple(self, len: usize) -> SResult<Compound<'s, 'o, O>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> SResult<Compound<'s, 'o, O>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> SResult<Compound<'s, 'o, O>> {
        self.put(b"{");
        self.string(variant);
        self.put(b":[");
        Ok(Compound { ser: self, state: State::First })
    }

    fn serialize_map(self, _len: Option<usize>) -> SResult<Compound<'s, 'o, O>> {
        self.put(b"{");
        Ok(Compound { ser: self, state: State::First })
    }

    fn serialize_struct(self, name: &'static str, _len: usize) -> SResult<Compound<'s, 'o, O>> {
        if name == RAW_TOKEN {
            return Ok(Compound { ser: self, state: State::Raw });
        }
        self.put(b"{");
        Ok(Compound { ser: self, state: State::First })
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> SResult<Compound<'s, 'o, O>> {
        self.put(b"{");
        self.string(variant);
        self.put(b":{");
        Ok(Compound { ser: self, state: State::First })
    }

    fn collect_str<T: ?Sized + Display>(self, value: &T) -> SResult<()> {
        self.put(b"\"");
        let _ = fmt::write(&mut EscapeWriter(&mut *self.out), format_args!("{value}"));
        self.put(b"\"");
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing written inside the container yet.
    First,
    /// At least one element written: the next needs a comma.
    Rest,
    /// Inside a raw value: the single field is the JSON text.
    Raw,
}

/// A container being written.
pub(crate) struct Compound<'s, 'o, O: Output + ?Sized> {
    ser: &'s mut Ser<'o, O>,
    state: State,
}

impl<O: Output + ?Sized> Compound<'_, '_, O> {
    fn comma(&mut self) {
        if self.state == State::Rest {
            self.ser.put(b",");
        }
        self.state = State::Rest;
    }

    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> SResult<()> {
        self.comma();
        value.serialize(&mut *self.ser)
    }

    fn field<T: ?Sized + Serialize>(&mut self, key: &str, value: &T) -> SResult<()> {
        if self.state == State::Raw {
            return value.serialize(RawEmitter(&mut *self.ser));
        }
        escape::write_member_name(key, self.state == State::Rest, self.ser.out);
        self.state = State::Rest;
        value.serialize(&mut *self.ser)
    }
}

impl<O: Output + ?Sized> ser::SerializeSeq for Compound<'_, '_, O> {
    type Ok = ();
    type Error = SerError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> SResult<()> {
        self.element(value)
    }
    fn end(self) -> SResult<()> {
        self.ser.put(b"]");
        Ok(())
    }
}

impl<O: Output + ?Sized> ser::SerializeTuple for Compound<'_, '_, O> {
    type Ok = ();
    type Error = SerError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> SResult<()> {
        self.element(value)
    }
    fn end(self) -> SResult<()> {
        self.ser.put(b"]");
        Ok(())
    }
}

impl<O: Output + ?Sized> ser::SerializeTupleStruct for Compound<'_, '_, O> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> SResult<()> {
        self.element(value)
    }
    fn end(self) -> SResult<()> {
        self.ser.put(b"]");
        Ok(())
    }
}

impl<O: Output + ?Sized> ser::SerializeTupleVariant for Compound<'_, '_, O> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> SResult<()> {
        self.element(value)
    }
    fn end(self) -> SResult<()> {
        self.ser.put(b"]}");
        Ok(())
    }
}

impl<O: Output + ?Sized> ser::SerializeMap for Compound<'_, '_, O> {
    type Ok = ();
    type Error = SerError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> SResult<()> {
        self.comma();
        key.serialize(MapKey(&mut *self.ser))
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> SResult<()> {
        self.ser.put(b":");
        value.serialize(&mut *self.ser)
    }
    fn end(self) -> SResult<()> {
        self.ser.put(b"}");
        Ok(())
    }
}

impl<O: Output + ?Sized> ser::SerializeStruct for Compound<'_, '_, O> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> SResult<()> {
        self.field(key, value)
    }
    fn end(self) -> SResult<()> {
        if self.state != State::Raw {
            self.ser.put(b"}");
        }
        Ok(())
    }
}

impl<O: Output + ?Sized> ser::SerializeStructVariant for Compound<'_, '_, O> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> SResult<()> {
        self.field(key, value)
    }
    fn end(self) -> SResult<()> {
        self.ser.put(b"}}");
        Ok(())
    }
}

/// Declares every `Serializer` method of a restricted serializer as failing with `$err`.
macro_rules! refuse {
    ($err:expr; $($method:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        $(
            fn $method(self, $(_: $ty),*) -> SResult<$ret> {
                Err($err)
            }
        )*
    };
}

/// Writes a map key: strings as strings; numbers, booleans and unit variants quoted.
struct MapKey<'s, 'o, O: Output + ?Sized>(&'s mut Ser<'o, O>);

impl<O: Output + ?Sized> MapKey<'_, '_, O> {
    fn quoted(self, write: impl FnOnce(&mut Ser<'_, O>)) -> SResult<()> {
        self.0.put(b"\"");
        write(self.0);
        self.0.put(b"\"");
        Ok(())
    }
}

impl<O: Output + ?Sized> ser::Serializer for MapKey<'_, '_, O> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = Impossible<(), SerError>;
    type SerializeTuple = Impossible<(), SerError>;
    type SerializeTupleStruct = Impossible<(), SerError>;
    type SerializeTupleVariant = Impossible<(), SerError>;
    type SerializeMap = Impossible<(), SerError>;
    type SerializeStruct = Impossible<(), SerError>;
    type SerializeStructVariant = Impossible<(), SerError>;

    fn serialize_str(self, v: &str) -> SResult<()> {
        self.0.string(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> SResult<()> {
        self.0.string(v.encode_utf8(&mut [0u8; 4]));
        Ok(())
    }
    fn serialize_bool(self, v: bool) -> SResult<()> {
        self.quoted(|s| s.put(if v { b"true" } else { b"false" }))
    }
    fn serialize_i8(self, v: i8) -> SResult<()> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> SResult<()> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> SResult<()> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> SResult<()> {
        self.quoted(|s| number::write_i64(v, s.out))
    }
    fn serialize_i128(self, v: i128) -> SResult<()> {
        self.quoted(|s| number::write_i128(v, s.out))
    }
    fn serialize_u8(self, v: u8) -> SResult<()> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> SResult<()> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> SResult<()> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> SResult<()> {
        self.quoted(|s| number::write_u64(v, s.out))
    }
    fn serialize_u128(self, v: u128) -> SResult<()> {
        self.quoted(|s| number::write_u128(v, s.out))
    }
    fn serialize_f32(self, v: f32) -> SResult<()> {
        if !v.is_finite() {
            return Err(float_key_must_be_finite());
        }
        self.quoted(|s| s.f32(v))
    }
    fn serialize_f64(self, v: f64) -> SResult<()> {
        if !v.is_finite() {
            return Err(float_key_must_be_finite());
        }
        self.quoted(|s| s.f64(v))
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> SResult<()> {
        self.0.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _name: &'static str, value: &T) -> SResult<()> {
        value.serialize(self)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> SResult<()> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> SResult<()> {
        Err(key_must_be_a_string())
    }
    fn collect_str<T: ?Sized + Display>(self, value: &T) -> SResult<()> {
        self.0.collect_str(value)
    }
    refuse! { key_must_be_a_string();
        serialize_bytes(v: &[u8]) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(name: &'static str) -> ();
        serialize_seq(len: Option<usize>) -> Impossible<(), SerError>;
        serialize_tuple(len: usize) -> Impossible<(), SerError>;
        serialize_tuple_struct(name: &'static str, len: usize) -> Impossible<(), SerError>;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Impossible<(), SerError>;
        serialize_map(len: Option<usize>) -> Impossible<(), SerError>;
        serialize_struct(name: &'static str, len: usize) -> Impossible<(), SerError>;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Impossible<(), SerError>;
    }
}

/// Inside a raw value: the JSON text arrives as a string and is written as is.
struct RawEmitter<'s, 'o, O: Output + ?Sized>(&'s mut Ser<'o, O>);

impl<O: Output + ?Sized> ser::Serializer for RawEmitter<'_, '_, O> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = Impossible<(), SerError>;
    type SerializeTuple = Impossible<(), SerError>;
    type SerializeTupleStruct = Impossible<(), SerError>;
    type SerializeTupleVariant = Impossible<(), SerError>;
    type SerializeMap = Impossible<(), SerError>;
    type SerializeStruct = Impossible<(), SerError>;
    type SerializeStructVariant = Impossible<(), SerError>;

    fn serialize_str(self, v: &str) -> SResult<()> {
        self.0.put(v.as_bytes());
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, _value: &T) -> SResult<()> {
        Err(not_raw())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _name: &'static str, _value: &T) -> SResult<()> {
        Err(not_raw())
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> SResult<()> {
        Err(not_raw())
    }
    fn collect_str<T: ?Sized + Display>(self, _value: &T) -> SResult<()> {
        Err(not_raw())
    }
    refuse! { not_raw();
        serialize_bool(v: bool) -> ();
        serialize_i8(v: i8) -> ();
        serialize_i16(v: i16) -> ();
        serialize_i32(v: i32) -> ();
        serialize_i64(v: i64) -> ();
        serialize_u8(v: u8) -> ();
        serialize_u16(v: u16) -> ();
        serialize_u32(v: u32) -> ();
        serialize_u64(v: u64) -> ();
        serialize_f32(v: f32) -> ();
        serialize_f64(v: f64) -> ();
        serialize_char(v: char) -> ();
        serialize_bytes(v: &[u8]) -> ();
        serialize_none() -> ();
        serialize_unit() -> ();
        serialize_unit_struct(name: &'static str) -> ();
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> ();
        serialize_seq(len: Option<usize>) -> Impossible<(), SerError>;
        serialize_tuple(len: usize) -> Impossible<(), SerError>;
        serialize_tuple_struct(name: &'static str, len: usize) -> Impossible<(), SerError>;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Impossible<(), SerError>;
        serialize_map(len: Option<usize>) -> Impossible<(), SerError>;
        serialize_struct(name: &'static str, len: usize) -> Impossible<(), SerError>;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> Impossible<(), SerError>;
    }
}

#[cfg(test)]
#[allow(clippy::approx_constant)] // values from the .NET tests
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;
    use alloc::vec;

    fn json<T: Serialize + ?Sized>(v: &T) -> String {
        let s = to_string(v).unwrap();
        assert_eq!(serialized_len(v).unwrap(), s.len());
        s
    }

    #[derive(serde::Serialize)]
    struct Unit;
    #[derive(serde::Serialize)]
    struct Newtype(i32);
    #[derive(serde::Serialize)]
    struct Tuple(i32, &'static str);
    #[derive(serde::Serialize)]
    enum E {
        A,
        B(i32),
        C(i32, i32),
        D { x: i32 },
    }
    #[derive(serde::Serialize)]
    struct S<'a> {
        s: &'a str,
        o: Option<i32>,
        n: Option<i32>,
        v: Vec<u8>,
        #[serde(with = "serde_bytes_like")]
        b: &'a [u8],
    }
    mod serde_bytes_like {
        pub fn serialize<S: serde::Serializer>(b: &&[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(b)
        }
    }

    #[test]
    fn data_model_like_serde_json() {
        assert_eq!(json(&()), "null");
        assert_eq!(json(&Unit), "null");
        assert_eq!(json(&Newtype(5)), "5");
        assert_eq!(json(&Tuple(1, "a")), r#"[1,"a"]"#);
        assert_eq!(json(&[E::A, E::B(1), E::C(1, 2), E::D { x: 3 }]), r#"["A",{"B":1},{"C":[1,2]},{"D":{"x":3}}]"#);
        assert_eq!(
            json(&S { s: "x", o: Some(1), n: None, v: vec![1, 2], b: &[3] }),
            r#"{"s":"x","o":1,"n":null,"v":[1,2],"b":[3]}"#
        );
        assert_eq!(json(&Vec::<i32>::new()), "[]");
        assert_eq!(json(&BTreeMap::<i32, i32>::new()), "{}");
        let mut m = BTreeMap::new();
        m.insert(1, true);
        m.insert(2, false);
        assert_eq!(json(&m), r#"{"1":true,"2":false}"#);
        let mut m = BTreeMap::new();
        m.insert(true, 'c');
        assert_eq!(json(&m), r#"{"true":"c"}"#);
        assert_eq!(
            json(&(u64::MAX, i64::MIN, u128::MAX, -1i8)),
            "[18446744073709551615,-9223372036854775808,340282366920938463463374607431768211455,-1]"
        );
        assert_eq!(json(&(f64::NAN, f32::INFINITY)), "[null,null]");
        let mut bad = BTreeMap::new();
        bad.insert(vec![1], 1);
        assert!(to_string(&bad).is_err());
    }

    #[test]
    fn formats_like_dotnet() {
        assert_eq!(json(&(1, "Foo", 2.0f32)), r#"[1,"Foo",2]"#);
        assert_eq!(json(&6.2831853071), "6.2831853071");
        assert_eq!(json(&"a\u{1f}😀\"\\"), r#""a\u001F\uD83D\uDE00\"\\""#);
        assert_eq!(json(&format_args!("x{}y", '\n')), r#""x\ny""#);
    }

    #[test]
    fn raw_values_are_copied() {
        let raw: &serde_json::value::RawValue = serde_json::from_str(r#"{"a" : [1, 2]}"#).unwrap();
        assert_eq!(json(&(raw, 1)), r#"[{"a" : [1, 2]},1]"#);
        let ours = crate::RawJson::new("[ true ]").unwrap();
        assert_eq!(json(&vec![ours]), "[[ true ]]");
        // serde_json recognizes it too.
        assert_eq!(serde_json::to_string(&ours).unwrap(), "[ true ]");
    }
}
