//! The MessagePack length-prefix framer: each body is preceded by its length as a VarInt.

use crate::error::Error;
use crate::frame::{Frame, Framer, Framing, Status};
use crate::limits::Limits;
use crate::varint;

/// Finds VarInt-prefixed bodies, as .NET's `BinaryMessageParser` does, under a size limit.
///
/// The limit counts the prefix and the body. A prefix announcing more than the limit fails at
/// once, before any of its body has arrived; a prefix over 2 GB fails with .NET's text. A
/// zero-length body is a frame (the protocol layer rejects it).
#[derive(Debug, Clone)]
pub struct LengthPrefixFramer {
    max_message_size: Option<usize>,
    examined: u64,
}

impl LengthPrefixFramer {
    /// A framer enforcing `limits.max_message_size`.
    pub const fn new(limits: Limits) -> Self {
        LengthPrefixFramer { max_message_size: limits.max_message_size, examined: 0 }
    }
}

impl Default for LengthPrefixFramer {
    fn default() -> Self {
        LengthPrefixFramer::new(Limits::default())
    }
}

impl Framer for LengthPrefixFramer {
    fn framing(&self) -> Framing {
        Framing::LengthPrefixed
    }

    #[inline]
    fn next_frame(&mut self, buf: &[u8]) -> Result<Status<Frame>, Error> {
        Ok(match self.next_body(buf)? {
            Status::Complete((body, consumed)) => {
                Status::Complete(Frame { body: consumed - body.len()..consumed, consumed })
            }
            Status::Partial => Status::Partial,
        })
    }

    #[inline]
    fn next_body<'b>(&mut self, buf: &'b [u8]) -> Result<Status<(&'b [u8], usize)>, Error> {
        // Bodies under 128 bytes (most hub messages) have a one-byte prefix: no VarInt loop.
        let Some(&first) = buf.first() else {
            return Ok(Status::Partial);
        };
        if let len @ 0x00..=0x7f = first {
            self.examined += 1;
            let total = 1 + usize::from(len);
            return match self.max_message_size {
                // The limit counts the prefix: a limit of zero refuses even this byte.
                Some(limit) if total > limit => Err(Error::max_message_size(limit).at(0)),
                _ => Ok(match buf.get(1..total) {
                    Some(body) => Status::Complete((body, total)),
                    None => Status::Partial,
                }),
            };
        }
        // Like the .NET server, read the prefix from the first `limit` bytes only: whether a
        // stream fails on its size or on a malformed prefix must not depend on how it was split.
        let window = match self.max_message_size {
            Some(limit) => &buf[..buf.len().min(limit)],
            None => buf,
        };
        // The prefix is at most 5 bytes: what `decode` may read.
        self.examined += window.len().min(varint::MAX_LEN) as u64;
        let (len, prefix) = match varint::decode(window)? {
            Status::Complete(v) => v,
            Status::Partial => {
                return match self.max_message_size {
                    // Only reachable with a limit below 5 bytes.
                    Some(limit) if buf.len() > limit => Err(Error::max_message_size(limit).at(limit)),
                    _ => Ok(Status::Partial),
                };
            }
        };
        // u32 + 5 cannot overflow usize on 32- and 64-bit targets.
        let total = prefix + len as usize;
        if let Some(limit) = self.max_message_size {
            if total > limit {
                return Err(Error::max_message_size(limit).at(0));
            }
        }
        Ok(match buf.get(prefix..total) {
            Some(body) => Status::Complete((body, total)),
            None => Status::Partial,
        })
    }

    fn reset(&mut self) {}

    fn bytes_examined(&self) -> u64 {
        self.examined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn dotnet_parser_examples() {
        let mut f = LengthPrefixFramer::new(Limits::unlimited());
        // Incomplete bodies consume nothing.
        for partial in
            [&[][..], &[0x04, 0xAB, 0xCD, 0xEF], &[0x09, 0x00, 0x00], &[0xFF, 0xFF, 0xFF, 0xFF, 0x07], &[0x80]]
        {
            assert_eq!(f.next_frame(partial).unwrap(), Status::Partial, "{partial:02x?}");
        }
        // A zero-length body is a frame.
        assert_eq!(f.next_frame(&[0x00]).unwrap(), Status::Complete(Frame { body: 1..1, consumed: 1 }));
        let frames: Result<Vec<_>, _> = f.frames(&[0x01, 0x2A, 0x02, 0x01, 0x02, 0x00]).collect();
        assert_eq!(frames.unwrap(), [&[0x2A][..], &[0x01, 0x02], &[]]);
    }

    #[test]
    fn prefix_over_the_limit_fails_before_the_body_arrives() {
        let mut f = LengthPrefixFramer::default();
        // 0x8001 announces 32768 bytes; with the 3-byte prefix that is over 32 KiB.
        let e = f.next_frame(&[0x80, 0x80, 0x02]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit);
        assert_eq!(e.limit(), Some(32768));
        // 32765 + 3 = 32768 exactly fits: partial until the body is there.
        assert_eq!(f.next_frame(&[0xFD, 0xFF, 0x01]).unwrap(), Status::Partial);
    }

    #[test]
    fn one_byte_prefixes_follow_the_same_limit_rules() {
        // The limit counts the prefix byte too.
        let mut f = LengthPrefixFramer::new(Limits::default().with_max_message_size(Some(3)));
        assert_eq!(f.next_frame(&[0x02, 0xAA, 0xBB]).unwrap(), Status::Complete(Frame { body: 1..3, consumed: 3 }));
        assert_eq!(f.next_frame(&[0x02, 0xAA]).unwrap(), Status::Partial);
        let e = f.next_frame(&[0x03]).unwrap_err();
        assert_eq!((e.kind(), e.offset(), e.limit()), (ErrorKind::Limit, Some(0), Some(3)));
        let mut zero = LengthPrefixFramer::new(Limits::default().with_max_message_size(Some(0)));
        assert_eq!(zero.next_frame(&[]).unwrap(), Status::Partial);
        assert_eq!(zero.next_frame(&[0x00]).unwrap_err().offset(), Some(0));
    }

    #[test]
    fn two_gigabyte_prefix_is_rejected_even_without_a_limit() {
        let mut f = LengthPrefixFramer::new(Limits::unlimited());
        let e = f.next_frame(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).unwrap_err();
        assert_eq!(e.message().to_string(), "Messages over 2GB in size are not supported.");
    }
}
