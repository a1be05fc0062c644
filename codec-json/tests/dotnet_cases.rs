//! The cases of the .NET `JsonHubProtocol` tests (`JsonHubProtocolTestsBase`, `JsonHubProtocolTests`
//! in dotnet/aspnetcore), restated: every valid record parses into the same message and writes
//! back to the same bytes; every invalid record fails with the same text.
#![allow(clippy::approx_constant)] // 6.2831853071 is the .NET tests' value

mod common;

use common::{error, message, parse, raw, write};
use serde::Serialize;
use signalr_codec_core::{
    CancelInvocation, Close, Completion, ErrorKind, Headers, HubMessage, Invocation, Outcome, Parsed, StreamIds,
    StreamInvocation, StreamItem,
};
use signalr_codec_json::{RawJson, Serialized};

/// The .NET tests' `TestHeaders`.
const TEST_HEADERS: &[(&str, &str)] =
    &[("Foo", "Bar"), ("KeyWith\nNew\r\nLines", "Still Works"), ("ValueWithNewLines", "Also\nWorks\r\nFine")];
/// The .NET tests' `SerializedHeaders`.
const SERIALIZED_HEADERS: &str =
    r#""headers":{"Foo":"Bar","KeyWith\nNew\r\nLines":"Still Works","ValueWithNewLines":"Also\nWorks\r\nFine"}"#;

const CUSTOM_CAMEL: &str = r#"{"stringProp":"SignalR!","doubleProp":6.2831853071,"intProp":42,"dateTimeProp":"2017-04-11T00:00:00Z","byteArrProp":"AQID"}"#;
const CUSTOM_CAMEL_NULL: &str = r#"{"stringProp":"SignalR!","doubleProp":6.2831853071,"intProp":42,"dateTimeProp":"2017-04-11T00:00:00Z","nullProp":null,"byteArrProp":"AQID"}"#;
const CUSTOM_PASCAL: &str = r#"{"StringProp":"SignalR!","DoubleProp":6.2831853071,"IntProp":42,"DateTimeProp":"2017-04-11T00:00:00Z","ByteArrProp":"AQID"}"#;
const CUSTOM_PASCAL_NULL: &str = r#"{"StringProp":"SignalR!","DoubleProp":6.2831853071,"IntProp":42,"DateTimeProp":"2017-04-11T00:00:00Z","NullProp":null,"ByteArrProp":"AQID"}"#;

fn h(json: &str) -> String {
    json.replace("HEADERS", SERIALIZED_HEADERS)
}

fn with_headers<V>(mut m: HubMessage<'static, V>) -> HubMessage<'static, V> {
    let headers = Headers::from_pairs(TEST_HEADERS);
    match &mut m {
        HubMessage::Invocation(x) => x.headers = headers,
        HubMessage::StreamItem(x) => x.headers = headers,
        HubMessage::Completion(x) => x.headers = headers,
        HubMessage::StreamInvocation(x) => x.headers = headers,
        HubMessage::CancelInvocation(x) => x.headers = headers,
        _ => unreachable!(),
    }
    m
}

fn inv(id: Option<&'static str>, target: &'static str, args: &'static str) -> HubMessage<'static, RawJson<'static>> {
    let mut m = Invocation::new(target, raw(args));
    m.invocation_id = id.map(Into::into);
    HubMessage::Invocation(m)
}

fn inv_streams(
    target: &'static str,
    args: &'static str,
    ids: &'static [&'static str],
) -> HubMessage<'static, RawJson<'static>> {
    let mut m = Invocation::new(target, raw(args));
    m.stream_ids = StreamIds::from_slice(ids);
    HubMessage::Invocation(m)
}

fn sinv(id: &'static str, target: &'static str, args: &'static str) -> HubMessage<'static, RawJson<'static>> {
    HubMessage::StreamInvocation(StreamInvocation::new(id, target, raw(args)))
}

fn item(id: &'static str, json: &'static str) -> HubMessage<'static, RawJson<'static>> {
    HubMessage::StreamItem(StreamItem::new(id, raw(json)))
}

fn result(id: &'static str, json: &'static str) -> HubMessage<'static, RawJson<'static>> {
    HubMessage::Completion(Completion::result(id, raw(json)))
}

/// `ProtocolTestData` (plus the `CustomProtocolTestData` of the System.Text.Json tests): the
/// message, and the exact JSON .NET writes for it and parses back.
fn protocol_test_data() -> Vec<(&'static str, String, HubMessage<'static, RawJson<'static>>)> {
    let custom_arg = |c: &'static str| -> &'static str { Box::leak(format!("[{c}]").into_boxed_str()) };
    let mut sinv_streams = StreamInvocation::new("123", "Target", raw("[]"));
    sinv_streams.stream_ids = StreamIds::from_slice(&["__test_id__"]);
    vec![
        (
            "InvocationMessage_HasInvocationId",
            r#"{"type":1,"invocationId":"123","target":"Target","arguments":[1,"Foo"]}"#.into(),
            inv(Some("123"), "Target", r#"[1,"Foo"]"#),
        ),
        (
            "InvocationMessage_HasBoolArgument",
            r#"{"type":1,"target":"Target","arguments":[true]}"#.into(),
            inv(None, "Target", "[true]"),
        ),
        (
            "InvocationMessage_HasNullArgument",
            r#"{"type":1,"target":"Target","arguments":[null]}"#.into(),
            inv(None, "Target", "[null]"),
        ),
        (
            "InvocationMessage_HasStreamArgument",
            r#"{"type":1,"target":"Target","arguments":[],"streamIds":["__test_id__"]}"#.into(),
            inv_streams("Target", "[]", &["__test_id__"]),
        ),
        (
            "InvocationMessage_HasStreamAndNormalArgument",
            r#"{"type":1,"target":"Target","arguments":[42],"streamIds":["__test_id__"]}"#.into(),
            inv_streams("Target", "[42]", &["__test_id__"]),
        ),
        (
            "InvocationMessage_HasMultipleStreams",
            r#"{"type":1,"target":"Target","arguments":[],"streamIds":["__test_id__","__test_id2__"]}"#.into(),
            inv_streams("Target", "[]", &["__test_id__", "__test_id2__"]),
        ),
        (
            "InvocationMessage_DateTimeOffsetArgument",
            r#"{"type":1,"target":"Method","arguments":["2016-05-10T13:51:20+12:34"]}"#.into(),
            inv(None, "Method", r#"["2016-05-10T13:51:20+12:34"]"#),
        ),
        (
            "InvocationMessage_StringIsoDateArgument",
            r#"{"type":1,"target":"Method","arguments":["2016-05-10T13:51:20+12:34"]}"#.into(),
            inv(None, "Method", r#"["2016-05-10T13:51:20+12:34"]"#),
        ),
        (
            "InvocationMessage_HasNonAsciiArgument",
            r#"{"type":1,"target":"Method","arguments":["מחרוזת כלשהי"]}"#.into(),
            inv(None, "Method", r#"["מחרוזת כלשהי"]"#),
        ),
        (
            "InvocationMessage_HasCustomArgumentWithNoCamelCase",
            format!(r#"{{"type":1,"target":"Target","arguments":[{CUSTOM_PASCAL}]}}"#),
            inv(None, "Target", custom_arg(CUSTOM_PASCAL)),
        ),
        (
            "InvocationMessage_HasCustomArgumentWithNullValueIgnore",
            format!(r#"{{"type":1,"target":"Target","arguments":[{CUSTOM_CAMEL}]}}"#),
            inv(None, "Target", custom_arg(CUSTOM_CAMEL)),
        ),
        (
            "InvocationMessage_HasCustomArgumentWithNullValueIgnoreAndNoCamelCase",
            format!(r#"{{"type":1,"target":"Target","arguments":[{CUSTOM_PASCAL_NULL}]}}"#),
            inv(None, "Target", custom_arg(CUSTOM_PASCAL_NULL)),
        ),
        (
            "InvocationMessage_HasCustomArgumentWithNullValueInclude",
            format!(r#"{{"type":1,"target":"Target","arguments":[{CUSTOM_CAMEL_NULL}]}}"#),
            inv(None, "Target", custom_arg(CUSTOM_CAMEL_NULL)),
        ),
        (
            "InvocationMessage_HasFloatArgument",
            r#"{"type":1,"target":"Target","arguments":[1,"Foo",2]}"#.into(),
            inv(None, "Target", r#"[1,"Foo",2]"#),
        ),
        (
            "InvocationMessage_HasHeaders",
            h(r#"{"type":1,HEADERS,"invocationId":"123","target":"Target","arguments":[1,"Foo",2]}"#),
            with_headers(inv(Some("123"), "Target", r#"[1,"Foo",2]"#)),
        ),
        (
            "StreamItemMessage_HasHeaders",
            h(&format!(r#"{{"type":2,HEADERS,"invocationId":"123","item":{CUSTOM_CAMEL_NULL}}}"#)),
            with_headers(item("123", CUSTOM_CAMEL_NULL)),
        ),
        (
            "StreamItemMessage_HasCustomItemWithNoCamelCase",
            format!(r#"{{"type":2,"invocationId":"123","item":{CUSTOM_PASCAL}}}"#),
            item("123", CUSTOM_PASCAL),
        ),
        (
            "StreamItemMessage_HasCustomItemWithNullValueIgnore",
            format!(r#"{{"type":2,"invocationId":"123","item":{CUSTOM_CAMEL}}}"#),
            item("123", CUSTOM_CAMEL),
        ),
        (
            "StreamItemMessage_HasCustomItemWithNullValueIgnoreAndNoCamelCase",
            format!(r#"{{"type":2,"invocationId":"123","item":{CUSTOM_PASCAL_NULL}}}"#),
            item("123", CUSTOM_PASCAL_NULL),
        ),
        (
            "StreamItemMessage_HasCustomItemWithNullValueInclude",
            format!(r#"{{"type":2,"invocationId":"123","item":{CUSTOM_CAMEL_NULL}}}"#),
            item("123", CUSTOM_CAMEL_NULL),
        ),
        ("StreamItemMessage_HasIntegerItem", r#"{"type":2,"invocationId":"123","item":1}"#.into(), item("123", "1")),
        (
            "StreamItemMessage_HasStringItem",
            r#"{"type":2,"invocationId":"123","item":"Foo"}"#.into(),
            item("123", r#""Foo""#),
        ),
        ("StreamItemMessage_HasBoolItem", r#"{"type":2,"invocationId":"123","item":true}"#.into(), item("123", "true")),
        ("StreamItemMessage_HasNullItem", r#"{"type":2,"invocationId":"123","item":null}"#.into(), item("123", "null")),
        ("StreamItemMessage_HasFloatItem", r#"{"type":2,"invocationId":"123","item":2}"#.into(), item("123", "2")),
        (
            "CompletionMessage_HasCustomResultWithNoCamelCase",
            format!(r#"{{"type":3,"invocationId":"123","result":{CUSTOM_PASCAL}}}"#),
            result("123", CUSTOM_PASCAL),
        ),
        (
            "CompletionMessage_HasCustomResultWithNullValueIgnore",
            format!(r#"{{"type":3,"invocationId":"123","result":{CUSTOM_CAMEL}}}"#),
            result("123", CUSTOM_CAMEL),
        ),
        (
            "CompletionMessage_HasCustomResultWithNullValueIncludeAndNoCamelCase",
            format!(r#"{{"type":3,"invocationId":"123","result":{CUSTOM_PASCAL_NULL}}}"#),
            result("123", CUSTOM_PASCAL_NULL),
        ),
        (
            "CompletionMessage_HasCustomResultWithNullValueInclude",
            format!(r#"{{"type":3,"invocationId":"123","result":{CUSTOM_CAMEL_NULL}}}"#),
            result("123", CUSTOM_CAMEL_NULL),
        ),
        (
            "CompletionMessage_HasErrorAndCamelCase",
            r#"{"type":3,"invocationId":"123"}"#.into(),
            HubMessage::Completion(Completion::void("123")),
        ),
        (
            "CompletionMessage_HasTestHeadersAndCustomItemResult",
            h(&format!(r#"{{"type":3,HEADERS,"invocationId":"123","result":{CUSTOM_CAMEL_NULL}}}"#)),
            with_headers(result("123", CUSTOM_CAMEL_NULL)),
        ),
        (
            "CompletionMessage_HasErrorAndHeadersAndCamelCase",
            h(r#"{"type":3,HEADERS,"invocationId":"123"}"#),
            with_headers(HubMessage::Completion(Completion::void("123"))),
        ),
        (
            "CompletionMessage_HasIntegerResult",
            r#"{"type":3,"invocationId":"123","result":1}"#.into(),
            result("123", "1"),
        ),
        (
            "CompletionMessage_HasStringResult",
            r#"{"type":3,"invocationId":"123","result":"Foo"}"#.into(),
            result("123", r#""Foo""#),
        ),
        (
            "CompletionMessage_HasBoolResult",
            r#"{"type":3,"invocationId":"123","result":true}"#.into(),
            result("123", "true"),
        ),
        (
            "CompletionMessage_HasNullResult",
            r#"{"type":3,"invocationId":"123","result":null}"#.into(),
            result("123", "null"),
        ),
        (
            "CompletionMessage_HasFloatResult",
            r#"{"type":3,"invocationId":"123","result":2}"#.into(),
            result("123", "2"),
        ),
        (
            "CompletionMessage_HasError",
            r#"{"type":3,"invocationId":"123","error":"Whoops!"}"#.into(),
            HubMessage::Completion(Completion::error("123", "Whoops!")),
        ),
        (
            "CompletionMessage_HasErrorAndHeaders",
            h(r#"{"type":3,HEADERS,"invocationId":"123","error":"Whoops!"}"#),
            with_headers(HubMessage::Completion(Completion::error("123", "Whoops!"))),
        ),
        (
            "StreamInvocationMessage_HasHeaders",
            h(&format!(
                r#"{{"type":4,HEADERS,"invocationId":"123","target":"Target","arguments":[{CUSTOM_CAMEL_NULL}]}}"#
            )),
            with_headers(sinv("123", "Target", custom_arg(CUSTOM_CAMEL_NULL))),
        ),
        (
            "StreamInvocationMessage_HasCustomArgumentWithNoCamelCase",
            format!(r#"{{"type":4,"invocationId":"123","target":"Target","arguments":[{CUSTOM_PASCAL}]}}"#),
            sinv("123", "Target", custom_arg(CUSTOM_PASCAL)),
        ),
        (
            "StreamInvocationMessage_HasCustomArgumentWithNullValueIgnore",
            format!(r#"{{"type":4,"invocationId":"123","target":"Target","arguments":[{CUSTOM_CAMEL}]}}"#),
            sinv("123", "Target", custom_arg(CUSTOM_CAMEL)),
        ),
        (
            "StreamInvocationMessage_HasCustomArgumentWithNullValueIgnoreAndNoCamelCase",
            format!(r#"{{"type":4,"invocationId":"123","target":"Target","arguments":[{CUSTOM_PASCAL_NULL}]}}"#),
            sinv("123", "Target", custom_arg(CUSTOM_PASCAL_NULL)),
        ),
        (
            "StreamInvocationMessage_HasCustomArgumentWithNullValueInclude",
            format!(r#"{{"type":4,"invocationId":"123","target":"Target","arguments":[{CUSTOM_CAMEL_NULL}]}}"#),
            sinv("123", "Target", custom_arg(CUSTOM_CAMEL_NULL)),
        ),
        (
            "StreamInvocationMessage_HasInvocationId",
            r#"{"type":4,"invocationId":"123","target":"Target","arguments":[1,"Foo"]}"#.into(),
            sinv("123", "Target", r#"[1,"Foo"]"#),
        ),
        (
            "StreamInvocationMessage_HasBoolArgument",
            r#"{"type":4,"invocationId":"123","target":"Target","arguments":[true]}"#.into(),
            sinv("123", "Target", "[true]"),
        ),
        (
            "StreamInvocationMessage_HasNullArgument",
            r#"{"type":4,"invocationId":"123","target":"Target","arguments":[null]}"#.into(),
            sinv("123", "Target", "[null]"),
        ),
        (
            "StreamInvocationMessage_HasStreamArgument",
            r#"{"type":4,"invocationId":"123","target":"Target","arguments":[],"streamIds":["__test_id__"]}"#.into(),
            HubMessage::StreamInvocation(sinv_streams),
        ),
        (
            "StreamInvocationMessage_HasFloatArgument",
            r#"{"type":4,"invocationId":"123","target":"Target","arguments":[1,"Foo",2]}"#.into(),
            sinv("123", "Target", r#"[1,"Foo",2]"#),
        ),
        (
            "CancelInvocationMessage_HasInvocationId",
            r#"{"type":5,"invocationId":"123"}"#.into(),
            HubMessage::CancelInvocation(CancelInvocation::new("123")),
        ),
        (
            "CancelInvocationMessage_HasHeaders",
            h(r#"{"type":5,HEADERS,"invocationId":"123"}"#),
            with_headers(HubMessage::CancelInvocation(CancelInvocation::new("123"))),
        ),
        ("PingMessage", r#"{"type":6}"#.into(), HubMessage::Ping),
        ("CloseMessage", r#"{"type":7}"#.into(), HubMessage::Close(Close::default())),
        (
            "CloseMessage_HasError",
            r#"{"type":7,"error":"Error!"}"#.into(),
            HubMessage::Close(Close { error: Some("Error!".into()), allow_reconnect: false }),
        ),
        (
            "CloseMessage_HasErrorEmptyString",
            r#"{"type":7,"error":""}"#.into(),
            HubMessage::Close(Close { error: Some("".into()), allow_reconnect: false }),
        ),
        (
            "CloseMessage_HasAllowReconnect",
            r#"{"type":7,"allowReconnect":true}"#.into(),
            HubMessage::Close(Close { error: None, allow_reconnect: true }),
        ),
        (
            "CloseMessage_HasErrorAndAllowReconnect",
            r#"{"type":7,"error":"Error!","allowReconnect":true}"#.into(),
            HubMessage::Close(Close { error: Some("Error!".into()), allow_reconnect: true }),
        ),
        // Ack and Sequence as the .NET writer writes them (and as the spec's examples show).
        ("AckMessage", r#"{"type":8,"sequenceId":1394}"#.into(), HubMessage::Ack { sequence_id: 1394 }),
        ("SequenceMessage", r#"{"type":9,"sequenceId":1234}"#.into(), HubMessage::Sequence { sequence_id: 1234 }),
    ]
}

#[test]
fn protocol_test_data_parses_and_writes_like_dotnet() {
    for (name, json, expected) in protocol_test_data() {
        // (Headers are invariant in their lifetime: compare messages borrowing for 'static.)
        let json: &'static str = Box::leak(json.into_boxed_str());
        let parsed = message(json);
        assert_eq!(parsed, expected, "{name}: parse");
        assert_eq!(write(&parsed), json, "{name}: write of the parsed message");
        assert_eq!(write(&expected), json, "{name}: write of the expected message");
    }
}

#[test]
fn parsed_strings_and_payloads_borrow_from_the_record() {
    let json =
        h(r#"{"type":1,HEADERS,"invocationId":"123","target":"Target","arguments":[1,"Foo",2],"streamIds":["a"]}"#);
    let HubMessage::Invocation(m) = message(&json) else { panic!() };
    assert!(m.target.is_borrowed());
    assert!(m.invocation_id.as_ref().unwrap().is_borrowed());
    let headers: Vec<_> = m.headers.iter().collect();
    assert!(headers[0].0.is_borrowed() && headers[0].1.is_borrowed());
    assert!(!headers[1].0.is_borrowed(), "escaped header names are decoded");
    assert_eq!(headers[1].0, "KeyWith\nNew\r\nLines");
    assert_eq!(m.headers.get("ValueWithNewLines").as_deref(), Some("Also\nWorks\r\nFine"));
    assert!(m.stream_ids.iter().all(|id| id.is_borrowed()));
    let range = json.as_bytes().as_ptr_range();
    assert!(range.contains(&m.arguments.get().as_ptr()));
}

/// The CustomObject of the .NET tests, with the property naming of each protocol option.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CustomCamel {
    string_prop: &'static str,
    double_prop: f64,
    int_prop: i32,
    date_time_prop: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    null_prop: Option<&'static str>,
    byte_arr_prop: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct CustomPascal {
    string_prop: &'static str,
    double_prop: f64,
    int_prop: i32,
    date_time_prop: &'static str,
    null_prop: Option<&'static str>,
    byte_arr_prop: &'static str,
}

const CAMEL: CustomCamel = CustomCamel {
    string_prop: "SignalR!",
    double_prop: 6.2831853071,
    int_prop: 42,
    date_time_prop: "2017-04-11T00:00:00Z",
    null_prop: None,
    byte_arr_prop: "AQID",
};

#[test]
fn serialized_payloads_write_like_dotnet() {
    let m = HubMessage::Invocation(Invocation::new("Target", Serialized((1, "Foo", 2.0f32))));
    assert_eq!(write(&m), r#"{"type":1,"target":"Target","arguments":[1,"Foo",2]}"#);
    let m = HubMessage::Invocation(Invocation::new("Method", Serialized(["מחרוזת כלשהי"])));
    assert_eq!(write(&m), r#"{"type":1,"target":"Method","arguments":["מחרוזת כלשהי"]}"#);
    let m = HubMessage::Invocation(Invocation::new("Target", Serialized([&CAMEL])));
    assert_eq!(write(&m), format!(r#"{{"type":1,"target":"Target","arguments":[{CUSTOM_CAMEL}]}}"#));
    let pascal = CustomPascal {
        string_prop: "SignalR!",
        double_prop: 6.2831853071,
        int_prop: 42,
        date_time_prop: "2017-04-11T00:00:00Z",
        null_prop: None,
        byte_arr_prop: "AQID",
    };
    let m = HubMessage::StreamItem(StreamItem::new("123", Serialized(&pascal)));
    assert_eq!(write(&m), format!(r#"{{"type":2,"invocationId":"123","item":{CUSTOM_PASCAL_NULL}}}"#));
    let m = HubMessage::Completion(Completion::result("123", Serialized(2.0f32)));
    assert_eq!(write(&m), r#"{"type":3,"invocationId":"123","result":2}"#);
    let m = HubMessage::Completion(Completion::result("123", Serialized(None::<i32>)));
    assert_eq!(write(&m), r#"{"type":3,"invocationId":"123","result":null}"#);
    let m = HubMessage::StreamItem(StreamItem::new("123", Serialized(())));
    assert_eq!(write(&m), r#"{"type":2,"invocationId":"123","item":null}"#);
    let mut m = Invocation::new("Target", Serialized((1, "Foo", 2.0f32))).with_invocation_id("123");
    m.headers = Headers::from_pairs(TEST_HEADERS);
    assert_eq!(
        write(&HubMessage::Invocation(m)),
        h(r#"{"type":1,HEADERS,"invocationId":"123","target":"Target","arguments":[1,"Foo",2]}"#)
    );
}

/// `OutOfOrderJsonTestData`.
#[test]
fn out_of_order_json() {
    let cases = [
        (
            r#"{ "arguments": ["2016-05-10T13:51:20+12:34"], "type":1, "target": "Method" }"#,
            inv(None, "Method", r#"["2016-05-10T13:51:20+12:34"]"#),
        ),
        (r#"{ "arguments": [1,2], "type":1, "target": "Method" }"#, inv(None, "Method", "[1,2]")),
        (r#"{ "type":4, "arguments": [1,2], "target": "Method", "invocationId": "3" }"#, sinv("3", "Method", "[1,2]")),
        (r#"{ "type":3, "result": 10, "invocationId": "15" }"#, result("15", "10")),
        (r#"{ "item": "foo", "invocationId": "1a", "type":2 }"#, item("1a", r#""foo""#)),
    ];
    for (json, expected) in cases {
        assert_eq!(message(json), expected, "{json}");
    }
}

/// `InvalidMessages` and `CustomInvalidMessages`: the exact .NET texts.
#[test]
fn invalid_messages() {
    let cases = [
        ("null", "Unexpected JSON Token Type 'Null'. Expected a JSON Object."),
        (r#""foo""#, "Unexpected JSON Token Type 'String'. Expected a JSON Object."),
        ("[42]", "Unexpected JSON Token Type 'Array'. Expected a JSON Object."),
        ("{}", "Missing required property 'type'."),
        (
            r#"{"type":1,"headers":{"Foo": 42},"target":"test",arguments:[]}"#,
            "Expected header 'Foo' to be of type String.",
        ),
        (
            r#"{"type":1,"headers":{"Foo": true},"target":"test",arguments:[]}"#,
            "Expected header 'Foo' to be of type String.",
        ),
        (
            r#"{"type":1,"headers":{"Foo": null},"target":"test",arguments:[]}"#,
            "Expected header 'Foo' to be of type String.",
        ),
        (
            r#"{"type":1,"headers":{"Foo": []},"target":"test",arguments:[]}"#,
            "Expected header 'Foo' to be of type String.",
        ),
        (r#"{"type":1}"#, "Missing required property 'target'."),
        (r#"{"type":1,"invocationId":42}"#, "Expected 'invocationId' to be of type String."),
        (r#"{"type":1,"invocationId":"42"}"#, "Missing required property 'target'."),
        (r#"{"type":1,"invocationId":"42","target":42}"#, "Expected 'target' to be of type String."),
        (r#"{"type":1,"invocationId":"42","target":"foo"}"#, "Missing required property 'arguments'."),
        (
            r#"{"type":1,"invocationId":"42","target":"foo","arguments":{}}"#,
            "Expected 'arguments' to be of type Array.",
        ),
        (
            r#"{"type":1,"arguments":[1,"",{"1":1,"2":2}]},"invocationId":"42","target":"foo""#,
            "Missing required property 'target'.",
        ),
        (r#"{"type":2}"#, "Missing required property 'invocationId'."),
        (r#"{"type":2,"invocationId":42}"#, "Expected 'invocationId' to be of type String."),
        (r#"{"type":2,"invocationId":"42"}"#, "Missing required property 'item'."),
        (r#"{"type":3}"#, "Missing required property 'invocationId'."),
        (r#"{"type":3,"invocationId":42}"#, "Expected 'invocationId' to be of type String."),
        (r#"{"type":3,"invocationId":"42","error":[]}"#, "Expected 'error' to be of type String."),
        (r#"{"type":4}"#, "Missing required property 'target'."),
        (r#"{"type":4,"invocationId":42}"#, "Expected 'invocationId' to be of type String."),
        (r#"{"type":4,"invocationId":"42","target":42}"#, "Expected 'target' to be of type String."),
        (r#"{"type":4,"invocationId":"42","target":"foo"}"#, "Missing required property 'arguments'."),
        (
            r#"{"type":4,"invocationId":"42","target":"foo","arguments":{}}"#,
            "Expected 'arguments' to be of type Array.",
        ),
        (
            r#"{"type":3,"invocationId":"42","error":"foo","result":true}"#,
            "The 'error' and 'result' properties are mutually exclusive.",
        ),
        // CustomInvalidMessages (System.Text.Json protocol).
        ("", "Error reading JSON."),
        ("42", "Unexpected JSON Token Type 'Number'. Expected a JSON Object."),
        (r#"{"type":"foo"}"#, "Expected 'type' to be of type Number."),
        (r#"{"type":3,"invocationId":"42","result":true"#, "Error reading JSON."),
        (r#"{"type":8,"sequenceId":true}"#, "Expected 'sequenceId' to be of type Number."),
        (r#"{"type":9,"sequenceId":"value"}"#, "Expected 'sequenceId' to be of type Number."),
        // InvalidNestingWhileBindingTypesFails.
        (r#"{"type":1,"invocationId":"42","target":"foo","arguments":[[}]}"#, "Error reading JSON."),
    ];
    for (json, text) in cases {
        let err = parse(json).expect_err(json);
        assert_eq!(err.message().to_string(), text, "{json}");
        assert!(err.offset().is_some(), "{json}: no offset");
    }
}

#[test]
fn error_kinds_and_offsets() {
    let kind = |json: &str| parse(json).unwrap_err().kind();
    assert_eq!(kind(""), ErrorKind::Syntax);
    assert_eq!(kind("{"), ErrorKind::Syntax);
    assert_eq!(kind("null"), ErrorKind::Type);
    assert_eq!(kind(r#"{"type":1}"#), ErrorKind::Missing);
    assert_eq!(kind(r#"{"type":3,"invocationId":"42","error":"foo","result":true}"#), ErrorKind::Invalid);
    assert_eq!(kind(r#"{"type":1,"invocationId":42}"#), ErrorKind::Type);
    let err = parse(r#"{"type":1,"invocationId":42}"#).unwrap_err();
    assert_eq!(err.offset(), Some(25));
    let err = parse(r#"{"type":1,"target":"x","arguments":[1,}"#).unwrap_err();
    assert_eq!(err.offset(), Some(38));
    let err = parse(r#"{"type":1}"#).unwrap_err();
    assert_eq!(err.offset(), Some(9));
}

/// `ExtraItemsInMessageAreIgnored`, and properties that belong to other message types.
#[test]
fn extra_and_foreign_properties_are_ignored() {
    let m = message(r#"{"type":1,"invocationId":"42","target":"foo","arguments":[],"extraParameter":"1"}"#);
    assert_eq!(m, inv(Some("42"), "foo", "[]"));
    // DateTimeReturnValuePreservesUtcKind's records: a Completion with `target`/`arguments`.
    for json in [
        r#"{"type":3,"invocationId":"42","target":"foo","arguments":[],"result":"2007-03-01T13:00:00Z"}"#,
        r#"{"type":3,"target":"foo","arguments":[],"result":"2007-03-01T13:00:00Z","invocationId":"42"}"#,
    ] {
        assert_eq!(message(json), result("42", r#""2007-03-01T13:00:00Z""#));
    }
    // Headers on messages that have none are read and dropped.
    assert_eq!(message(r#"{"type":6,"headers":{"a":"b"}}"#), HubMessage::Ping);
    // Unknown message types are skipped after the whole object was checked.
    assert_eq!(parse(r#"{"type":99,"whatever":[1,{"x":2}]}"#).unwrap(), Parsed::Skipped { message_type: 99 });
    assert_eq!(error(r#"{"type":99,"invocationId":null}"#), "Expected 'invocationId' to be of type String.");
}

/// `ArgumentBindingErrors`, `DateTimeArgumentPreservesUtcKind` and
/// `ReadToEndOfArgumentArrayOnError`: binding is the caller's, on the raw arguments; the record
/// itself parses, and the arity check gives .NET's text.
#[test]
fn argument_binding_is_on_demand() {
    let cases = [
        (r#"{"type":1,"invocationId":"42","target":"foo","arguments":[]}"#, 0),
        (r#"{"type":1,"arguments":[], "invocationId":"42","target":"foo"}"#, 0),
        (r#"{"type":1,"invocationId":"42","target":"foo","arguments":[ "abc", "xyz"]}"#, 2),
        (r#"{"type":1,"invocationId":"42","arguments":[ "abc", "xyz"], "target":"foo"}"#, 2),
        (r#"{"type":4,"invocationId":"42","target":"foo","arguments":[]}"#, 0),
        (r#"{"type":4,"invocationId":"42","target":"foo","arguments":[ "abc", "xyz"]}"#, 2),
        (r#"{"type":1,"invocationId":"42","target":"foo","arguments":[1,"",{"1":1,"2":2}]}"#, 3),
        (r#"{"type":1,"invocationId":"42","target":"foo","arguments":[1,[1]]}"#, 2),
        (r#"{"type":1,"invocationId":"42","target":"foo","arguments":[1,[]]}"#, 2),
    ];
    for (json, count) in cases {
        let (HubMessage::Invocation(Invocation { arguments, .. })
        | HubMessage::StreamInvocation(StreamInvocation { arguments, .. })) = message(json)
        else {
            panic!("{json}")
        };
        assert_eq!(arguments.len(), count, "{json}");
        let check = arguments.check_argument_count(2);
        if count == 2 {
            assert!(check.is_ok());
            // (int, string) does not bind these.
            assert!(arguments.bind::<(i32, String)>().is_err(), "{json}");
        } else {
            assert_eq!(
                check.unwrap_err().message().to_string(),
                format!("Invocation provides {count} argument(s) but target expects 2."),
                "{json}"
            );
        }
    }
    let HubMessage::Invocation(m) =
        message(r#"{"type":1,"invocationId":"42","target":"foo","arguments":[[],{"target":"foo2"}]}"#)
    else {
        panic!()
    };
    assert_eq!(m.target, "foo");
    assert_eq!(m.arguments.iter().nth(1).unwrap().get(), r#"{"target":"foo2"}"#);
    for json in [
        r#"{"type":1,"invocationId":"42","target":"foo","arguments":["2007-03-01T13:00:00Z"]}"#,
        r#"{"type":1,"invocationId":"42","arguments":["2007-03-01T13:00:00Z"],"target":"foo"}"#,
    ] {
        let HubMessage::Invocation(m) = message(json) else { panic!() };
        assert_eq!(m.arguments.argument::<&str>(0).unwrap(), "2007-03-01T13:00:00Z");
    }
}

/// Too many or too few arguments for a tuple or a struct give .NET's arity text whichever way
/// they are bound, not serde's length error.
#[test]
fn arity_is_checked_for_tuples_and_structs() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Pair {
        a: i32,
        b: String,
    }
    for (json, provided) in [("[1]", 1), ("[1,\"x\",3]", 3), ("[1,\"x\",[],{}]", 4)] {
        let args = RawJson::new(json).unwrap();
        let text = format!("Invocation provides {provided} argument(s) but target expects 2.");
        assert_eq!(args.bind::<(i32, String)>().unwrap_err().message().to_string(), text, "{json}");
        assert_eq!(args.bind::<Pair>().unwrap_err().message().to_string(), text, "{json}");
    }
    let args = RawJson::new(r#"[1,"x"]"#).unwrap();
    assert_eq!(args.bind::<Pair>().unwrap(), Pair { a: 1, b: "x".into() });
    assert_eq!(args.bind::<(i32, &str)>().unwrap(), (1, "x"));
    let e = args.bind::<(i32, i32)>().unwrap_err();
    assert_eq!(e.message().to_string(), signalr_codec_core::BINDING_FAILED);
}

/// A method without parameters binds an empty argument list however it spells "nothing":
/// `()`, a zero-length array, a struct without fields; one argument too many is the arity text.
#[test]
fn empty_argument_lists_bind_to_any_empty_type() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct NoArguments {}
    let none = RawJson::new("[]").unwrap();
    assert_eq!(none.bind::<()>().unwrap(), ());
    assert_eq!(none.bind::<[u8; 0]>().unwrap(), [0u8; 0]);
    assert_eq!(none.bind::<NoArguments>().unwrap(), NoArguments {});
    let one = RawJson::new("[1]").unwrap();
    for e in [one.bind::<()>().unwrap_err(), one.bind::<NoArguments>().unwrap_err()] {
        assert_eq!(e.message().to_string(), "Invocation provides 1 argument(s) but target expects 0.");
    }
}

/// `ReadCaseInsensitivePropertiesByDefault`: payload property matching is the binder's
/// (serde's) business; the raw item is kept exactly.
#[test]
fn items_stay_raw() {
    let json = r#"{"type":2,"invocationId":"123","item":{"StrIngProp":"test","DoublePrOp":3.14159,"IntProp":43,"DateTimeProp":"2019-06-03T22:00:00","NuLLProp":null,"ByteARRProp":"AgQG"}}"#;
    let HubMessage::StreamItem(m) = message(json) else { panic!() };
    assert_eq!(m.item.get(), &json[json.find(r#""item":"#).unwrap() + 7..json.len() - 1]);
    let value: serde_json::Value = m.item.deserialize().unwrap();
    assert_eq!(value["DoublePrOp"], 3.14159);
}

/// `MessageSizeData` / `VerifyMessageSize`: written sizes, separator included.
#[test]
fn message_sizes() {
    let p = common::protocol();
    use signalr_codec_core::HubProtocol;
    let one = raw("[1]");
    let none = raw("[]");
    let mut with_stream = Invocation::new("Target", one).with_invocation_id("1");
    with_stream.stream_ids = StreamIds::from_slice(&["2"]);
    let mut sinv_stream = StreamInvocation::new("1", "target", none);
    sinv_stream.stream_ids = StreamIds::from_slice(&["2"]);
    let cases: Vec<(HubMessage<'_, RawJson<'_>>, usize)> = vec![
        (HubMessage::Invocation(Invocation::new("Target", one)), 45),
        (HubMessage::Invocation(Invocation::new("Target", one).with_invocation_id("1")), 64),
        (HubMessage::Invocation(with_stream), 82),
        (HubMessage::Close(Close::default()), 11),
        (HubMessage::Close(Close { error: Some("error".into()), allow_reconnect: false }), 27),
        (HubMessage::StreamItem(StreamItem::new("1", RawJson::NULL)), 42),
        (HubMessage::StreamItem(StreamItem::new("1", raw("1"))), 39),
        (HubMessage::Completion(Completion::void("1")), 30),
        (HubMessage::Completion(Completion::result("1", raw("1"))), 41),
        (HubMessage::Completion(Completion::error("1", "error")), 46),
        (HubMessage::StreamInvocation(StreamInvocation::new("1", "target", none)), 63),
        (HubMessage::StreamInvocation(sinv_stream), 81),
        (HubMessage::CancelInvocation(CancelInvocation::new("1")), 30),
        (HubMessage::Ping, 11),
    ];
    for (m, size) in cases {
        assert_eq!(p.encoded_len(&m).unwrap(), size, "{m:?}");
        assert_eq!(write(&m).len() + 1, size);
    }
}

#[test]
fn writer_omissions() {
    // An empty invocation id is not written; an empty Completion error is written as void.
    let m = HubMessage::Invocation(Invocation::new("T", RawJson::EMPTY_ARRAY).with_invocation_id(""));
    assert_eq!(write(&m), r#"{"type":1,"target":"T","arguments":[]}"#);
    let m: HubMessage<'_, RawJson<'_>> = HubMessage::Completion(Completion::error("1", ""));
    assert_eq!(write(&m), r#"{"type":3,"invocationId":"1"}"#);
    // Strings are escaped as .NET escapes them.
    let m: HubMessage<'_, RawJson<'_>> =
        HubMessage::Close(Close { error: Some("a\"b\u{1}😀".into()), allow_reconnect: false });
    assert_eq!(write(&m), r#"{"type":7,"error":"a\"b\u0001\uD83D\uDE00"}"#);
    let ack: HubMessage<'_, RawJson<'_>> = HubMessage::Ack { sequence_id: -5 };
    assert_eq!(write(&ack), r#"{"type":8,"sequenceId":-5}"#);
}

#[test]
fn outcomes_keep_null_apart_from_void() {
    let HubMessage::Completion(c) = message(r#"{"type":3,"invocationId":"1","result":null}"#) else { panic!() };
    assert_eq!(c.outcome, Outcome::Result(RawJson::NULL));
    let HubMessage::Completion(c) = message(r#"{"type":3,"invocationId":"1"}"#) else { panic!() };
    assert_eq!(c.outcome, Outcome::Void);
    let HubMessage::Completion(c) = message(r#"{"type":3,"invocationId":"1","error":""}"#) else { panic!() };
    assert_eq!(c.outcome, Outcome::Error("".into()));
}
