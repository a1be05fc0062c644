//! Owned messages: `into_owned()` keeps everything a parsed message held, with no borrow of the
//! frame left, and writes back to the same bytes.

use signalr_codec_core::{
    HubDecoder, HubMessage, HubProtocol, OwnedMessage, OwnedPayloads, Parsed, Serialized, StreamItem,
};
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
    let protocol = MessagePackHubProtocol::new();
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
    assert_eq!(call_and_bind(&MessagePackHubProtocol::new()), ("text".to_string(), vec![1, 2, 3]));
}
