//! The cross-protocol fuzzing entry point: the same structured message written as JSON and as
//! MessagePack parses to the same message (in the neutral form). Enabled by the `fuzzing`
//! feature; not a stable API.

use arbitrary::{Arbitrary, Unstructured};
use serde_json::{json, Value};
use signalr_codec_core::fuzzing::{write_checked, FuzzMessage};
use signalr_codec_core::Limits;
use signalr_codec_json::JsonHubProtocol;
use signalr_codec_msgpack::MessagePackHubProtocol;

use crate::codec::{self, Item};
use crate::protocol::ProtocolName;

/// Integral floats as integers: JSON has one number type (and .NET writes an integral double
/// such as `2.0` as `2`).
fn normalized(v: &Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.2e18 => json!(f as i64),
            _ => v.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), normalized(v))).collect()),
        other => other.clone(),
    }
}

fn read_back(protocol: ProtocolName, bytes: &[u8]) -> Value {
    let decoded = codec::decode(protocol, Limits::unlimited(), bytes, true);
    assert_eq!(decoded.error, None, "{protocol} cannot read what it wrote");
    match decoded.items.as_slice() {
        [(_, Item::Message(m))] => normalized(m),
        other => panic!("{protocol} read {other:?}"),
    }
}

/// Writes one structured message in both protocols and checks they read back the same.
pub fn cross_protocol(data: &[u8]) {
    let Ok(message) = FuzzMessage::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let message = message.sanitized();
    let (mut h1, mut s1, mut h2, mut s2) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let json_model = message.to_message(&mut h1, &mut s1, signalr_codec_json::Serialized);
    let msgpack_model = message.to_message(&mut h2, &mut s2, signalr_codec_msgpack::Serialized);
    let json_bytes = write_checked(&JsonHubProtocol::with_limits(Limits::unlimited()), &json_model);
    let msgpack_bytes = write_checked(&MessagePackHubProtocol::with_limits(Limits::unlimited()), &msgpack_model);
    let from_json = read_back(ProtocolName::Json, &json_bytes);
    let from_msgpack = read_back(ProtocolName::Messagepack, &msgpack_bytes);
    assert_eq!(from_json, from_msgpack, "the protocols disagree on {message:?}");
}
