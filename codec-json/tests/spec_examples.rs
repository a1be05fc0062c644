//! The JSON examples and rules of the protocol fact sheet (`hub-protocol.md` §2.1, §5.1, §6, §9,
//! §10, §11, §14), plus records written by the official JavaScript client.

mod common;

use common::{error, message, parse, raw, write};
use signalr_codec_core::{
    Close, Completion, ErrorKind, HubDecoder, HubMessage, Invocation, Limits, Outcome, Parsed, Status, StreamIds,
};
use signalr_codec_json::{JsonHubProtocol, RawJson};

/// Decodes every whole record of `buf`, feeding it in chunks of `chunk` bytes.
fn decode_all(protocol: JsonHubProtocol, buf: &[u8], chunk: usize) -> Vec<Result<String, String>> {
    let mut decoder = HubDecoder::new(protocol);
    let mut pending = Vec::new();
    let mut out = Vec::new();
    for piece in buf.chunks(chunk.max(1)) {
        pending.extend_from_slice(piece);
        let mut consumed = 0;
        loop {
            match decoder.decode(&pending[consumed..]) {
                Ok(Status::Partial) => break,
                Ok(Status::Complete((parsed, used))) => {
                    consumed += used;
                    out.push(Ok(match parsed {
                        Parsed::Message(m) => format!("{:?}", m.message_type()),
                        Parsed::Skipped { message_type } => format!("skipped {message_type}"),
                    }));
                }
                Err(e) => {
                    out.push(Err(e.message().to_string()));
                    return out;
                }
            }
        }
        pending.drain(..consumed);
    }
    out
}

/// §2.1: records end with 0x1E; any chunking gives the same messages; an empty record is an error.
#[test]
fn framing() {
    let buf = b"{\"type\":6}\x1e{\"type\":1,\"target\":\"a\",\"arguments\":[\"\\u001F\"]}\x1e{\"type\":42}\x1e{\"type\":7}\x1e{\"ty";
    for chunk in [1, 2, 3, 7, 100] {
        assert_eq!(
            decode_all(JsonHubProtocol::new(), buf, chunk),
            [Ok("Ping".into()), Ok("Invocation".into()), Ok("skipped 42".into()), Ok("Close".into())],
            "chunk {chunk}"
        );
    }
    assert_eq!(decode_all(JsonHubProtocol::new(), b"\x1e", 1), [Err("Error reading JSON.".to_string())]);
    assert_eq!(
        decode_all(JsonHubProtocol::new(), b"{\"type\":6}\x1e  \x1e", 4),
        [Ok("Ping".into()), Err("Error reading JSON.".into())]
    );
}

/// §2.1: data after the object inside one record is ignored.
#[test]
fn text_after_the_object_is_ignored() {
    assert_eq!(
        error(r#"{"type":1,"arguments":[1]},"invocationId":"42","target":"foo""#),
        "Missing required property 'target'."
    );
    assert_eq!(message(r#"{"type":6}{"type":7} trailing ]] garbage"#), HubMessage::Ping);
}

/// §9: the size limit counts the separator; a record over it fails as soon as the limit is passed.
#[test]
fn size_limit_through_the_decoder() {
    let record = r#"{"type":1,"target":"Send","arguments":["01234567890123456789012345"]}"#;
    assert_eq!(record.len(), 69);
    let big = r#"{"type":1,"target":"Send","arguments":["0123456789012345678901234567"]}"#;
    assert_eq!(big.len() + 1, 72);
    let mut buf = Vec::new();
    for r in [record, record, big] {
        buf.extend_from_slice(r.as_bytes());
        buf.push(0x1e);
    }
    let limits = Limits::default().with_max_message_size(Some(record.len() + 1));
    let results = decode_all(JsonHubProtocol::with_limits(limits), &buf, 1000);
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[1].is_ok());
    assert_eq!(
        results[2],
        Err("The maximum message size of 70B was exceeded. The message size can be configured in AddHubOptions.".into())
    );
}

/// §5.1: the writer's example, and properties in the JS client's order.
#[test]
fn section_5_1_examples() {
    let m = HubMessage::Invocation(Invocation::new("Target", raw(r#"[1,"Foo"]"#)).with_invocation_id("123"));
    assert_eq!(write(&m), r#"{"type":1,"invocationId":"123","target":"Target","arguments":[1,"Foo"]}"#);
    let js = r#"{"arguments":[1,"Foo"],"invocationId":"123","streamIds":["1"],"target":"Target","type":1}"#;
    let HubMessage::Invocation(parsed) = message(js) else { panic!() };
    assert_eq!(parsed.invocation_id.as_deref(), Some("123"));
    assert_eq!(parsed.stream_ids, StreamIds::from_slice(&["1"]));
    assert_eq!(parsed.arguments.get(), r#"[1,"Foo"]"#);
}

/// §5.1 reader rules with their .NET texts.
#[test]
fn section_5_1_reader_rules() {
    assert_eq!(error(r#"{"type":null}"#), "Expected 'type' to be of type Number.");
    assert_eq!(error(r#"{"type":2,"invocationId":null,"item":1}"#), "Expected 'invocationId' to be of type String.");
    assert_eq!(error(r#"{"type":1,"target":null,"arguments":[]}"#), "Expected 'target' to be of type String.");
    assert_eq!(error(r#"{"type":7,"error":null}"#), "Expected 'error' to be of type String.");
    assert_eq!(error(r#"{"type":1,"target":"a","arguments":null}"#), "Expected 'arguments' to be of type Array.");
    assert_eq!(
        error(r#"{"type":1,"target":"a","arguments":[],"streamIds":"1"}"#),
        "Expected 'streamIds' to be of type Array."
    );
    assert_eq!(
        error(r#"{"type":1,"target":"a","arguments":[],"streamIds":["1",null]}"#),
        "Null value for 'streamIds' is not valid."
    );
    assert_eq!(
        error(r#"{"type":1,"target":"a","arguments":[],"streamIds":[1]}"#),
        "Cannot get the value of a token type 'Number' as a string."
    );
    assert_eq!(
        error(r#"{"type":1,"headers":[],"target":"a","arguments":[]}"#),
        "Expected 'headers' to be of type StartObject."
    );
    assert_eq!(
        error(r#"{"type":1,"headers":null,"target":"a","arguments":[]}"#),
        "Expected 'headers' to be of type StartObject."
    );
    assert_eq!(error(r#"{"type":7,"allowReconnect":"true"}"#), "Expected 'allowReconnect' to be true or false.");
    assert_eq!(error(r#"{"type":7,"allowReconnect":null}"#), "Expected 'allowReconnect' to be true or false.");
    assert_eq!(error(r#"{"type":8}"#), "Missing required property 'sequenceId'.");
    assert_eq!(error(r#"{"type":9}"#), "Missing required property 'sequenceId'.");
    assert_eq!(error(r#"{"type":9,"sequenceId":null}"#), "Missing required property 'sequenceId'.");
    assert_eq!(
        error(r#"{"type":9,"sequenceId":1.5}"#),
        "Either the JSON value is not in a supported format, or is out of bounds for an Int64."
    );
    assert_eq!(
        error(r#"{"type":1.0}"#),
        "Either the JSON value is not in a supported format, or is out of bounds for an Int32."
    );
    assert_eq!(
        error(r#"{"type":4294967297}"#),
        "Either the JSON value is not in a supported format, or is out of bounds for an Int32."
    );
    // A malformed token is a syntax error before it is a type error.
    assert_eq!(error(r#"{"type":"abc"#), "Error reading JSON.");
    assert_eq!(error(r#"{"type":tru}"#), "Error reading JSON.");
    assert_eq!(error("nul"), "Error reading JSON.");
    assert_eq!(error("42x"), "Error reading JSON.");
    assert_eq!(error("]"), "Error reading JSON.");
    assert_eq!(error("true"), "Unexpected JSON Token Type 'True'. Expected a JSON Object.");
    // Comments and trailing commas are rejected, as .NET's default options do.
    assert_eq!(error(r#"{"type":6,}"#), "Error reading JSON.");
    assert_eq!(error(r#"{"type":6 /* ping */}"#), "Error reading JSON.");
    // Property names are compared after unescaping.
    assert_eq!(message(r#"{"t\u0079pe":6}"#), HubMessage::Ping);
    // The last of a repeated property wins.
    assert_eq!(message(r#"{"type":1,"type":6}"#), HubMessage::Ping);
}

/// §5.1: `"result": null` is a (null) result; no `result` is void; `""` invocation ids.
#[test]
fn presence_and_empty_ids() {
    let HubMessage::Completion(c) = message(r#"{"type":3,"invocationId":"1","result":null}"#) else { panic!() };
    assert!(matches!(c.outcome, Outcome::Result(r) if r.is_null()));
    let HubMessage::Invocation(i) = message(r#"{"type":1,"invocationId":"","target":"a","arguments":[]}"#) else {
        panic!()
    };
    assert_eq!(i.invocation_id.as_deref(), Some(""));
    assert!(i.is_non_blocking());
    for json in [
        r#"{"type":2,"invocationId":"","item":1}"#,
        r#"{"type":3,"invocationId":""}"#,
        r#"{"type":4,"invocationId":"","target":"a","arguments":[]}"#,
        r#"{"type":5,"invocationId":""}"#,
    ] {
        assert_eq!(error(json), "Missing required property 'invocationId'.", "{json}");
    }
    assert_eq!(error(r#"{"type":1,"target":"","arguments":[]}"#), "Missing required property 'target'.");
}

/// §10 and §11 wire forms.
#[test]
fn ack_sequence_close() {
    assert_eq!(message(r#"{"type":8,"sequenceId":1394}"#), HubMessage::Ack { sequence_id: 1394 });
    assert_eq!(message(r#"{"type":9,"sequenceId":1234}"#), HubMessage::Sequence { sequence_id: 1234 });
    assert_eq!(message(r#"{"type":7}"#), HubMessage::Close(Close::default()));
    let close: HubMessage<'_, RawJson<'_>> = HubMessage::Close(Close { error: None, allow_reconnect: true });
    assert_eq!(write(&close), r#"{"type":7,"allowReconnect":true}"#);
    let close: HubMessage<'_, RawJson<'_>> =
        HubMessage::Close(Close { error: Some("Connection closed with an error.".into()), allow_reconnect: false });
    assert_eq!(write(&close), r#"{"type":7,"error":"Connection closed with an error."}"#);
    assert_eq!(message(r#"{"type":8,"sequenceId":9223372036854775807}"#), HubMessage::Ack { sequence_id: i64::MAX });
}

/// Escapes, surrogate pairs included, are decoded; a lone surrogate is refused.
#[test]
fn escapes() {
    let HubMessage::Completion(c) =
        message(r#"{"type":3,"invocationId":"a\"b\\c\/d\u00e9\ud83d\ude00","error":"line\nbreak\ttab"}"#)
    else {
        panic!()
    };
    assert_eq!(c.invocation_id, "a\"b\\c/dé😀");
    assert!(!c.invocation_id.is_borrowed());
    assert_eq!(c.outcome, Outcome::Error("line\nbreak\ttab".into()));
    assert_eq!(error(r#"{"type":5,"invocationId":"\ud83d"}"#), "Error reading JSON.");
    assert_eq!(error(r#"{"type":5,"invocationId":"\ude00x"}"#), "Error reading JSON.");
    // Raw control characters and invalid UTF-8 are syntax errors.
    assert_eq!(error("{\"type\":5,\"invocationId\":\"a\nb\"}"), "Error reading JSON.");
    let mut bad = br#"{"type":5,"invocationId":"a"#.to_vec();
    bad.extend_from_slice(&[0xC3, 0x28, b'"', b'}']);
    assert_eq!(common::protocol_parse_bytes(&bad).unwrap_err().message().to_string(), "Error reading JSON.");
}

/// §9 and the issue: depth (the envelope included) and counts are bounded.
#[test]
fn limits() {
    let nested =
        |depth: usize| format!(r#"{{"type":2,"invocationId":"1","item":{}1{}}}"#, "[".repeat(depth), "]".repeat(depth));
    assert!(parse(&nested(63)).is_ok());
    let err = parse(&nested(64)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit);
    assert_eq!(err.message().to_string(), "Error reading JSON.");
    let deep = format!(r#"{{"type":1,"target":"a","arguments":{}}}"#, "[".repeat(100_000));
    assert!(parse(&deep).is_err());

    let p = JsonHubProtocol::with_limits(
        Limits::default().with_max_arguments(2).with_max_headers(1).with_max_stream_ids(1),
    );
    use signalr_codec_core::HubProtocol;
    assert!(p.parse(br#"{"type":1,"target":"a","arguments":[1,2]}"#).is_ok());
    assert_eq!(p.parse(br#"{"type":1,"target":"a","arguments":[1,2,3]}"#).unwrap_err().kind(), ErrorKind::Limit);
    assert_eq!(p.parse(br#"{"type":6,"headers":{"a":"1","b":"2"}}"#).unwrap_err().kind(), ErrorKind::Limit);
    assert_eq!(
        p.parse(br#"{"type":1,"target":"a","arguments":[],"streamIds":["1","2"]}"#).unwrap_err().kind(),
        ErrorKind::Limit
    );
}

/// Records exactly as the official JavaScript client writes them (`shared/bench/payloads.json`).
#[test]
fn javascript_client_records() {
    let HubMessage::Invocation(i) = message(
        r#"{"type":1,"target":"SendMessage","arguments":["alice","Hello there, how are you doing today? 12345"]}"#,
    ) else {
        panic!()
    };
    let (user, text): (&str, &str) = i.arguments.bind().unwrap();
    assert_eq!((user, text), ("alice", "Hello there, how are you doing today? 12345"));
    let HubMessage::Completion(c) =
        message(r#"{"type":3,"invocationId":"123","result":{"ok":true,"count":42,"id":"a6f1c2d4","items":[1,2,3]}}"#)
    else {
        panic!()
    };
    assert_eq!(c.outcome.result().unwrap().get(), r#"{"ok":true,"count":42,"id":"a6f1c2d4","items":[1,2,3]}"#);
    let medium = r#"{"type":1,"invocationId":"17","target":"UpdateOrder","arguments":[{"orderId":"ord-2024-000017","customer":{"id":4242,"name":"Jane Example","email":"jane@example.com","vip":true},"createdAt":"2024-05-17T10:15:30.123Z","status":"processing","items":[{"id":0,"sku":"SKU-00100000","name":"Item number 0","price":0.99,"quantity":0,"active":false,"tags":["tag0","group0"],"description":"Lorem ipsum dolor sit amet, consectetur "}],"total":1234.56,"notes":"Lorem ipsum"}]}"#;
    let HubMessage::Invocation(i) = message(medium) else { panic!() };
    let order: serde_json::Value = i.arguments.argument(0).unwrap();
    assert_eq!(order["customer"]["id"], 4242);
    assert_eq!(i.arguments.len(), 1);
}

#[test]
fn completions_in_all_three_forms() {
    let void: HubMessage<'_, RawJson<'_>> = HubMessage::Completion(Completion::void("1"));
    assert_eq!(write(&void), r#"{"type":3,"invocationId":"1"}"#);
    let null: HubMessage<'_, RawJson<'_>> = HubMessage::Completion(Completion::result("1", RawJson::NULL));
    assert_eq!(write(&null), r#"{"type":3,"invocationId":"1","result":null}"#);
}
