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

#[test]
fn the_writer_refuses_what_the_reader_refuses() {
    use signalr_codec_core::{CancelInvocation, Completion, StreamInvocation};
    let p = JsonHubProtocol::new();
    let args = RawJson::EMPTY_ARRAY;
    // .NET's writer omits an empty invocation id and writes an empty target; the reader then
    // misses them. Refused with the reader's text, before anything is written.
    let cases: [(HubMessage<'_, RawJson<'_>>, &str); 6] = [
        (HubMessage::Invocation(Invocation::new("", args)), "Missing required property 'target'."),
        (HubMessage::StreamInvocation(StreamInvocation::new("1", "", args)), "Missing required property 'target'."),
        (
            HubMessage::StreamInvocation(StreamInvocation::new("", "t", args)),
            "Missing required property 'invocationId'.",
        ),
        (HubMessage::StreamItem(StreamItem::new("", args)), "Missing required property 'invocationId'."),
        (HubMessage::Completion(Completion::void("")), "Missing required property 'invocationId'."),
        (HubMessage::CancelInvocation(CancelInvocation::new("")), "Missing required property 'invocationId'."),
    ];
    for (message, text) in cases {
        let e = p.encoded_len(&message).unwrap_err();
        assert_eq!((e.kind(), e.message().to_string()), (ErrorKind::Missing, text.to_string()));
        let mut out = Vec::new();
        assert_eq!(p.write(&message, &mut out).unwrap_err().message().to_string(), text);
        assert!(out.is_empty());
        let mut out = b"kept".to_vec();
        assert_eq!(p.write_to_vec(&message, &mut out).unwrap_err().message().to_string(), text);
        assert_eq!(out, b"kept");
    }
    // An empty id on an Invocation means non-blocking: omitted, and read back as none.
    let m = HubMessage::Invocation(Invocation::new("t", args).with_invocation_id(""));
    assert_eq!(p.to_vec(&m).unwrap(), b"{\"type\":1,\"target\":\"t\",\"arguments\":[]}\x1e");
}

/// A `BytesMut` grows too: one pass, and a failed message is taken back.
#[test]
fn failed_serialization_leaves_bytes_mut_alone() {
    use std::collections::BTreeMap;
    let mut bad = BTreeMap::new();
    bad.insert(vec![1u8], 1);
    let p = JsonHubProtocol::new();
    let item = HubMessage::StreamItem(StreamItem::new("1", Serialized((1, 2, &bad))));
    let mut buf = BytesMut::from(&b"keep"[..]);
    assert!(p.write(&item, &mut buf).is_err());
    assert_eq!(&buf[..], b"keep");
    assert_eq!(p.write(&message(), &mut buf).unwrap(), EXPECTED.len());
    assert_eq!(&buf[4..], EXPECTED);
}
