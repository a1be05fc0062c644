//! Writing into every kind of output: a `Vec` or a `BytesMut` takes the message in one pass
//! (the length prefix filled in afterwards), a slice is measured first; the bytes are the same,
//! and a failed message leaves any output as it was.

use bytes::BytesMut;
use signalr_codec_core::{ErrorKind, HubMessage, HubProtocol, SliceOutput, StreamItem};
use signalr_codec_msgpack::{MessagePackHubProtocol, Serialized};

/// Bodies on both sides of every prefix length change (127/128 and 16383/16384 bytes).
#[test]
fn growing_outputs_write_what_a_slice_gets() {
    let p = MessagePackHubProtocol::new();
    for len in (0..300).chain(16_300..16_450) {
        let text = "x".repeat(len);
        let item = HubMessage::StreamItem(StreamItem::new("1", Serialized(text.as_str())));
        let mut slice = vec![0u8; len + 16];
        let mut out = SliceOutput::new(&mut slice);
        let n = p.write(&item, &mut out).unwrap();
        let expected = out.written().to_vec();
        assert_eq!(n, expected.len());
        assert_eq!(p.encoded_len(&item).unwrap(), n);

        let mut vec = b"kept".to_vec();
        assert_eq!(p.write(&item, &mut vec).unwrap(), n, "{len}");
        assert_eq!(&vec[..4], b"kept");
        assert_eq!(&vec[4..], expected, "{len}");

        let mut buf = BytesMut::from(&b"kept"[..]);
        assert_eq!(p.write(&item, &mut buf).unwrap(), n, "{len}");
        assert_eq!(&buf[4..], expected, "{len}");
    }
}

/// Lists of unknown length (their headers filled in at their ends) holding long strings, in
/// bodies on both sides of the prefix boundaries: into an output that grows, both the lists'
/// headers and the frame's prefix are filled in after what follows them was written, and the
/// bytes are still the slice's.
struct UnknownLength(Vec<String>);

impl serde::Serialize for UnknownLength {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(None)?;
        for item in &self.0 {
            seq.serialize_element(item)?;
        }
        seq.end()
    }
}

#[test]
fn long_pieces_inside_open_lists_write_what_a_slice_gets() {
    let p = MessagePackHubProtocol::new();
    for first in [0, 1, 100, 127, 128, 200, 16_300, 16_400] {
        for long in [128, 129, 300, 16_250, 16_384, 70_000] {
            let items = UnknownLength(vec!["a".repeat(first), "b".repeat(long), "c".repeat(3)]);
            let nested = (1u8, UnknownLength(vec!["d".repeat(long)]), items);
            let item = HubMessage::StreamItem(StreamItem::new("1", Serialized(&nested)));
            let mut slice = vec![0u8; first + 2 * long + 64];
            let mut out = SliceOutput::new(&mut slice);
            let n = p.write(&item, &mut out).unwrap();
            let expected = out.written().to_vec();
            let mut vec = b"kept".to_vec();
            assert_eq!(p.write(&item, &mut vec).unwrap(), n, "{first} {long}");
            assert_eq!(&vec[4..], expected, "{first} {long}");
            let mut buf = BytesMut::from(&b"kept"[..]);
            assert_eq!(p.write(&item, &mut buf).unwrap(), n, "{first} {long}");
            assert_eq!(&buf[4..], expected, "{first} {long}");
        }
    }
}

/// A value whose serialization fails half way.
struct FailsAfter(usize);

impl serde::Serialize for FailsAfter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = s.serialize_seq(Some(self.0 + 1))?;
        for i in 0..self.0 {
            seq.serialize_element(&i)?;
        }
        Err(S::Error::custom("refused"))
    }
}

#[test]
fn a_failed_message_leaves_the_output_alone() {
    let p = MessagePackHubProtocol::new();
    for written in [0, 10, 200] {
        let item = HubMessage::StreamItem(StreamItem::new("1", Serialized(FailsAfter(written))));
        let mut vec = b"kept".to_vec();
        assert_eq!(p.write(&item, &mut vec).unwrap_err().kind(), ErrorKind::Invalid);
        assert_eq!(vec, b"kept");
        assert!(p.write_to_vec(&item, &mut vec).is_err());
        assert_eq!(vec, b"kept");
        let mut buf = BytesMut::from(&b"kept"[..]);
        assert!(p.write(&item, &mut buf).is_err());
        assert_eq!(&buf[..], b"kept");
        let mut slice = [0xAAu8; 512];
        let mut out = SliceOutput::new(&mut slice);
        assert!(p.write(&item, &mut out).is_err());
        assert_eq!(out.len(), 0);
    }
}
