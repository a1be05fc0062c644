//! `signalr-codec encode`: neutral JSON lines in, framed messages out.

use serde_json::Value;

use crate::codec;
use crate::protocol::ProtocolName;

/// Encodes each non-blank line (one neutral message) as a framed message. Stops at the first
/// bad line, reporting its 1-based number.
pub fn lines(protocol: ProtocolName, input: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    for (n, text) in input.lines().enumerate() {
        if let Some(bytes) = line(protocol, n + 1, text)? {
            out.push(bytes);
        }
    }
    Ok(out)
}

/// Encodes line number `n` (1-based): `None` for a blank line, the framed message, or the error
/// naming the line.
pub fn line(protocol: ProtocolName, n: usize, text: &str) -> Result<Option<Vec<u8>>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let message: Value = serde_json::from_str(text).map_err(|e| format!("line {n}: {e}"))?;
    let mut bytes = Vec::new();
    codec::encode(protocol, &message, &mut bytes).map_err(|e| format!("line {n}: {e}"))?;
    Ok(Some(bytes))
}
