//! `signalr-codec frames`: framing only — each frame's body as hex, then the unconsumed rest.

use serde_json::{json, Value};
use signalr_codec_core::frame::{Framer, LengthPrefixFramer, RecordFramer, Status};
use signalr_codec_core::Limits;

use crate::hex;
use crate::protocol::ProtocolName;

/// Frames one buffer: `{"ok":{"frames":[…],"remaining":"…"}}`, or on a framing error
/// `{"error":{…},"frames":[bodies before it]}`.
pub fn frame_buffer(protocol: ProtocolName, limits: Limits, input: &[u8]) -> Value {
    let mut framer: Box<dyn Framer> = match protocol {
        ProtocolName::Json => Box::new(RecordFramer::new(limits)),
        ProtocolName::Messagepack => Box::new(LengthPrefixFramer::new(limits)),
    };
    let mut frames = Vec::new();
    let mut pos = 0;
    loop {
        match framer.next_frame(&input[pos..]) {
            Ok(Status::Complete(frame)) => {
                frames.push(Value::String(hex::encode(&input[pos..][frame.body])));
                pos += frame.consumed;
            }
            Ok(Status::Partial) => {
                return json!({ "ok": { "frames": frames, "remaining": hex::encode(&input[pos..]) } });
            }
            Err(e) => return json!({ "error": crate::report::error(&e.shifted(pos)), "frames": frames }),
        }
    }
}
