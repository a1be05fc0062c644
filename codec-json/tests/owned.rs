//! Owned messages: `into_owned()` keeps everything a parsed message held, with no borrow of the
//! frame left, and writes back to the same bytes.

use signalr_codec_core::{
    HubDecoder, HubMessage, HubProtocol, OwnedMessage, OwnedPayloads, Parsed, Serialized, StreamItem,
};
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

/// Code generic over the protocol: every message of a stream, owned, then written back.
fn own_and_rewrite<P>(protocol: &P, stream: &[u8]) -> Vec<u8>
where
    P: OwnedPayloads + Clone,
{
    let owned: Vec<OwnedMessage<P>> = {
        let stream = stream.to_vec();
        let mut decoder = HubDecoder::new(protocol.clone());
        let parsed = decoder.messages(&stream).map(|p| match p.unwrap() {
            Parsed::Message(m) => m.into_owned_for::<P>(),
            Parsed::Skipped { .. } => panic!("skipped"),
        });
        parsed.collect()
        // `stream` is dropped here: nothing owned borrows it.
    };
    let mut out = Vec::new();
    owned.iter().for_each(|m| {
        protocol.write(m, &mut out).unwrap();
    });
    out
}

#[test]
fn generic_code_owns_messages_with_into_owned_for() {
    let protocol = JsonHubProtocol::new();
    let mut stream = Vec::new();
    let call = signalr_codec_core::Invocation::new("Send", Serialized(("a", 1)));
    protocol.write(&HubMessage::Invocation(call), &mut stream).unwrap();
    protocol.write(&HubMessage::StreamItem(StreamItem::new("7", Serialized([true, false]))), &mut stream).unwrap();
    let done = signalr_codec_core::Completion::result("7", Serialized("done"));
    protocol.write(&HubMessage::Completion(done), &mut stream).unwrap();
    protocol.write(&HubMessage::ping(), &mut stream).unwrap();
    assert_eq!(own_and_rewrite(&protocol, &stream), stream);
}

/// Code generic over the protocol writes any serde value with one bound, and binds it back.
fn call_and_bind<P: signalr_codec_core::SerdePayloads + Clone>(protocol: &P) -> (String, Vec<i64>)
where
    for<'a> P::Value<'a>: signalr_codec_core::Bind<'a>,
{
    let mut out = Vec::new();
    let call = signalr_codec_core::Invocation::new("Send", Serialized(("text", vec![1i64, 2, 3])));
    protocol.write(&HubMessage::Invocation(call), &mut out).unwrap();
    let mut decoder = HubDecoder::new(protocol.clone());
    let Some(Ok(Parsed::Message(HubMessage::Invocation(call)))) = decoder.messages(&out).next() else {
        panic!("an invocation")
    };
    signalr_codec_core::Bind::bind(&call.arguments).unwrap()
}

#[test]
fn generic_code_writes_serde_values_with_one_bound() {
    assert_eq!(call_and_bind(&JsonHubProtocol::new()), ("text".to_string(), vec![1, 2, 3]));
}
