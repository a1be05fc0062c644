//! One table per reading/writing rule (hub-protocol.md §2.2, §5.2, §5.3, §6, §8, §10, §14),
//! including every MessagePack hex example of the fact sheet.
#![allow(clippy::approx_constant)] // .NET's test data uses 6.2831853071, not TAU.

mod common;

use common::{body, hex, parse, parse_err, raw};
use signalr_codec_core::frame::Status;
use signalr_codec_core::{
    Close, Completion, ErrorKind, Headers, HubMessage, HubProtocol, Invocation, Limits, Outcome, Parsed, StreamIds,
    StreamItem,
};
use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue, Timestamp, Value};

/// The messages these tests write (owning, as built by the constructors).
type Message<'a> = HubMessage<'a, RawValue<'a>>;

fn err(body: &[u8]) -> signalr_codec_core::Error {
    MessagePackHubProtocol::new().parse(body).unwrap_err()
}

#[test]
fn ping_is_91_06_both_ways() {
    assert_eq!(parse(&[0x91, 0x06]), HubMessage::Ping);
    assert_eq!(body(&Message::Ping), [0x91, 0x06]);
    // Readers ignore anything after the type.
    assert_eq!(parse(&[0x93, 0x06, 0x80, 0xa1, b'x']), HubMessage::Ping);
    // Written whole (prefix included) into any output; too little room writes nothing.
    let p = MessagePackHubProtocol::new();
    let ping = Message::Ping;
    let mut vec = b"kept".to_vec();
    assert_eq!(p.write(&ping, &mut vec).unwrap(), 3);
    assert_eq!(vec, b"kept\x02\x91\x06");
    assert_eq!(p.encoded_len(&ping).unwrap(), 3);
    let mut small = [0xAAu8; 2];
    let mut out = signalr_codec_core::SliceOutput::new(&mut small);
    let e = p.write(&ping, &mut out).unwrap_err();
    assert_eq!((e.kind(), e.needed()), (signalr_codec_core::ErrorKind::BufferTooSmall, Some(3)));
    assert_eq!(small, [0xAA; 2]);
}

#[test]
fn fields_are_read_by_position_past_the_declared_length() {
    // [0x91, 1, 0x80, 0xc2] is read as type, headers, invocation id.
    assert_eq!(parse_err(&[0x91, 1, 0x80, 0xc2]), "Reading 'invocationId' as String failed.");
    // A 1-element Sequence whose id follows anyway.
    assert_eq!(parse(&[0x91, 0x09, 0x2a]), HubMessage::Sequence { sequence_id: 42 });
}

#[test]
fn any_integer_width_for_type_ids_result_kinds_and_sequence_ids() {
    for (bytes, expected) in [
        ("92 08 2a", 42),
        ("92 cc 08 2a", 42),
        ("92 d0 08 2a", 42),
        ("92 cd 00 08 2a", 42),
        ("92 d3 00 00 00 00 00 00 00 08 2a", 42),
        ("92 cf 00 00 00 00 00 00 00 08 2a", 42),
        ("92 08 cf 00 00 00 00 00 00 00 2a", 42),
        ("92 08 d0 80", -128),
        ("92 08 d3 80 00 00 00 00 00 00 00", i64::MIN),
        ("92 08 cf 7f ff ff ff ff ff ff ff", i64::MAX),
    ] {
        assert_eq!(parse(hex(bytes)), HubMessage::Ack { sequence_id: expected }, "{bytes}");
    }
    assert_eq!(parse(hex("92 09 cc 92")), HubMessage::Sequence { sequence_id: 146 });
    // Out of range for the field's .NET type.
    assert_eq!(parse_err(hex("92 08 cf 80 00 00 00 00 00 00 00")), "Reading 'sequenceId' as Int64 failed.");
    assert_eq!(parse_err(hex("92 ce 80 00 00 00 2a")), "Reading 'messageType' as Int32 failed.");
    assert_eq!(parse_err(hex("92 cb 40 20 00 00 00 00 00 00")), "Reading 'messageType' as Int32 failed.");
    // Result kinds.
    let c = parse(hex("95 03 80 a1 31 cd 00 03 2a"));
    assert_eq!(c, HubMessage::Completion(Completion::result("1", raw(&[0x2a]))));
    assert_eq!(parse(hex("94 03 80 a1 31 d0 02")), HubMessage::Completion(Completion::void("1")));
    for kind in ["00", "04", "ff", "cd 01 00"] {
        let e = err(hex(&format!("95 03 80 a1 31 {kind} 2a")));
        assert_eq!(e.message().to_string(), "Invalid invocation result kind.", "{kind}");
        assert_eq!((e.kind(), e.offset()), (ErrorKind::Invalid, Some(5)));
    }
}

#[test]
fn declared_length_only_decides_the_optional_tails() {
    // 5-element Invocation (old clients): no stream ids read.
    let m = parse(hex("95 01 80 c0 a1 54 90"));
    assert_eq!(m, HubMessage::Invocation(Invocation::new("T", RawValue::EMPTY_ARRAY)));
    // 6 elements: stream ids.
    let HubMessage::Invocation(m) = parse(hex("96 01 80 c0 a1 54 90 92 a1 31 a1 32")) else { panic!() };
    assert_eq!(m.stream_ids.iter().collect::<Vec<_>>(), ["1", "2"]);
    // 6 declared, stream ids missing.
    assert_eq!(parse_err(hex("96 01 80 c0 a1 54 90")), "Reading array length for 'streamIds' failed.");
    assert_eq!(parse_err(hex("96 01 80 c0 a1 54 90 2a")), "Reading array length for 'streamIds' failed.");
    // Close: allowReconnect only when more than 2 elements are declared.
    assert_eq!(parse(hex("92 07 c0 c3")), HubMessage::Close(Close::default()));
    assert_eq!(parse(hex("93 07 c0 c3")), HubMessage::Close(Close { error: None, allow_reconnect: true }));
    // A declared length past the end fails first, as MessagePack-CSharp checks it.
    assert_eq!(parse_err(hex("93 07 c0")), "Attempted to read past the end of the stream.");
    assert_eq!(parse_err(hex("93 07 c0 c0")), "Reading 'allowReconnect' as Boolean failed.");
    assert_eq!(parse_err(hex("91 07")), "Reading 'error' as String failed.");
    // An empty Close error is still an error on the way in; the writer writes it as nil.
    let close = parse(hex("92 07 a0"));
    assert_eq!(close, HubMessage::Close(Close { error: Some("".into()), allow_reconnect: false }));
    assert_eq!(body(&close), hex("93 07 c0 c2"));
}

#[test]
fn invocation_ids() {
    // nil or "" on an Invocation: non-blocking.
    for id in ["c0", "a0"] {
        let HubMessage::Invocation(m) = parse(hex(&format!("96 01 80 {id} a1 54 90 90"))) else { panic!() };
        assert_eq!(m.invocation_id, None, "{id}");
        assert!(m.is_non_blocking());
    }
    // Written as nil.
    let m = HubMessage::Invocation(Invocation::new("T", RawValue::EMPTY_ARRAY));
    assert_eq!(body(&m), hex("96 01 80 c0 a1 54 90 90"));
    let mut m = Invocation::new("T", RawValue::EMPTY_ARRAY).with_invocation_id("");
    assert_eq!(body(&HubMessage::Invocation(m.clone())), hex("96 01 80 c0 a1 54 90 90"));
    m.invocation_id = Some("7".into());
    assert_eq!(body(&HubMessage::Invocation(m)), hex("96 01 80 a1 37 a1 54 90 90"));
    // nil elsewhere is "null or empty".
    assert_eq!(parse_err(hex("93 05 80 c0")), "Null or empty invocation ID for CancelInvocation message.");
    assert_eq!(parse_err(hex("94 02 80 c0 2a")), "Null or empty invocation ID for StreamItem message.");
    assert_eq!(parse_err(hex("94 03 80 c0 02")), "Null or empty invocation ID for Completion message.");
    assert_eq!(parse_err(hex("96 04 80 c0 a1 54 90 90")), "Null or empty invocation ID for StreamInvocation message.");
    assert_eq!(parse_err(hex("96 01 80 c0 c0 90 90")), "Null or empty target for Invocation message.");
}

#[test]
fn unknown_types_are_skipped_not_errors() {
    let p = MessagePackHubProtocol::new();
    for (bytes, ty) in
        [("91 63", 99), ("93 0a 80 c1", 10), ("91 ff", -1), ("91 00", 0), ("91 d2 7f ff ff ff", i32::MAX as i64)]
    {
        assert_eq!(p.parse(hex(bytes)).unwrap(), Parsed::Skipped { message_type: ty }, "{bytes}");
    }
    // The frame is consumed: the next message follows.
    let mut d = p.decoder();
    let input = hex("02 91 63 02 91 06");
    let got: Vec<_> = d.messages(input).map(|m| m.unwrap()).collect();
    assert_eq!(got, [Parsed::Skipped { message_type: 99 }, Parsed::Message(HubMessage::Ping)]);
}

#[test]
fn broken_envelopes() {
    // Empty body.
    let e = err(&[]);
    assert_eq!(e.message().to_string(), "Attempted to read past the end of the stream.");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    // Not an array: MessagePack-CSharp's text.
    assert_eq!(parse_err(&[0x2a]), "Unexpected msgpack code 42 (positive fixint) encountered.");
    assert_eq!(parse_err(&[0x81, 0x01, 0x02]), "Unexpected msgpack code 129 (fixmap) encountered.");
    // An array header claiming more elements than there are bytes.
    assert_eq!(parse_err(hex("dd ff ff ff ff 06")), "Attempted to read past the end of the stream.");
    assert_eq!(parse_err(hex("dc 00")), "Attempted to read past the end of the stream.");
    // No type.
    assert_eq!(parse_err(&[0x90]), "Reading 'messageType' as Int32 failed.");
}

#[test]
fn headers() {
    // `80` when empty, both ways.
    assert_eq!(body(&Message::CancelInvocation(signalr_codec_core::CancelInvocation::new("1"))), hex("93 05 80 a1 31"));
    // Headers are a view over the frame.
    let bytes = hex("93 05 82 a1 61 a1 62 a1 63 a1 64 a1 31");
    let HubMessage::CancelInvocation(m) = parse(bytes) else { panic!() };
    assert_eq!(m.headers.len(), 2);
    assert_eq!(m.headers.get("c").as_deref(), Some("d"));
    assert!(m.headers.iter().all(|(k, v)| k.is_borrowed() && v.is_borrowed()));
    assert_eq!(body(&Message::CancelInvocation(m)), bytes);
    // A map claiming 2^32 - 1 entries: refused before anything is reserved.
    let e = err(hex("93 05 df ff ff ff ff a1 31"));
    assert_eq!(e.message().to_string(), "Reading map length for 'headers' failed.");
    assert_eq!(e.offset(), Some(2));
    // A repeated key: .NET's dictionary refuses it.
    assert_eq!(
        parse_err(hex("93 05 82 a1 61 a1 62 a1 61 a1 64 a1 31")),
        "An item with the same key has already been added. Key: a"
    );
    // Offsets point at the failing element.
    assert_eq!(err(&[0x92, 1, 0x82, 0x2a, 0xa3, b'f', b'o', b'o']).offset(), Some(3));
    // Ping/Close/Ack/Sequence carry none.
    assert_eq!(body(&Message::Close(Close::default())), hex("93 07 c0 c2"));
}

#[test]
fn strings_are_borrowed_and_must_be_utf8() {
    let bytes = hex("96 01 80 a1 31 a6 6d 65 74 68 6f 64 90 90");
    let HubMessage::Invocation(m) = parse(bytes) else { panic!() };
    assert!(m.target.is_borrowed() && m.invocation_id.as_ref().unwrap().is_borrowed());
    let e = err(hex("96 01 80 a1 31 a2 c3 28 90 90"));
    assert_eq!(e.message().to_string(), "Reading 'target' as String failed.");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(parse_err(hex("93 05 81 a1 ff a1 62 a1 31")), "Reading 'headers[0].Key' as String failed.");
    assert_eq!(parse_err(hex("96 01 80 c0 a1 54 90 91 a1 ff")), "Reading 'streamIds[0]' as String failed.");
    // A string longer than the frame.
    assert_eq!(parse_err(hex("96 01 80 c0 db ff ff ff ff")), "Reading 'target' as String failed.");
    // str 8/16/32 all read.
    let HubMessage::Invocation(m) = parse(hex("96 01 80 c0 da 00 01 54 90 90")) else { panic!() };
    assert_eq!(m.target, "T");
    // Non-ASCII ids and targets (the fast path takes ASCII only, the general parser the rest).
    let HubMessage::Invocation(m) = parse(hex("96 01 80 a2 c3 a9 a5 63 61 66 c3 a9 90 90")) else { panic!() };
    assert_eq!((m.invocation_id.as_deref(), m.target.as_str()), (Some("\u{e9}"), "caf\u{e9}"));
    assert!(m.target.is_borrowed() && m.invocation_id.as_ref().unwrap().is_borrowed());
    let HubMessage::Completion(m) = parse(hex("95 03 80 a2 c3 a9 03 2a")) else { panic!() };
    assert_eq!(m.invocation_id, "\u{e9}");
}

#[test]
fn stream_ids() {
    assert_eq!(parse_err(hex("96 01 80 c0 a1 54 90 91 c0")), "Null or empty value in streamIds received.");
    assert_eq!(parse_err(hex("96 01 80 c0 a1 54 90 91 a0")), "Null or empty value in streamIds received.");
    // .NET reads stream ids with the reader's own ReadString: MessagePack-CSharp's texts.
    assert_eq!(
        parse_err(hex("96 01 80 c0 a1 54 90 91 2a")),
        "Unexpected msgpack code 42 (positive fixint) encountered."
    );
    assert_eq!(parse_err(hex("96 01 80 c0 a1 54 90 93 a1 31")), "Reading array length for 'streamIds' failed.");
    assert_eq!(parse_err(hex("96 01 80 c0 a1 54 90 92 a1 31 c3")), "Unexpected msgpack code 195 (true) encountered.");
    assert_eq!(parse_err(hex("96 01 80 c0 a1 54 90 92 a1 31")), "Attempted to read past the end of the stream.");
    let ids = ["a", "b"];
    let mut m = Invocation::new("T", RawValue::EMPTY_ARRAY);
    m.stream_ids = StreamIds::from_slice(&ids);
    assert_eq!(body(&HubMessage::Invocation(m)), hex("96 01 80 c0 a1 54 90 92 a1 61 a1 62"));
}

#[test]
fn arguments_that_are_not_an_array_bind_late() {
    // Not an array: the message parses; binding fails with .NET's text; stream ids are not read
    // (.NET stops at the binding failure).
    let HubMessage::Invocation(m) = parse(hex("96 01 80 c0 a1 54 2a 91 c0")) else { panic!() };
    assert_eq!(m.arguments.as_bytes(), [0x2a]);
    assert!(m.stream_ids.is_empty());
    assert_eq!(
        m.arguments.arguments().unwrap_err().message().to_string(),
        "Reading array length for 'arguments' failed."
    );
    // Missing: an empty raw value that cannot be written back.
    let HubMessage::Invocation(m) = parse(hex("94 01 80 c0 a1 54")) else { panic!() };
    assert!(m.arguments.is_missing());
    let e = MessagePackHubProtocol::new().to_vec(&HubMessage::Invocation(m.clone())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    // Nor into an output that grows (written in one pass, without measuring first): refused,
    // and nothing is left behind.
    let mut out = vec![0xAA];
    let e = MessagePackHubProtocol::new().write_to_vec(&HubMessage::Invocation(m), &mut out).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert_eq!(out, [0xAA]);
    // An array header larger than the frame.
    assert_eq!(parse_err(hex("96 01 80 c0 a1 54 dd 00 00 00 09 90")), "Reading array length for 'arguments' failed.");
}

#[test]
fn payload_values_are_checked_and_bounded() {
    // Cut short.
    assert_eq!(parse_err(hex("94 02 80 a1 31 a5 61")), "Deserializing object of the `Object` type for 'item' failed.");
    assert_eq!(parse_err(hex("94 02 80 a1 31")), "Deserializing object of the `Object` type for 'item' failed.");
    assert_eq!(parse_err(hex("95 03 80 a1 31 03")), "Deserializing object of the `Object` type for 'argument' failed.");
    assert_eq!(
        parse_err(hex("95 03 80 a1 31 03 c1")),
        "Deserializing object of the `Object` type for 'argument' failed."
    );
    assert_eq!(
        parse_err(hex("96 01 80 c0 a1 54 92 2a dd ff ff ff ff")),
        "Deserializing object of the `Object` type for 'argument' failed."
    );
    // Nesting: envelope (1) > item array (2) > array (3) > array (4).
    let deep = hex("94 02 80 a1 31 91 91 91 2a");
    let p = MessagePackHubProtocol::with_limits(Limits::default().with_max_depth(3));
    let e = p.parse(deep).unwrap_err();
    assert_eq!(
        (e.kind(), e.message().to_string().as_str()),
        (ErrorKind::Limit, "The MessagePack nesting depth exceeds the configured maximum.")
    );
    assert!(MessagePackHubProtocol::with_limits(Limits::default().with_max_depth(4)).parse(deep).is_ok());
    // 100 000 nested arrays: an error, not a stack overflow.
    let mut bomb = hex("94 02 80 a1 31").to_vec();
    bomb.resize(bomb.len() + 100_000, 0x91);
    bomb.push(0x2a);
    assert_eq!(
        MessagePackHubProtocol::with_limits(Limits::unlimited()).parse(&bomb).unwrap_err().kind(),
        ErrorKind::Limit
    );
}

#[test]
fn counts_are_limited() {
    let limits = Limits::default().with_max_arguments(1).with_max_headers(1).with_max_stream_ids(1);
    let p = MessagePackHubProtocol::with_limits(limits);
    assert_eq!(p.parse(hex("96 01 80 c0 a1 54 92 01 02 90")).unwrap_err().kind(), ErrorKind::Limit);
    assert!(p.parse(hex("96 01 80 c0 a1 54 91 01 90")).is_ok());
    assert_eq!(p.parse(hex("93 05 82 a1 61 a1 62 a1 63 a1 64 a1 31")).unwrap_err().kind(), ErrorKind::Limit);
    assert_eq!(p.parse(hex("96 01 80 c0 a1 54 90 92 a1 31 a1 32")).unwrap_err().kind(), ErrorKind::Limit);
}

#[test]
fn payload_examples_from_the_fact_sheet() {
    // Enums as strings.
    assert_eq!(raw(&[0xa3, 0x4f, 0x6e, 0x65]).as_str().unwrap(), "One");
    // byte[] as bin.
    assert_eq!(raw(&[0xc4, 0x03, 0x01, 0x02, 0x03]).as_bin().unwrap(), [1, 2, 3]);
    // DateTime as timestamp (32-bit form): 2018-04-09T00:00:00Z.
    assert_eq!(raw(hex("d6 ff 5a ca ad 00")).as_timestamp().unwrap(), Timestamp::from_seconds(1_523_232_000));
    // float / double.
    assert!(matches!(raw(hex("ca 42 28 00 00")).decode().unwrap(), Value::F32(v) if v == 42.0));
    assert!(matches!(raw(hex("cb 40 19 21 fb 54 42 cf 12")).decode().unwrap(), Value::F64(v) if v == 6.2831853071));
}

#[test]
fn varint_framing_examples() {
    let p = MessagePackHubProtocol::with_limits(Limits::unlimited());
    // `80 01` = 128: a Ping padded to 128 bytes (trailing bytes after the array are ignored).
    let mut input = vec![0x80, 0x01, 0x91, 0x06];
    input.extend([0u8; 126]);
    let Status::Complete((m, used)) = p.decode(&input).unwrap() else { panic!() };
    assert_eq!((m, used), (Parsed::Message(HubMessage::Ping), 130));
    // A non-minimal prefix is accepted; a cut-off prefix or body is partial.
    assert!(matches!(p.decode(&[0x82, 0x00, 0x91, 0x06]).unwrap(), Status::Complete((_, 4))));
    for partial in [&[][..], &[0x80], &[0x04, 0xab, 0xcd, 0xef], &[0x09, 0x00, 0x00], &[0xff, 0xff, 0xff, 0xff, 0x07]] {
        assert!(p.decode(partial).unwrap().is_partial(), "{partial:02x?}");
    }
    // Over 2 GB.
    for bad in [&[0xff, 0xff, 0xff, 0xff, 0xff][..], &[0x80, 0x80, 0x80, 0x80, 0x08]] {
        assert_eq!(p.decode(bad).unwrap_err().message().to_string(), "Messages over 2GB in size are not supported.");
    }
    // A zero-length frame is rejected by the protocol layer.
    assert_eq!(p.decode(&[0x00]).unwrap_err().message().to_string(), "Attempted to read past the end of the stream.");
    // Long bodies get multi-byte prefixes: 16384 = `80 80 01`.
    let big = "x".repeat(16384 - 6);
    let m: HubMessage<'_, RawValue<'_>> =
        HubMessage::Close(Close { error: Some(big.as_str().into()), allow_reconnect: false });
    let framed = p.to_vec(&m).unwrap();
    assert_eq!(&framed[..3], [0x80, 0x80, 0x01]);
    assert_eq!(framed.len(), 16384 + 3);
}

#[test]
fn writer_layouts() {
    let v = raw(&[0x2a]);
    assert_eq!(body(&Message::Ack { sequence_id: 42 }), hex("92 08 2a"));
    assert_eq!(body(&Message::Sequence { sequence_id: 146 }), hex("92 09 cc 92"));
    assert_eq!(body(&Message::Sequence { sequence_id: -1 }), hex("92 09 ff"));
    assert_eq!(body(&Message::Ack { sequence_id: 1 << 40 }), hex("92 08 cf 00 00 01 00 00 00 00 00"));
    assert_eq!(body(&HubMessage::StreamItem(StreamItem::new("1", v))), hex("94 02 80 a1 31 2a"));
    assert_eq!(body(&HubMessage::Completion(Completion::result("1", RawValue::NIL))), hex("95 03 80 a1 31 03 c0"));
    assert_eq!(body(&Message::Completion(Completion::void("1"))), hex("94 03 80 a1 31 02"));
    assert_eq!(body(&Message::Completion(Completion::error("1", "e"))), hex("95 03 80 a1 31 01 a1 65"));
    let pairs = [("a", "b")];
    let mut s = signalr_codec_core::StreamInvocation::new("1", "T", RawValue::EMPTY_ARRAY);
    s.headers = Headers::from_pairs(&pairs);
    assert_eq!(body(&HubMessage::StreamInvocation(s)), hex("96 04 81 a1 61 a1 62 a1 31 a1 54 90 90"));
    assert_eq!(body(&Message::Close(Close { error: Some("x".into()), allow_reconnect: true })), hex("93 07 a1 78 c3"));
}

#[test]
fn too_small_output_writes_nothing() {
    let p = MessagePackHubProtocol::new();
    let m = HubMessage::Completion(Completion::result("xyz", raw(&[0x2a])));
    let mut buf = [0u8; 9];
    let e = p.write_to_slice(&m, &mut buf).unwrap_err();
    assert_eq!((e.kind(), e.needed()), (ErrorKind::BufferTooSmall, Some(10)));
    assert_eq!(buf, [0; 9]);
    let mut buf = [0u8; 10];
    assert_eq!(p.write_to_slice(&m, &mut buf).unwrap(), 10);
    assert_eq!(buf, hex("09 95 03 80 a3 78 79 7a 03 2a"));
    let mut body_only = [0u8; 9];
    let e = p.write_body(&m, &mut signalr_codec_core::SliceOutput::new(&mut body_only[..8])).unwrap_err();
    assert_eq!(e.needed(), Some(9));
}

#[test]
fn bytes_mut_output() {
    let p = MessagePackHubProtocol::new();
    let mut out = bytes::BytesMut::with_capacity(16);
    p.write(&Message::Ping, &mut out).unwrap();
    assert_eq!(&out[..], [0x02, 0x91, 0x06]);
    let outcome = Outcome::<RawValue>::Void;
    assert!(outcome.result().is_none());
}

#[test]
fn owned_messages_write_the_same_bytes() {
    let bytes = hex("95 03 81 a1 61 a1 62 a1 31 03 92 2a a1 78");
    let owned = parse(bytes).into_owned_with(signalr_codec_msgpack::RawValueBuf::from);
    assert_eq!(body(&owned), bytes);
    let HubMessage::Completion(c) = &owned else { panic!() };
    assert_eq!(c.outcome.result().unwrap().as_raw().as_array().unwrap().len(), 2);
}

#[test]
fn the_writer_refuses_what_the_reader_refuses() {
    let p = MessagePackHubProtocol::new();
    let args = raw(&[0x90]);
    let empty_key = [("", "v")];
    let empty_value = [("k", "")];
    let empty_id = [""];
    let with_headers = |pairs| {
        let mut m = Invocation::new("t", args);
        m.headers = Headers::from_pairs(pairs);
        HubMessage::Invocation(m)
    };
    let mut with_stream = Invocation::new("t", args);
    with_stream.stream_ids = StreamIds::from_slice(&empty_id);
    let cases: [(Message<'_>, &str); 9] = [
        (with_headers(&empty_key), "Null or empty key in header."),
        (with_headers(&empty_value), "Null or empty value in header."),
        (HubMessage::Invocation(with_stream), "Null or empty value in streamIds received."),
        (HubMessage::Invocation(Invocation::new("", args)), "Null or empty target for Invocation message."),
        (
            HubMessage::StreamInvocation(signalr_codec_core::StreamInvocation::new("1", "", args)),
            "Null or empty target for StreamInvocation message.",
        ),
        (
            HubMessage::StreamInvocation(signalr_codec_core::StreamInvocation::new("", "t", args)),
            "Null or empty invocation ID for StreamInvocation message.",
        ),
        (HubMessage::StreamItem(StreamItem::new("", args)), "Null or empty invocation ID for StreamItem message."),
        (HubMessage::Completion(Completion::void("")), "Null or empty invocation ID for Completion message."),
        (
            HubMessage::CancelInvocation(signalr_codec_core::CancelInvocation::new("")),
            "Null or empty invocation ID for CancelInvocation message.",
        ),
    ];
    for (message, text) in cases {
        // Refused before anything is written, by encoded_len as by write.
        let e = p.encoded_len(&message).unwrap_err();
        assert_eq!((e.kind(), e.message().to_string()), (ErrorKind::Invalid, text.to_string()));
        let mut out = Vec::new();
        let e = p.write(&message, &mut out).unwrap_err();
        assert_eq!(e.message().to_string(), text);
        assert!(out.is_empty(), "{text}: nothing written");
    }
    // An empty invocation id on an Invocation is the non-blocking form: written as nil.
    let m = HubMessage::Invocation(Invocation::new("t", args).with_invocation_id(""));
    assert_eq!(body(&m), hex("96 01 80 c0 a1 74 90 90"));
}

/// A method without parameters binds an empty argument list however it spells "nothing":
/// `()`, a zero-length array, a struct without fields; one argument too many is the arity text.
#[test]
fn empty_argument_lists_bind_to_any_empty_type() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct NoArguments {}
    let none = RawValue::new(&[0x90]).unwrap();
    assert_eq!(none.bind::<()>().unwrap(), ());
    assert_eq!(none.bind::<[u8; 0]>().unwrap(), [0u8; 0]);
    assert_eq!(none.bind::<NoArguments>().unwrap(), NoArguments {});
    let one = RawValue::new(&[0x91, 0x01]).unwrap();
    for e in [one.bind::<()>().unwrap_err(), one.bind::<NoArguments>().unwrap_err()] {
        assert_eq!(e.message().to_string(), "Invocation provides 1 argument(s) but target expects 0.");
    }
}
