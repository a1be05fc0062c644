//! Helpers shared by the integration tests.
#![allow(dead_code)]

use signalr_codec_core::{Encode, Error, HubMessage, HubProtocol, Parsed};
use signalr_codec_json::{JsonHubProtocol, RawJson};

pub fn protocol() -> JsonHubProtocol {
    JsonHubProtocol::new()
}

/// Parses one record (no separator).
pub fn parse(json: &str) -> Result<Parsed<HubMessage<'_, RawJson<'_>>>, Error> {
    protocol().parse(json.as_bytes())
}

/// Parses one record that must hold a known message.
#[track_caller]
pub fn message(json: &str) -> HubMessage<'_, RawJson<'_>> {
    match parse(json) {
        Ok(Parsed::Message(m)) => m,
        other => panic!("{json}: {other:?}"),
    }
}

/// The error text for a record that must fail.
#[track_caller]
pub fn error(json: &str) -> String {
    match parse(json) {
        Err(e) => e.message().to_string(),
        Ok(other) => panic!("{json}: parsed as {other:?}"),
    }
}

/// Writes a message, checks every writer agrees, and returns the record without its separator.
#[track_caller]
pub fn write<V: Encode<JsonHubProtocol>>(message: &HubMessage<'_, V>) -> String {
    let p = protocol();
    let len = p.encoded_len(message).unwrap();
    let mut generic = Vec::new();
    assert_eq!(p.write(message, &mut generic).unwrap(), len);
    let mut one_pass = Vec::new();
    assert_eq!(p.write_to_vec(message, &mut one_pass).unwrap(), len);
    assert_eq!(generic, one_pass);
    let mut fixed = vec![0u8; len];
    let mut slice = signalr_codec_core::SliceOutput::new(&mut fixed);
    assert_eq!(p.write(message, &mut slice).unwrap(), len);
    assert_eq!(fixed, generic);
    assert_eq!(generic.pop(), Some(0x1e));
    String::from_utf8(generic).unwrap()
}

pub fn raw(json: &'static str) -> RawJson<'static> {
    RawJson::new(json).unwrap()
}

/// Parses raw bytes.
pub fn protocol_parse_bytes(bytes: &[u8]) -> Result<Parsed<HubMessage<'_, RawJson<'_>>>, Error> {
    protocol().parse(bytes)
}
