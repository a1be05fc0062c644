//! Structured fuzzing shared by both protocols and the cross-protocol check: a hub message
//! and payload values generated from the input with `arbitrary` ([`FuzzMessage`],
//! [`FuzzValue`]), written and read back by any protocol ([`check_roundtrip`]).

use signalr_codec_core::ownership::Ownership;
use signalr_codec_core::{Encode, HubDecoder, HubMessage, HubProtocol, Parsed, Status, ToOwnedValue};

/// A payload value for structured fuzzing: what both protocols can carry.
///
/// Equality is equality of the value a JSON or MessagePack reader sees: an integer and a float
/// are equal when they are the same number (JSON has one number type, and .NET writes an
/// integral double such as `2.0` or `1.0827990510338046E+16` as a plain integer).
#[derive(Debug, Clone)]
pub enum FuzzValue {
    /// `null` / nil.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A finite float.
    Float(f64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<FuzzValue>),
    /// A map with string keys, in order.
    Map(Vec<(String, FuzzValue)>),
}

/// Deepest nesting [`FuzzValue`] generates: well inside the default depth limit.
pub const FUZZ_VALUE_DEPTH: usize = 8;

impl FuzzValue {
    fn generate(u: &mut arbitrary::Unstructured<'_>, depth: usize) -> arbitrary::Result<Self> {
        let kinds = if depth >= FUZZ_VALUE_DEPTH { 5 } else { 7 };
        Ok(match u.choose_index(kinds)? {
            0 => FuzzValue::Null,
            1 => FuzzValue::Bool(u.arbitrary()?),
            2 => FuzzValue::Int(u.arbitrary()?),
            3 => {
                let f: f64 = u.arbitrary()?;
                if f.is_finite() {
                    FuzzValue::Float(f)
                } else {
                    FuzzValue::Null
                }
            }
            4 => FuzzValue::Str(u.arbitrary()?),
            5 => {
                let n = u.int_in_range(0..=4)?;
                FuzzValue::Array((0..n).map(|_| FuzzValue::generate(u, depth + 1)).collect::<arbitrary::Result<_>>()?)
            }
            _ => {
                let n = u.int_in_range(0..=4)?;
                FuzzValue::Map(
                    (0..n)
                        .map(|_| Ok((u.arbitrary()?, FuzzValue::generate(u, depth + 1)?)))
                        .collect::<arbitrary::Result<_>>()?,
                )
            }
        })
    }

    /// The value as a reader binds it: a repeated map key keeps its last value.
    pub fn normalized(&self) -> FuzzValue {
        match self {
            FuzzValue::Array(items) => FuzzValue::Array(items.iter().map(FuzzValue::normalized).collect()),
            FuzzValue::Map(entries) => {
                let mut out: Vec<(String, FuzzValue)> = Vec::new();
                for (k, v) in entries {
                    out.retain(|(existing, _)| existing != k);
                    out.push((k.clone(), v.normalized()));
                }
                FuzzValue::Map(out)
            }
            other => other.clone(),
        }
    }
}

impl PartialEq for FuzzValue {
    fn eq(&self, other: &Self) -> bool {
        use FuzzValue::*;
        match (self, other) {
            (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a == b,
            (Int(i), Float(f)) | (Float(f), Int(i)) => f.fract() == 0.0 && *i as f64 == *f && *f as i64 == *i,
            (Str(a), Str(b)) => a == b,
            (Array(a), Array(b)) => a == b,
            (Map(a), Map(b)) => a == b,
            _ => false,
        }
    }
}

impl<'a> arbitrary::Arbitrary<'a> for FuzzValue {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        FuzzValue::generate(u, 0)
    }
}

impl serde::Serialize for FuzzValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            FuzzValue::Null => s.serialize_unit(),
            FuzzValue::Bool(b) => s.serialize_bool(*b),
            FuzzValue::Int(i) => s.serialize_i64(*i),
            FuzzValue::Float(f) => s.serialize_f64(*f),
            FuzzValue::Str(v) => s.serialize_str(v),
            FuzzValue::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            FuzzValue::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> serde::Deserialize<'de> for FuzzValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = FuzzValue;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a payload value")
            }
            fn visit_unit<E>(self) -> Result<FuzzValue, E> {
                Ok(FuzzValue::Null)
            }
            fn visit_none<E>(self) -> Result<FuzzValue, E> {
                Ok(FuzzValue::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<FuzzValue, E> {
                Ok(FuzzValue::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<FuzzValue, E> {
                Ok(FuzzValue::Int(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<FuzzValue, E> {
                Ok(i64::try_from(v).map(FuzzValue::Int).unwrap_or(FuzzValue::Float(v as f64)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<FuzzValue, E> {
                Ok(FuzzValue::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<FuzzValue, E> {
                Ok(FuzzValue::Str(v.into()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<FuzzValue, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(FuzzValue::Array(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<FuzzValue, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(FuzzValue::Map(entries))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// A hub message for structured fuzzing, all nine types.
#[derive(Debug, Clone, PartialEq, arbitrary::Arbitrary)]
pub enum FuzzMessage {
    /// Type 1.
    Invocation {
        /// Invocation id (`None`: non-blocking).
        id: Option<String>,
        /// Target.
        target: String,
        /// Arguments.
        arguments: Vec<FuzzValue>,
        /// Stream ids.
        stream_ids: Vec<String>,
        /// Headers.
        headers: Vec<(String, String)>,
    },
    /// Type 2.
    StreamItem {
        /// Invocation id.
        id: String,
        /// Item.
        item: FuzzValue,
        /// Headers.
        headers: Vec<(String, String)>,
    },
    /// Type 3.
    Completion {
        /// Invocation id.
        id: String,
        /// `None`: void; `Some(Ok)`: a result; `Some(Err)`: an error.
        outcome: Option<Result<FuzzValue, String>>,
        /// Headers.
        headers: Vec<(String, String)>,
    },
    /// Type 4.
    StreamInvocation {
        /// Invocation id.
        id: String,
        /// Target.
        target: String,
        /// Arguments.
        arguments: Vec<FuzzValue>,
        /// Stream ids.
        stream_ids: Vec<String>,
    },
    /// Type 5.
    CancelInvocation {
        /// Invocation id.
        id: String,
    },
    /// Type 6.
    Ping,
    /// Type 7.
    Close {
        /// Error.
        error: Option<String>,
        /// Allow reconnect.
        allow_reconnect: bool,
    },
    /// Type 8.
    Ack {
        /// Sequence id.
        sequence_id: i64,
    },
    /// Type 9.
    Sequence {
        /// Sequence id.
        sequence_id: i64,
    },
}

impl FuzzMessage {
    /// Makes the message one both protocols carry without loss: .NET's MessagePack protocol
    /// rejects empty ids, targets, header names and values and stream ids, and both writers
    /// drop an empty invocation id or Completion error; such strings get a character.
    pub fn sanitized(mut self) -> Self {
        fn fill(s: &mut String) {
            if s.is_empty() {
                s.push('x');
            }
        }
        match &mut self {
            FuzzMessage::Invocation { id, target, stream_ids, headers, .. } => {
                if let Some(id) = id {
                    fill(id);
                }
                fill(target);
                stream_ids.iter_mut().for_each(fill);
                headers.iter_mut().for_each(|(k, v)| {
                    fill(k);
                    fill(v);
                });
                // Repeated header names collapse in .NET's dictionaries.
                let mut seen: Vec<String> = Vec::new();
                headers.retain(|(k, _)| {
                    let new = !seen.contains(k);
                    seen.push(k.clone());
                    new
                });
            }
            FuzzMessage::StreamItem { id, headers, .. } | FuzzMessage::Completion { id, headers, .. } => {
                fill(id);
                headers.iter_mut().for_each(|(k, v)| {
                    fill(k);
                    fill(v);
                });
                let mut seen: Vec<String> = Vec::new();
                headers.retain(|(k, _)| {
                    let new = !seen.contains(k);
                    seen.push(k.clone());
                    new
                });
            }
            FuzzMessage::StreamInvocation { id, target, stream_ids, .. } => {
                fill(id);
                fill(target);
                stream_ids.iter_mut().for_each(fill);
            }
            FuzzMessage::CancelInvocation { id } => fill(id),
            _ => {}
        }
        if let FuzzMessage::Completion { outcome: Some(Err(e)), .. } = &mut self {
            fill(e);
        }
        if let FuzzMessage::Close { error: Some(e), .. } = &mut self {
            fill(e);
        }
        self
    }

    /// The message in the core model, each payload made by `payload` (for example a protocol's
    /// serde wrapper around the [`FuzzValue`]).
    pub fn to_message<'s, V>(
        &'s self,
        headers: &'s mut Vec<(&'s str, &'s str)>,
        stream_ids: &'s mut Vec<&'s str>,
        mut payload: impl FnMut(FuzzPayload<'s>) -> V,
    ) -> HubMessage<'s, V> {
        use signalr_codec_core::{
            CancelInvocation, Close, Completion, HubMessage, Invocation, Outcome, StreamInvocation, StreamItem,
        };
        let pairs = |h: &'s [(String, String)], out: &mut Vec<(&'s str, &'s str)>| {
            out.extend(h.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        };
        match self {
            FuzzMessage::Invocation { id, target, arguments, stream_ids: ids, headers: h } => {
                pairs(h, headers);
                stream_ids.extend(ids.iter().map(String::as_str));
                HubMessage::Invocation(Invocation {
                    headers: signalr_codec_core::Headers::from_pairs(headers),
                    invocation_id: id.as_deref().map(signalr_codec_core::Text::borrowed),
                    target: target.as_str().into(),
                    arguments: payload(FuzzPayload::Arguments(arguments)),
                    stream_ids: signalr_codec_core::StreamIds::from_slice(stream_ids),
                })
            }
            FuzzMessage::StreamItem { id, item, headers: h } => {
                pairs(h, headers);
                HubMessage::StreamItem(StreamItem {
                    headers: signalr_codec_core::Headers::from_pairs(headers),
                    invocation_id: id.as_str().into(),
                    item: payload(FuzzPayload::Value(item)),
                })
            }
            FuzzMessage::Completion { id, outcome, headers: h } => {
                pairs(h, headers);
                HubMessage::Completion(Completion {
                    headers: signalr_codec_core::Headers::from_pairs(headers),
                    invocation_id: id.as_str().into(),
                    outcome: match outcome {
                        None => Outcome::Void,
                        Some(Ok(v)) => Outcome::Result(payload(FuzzPayload::Value(v))),
                        Some(Err(e)) => Outcome::Error(e.as_str().into()),
                    },
                })
            }
            FuzzMessage::StreamInvocation { id, target, arguments, stream_ids: ids } => {
                stream_ids.extend(ids.iter().map(String::as_str));
                HubMessage::StreamInvocation(StreamInvocation {
                    headers: signalr_codec_core::Headers::empty(),
                    invocation_id: id.as_str().into(),
                    target: target.as_str().into(),
                    arguments: payload(FuzzPayload::Arguments(arguments)),
                    stream_ids: signalr_codec_core::StreamIds::from_slice(stream_ids),
                })
            }
            FuzzMessage::CancelInvocation { id } => HubMessage::CancelInvocation(CancelInvocation::new(id.as_str())),
            FuzzMessage::Ping => HubMessage::Ping,
            FuzzMessage::Close { error, allow_reconnect } => HubMessage::Close(Close {
                error: error.as_deref().map(signalr_codec_core::Text::borrowed),
                allow_reconnect: *allow_reconnect,
            }),
            FuzzMessage::Ack { sequence_id } => HubMessage::Ack { sequence_id: *sequence_id },
            FuzzMessage::Sequence { sequence_id } => HubMessage::Sequence { sequence_id: *sequence_id },
        }
    }
}

/// A payload of a [`FuzzMessage`]: one value, or an argument list (written as an array).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum FuzzPayload<'s> {
    /// `item` or `result`.
    Value(&'s FuzzValue),
    /// `arguments`.
    Arguments(&'s [FuzzValue]),
}

impl FuzzPayload<'_> {
    /// What this payload reads back as: the value, or the arguments as an array, normalized.
    pub fn expected(&self) -> FuzzValue {
        match self {
            FuzzPayload::Value(v) => v.normalized(),
            FuzzPayload::Arguments(a) => FuzzValue::Array(a.iter().map(FuzzValue::normalized).collect()),
        }
    }
}

/// `message` owned (its texts, headers and stream ids in heap storage), and a copy of that,
/// write exactly what `message` writes (or fail as it fails).
pub fn owning_keeps_the_message<P, V, O>(protocol: &P, message: &HubMessage<'_, V, O>)
where
    P: HubProtocol,
    V: Encode<P> + ToOwnedValue + Clone,
    V::Owned: Encode<P> + Clone,
    O: Ownership,
{
    fn written<P: HubProtocol, V: Encode<P>>(
        protocol: &P,
        message: &HubMessage<'_, V, impl Ownership>,
    ) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        protocol.write(message, &mut out).ok().map(|_| out)
    }
    let expected = written(protocol, message);
    // As an owning message (a borrowing one's fields moved): the same message.
    assert_eq!(written(protocol, &message.clone().owning()), expected, "owning() changed the message");
    let owned = message.clone().into_owned();
    assert_eq!(written(protocol, &owned), expected, "owning changed the message");
    let copy = owned.clone();
    drop(owned);
    assert_eq!(written(protocol, &copy), expected, "copying changed the message");
}

/// Writes `message` into a new buffer, checking that `encoded_len` predicts exactly what
/// `write` writes.
pub fn write_checked<P: HubProtocol, V: Encode<P>>(protocol: &P, message: &HubMessage<'_, V>) -> Vec<u8> {
    let mut written = Vec::new();
    protocol.write(message, &mut written).expect("a structured message writes");
    assert_eq!(protocol.encoded_len(message).ok(), Some(written.len()), "encoded_len disagrees with write");
    written
}

/// The structured round trip, for any protocol: a [`FuzzMessage`] from `data`, made carriable by
/// both protocols ([`FuzzMessage::sanitized`]), written by `write` (which wraps the payloads in
/// the protocol's serde type), decoded back whole, and compared field by field; payloads are
/// bound with `bind`.
pub fn check_roundtrip<P: HubProtocol + Clone>(
    protocol: &P,
    data: &[u8],
    write: impl for<'s> FnOnce(HubMessage<'s, FuzzPayload<'s>>) -> Vec<u8>,
    bind: impl for<'a> Fn(&P::Value<'a>) -> FuzzValue,
) where
    for<'a> P::Value<'a>: core::fmt::Debug,
{
    use arbitrary::Arbitrary;
    let Ok(message) = FuzzMessage::arbitrary_take_rest(arbitrary::Unstructured::new(data)) else { return };
    let message = message.sanitized();
    let (mut headers, mut stream_ids) = (Vec::new(), Vec::new());
    let written = write(message.to_message(&mut headers, &mut stream_ids, core::convert::identity));
    let mut decoder = HubDecoder::new(protocol.clone());
    let Ok(Status::Complete((Parsed::Message(parsed), consumed))) = decoder.decode(&written) else {
        panic!("a written message does not parse: {written:02x?}");
    };
    assert_eq!(consumed, written.len(), "a written message is not one whole frame");
    let (mut headers, mut stream_ids) = (Vec::new(), Vec::new());
    let expected = message.to_message(&mut headers, &mut stream_ids, |p| p.expected());
    let actual = parsed.map_values(|raw| bind(&raw).normalized()).owning();
    assert_eq!(actual, expected, "write → parse changed the message");
}
