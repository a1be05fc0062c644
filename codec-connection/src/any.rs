//! [`AnyProtocol`]: JSON or MessagePack, chosen at run time by the handshake, so that a server
//! holds one connection type (`Connection<AnyProtocol>`) whatever each client picked.

use serde::Deserialize;
use signalr_codec_core::frame::{Frame, Framer, Framing, LengthPrefixFramer, RecordFramer, Status};
use signalr_codec_core::ownership::{Ownership, Owning};
use signalr_codec_core::{
    Bind, Encode, Error, ErrorKind, HubMessage, HubProtocol, Limits, Output, Parsed, SerdePayloads, Serialized,
    ToOwnedValue, TransferFormat,
};
use signalr_codec_json::{JsonHubProtocol, RawJson, RawJsonBuf};
use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue, RawValueBuf};

/// The JSON or the MessagePack hub protocol.
///
/// ```
/// use signalr_codec_connection::{AnyProtocol, Config, Connection, Event, Instant};
/// let t0 = Instant::from_millis(0);
/// let mut server = Connection::server(AnyProtocol::all(), Config::server(), t0);
/// server.handle_input(t0, b"{\"protocol\":\"messagepack\",\"version\":1}\x1e");
/// match server.poll_event() {
///     Some(Event::Connected(h)) => assert_eq!(h.protocol, "messagepack"),
///     other => panic!("{other:?}"),
/// }
/// assert!(matches!(server.protocol(), Some(AnyProtocol::MessagePack(_))));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnyProtocol {
    /// `json`.
    Json(JsonHubProtocol),
    /// `messagepack`.
    MessagePack(MessagePackHubProtocol),
}

impl AnyProtocol {
    /// Both protocols with the default limits, as a server offers them.
    pub const fn all() -> [AnyProtocol; 2] {
        [AnyProtocol::Json(JsonHubProtocol::new()), AnyProtocol::MessagePack(MessagePackHubProtocol::new())]
    }

    /// Both protocols enforcing `limits`.
    pub const fn all_with_limits(limits: Limits) -> [AnyProtocol; 2] {
        [
            AnyProtocol::Json(JsonHubProtocol::with_limits(limits)),
            AnyProtocol::MessagePack(MessagePackHubProtocol::with_limits(limits)),
        ]
    }
}

impl From<JsonHubProtocol> for AnyProtocol {
    fn from(p: JsonHubProtocol) -> Self {
        AnyProtocol::Json(p)
    }
}

impl From<MessagePackHubProtocol> for AnyProtocol {
    fn from(p: MessagePackHubProtocol) -> Self {
        AnyProtocol::MessagePack(p)
    }
}

/// A payload value of either protocol, raw and borrowed from its frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AnyValue<'a> {
    /// Raw JSON text.
    Json(RawJson<'a>),
    /// A raw MessagePack value.
    MessagePack(RawValue<'a>),
}

impl<'a> AnyValue<'a> {
    /// Binds one value (an item, a result, one argument) to a serde type.
    pub fn deserialize<T: Deserialize<'a>>(&self) -> Result<T, Error> {
        Bind::deserialize(self)
    }

    /// Binds an argument array as .NET's binder does in either protocol ([`Bind::bind`]): the
    /// count first (`Invocation provides {n} argument(s) but target expects {m}.`), then the
    /// values (`Error binding arguments. …`).
    ///
    /// ```
    /// use signalr_codec_connection::AnyValue;
    /// use signalr_codec_json::RawJson;
    /// let args = AnyValue::Json(RawJson::new("[1,\"x\"]").unwrap());
    /// let (n, s): (i64, String) = args.bind().unwrap();
    /// assert_eq!((n, s.as_str()), (1, "x"));
    /// let e = args.bind::<(i64,)>().unwrap_err();
    /// assert_eq!(e.message().to_string(), "Invocation provides 2 argument(s) but target expects 1.");
    /// ```
    pub fn bind<T: Deserialize<'a>>(&self) -> Result<T, Error> {
        Bind::bind(self)
    }

    /// True for JSON `null` or MessagePack nil.
    pub fn is_null(&self) -> bool {
        match self {
            AnyValue::Json(raw) => raw.is_null(),
            AnyValue::MessagePack(raw) => raw.is_nil(),
        }
    }
}

impl<'a> Bind<'a> for AnyValue<'a> {
    type Elements = AnyElements<'a>;

    fn deserialize<T: Deserialize<'a>>(&self) -> Result<T, Error> {
        match self {
            AnyValue::Json(raw) => Bind::deserialize(raw),
            AnyValue::MessagePack(raw) => Bind::deserialize(raw),
        }
    }

    fn elements(&self) -> AnyElements<'a> {
        match self {
            AnyValue::Json(raw) => AnyElements::Json(raw.elements()),
            AnyValue::MessagePack(raw) => AnyElements::MessagePack(raw.elements()),
        }
    }

    fn count(&self) -> usize {
        match self {
            AnyValue::Json(raw) => raw.count(),
            AnyValue::MessagePack(raw) => raw.count(),
        }
    }
}

/// The elements of an [`AnyValue`] array.
#[derive(Debug)]
pub enum AnyElements<'a> {
    /// Of a JSON array.
    Json(signalr_codec_json::Elements<'a>),
    /// Of a MessagePack array.
    MessagePack(signalr_codec_msgpack::ArrayIter<'a>),
}

impl<'a> Iterator for AnyElements<'a> {
    type Item = AnyValue<'a>;

    fn next(&mut self) -> Option<AnyValue<'a>> {
        match self {
            AnyElements::Json(items) => items.next().map(AnyValue::Json),
            AnyElements::MessagePack(items) => items.next().map(AnyValue::MessagePack),
        }
    }
}

/// An [`AnyValue`] that owns its bytes: what [`HubMessage::into_owned`] makes of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyValueBuf {
    /// Raw JSON text.
    Json(RawJsonBuf),
    /// A raw MessagePack value.
    MessagePack(RawValueBuf),
}

impl AnyValueBuf {
    /// Copies a borrowed raw value (as [`ToOwnedValue::to_owned_value`]).
    pub fn from_value(value: AnyValue<'_>) -> Self {
        value.to_owned_value()
    }

    /// `value` serialized for `protocol` (as [`Serialized`] writes it): a result or an item
    /// encoded once, for the connection it goes to.
    ///
    /// ```
    /// use signalr_codec_connection::{AnyProtocol, AnyValueBuf};
    /// let [json, msgpack] = AnyProtocol::all();
    /// let v = AnyValueBuf::serialize(&msgpack, &(1, "two")).unwrap();
    /// let (a, b): (i64, String) = v.bind().unwrap();
    /// assert_eq!((a, b.as_str()), (1, "two"));
    /// assert_eq!(AnyValueBuf::serialize(&json, &[1, 2]).unwrap().to_string(), "[1,2]");
    /// ```
    pub fn serialize<T: serde::Serialize + ?Sized>(protocol: &AnyProtocol, value: &T) -> Result<Self, Error> {
        let mut bytes = alloc::vec::Vec::new();
        Serialized(value).encode(protocol, &mut bytes)?;
        match protocol {
            AnyProtocol::Json(_) => {
                let text = alloc::string::String::from_utf8(bytes)
                    .map_err(|_| Error::new(ErrorKind::Invalid, "The JSON writer wrote invalid UTF-8."))?;
                Ok(AnyValueBuf::Json(RawJsonBuf::new(text)?))
            }
            AnyProtocol::MessagePack(_) => Ok(AnyValueBuf::MessagePack(RawValueBuf::new(bytes)?)),
        }
    }

    /// An argument list — a tuple such as `(1, "two")`, or `()` for none — serialized for
    /// `protocol` as the argument array (serde writes `()` as null; here it is `[]`).
    ///
    /// ```
    /// use signalr_codec_connection::{AnyProtocol, AnyValueBuf};
    /// let [json, _] = AnyProtocol::all();
    /// assert_eq!(AnyValueBuf::arguments(&json, &()).unwrap().to_string(), "[]");
    /// assert_eq!(AnyValueBuf::arguments(&json, &("a", 2)).unwrap().to_string(), "[\"a\",2]");
    /// ```
    pub fn arguments<A: serde::Serialize + ?Sized>(protocol: &AnyProtocol, arguments: &A) -> Result<Self, Error> {
        AnyValueBuf::serialize(protocol, &crate::arguments::Args(arguments))
    }

    /// The value, borrowed.
    pub fn as_value(&self) -> AnyValue<'_> {
        match self {
            AnyValueBuf::Json(v) => AnyValue::Json(v.as_raw()),
            AnyValueBuf::MessagePack(v) => AnyValue::MessagePack(v.as_raw()),
        }
    }

    /// Binds an argument array to a tuple or struct, with .NET's arity and type texts.
    pub fn bind<A: serde::de::DeserializeOwned>(&self) -> Result<A, Error> {
        self.as_value().bind()
    }

    /// Binds one value (an item or a result).
    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        self.as_value().deserialize()
    }
}

impl core::fmt::Display for AnyValueBuf {
    /// JSON as its text, MessagePack as hex.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AnyValueBuf::Json(v) => f.write_str(v.get()),
            AnyValueBuf::MessagePack(v) => v.as_raw().as_bytes().iter().try_for_each(|b| write!(f, "{b:02x}")),
        }
    }
}

impl ToOwnedValue for AnyValue<'_> {
    type Owned = AnyValueBuf;

    fn to_owned_value(&self) -> AnyValueBuf {
        match self {
            AnyValue::Json(v) => AnyValueBuf::Json(v.to_owned_json()),
            AnyValue::MessagePack(v) => AnyValueBuf::MessagePack(RawValueBuf::from(*v)),
        }
    }
}

/// Writes an owned value back out with the protocol it was read with.
impl Encode<AnyProtocol> for AnyValueBuf {
    fn encoded_len(&self, protocol: &AnyProtocol) -> Result<usize, Error> {
        self.as_value().encoded_len(protocol)
    }

    fn encode<O: Output + ?Sized>(&self, protocol: &AnyProtocol, out: &mut O) -> Result<(), Error> {
        self.as_value().encode(protocol, out)
    }
}

/// Writes a raw value back out with the protocol it was read with (forwarding).
impl Encode<AnyProtocol> for AnyValue<'_> {
    fn encoded_len(&self, protocol: &AnyProtocol) -> Result<usize, Error> {
        match (self, protocol) {
            (AnyValue::Json(v), AnyProtocol::Json(p)) => v.encoded_len(p),
            (AnyValue::MessagePack(v), AnyProtocol::MessagePack(p)) => v.encoded_len(p),
            _ => Err(Error::new(
                ErrorKind::Unsupported,
                "A raw value can only be written in the protocol it was read in.",
            )),
        }
    }

    fn encode<O: Output + ?Sized>(&self, protocol: &AnyProtocol, out: &mut O) -> Result<(), Error> {
        match (self, protocol) {
            (AnyValue::Json(v), AnyProtocol::Json(p)) => v.encode(p, out),
            (AnyValue::MessagePack(v), AnyProtocol::MessagePack(p)) => v.encode(p, out),
            _ => Err(Error::new(
                ErrorKind::Unsupported,
                "A raw value can only be written in the protocol it was read in.",
            )),
        }
    }
}

/// Serialized with whichever protocol the connection uses.
impl SerdePayloads for AnyProtocol {
    fn serialized_len<T: serde::Serialize + ?Sized>(&self, value: &T) -> Result<usize, Error> {
        match self {
            AnyProtocol::Json(p) => p.serialized_len(value),
            AnyProtocol::MessagePack(p) => p.serialized_len(value),
        }
    }

    fn write_serialized<T: serde::Serialize + ?Sized, O: Output + ?Sized>(
        &self,
        value: &T,
        out: &mut O,
    ) -> Result<(), Error> {
        match self {
            AnyProtocol::Json(p) => p.write_serialized(value, out),
            AnyProtocol::MessagePack(p) => p.write_serialized(value, out),
        }
    }
}

/// A payload for [`AnyProtocol`] seen by one of the two protocols it wraps.
struct Via<'v, V: ?Sized>(&'v V);

impl<V: Encode<AnyProtocol> + ?Sized> Encode<JsonHubProtocol> for Via<'_, V> {
    fn encoded_len(&self, p: &JsonHubProtocol) -> Result<usize, Error> {
        self.0.encoded_len(&AnyProtocol::Json(*p))
    }

    fn encode<O: Output + ?Sized>(&self, p: &JsonHubProtocol, out: &mut O) -> Result<(), Error> {
        self.0.encode(&AnyProtocol::Json(*p), out)
    }
}

impl<V: Encode<AnyProtocol> + ?Sized> Encode<MessagePackHubProtocol> for Via<'_, V> {
    fn encoded_len(&self, p: &MessagePackHubProtocol) -> Result<usize, Error> {
        self.0.encoded_len(&AnyProtocol::MessagePack(*p))
    }

    fn encode<O: Output + ?Sized>(&self, p: &MessagePackHubProtocol, out: &mut O) -> Result<(), Error> {
        self.0.encode(&AnyProtocol::MessagePack(*p), out)
    }
}

/// The framer of either protocol.
#[derive(Debug, Clone)]
pub enum AnyFramer {
    /// 0x1E records (JSON).
    Record(RecordFramer),
    /// VarInt length prefixes (MessagePack).
    LengthPrefix(LengthPrefixFramer),
}

impl Framer for AnyFramer {
    fn framing(&self) -> Framing {
        match self {
            AnyFramer::Record(f) => f.framing(),
            AnyFramer::LengthPrefix(f) => f.framing(),
        }
    }

    fn next_frame(&mut self, buf: &[u8]) -> Result<Status<Frame>, Error> {
        match self {
            AnyFramer::Record(f) => f.next_frame(buf),
            AnyFramer::LengthPrefix(f) => f.next_frame(buf),
        }
    }

    fn reset(&mut self) {
        match self {
            AnyFramer::Record(f) => f.reset(),
            AnyFramer::LengthPrefix(f) => f.reset(),
        }
    }

    fn bytes_examined(&self) -> u64 {
        match self {
            AnyFramer::Record(f) => f.bytes_examined(),
            AnyFramer::LengthPrefix(f) => f.bytes_examined(),
        }
    }
}

/// A parsed message with its payloads wrapped by `f` and its ownership made `Owning` by `own`:
/// the identity for JSON's (already owning, rebuilt once, not twice), `owning` for
/// MessagePack's, which only borrow.
fn wrap<'a, V, O: Ownership>(
    parsed: Parsed<HubMessage<'a, V, O>>,
    f: impl FnMut(V) -> AnyValue<'a>,
    own: impl FnOnce(HubMessage<'a, AnyValue<'a>, O>) -> HubMessage<'a, AnyValue<'a>>,
) -> Parsed<HubMessage<'a, AnyValue<'a>>> {
    match parsed {
        Parsed::Message(m) => Parsed::Message(own(m.map_values(f))),
        Parsed::Skipped { message_type } => Parsed::Skipped { message_type },
    }
}

/// Owned payloads are [`AnyValueBuf`]s.
impl signalr_codec_core::OwnedPayloads for AnyProtocol {
    type OwnedPayload = AnyValueBuf;

    fn to_owned_payload(value: &AnyValue<'_>) -> AnyValueBuf {
        value.to_owned_value()
    }
}

impl HubProtocol for AnyProtocol {
    /// JSON's messages may own (escaped strings), so the two protocols' meet there.
    type Ownership = Owning;
    type Value<'a> = AnyValue<'a>;
    type Framer = AnyFramer;

    fn name(&self) -> &'static str {
        match self {
            AnyProtocol::Json(p) => p.name(),
            AnyProtocol::MessagePack(p) => p.name(),
        }
    }

    fn version(&self) -> i32 {
        match self {
            AnyProtocol::Json(p) => p.version(),
            AnyProtocol::MessagePack(p) => p.version(),
        }
    }

    fn transfer_format(&self) -> TransferFormat {
        match self {
            AnyProtocol::Json(p) => p.transfer_format(),
            AnyProtocol::MessagePack(p) => p.transfer_format(),
        }
    }

    fn limits(&self) -> &Limits {
        match self {
            AnyProtocol::Json(p) => p.limits(),
            AnyProtocol::MessagePack(p) => p.limits(),
        }
    }

    fn framer(&self) -> AnyFramer {
        match self {
            AnyProtocol::Json(p) => AnyFramer::Record(p.framer()),
            AnyProtocol::MessagePack(p) => AnyFramer::LengthPrefix(p.framer()),
        }
    }

    fn parse<'a>(&self, frame: &'a [u8]) -> Result<Parsed<HubMessage<'a, AnyValue<'a>>>, Error> {
        match self {
            AnyProtocol::Json(p) => p.parse(frame).map(|m| wrap(m, AnyValue::Json, |m| m)),
            AnyProtocol::MessagePack(p) => p.parse(frame).map(|m| wrap(m, AnyValue::MessagePack, HubMessage::owning)),
        }
    }

    fn encoded_len<V: Encode<Self>, Own: Ownership>(&self, message: &HubMessage<'_, V, Own>) -> Result<usize, Error> {
        let message = message.as_ref().map_values(Via);
        match self {
            AnyProtocol::Json(p) => p.encoded_len(&message),
            AnyProtocol::MessagePack(p) => p.encoded_len(&message),
        }
    }

    fn write<V: Encode<Self>, Own: Ownership, O: Output + ?Sized>(
        &self,
        message: &HubMessage<'_, V, Own>,
        out: &mut O,
    ) -> Result<usize, Error> {
        let message = message.as_ref().map_values(Via);
        match self {
            AnyProtocol::Json(p) => p.write(&message, out),
            AnyProtocol::MessagePack(p) => p.write(&message, out),
        }
    }
}
