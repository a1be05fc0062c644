//! Owned messages: `into_owned()` keeps everything a parsed message held, with no borrow of the
//! frame left, and writes back to the same bytes.

use signalr_codec_core::{HubMessage, HubProtocol, OwnedMessage, Parsed, Serialized, StreamItem};
use signalr_codec_msgpack::MessagePackHubProtocol;

#[test]
fn an_owned_message_outlives_its_frame_and_writes_the_same_bytes() {
    let protocol = MessagePackHubProtocol::new();
    let written = protocol.to_vec(&HubMessage::StreamItem(StreamItem::new("xyz", Serialized((1, "two"))))).unwrap();
    let owned: OwnedMessage<MessagePackHubProtocol> = {
        let frame = written[1..].to_vec();
        let Parsed::Message(message) = protocol.parse(&frame).unwrap() else { panic!("skipped") };
        message.into_owned()
    };
    let HubMessage::StreamItem(item) = &owned else { panic!("{owned:?}") };
    let (n, s): (i64, String) = item.item.as_raw().bind().unwrap();
    assert_eq!((n, s.as_str()), (1, "two"));
    assert_eq!(protocol.to_vec(&owned).unwrap(), written);
}
