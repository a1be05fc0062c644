//! Writing into every kind of output: room is checked first; too small, nothing is written.

use bytes::BytesMut;
use signalr_codec_core::{BufMutOutput, ErrorKind, HubMessage, HubProtocol, Invocation, SliceOutput, StreamItem};
use signalr_codec_json::{JsonHubProtocol, RawJson, Serialized};

const EXPECTED: &[u8] = b"{\"type\":1,\"invocationId\":\"1\",\"target\":\"Send\",\"arguments\":[\"a\",1]}\x1e";

fn message() -> HubMessage<'static, Serialized<(&'static str, i32)>> {
    HubMessage::Invocation(Invocation::new("Send", Serialized(("a", 1))).with_invocation_id("1"))
}

#[test]
fn bytes_mut_and_buf_mut() {
    let p = JsonHubProtocol::new();
    let mut buf = BytesMut::with_capacity(8);
    assert_eq!(p.write(&message(), &mut buf).unwrap(), EXPECTED.len());
    assert_eq!(&buf[..], EXPECTED);

    let mut storage = [0u8; 128];
    let mut slice: &mut [u8] = &mut storage;
    let n = p.write(&message(), &mut BufMutOutput(&mut slice)).unwrap();
    assert_eq!(&storage[..n], EXPECTED);
}

#[test]
fn too_small_writes_nothing() {
    let p = JsonHubProtocol::new();
    for size in [0, 1, EXPECTED.len() - 1] {
        let mut storage = vec![0xAAu8; size];
        let mut out = SliceOutput::new(&mut storage);
        let err = p.write(&message(), &mut out).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BufferTooSmall);
        assert_eq!(err.needed(), Some(EXPECTED.len()));
        assert_eq!(out.len(), 0);
        assert!(storage.iter().all(|&b| b == 0xAA));
    }
    let mut storage = [0u8; 70];
    let mut out = SliceOutput::new(&mut storage);
    assert_eq!(p.write(&message(), &mut out).unwrap(), EXPECTED.len());
    assert_eq!(out.written(), EXPECTED);
}

/// A serialization error leaves a vector as it was.
#[test]
fn failed_serialization_leaves_the_vector_alone() {
    use std::collections::BTreeMap;
    let mut bad = BTreeMap::new();
    bad.insert(vec![1u8], 1);
    let p = JsonHubProtocol::new();
    let item = HubMessage::StreamItem(StreamItem::new("1", Serialized(&bad)));
    let mut out = b"keep".to_vec();
    assert!(p.write_to_vec(&item, &mut out).is_err());
    assert!(p.write(&item, &mut out).is_err());
    assert_eq!(out, b"keep");
    // Raw payloads never fail.
    let ok = HubMessage::StreamItem(StreamItem::new("1", RawJson::NULL));
    assert_eq!(p.to_vec(&ok).unwrap(), b"{\"type\":2,\"invocationId\":\"1\",\"item\":null}\x1e");
}
