//! `HubCodec` with tokio-util: a `FramedRead` over a byte stream that arrives in small pieces,
//! frames parsed on demand, and messages encoded into a `BytesMut`.

use bytes::BytesMut;
use futures_util::StreamExt;
use signalr_codec_core::codec::HubCodec;
use signalr_codec_core::{Completion, ErrorKind, HubMessage, Parsed, StreamItem};
use signalr_codec_msgpack::{MessagePackHubProtocol, Serialized};
use tokio_util::codec::{Decoder, Encoder, FramedRead};

#[tokio::test]
async fn a_framed_read_yields_each_frame_whatever_the_chunking() {
    let mut wire = BytesMut::new();
    let mut codec = HubCodec::new(MessagePackHubProtocol::new());
    for i in 0..50 {
        codec.encode(HubMessage::StreamItem(StreamItem::new("s", Serialized(i))), &mut wire).unwrap();
    }
    codec.encode(HubMessage::Completion(Completion::<Serialized<()>>::void("s")), &mut wire).unwrap();
    // Three bytes at a time, as a slow socket would deliver them.
    let reader = tokio_util::io::StreamReader::new(futures_util::stream::iter(
        wire.chunks(3).map(|c| Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(c))).collect::<Vec<_>>(),
    ));
    let mut frames = FramedRead::new(reader, HubCodec::new(MessagePackHubProtocol::new()));
    let mut items = Vec::new();
    while let Some(frame) = frames.next().await {
        let frame = frame.unwrap();
        match frame.parse().unwrap() {
            Parsed::Message(HubMessage::StreamItem(item)) => items.push(item.item.as_i64().unwrap()),
            Parsed::Message(HubMessage::Completion(done)) => assert_eq!(done.invocation_id, "s"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(items, (0..50).collect::<Vec<_>>());
}

#[test]
fn errors_are_io_errors_carrying_the_codec_error() {
    let mut codec = HubCodec::new(MessagePackHubProtocol::new());
    let mut buf = BytesMut::from(&[0xFF, 0xFF, 0xFF, 0xFF, 0x08][..]);
    let err = codec.decode(&mut buf).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    let inner = err.get_ref().and_then(|e| e.downcast_ref::<signalr_codec_core::Error>()).unwrap();
    assert_eq!((inner.kind(), inner.offset()), (ErrorKind::Limit, Some(4)));
    assert_eq!(inner.message().to_string(), "Messages over 2GB in size are not supported.");
}
