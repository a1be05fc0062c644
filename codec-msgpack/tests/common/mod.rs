//! Helpers shared by the integration tests.
#![allow(dead_code)]

use signalr_codec_core::{HubMessage, HubProtocol, Parsed};
use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue};

/// Decodes standard base64 (with padding), as the .NET tests' baselines are written.
pub fn base64(s: &str) -> Vec<u8> {
    fn val(c: u8) -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    }
    let clean: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::new();
    for chunk in clean.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= val(c) << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

/// Parses a body that must hold a message.
pub fn parse(body: &[u8]) -> HubMessage<'_, RawValue<'_>> {
    match MessagePackHubProtocol::new().parse(body) {
        Ok(Parsed::Message(m)) => m.owning(),
        other => panic!("expected a message from {body:02x?}, got {other:?}"),
    }
}

/// Parses a body that must fail, returning the error text.
pub fn parse_err(body: &[u8]) -> String {
    match MessagePackHubProtocol::new().parse(body) {
        Err(e) => e.message().to_string(),
        Ok(m) => panic!("expected an error from {body:02x?}, got {m:?}"),
    }
}

/// The body (no prefix) the writer produces.
pub fn body<V: signalr_codec_core::Encode<MessagePackHubProtocol>>(m: &HubMessage<'_, V>) -> Vec<u8> {
    let mut out = Vec::new();
    MessagePackHubProtocol::new().write_body(m, &mut out).unwrap();
    out
}

/// A raw value from static bytes.
pub fn raw(bytes: &'static [u8]) -> RawValue<'static> {
    RawValue::new(bytes).unwrap()
}

/// Bytes from hex text, leaked so that parsed messages can borrow them freely.
pub fn hex(s: &str) -> &'static [u8] {
    let v: Vec<u8> = s.split_whitespace().map(|b| u8::from_str_radix(b, 16).unwrap()).collect();
    v.leak()
}
