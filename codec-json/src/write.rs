//! Writing hub messages byte for byte as .NET's `JsonHubProtocol` writes them.
//!
//! Property order and omissions (from the .NET writer):
//!
//! | type | properties |
//! |---|---|
//! | 1, 4 | `type`, `headers`¹, `invocationId`², `target`, `arguments`, `streamIds`³ |
//! | 2 | `type`, `headers`¹, `invocationId`², `item` (always) |
//! | 3 | `type`, `headers`¹, `invocationId`², then `error` if non-empty, else `result` if there is one |
//! | 5 | `type`, `headers`¹, `invocationId`² |
//! | 6 | `type` |
//! | 7 | `type`, `error` when present (even `""`), `allowReconnect` only when `true` |
//! | 8, 9 | `type`, `sequenceId` |
//!
//! ¹ only when there are headers. ² omitted when empty (and, for an Invocation, when absent).
//! ³ only when there are stream ids: .NET writes `streamIds` whenever its array is non-null, and
//! an invocation without upload streams has a null array; the model here has no null, so an empty
//! list is not written.
//!
//! Strings are escaped as .NET's relaxed encoder escapes them ([`signalr_codec_core::json::write_string`]).

use signalr_codec_core::frame::RECORD_SEPARATOR;
use signalr_codec_core::ownership::Ownership;
use signalr_codec_core::{Completion, Encode, Error, ErrorKind, Headers, HubMessage, Outcome, Output, StreamIds};

use crate::raw::{RawJson, RawJsonBuf};
use crate::ser;
use crate::{number, JsonHubProtocol};
use signalr_codec_core::json as escape;

/// [`Serialized`](signalr_codec_core::Serialized) values are written straight into the output (no intermediate `String` or
/// `Value`), formatted as System.Text.Json formats them (see [`ser`]).
///
/// For `arguments`, the value must serialize as a JSON array: a tuple, an array, a slice or a
/// `Vec` (`Serialized(("alice", 42))`; for no arguments use `Serialized([(); 0])` or
/// [`RawJson::EMPTY_ARRAY`]).
///
/// Into a `Vec` or a `BytesMut` the value is serialized once, straight into the output. Into a
/// buffer of fixed room (a slice) it is serialized twice: once to measure it and check room,
/// once to write. To send one value to many peers, encode it once (into a [`RawJsonBuf`]) and
/// write that.
///
/// ```
/// use signalr_codec_core::{HubMessage, Invocation};
/// use signalr_codec_json::{JsonHubProtocol, Serialized};
/// let msg = HubMessage::Invocation(Invocation::new("Send", Serialized(("alice", 2.0))));
/// let bytes = JsonHubProtocol::new().to_vec(&msg)?;
/// assert_eq!(bytes, b"{\"type\":1,\"target\":\"Send\",\"arguments\":[\"alice\",2]}\x1e");
/// # Ok::<(), signalr_codec_core::Error>(())
/// ```
impl signalr_codec_core::SerdePayloads for JsonHubProtocol {
    fn serialized_len<T: serde::Serialize + ?Sized>(&self, value: &T) -> Result<usize, Error> {
        ser::serialized_len(value)
    }

    fn write_serialized<T: serde::Serialize + ?Sized, O: Output + ?Sized>(
        &self,
        value: &T,
        out: &mut O,
    ) -> Result<(), Error> {
        ser::to_output(value, out).map(|_| ())
    }
}

impl Encode<JsonHubProtocol> for RawJson<'_> {
    fn encoded_len(&self, _: &JsonHubProtocol) -> Result<usize, Error> {
        Ok(self.get().len())
    }

    fn encode<O: Output + ?Sized>(&self, _: &JsonHubProtocol, out: &mut O) -> Result<(), Error> {
        out.put(self.get().as_bytes());
        Ok(())
    }
}

impl Encode<JsonHubProtocol> for RawJsonBuf {
    fn encoded_len(&self, p: &JsonHubProtocol) -> Result<usize, Error> {
        self.as_raw().encoded_len(p)
    }

    fn encode<O: Output + ?Sized>(&self, p: &JsonHubProtocol, out: &mut O) -> Result<(), Error> {
        self.as_raw().encode(p, out)
    }
}

/// serde_json's raw values are valid JSON: copied as is.
impl Encode<JsonHubProtocol> for serde_json::value::RawValue {
    fn encoded_len(&self, _: &JsonHubProtocol) -> Result<usize, Error> {
        Ok(self.get().len())
    }

    fn encode<O: Output + ?Sized>(&self, _: &JsonHubProtocol, out: &mut O) -> Result<(), Error> {
        out.put(self.get().as_bytes());
        Ok(())
    }
}

/// Where the envelope goes: measured or written by the same code, so the two always agree.
pub(crate) trait Emit {
    fn bytes(&mut self, b: &[u8]);
    fn string(&mut self, s: &str);
    fn int(&mut self, n: i64);
    fn payload<V: Encode<JsonHubProtocol> + ?Sized>(&mut self, p: &JsonHubProtocol, v: &V) -> Result<(), Error>;
}

/// Counts bytes; payloads report their own length.
pub(crate) struct Measure(pub(crate) usize);

impl Emit for Measure {
    fn bytes(&mut self, b: &[u8]) {
        self.0 += b.len();
    }

    fn string(&mut self, s: &str) {
        self.0 += escape::string_len(s);
    }

    fn int(&mut self, n: i64) {
        self.0 += number::i64_len(n);
    }

    fn payload<V: Encode<JsonHubProtocol> + ?Sized>(&mut self, p: &JsonHubProtocol, v: &V) -> Result<(), Error> {
        self.0 += v.encoded_len(p)?;
        Ok(())
    }
}

/// Writes into an output.
pub(crate) struct Write<'o, O: Output + ?Sized>(pub(crate) &'o mut O);

impl<O: Output + ?Sized> Emit for Write<'_, O> {
    fn bytes(&mut self, b: &[u8]) {
        self.0.put(b);
    }

    fn string(&mut self, s: &str) {
        escape::write_string(s, &mut self.0);
    }

    fn int(&mut self, n: i64) {
        number::write_i64(n, &mut self.0);
    }

    fn payload<V: Encode<JsonHubProtocol> + ?Sized>(&mut self, p: &JsonHubProtocol, v: &V) -> Result<(), Error> {
        v.encode(p, &mut self.0)
    }
}

// Nearly every message has none: the test inline, the list machinery (and its stack frame)
// out of line. The same for stream ids.
#[inline]
fn headers<E: Emit>(h: &Headers<'_, impl Ownership>, e: &mut E) {
    if !h.is_empty() {
        header_object(h, e);
    }
}

#[inline(never)]
fn header_object<E: Emit>(h: &Headers<'_, impl Ownership>, e: &mut E) {
    e.bytes(b",\"headers\":{");
    for (i, (name, value)) in h.iter().enumerate() {
        if i > 0 {
            e.bytes(b",");
        }
        e.string(&name);
        e.bytes(b":");
        e.string(&value);
    }
    e.bytes(b"}");
}

/// What the reader refuses: an empty target, or an empty invocation id where one is required
/// (the .NET writer omits it, and the reader then misses it). The writer refuses these with the
/// reader's text, so that what it writes always reads back; `emit` runs them in the measuring
/// pass, before anything is written.
#[cold]
#[inline(never)]
fn missing(property: &str) -> Error {
    let text = match property {
        "target" => "Missing required property 'target'.",
        _ => "Missing required property 'invocationId'.",
    };
    Error::new(ErrorKind::Missing, text)
}

/// An invocation id that must be there.
#[inline(always)]
fn required_id(id: &str) -> Result<(), Error> {
    if id.is_empty() {
        return Err(missing("invocationId"));
    }
    Ok(())
}

fn invocation_id<E: Emit>(id: Option<&str>, e: &mut E) {
    if let Some(id) = id.filter(|id| !id.is_empty()) {
        e.bytes(b",\"invocationId\":");
        e.string(id);
    }
}

#[inline]
fn stream_ids<E: Emit>(ids: &StreamIds<'_, impl Ownership>, e: &mut E) {
    if !ids.is_empty() {
        stream_id_array(ids, e);
    }
}

#[inline(never)]
fn stream_id_array<E: Emit>(ids: &StreamIds<'_, impl Ownership>, e: &mut E) {
    e.bytes(b",\"streamIds\":[");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            e.bytes(b",");
        }
        e.string(&id);
    }
    e.bytes(b"]");
}

#[allow(clippy::too_many_arguments)]
fn call<E: Emit, V: Encode<JsonHubProtocol>>(
    p: &JsonHubProtocol,
    ty: &[u8],
    h: &Headers<'_, impl Ownership>,
    id: Option<&str>,
    target: &str,
    arguments: &V,
    ids: &StreamIds<'_, impl Ownership>,
    e: &mut E,
) -> Result<(), Error> {
    if target.is_empty() {
        return Err(missing("target"));
    }
    e.bytes(ty);
    headers(h, e);
    invocation_id(id, e);
    e.bytes(b",\"target\":");
    e.string(target);
    e.bytes(b",\"arguments\":");
    e.payload(p, arguments)?;
    stream_ids(ids, e);
    Ok(())
}

fn completion<E: Emit, V: Encode<JsonHubProtocol>>(
    p: &JsonHubProtocol,
    m: &Completion<'_, V, impl Ownership>,
    e: &mut E,
) -> Result<(), Error> {
    required_id(&m.invocation_id)?;
    e.bytes(b"{\"type\":3");
    headers(&m.headers, e);
    invocation_id(Some(&m.invocation_id), e);
    match &m.outcome {
        // .NET writes an error only when it is non-empty (an empty one then counts as void).
        Outcome::Error(err) if !err.is_empty() => {
            e.bytes(b",\"error\":");
            e.string(err);
        }
        Outcome::Error(_) | Outcome::Void => {}
        Outcome::Result(v) => {
            e.bytes(b",\"result\":");
            e.payload(p, v)?;
        }
    }
    Ok(())
}

/// Emits one message, framed.
pub(crate) fn emit<E: Emit, V: Encode<JsonHubProtocol>>(
    p: &JsonHubProtocol,
    message: &HubMessage<'_, V, impl Ownership>,
    e: &mut E,
) -> Result<(), Error> {
    match message {
        HubMessage::Invocation(m) => {
            call(p, b"{\"type\":1", &m.headers, m.invocation_id.as_deref(), &m.target, &m.arguments, &m.stream_ids, e)?
        }
        HubMessage::StreamInvocation(m) => {
            required_id(&m.invocation_id)?;
            call(p, b"{\"type\":4", &m.headers, Some(&m.invocation_id), &m.target, &m.arguments, &m.stream_ids, e)?
        }
        HubMessage::StreamItem(m) => {
            required_id(&m.invocation_id)?;
            e.bytes(b"{\"type\":2");
            headers(&m.headers, e);
            invocation_id(Some(&m.invocation_id), e);
            e.bytes(b",\"item\":");
            e.payload(p, &m.item)?;
        }
        HubMessage::Completion(m) => completion(p, m, e)?,
        HubMessage::CancelInvocation(m) => {
            required_id(&m.invocation_id)?;
            e.bytes(b"{\"type\":5");
            headers(&m.headers, e);
            invocation_id(Some(&m.invocation_id), e);
        }
        HubMessage::Ping => e.bytes(b"{\"type\":6"),
        HubMessage::Close(m) => {
            e.bytes(b"{\"type\":7");
            if let Some(err) = &m.error {
                e.bytes(b",\"error\":");
                e.string(err);
            }
            if m.allow_reconnect {
                e.bytes(b",\"allowReconnect\":true");
            }
        }
        HubMessage::Ack { sequence_id } => {
            e.bytes(b"{\"type\":8,\"sequenceId\":");
            e.int(*sequence_id);
        }
        HubMessage::Sequence { sequence_id } => {
            e.bytes(b"{\"type\":9,\"sequenceId\":");
            e.int(*sequence_id);
        }
    }
    e.bytes(&[b'}', RECORD_SEPARATOR]);
    Ok(())
}

/// The framed length of `message`.
pub(crate) fn encoded_len<V: Encode<JsonHubProtocol>>(
    p: &JsonHubProtocol,
    message: &HubMessage<'_, V, impl Ownership>,
) -> Result<usize, Error> {
    let mut m = Measure(0);
    emit(p, message, &mut m)?;
    Ok(m.0)
}

/// Measures, checks room, writes.
pub(crate) fn write<V: Encode<JsonHubProtocol>, O: Output + ?Sized>(
    p: &JsonHubProtocol,
    message: &HubMessage<'_, V, impl Ownership>,
    out: &mut O,
) -> Result<usize, Error> {
    // An output that grows takes the message in one pass, taken back on error.
    if let Some(start) = out.rewind_point() {
        return match emit(p, message, &mut Write(&mut *out)) {
            Ok(()) => Ok(out.written_since(start).len()),
            Err(e) => {
                out.rewind(start);
                Err(e)
            }
        };
    }
    let len = encoded_len(p, message)?;
    let room = out.remaining();
    if room < len {
        return Err(Error::buffer_too_small(len));
    }
    emit(p, message, &mut Write(&mut *out))?;
    if room - out.remaining() != len {
        return Err(Error::new(
            ErrorKind::Invalid,
            "A payload wrote a different number of bytes than its encoded_len reported.",
        ));
    }
    Ok(len)
}
