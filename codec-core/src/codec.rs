//! [`HubCodec`]: a tokio-util `Decoder` and `Encoder` for any [`HubProtocol`] (feature
//! `tokio-util`), for `FramedRead`, `FramedWrite` and `Framed` pipelines.
//!
//! The decoder hands out [`HubFrame`]s: the frame's body as a `Bytes` split off the read buffer
//! without copying, parsed on demand with [`HubFrame::parse`] (which borrows strings and
//! payloads from it). The alternative — an owned message per frame — copies every string and
//! payload and allocates for each. Measured on the canonical `batch_1000_small`
//! (`benches/examples/codec_items.rs` under callgrind), instructions per message to decode and
//! look at it: JSON 1,574 as a frame against 2,357 owned, MessagePack 579 against 1,370.
//!
//! A `FramedRead` pipeline for each protocol is in the protocol crates' READMEs ("With tokio"),
//! which re-export [`HubCodec`] and [`HubFrame`] under their own `tokio-util` feature.

use bytes::{Bytes, BytesMut};

use crate::error::Error;
use crate::frame::Framer;
use crate::message::HubMessage;
use crate::protocol::{Encode, HubProtocol};

/// One frame read by [`HubCodec`]: its body, still raw, and the protocol to parse it with.
#[derive(Debug, Clone)]
pub struct HubFrame<P> {
    body: Bytes,
    protocol: P,
}

impl<P: HubProtocol> HubFrame<P> {
    /// The frame's body (without its framing).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Parses the frame; strings and payloads borrow from it.
    pub fn parse(&self) -> Result<crate::Decoded<'_, P>, Error> {
        self.protocol.parse(&self.body)
    }
}

/// A tokio-util codec for one hub protocol: frames in (with the protocol's limits enforced
/// before any memory is reserved), framed messages out.
///
/// Errors are [`std::io::Error`]s (tokio-util requires it) whose inner error is the codec's
/// [`Error`]: `err.get_ref().and_then(|e| e.downcast_ref::<signalr_codec_core::Error>())` gives
/// the kind, the offset and the .NET text back.
#[derive(Debug, Clone)]
pub struct HubCodec<P: HubProtocol> {
    protocol: P,
    framer: P::Framer,
}

impl<P: HubProtocol + Clone> HubCodec<P> {
    /// A codec for `protocol`.
    pub fn new(protocol: P) -> Self {
        let framer = protocol.framer();
        HubCodec { protocol, framer }
    }

    /// The protocol.
    pub fn protocol(&self) -> &P {
        &self.protocol
    }
}

impl<P: HubProtocol + Clone> tokio_util::codec::Decoder for HubCodec<P> {
    type Item = HubFrame<P>;
    type Error = std::io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<HubFrame<P>>, std::io::Error> {
        // `split_frame` keeps the framer's scan position across calls, so a frame arriving in
        // small pieces is scanned once, not once per piece.
        let body = self.framer.split_frame(src)?;
        Ok(body.map(|body| HubFrame { body, protocol: self.protocol.clone() }))
    }
}

impl<P: HubProtocol + Clone, V: Encode<P>, Own: crate::ownership::Ownership>
    tokio_util::codec::Encoder<HubMessage<'_, V, Own>> for HubCodec<P>
{
    type Error = std::io::Error;

    fn encode(&mut self, message: HubMessage<'_, V, Own>, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        let len = self.protocol.encoded_len(&message)?;
        dst.reserve(len);
        self.protocol.write(&message, dst)?;
        Ok(())
    }
}
