//! `signalr-codec handshake`: write a request, or parse requests and responses.

use serde_json::{json, Value};
use signalr_codec_core::frame::Status;
use signalr_codec_core::handshake::{HandshakeRequest, HandshakeResponse};
use signalr_codec_core::Limits;

use crate::report;

/// Which side of the handshake to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Side {
    /// The client's `{"protocol":…,"version":…}`.
    Request,
    /// The server's `{}` or `{"error":…}`.
    Response,
}

/// The bytes of a handshake request.
pub fn write_request(protocol: &str, version: i32) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot run out of room.
    let _ = HandshakeRequest::new(protocol, version).write(&mut out);
    out
}

/// Parses the handshake at the start of a stream, reading only as far as the parser looks (its
/// record separator, or past the size limit): what [`parse`] gives on the whole input, without
/// waiting for the rest of a connection.
pub fn parse_stream(side: Side, limits: &Limits, input: &mut dyn std::io::Read) -> std::io::Result<Value> {
    let record = crate::input::read_record(input, limits.max_message_size)?;
    Ok(parse(side, limits, &record))
}

/// Parses one buffer holding a handshake message: `{"ok":{"protocol":…,"version":…}}`,
/// `{"ok":{}}`, `{"ok":{"error":"…"}}`, or `{"error":{…}}`.
pub fn parse(side: Side, limits: &Limits, input: &[u8]) -> Value {
    let parsed = match side {
        Side::Request => HandshakeRequest::parse(input, limits)
            .map(|s| s.map(|(r, _)| json!({ "protocol": r.protocol.as_str(), "version": r.version }))),
        Side::Response => HandshakeResponse::parse(input, limits).map(|s| {
            s.map(|(r, _)| match r.error {
                Some(e) => json!({ "error": e.as_str() }),
                None => json!({}),
            })
        }),
    };
    match parsed {
        Ok(Status::Complete(v)) => json!({ "ok": v }),
        Ok(Status::Partial) => json!({ "error": report::incomplete(input.len(), "the handshake (no 0x1E)") }),
        Err(e) => json!({ "error": report::error(&e) }),
    }
}
