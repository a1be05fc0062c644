#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;

/// The negotiate response; it lives in the core (it needs neither serde nor this crate), and is
/// here too for convenience.
pub use signalr_codec_core::negotiate;
#[cfg(not(feature = "small"))]
mod bind;
mod number;
mod parse;
mod raw;
mod scan;
pub mod ser;
mod write;

pub use raw::{Elements, RawJson, RawJsonBuf};
pub use signalr_codec_core::{Bind, Serialized, BINDING_FAILED};

/// The core crate (message model, framing, limits, errors), for convenience.
pub use signalr_codec_core as codec_core;
/// The tokio-util codec (feature `tokio-util`), re-exported so that this crate alone suffices:
/// `FramedRead::new(io, HubCodec::new(protocol))`.
#[cfg(feature = "tokio-util")]
pub use signalr_codec_core::codec::{HubCodec, HubFrame};

use alloc::vec::Vec;

use signalr_codec_core::frame::{RecordFramer, Status};
use signalr_codec_core::handshake::HandshakeRequest;
use signalr_codec_core::ownership::Ownership;
use signalr_codec_core::{
    Encode, Error, HubDecoder, HubMessage, HubProtocol, Limits, Output, Parsed, SliceOutput, TransferFormat,
};

/// A parsed hub message: strings, headers and stream ids borrowed from the record, payloads raw.
pub type Message<'a> = HubMessage<'a, RawJson<'a>>;

/// The JSON hub protocol (`json`, version 2): records ended by 0x1E, read as .NET reads them,
/// written byte for byte as .NET writes them.
///
/// Parsing borrows from the record: strings without escapes, payloads (`arguments`, `item`,
/// `result`) as [`RawJson`], headers and stream ids as views. Nothing is allocated unless a
/// string has escapes. Writing takes raw payloads ([`RawJson`], [`RawJsonBuf`], serde_json's
/// `RawValue`) or any `serde::Serialize` value wrapped in [`Serialized`].
///
/// ```
/// use signalr_codec_core::{Completion, HubMessage, HubProtocol, Parsed};
/// use signalr_codec_json::{JsonHubProtocol, RawJson};
///
/// let protocol = JsonHubProtocol::new();
/// let Parsed::Message(HubMessage::Completion(done)) =
///     protocol.parse(br#"{"type":3,"invocationId":"7","result":{"ok":true}}"#)?
/// else {
///     panic!("not a completion")
/// };
/// assert_eq!(done.invocation_id, "7");
/// assert_eq!(done.outcome.result().map(RawJson::get), Some(r#"{"ok":true}"#));
///
/// // Forward it unchanged: the raw result is copied, not re-encoded.
/// let mut out = [0u8; 64];
/// let mut slice = signalr_codec_core::SliceOutput::new(&mut out);
/// let n = protocol.write(&HubMessage::Completion(done), &mut slice)?;
/// assert_eq!(&out[..n], b"{\"type\":3,\"invocationId\":\"7\",\"result\":{\"ok\":true}}\x1e");
/// # Ok::<(), signalr_codec_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JsonHubProtocol {
    limits: Limits,
}

impl JsonHubProtocol {
    /// The protocol name sent in the handshake.
    pub const NAME: &'static str = "json";
    /// The protocol version (2: with Ack and Sequence).
    pub const VERSION: i32 = 2;

    /// The protocol with the default [`Limits`] (32 KiB messages, depth 64, …).
    pub const fn new() -> Self {
        JsonHubProtocol { limits: Limits::DEFAULT }
    }

    /// The protocol enforcing `limits`.
    pub const fn with_limits(limits: Limits) -> Self {
        JsonHubProtocol { limits }
    }

    /// The handshake request a client sends for this protocol: `{"protocol":"json","version":2}`.
    pub fn handshake_request(&self) -> HandshakeRequest<'static> {
        HandshakeRequest::new(Self::NAME, Self::VERSION)
    }

    /// A decoder (framing + parsing) for a byte stream.
    pub fn decoder(self) -> HubDecoder<Self> {
        HubDecoder::new(self)
    }

    /// Frames and parses the first message of `buf`: the message and the bytes it took, or
    /// [`Status::Partial`] until its 0x1E has arrived. Error offsets are relative to `buf`.
    ///
    /// ```
    /// use signalr_codec_core::{frame::Status, HubMessage, Parsed};
    /// use signalr_codec_json::JsonHubProtocol;
    /// let protocol = JsonHubProtocol::new();
    /// let Status::Complete((msg, used)) = protocol.decode(b"{\"type\":6}\x1e{")? else { unreachable!() };
    /// assert_eq!((msg, used), (Parsed::Message(HubMessage::Ping), 11));
    /// assert!(protocol.decode(b"{\"type\":6}")?.is_partial());
    /// # Ok::<(), signalr_codec_core::Error>(())
    /// ```
    pub fn decode<'a>(&self, buf: &'a [u8]) -> Result<Status<(Parsed<Message<'a>>, usize)>, Error> {
        HubDecoder::new(*self).decode(buf)
    }

    /// Writes `message` framed into a caller's buffer; returns the bytes written. Too small:
    /// [`ErrorKind::BufferTooSmall`](signalr_codec_core::ErrorKind) with [`Error::needed`],
    /// nothing written.
    pub fn write_to_slice<V: Encode<Self>>(
        &self,
        message: &HubMessage<'_, V, impl Ownership>,
        buf: &mut [u8],
    ) -> Result<usize, Error> {
        write::write(self, message, &mut SliceOutput::new(buf))
    }

    /// Writes `message` at the end of `out` in one pass (serializable payloads are serialized
    /// once, straight into the vector). On error, `out` is left as it was. Returns the bytes
    /// written.
    ///
    /// ```
    /// use signalr_codec_core::{HubMessage, StreamItem};
    /// use signalr_codec_json::{JsonHubProtocol, Serialized};
    /// let mut out = Vec::with_capacity(256);
    /// let item = HubMessage::StreamItem(StreamItem::new("1", Serialized([1.5, 2.0])));
    /// JsonHubProtocol::new().write_to_vec(&item, &mut out)?;
    /// assert_eq!(out, b"{\"type\":2,\"invocationId\":\"1\",\"item\":[1.5,2]}\x1e");
    /// # Ok::<(), signalr_codec_core::Error>(())
    /// ```
    pub fn write_to_vec<V: Encode<Self>>(
        &self,
        message: &HubMessage<'_, V, impl Ownership>,
        out: &mut Vec<u8>,
    ) -> Result<usize, Error> {
        write::write(self, message, out)
    }

    /// `message` as a new vector of bytes (framed).
    ///
    /// ```
    /// use signalr_codec_core::HubMessage;
    /// use signalr_codec_json::{JsonHubProtocol, RawJson};
    /// assert_eq!(JsonHubProtocol::new().to_vec(&HubMessage::<RawJson>::Ping)?, b"{\"type\":6}\x1e");
    /// # Ok::<(), signalr_codec_core::Error>(())
    /// ```
    pub fn to_vec<V: Encode<Self>>(&self, message: &HubMessage<'_, V, impl Ownership>) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.write_to_vec(message, &mut out)?;
        Ok(out)
    }
}

/// Owned payloads are [`RawJsonBuf`]s: `message.into_owned_for::<JsonHubProtocol>()`.
impl signalr_codec_core::OwnedPayloads for JsonHubProtocol {
    type OwnedPayload = RawJsonBuf;

    fn to_owned_payload(value: &RawJson<'_>) -> RawJsonBuf {
        value.to_owned_json()
    }
}

impl HubProtocol for JsonHubProtocol {
    type Value<'a> = RawJson<'a>;
    type Framer = RecordFramer;
    /// Escaped strings are decoded onto the heap: JSON messages may own.
    type Ownership = signalr_codec_core::ownership::Owning;

    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn version(&self) -> i32 {
        Self::VERSION
    }

    fn transfer_format(&self) -> TransferFormat {
        TransferFormat::Text
    }

    fn limits(&self) -> &Limits {
        &self.limits
    }

    fn framer(&self) -> RecordFramer {
        RecordFramer::new(self.limits)
    }

    /// Parses one record (without its 0x1E) as .NET's `JsonHubProtocol` does; see the crate
    /// docs for the rules and error texts.
    fn parse<'a>(&self, frame: &'a [u8]) -> Result<Parsed<HubMessage<'a, RawJson<'a>>>, Error> {
        parse::parse(frame, &self.limits)
    }

    fn encoded_len<V: Encode<Self>, Own: Ownership>(&self, message: &HubMessage<'_, V, Own>) -> Result<usize, Error> {
        write::encoded_len(self, message)
    }

    fn write<V: Encode<Self>, Own: Ownership, O: Output + ?Sized>(
        &self,
        message: &HubMessage<'_, V, Own>,
        out: &mut O,
    ) -> Result<usize, Error> {
        write::write(self, message, out)
    }
}

/// Not API: what the fuzzing crate (`fuzzing/` in the repository, never published) needs
/// beyond the public surface. Hidden from the docs; it may change or go in any release.
#[doc(hidden)]
pub mod __private {
    use signalr_codec_core::{Error, Limits, Parsed};

    use crate::Message;

    /// The general parser alone, for a record of any shape: the oracle the fuzzing crate checks
    /// the common-shape reader behind `JsonHubProtocol::parse` against.
    pub fn parse_general<'a>(record: &'a [u8], limits: &Limits) -> Result<Parsed<Message<'a>>, Error> {
        crate::parse::parse_general(record, limits)
    }
}
