//! [`Payload`]: a payload value that owns its bytes, in the protocol of its connection —
//! what a hub method receives (arguments, upload items, client results) and what it returns.

use serde::de::DeserializeOwned;
use serde::Serialize;
use signalr_codec_connection::{AnyProtocol, AnyValue};
use signalr_codec_core::{Encode, Error, Output};
use signalr_codec_json::RawJsonBuf;
use signalr_codec_msgpack::{FromArguments, RawValueBuf};

/// An owned raw value of either hub protocol.
///
/// Events of the sans-IO connection borrow its input buffer; a hub method runs later, on its
/// own task, so its arguments are copied once into a `Payload` and bound there. Results are
/// serialized once, for the protocol of the connection they go to.
///
/// ```
/// use signalr_codec_connection::AnyProtocol;
/// use signalr_codec_tokio::Payload;
/// let [json, msgpack] = AnyProtocol::all();
/// let p = Payload::serialize(&msgpack, &(1, "two")).unwrap();
/// let (a, b): (i64, String) = p.bind().unwrap();
/// assert_eq!((a, b.as_str()), (1, "two"));
/// assert_eq!(Payload::serialize(&json, &[1, 2]).unwrap().to_string(), "[1,2]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// JSON text.
    Json(RawJsonBuf),
    /// MessagePack bytes.
    MessagePack(RawValueBuf),
}

impl Payload {
    /// Copies a borrowed raw value.
    pub fn from_value(value: AnyValue<'_>) -> Self {
        match value {
            AnyValue::Json(v) => Payload::Json(v.to_owned_json()),
            AnyValue::MessagePack(v) => Payload::MessagePack(RawValueBuf::from(v)),
        }
    }

    /// `value` serialized for `protocol` (as its `Serialized` wrapper writes it).
    pub fn serialize<T: Serialize + ?Sized>(protocol: &AnyProtocol, value: &T) -> Result<Self, Error> {
        let mut bytes = Vec::new();
        match protocol {
            AnyProtocol::Json(p) => {
                signalr_codec_json::Serialized(value).encode(p, &mut bytes)?;
                let text = String::from_utf8(bytes).expect("the JSON writer writes UTF-8");
                Ok(Payload::Json(RawJsonBuf::new(text)?))
            }
            AnyProtocol::MessagePack(p) => {
                signalr_codec_msgpack::Serialized(value).encode(p, &mut bytes)?;
                Ok(Payload::MessagePack(RawValueBuf::new(bytes)?))
            }
        }
    }

    /// An argument list — a tuple such as `(1, "two")`, or `()` for none — serialized for
    /// `protocol` as the argument array (serde writes `()` as null; here it is `[]`).
    ///
    /// ```
    /// use signalr_codec_connection::AnyProtocol;
    /// use signalr_codec_tokio::Payload;
    /// let [json, _] = AnyProtocol::all();
    /// assert_eq!(Payload::arguments(&json, &()).unwrap().to_string(), "[]");
    /// assert_eq!(Payload::arguments(&json, &("a", 2)).unwrap().to_string(), "[\"a\",2]");
    /// ```
    pub fn arguments<A: Serialize + ?Sized>(protocol: &AnyProtocol, arguments: &A) -> Result<Self, Error> {
        Payload::serialize(protocol, &Args(arguments))
    }

    /// The value, borrowed.
    pub fn as_value(&self) -> AnyValue<'_> {
        match self {
            Payload::Json(v) => AnyValue::Json(v.as_raw()),
            Payload::MessagePack(v) => AnyValue::MessagePack(v.as_raw()),
        }
    }

    /// Binds an argument array to a tuple, with .NET's arity and type texts on failure.
    pub fn bind<A: DeserializeOwned + for<'a> FromArguments<'a>>(&self) -> Result<A, Error> {
        self.as_value().bind()
    }

    /// Binds one value (an item or a result).
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        self.as_value().deserialize()
    }
}

impl std::fmt::Display for Payload {
    /// JSON as its text, MessagePack as hex.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Payload::Json(v) => f.write_str(v.get()),
            Payload::MessagePack(v) => v.as_raw().as_bytes().iter().try_for_each(|b| write!(f, "{b:02x}")),
        }
    }
}

impl Encode<AnyProtocol> for Payload {
    fn encoded_len(&self, protocol: &AnyProtocol) -> Result<usize, Error> {
        self.as_value().encoded_len(protocol)
    }

    fn encode<O: Output + ?Sized>(&self, protocol: &AnyProtocol, out: &mut O) -> Result<(), Error> {
        self.as_value().encode(protocol, out)
    }
}

/// Serializes a tuple of arguments as the argument array (`()` as `[]`, not null).
pub(crate) struct Args<'a, A: ?Sized>(&'a A);

impl<A: Serialize + ?Sized> Serialize for Args<'_, A> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(TupleAsArray(serializer))
    }
}

/// A serializer adapter that writes unit as an empty sequence.
pub(crate) struct TupleAsArray<S>(S);

macro_rules! forward {
    ($($name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {
        $(fn $name(self, $($arg: $ty),*) -> Result<$ret, S::Error> { self.0.$name($($arg),*) })*
    };
}

impl<S: serde::Serializer> serde::Serializer for TupleAsArray<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = S::SerializeSeq;
    type SerializeTuple = S::SerializeTuple;
    type SerializeTupleStruct = S::SerializeTupleStruct;
    type SerializeTupleVariant = S::SerializeTupleVariant;
    type SerializeMap = S::SerializeMap;
    type SerializeStruct = S::SerializeStruct;
    type SerializeStructVariant = S::SerializeStructVariant;

    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        self.0.serialize_seq(Some(0))?.end()
    }

    forward! {
        serialize_bool(v: bool) -> S::Ok;
        serialize_i8(v: i8) -> S::Ok;
        serialize_i16(v: i16) -> S::Ok;
        serialize_i32(v: i32) -> S::Ok;
        serialize_i64(v: i64) -> S::Ok;
        serialize_u8(v: u8) -> S::Ok;
        serialize_u16(v: u16) -> S::Ok;
        serialize_u32(v: u32) -> S::Ok;
        serialize_u64(v: u64) -> S::Ok;
        serialize_f32(v: f32) -> S::Ok;
        serialize_f64(v: f64) -> S::Ok;
        serialize_char(v: char) -> S::Ok;
        serialize_str(v: &str) -> S::Ok;
        serialize_bytes(v: &[u8]) -> S::Ok;
        serialize_none() -> S::Ok;
        serialize_unit_struct(name: &'static str) -> S::Ok;
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str) -> S::Ok;
        serialize_seq(len: Option<usize>) -> S::SerializeSeq;
        serialize_tuple(len: usize) -> S::SerializeTuple;
        serialize_tuple_struct(name: &'static str, len: usize) -> S::SerializeTupleStruct;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> S::SerializeTupleVariant;
        serialize_map(len: Option<usize>) -> S::SerializeMap;
        serialize_struct(name: &'static str, len: usize) -> S::SerializeStruct;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> S::SerializeStructVariant;
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(value)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, value: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, value)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_variant(name, index, variant, value)
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}
