//! The VarInt length prefix of the MessagePack hub protocol: unsigned little-endian base-128,
//! at most 5 bytes, at most 2^31 − 1.

use crate::error::{Error, ErrorKind};
use crate::status::Status;

/// Most bytes a prefix may take.
pub const MAX_LEN: usize = 5;
/// Largest length the protocol allows (2^31 − 1, the "2 GB" limit), encoded `FF FF FF FF 07`.
pub const MAX_VALUE: u32 = 0x7FFF_FFFF;

/// The .NET text for a prefix over 2 GB.
pub const TOO_LARGE: &str = "Messages over 2GB in size are not supported.";

/// Reads a length prefix at the start of `buf`: the value and how many bytes it took.
///
/// Follows .NET's `BinaryMessageParser`: a prefix cut short is [`Status::Partial`]; a fifth byte
/// that still has the continuation bit or is above 7 is an error (`Messages over 2GB in size are
/// not supported.`, at the fifth byte); non-minimal prefixes such as `80 00` are accepted.
///
/// ```
/// use signalr_codec_core::{varint, frame::Status};
/// assert_eq!(varint::decode(&[0x80, 0x29]).unwrap(), Status::Complete((5248, 2)));
/// assert_eq!(varint::decode(&[0x80]).unwrap(), Status::Partial);
/// assert!(varint::decode(&[0x80, 0x80, 0x80, 0x80, 0x08]).is_err());
/// ```
#[inline]
pub fn decode(buf: &[u8]) -> Result<Status<(u32, usize)>, Error> {
    let mut value: u32 = 0;
    for (i, &byte) in buf.iter().take(MAX_LEN).enumerate() {
        if i == MAX_LEN - 1 && byte > 0x07 {
            // Covers both a fifth continuation bit and a value over 2^31 - 1.
            return Err(Error::new(ErrorKind::Limit, TOO_LARGE).at(i));
        }
        value |= u32::from(byte & 0x7F) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok(Status::Complete((value, i + 1)));
        }
    }
    Ok(Status::Partial)
}

/// Bytes the shortest prefix for `value` takes (1 to 5).
pub const fn encoded_len(value: u32) -> usize {
    match value {
        0..=0x7F => 1,
        0x80..=0x3FFF => 2,
        0x4000..=0x1F_FFFF => 3,
        0x20_0000..=0x0FFF_FFFF => 4,
        _ => 5,
    }
}

/// Writes the shortest prefix for `value` into `out`, returning how many bytes it took.
///
/// ```
/// let mut out = [0; 5];
/// let n = signalr_codec_core::varint::encode(0xC0DE, &mut out);
/// assert_eq!(&out[..n], &[0xDE, 0x81, 0x03]);
/// ```
pub fn encode(mut value: u32, out: &mut [u8; MAX_LEN]) -> usize {
    let mut i = 0;
    loop {
        let low = (value & 0x7F) as u8;
        value >>= 7;
        if value == 0 {
            out[i] = low;
            return i + 1;
        }
        out[i] = low | 0x80;
        i += 1;
    }
}

/// The prefix for a body of `len` bytes, or the 2 GB error when `len` is too large to frame.
pub fn prefix_for(len: usize) -> Result<([u8; MAX_LEN], usize), Error> {
    match u32::try_from(len) {
        Ok(value) if value <= MAX_VALUE => {
            let mut out = [0; MAX_LEN];
            let n = encode(value, &mut out);
            Ok((out, n))
        }
        _ => Err(Error::new(ErrorKind::Limit, TOO_LARGE)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(bytes: &[u8]) -> (u32, usize) {
        match decode(bytes).unwrap() {
            Status::Complete(v) => v,
            Status::Partial => panic!("partial: {bytes:02x?}"),
        }
    }

    #[test]
    fn fact_sheet_examples() {
        assert_eq!(complete(&[0x35]), (53, 1));
        assert_eq!(complete(&[0x80, 0x29]), (5248, 2));
        assert_eq!(complete(&[0x80, 0x01]), (128, 2));
        assert_eq!(complete(&[0x7F]), (127, 1));
        assert_eq!(complete(&[0xFF, 0x7F]), (16383, 2));
        assert_eq!(complete(&[0x80, 0x80, 0x01]), (16384, 3));
        assert_eq!(complete(&[0xDE, 0x81, 0x03]), (0xC0DE, 3));
        assert_eq!(complete(&[0xFF, 0xFF, 0xFF, 0xFF, 0x07]), (MAX_VALUE, 5));
        assert_eq!(complete(&[0x00]), (0, 1));
    }

    #[test]
    fn non_minimal_prefixes_are_accepted() {
        assert_eq!(complete(&[0x80, 0x00]), (0, 2));
        assert_eq!(complete(&[0x81, 0x80, 0x80, 0x80, 0x00]), (1, 5));
    }

    #[test]
    fn over_2gb_is_rejected_with_the_dotnet_text() {
        for bad in [
            &[0xFF, 0xFF, 0xFF, 0xFF, 0xFF][..],
            &[0x80, 0x80, 0x80, 0x80, 0x08],
            &[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        ] {
            let e = decode(bad).unwrap_err();
            assert_eq!(e.message().to_string(), TOO_LARGE);
            assert_eq!(e.kind(), ErrorKind::Limit);
            assert_eq!(e.offset(), Some(4));
        }
    }

    #[test]
    fn cut_prefixes_are_partial() {
        assert_eq!(decode(&[]).unwrap(), Status::Partial);
        assert_eq!(decode(&[0x80]).unwrap(), Status::Partial);
        assert_eq!(decode(&[0xFF, 0xFF, 0xFF, 0xFF]).unwrap(), Status::Partial);
    }

    #[test]
    fn shortest_form_is_written() {
        for (value, bytes) in [
            (0u32, &[0x00][..]),
            (127, &[0x7F]),
            (128, &[0x80, 0x01]),
            (5248, &[0x80, 0x29]),
            (16384, &[0x80, 0x80, 0x01]),
            (MAX_VALUE, &[0xFF, 0xFF, 0xFF, 0xFF, 0x07]),
        ] {
            let mut out = [0; MAX_LEN];
            let n = encode(value, &mut out);
            assert_eq!(&out[..n], bytes);
            assert_eq!(encoded_len(value), n);
        }
        assert!(prefix_for(MAX_VALUE as usize + 1).is_err());
    }
}
