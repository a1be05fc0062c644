//! The cases of .NET's own MessagePack hub protocol tests (`MessagePackHubProtocolTestBase` and
//! `MessagePackHubProtocolTests` in dotnet/aspnetcore), restated as data: every base64 baseline
//! parses to the expected message and the writer reproduces it byte for byte; every invalid
//! payload fails with .NET's exact text; argument binding failures bind with .NET's texts.
#![allow(clippy::approx_constant)] // .NET's test data uses 6.2831853071, not TAU.

mod common;

use common::{base64, body, parse, parse_err, raw};
use signalr_codec_core::frame::Status;
use signalr_codec_core::{
    varint, CancelInvocation, Close, Completion, Headers, HubMessage, HubProtocol, Invocation, Outcome, StreamIds,
    StreamInvocation, StreamItem,
};
use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue};

/// .NET's `TestHeaders`, in insertion order.
const TEST_HEADERS: &[(&str, &str)] =
    &[("Foo", "Bar"), ("KeyWith\nNew\r\nLines", "Still Works"), ("ValueWithNewLines", "Also\nWorks\r\nFine")];

type Msg<'a> = HubMessage<'a, RawValue<'a>>;

fn invocation<'a>(id: Option<&'a str>, target: &'a str, args: &'static [u8], streams: &'a [&'a str]) -> Msg<'a> {
    let mut m = Invocation::new(target, raw(args));
    m.invocation_id = id.map(Into::into);
    m.stream_ids = StreamIds::from_slice(streams);
    HubMessage::Invocation(m)
}

fn stream_invocation<'a>(id: &'a str, target: &'a str, args: &'static [u8], streams: &'a [&'a str]) -> Msg<'a> {
    let mut m = StreamInvocation::new(id, target, raw(args));
    m.stream_ids = StreamIds::from_slice(streams);
    HubMessage::StreamInvocation(m)
}

fn item<'a>(id: &'a str, v: &'static [u8]) -> Msg<'a> {
    HubMessage::StreamItem(StreamItem::new(id, raw(v)))
}

fn with_headers(mut m: Msg<'_>) -> Msg<'_> {
    let h = Headers::from_pairs(TEST_HEADERS);
    match &mut m {
        HubMessage::Invocation(x) => x.headers = h,
        HubMessage::StreamInvocation(x) => x.headers = h,
        HubMessage::StreamItem(x) => x.headers = h,
        HubMessage::Completion(x) => x.headers = h,
        HubMessage::CancelInvocation(x) => x.headers = h,
        _ => unreachable!(),
    }
    m
}

/// `CustomObject` as MessagePack-CSharp writes it (a map keyed by member name).
const CUSTOM: &[u8] = b"\x86\xaaStringProp\xa8SignalR!\xaaDoubleProp\xcb\x40\x19\x21\xfb\x54\x42\xcf\x12\xa7IntProp\x2a\xacDateTimeProp\xd6\xff\x58\xec\x1c\x80\xa8NullProp\xc0\xabByteArrProp\xc4\x03\x01\x02\x03";
const CUSTOM_PAIR: &[u8] = b"\x92\x86\xaaStringProp\xa8SignalR!\xaaDoubleProp\xcb\x40\x19\x21\xfb\x54\x42\xcf\x12\xa7IntProp\x2a\xacDateTimeProp\xd6\xff\x58\xec\x1c\x80\xa8NullProp\xc0\xabByteArrProp\xc4\x03\x01\x02\x03\x86\xaaStringProp\xa8SignalR!\xaaDoubleProp\xcb\x40\x19\x21\xfb\x54\x42\xcf\x12\xa7IntProp\x2a\xacDateTimeProp\xd6\xff\x58\xec\x1c\x80\xa8NullProp\xc0\xabByteArrProp\xc4\x03\x01\x02\x03";
const ARGS_42_STRING_CUSTOM: &[u8] = b"\x93\x2a\xa6string\x86\xaaStringProp\xa8SignalR!\xaaDoubleProp\xcb\x40\x19\x21\xfb\x54\x42\xcf\x12\xa7IntProp\x2a\xacDateTimeProp\xd6\xff\x58\xec\x1c\x80\xa8NullProp\xc0\xabByteArrProp\xc4\x03\x01\x02\x03";

/// (name, expected message, base64 baseline): `BaseTestData` and `TestData`.
fn valid_cases<'a>() -> Vec<(&'static str, Msg<'a>, &'static str)> {
    vec![
        // Invocation messages
        ("InvocationWithNoHeadersAndNoArgs", invocation(Some("xyz"), "method", &[0x90], &[]), "lgGAo3h5eqZtZXRob2SQkA=="),
        ("InvocationWithNoHeadersNoIdAndNoArgs", invocation(None, "method", &[0x90], &[]), "lgGAwKZtZXRob2SQkA=="),
        ("InvocationWithNoHeadersNoIdAndSingleIntArg", invocation(None, "method", &[0x91, 0x2a], &[]), "lgGAwKZtZXRob2SRKpA="),
        (
            "InvocationWithNoHeadersNoIdIntAndStringArgs",
            invocation(None, "method", b"\x92\x2a\xa6string", &[]),
            "lgGAwKZtZXRob2SSKqZzdHJpbmeQ",
        ),
        (
            "InvocationWithStreamArgument",
            invocation(None, "Target", &[0x90], &["__test_id__"]),
            "lgGAwKZUYXJnZXSQkatfX3Rlc3RfaWRfXw==",
        ),
        (
            "InvocationWithStreamAndNormalArgument",
            invocation(None, "Target", &[0x91, 0x2a], &["__test_id__"]),
            "lgGAwKZUYXJnZXSRKpGrX190ZXN0X2lkX18=",
        ),
        (
            "InvocationWithMultipleStreams",
            invocation(None, "Target", &[0x90], &["__test_id__", "__test_id2__"]),
            "lgGAwKZUYXJnZXSQkqtfX3Rlc3RfaWRfX6xfX3Rlc3RfaWQyX18=",
        ),
        // StreamItem messages
        ("StreamItemWithNoHeadersAndIntItem", item("xyz", &[0x2a]), "lAKAo3h5eio="),
        ("StreamItemWithNoHeadersAndFloatItem", item("xyz", &[0xca, 0x42, 0x28, 0, 0]), "lAKAo3h5espCKAAA"),
        ("StreamItemWithNoHeadersAndStringItem", item("xyz", b"\xa6string"), "lAKAo3h5eqZzdHJpbmc="),
        ("StreamItemWithNoHeadersAndBoolItem", item("xyz", &[0xc3]), "lAKAo3h5esM="),
        // Completion messages
        (
            "CompletionWithNoHeadersAndError",
            HubMessage::Completion(Completion::error("xyz", "Error not found!")),
            "lQOAo3h5egGwRXJyb3Igbm90IGZvdW5kIQ==",
        ),
        (
            "CompletionWithHeadersAndError",
            with_headers(HubMessage::Completion(Completion::error("xyz", "Error not found!"))),
            "lQODo0Zvb6NCYXKyS2V5V2l0aApOZXcNCkxpbmVzq1N0aWxsIFdvcmtzsVZhbHVlV2l0aE5ld0xpbmVzsEFsc28KV29ya3MNCkZpbmWjeHl6AbBFcnJvciBub3QgZm91bmQh",
        ),
        ("CompletionWithNoHeadersAndNoResult", HubMessage::Completion(Completion::void("xyz")), "lAOAo3h5egI="),
        (
            "CompletionWithHeadersAndNoResult",
            with_headers(HubMessage::Completion(Completion::void("xyz"))),
            "lAODo0Zvb6NCYXKyS2V5V2l0aApOZXcNCkxpbmVzq1N0aWxsIFdvcmtzsVZhbHVlV2l0aE5ld0xpbmVzsEFsc28KV29ya3MNCkZpbmWjeHl6Ag==",
        ),
        ("CompletionWithNoHeadersAndIntResult", HubMessage::Completion(Completion::result("xyz", raw(&[0x2a]))), "lQOAo3h5egMq"),
        (
            "CompletionWithNoHeadersAndFloatResult",
            HubMessage::Completion(Completion::result("xyz", raw(&[0xca, 0x42, 0x28, 0, 0]))),
            "lQOAo3h5egPKQigAAA==",
        ),
        (
            "CompletionWithNoHeadersAndStringResult",
            HubMessage::Completion(Completion::result("xyz", raw(b"\xa6string"))),
            "lQOAo3h5egOmc3RyaW5n",
        ),
        (
            "CompletionWithNoHeadersAndBooleanResult",
            HubMessage::Completion(Completion::result("xyz", raw(&[0xc3]))),
            "lQOAo3h5egPD",
        ),
        // StreamInvocation messages
        ("StreamInvocationWithNoHeadersAndNoArgs", stream_invocation("xyz", "method", &[0x90], &[]), "lgSAo3h5eqZtZXRob2SQkA=="),
        (
            "StreamInvocationWithNoHeadersAndIntArg",
            stream_invocation("xyz", "method", &[0x91, 0x2a], &[]),
            "lgSAo3h5eqZtZXRob2SRKpA=",
        ),
        (
            "StreamInvocationWithStreamArgument",
            stream_invocation("xyz", "method", &[0x90], &["__test_id__"]),
            "lgSAo3h5eqZtZXRob2SQkatfX3Rlc3RfaWRfXw==",
        ),
        (
            "StreamInvocationWithStreamAndNormalArgument",
            stream_invocation("xyz", "method", &[0x91, 0x2a], &["__test_id__"]),
            "lgSAo3h5eqZtZXRob2SRKpGrX190ZXN0X2lkX18=",
        ),
        (
            "StreamInvocationWithNoHeadersAndIntAndStringArgs",
            stream_invocation("xyz", "method", b"\x92\x2a\xa6string", &[]),
            "lgSAo3h5eqZtZXRob2SSKqZzdHJpbmeQ",
        ),
        // CancelInvocation messages
        ("CancelInvocationWithNoHeaders", HubMessage::CancelInvocation(CancelInvocation::new("xyz")), "kwWAo3h5eg=="),
        (
            "CancelInvocationWithHeaders",
            with_headers(HubMessage::CancelInvocation(CancelInvocation::new("xyz"))),
            "kwWDo0Zvb6NCYXKyS2V5V2l0aApOZXcNCkxpbmVzq1N0aWxsIFdvcmtzsVZhbHVlV2l0aE5ld0xpbmVzsEFsc28KV29ya3MNCkZpbmWjeHl6",
        ),
        // Ping
        ("Ping", HubMessage::Ping, "kQY="),
        // Close messages
        ("CloseMessage", HubMessage::Close(Close::default()), "kwfAwg=="),
        ("CloseMessage_HasError", HubMessage::Close(Close { error: Some("Error!".into()), allow_reconnect: false }), "kwemRXJyb3Ihwg=="),
        ("CloseMessage_HasAllowReconnect", HubMessage::Close(Close { error: None, allow_reconnect: true }), "kwfAww=="),
        (
            "CloseMessage_HasErrorAndAllowReconnect",
            HubMessage::Close(Close { error: Some("Error!".into()), allow_reconnect: true }),
            "kwemRXJyb3Ihww==",
        ),
        // Ack and Sequence
        ("AckMessage", HubMessage::Ack { sequence_id: 42 }, "kggq"),
        ("SequenceMessage", HubMessage::Sequence { sequence_id: 146 }, "kgnMkg=="),
        // TestData (payloads that need object serialization)
        ("CompletionWithNoHeadersAndNullResult", HubMessage::Completion(Completion::result("xyz", raw(&[0xc0]))), "lQOAo3h5egPA"),
        (
            "CompletionWithNoHeadersAndCustomObjectResult",
            HubMessage::Completion(Completion::result("xyz", raw(CUSTOM))),
            "lQOAo3h5egOGqlN0cmluZ1Byb3CoU2lnbmFsUiGqRG91YmxlUHJvcMtAGSH7VELPEqdJbnRQcm9wKqxEYXRlVGltZVByb3DW/1jsHICoTnVsbFByb3DAq0J5dGVBcnJQcm9wxAMBAgM=",
        ),
        (
            "CompletionWithNoHeadersAndCustomObjectArrayResult",
            HubMessage::Completion(Completion::result("xyz", raw(CUSTOM_PAIR))),
            "lQOAo3h5egOShqpTdHJpbmdQcm9wqFNpZ25hbFIhqkRvdWJsZVByb3DLQBkh+1RCzxKnSW50UHJvcCqsRGF0ZVRpbWVQcm9w1v9Y7ByAqE51bGxQcm9wwKtCeXRlQXJyUHJvcMQDAQIDhqpTdHJpbmdQcm9wqFNpZ25hbFIhqkRvdWJsZVByb3DLQBkh+1RCzxKnSW50UHJvcCqsRGF0ZVRpbWVQcm9w1v9Y7ByAqE51bGxQcm9wwKtCeXRlQXJyUHJvcMQDAQID",
        ),
        (
            "CompletionWithHeadersAndCustomObjectArrayResult",
            with_headers(HubMessage::Completion(Completion::result("xyz", raw(CUSTOM_PAIR)))),
            "lQODo0Zvb6NCYXKyS2V5V2l0aApOZXcNCkxpbmVzq1N0aWxsIFdvcmtzsVZhbHVlV2l0aE5ld0xpbmVzsEFsc28KV29ya3MNCkZpbmWjeHl6A5KGqlN0cmluZ1Byb3CoU2lnbmFsUiGqRG91YmxlUHJvcMtAGSH7VELPEqdJbnRQcm9wKqxEYXRlVGltZVByb3DW/1jsHICoTnVsbFByb3DAq0J5dGVBcnJQcm9wxAMBAgOGqlN0cmluZ1Byb3CoU2lnbmFsUiGqRG91YmxlUHJvcMtAGSH7VELPEqdJbnRQcm9wKqxEYXRlVGltZVByb3DW/1jsHICoTnVsbFByb3DAq0J5dGVBcnJQcm9wxAMBAgM=",
        ),
        (
            "CompletionWithNoHeadersAndEnumResult",
            HubMessage::Completion(Completion::result("xyz", raw(b"\xa3One"))),
            "lQOAo3h5egOjT25l",
        ),
        ("InvocationWithNoHeadersNoIdAndSingleNullArg", invocation(None, "method", &[0x91, 0xc0], &[]), "lgGAwKZtZXRob2SRwJA="),
        (
            "InvocationWithNoHeadersNoIdIntAndEnumArgs",
            invocation(None, "method", b"\x92\x2a\xa3One", &[]),
            "lgGAwKZtZXRob2SSKqNPbmWQ",
        ),
        (
            "InvocationWithNoHeadersNoIdAndCustomObjectArg",
            invocation(None, "method", ARGS_42_STRING_CUSTOM, &[]),
            "lgGAwKZtZXRob2STKqZzdHJpbmeGqlN0cmluZ1Byb3CoU2lnbmFsUiGqRG91YmxlUHJvcMtAGSH7VELPEqdJbnRQcm9wKqxEYXRlVGltZVByb3DW/1jsHICoTnVsbFByb3DAq0J5dGVBcnJQcm9wxAMBAgOQ",
        ),
        (
            "InvocationWithNoHeadersNoIdAndArrayOfCustomObjectArgs",
            invocation(None, "method", CUSTOM_PAIR, &[]),
            "lgGAwKZtZXRob2SShqpTdHJpbmdQcm9wqFNpZ25hbFIhqkRvdWJsZVByb3DLQBkh+1RCzxKnSW50UHJvcCqsRGF0ZVRpbWVQcm9w1v9Y7ByAqE51bGxQcm9wwKtCeXRlQXJyUHJvcMQDAQIDhqpTdHJpbmdQcm9wqFNpZ25hbFIhqkRvdWJsZVByb3DLQBkh+1RCzxKnSW50UHJvcCqsRGF0ZVRpbWVQcm9w1v9Y7ByAqE51bGxQcm9wwKtCeXRlQXJyUHJvcMQDAQIDkA==",
        ),
        (
            "InvocationWithHeadersNoIdAndArrayOfCustomObjectArgs",
            with_headers(invocation(None, "method", CUSTOM_PAIR, &[])),
            "lgGDo0Zvb6NCYXKyS2V5V2l0aApOZXcNCkxpbmVzq1N0aWxsIFdvcmtzsVZhbHVlV2l0aE5ld0xpbmVzsEFsc28KV29ya3MNCkZpbmXApm1ldGhvZJKGqlN0cmluZ1Byb3CoU2lnbmFsUiGqRG91YmxlUHJvcMtAGSH7VELPEqdJbnRQcm9wKqxEYXRlVGltZVByb3DW/1jsHICoTnVsbFByb3DAq0J5dGVBcnJQcm9wxAMBAgOGqlN0cmluZ1Byb3CoU2lnbmFsUiGqRG91YmxlUHJvcMtAGSH7VELPEqdJbnRQcm9wKqxEYXRlVGltZVByb3DW/1jsHICoTnVsbFByb3DAq0J5dGVBcnJQcm9wxAMBAgOQ",
        ),
        ("StreamItemWithNoHeadersAndNullItem", item("xyz", &[0xc0]), "lAKAo3h5esA="),
        ("StreamItemWithNoHeadersAndEnumItem", item("xyz", b"\xa3One"), "lAKAo3h5eqNPbmU="),
        (
            "StreamItemWithNoHeadersAndCustomObjectItem",
            item("xyz", CUSTOM),
            "lAKAo3h5eoaqU3RyaW5nUHJvcKhTaWduYWxSIapEb3VibGVQcm9wy0AZIftUQs8Sp0ludFByb3AqrERhdGVUaW1lUHJvcNb/WOwcgKhOdWxsUHJvcMCrQnl0ZUFyclByb3DEAwECAw==",
        ),
        (
            "StreamItemWithNoHeadersAndCustomObjectArrayItem",
            item("xyz", CUSTOM_PAIR),
            "lAKAo3h5epKGqlN0cmluZ1Byb3CoU2lnbmFsUiGqRG91YmxlUHJvcMtAGSH7VELPEqdJbnRQcm9wKqxEYXRlVGltZVByb3DW/1jsHICoTnVsbFByb3DAq0J5dGVBcnJQcm9wxAMBAgOGqlN0cmluZ1Byb3CoU2lnbmFsUiGqRG91YmxlUHJvcMtAGSH7VELPEqdJbnRQcm9wKqxEYXRlVGltZVByb3DW/1jsHICoTnVsbFByb3DAq0J5dGVBcnJQcm9wxAMBAgM=",
        ),
        (
            "StreamItemWithHeadersAndCustomObjectArrayItem",
            with_headers(item("xyz", CUSTOM_PAIR)),
            "lAKDo0Zvb6NCYXKyS2V5V2l0aApOZXcNCkxpbmVzq1N0aWxsIFdvcmtzsVZhbHVlV2l0aE5ld0xpbmVzsEFsc28KV29ya3MNCkZpbmWjeHl6koaqU3RyaW5nUHJvcKhTaWduYWxSIapEb3VibGVQcm9wy0AZIftUQs8Sp0ludFByb3AqrERhdGVUaW1lUHJvcNb/WOwcgKhOdWxsUHJvcMCrQnl0ZUFyclByb3DEAwECA4aqU3RyaW5nUHJvcKhTaWduYWxSIapEb3VibGVQcm9wy0AZIftUQs8Sp0ludFByb3AqrERhdGVUaW1lUHJvcNb/WOwcgKhOdWxsUHJvcMCrQnl0ZUFyclByb3DEAwECAw==",
        ),
        (
            "StreamInvocationWithNoHeadersAndEnumArg",
            stream_invocation("xyz", "method", b"\x91\xa3One", &[]),
            "lgSAo3h5eqZtZXRob2SRo09uZZA=",
        ),
        (
            "StreamInvocationWithNoHeadersAndNullArg",
            stream_invocation("xyz", "method", &[0x91, 0xc0], &[]),
            "lgSAo3h5eqZtZXRob2SRwJA=",
        ),
        (
            "StreamInvocationWithNoHeadersAndIntStringAndCustomObjectArgs",
            stream_invocation("xyz", "method", ARGS_42_STRING_CUSTOM, &[]),
            "lgSAo3h5eqZtZXRob2STKqZzdHJpbmeGqlN0cmluZ1Byb3CoU2lnbmFsUiGqRG91YmxlUHJvcMtAGSH7VELPEqdJbnRQcm9wKqxEYXRlVGltZVByb3DW/1jsHICoTnVsbFByb3DAq0J5dGVBcnJQcm9wxAMBAgOQ",
        ),
        (
            "StreamInvocationWithNoHeadersAndCustomObjectArrayArg",
            stream_invocation("xyz", "method", CUSTOM_PAIR, &[]),
            "lgSAo3h5eqZtZXRob2SShqpTdHJpbmdQcm9wqFNpZ25hbFIhqkRvdWJsZVByb3DLQBkh+1RCzxKnSW50UHJvcCqsRGF0ZVRpbWVQcm9w1v9Y7ByAqE51bGxQcm9wwKtCeXRlQXJyUHJvcMQDAQIDhqpTdHJpbmdQcm9wqFNpZ25hbFIhqkRvdWJsZVByb3DLQBkh+1RCzxKnSW50UHJvcCqsRGF0ZVRpbWVQcm9w1v9Y7ByAqE51bGxQcm9wwKtCeXRlQXJyUHJvcMQDAQIDkA==",
        ),
        (
            "StreamInvocationWithHeadersAndCustomObjectArrayArg",
            with_headers(stream_invocation("xyz", "method", CUSTOM_PAIR, &[])),
            "lgSDo0Zvb6NCYXKyS2V5V2l0aApOZXcNCkxpbmVzq1N0aWxsIFdvcmtzsVZhbHVlV2l0aE5ld0xpbmVzsEFsc28KV29ya3MNCkZpbmWjeHl6pm1ldGhvZJKGqlN0cmluZ1Byb3CoU2lnbmFsUiGqRG91YmxlUHJvcMtAGSH7VELPEqdJbnRQcm9wKqxEYXRlVGltZVByb3DW/1jsHICoTnVsbFByb3DAq0J5dGVBcnJQcm9wxAMBAgOGqlN0cmluZ1Byb3CoU2lnbmFsUiGqRG91YmxlUHJvcMtAGSH7VELPEqdJbnRQcm9wKqxEYXRlVGltZVByb3DW/1jsHICoTnVsbFByb3DAq0J5dGVBcnJQcm9wxAMBAgOQ",
        ),
    ]
}

#[test]
fn baselines_parse_to_the_expected_message() {
    for i in 0..valid_cases().len() {
        let bytes = base64(valid_cases()[i].2);
        let (name, expected, _) = valid_cases().swap_remove(i);
        assert_eq!(parse(&bytes), expected, "{name}");
    }
}

#[test]
fn writer_reproduces_every_baseline_byte_for_byte() {
    let protocol = MessagePackHubProtocol::new();
    for (name, message, b64) in valid_cases() {
        let bytes = base64(b64);
        assert_eq!(body(&message), bytes, "{name}: body");
        // Framed: the VarInt length, then the body.
        let framed = protocol.to_vec(&message).unwrap();
        let Status::Complete((len, prefix)) = varint::decode(&framed).unwrap() else { panic!("{name}") };
        assert_eq!(len as usize, bytes.len(), "{name}: prefix");
        assert_eq!(&framed[prefix..], &bytes[..], "{name}: framed");
        assert_eq!(protocol.encoded_len(&message).unwrap(), framed.len(), "{name}: encoded_len");
        // Forwarding what was parsed writes the same bytes.
        assert_eq!(body(&parse(&bytes)), bytes, "{name}: re-written");
    }
}

#[test]
fn extra_trailing_elements_are_ignored() {
    // ParseMessageWithExtraData: 8 elements, the last two (true, "ex") ignored.
    let bytes = [
        0x98, 1, 0x80, 0xa3, b'x', b'y', b'z', 0xa6, b'm', b'e', b't', b'h', b'o', b'd', 0x90, 0x90, 0xc3, 0xa2, b'e',
        b'x',
    ];
    let expected = invocation(Some("xyz"), "method", &[0x90], &[]);
    assert_eq!(parse(&bytes), expected);
}

/// (name, body, .NET text): `BaseInvalidPayloads`.
const INVALID: &[(&str, &[u8], &str)] = &[
    // Message type
    ("MessageTypeString", &[0x91, 0xa3, b'f', b'o', b'o'], "Reading 'messageType' as Int32 failed."),
    // Headers
    ("HeadersNotAMap", &[0x92, 1, 0xa3, b'f', b'o', b'o'], "Reading map length for 'headers' failed."),
    ("HeaderKeyInt", &[0x92, 1, 0x82, 0x2a, 0xa3, b'f', b'o', b'o'], "Reading 'headers[0].Key' as String failed."),
    ("HeaderValueInt", &[0x92, 1, 0x82, 0xa3, b'f', b'o', b'o', 42], "Reading 'headers[0].Value' as String failed."),
    (
        "HeaderKeyArray",
        &[0x92, 1, 0x84, 0xa3, b'f', b'o', b'o', 0xa3, b'f', b'o', b'o', 0x90, 0xa3, b'f', b'o', b'o'],
        "Reading 'headers[1].Key' as String failed.",
    ),
    (
        "HeaderValueArray",
        &[0x92, 1, 0x84, 0xa3, b'f', b'o', b'o', 0xa3, b'f', b'o', b'o', 0xa3, b'f', b'o', b'o', 0x90],
        "Reading 'headers[1].Value' as String failed.",
    ),
    ("HeaderKeyEmptyString", &[0x92, 1, 0x82, 0xa0, 0xa3, b'f', b'o', b'o'], "Null or empty key in header."),
    ("HeaderValueEmptyString", &[0x92, 1, 0x82, 0xa3, b'f', b'o', b'o', 0xa0], "Null or empty value in header."),
    // InvocationMessage
    ("InvocationMissingId", &[0x92, 1, 0x80], "Reading 'invocationId' as String failed."),
    ("InvocationIdBoolean", &[0x91, 1, 0x80, 0xc2], "Reading 'invocationId' as String failed."),
    ("InvocationTargetMissing", &[0x93, 1, 0x80, 0xa3, b'a', b'b', b'c'], "Reading 'target' as String failed."),
    ("InvocationTargetInt", &[0x94, 1, 0x80, 0xa3, b'a', b'b', b'c', 42], "Reading 'target' as String failed."),
    (
        "InvocationTargetEmptyString",
        &[0x94, 1, 0x80, 0xa3, b'a', b'b', b'c', 0xa0],
        "Null or empty target for Invocation message.",
    ),
    (
        "InvocationEmptyStringStreamId",
        &[0x96, 1, 0x80, 0xa3, b'a', b'b', b'c', 0xa1, b'T', 0x91, 0xa0, 0x91, 0xa0],
        "Null or empty value in streamIds received.",
    ),
    // StreamInvocationMessage
    ("StreamInvocationMissingId", &[0x92, 4, 0x80], "Reading 'invocationId' as String failed."),
    (
        "StreamInvocationEmptyStringId",
        &[0x93, 4, 0x80, 0xa0],
        "Null or empty invocation ID for StreamInvocation message.",
    ),
    ("StreamInvocationIdBoolean", &[0x93, 4, 0x80, 0xc2], "Reading 'invocationId' as String failed."),
    ("StreamInvocationTargetMissing", &[0x93, 4, 0x80, 0xa3, b'a', b'b', b'c'], "Reading 'target' as String failed."),
    ("StreamInvocationTargetInt", &[0x94, 4, 0x80, 0xa3, b'a', b'b', b'c', 42], "Reading 'target' as String failed."),
    (
        "StreamInvocationTargetEmptyString",
        &[0x94, 4, 0x80, 0xa3, b'a', b'b', b'c', 0xa0],
        "Null or empty target for StreamInvocation message.",
    ),
    // StreamItemMessage
    ("StreamItemMissingId", &[0x92, 2, 0x80], "Reading 'invocationId' as String failed."),
    ("StreamItemEmptyStringId", &[0x93, 2, 0x80, 0xa0], "Null or empty invocation ID for StreamItem message."),
    ("StreamItemInvocationIdBoolean", &[0x93, 2, 0x80, 0xc2], "Reading 'invocationId' as String failed."),
    // CompletionMessage
    ("CompletionMissingId", &[0x92, 3, 0x80], "Reading 'invocationId' as String failed."),
    ("CompletionEmptyStringId", &[0x93, 3, 0x80, 0xa0], "Null or empty invocation ID for Completion message."),
    ("CompletionIdBoolean", &[0x93, 3, 0x80, 0xc2], "Reading 'invocationId' as String failed."),
    (
        "CompletionResultKindString",
        &[0x94, 3, 0x80, 0xa3, b'x', b'y', b'z', 0xa3, b'x', b'y', b'z'],
        "Reading 'resultKind' as Int32 failed.",
    ),
    ("CompletionResultKindOutOfRange", &[0x94, 3, 0x80, 0xa3, b'x', b'y', b'z', 42], "Invalid invocation result kind."),
    ("CompletionErrorMissing", &[0x94, 3, 0x80, 0xa3, b'x', b'y', b'z', 0x01], "Reading 'error' as String failed."),
    ("CompletionErrorInt", &[0x95, 3, 0x80, 0xa3, b'x', b'y', b'z', 0x01, 42], "Reading 'error' as String failed."),
    // CancelInvocationMessage
    ("CancelInvocationMissingId", &[0x92, 5, 0x80], "Reading 'invocationId' as String failed."),
    (
        "CancelInvocationEmptyStringId",
        &[0x93, 5, 0x80, 0xa0],
        "Null or empty invocation ID for CancelInvocation message.",
    ),
    // AckMessage
    ("AckSequenceIdMissing", &[0x91, 8], "Reading 'sequenceId' as Int64 failed."),
    ("AckSequenceIdNull", &[0x91, 8, 0xc0], "Reading 'sequenceId' as Int64 failed."),
    // SequenceMessage
    ("SequenceMessageSequenceIdMissing", &[0x91, 9], "Reading 'sequenceId' as Int64 failed."),
    ("SequenceMessageSequenceIdNull", &[0x91, 9, 0xc0], "Reading 'sequenceId' as Int64 failed."),
];

#[test]
fn invalid_payloads_fail_with_the_dotnet_text() {
    for (name, bytes, text) in INVALID {
        assert_eq!(parse_err(bytes), *text, "{name}");
    }
}

#[test]
fn invalid_payloads_fail_through_the_framed_decoder_too() {
    let protocol = MessagePackHubProtocol::new();
    for (name, bytes, text) in INVALID {
        let mut framed = vec![bytes.len() as u8];
        framed.extend_from_slice(bytes);
        let e = protocol.decode(&framed).unwrap_err();
        assert_eq!(e.message().to_string(), *text, "{name}");
        // Offsets are relative to the framed input: past the one-byte prefix.
        assert!(e.offset().unwrap() >= 1, "{name}");
    }
}

/// (name, body, .NET binding text): `ArgumentBindingErrors`, with a binder expecting one
/// `String` argument. .NET turns these into an `InvocationBindingFailureMessage` (the message
/// still parses); here the message parses and binding the arguments fails with the same text.
const BINDING: &[(&str, &[u8], &str)] = &[
    (
        "InvocationArgumentArrayMissing",
        &[0x94, 1, 0x80, 0xa3, b'a', b'b', b'c', 0xa3, b'x', b'y', b'z'],
        "Reading array length for 'arguments' failed.",
    ),
    (
        "InvocationArgumentArrayNotAnArray",
        &[0x95, 1, 0x80, 0xa3, b'a', b'b', b'c', 0xa3, b'x', b'y', b'z', 42],
        "Reading array length for 'arguments' failed.",
    ),
    (
        "InvocationArgumentArraySizeMismatchEmpty",
        &[0x95, 1, 0x80, 0xa3, b'a', b'b', b'c', 0xa3, b'x', b'y', b'z', 0x90],
        "Invocation provides 0 argument(s) but target expects 1.",
    ),
    (
        "InvocationArgumentArraySizeMismatchTooLarge",
        &[0x95, 1, 0x80, 0xa3, b'a', b'b', b'c', 0xa3, b'x', b'y', b'z', 0x92, 0xa1, b'a', 0xa1, b'b'],
        "Invocation provides 2 argument(s) but target expects 1.",
    ),
    (
        "InvocationArgumentTypeMismatch",
        &[0x95, 1, 0x80, 0xa3, b'a', b'b', b'c', 0xa3, b'x', b'y', b'z', 0x91, 42],
        "Error binding arguments. Make sure that the types of the provided values match the types of the hub method being invoked.",
    ),
    (
        "StreamInvocationArgumentArrayMissing",
        &[0x94, 4, 0x80, 0xa3, b'a', b'b', b'c', 0xa3, b'x', b'y', b'z'],
        "Reading array length for 'arguments' failed.",
    ),
    (
        "StreamInvocationArgumentArrayNotAnArray",
        &[0x95, 4, 0x80, 0xa3, b'a', b'b', b'c', 0xa3, b'x', b'y', b'z', 42],
        "Reading array length for 'arguments' failed.",
    ),
    (
        "StreamInvocationArgumentArraySizeMismatchEmpty",
        &[0x95, 4, 0x80, 0xa3, b'a', b'b', b'c', 0xa3, b'x', b'y', b'z', 0x90],
        "Invocation provides 0 argument(s) but target expects 1.",
    ),
    (
        "StreamInvocationArgumentArraySizeMismatchTooLarge",
        &[0x95, 4, 0x80, 0xa3, b'a', b'b', b'c', 0xa3, b'x', b'y', b'z', 0x92, 0xa1, b'a', 0xa1, b'b'],
        "Invocation provides 2 argument(s) but target expects 1.",
    ),
    (
        "StreamInvocationArgumentTypeMismatch",
        &[0x95, 4, 0x80, 0xa3, b'a', b'b', b'c', 0xa3, b'x', b'y', b'z', 0x91, 42],
        "Error binding arguments. Make sure that the types of the provided values match the types of the hub method being invoked.",
    ),
];

#[test]
fn argument_binding_failures_keep_the_message_and_bind_with_the_dotnet_text() {
    for (name, bytes, text) in BINDING {
        let message = parse(bytes);
        let (id, target, arguments) = match &message {
            HubMessage::Invocation(m) => (m.invocation_id.clone().unwrap(), m.target.clone(), m.arguments),
            HubMessage::StreamInvocation(m) => (m.invocation_id.clone(), m.target.clone(), m.arguments),
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!((id.as_str(), target.as_str()), ("abc", "xyz"), "{name}");
        let e = arguments.arguments().and_then(|a| a.bind::<(String,)>()).unwrap_err();
        assert_eq!(e.message().to_string(), *text, "{name}");
    }
}

#[test]
fn parser_does_not_consume_partial_data() {
    // ParserDoesNotConsumePartialData: a prefix announcing 5 bytes, one present.
    let protocol = MessagePackHubProtocol::new();
    assert!(protocol.decode(&[0x05, 0x01]).unwrap().is_partial());
}

#[test]
fn message_sizes_match_dotnet() {
    // VerifyMessageSize: framed sizes, prefix included.
    let p = MessagePackHubProtocol::new();
    let one = raw(&[0x91, 0x01]);
    let size = |m: &HubMessage<'_, RawValue<'_>>| p.to_vec(m).unwrap().len();
    let mut with_id = Invocation::new("Target", one).with_invocation_id("1");
    assert_eq!(size(&HubMessage::Invocation(Invocation::new("Target", one))), 15);
    assert_eq!(size(&HubMessage::Invocation(with_id.clone())), 16);
    with_id.stream_ids = StreamIds::from_slice(&["2"]);
    assert_eq!(size(&HubMessage::Invocation(with_id)), 18);
    assert_eq!(size(&HubMessage::Close(Close::default())), 5);
    assert_eq!(size(&HubMessage::Close(Close { error: Some("error".into()), allow_reconnect: false })), 10);
    assert_eq!(size(&HubMessage::StreamItem(StreamItem::new("1", RawValue::NIL))), 7);
    assert_eq!(size(&HubMessage::StreamItem(StreamItem::new("1", raw(&[0x01])))), 7);
    assert_eq!(size(&HubMessage::Completion(Completion::void("1"))), 7);
    assert_eq!(size(&HubMessage::Completion(Completion::result("1", raw(&[0x01])))), 8);
    assert_eq!(size(&HubMessage::Completion(Completion::error("1", "error"))), 13);
    assert_eq!(size(&HubMessage::StreamInvocation(StreamInvocation::new("1", "target", RawValue::EMPTY_ARRAY))), 15);
    let mut si = StreamInvocation::new("1", "target", RawValue::EMPTY_ARRAY);
    si.stream_ids = StreamIds::from_slice(&["2"]);
    assert_eq!(size(&HubMessage::StreamInvocation(si)), 17);
    assert_eq!(size(&HubMessage::CancelInvocation(CancelInvocation::new("1"))), 6);
    assert_eq!(size(&HubMessage::Ping), 3);
}

mod typed {
    //! The same baselines written from typed values through serde (`Serialized`), as .NET
    //! serializes its objects.
    use super::*;
    use serde::{Deserialize, Serialize, Serializer};
    use signalr_codec_msgpack::{Serialized, Timestamp};

    /// `byte[]`: MessagePack `bin`.
    #[derive(Debug, PartialEq)]
    struct Bin(Vec<u8>);

    impl Serialize for Bin {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(&self.0)
        }
    }

    impl<'de> Deserialize<'de> for Bin {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl serde::de::Visitor<'_> for V {
                type Value = Bin;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E>(self, v: &[u8]) -> Result<Bin, E> {
                    Ok(Bin(v.to_vec()))
                }
            }
            d.deserialize_bytes(V)
        }
    }

    /// .NET's `CustomObject` test type.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct CustomObject {
        string_prop: String,
        double_prop: f64,
        int_prop: i32,
        date_time_prop: Timestamp,
        null_prop: Option<String>,
        byte_arr_prop: Bin,
    }

    fn custom() -> CustomObject {
        CustomObject {
            string_prop: "SignalR!".into(),
            double_prop: 6.2831853071,
            int_prop: 42,
            // new DateTime(2017, 4, 11, 0, 0, 0, DateTimeKind.Utc)
            date_time_prop: Timestamp::from_seconds(1_491_868_800),
            null_prop: None,
            byte_arr_prop: Bin(vec![1, 2, 3]),
        }
    }

    #[derive(Debug, Serialize)]
    enum TestEnum {
        #[allow(dead_code)]
        Zero,
        One,
    }

    fn check<V: signalr_codec_core::Encode<MessagePackHubProtocol>>(name: &str, m: HubMessage<'_, V>) {
        let (_, _, b64) = valid_cases().into_iter().find(|(n, _, _)| *n == name).unwrap();
        assert_eq!(body(&m), base64(b64), "{name}");
    }

    #[test]
    fn typed_payloads_write_the_baselines() {
        check(
            "InvocationWithNoHeadersNoIdAndSingleIntArg",
            HubMessage::Invocation(Invocation::new("method", Serialized((42,)))),
        );
        check(
            "InvocationWithNoHeadersNoIdIntAndStringArgs",
            HubMessage::Invocation(Invocation::new("method", Serialized((42, "string")))),
        );
        check(
            "InvocationWithNoHeadersAndNoArgs",
            HubMessage::Invocation(Invocation::new("method", Serialized([0u8; 0])).with_invocation_id("xyz")),
        );
        check("StreamItemWithNoHeadersAndIntItem", HubMessage::StreamItem(StreamItem::new("xyz", Serialized(42))));
        check(
            "StreamItemWithNoHeadersAndFloatItem",
            HubMessage::StreamItem(StreamItem::new("xyz", Serialized(42.0f32))),
        );
        check(
            "StreamItemWithNoHeadersAndStringItem",
            HubMessage::StreamItem(StreamItem::new("xyz", Serialized("string"))),
        );
        check("StreamItemWithNoHeadersAndBoolItem", HubMessage::StreamItem(StreamItem::new("xyz", Serialized(true))));
        check(
            "StreamItemWithNoHeadersAndNullItem",
            HubMessage::StreamItem(StreamItem::new("xyz", Serialized(None::<i32>))),
        );
        check(
            "StreamItemWithNoHeadersAndEnumItem",
            HubMessage::StreamItem(StreamItem::new("xyz", Serialized(TestEnum::One))),
        );
        check("CompletionWithNoHeadersAndIntResult", HubMessage::Completion(Completion::result("xyz", Serialized(42))));
        check(
            "CompletionWithNoHeadersAndFloatResult",
            HubMessage::Completion(Completion::result("xyz", Serialized(42.0f32))),
        );
        check(
            "CompletionWithNoHeadersAndNullResult",
            HubMessage::Completion(Completion::result("xyz", Serialized(()))),
        );
        check(
            "CompletionWithNoHeadersAndCustomObjectResult",
            HubMessage::Completion(Completion::result("xyz", Serialized(custom()))),
        );
        check(
            "CompletionWithNoHeadersAndCustomObjectArrayResult",
            HubMessage::Completion(Completion::result("xyz", Serialized([custom(), custom()]))),
        );
        check(
            "InvocationWithNoHeadersNoIdAndCustomObjectArg",
            HubMessage::Invocation(Invocation::new("method", Serialized((42, "string", custom())))),
        );
        check(
            "StreamItemWithNoHeadersAndCustomObjectItem",
            HubMessage::StreamItem(StreamItem::new("xyz", Serialized(custom()))),
        );
        check(
            "StreamInvocationWithNoHeadersAndEnumArg",
            HubMessage::StreamInvocation(StreamInvocation::new("xyz", "method", Serialized((TestEnum::One,)))),
        );
        check(
            "CompletionWithNoHeadersAndError",
            HubMessage::<Serialized<()>>::Completion(Completion::error("xyz", "Error not found!")),
        );
    }

    #[test]
    fn typed_payloads_bind_from_the_baselines() {
        let bytes =
            base64(valid_cases().iter().find(|c| c.0 == "CompletionWithNoHeadersAndCustomObjectResult").unwrap().2);
        let HubMessage::Completion(c) = parse(&bytes) else { panic!() };
        let v: CustomObject = c.outcome.result().unwrap().deserialize().unwrap();
        assert_eq!(v, custom());

        let bytes =
            base64(valid_cases().iter().find(|c| c.0 == "InvocationWithNoHeadersNoIdAndCustomObjectArg").unwrap().2);
        let HubMessage::Invocation(m) = parse(&bytes) else { panic!() };
        let (n, s, o): (i32, String, CustomObject) = m.arguments.arguments().unwrap().bind().unwrap();
        assert_eq!((n, s.as_str(), o), (42, "string", custom()));
    }

    #[test]
    fn serializer_can_serialize_read_only_lists() {
        // SerializerCanSerializeTypesWithNoDefaultCtor
        let m = HubMessage::Completion(Completion::result("0", Serialized(vec![42])));
        assert_eq!(body(&m), [0x95, 3, 0x80, 0xa1, b'0', 0x03, 0x91, 42]);
    }

    #[test]
    fn date_times_round_trip_as_timestamps() {
        // WriteAndParseDateTimeConvertsToUTC: 2018-04-09T00:00:00Z.
        let ts = Timestamp::from_seconds(1_523_232_000);
        let m = HubMessage::Completion(Completion::result("xyz", Serialized(ts)));
        let bytes = body(&m);
        assert_eq!(&bytes[8..], [0xd6, 0xff, 0x5a, 0xca, 0xad, 0x00]);
        let HubMessage::Completion(c) = parse(&bytes) else { panic!() };
        let r = *c.outcome.result().unwrap();
        assert_eq!(r.as_timestamp().unwrap(), ts);
        assert_eq!(r.deserialize::<Timestamp>().unwrap(), ts);
        // Sub-second precision uses the 64-bit form, before the epoch the 96-bit form.
        for ts in [Timestamp::new(1_523_232_000, 123_456_700).unwrap(), Timestamp::new(-62_135_596_800, 0).unwrap()] {
            let m = HubMessage::Completion(Completion::result("xyz", Serialized(ts)));
            let bytes = body(&m);
            let HubMessage::Completion(c) = parse(&bytes) else { panic!() };
            assert_eq!(c.outcome.result().unwrap().deserialize::<Timestamp>().unwrap(), ts);
            assert_eq!(c.outcome.result().unwrap().as_timestamp().unwrap(), ts);
        }
    }

    #[test]
    fn result_type_mismatch_has_the_dotnet_deserialize_text() {
        // CompletionResultTypeMismatch (now an error Completion in .NET): a result 42 bound as String.
        let HubMessage::Completion(c) = parse(&[0x95, 3, 0x80, 0xa3, b'x', b'y', b'z', 0x03, 42]) else { panic!() };
        let e = c.outcome.result().unwrap().deserialize::<String>().unwrap_err();
        assert_eq!(e.message().to_string(), "Deserializing object of the `String` type for 'argument' failed.");
        let HubMessage::StreamItem(i) = parse(&[0x94, 2, 0x80, 0xa3, b'x', b'y', b'z', 42]) else { panic!() };
        let e = i.item.deserialize_field::<String>("item").unwrap_err();
        assert_eq!(e.message().to_string(), "Deserializing object of the `String` type for 'item' failed.");
    }

    #[test]
    fn nil_error_kind_one_is_void_and_empty_error_is_kept() {
        let HubMessage::Completion(c) = parse(&[0x95, 3, 0x80, 0xa1, b'1', 0x01, 0xc0]) else { panic!() };
        assert_eq!(c.outcome, Outcome::Void);
        let HubMessage::Completion(c) = parse(&[0x95, 3, 0x80, 0xa1, b'1', 0x01, 0xa0]) else { panic!() };
        assert_eq!(c.outcome, Outcome::Error("".into()));
        // The MessagePack writer keeps an empty error (kind 1).
        assert_eq!(body(&HubMessage::Completion(c)), [0x95, 3, 0x80, 0xa1, b'1', 0x01, 0xa0]);
    }
}
