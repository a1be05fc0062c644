//! Framing: finding where each hub message starts and ends in a byte stream.
//!
//! The JSON protocol ends every record with the record separator 0x1E ([`RecordFramer`]); the
//! MessagePack protocol puts a VarInt length before every body ([`LengthPrefixFramer`]). Both are
//! incremental push parsers: hand them the unconsumed bytes; a cut-off frame is
//! [`Status::Partial`] (nothing consumed, append more bytes and call again), a whole one is
//! [`Status::Complete`] with the body's position and the bytes it consumed. The size limit is
//! checked before anything waits for, or reserves memory for, an oversized frame.
//!
//! ```
//! use signalr_codec_core::frame::{Framer, RecordFramer, Status};
//! use signalr_codec_core::Limits;
//!
//! let mut framer = RecordFramer::new(Limits::default());
//! let mut buf = b"{\"type\":6}".to_vec();
//! assert_eq!(framer.next_frame(&buf).unwrap(), Status::Partial);
//! buf.extend_from_slice(b"\x1e{\"ty");
//! let Status::Complete(frame) = framer.next_frame(&buf).unwrap() else { unreachable!() };
//! assert_eq!(&buf[frame.body.clone()], b"{\"type\":6}");
//! assert_eq!(frame.consumed, 11);
//! ```

mod length_prefix;
mod record;

pub use length_prefix::LengthPrefixFramer;
pub use record::{RecordFramer, RECORD_SEPARATOR};

/// The push parsers' outcome; it lives in [`crate::status`] so that [`crate::varint`], which
/// this module uses, does not import it back.
pub use crate::status::Status;

use core::ops::Range;

use crate::error::Error;
use crate::output::Output;

/// Where one frame lies in the input handed to [`Framer::next_frame`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frame {
    /// The message body (without the 0x1E or the length prefix).
    pub body: Range<usize>,
    /// Bytes the frame takes in the input, framing included: advance by this much.
    pub consumed: usize,
}

/// How a protocol delimits messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Framing {
    /// Each message is followed by 0x1E (JSON, and the handshake of every protocol).
    RecordSeparator,
    /// Each message is preceded by its length as a VarInt (MessagePack).
    LengthPrefixed,
}

impl Framing {
    /// Bytes of framing around a body of `body_len` bytes.
    pub const fn overhead(self, body_len: usize) -> usize {
        match self {
            Framing::RecordSeparator => 1,
            Framing::LengthPrefixed => {
                if body_len > crate::varint::MAX_VALUE as usize {
                    crate::varint::MAX_LEN
                } else {
                    crate::varint::encoded_len(body_len as u32)
                }
            }
        }
    }

    /// Writes `body` framed: the prefix or separator around it. Checks room first.
    ///
    /// ```
    /// use signalr_codec_core::frame::Framing;
    /// let mut out = Vec::new();
    /// Framing::LengthPrefixed.write_framed(&[0x91, 0x06], &mut out).unwrap();
    /// assert_eq!(out, [0x02, 0x91, 0x06]);
    /// ```
    pub fn write_framed<O: Output + ?Sized>(self, body: &[u8], out: &mut O) -> Result<usize, Error> {
        let total = body.len() + self.overhead(body.len());
        if out.remaining() < total {
            return Err(Error::buffer_too_small(total));
        }
        match self {
            Framing::RecordSeparator => {
                out.put(body);
                out.put(&[RECORD_SEPARATOR]);
            }
            Framing::LengthPrefixed => {
                let (prefix, n) = crate::varint::prefix_for(body.len())?;
                out.put(&prefix[..n]);
                out.put(body);
            }
        }
        Ok(total)
    }
}

/// An incremental framer.
///
/// The contract (as tokio-util's codecs): pass the bytes not yet consumed, starting at the first
/// unconsumed byte. After [`Status::Partial`], call again with the same bytes plus more; after a
/// frame, drop `consumed` bytes from the front before the next call. The framer remembers how far
/// it has already looked, so feeding a message one byte at a time costs linear time overall.
/// To hand it unrelated bytes instead (a new connection, an independent buffer), call
/// [`reset`](Framer::reset) first.
pub trait Framer {
    /// The framing this framer reads.
    fn framing(&self) -> Framing;

    /// Finds the first frame at the start of `buf`.
    fn next_frame(&mut self, buf: &[u8]) -> Result<Status<Frame>, Error>;

    /// [`next_frame`](Framer::next_frame) with the body as a slice of `buf`: the frame's body
    /// and the bytes it consumed. What a decoder parses.
    ///
    /// ```
    /// use signalr_codec_core::frame::{Framer, LengthPrefixFramer, Status};
    /// use signalr_codec_core::Limits;
    /// let mut framer = LengthPrefixFramer::new(Limits::default());
    /// assert_eq!(framer.next_body(&[0x02, 0x91, 0x06, 0x02]).unwrap(), Status::Complete((&[0x91, 0x06][..], 3)));
    /// ```
    #[inline]
    fn next_body<'b>(&mut self, buf: &'b [u8]) -> Result<Status<(&'b [u8], usize)>, Error> {
        Ok(match self.next_frame(buf)? {
            Status::Complete(frame) => Status::Complete((&buf[frame.body], frame.consumed)),
            Status::Partial => Status::Partial,
        })
    }

    /// Forgets how far it has scanned (call when the caller drops its buffered bytes).
    fn reset(&mut self);

    /// How many input bytes this framer has looked at in total. Each byte of a record is
    /// examined once however the input is split; a length prefix (at most 5 bytes) is read
    /// again on each call until its body is complete. A measure of work for tests and tools.
    fn bytes_examined(&self) -> u64;

    /// Splits the first frame off `buf` and returns its body without copying; `None` when
    /// `buf` holds no whole frame yet (nothing is consumed then).
    ///
    /// ```
    /// use bytes::BytesMut;
    /// use signalr_codec_core::frame::{Framer, LengthPrefixFramer};
    /// use signalr_codec_core::Limits;
    /// let mut framer = LengthPrefixFramer::new(Limits::default());
    /// let mut buf = BytesMut::from(&[0x02, 0x91, 0x06, 0x02][..]);
    /// let body = framer.split_frame(&mut buf).unwrap().unwrap();
    /// assert_eq!(&body[..], [0x91, 0x06]);
    /// assert_eq!(&buf[..], [0x02]);
    /// assert!(framer.split_frame(&mut buf).unwrap().is_none());
    /// ```
    #[cfg(feature = "bytes")]
    fn split_frame(&mut self, buf: &mut bytes::BytesMut) -> Result<Option<bytes::Bytes>, Error> {
        match self.next_frame(buf)? {
            Status::Complete(frame) => {
                let mut bytes = buf.split_to(frame.consumed);
                bytes.truncate(frame.body.end);
                let bytes = bytes.freeze().slice(frame.body.start..);
                Ok(Some(bytes))
            }
            Status::Partial => Ok(None),
        }
    }

    /// Iterates over the whole frames of `buf`, with no allocation.
    ///
    /// Each item is a frame body (or the error that stopped the iteration — every frame before
    /// it was delivered); afterwards [`Frames::consumed`] tells where the unconsumed rest starts.
    ///
    /// Follows the contract of [`next_frame`](Framer::next_frame): `buf` starts at the first
    /// unconsumed byte. After the iterator stops at a partial frame, drop
    /// [`consumed`](Frames::consumed) bytes, append what arrives and call `frames` again: the
    /// scan goes on where it stopped instead of starting over, so a buffer growing one byte at
    /// a time costs linear work. Call [`reset`](Framer::reset) first to iterate over unrelated
    /// bytes.
    ///
    /// ```
    /// use signalr_codec_core::frame::{Framer, RecordFramer};
    /// use signalr_codec_core::Limits;
    /// let mut framer = RecordFramer::new(Limits::default());
    /// let mut frames = framer.frames(b"ABC\x1eXYZ\x1e123");
    /// assert_eq!(frames.next().unwrap().unwrap(), b"ABC");
    /// assert_eq!(frames.next().unwrap().unwrap(), b"XYZ");
    /// assert!(frames.next().is_none());
    /// assert_eq!(frames.remaining(), b"123");
    /// ```
    fn frames<'f, 'b>(&'f mut self, buf: &'b [u8]) -> Frames<'f, 'b, Self>
    where
        Self: Sized,
    {
        Frames { framer: self, buf, pos: 0, failed: false }
    }
}

/// Iterator over the frames of a buffer; see [`Framer::frames`].
#[derive(Debug)]
pub struct Frames<'f, 'b, F> {
    framer: &'f mut F,
    buf: &'b [u8],
    pos: usize,
    failed: bool,
}

impl<'b, F> Frames<'_, 'b, F> {
    /// Bytes taken by the frames delivered so far.
    pub fn consumed(&self) -> usize {
        self.pos
    }

    /// The bytes after the last delivered frame (a partial frame, or where an error was found).
    pub fn remaining(&self) -> &'b [u8] {
        &self.buf[self.pos..]
    }
}

impl<'b, F: Framer> Iterator for Frames<'_, 'b, F> {
    type Item = Result<&'b [u8], Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let rest = &self.buf[self.pos..];
        match self.framer.next_frame(rest) {
            Ok(Status::Complete(frame)) => {
                let body = &rest[frame.body];
                self.pos += frame.consumed;
                Some(Ok(body))
            }
            Ok(Status::Partial) => None,
            Err(e) => {
                self.failed = true;
                Some(Err(e.shifted(self.pos)))
            }
        }
    }
}
