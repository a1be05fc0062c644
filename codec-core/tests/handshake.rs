//! The handshake: every example of hub-protocol.md §3 and the .NET `HandshakeProtocolTests` cases.

use proptest::prelude::*;
use signalr_codec_core::frame::Status;
use signalr_codec_core::handshake::{HandshakeRequest, HandshakeResponse, SUCCESS};
use signalr_codec_core::{ErrorKind, Limits, SliceOutput};

fn request(input: &[u8]) -> Result<Status<(HandshakeRequest<'_>, usize)>, signalr_codec_core::Error> {
    HandshakeRequest::parse(input, &Limits::default())
}

fn response(input: &[u8]) -> Result<Status<(HandshakeResponse<'_>, usize)>, signalr_codec_core::Error> {
    HandshakeResponse::parse(input, &Limits::default())
}

fn complete<T>(s: Status<T>) -> T {
    match s {
        Status::Complete(t) => t,
        Status::Partial => panic!("partial"),
    }
}

#[test]
fn valid_requests() {
    for (input, protocol, version) in [
        (&b"{\"protocol\":\"dummy\",\"version\":1}\x1e"[..], "dummy", 1),
        (b"{\"protocol\":\"\",\"version\":10}\x1e", "", 10),
        (b"{\"protocol\":\"\",\"version\":10,\"unknown\":null}\x1e", "", 10),
        (b"{\"protocol\":\"json\",\"version\":1}\x1e", "json", 1),
        // Escaped names and values.
        (b"{\"\\u0070rotoco\\u006c\":\"\\u0064ummy\",\"version\":1}\x1e", "dummy", 1),
        // Text after the object inside the record is ignored.
        (b"{\"protocol\":\"dummy\",\"version\":1}{\"protocol\":\"wrong\",\"version\":99}\x1e", "dummy", 1),
        // Repeated properties: the last wins.
        (b"{\"protocol\":\"a\",\"version\":1,\"protocol\":\"b\",\"version\":2}\x1e", "b", 2),
        // Whitespace, negative versions (accepted by .NET), nested unknown values.
        (b" { \"version\" : -1 , \"x\":{\"y\":[1,{}]}, \"protocol\" : \"messagepack\" } \x1e", "messagepack", -1),
    ] {
        let (req, consumed) = complete(request(input).unwrap());
        assert_eq!(req.protocol, protocol, "{}", String::from_utf8_lossy(input));
        assert_eq!(req.version, version);
        assert_eq!(consumed, input.len());
    }
}

#[test]
fn invalid_requests_give_the_dotnet_texts() {
    for (input, kind, text) in [
        (&b"42\x1e"[..], ErrorKind::Type, "Unexpected JSON Token Type 'Number'. Expected a JSON Object."),
        (b"\"42\"\x1e", ErrorKind::Type, "Unexpected JSON Token Type 'String'. Expected a JSON Object."),
        (b"null\x1e", ErrorKind::Type, "Unexpected JSON Token Type 'Null'. Expected a JSON Object."),
        (b"true\x1e", ErrorKind::Type, "Unexpected JSON Token Type 'True'. Expected a JSON Object."),
        (b"[]\x1e", ErrorKind::Type, "Unexpected JSON Token Type 'Array'. Expected a JSON Object."),
        (b"{}\x1e", ErrorKind::Missing, "Missing required property 'protocol'. Message content: {}"),
        (
            b"{\"protocol\":\"json\"}\x1e",
            ErrorKind::Missing,
            "Missing required property 'version'. Message content: {\"protocol\":\"json\"}",
        ),
        (b"{\"version\":1}\x1e", ErrorKind::Missing, "Missing required property 'protocol'. Message content: {\"version\":1}"),
        (
            b"{\"type\":4,\"invocationId\":\"42\",\"target\":\"foo\",\"arguments\":{}}\x1e",
            ErrorKind::Missing,
            "Missing required property 'protocol'. Message content: {\"type\":4,\"invocationId\":\"42\",\"target\":\"foo\",\"arguments\":{}}",
        ),
        (b"{\"version\":\"123\"}\x1e", ErrorKind::Type, "Expected 'version' to be of type Number."),
        (b"{\"protocol\":null,\"version\":123}\x1e", ErrorKind::Type, "Expected 'protocol' to be of type String."),
        // A JSON null version counts as missing.
        (
            b"{\"protocol\":\"json\",\"version\":null}\x1e",
            ErrorKind::Missing,
            "Missing required property 'version'. Message content: {\"protocol\":\"json\",\"version\":null}",
        ),
    ] {
        let e = request(input).unwrap_err();
        assert_eq!(e.message().to_string(), text, "{}", String::from_utf8_lossy(input));
        assert_eq!(e.kind(), kind, "{text}");
    }
}

#[test]
fn a_missing_or_null_property_is_located_at_the_end_of_the_object() {
    // Like the hub protocols' missing-property errors: the offset of the closing brace, where
    // the reader finds out.
    for (input, at) in [
        (&b"{}\x1e"[..], 1),
        (b"{\"protocol\":\"json\"}\x1e", 18),
        (b"{\"version\":1}\x1e", 12),
        (b"{\"protocol\":\"json\",\"version\":null}\x1e", 33),
        (b"{ \"protocol\" : \"json\" , \"x\" : [1] }  trailing\x1e", 34),
    ] {
        let e = request(input).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Missing, "{}", String::from_utf8_lossy(input));
        assert_eq!(e.offset(), Some(at), "{}", String::from_utf8_lossy(input));
        assert_eq!(input[at], b'}');
    }
}

#[test]
fn malformed_request_json_is_a_syntax_error_with_an_offset() {
    for input in [&b"\x1e"[..], b"{\x1e", b"{\"protocol\":\"json\"\x1e", b"{\"protocol\" \"json\"}\x1e", b"abc\x1e"] {
        let e = request(input).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Syntax, "{}", String::from_utf8_lossy(input));
        assert!(e.offset().is_some());
    }
    let e = request(b"{\"protocol\":\"json\",\"version\":1.5}\x1e").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Type);
}

#[test]
fn request_without_separator_is_partial() {
    assert_eq!(request(b"42").unwrap(), Status::Partial);
    assert_eq!(request(b"").unwrap(), Status::Partial);
    assert_eq!(request(b"{\"protocol\":\"json\",\"version\":1}").unwrap(), Status::Partial);
}

#[test]
fn request_split_across_reads_is_answered_when_the_separator_arrives() {
    let mut buf = Vec::new();
    for (i, piece) in [&b"{\"protocol\": \"json\""[..], b",\"version\": 1}", b"\x1e"].iter().enumerate() {
        buf.extend_from_slice(piece);
        let status = request(&buf).unwrap();
        assert_eq!(status.is_partial(), i < 2);
    }
    let (req, _) = complete(request(&buf).unwrap());
    assert_eq!((req.protocol.as_str(), req.version), ("json", 1));
}

#[test]
fn bytes_after_the_request_are_left_for_the_hub_protocol() {
    let input = b"{\"protocol\":\"json\",\"version\":1}\x1e{\"type\":1,\"target\":\"Echo\",\"arguments\":[\"x\"]}\x1e";
    let (_, consumed) = complete(request(input).unwrap());
    assert_eq!(&input[consumed..], b"{\"type\":1,\"target\":\"Echo\",\"arguments\":[\"x\"]}\x1e");
}

#[test]
fn request_over_the_size_limit_fails_before_the_separator() {
    let limits = Limits::default().with_max_message_size(Some(16));
    let e = HandshakeRequest::parse(b"{\"protocol\":\"json\",", &limits).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit);
    assert_eq!(e.limit(), Some(16));
}

#[test]
fn valid_responses() {
    for (input, error) in [
        (&b"{\"error\":\"dummy\"}\x1e"[..], Some("dummy")),
        (b"{\"error\":\"\"}\x1e", Some("")),
        (b"{}\x1e", None),
        (b"{\"unknown\":null}\x1e", None),
        (b"{\"error\":\"\",\"minorVersion\":34}\x1e", Some("")),
        (b"{\"error\":\"flump flump flump\",\"minorVersion\":112}\x1e", Some("flump flump flump")),
        (b"{\"error\":\"caf\\u00e9\"}\x1e", Some("café")),
    ] {
        let (resp, consumed) = complete(response(input).unwrap());
        assert_eq!(resp.error.as_deref(), error);
        assert_eq!(consumed, input.len());
    }
    // The JS client treats an empty error as success.
    assert!(complete(response(b"{\"error\":\"\"}\x1e").unwrap()).0.is_success());
    assert!(!complete(response(b"{\"error\":\"x\"}\x1e").unwrap()).0.is_success());
}

#[test]
fn invalid_responses_give_the_dotnet_texts() {
    for (input, text) in [
        (&b"42\x1e"[..], "Unexpected JSON Token Type 'Number'. Expected a JSON Object."),
        (b"\"42\"\x1e", "Unexpected JSON Token Type 'String'. Expected a JSON Object."),
        (b"null\x1e", "Unexpected JSON Token Type 'Null'. Expected a JSON Object."),
        (b"[]\x1e", "Unexpected JSON Token Type 'Array'. Expected a JSON Object."),
        (b"{\"error\":null}\x1e", "Expected 'error' to be of type String."),
        (b"{\"type\":1,\"target\":\"x\",\"arguments\":[]}\x1e", "Expected a handshake response from the server."),
        (b"{\"error\":\"x\",\"type\":6}\x1e", "Expected a handshake response from the server."),
    ] {
        let e = response(input).unwrap_err();
        assert_eq!(e.message().to_string(), text, "{}", String::from_utf8_lossy(input));
    }
}

#[test]
fn response_shares_a_read_with_the_first_messages() {
    let input = b"{}\x1e{\"type\":6}\x1e";
    let (resp, consumed) = complete(response(input).unwrap());
    assert!(resp.error.is_none());
    assert_eq!(&input[consumed..], b"{\"type\":6}\x1e");
}

#[test]
fn writes_what_dotnet_writes() {
    let mut out = Vec::new();
    HandshakeRequest::new("json", 1).write(&mut out).unwrap();
    assert_eq!(out, b"{\"protocol\":\"json\",\"version\":1}\x1e");

    out.clear();
    HandshakeResponse::success().write(&mut out).unwrap();
    assert_eq!(out, SUCCESS);

    out.clear();
    HandshakeResponse::error("The protocol 'x' is not supported.").write(&mut out).unwrap();
    assert_eq!(out, b"{\"error\":\"The protocol 'x' is not supported.\"}\x1e");

    // .NET writes an empty error as success.
    out.clear();
    HandshakeResponse::error("").write(&mut out).unwrap();
    assert_eq!(out, b"{}\x1e");
}

#[test]
fn writing_into_a_small_buffer_reports_the_size_and_writes_nothing() {
    let mut buf = [0u8; 10];
    let mut out = SliceOutput::new(&mut buf);
    let e = HandshakeRequest::new("json", 1).write(&mut out).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BufferTooSmall);
    assert_eq!(e.needed(), Some(32));
    assert!(out.is_empty());
}

proptest! {
    #[test]
    fn request_round_trips(protocol in "\\PC{0,40}", version in any::<i32>()) {
        let req = HandshakeRequest::new(protocol.as_str(), version);
        let mut out = Vec::new();
        let n = req.write(&mut out).unwrap();
        prop_assert_eq!(n, out.len());
        prop_assert_eq!(n, req.encoded_len());
        let (parsed, consumed) = complete(HandshakeRequest::parse(&out, &Limits::unlimited()).unwrap());
        prop_assert_eq!(consumed, out.len());
        prop_assert_eq!(parsed, req);
    }

    #[test]
    fn response_round_trips(error in proptest::option::of("[\\PC\\n\\r\\t\\u{1}]{1,40}")) {
        let resp = HandshakeResponse { error: error.as_deref().map(Into::into) };
        let mut out = Vec::new();
        let n = resp.write(&mut out).unwrap();
        prop_assert_eq!(n, resp.encoded_len());
        let (parsed, _) = complete(HandshakeResponse::parse(&out, &Limits::unlimited()).unwrap());
        prop_assert_eq!(parsed, resp);
    }

    #[test]
    fn parsing_never_panics(input in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = HandshakeRequest::parse(&input, &Limits::default());
        let _ = HandshakeResponse::parse(&input, &Limits::default());
    }

    #[test]
    fn parsing_json_like_input_never_panics(input in "[{}\\[\\]\":,a-z0-9\\\\u \\x1e]{0,64}") {
        let _ = HandshakeRequest::parse(input.as_bytes(), &Limits::default());
        let _ = HandshakeResponse::parse(input.as_bytes(), &Limits::default());
    }
}
