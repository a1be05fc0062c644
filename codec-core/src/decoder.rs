//! [`HubDecoder`]: framing and parsing together — bytes in, messages out, for any [`HubProtocol`].

use crate::error::Error;
use crate::frame::{Framer, Status};
use crate::message::{HubMessage, Parsed};
use crate::protocol::HubProtocol;

/// One parsed frame: the message (or skipped type) it held.
pub type Decoded<'a, P> = Parsed<HubMessage<'a, <P as HubProtocol>::Value<'a>, <P as HubProtocol>::Ownership>>;

/// Frames and parses a byte stream with one protocol.
///
/// Push the unconsumed bytes to [`decode`](HubDecoder::decode): it returns the next message and
/// how many bytes it took, or [`Status::Partial`] (nothing consumed) until a whole frame is
/// there. For a buffer holding many messages, [`messages`](HubDecoder::messages) iterates without
/// allocating. Errors carry offsets into the bytes passed in.
///
/// **The caller's contract** (the [`Framer`]'s, as tokio-util's codecs): every call gets the
/// bytes not yet consumed, from the first unconsumed byte on — after a message, drop the bytes
/// it took; after [`Status::Partial`] (or an iterator that stopped at a partial frame), pass
/// the same bytes again with more appended. The decoder remembers how far it has looked, so a
/// stream fed in any chunking, one byte at a time included, costs work linear in its length
/// ([`bytes_examined`](HubDecoder::bytes_examined) measures it). To decode unrelated bytes
/// instead (a new connection, an independent buffer), call [`reset`](HubDecoder::reset) first.
///
/// Named like [`HubProtocol`] and [`HubMessage`], and not `Decoder`, so that it can be imported
/// next to `tokio_util::codec::Decoder` (which `codec::HubCodec` implements
/// for a `FramedRead`, feature `tokio-util`).
#[derive(Debug, Clone)]
pub struct HubDecoder<P: HubProtocol> {
    protocol: P,
    framer: P::Framer,
    parsed: u64,
}

impl<P: HubProtocol> HubDecoder<P> {
    /// A decoder for `protocol`, enforcing its limits.
    #[inline]
    pub fn new(protocol: P) -> Self {
        let framer = protocol.framer();
        HubDecoder { protocol, framer, parsed: 0 }
    }

    /// Forgets how far the framer has looked: the next call starts on unrelated bytes.
    pub fn reset(&mut self) {
        self.framer.reset();
    }

    /// The work done so far, in bytes: those the framer examined plus the frame bodies parsed.
    /// Linear in the stream's length whatever its chunking, when the caller keeps the contract.
    pub fn bytes_examined(&self) -> u64 {
        self.framer.bytes_examined() + self.parsed
    }

    /// The protocol.
    pub fn protocol(&self) -> &P {
        &self.protocol
    }

    /// Decodes the first message in `buf`: the parsed frame and the bytes it took.
    #[inline]
    pub fn decode<'b>(&mut self, buf: &'b [u8]) -> Result<Status<(Decoded<'b, P>, usize)>, Error> {
        let Status::Complete((body, consumed)) = self.framer.next_body(buf)? else {
            return Ok(Status::Partial);
        };
        self.parsed += body.len() as u64;
        // Where the body starts in `buf` (a slice of it).
        let parsed =
            self.protocol.parse(body).map_err(|e| e.shifted(body.as_ptr() as usize - buf.as_ptr() as usize))?;
        Ok(Status::Complete((parsed, consumed)))
    }

    /// Iterates over the messages of `buf`. Stops at the first error (after delivering every
    /// message before it) or at a partial frame; [`Messages::consumed`] then says how far it got.
    ///
    /// Keeps the decoder's contract: after it stops at a partial frame, drop
    /// [`consumed`](Messages::consumed) bytes, append what arrives and call `messages` again —
    /// the scan resumes where it stopped. (Calling it again on the same start instead, as
    /// before, rescanned the partial frame from its first byte on every call: quadratic for a
    /// frame arriving in small pieces.) Call [`reset`](HubDecoder::reset) before iterating over
    /// unrelated bytes.
    #[inline]
    pub fn messages<'d, 'b>(&'d mut self, buf: &'b [u8]) -> Messages<'d, 'b, P> {
        Messages { decoder: self, buf, pos: 0, failed: false }
    }

    /// Splits the next frame off `buf` without copying (parse it with
    /// [`HubProtocol::parse`]); `None` until a whole frame has arrived.
    #[cfg(feature = "bytes")]
    pub fn split_frame(&mut self, buf: &mut bytes::BytesMut) -> Result<Option<bytes::Bytes>, Error> {
        self.framer.split_frame(buf)
    }
}

/// Iterator over the messages of a buffer; see [`HubDecoder::messages`].
#[derive(Debug)]
pub struct Messages<'d, 'b, P: HubProtocol> {
    decoder: &'d mut HubDecoder<P>,
    buf: &'b [u8],
    pos: usize,
    failed: bool,
}

impl<'b, P: HubProtocol> Messages<'_, 'b, P> {
    /// Bytes taken by the messages delivered so far.
    pub fn consumed(&self) -> usize {
        self.pos
    }

    /// The bytes not consumed: a partial frame, or the frame where an error was found.
    pub fn remaining(&self) -> &'b [u8] {
        &self.buf[self.pos..]
    }
}

impl<'b, P: HubProtocol> Iterator for Messages<'_, 'b, P> {
    type Item = Result<Decoded<'b, P>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let buf: &'b [u8] = self.buf;
        let at = self.pos;
        let rest = &buf[at..];
        let (body, consumed) = match self.decoder.framer.next_body(rest) {
            Ok(Status::Complete(frame)) => frame,
            Ok(Status::Partial) => return None,
            Err(e) => {
                self.failed = true;
                return Some(Err(e.shifted(at)));
            }
        };
        self.decoder.parsed += body.len() as u64;
        // `parse` writes the item where the caller will find it, and it is only patched in
        // place afterwards: unwrapping and rewrapping it (`map_err`, `match`) would copy a
        // ~150-byte message per call, which costs more than framing it.
        let mut item = Some(self.decoder.protocol.parse(body));
        if let Some(Err(e)) = &mut item {
            // Where the body starts in `buf` (a slice of it).
            e.shift(body.as_ptr() as usize - buf.as_ptr() as usize);
            self.failed = true;
        } else {
            self.pos = at + consumed;
        }
        item
    }
}
