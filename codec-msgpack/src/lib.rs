#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Without an allocator the core `Error` holds its text inline (about 136 bytes): large by
// design, so that formatted .NET texts need no heap.
#![cfg_attr(not(feature = "alloc"), allow(clippy::result_large_err))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(all(feature = "std", not(test)))]
extern crate std;

#[cfg(feature = "serde")]
pub mod de;
mod duplicates;
mod parse;
mod read;
#[cfg(feature = "serde")]
pub mod ser;
#[cfg(feature = "serde")]
mod serde_support;
mod timestamp;
mod value;
mod write;

use signalr_codec_core::frame::{LengthPrefixFramer, Status};
use signalr_codec_core::handshake::HandshakeRequest;
use signalr_codec_core::ownership::Ownership;
use signalr_codec_core::{
    Encode, Error, ErrorKind, HubDecoder, HubMessage, HubProtocol, Limits, Output, Parsed, SliceOutput, TransferFormat,
};

#[cfg(feature = "serde")]
pub use serde_support::FromArguments;
#[cfg(feature = "serde")]
pub use signalr_codec_core::Bind;
pub use signalr_codec_core::Serialized;
pub use timestamp::{Timestamp, NANOS_PER_SECOND};
#[cfg(feature = "alloc")]
pub use value::RawValueBuf;
pub use value::{Arguments, ArrayIter, MapIter, RawValue, Value, ValueWriter, ARGUMENTS_NOT_AN_ARRAY, BINDING_FAILED};

/// The `rmp` crate, for reading and writing MessagePack by hand (feature `std`; the crate itself
/// reads and writes its markers without it, so that a firmware links without an allocator).
#[cfg(feature = "std")]
pub use rmp;
/// The core crate: message model, framing, limits, handshake, errors.
pub use signalr_codec_core as codec_core;
/// The tokio-util codec (feature `tokio-util`), re-exported so that this crate alone suffices:
/// `FramedRead::new(io, HubCodec::new(protocol))`.
#[cfg(feature = "tokio-util")]
pub use signalr_codec_core::codec::{HubCodec, HubFrame};

/// A parsed hub message: strings, headers and stream ids borrowed from the frame, payloads raw.
pub type Message<'a> = HubMessage<'a, RawValue<'a>, signalr_codec_core::ownership::Borrowing>;

/// The MessagePack hub protocol (`messagepack`, version 2, binary, VarInt length prefixes).
///
/// Parses as .NET's `MessagePackHubProtocolWorker` does and writes byte for byte what it writes;
/// see the [crate documentation](crate) for the rules. Everything works without an allocator.
///
/// ```
/// use signalr_codec_core::{HubMessage, HubProtocol, Parsed};
/// use signalr_codec_msgpack::{Message, MessagePackHubProtocol};
///
/// let protocol = MessagePackHubProtocol::new();
/// assert_eq!((protocol.name(), protocol.version()), ("messagepack", 2));
/// // Sequence 146, as .NET writes it: prefix, then [9, 146].
/// let mut buf = [0u8; 8];
/// let sequence: Message = HubMessage::Sequence { sequence_id: 146 };
/// let n = protocol.write_to_slice(&sequence, &mut buf)?;
/// assert_eq!(&buf[..n], [0x04, 0x92, 0x09, 0xcc, 0x92]);
/// assert_eq!(protocol.parse(&buf[1..n])?, Parsed::Message(HubMessage::Sequence { sequence_id: 146 }));
/// # Ok::<(), signalr_codec_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MessagePackHubProtocol {
    limits: Limits,
}

impl MessagePackHubProtocol {
    /// The protocol name sent in the handshake.
    pub const NAME: &'static str = "messagepack";
    /// The protocol version (2: with Ack and Sequence for stateful reconnect).
    pub const VERSION: i32 = 2;

    /// The protocol with the default [`Limits`] (32 KiB messages, .NET's server default).
    pub const fn new() -> Self {
        MessagePackHubProtocol { limits: Limits::DEFAULT }
    }

    /// The protocol enforcing `limits`.
    pub const fn with_limits(limits: Limits) -> Self {
        MessagePackHubProtocol { limits }
    }

    /// The handshake request a client sends for this protocol: `{"protocol":"messagepack","version":2}`.
    pub fn handshake_request(&self) -> HandshakeRequest<'static> {
        HandshakeRequest::new(Self::NAME, Self::VERSION)
    }

    /// A decoder (framing + parsing) for a byte stream.
    pub fn decoder(self) -> HubDecoder<Self> {
        HubDecoder::new(self)
    }

    /// Frames and parses the first message of `buf` (which starts with its VarInt prefix):
    /// the message and the bytes it took, or [`Status::Partial`] until a whole frame is there.
    /// Error offsets are relative to `buf`.
    ///
    /// ```
    /// use signalr_codec_core::{frame::Status, HubMessage, Parsed};
    /// use signalr_codec_msgpack::MessagePackHubProtocol;
    /// let protocol = MessagePackHubProtocol::new();
    /// let Status::Complete((msg, used)) = protocol.decode(&[0x02, 0x91, 0x06, 0x02])? else { unreachable!() };
    /// assert_eq!((msg, used), (Parsed::Message(HubMessage::Ping), 3));
    /// assert!(protocol.decode(&[0x02, 0x91])?.is_partial());
    /// # Ok::<(), signalr_codec_core::Error>(())
    /// ```
    pub fn decode<'a>(&self, buf: &'a [u8]) -> Result<Status<(Parsed<Message<'a>>, usize)>, Error> {
        HubDecoder::new(*self).decode(buf)
    }

    /// Writes `message` framed into a caller's buffer; returns the bytes written. Too small:
    /// [`ErrorKind::BufferTooSmall`] with [`Error::needed`], nothing written.
    pub fn write_to_slice<V: Encode<Self>>(
        &self,
        message: &HubMessage<'_, V, impl Ownership>,
        buf: &mut [u8],
    ) -> Result<usize, Error> {
        write::write(self, message, &mut SliceOutput::new(buf))
    }

    /// The message body alone, without the length prefix (as the .NET tests' baselines show
    /// it); returns its length. Checks room first, like [`HubProtocol::write`].
    pub fn write_body<V: Encode<Self>, O: Output + ?Sized>(
        &self,
        message: &HubMessage<'_, V, impl Ownership>,
        out: &mut O,
    ) -> Result<usize, Error> {
        write::write_body(self, message, out)
    }

    /// Writes `message` at the end of `out`; on error `out` is left as it was. Returns the bytes
    /// written.
    #[cfg(feature = "alloc")]
    pub fn write_to_vec<V: Encode<Self>>(
        &self,
        message: &HubMessage<'_, V, impl Ownership>,
        out: &mut alloc::vec::Vec<u8>,
    ) -> Result<usize, Error> {
        // A `Vec` grows: the message goes in one pass, taken back on error.
        write::write(self, message, out)
    }

    /// The framed message as a new vector.
    #[cfg(feature = "alloc")]
    pub fn to_vec<V: Encode<Self>>(
        &self,
        message: &HubMessage<'_, V, impl Ownership>,
    ) -> Result<alloc::vec::Vec<u8>, Error> {
        let mut out = alloc::vec::Vec::with_capacity(write::framed_len(self, message)?);
        write::write(self, message, &mut out)?;
        Ok(out)
    }
}

/// Owned payloads are [`RawValueBuf`]s: `message.into_owned_for::<MessagePackHubProtocol>()`.
#[cfg(feature = "alloc")]
impl signalr_codec_core::OwnedPayloads for MessagePackHubProtocol {
    type OwnedPayload = RawValueBuf;

    fn to_owned_payload(value: &RawValue<'_>) -> RawValueBuf {
        RawValueBuf::from(*value)
    }
}

impl HubProtocol for MessagePackHubProtocol {
    type Value<'a> = RawValue<'a>;
    type Framer = LengthPrefixFramer;
    /// MessagePack strings are never escaped: a parsed message only borrows, and dropping one
    /// costs nothing.
    type Ownership = signalr_codec_core::ownership::Borrowing;

    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn version(&self) -> i32 {
        Self::VERSION
    }

    fn transfer_format(&self) -> TransferFormat {
        TransferFormat::Binary
    }

    fn limits(&self) -> &Limits {
        &self.limits
    }

    fn framer(&self) -> LengthPrefixFramer {
        LengthPrefixFramer::new(self.limits)
    }

    #[inline]
    fn parse<'a>(&self, frame: &'a [u8]) -> Result<Parsed<Message<'a>>, Error> {
        parse::parse(frame, &self.limits)
    }

    fn encoded_len<V: Encode<Self>, Own: Ownership>(&self, message: &HubMessage<'_, V, Own>) -> Result<usize, Error> {
        write::framed_len(self, message)
    }

    fn write<V: Encode<Self>, Own: Ownership, O: Output + ?Sized>(
        &self,
        message: &HubMessage<'_, V, Own>,
        out: &mut O,
    ) -> Result<usize, Error> {
        write::write(self, message, out)
    }
}

/// Owned raw values are written as they are.
#[cfg(feature = "alloc")]
impl Encode<MessagePackHubProtocol> for RawValueBuf {
    fn encoded_len(&self, p: &MessagePackHubProtocol) -> Result<usize, Error> {
        self.as_raw().encoded_len(p)
    }

    fn encode<O: Output + ?Sized>(&self, p: &MessagePackHubProtocol, out: &mut O) -> Result<(), Error> {
        self.as_raw().encode(p, out)
    }
}

/// Raw values are written as they are (forwarding, or "encode once, send to many").
impl Encode<MessagePackHubProtocol> for RawValue<'_> {
    fn encoded_len(&self, _: &MessagePackHubProtocol) -> Result<usize, Error> {
        if self.is_missing() {
            return Err(missing_payload());
        }
        Ok(self.as_bytes().len())
    }

    fn encode<O: Output + ?Sized>(&self, _: &MessagePackHubProtocol, out: &mut O) -> Result<(), Error> {
        // Checked here too: an output that grows is written in one pass, without measuring.
        if self.is_missing() {
            return Err(missing_payload());
        }
        out.put(self.as_bytes());
        Ok(())
    }
}

/// A payload that was missing from a parsed message (no bytes at all) would write a message
/// that does not read back.
#[cold]
fn missing_payload() -> Error {
    Error::new(ErrorKind::Invalid, "A missing payload value cannot be written.")
}

/// Not API: what the fuzzing crate (`fuzzing/` in the repository, never published) needs
/// beyond the public surface. Hidden from the docs; it may change or go in any release.
#[doc(hidden)]
pub mod __private {
    use signalr_codec_core::{Error, Limits, Parsed};

    use crate::Message;

    /// The general parser alone, for a frame body of any shape: the oracle the fuzzing crate
    /// checks the fast path behind `MessagePackHubProtocol::parse` against.
    pub fn parse_general<'a>(body: &'a [u8], limits: &Limits) -> Result<Parsed<Message<'a>>, Error> {
        crate::parse::parse_general(body, limits)
    }
}
