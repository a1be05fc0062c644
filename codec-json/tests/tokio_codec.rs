//! `HubCodec` with tokio-util for JSON: records fed one byte at a time are framed once whole,
//! frames borrow nothing from the read buffer, and encoding appends to a `BytesMut`.

use bytes::BytesMut;
use signalr_codec_core::codec::HubCodec;
use signalr_codec_core::{HubMessage, Invocation, Parsed};
use signalr_codec_json::{JsonHubProtocol, Serialized};
use tokio_util::codec::{Decoder, Encoder};

#[test]
fn records_fed_a_byte_at_a_time_come_out_whole() {
    let mut codec = HubCodec::new(JsonHubProtocol::new());
    let mut wire = BytesMut::new();
    codec.encode(HubMessage::Invocation(Invocation::new("Send", Serialized(("hé", 1)))), &mut wire).unwrap();
    codec.encode(HubMessage::<Serialized<()>>::Ping, &mut wire).unwrap();
    assert_eq!(&wire[..], b"{\"type\":1,\"target\":\"Send\",\"arguments\":[\"h\xc3\xa9\",1]}\x1e{\"type\":6}\x1e");

    let mut read = BytesMut::new();
    let mut frames = Vec::new();
    for byte in wire.iter() {
        read.extend_from_slice(&[*byte]);
        while let Some(frame) = codec.decode(&mut read).unwrap() {
            frames.push(frame);
        }
    }
    assert!(read.is_empty());
    // The read buffer is free to be reused: the frames own their bytes.
    read.extend_from_slice(b"garbage");
    match frames[0].parse().unwrap() {
        Parsed::Message(HubMessage::Invocation(inv)) => {
            assert_eq!(inv.target, "Send");
            assert_eq!(inv.arguments.get(), "[\"hé\",1]");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(frames[1].parse().unwrap(), Parsed::Message(HubMessage::Ping));
}
