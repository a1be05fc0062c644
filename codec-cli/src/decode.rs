//! `signalr-codec decode`: hub messages in neutral form, one JSON line each.

use serde_json::{json, Value};
use signalr_codec_core::Limits;

use crate::codec::{self, Item};
use crate::protocol::ProtocolName;

/// Decodes a raw capture of one direction of a connection: an optional leading handshake
/// (`{"handshake":{…}}`), then one line per message (`{"skipped":{…}}` for unknown types), then
/// `{"error":{…}}` if the stream is bad or ends inside a message. Returns the lines and whether
/// the whole input decoded.
pub fn stream(protocol: ProtocolName, limits: Limits, input: &[u8]) -> (Vec<Value>, bool) {
    let mut lines = Vec::new();
    let mut start = 0;
    if let Some(handshake) = codec::leading_handshake(input, &limits) {
        lines.push(json!({ "handshake": handshake.description }));
        start = handshake.bytes;
    }
    let decoded = codec::decode(protocol, limits, &input[start..], true);
    lines.extend(decoded.items.iter().map(|(_, item)| item.to_json()));
    match decoded.error {
        Some(error) => {
            lines.push(json!({ "error": shift(error, start) }));
            (lines, false)
        }
        None => (lines, true),
    }
}

/// Decodes one independent buffer (a `--hex-lines` line): `{"ok":[…],"skipped":[…]}`, or
/// `{"ok":[messages before it],"error":{…}}`. The buffer must be consumed whole.
pub fn buffer(protocol: ProtocolName, limits: Limits, input: &[u8]) -> Value {
    let decoded = codec::decode(protocol, limits, input, true);
    let mut messages = Vec::new();
    let mut skipped = Vec::new();
    for (_, item) in decoded.items {
        match item {
            Item::Message(m) => messages.push(m),
            Item::Skipped { message_type, bytes } => skipped.push(json!({ "type": message_type, "bytes": bytes })),
        }
    }
    match decoded.error {
        Some(error) if skipped.is_empty() => json!({ "ok": messages, "error": error }),
        Some(error) => json!({ "ok": messages, "skipped": skipped, "error": error }),
        None => json!({ "ok": messages, "skipped": skipped }),
    }
}

/// Moves an error object's offset by `by` bytes.
pub(crate) fn shift(mut error: Value, by: usize) -> Value {
    if let Some(offset) = error.get("offset").and_then(Value::as_u64) {
        error["offset"] = json!(offset as usize + by);
    }
    error
}
