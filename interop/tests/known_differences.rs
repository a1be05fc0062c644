//! Where the official JavaScript client differs from .NET (and so from this codec), each
//! difference pinned by its own test: if the client changes, these tests say so.

use serde_json::{json, Value};
use signalr_codec_cli::codec;
use signalr_codec_cli::protocol::ProtocolName::{self, Json, Messagepack};
use signalr_codec_core::Limits;
use signalr_codec_interop::Harness;

fn write(protocol: ProtocolName, message: Value) -> Vec<u8> {
    let mut out = Vec::new();
    codec::encode(protocol, &message, &mut out).expect("the codec writes it");
    out
}

fn codec_reads(protocol: ProtocolName, bytes: &[u8]) -> Result<Vec<Value>, String> {
    let decoded = codec::decode(protocol, Limits::default(), bytes, true);
    match decoded.error {
        Some(e) => Err(e["message"].as_str().unwrap_or_default().to_owned()),
        None => Ok(decoded.items.into_iter().map(|(_, item)| item.to_json()).collect()),
    }
}

#[test]
fn the_client_skips_stream_invocation_and_cancel_invocation() {
    let Some(mut client) = Harness::start() else { return };
    for protocol in [Json, Messagepack] {
        let messages = [
            json!({"type": 4, "invocationId": "1", "target": "Counter", "arguments": [10]}),
            json!({"type": 5, "invocationId": "1"}),
        ];
        for message in messages {
            let bytes = write(protocol, message.clone());
            assert_eq!(codec_reads(protocol, &bytes).unwrap(), [message], "the codec reads them");
            assert_eq!(client.parse(protocol.as_str(), &[bytes]), [Ok(vec![])], "the client ignores them");
        }
    }
}

#[test]
fn the_client_messagepack_writer_drops_close_error_and_allow_reconnect() {
    let Some(mut client) = Harness::start() else { return };
    let close = json!({"type": 7, "error": "Connection closed with an error.", "allowReconnect": true});
    let written = client.write("messagepack", std::slice::from_ref(&close));
    assert_eq!(written[0], [0x03, 0x92, 0x07, 0xc0], "the client writes [7, nil]");
    assert_eq!(codec_reads(Messagepack, &written[0]).unwrap(), [json!({"type": 7})]);
    // .NET (and this codec) write all three elements.
    assert_eq!(write(Messagepack, close.clone())[..4], [0x25, 0x93, 0x07, 0xd9]);
    // The JSON writers agree.
    assert_eq!(codec_reads(Json, &client.write("json", std::slice::from_ref(&close))[0]).unwrap(), [close]);
}

#[test]
fn the_client_messagepack_reader_drops_stream_ids() {
    let Some(mut client) = Harness::start() else { return };
    let invocation = json!({"type": 1, "invocationId": "2", "target": "Upload", "arguments": [], "streamIds": ["3"]});
    let bytes = write(Messagepack, invocation.clone());
    assert_eq!(codec_reads(Messagepack, &bytes).unwrap(), std::slice::from_ref(&invocation));
    let read = client.parse("messagepack", &[bytes]);
    let read = read[0].as_ref().unwrap();
    assert_eq!(read[0].get("streamIds"), None, "the client reports no stream ids: {read:?}");
    // The JSON reader keeps them.
    assert_eq!(client.parse("json", &[write(Json, invocation.clone())]), [Ok(vec![invocation])]);
}

#[test]
fn the_client_needs_complete_records_where_the_codec_waits_for_more() {
    let Some(mut client) = Harness::start() else { return };
    let mut json = write(Json, json!({"type": 6}));
    json.extend_from_slice(b"{\"type\":");
    assert_eq!(client.parse("json", &[json.clone()]), [Err("Message is incomplete.".to_owned())]);
    let partial = codec::decode(Json, Limits::default(), &json, false);
    assert_eq!((partial.items.len(), partial.consumed, partial.error), (1, 11, None));

    let mut binary = write(Messagepack, json!({"type": 6}));
    binary.extend_from_slice(&[0x05, 0x95]);
    assert_eq!(client.parse("messagepack", &[binary.clone()]), [Err("Incomplete message.".to_owned())]);
    let partial = codec::decode(Messagepack, Limits::default(), &binary, false);
    assert_eq!((partial.items.len(), partial.consumed, partial.error), (1, 3, None));
}

#[test]
fn the_client_rejects_an_empty_invocation_id_that_dotnet_accepts() {
    let Some(mut client) = Harness::start() else { return };
    let bytes = b"{\"type\":1,\"invocationId\":\"\",\"target\":\"Send\",\"arguments\":[]}\x1e".to_vec();
    assert_eq!(
        codec_reads(Json, &bytes).unwrap(),
        [json!({"type": 1, "invocationId": "", "target": "Send", "arguments": []})]
    );
    assert_eq!(client.parse("json", &[bytes]), [Err("Invalid payload for Invocation message.".to_owned())]);
}

#[test]
fn the_client_accepts_an_error_with_a_falsy_result_that_dotnet_rejects() {
    let Some(mut client) = Harness::start() else { return };
    let bytes = b"{\"type\":3,\"invocationId\":\"1\",\"error\":\"boom\",\"result\":null}\x1e".to_vec();
    assert_eq!(
        codec_reads(Json, &bytes),
        Err("The 'error' and 'result' properties are mutually exclusive.".to_owned())
    );
    let read = client.parse("json", &[bytes]);
    assert_eq!(read[0].as_ref().unwrap()[0]["error"], "boom");
}

#[test]
fn the_client_reports_absent_close_fields_explicitly_in_messagepack() {
    let Some(mut client) = Harness::start() else { return };
    let read = client.parse("messagepack", &[write(Messagepack, json!({"type": 7}))]);
    assert_eq!(read, [Ok(vec![json!({"type": 7, "error": null, "allowReconnect": false})])]);
}
