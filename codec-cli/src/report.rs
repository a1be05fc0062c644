//! The JSON lines the command prints: errors as `{"kind","message","offset"}`.

use serde_json::{json, Value};
use signalr_codec_core::Error;

/// An error as the `error` object of an output line: the stable kind, the exact text, the offset.
pub fn error(e: &Error) -> Value {
    json!({ "kind": e.kind().as_str(), "message": e.message().to_string(), "offset": e.offset() })
}

/// The error for input that ends inside a message (a whole buffer was expected).
pub fn incomplete(offset: usize, what: &str) -> Value {
    json!({ "kind": "incomplete", "message": format!("The input ends inside {what}."), "offset": offset })
}

/// An error about the command's own input (bad hex, bad neutral JSON), not the protocol.
pub fn input(message: impl Into<String>) -> Value {
    json!({ "kind": "input", "message": message.into(), "offset": Value::Null })
}
