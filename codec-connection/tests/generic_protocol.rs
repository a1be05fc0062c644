//! Code generic over the protocol, run with JSON, MessagePack and `AnyProtocol`: it writes serde
//! values, binds payloads and owns messages with one bound each (`SerdePayloads`, `Bind`,
//! `OwnedPayloads`), and what it owns writes back to the same bytes.

use signalr_codec_connection::AnyProtocol;
use signalr_codec_core::{
    Bind, Completion, HubDecoder, HubMessage, Invocation, OwnedMessage, OwnedPayloads, Parsed, SerdePayloads,
    Serialized, StreamItem,
};
use signalr_codec_json::JsonHubProtocol;
use signalr_codec_msgpack::MessagePackHubProtocol;

/// Every message of a stream, owned, then written back.
fn own_and_rewrite<P: OwnedPayloads + Clone>(protocol: &P, stream: &[u8]) -> Vec<u8> {
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

/// An invocation, a stream item, a completion and a ping, written with serde values.
fn stream_of<P: SerdePayloads>(protocol: &P) -> Vec<u8> {
    let mut stream = Vec::new();
    protocol.write(&HubMessage::Invocation(Invocation::new("Send", Serialized(("a", 1)))), &mut stream).unwrap();
    protocol.write(&HubMessage::StreamItem(StreamItem::new("7", Serialized([true, false]))), &mut stream).unwrap();
    protocol.write(&HubMessage::Completion(Completion::result("7", Serialized("done"))), &mut stream).unwrap();
    protocol.write(&HubMessage::ping(), &mut stream).unwrap();
    stream
}

/// A call with serde arguments, decoded and bound back.
fn call_and_bind<P: SerdePayloads + Clone>(protocol: &P) -> (String, Vec<i64>)
where
    for<'a> P::Value<'a>: Bind<'a>,
{
    let mut out = Vec::new();
    let call = Invocation::new("Send", Serialized(("text", vec![1i64, 2, 3])));
    protocol.write(&HubMessage::Invocation(call), &mut out).unwrap();
    let mut decoder = HubDecoder::new(protocol.clone());
    let Some(Ok(Parsed::Message(HubMessage::Invocation(call)))) = decoder.messages(&out).next() else {
        panic!("an invocation")
    };
    call.arguments.bind().unwrap()
}

fn check<P>(protocol: P)
where
    P: SerdePayloads + OwnedPayloads + Clone,
    for<'a> P::Value<'a>: Bind<'a>,
{
    let stream = stream_of(&protocol);
    assert_eq!(own_and_rewrite(&protocol, &stream), stream, "{}", protocol.name());
    assert_eq!(call_and_bind(&protocol), ("text".to_string(), vec![1, 2, 3]), "{}", protocol.name());
}

#[test]
fn json() {
    check(JsonHubProtocol::new());
}

#[test]
fn messagepack() {
    check(MessagePackHubProtocol::new());
}

#[test]
fn any_protocol() {
    check(AnyProtocol::Json(JsonHubProtocol::new()));
    check(AnyProtocol::MessagePack(MessagePackHubProtocol::new()));
}
