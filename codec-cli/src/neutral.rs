//! The neutral form: one JSON object per hub message, the same for both protocols.
//!
//! `type`; `invocationId` (omitted when absent); `target`; `arguments` (array); `streamIds`
//! (omitted when absent or empty); `headers` (object, omitted when absent or empty); `item`
//! (StreamItem, always present); `result` (present exactly when the Completion carries a result,
//! even `null`); `error`; `allowReconnect` (only when true); `sequenceId`.
//!
//! Payload values are JSON. MessagePack values with no JSON form are tagged objects: float32
//! `{"$f32":x}`, binary `{"$bin":"<hex>"}`, timestamp extension −1 `{"$timestamp":"<RFC 3339>"}`,
//! any other extension `{"$ext":{"type":n,"hex":"<hex>"}}`, a map with non-string keys
//! `{"$map":[[k,v],…]}` (with string keys it is an object, a repeated key keeping its last
//! value), and a float64 that JSON cannot hold `{"$f64":"NaN"|"Infinity"|"-Infinity"}`.

use serde_json::{json, Map, Number, Value};
use signalr_codec_core::ownership::Ownership;
use signalr_codec_core::{
    CancelInvocation, Close, Completion, HubMessage, Invocation, MessageType, Outcome, StreamInvocation, StreamItem,
    Text,
};
use signalr_codec_core::{Headers, StreamIds};
use signalr_codec_json::RawJson;
use signalr_codec_msgpack::{RawValue, Timestamp, Value as MsgpackValue};

use crate::{hex, rfc3339};

/// A message in neutral form, from any protocol: `payload` turns each raw value into JSON.
pub fn from_message<V>(
    message: &HubMessage<'_, V, impl Ownership>,
    mut payload: impl FnMut(&V) -> Result<Value, String>,
) -> Result<Value, String> {
    let mut out = Map::new();
    out.insert("type".into(), json!(message.message_type().id()));
    let id = |out: &mut Map<String, Value>, id: &str| {
        out.insert("invocationId".into(), json!(id));
    };
    match message {
        HubMessage::Invocation(m) => {
            if let Some(i) = &m.invocation_id {
                id(&mut out, i);
            }
            invocation_body(&mut out, &m.target, payload(&m.arguments)?, &m.stream_ids, &m.headers);
        }
        HubMessage::StreamInvocation(m) => {
            id(&mut out, &m.invocation_id);
            invocation_body(&mut out, &m.target, payload(&m.arguments)?, &m.stream_ids, &m.headers);
        }
        HubMessage::StreamItem(m) => {
            id(&mut out, &m.invocation_id);
            headers(&mut out, &m.headers);
            out.insert("item".into(), payload(&m.item)?);
        }
        HubMessage::Completion(m) => {
            id(&mut out, &m.invocation_id);
            headers(&mut out, &m.headers);
            match &m.outcome {
                Outcome::Void => {}
                Outcome::Result(v) => {
                    out.insert("result".into(), payload(v)?);
                }
                Outcome::Error(e) => {
                    out.insert("error".into(), json!(e.as_str()));
                }
            }
        }
        HubMessage::CancelInvocation(m) => {
            id(&mut out, &m.invocation_id);
            headers(&mut out, &m.headers);
        }
        HubMessage::Ping => {}
        HubMessage::Close(m) => {
            if let Some(e) = &m.error {
                out.insert("error".into(), json!(e.as_str()));
            }
            if m.allow_reconnect {
                out.insert("allowReconnect".into(), json!(true));
            }
        }
        HubMessage::Ack { sequence_id } | HubMessage::Sequence { sequence_id } => {
            out.insert("sequenceId".into(), json!(sequence_id));
        }
    }
    Ok(Value::Object(out))
}

fn invocation_body(
    out: &mut Map<String, Value>,
    target: &str,
    arguments: Value,
    ids: &StreamIds<'_, impl Ownership>,
    h: &Headers<'_, impl Ownership>,
) {
    out.insert("target".into(), json!(target));
    out.insert("arguments".into(), arguments);
    if !ids.is_empty() {
        out.insert("streamIds".into(), ids.iter().map(|s| json!(s.as_str())).collect());
    }
    headers(out, h);
}

fn headers(out: &mut Map<String, Value>, headers: &Headers<'_, impl Ownership>) {
    if !headers.is_empty() {
        let map: Map<String, Value> = headers.iter().map(|(k, v)| (k.to_string(), json!(v.as_str()))).collect();
        out.insert("headers".into(), Value::Object(map));
    }
}

/// A raw JSON payload as a neutral value.
pub fn from_json(raw: &RawJson<'_>) -> Result<Value, String> {
    serde_json::from_str(raw.get()).map_err(|e| e.to_string())
}

/// A raw MessagePack payload as a neutral value.
pub fn from_msgpack(raw: &RawValue<'_>) -> Result<Value, String> {
    Ok(match raw.decode().map_err(|e| e.to_string())? {
        MsgpackValue::Nil => Value::Null,
        MsgpackValue::Bool(b) => Value::Bool(b),
        MsgpackValue::Int(i) => json!(i),
        MsgpackValue::UInt(u) => json!(u),
        MsgpackValue::F32(f) => json!({ "$f32": float(f64::from(f)) }),
        MsgpackValue::F64(f) => match Number::from_f64(f) {
            Some(n) => Value::Number(n),
            None => json!({ "$f64": float(f) }),
        },
        MsgpackValue::Str(s) => json!(s),
        MsgpackValue::Bin(b) => json!({ "$bin": hex::encode(b) }),
        MsgpackValue::Array(items) => Value::Array(items.map(|v| from_msgpack(&v)).collect::<Result<_, _>>()?),
        MsgpackValue::Map(entries) => {
            let pairs: Vec<(Value, Value)> =
                entries.map(|(k, v)| Ok((from_msgpack(&k)?, from_msgpack(&v)?))).collect::<Result<_, String>>()?;
            // String keys make an object; a repeated key keeps its last value, as JSON readers do.
            if pairs.iter().all(|(k, _)| k.is_string()) {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), v)).collect())
            } else {
                json!({ "$map": pairs.into_iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>() })
            }
        }
        MsgpackValue::Timestamp(t) => json!({ "$timestamp": rfc3339::format(t.seconds, t.nanoseconds) }),
        MsgpackValue::Ext(kind, data) => json!({ "$ext": { "type": kind, "hex": hex::encode(data) } }),
    })
}

/// A float as JSON: a number when finite, else `"NaN"`, `"Infinity"`, `"-Infinity"`.
fn float(f: f64) -> Value {
    match Number::from_f64(f) {
        Some(n) => Value::Number(n),
        None if f.is_nan() => json!("NaN"),
        None if f > 0.0 => json!("Infinity"),
        None => json!("-Infinity"),
    }
}

fn parse_float(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

/// The tag of a tagged neutral value (`$bin`, …), with its content.
fn tag(v: &Value) -> Option<(&str, &Value)> {
    let object = v.as_object()?;
    if object.len() != 1 {
        return None;
    }
    let (key, inner) = object.iter().next()?;
    matches!(key.as_str(), "$f32" | "$f64" | "$bin" | "$timestamp" | "$ext" | "$map").then_some((key.as_str(), inner))
}

/// A neutral message as a `HubMessage` whose payloads are the neutral values themselves.
pub fn to_message(value: &Value) -> Result<HubMessage<'_, &Value>, String> {
    let object = value.as_object().ok_or("a message must be a JSON object")?;
    let str_field = |name: &str| -> Result<Option<&str>, String> {
        match object.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(format!("'{name}' must be a string")),
        }
    };
    let required = |name: &str| -> Result<&str, String> { str_field(name)?.ok_or(format!("'{name}' is missing")) };
    let payload = |name: &str| object.get(name).ok_or(format!("'{name}' is missing"));
    let headers = || -> Result<Headers<'_>, String> {
        match object.get("headers") {
            None | Some(Value::Null) => Ok(Headers::empty()),
            Some(Value::Object(map)) => Ok(Headers::from_vec(
                map.iter()
                    .map(|(k, v)| {
                        v.as_str()
                            .map(|v| (Text::borrowed(k.as_str()), Text::borrowed(v)))
                            .ok_or(format!("header '{k}' must be a string"))
                    })
                    .collect::<Result<_, _>>()?,
            )),
            Some(_) => Err("'headers' must be an object".into()),
        }
    };
    let stream_ids = || -> Result<StreamIds<'_>, String> {
        match object.get("streamIds") {
            None | Some(Value::Null) => Ok(StreamIds::empty()),
            Some(Value::Array(ids)) => Ok(StreamIds::from_vec(
                ids.iter()
                    .map(|v| v.as_str().map(Text::borrowed).ok_or_else(|| "'streamIds' must hold strings".to_owned()))
                    .collect::<Result<_, _>>()?,
            )),
            Some(_) => Err("'streamIds' must be an array".into()),
        }
    };
    let sequence_id = || object.get("sequenceId").and_then(Value::as_i64).ok_or("'sequenceId' must be an integer");
    let type_id = object.get("type").and_then(Value::as_i64).ok_or("'type' must be an integer")?;
    let kind = MessageType::from_id(type_id).ok_or(format!("unknown message type {type_id}"))?;
    Ok(match kind {
        MessageType::Invocation => HubMessage::Invocation(Invocation {
            headers: headers()?,
            invocation_id: str_field("invocationId")?.map(Text::borrowed),
            target: required("target")?.into(),
            arguments: arguments(object)?,
            stream_ids: stream_ids()?,
        }),
        MessageType::StreamInvocation => HubMessage::StreamInvocation(StreamInvocation {
            headers: headers()?,
            invocation_id: required("invocationId")?.into(),
            target: required("target")?.into(),
            arguments: arguments(object)?,
            stream_ids: stream_ids()?,
        }),
        MessageType::StreamItem => HubMessage::StreamItem(StreamItem {
            headers: headers()?,
            invocation_id: required("invocationId")?.into(),
            item: payload("item")?,
        }),
        MessageType::Completion => HubMessage::Completion(Completion {
            headers: headers()?,
            invocation_id: required("invocationId")?.into(),
            outcome: match (object.get("result"), str_field("error")?) {
                (Some(_), Some(_)) => return Err("'result' and 'error' are mutually exclusive".into()),
                (Some(result), None) => Outcome::Result(result),
                (None, Some(error)) => Outcome::Error(error.into()),
                (None, None) => Outcome::Void,
            },
        }),
        MessageType::CancelInvocation => HubMessage::CancelInvocation(CancelInvocation {
            headers: headers()?,
            invocation_id: required("invocationId")?.into(),
        }),
        MessageType::Ping => HubMessage::Ping,
        MessageType::Close => HubMessage::Close(Close {
            error: str_field("error")?.map(Text::borrowed),
            allow_reconnect: match object.get("allowReconnect") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err("'allowReconnect' must be a boolean".into()),
            },
        }),
        MessageType::Ack => HubMessage::Ack { sequence_id: sequence_id()? },
        MessageType::Sequence => HubMessage::Sequence { sequence_id: sequence_id()? },
    })
}

fn arguments(object: &Map<String, Value>) -> Result<&Value, String> {
    match object.get("arguments") {
        Some(v @ Value::Array(_)) => Ok(v),
        Some(_) => Err("'arguments' must be an array".into()),
        None => Err("'arguments' is missing".into()),
    }
}

/// A neutral value as plain JSON for the JSON protocol: binary as base64 (what .NET writes for
/// `byte[]`), timestamps as their RFC 3339 string, floats as numbers. Other extensions and maps
/// with non-string keys have no JSON form.
pub fn to_json(value: &Value) -> Result<Value, String> {
    if let Some((tag, inner)) = tag(value) {
        return match tag {
            "$f32" | "$f64" => {
                let f = parse_float(inner).ok_or(format!("bad {tag} value"))?;
                Number::from_f64(f).map(Value::Number).ok_or(format!("{f} has no JSON form"))
            }
            "$bin" => Ok(Value::String(base64(&hex::decode(inner.as_str().ok_or("bad $bin")?)?))),
            "$timestamp" => Ok(inner.clone()),
            _ => Err(format!("a {tag} value has no JSON form")),
        };
    }
    Ok(match value {
        Value::Array(items) => Value::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| Ok((k.clone(), to_json(v)?))).collect::<Result<_, String>>()?)
        }
        other => other.clone(),
    })
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 0x3F) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A neutral value encoded as MessagePack, the way the JS client's encoder writes JSON values
/// (integers in the shortest form, other numbers as float64), tags as their MessagePack types.
pub fn to_msgpack(value: &Value, out: &mut Vec<u8>) -> Result<(), String> {
    use rmp::encode;
    let io = |e: encode::ValueWriteError| e.to_string();
    if let Some((tag, inner)) = tag(value) {
        match tag {
            "$f32" => encode::write_f32(out, parse_float(inner).ok_or("bad $f32 value")? as f32).map_err(io)?,
            "$f64" => encode::write_f64(out, parse_float(inner).ok_or("bad $f64 value")?).map_err(io)?,
            "$bin" => encode::write_bin(out, &hex::decode(inner.as_str().ok_or("bad $bin")?)?).map_err(io)?,
            "$timestamp" => {
                let text = inner.as_str().ok_or("bad $timestamp")?;
                let (seconds, nanos) = rfc3339::parse(text).ok_or(format!("'{text}' is not an RFC 3339 time"))?;
                let timestamp = Timestamp::new(seconds, nanos).ok_or("bad $timestamp")?;
                let (data, len) = timestamp.to_ext_data();
                encode::write_ext_meta(out, len as u32, Timestamp::EXT_TYPE).map_err(io)?;
                out.extend_from_slice(&data[..len]);
            }
            "$ext" => {
                let kind = inner
                    .get("type")
                    .and_then(Value::as_i64)
                    .and_then(|t| i8::try_from(t).ok())
                    .ok_or("bad $ext type")?;
                let data = hex::decode(inner.get("hex").and_then(Value::as_str).ok_or("bad $ext hex")?)?;
                encode::write_ext_meta(out, data.len() as u32, kind).map_err(io)?;
                out.extend_from_slice(&data);
            }
            _ => {
                let pairs = inner.as_array().ok_or("bad $map")?;
                encode::write_map_len(out, pairs.len() as u32).map_err(io)?;
                for pair in pairs {
                    match pair.as_array().map(Vec::as_slice) {
                        Some([k, v]) => {
                            to_msgpack(k, out)?;
                            to_msgpack(v, out)?;
                        }
                        _ => return Err("a $map entry must be [key, value]".into()),
                    }
                }
            }
        }
        return Ok(());
    }
    match value {
        Value::Null => encode::write_nil(out).map_err(|e| e.to_string())?,
        Value::Bool(b) => encode::write_bool(out, *b).map_err(|e| e.to_string())?,
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                encode::write_uint(out, u).map_err(io)?;
            } else if let Some(i) = n.as_i64() {
                encode::write_sint(out, i).map_err(io)?;
            } else {
                encode::write_f64(out, n.as_f64().unwrap_or(f64::NAN)).map_err(io)?;
            }
        }
        Value::String(s) => encode::write_str(out, s).map_err(io)?,
        Value::Array(items) => {
            encode::write_array_len(out, items.len() as u32).map_err(io)?;
            for item in items {
                to_msgpack(item, out)?;
            }
        }
        Value::Object(map) => {
            encode::write_map_len(out, map.len() as u32).map_err(io)?;
            for (k, v) in map {
                encode::write_str(out, k).map_err(io)?;
                to_msgpack(v, out)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(&[1, 2, 3, 255]), "AQID/w==");
    }

    #[test]
    fn msgpack_values_round_trip_through_the_neutral_form() {
        for neutral in [
            json!([1, -1, 300, -300, 1.5, "é", null, true, {"a": [1]}]),
            json!({"$bin": "0102ff"}),
            json!({"$f32": 1.5}),
            json!({"$timestamp": "2024-01-02T03:04:05.5Z"}),
            json!({"$ext": {"type": 5, "hex": "abcd"}}),
            json!({"$map": [[1, "one"], [true, null]]}),
            json!({"$f64": "NaN"}),
        ] {
            let mut bytes = Vec::new();
            to_msgpack(&neutral, &mut bytes).unwrap();
            let raw = RawValue::new(&bytes).unwrap();
            assert_eq!(from_msgpack(&raw).unwrap(), neutral);
        }
    }
}
