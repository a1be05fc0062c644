//! Owned messages: `into_owned()` keeps everything a parsed message held, with no borrow of the
//! frame left, and writes back to the same bytes.

use signalr_codec_core::{HubMessage, HubProtocol, OwnedMessage, Parsed};
use signalr_codec_json::JsonHubProtocol;

fn parse_owned(protocol: &JsonHubProtocol, record: &[u8]) -> OwnedMessage<JsonHubProtocol> {
    let frame = record.to_vec();
    let Parsed::Message(message) = protocol.parse(&frame).unwrap() else { panic!("skipped") };
    message.into_owned()
    // `frame` is dropped here: the owned message does not borrow it.
}

#[test]
fn an_owned_message_outlives_its_frame_and_writes_the_same_bytes() {
    let protocol = JsonHubProtocol::new();
    let record = br#"{"type":1,"headers":{"a":"b"},"invocationId":"1","target":"S\u00e9nd","arguments":[1,{"x":[true]}],"streamIds":["s"]}"#;
    let owned = parse_owned(&protocol, record);
    let HubMessage::Invocation(inv) = &owned else { panic!("{owned:?}") };
    assert_eq!(inv.target, "Sénd");
    assert_eq!(inv.arguments.get(), r#"[1,{"x":[true]}]"#);
    let mut out = Vec::new();
    protocol.write(&owned, &mut out).unwrap();
    assert_eq!(
        out,
        "{\"type\":1,\"headers\":{\"a\":\"b\"},\"invocationId\":\"1\",\"target\":\"Sénd\",\"arguments\":[1,{\"x\":[true]}],\"streamIds\":[\"s\"]}\x1e".as_bytes()
    );
}
