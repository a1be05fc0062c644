//! [`HubProtocol`]: what the JSON and MessagePack hub protocols both implement, so that
//! everything generic (decoding loops, tools, reconnect buffers) is written once.

use crate::error::Error;
use crate::frame::{Framer, Framing};
use crate::limits::Limits;
use crate::message::{HubMessage, Parsed};
use crate::output::Output;

/// How a transport must carry a protocol's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferFormat {
    /// UTF-8 text (WebSocket text frames; usable on Server-Sent Events).
    Text,
    /// Arbitrary bytes (WebSocket binary frames; not on Server-Sent Events).
    Binary,
}

impl TransferFormat {
    /// The name used in negotiate responses and .NET errors: `Text` or `Binary`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TransferFormat::Text => "Text",
            TransferFormat::Binary => "Binary",
        }
    }
}

/// A hub protocol: its identity, its framing, parsing one frame, and writing one message.
///
/// Parsing borrows from the frame and leaves payload values raw ([`HubProtocol::Value`]);
/// writing takes any payload the protocol can [`Encode`] and emits the framed message.
pub trait HubProtocol {
    /// A payload value as parsed: raw and borrowed from the frame, decoded on demand, and
    /// written back as it came (forwarding, replay).
    type Value<'a>: Encode<Self>;
    /// The framer that delimits this protocol's messages.
    type Framer: Framer + core::fmt::Debug + Clone;
    /// Whether parsed messages may own heap memory: [`Owning`](crate::ownership::Owning) when
    /// parsing can produce owned strings (JSON's escapes),
    /// [`Borrowing`](crate::ownership::Borrowing) when it never does (MessagePack): those are
    /// dropped for free.
    type Ownership: crate::ownership::Ownership;

    /// The name sent in the handshake: `json` or `messagepack`.
    fn name(&self) -> &'static str;
    /// The protocol version this implementation speaks (2: with Ack and Sequence).
    fn version(&self) -> i32;
    /// Text or binary.
    fn transfer_format(&self) -> TransferFormat;
    /// The limits this protocol instance enforces.
    fn limits(&self) -> &Limits;
    /// A new framer enforcing [`limits`](HubProtocol::limits).
    fn framer(&self) -> Self::Framer;

    /// How messages are delimited.
    fn framing(&self) -> Framing {
        self.framer().framing()
    }

    /// True when a peer asking for `version` in its handshake can be served (.NET accepts any
    /// version up to its own).
    fn is_version_supported(&self, version: i32) -> bool {
        version <= self.version()
    }

    /// Parses one frame body (without its framing) into a message, or reports a skipped
    /// unknown message type. Error offsets are relative to `frame`.
    #[allow(clippy::type_complexity)]
    fn parse<'a>(&self, frame: &'a [u8]) -> Result<Parsed<HubMessage<'a, Self::Value<'a>, Self::Ownership>>, Error>;

    /// The exact number of bytes [`write`](HubProtocol::write) produces for `message`,
    /// framing included.
    fn encoded_len<V: Encode<Self>, Own: crate::ownership::Ownership>(
        &self,
        message: &HubMessage<'_, V, Own>,
    ) -> Result<usize, Error>;

    /// Writes `message`, framed, byte for byte as .NET writes it. Checks room first: when `out`
    /// cannot take the whole message, returns [`ErrorKind::BufferTooSmall`](crate::ErrorKind)
    /// with the size needed and writes nothing. Returns the bytes written.
    fn write<V: Encode<Self>, Own: crate::ownership::Ownership, O: Output + ?Sized>(
        &self,
        message: &HubMessage<'_, V, Own>,
        out: &mut O,
    ) -> Result<usize, Error>;
}

/// A payload value a protocol can write: a raw pre-encoded value (forwarding, or encoding once
/// for many receivers), or a serializable one wrapped by the protocol crate.
pub trait Encode<P: ?Sized> {
    /// Bytes [`encode`](Encode::encode) writes.
    fn encoded_len(&self, protocol: &P) -> Result<usize, Error>;
    /// Writes the value. Called only after the whole message's room was checked.
    fn encode<O: Output + ?Sized>(&self, protocol: &P, out: &mut O) -> Result<(), Error>;
}

impl<P: ?Sized, T: Encode<P> + ?Sized> Encode<P> for &T {
    fn encoded_len(&self, protocol: &P) -> Result<usize, Error> {
        (**self).encoded_len(protocol)
    }

    fn encode<O: Output + ?Sized>(&self, protocol: &P, out: &mut O) -> Result<(), Error> {
        (**self).encode(protocol, out)
    }
}

/// The payload type of messages that carry none — Ping, Close, Ack, Sequence, CancelInvocation,
/// and void or failed Completions — so that they can be written without naming a payload type.
/// It has no values: a message that needs a payload cannot be built with it.
///
/// ```
/// use signalr_codec_core::{HubMessage, HubProtocol};
/// # fn write<P: HubProtocol>(p: &P) {
/// let mut out = Vec::new();
/// p.write(&HubMessage::ping(), &mut out).unwrap();
/// p.write(&HubMessage::void_completion("7"), &mut out).unwrap();
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NoPayload {}

impl<P: ?Sized> Encode<P> for NoPayload {
    fn encoded_len(&self, _: &P) -> Result<usize, Error> {
        match *self {}
    }

    fn encode<O: Output + ?Sized>(&self, _: &P, _: &mut O) -> Result<(), Error> {
        match *self {}
    }
}

/// A payload written from any `T: Serialize`, by every protocol that implements
/// `SerdePayloads` (feature `serde`): JSON as .NET's `System.Text.Json` writes it, MessagePack
/// as .NET's default options do. One wrapper for every protocol, so code generic over the
/// protocol writes serde values with one bound, `P: SerdePayloads`.
///
/// ```
/// use signalr_codec_core::{HubMessage, Invocation, Serialized};
/// let call = HubMessage::Invocation(Invocation::new("Add", Serialized((1, 2))));
/// # let _ = call;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Serialized<T>(pub T);

/// A protocol that writes any `serde::Serialize` value as a payload (feature `serde`): JSON and
/// MessagePack do. With it, [`Serialized<T>`] is an [`Encode<P>`] payload for every
/// `T: Serialize`, so code generic over the protocol needs one bound, not one per payload type.
///
/// ```
/// use signalr_codec_core::{Error, HubMessage, HubProtocol, Invocation, SerdePayloads, Serialized};
///
/// /// A call with any serde arguments, in whichever protocol the connection speaks.
/// fn call<P: SerdePayloads>(protocol: &P, target: &str, args: impl serde::Serialize) -> Result<Vec<u8>, Error> {
///     let mut out = Vec::new();
///     protocol.write(&HubMessage::Invocation(Invocation::new(target, Serialized(args))), &mut out)?;
///     Ok(out)
/// }
/// # Ok::<(), Error>(())
/// ```
#[cfg(feature = "serde")]
pub trait SerdePayloads: HubProtocol {
    /// Bytes [`write_serialized`](SerdePayloads::write_serialized) writes for `value`.
    fn serialized_len<T: serde::Serialize + ?Sized>(&self, value: &T) -> Result<usize, Error>;

    /// Writes `value` as a payload. Called only after the whole message's room was checked
    /// with [`serialized_len`](SerdePayloads::serialized_len).
    fn write_serialized<T: serde::Serialize + ?Sized, O: Output + ?Sized>(
        &self,
        value: &T,
        out: &mut O,
    ) -> Result<(), Error>;
}

#[cfg(feature = "serde")]
impl<P: SerdePayloads, T: serde::Serialize> Encode<P> for Serialized<T> {
    fn encoded_len(&self, protocol: &P) -> Result<usize, Error> {
        protocol.serialized_len(&self.0)
    }

    fn encode<O: Output + ?Sized>(&self, protocol: &P, out: &mut O) -> Result<(), Error> {
        protocol.write_serialized(&self.0, out)
    }
}
