//! Fuzzing entry points: each one checks properties, not only the absence of panics.
//!
//! The cargo-fuzz targets in `fuzz/` are one-line calls to these functions, and the crate's tests
//! replay every committed seed through the same functions, so a crash found by a campaign becomes
//! a regression test by committing its input. Enabled by the `fuzzing` feature (which needs
//! `std`); not a stable API.
//!
//! Input layout for the framer targets: the first byte chooses the size limit and the chunking
//! (how the stream is split as if it arrived from a transport); the rest is the stream.

use alloc::vec::Vec;

use crate::error::Error;
use crate::frame::{Framer, LengthPrefixFramer, RecordFramer, Status};
use crate::handshake::{HandshakeRequest, HandshakeResponse};
use crate::limits::Limits;

/// What framing a stream produced: the frame bodies, then how it ended.
#[derive(Debug, PartialEq, Eq)]
struct Framed {
    bodies: Vec<Vec<u8>>,
    end: End,
}

#[derive(Debug, PartialEq, Eq)]
enum End {
    /// Everything up to this offset was consumed; the rest is a partial frame.
    Partial(usize),
    /// A framing error (kind text, offset in the stream).
    Error(&'static str, Option<usize>),
}

fn end_of(e: &Error) -> End {
    End::Error(e.kind().as_str(), e.offset())
}

/// Splits the control byte into a limit and chunk sizes.
fn control(data: &[u8]) -> Option<(Limits, usize, &[u8])> {
    let (&ctrl, stream) = data.split_first()?;
    let limit = match ctrl >> 5 {
        0 => None,
        1 => Some(usize::from(ctrl & 0x1F)),
        2 => Some(64),
        3 => Some(300),
        _ => Some(crate::limits::DEFAULT_MAX_MESSAGE_SIZE),
    };
    let chunk = usize::from(ctrl & 0x0F) + 1;
    Some((Limits::default().with_max_message_size(limit), chunk, stream))
}

fn frame_whole<F: Framer>(mut framer: F, stream: &[u8]) -> Framed {
    let mut bodies = Vec::new();
    let mut frames = framer.frames(stream);
    for frame in frames.by_ref() {
        match frame {
            Ok(body) => bodies.push(body.to_vec()),
            Err(e) => return Framed { bodies, end: end_of(&e) },
        }
    }
    Framed { bodies, end: End::Partial(frames.consumed()) }
}

/// Feeds the stream `chunk` bytes at a time (the sizes vary around `chunk`), appending to a
/// buffer and draining consumed frames, as a transport read loop would.
fn frame_chunked<F: Framer>(mut framer: F, stream: &[u8], chunk: usize) -> Framed {
    let mut bodies = Vec::new();
    let mut buf = Vec::new();
    let mut consumed = 0;
    let mut pos = 0;
    let mut step = 0;
    while pos < stream.len() {
        let take = (chunk + step % 3).min(stream.len() - pos);
        step += 1;
        buf.extend_from_slice(&stream[pos..pos + take]);
        pos += take;
        loop {
            match framer.next_frame(&buf) {
                Ok(Status::Complete(frame)) => {
                    bodies.push(buf[frame.body.clone()].to_vec());
                    buf.drain(..frame.consumed);
                    consumed += frame.consumed;
                }
                Ok(Status::Partial) => break,
                Err(e) => return Framed { bodies, end: end_of(&e.shifted(consumed)) },
            }
        }
    }
    Framed { bodies, end: End::Partial(consumed) }
}

fn check_framer<F: Framer + Clone>(framer: F, limits: Limits, chunk: usize, stream: &[u8]) {
    let whole = frame_whole(framer.clone(), stream);
    let chunked = frame_chunked(framer, stream, chunk);
    assert_eq!(whole, chunked, "incremental and whole-buffer framing disagree");
    if let Some(limit) = limits.max_message_size {
        assert!(whole.bodies.iter().all(|b| b.len() < limit.max(1)), "a frame passed the size limit");
    }
}

/// The 0x1E record framer: whole-buffer and incremental framing agree (frames, errors and their
/// offsets); no frame passes the limit.
pub fn record_framer(data: &[u8]) {
    let Some((limits, chunk, stream)) = control(data) else { return };
    check_framer(RecordFramer::new(limits), limits, chunk, stream);
}

/// The VarInt length-prefix framer: as [`record_framer`].
pub fn length_prefix_framer(data: &[u8]) {
    let Some((limits, chunk, stream)) = control(data) else { return };
    check_framer(LengthPrefixFramer::new(limits), limits, chunk, stream);
}

/// The handshake request parser: never panics; what parses writes back to bytes that parse to
/// the same request.
pub fn handshake_request(data: &[u8]) {
    let limits = Limits::default();
    if let Ok(Status::Complete((request, consumed))) = HandshakeRequest::parse(data, &limits) {
        assert!(consumed <= data.len());
        let mut out = Vec::new();
        let written = request.write(&mut out).expect("a Vec has room");
        assert_eq!(written, out.len());
        let reparsed = HandshakeRequest::parse(&out, &Limits::unlimited());
        assert_eq!(reparsed, Ok(Status::Complete((request, out.len()))), "handshake request round trip");
    }
}

/// The handshake response parser: as [`handshake_request`] (an empty error is written as
/// success, as .NET writes it).
pub fn handshake_response(data: &[u8]) {
    let limits = Limits::default();
    if let Ok(Status::Complete((response, consumed))) = HandshakeResponse::parse(data, &limits) {
        assert!(consumed <= data.len());
        let mut out = Vec::new();
        response.write(&mut out).expect("a Vec has room");
        let Ok(Status::Complete((reparsed, _))) = HandshakeResponse::parse(&out, &Limits::unlimited()) else {
            panic!("a written handshake response does not parse");
        };
        let expected = if response.is_success() { HandshakeResponse::success() } else { response };
        assert_eq!(reparsed, expected, "handshake response round trip");
    }
}

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
    Str(alloc::string::String),
    /// An array.
    Array(Vec<FuzzValue>),
    /// A map with string keys, in order.
    Map(Vec<(alloc::string::String, FuzzValue)>),
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
                let mut out: Vec<(alloc::string::String, FuzzValue)> = Vec::new();
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
        id: Option<alloc::string::String>,
        /// Target.
        target: alloc::string::String,
        /// Arguments.
        arguments: Vec<FuzzValue>,
        /// Stream ids.
        stream_ids: Vec<alloc::string::String>,
        /// Headers.
        headers: Vec<(alloc::string::String, alloc::string::String)>,
    },
    /// Type 2.
    StreamItem {
        /// Invocation id.
        id: alloc::string::String,
        /// Item.
        item: FuzzValue,
        /// Headers.
        headers: Vec<(alloc::string::String, alloc::string::String)>,
    },
    /// Type 3.
    Completion {
        /// Invocation id.
        id: alloc::string::String,
        /// `None`: void; `Some(Ok)`: a result; `Some(Err)`: an error.
        outcome: Option<Result<FuzzValue, alloc::string::String>>,
        /// Headers.
        headers: Vec<(alloc::string::String, alloc::string::String)>,
    },
    /// Type 4.
    StreamInvocation {
        /// Invocation id.
        id: alloc::string::String,
        /// Target.
        target: alloc::string::String,
        /// Arguments.
        arguments: Vec<FuzzValue>,
        /// Stream ids.
        stream_ids: Vec<alloc::string::String>,
    },
    /// Type 5.
    CancelInvocation {
        /// Invocation id.
        id: alloc::string::String,
    },
    /// Type 6.
    Ping,
    /// Type 7.
    Close {
        /// Error.
        error: Option<alloc::string::String>,
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
        fn fill(s: &mut alloc::string::String) {
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
                let mut seen: Vec<alloc::string::String> = Vec::new();
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
                let mut seen: Vec<alloc::string::String> = Vec::new();
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
    ) -> crate::HubMessage<'s, V> {
        use crate::{
            CancelInvocation, Close, Completion, HubMessage, Invocation, Outcome, StreamInvocation, StreamItem,
        };
        let pairs = |h: &'s [(alloc::string::String, alloc::string::String)], out: &mut Vec<(&'s str, &'s str)>| {
            out.extend(h.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        };
        match self {
            FuzzMessage::Invocation { id, target, arguments, stream_ids: ids, headers: h } => {
                pairs(h, headers);
                stream_ids.extend(ids.iter().map(alloc::string::String::as_str));
                HubMessage::Invocation(Invocation {
                    headers: crate::Headers::from_pairs(headers),
                    invocation_id: id.as_deref().map(crate::Text::borrowed),
                    target: target.as_str().into(),
                    arguments: payload(FuzzPayload::Arguments(arguments)),
                    stream_ids: crate::StreamIds::from_slice(stream_ids),
                })
            }
            FuzzMessage::StreamItem { id, item, headers: h } => {
                pairs(h, headers);
                HubMessage::StreamItem(StreamItem {
                    headers: crate::Headers::from_pairs(headers),
                    invocation_id: id.as_str().into(),
                    item: payload(FuzzPayload::Value(item)),
                })
            }
            FuzzMessage::Completion { id, outcome, headers: h } => {
                pairs(h, headers);
                HubMessage::Completion(Completion {
                    headers: crate::Headers::from_pairs(headers),
                    invocation_id: id.as_str().into(),
                    outcome: match outcome {
                        None => Outcome::Void,
                        Some(Ok(v)) => Outcome::Result(payload(FuzzPayload::Value(v))),
                        Some(Err(e)) => Outcome::Error(e.as_str().into()),
                    },
                })
            }
            FuzzMessage::StreamInvocation { id, target, arguments, stream_ids: ids } => {
                stream_ids.extend(ids.iter().map(alloc::string::String::as_str));
                HubMessage::StreamInvocation(StreamInvocation {
                    headers: crate::Headers::empty(),
                    invocation_id: id.as_str().into(),
                    target: target.as_str().into(),
                    arguments: payload(FuzzPayload::Arguments(arguments)),
                    stream_ids: crate::StreamIds::from_slice(stream_ids),
                })
            }
            FuzzMessage::CancelInvocation { id } => HubMessage::CancelInvocation(CancelInvocation::new(id.as_str())),
            FuzzMessage::Ping => HubMessage::Ping,
            FuzzMessage::Close { error, allow_reconnect } => HubMessage::Close(Close {
                error: error.as_deref().map(crate::Text::borrowed),
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

/// Runs `entry` on every file of a seed directory (`fuzz/seeds/<target>/`), as the crates' tests
/// do so that every input a campaign found stays fixed. Panics, naming the seed, when one fails,
/// and when the directory holds no seeds.
pub fn replay_seeds(dir: &std::path::Path, entry: fn(&[u8])) {
    let mut count = 0;
    let files = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for file in files {
        let path = file.expect("a readable directory entry").path();
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if std::panic::catch_unwind(|| entry(&data)).is_err() {
            panic!("seed {} fails", path.display());
        }
        count += 1;
    }
    assert!(count > 0, "no seeds in {}", dir.display());
}

/// The seed directory of `target` in this repository (`fuzz/seeds/<target>`), from a crate's
/// manifest directory.
pub fn seed_dir(manifest_dir: &str, target: &str) -> std::path::PathBuf {
    std::path::Path::new(manifest_dir).join("..").join("fuzz").join("seeds").join(target)
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

/// Writes `message` into a new buffer, checking that `encoded_len` predicts exactly what
/// `write` writes.
pub fn write_checked<P: crate::HubProtocol, V: crate::Encode<P>>(
    protocol: &P,
    message: &crate::HubMessage<'_, V>,
) -> Vec<u8> {
    let mut written = Vec::new();
    protocol.write(message, &mut written).expect("a structured message writes");
    assert_eq!(protocol.encoded_len(message).ok(), Some(written.len()), "encoded_len disagrees with write");
    written
}

/// The structured round trip, for any protocol: a [`FuzzMessage`] from `data`, made carriable by
/// both protocols ([`FuzzMessage::sanitized`]), written by `write` (which wraps the payloads in
/// the protocol's serde type), decoded back whole, and compared field by field; payloads are
/// bound with `bind`.
pub fn check_roundtrip<P: crate::HubProtocol + Clone>(
    protocol: &P,
    data: &[u8],
    write: impl for<'s> FnOnce(crate::HubMessage<'s, FuzzPayload<'s>>) -> Vec<u8>,
    bind: impl for<'a> Fn(&P::Value<'a>) -> FuzzValue,
) where
    for<'a> P::Value<'a>: core::fmt::Debug,
{
    use arbitrary::Arbitrary;
    let Ok(message) = FuzzMessage::arbitrary_take_rest(arbitrary::Unstructured::new(data)) else { return };
    let message = message.sanitized();
    let (mut headers, mut stream_ids) = (Vec::new(), Vec::new());
    let written = write(message.to_message(&mut headers, &mut stream_ids, core::convert::identity));
    let mut decoder = crate::Decoder::new(protocol.clone());
    let Ok(Status::Complete((crate::Parsed::Message(parsed), consumed))) = decoder.decode(&written) else {
        panic!("a written message does not parse: {written:02x?}");
    };
    assert_eq!(consumed, written.len(), "a written message is not one whole frame");
    let (mut headers, mut stream_ids) = (Vec::new(), Vec::new());
    let expected = message.to_message(&mut headers, &mut stream_ids, |p| p.expected());
    let actual = parsed.map_values(|raw| bind(&raw).normalized());
    assert_eq!(actual, expected, "write → parse changed the message");
}
