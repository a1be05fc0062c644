//! The JSON record framer: each record ends with 0x1E.

use crate::error::Error;
use crate::frame::{Frame, Framer, Framing, Status};
use crate::limits::Limits;

/// The ASCII record separator that ends every JSON record (and every handshake message).
pub const RECORD_SEPARATOR: u8 = 0x1E;

/// Finds records ended by 0x1E, as .NET's `TextMessageParser` does, under a size limit.
///
/// An empty record (`0x1E` alone) is a frame with an empty body: the protocol layer rejects it.
/// With a size limit of N, a record is accepted when its body plus the separator fit in N bytes;
/// once more than N bytes are buffered with no separator among the first N, the limit error is
/// returned at once, without waiting for the rest.
#[derive(Debug, Clone)]
pub struct RecordFramer {
    max_message_size: Option<usize>,
    scanned: usize,
    examined: u64,
}

impl RecordFramer {
    /// A framer enforcing `limits.max_message_size`.
    pub const fn new(limits: Limits) -> Self {
        RecordFramer { max_message_size: limits.max_message_size, scanned: 0, examined: 0 }
    }
}

impl Default for RecordFramer {
    fn default() -> Self {
        RecordFramer::new(Limits::default())
    }
}

impl Framer for RecordFramer {
    fn framing(&self) -> Framing {
        Framing::RecordSeparator
    }

    #[inline]
    fn next_frame(&mut self, buf: &[u8]) -> Result<Status<Frame>, Error> {
        // The separator must lie within the first `limit` bytes (body + separator <= limit).
        let window_end = match self.max_message_size {
            Some(limit) => buf.len().min(limit),
            None => buf.len(),
        };
        let start = self.scanned.min(window_end);
        let window = &buf[start..window_end];
        match find_separator(window) {
            Some(i) => {
                // Up to the separator: bytes after it belong to the next call's count.
                self.examined += i as u64 + 1;
                let end = start + i;
                self.scanned = 0;
                Ok(Status::Complete(Frame { body: 0..end, consumed: end + 1 }))
            }
            None => {
                self.examined += window.len() as u64;
                self.scanned = window_end;
                match self.max_message_size {
                    Some(limit) if buf.len() > limit => {
                        self.scanned = 0;
                        Err(Error::max_message_size(limit).at(limit))
                    }
                    _ => Ok(Status::Partial),
                }
            }
        }
    }

    fn reset(&mut self) {
        self.scanned = 0;
    }

    fn bytes_examined(&self) -> u64 {
        self.examined
    }
}

/// The first separator in `window`. memchr's vectorised search pays a fixed cost per call that
/// outweighs the scan on short input (a ping record is 11 bytes): there, a plain loop.
#[inline(always)]
fn find_separator(window: &[u8]) -> Option<usize> {
    // With `small`, the byte loop alone (memchr's search is code a device does not need for a
    // handshake of a few dozen bytes).
    if cfg!(feature = "small") || window.len() <= 16 {
        window.iter().position(|&b| b == RECORD_SEPARATOR)
    } else {
        memchr::memchr(RECORD_SEPARATOR, window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn limited(n: usize) -> RecordFramer {
        RecordFramer::new(Limits::default().with_max_message_size(Some(n)))
    }

    #[test]
    fn splits_records_and_keeps_the_rest() {
        let mut f = RecordFramer::default();
        let bodies: Result<Vec<_>, _> = f.frames(b"ABC\x1eXYZ\x1e123").collect();
        assert_eq!(bodies.unwrap(), [&b"ABC"[..], b"XYZ"]);
    }

    #[test]
    fn empty_records_are_empty_frames() {
        let mut f = RecordFramer::default();
        let mut frames = f.frames(b"\x1e\x1e");
        assert_eq!(frames.next().unwrap().unwrap(), b"");
        assert_eq!(frames.next().unwrap().unwrap(), b"");
        assert!(frames.next().is_none());
        assert_eq!(frames.consumed(), 2);
    }

    #[test]
    fn no_separator_is_partial() {
        let mut f = RecordFramer::default();
        assert_eq!(f.next_frame(b"{\"type\":6}").unwrap(), Status::Partial);
        assert_eq!(f.next_frame(b"").unwrap(), Status::Partial);
    }

    #[test]
    fn limit_counts_the_separator() {
        // 3-byte body + separator = 4 bytes: fits a limit of 4, not of 3.
        assert!(matches!(limited(4).next_frame(b"abc\x1e").unwrap(), Status::Complete(_)));
        let e = limited(3).next_frame(b"abc\x1e").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit);
        assert_eq!(e.limit(), Some(3));
        assert_eq!(e.offset(), Some(3));
    }

    #[test]
    fn limit_fails_as_soon_as_it_is_passed() {
        let mut f = limited(4);
        assert_eq!(f.next_frame(b"abcd").unwrap(), Status::Partial);
        assert!(f.next_frame(b"abcde").is_err());
    }

    #[test]
    fn a_buffer_larger_than_the_limit_holding_small_records_is_fine() {
        let mut f = limited(4);
        let bodies: Result<Vec<_>, _> = f.frames(b"ab\x1ecd\x1eef\x1e").collect();
        assert_eq!(bodies.unwrap().len(), 3);
    }

    #[test]
    fn a_shorter_buffer_than_scanned_does_not_panic() {
        let mut f = RecordFramer::default();
        assert_eq!(f.next_frame(b"abcdef").unwrap(), Status::Partial);
        assert_eq!(f.next_frame(b"ab").unwrap(), Status::Partial);
    }
}
