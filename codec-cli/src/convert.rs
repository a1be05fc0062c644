//! `signalr-codec convert`: a raw stream in one protocol re-encoded in the other, payloads
//! included.

use signalr_codec_core::handshake::HandshakeRequest;
use signalr_codec_core::Limits;

use crate::codec::{self, Item};
use crate::protocol::ProtocolName;

/// The converted stream, and the problems met (unknown types dropped, or the error that stopped
/// the conversion — everything before it is converted).
pub struct Converted {
    /// The stream in the target protocol.
    pub bytes: Vec<u8>,
    /// Notes for the user; the last one is the error when `ok` is false.
    pub notes: Vec<String>,
    /// True when the whole input converted.
    pub ok: bool,
}

/// Converts `input` from one protocol to the other. A leading handshake request is rewritten to
/// name the target protocol; a leading response is copied.
pub fn stream(from: ProtocolName, to: ProtocolName, limits: Limits, input: &[u8]) -> Converted {
    let mut bytes = Vec::new();
    let mut notes = Vec::new();
    let mut start = 0;
    if let Some(handshake) = codec::leading_handshake(input, &limits) {
        match handshake.description.get("version").and_then(|v| v.as_i64()) {
            Some(version) => {
                let _ = HandshakeRequest::new(to.as_str(), version as i32).write(&mut bytes);
            }
            None => bytes.extend_from_slice(&input[..handshake.bytes]),
        }
        start = handshake.bytes;
    }
    let decoded = codec::decode(from, limits, &input[start..], true);
    for (offset, item) in &decoded.items {
        match item {
            Item::Message(message) => {
                if let Err(e) = codec::encode(to, message, &mut bytes) {
                    notes.push(format!("message at byte {}: cannot be written as {to}: {e}", start + offset));
                    return Converted { bytes, notes, ok: false };
                }
            }
            Item::Skipped { message_type, .. } => {
                notes.push(format!("message at byte {}: unknown type {message_type} dropped", start + offset));
            }
        }
    }
    match decoded.error {
        Some(error) => {
            notes.push(format!("{}", crate::decode::shift(error, start)));
            Converted { bytes, notes, ok: false }
        }
        None => Converted { bytes, notes, ok: true },
    }
}
