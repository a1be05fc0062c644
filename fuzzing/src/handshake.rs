//! The handshake request and response parsers.

use signalr_codec_core::frame::Status;
use signalr_codec_core::handshake::{HandshakeRequest, HandshakeResponse};
use signalr_codec_core::limits::Limits;

/// The handshake request parser: never panics; what parses writes back to bytes that parse to
/// the same request.
pub fn handshake_request(data: &[u8]) {
    let limits = Limits::default();
    if let Ok(Status::Complete((request, consumed))) = HandshakeRequest::parse(data, &limits) {
        assert!(consumed <= data.len());
        let mut out = Vec::new();
        let written = request.write(&mut out).expect("a Vec has room");
        assert_eq!(written, out.len());
        let reparsed = HandshakeRequest::parse(&out, &Limits::unlimited());
        assert_eq!(reparsed, Ok(Status::Complete((request, out.len()))), "handshake request round trip");
    }
}

/// The handshake response parser: as [`handshake_request`] (an empty error is written as
/// success, as .NET writes it).
pub fn handshake_response(data: &[u8]) {
    let limits = Limits::default();
    if let Ok(Status::Complete((response, consumed))) = HandshakeResponse::parse(data, &limits) {
        assert!(consumed <= data.len());
        let mut out = Vec::new();
        response.write(&mut out).expect("a Vec has room");
        let Ok(Status::Complete((reparsed, _))) = HandshakeResponse::parse(&out, &Limits::unlimited()) else {
            panic!("a written handshake response does not parse");
        };
        let expected = if response.is_success() { HandshakeResponse::success() } else { response };
        assert_eq!(reparsed, expected, "handshake response round trip");
    }
}
