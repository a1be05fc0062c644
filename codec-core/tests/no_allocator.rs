//! Strings without an allocator. A decoded string is borrowed from the input; a JSON string with
//! escapes (the only kind whose decoded form differs from its bytes) is decoded into the text's
//! inline room with `inline-text`, and is an `Unsupported` error without it, except a
//! handshake refusal's text, kept as the server wrote it so that the refusal is still read. Run by CI without
//! any feature and with `inline-text` alone; with `alloc` these cases are the handshake tests'.

#![cfg(not(feature = "alloc"))]

use signalr_codec_core::frame::Status;
use signalr_codec_core::handshake::{HandshakeRequest, HandshakeResponse};
use signalr_codec_core::{Error, ErrorKind, Limits, Text};

fn request(input: &[u8]) -> Result<Status<(HandshakeRequest<'_>, usize)>, Error> {
    HandshakeRequest::parse(input, &Limits::default())
}

fn response(input: &[u8]) -> Result<Status<(HandshakeResponse<'_>, usize)>, Error> {
    HandshakeResponse::parse(input, &Limits::default())
}

#[test]
fn strings_without_escapes_are_borrowed() {
    let input = b"{\"protocol\":\"messagepack\",\"version\":1}\x1e";
    let Ok(Status::Complete((req, consumed))) = request(input) else { panic!("not parsed") };
    assert_eq!((req.protocol.as_str(), req.version, consumed), ("messagepack", 1, input.len()));
    assert!(req.protocol.is_borrowed());
    let Ok(Status::Complete((res, _))) = response(b"{\"error\":\"refused\"}\x1e") else { panic!("not parsed") };
    assert_eq!(res.error.as_deref(), Some("refused"));
}

#[cfg(not(feature = "inline-text"))]
#[test]
fn a_text_is_a_str_and_an_escaped_string_is_unsupported() {
    assert_eq!(core::mem::size_of::<Text<'_>>(), core::mem::size_of::<&str>());
    assert_eq!(core::mem::size_of::<Option<Text<'_>>>(), core::mem::size_of::<&str>());
    // The error names the string's offset: its opening quote.
    let e = request(b"{\"protocol\":\"\\u0064ummy\",\"version\":1}\x1e").unwrap_err();
    assert_eq!((e.kind(), e.offset()), (ErrorKind::Unsupported, Some(12)));
    // A refusal stays a refusal: its text as the server wrote it.
    let Ok(Status::Complete((res, _))) = response(b"{\"error\":\"caf\\u00e9\"}\x1e") else { panic!("not parsed") };
    assert_eq!(res.error.as_deref(), Some("caf\\u00e9"));
    // An unpaired surrogate is still invalid JSON.
    assert_eq!(response(b"{\"error\":\"\\ud800\"}\x1e").unwrap_err().kind(), ErrorKind::Syntax);
    // An escaped key is compared without decoding it into a text.
    let Ok(Status::Complete((req, _))) = request(b"{\"\\u0070rotocol\":\"json\",\"version\":1}\x1e") else {
        panic!("not parsed")
    };
    assert_eq!(req.protocol.as_str(), "json");
}

#[cfg(feature = "inline-text")]
#[test]
fn short_escaped_strings_are_decoded_inline() {
    let Ok(Status::Complete((req, _))) = request(b"{\"protocol\":\"\\u0064ummy\",\"version\":1}\x1e") else {
        panic!("not parsed")
    };
    assert_eq!(req.protocol.as_str(), "dummy");
    assert!(!req.protocol.is_borrowed());
    let Ok(Status::Complete((res, _))) = response(b"{\"error\":\"caf\\u00e9\"}\x1e") else { panic!("not parsed") };
    assert_eq!(res.error.as_deref(), Some("caf\u{e9}"));
    // Longer than the room: kept as written, still a refusal.
    let long = b"{\"error\":\"The protocol \\u0027x\\u0027 is not supported.\"}\x1e";
    let Ok(Status::Complete((res, _))) = response(long) else { panic!("not parsed") };
    assert_eq!(res.error.as_deref(), Some("The protocol \\u0027x\\u0027 is not supported."));
    // Past the room, the escapes are still checked: an unpaired surrogate is invalid JSON.
    let late = b"{\"error\":\"The protocol is not supported. \\ud800\"}\x1e";
    assert_eq!(response(late).unwrap_err().kind(), ErrorKind::Syntax);
    assert_eq!(Text::inline("dummy").as_deref(), Some("dummy"));
}

proptest::proptest! {
    /// Any refusal the core writes reads back as a refusal without an allocator: its text
    /// itself when it has no escapes (or, with `inline-text`, when its decoded form fits), else
    /// exactly the bytes between the quotes as written.
    #[test]
    fn every_refusal_reads_back_as_a_refusal(text in "[\\PC\\n\\r\\t\\u{1}'\"\\\\]{1,40}") {
        let mut buf = [0u8; 512];
        let mut out = signalr_codec_core::SliceOutput::new(&mut buf);
        let n = HandshakeResponse::error(text.as_str()).write(&mut out).unwrap();
        let record = &buf[..n];
        let Ok(Status::Complete((res, consumed))) = response(record) else { panic!("not read back") };
        proptest::prop_assert_eq!(consumed, n);
        let read = res.error.expect("a refusal");
        let written = core::str::from_utf8(&record[10..n - 3]).unwrap(); // {"error":"…"}␞
        if read.as_str() != text {
            proptest::prop_assert_eq!(read.as_str(), written);
            proptest::prop_assert!(written.contains('\\'));
        }
    }
}
