//! `signalr-codec encode`: neutral JSON lines in, framed messages out.

use serde_json::Value;

use crate::codec;
use crate::protocol::ProtocolName;

/// Encodes each non-blank line (one neutral message) as a framed message. Stops at the first
/// bad line, reporting its 1-based number.
pub fn lines(protocol: ProtocolName, input: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    for (n, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let message: Value = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        let mut bytes = Vec::new();
        codec::encode(protocol, &message, &mut bytes).map_err(|e| format!("line {}: {e}", n + 1))?;
        out.push(bytes);
    }
    Ok(out)
}
