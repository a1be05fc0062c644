//! Both hub protocols behind one interface: decode buffers to the neutral form, encode the
//! neutral form to framed bytes.

use serde_json::{json, Value};
use signalr_codec_core::frame::{Framer, RecordFramer, Status};
use signalr_codec_core::handshake::{HandshakeRequest, HandshakeResponse};
use signalr_codec_core::{HubDecoder, HubMessage, HubProtocol, Limits, Parsed};
use signalr_codec_json::{JsonHubProtocol, Serialized};
use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue};

use crate::neutral;
use crate::protocol::ProtocolName;
use crate::report;

/// One item decoded from a stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A message in neutral form.
    Message(Value),
    /// An unknown message type that was skipped, and the bytes it took.
    Skipped {
        /// Its type id.
        message_type: i64,
        /// Its size, framing included.
        bytes: usize,
    },
}

impl Item {
    /// The item as an output line: the neutral message, or `{"skipped":{"type":N,"bytes":M}}`.
    pub fn to_json(&self) -> Value {
        match self {
            Item::Message(m) => m.clone(),
            Item::Skipped { message_type, bytes } => json!({ "skipped": { "type": message_type, "bytes": bytes } }),
        }
    }
}

/// What decoding a buffer gave: every item before the end or the first error, and the error.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The items, in order, with the offset each started at.
    pub items: Vec<(usize, Item)>,
    /// Bytes consumed by the items.
    pub consumed: usize,
    /// The error that stopped decoding (an `{"kind","message","offset"}` object), if any.
    pub error: Option<Value>,
}

/// A protocol the command can translate to and from the neutral form.
pub trait NeutralCodec: HubProtocol + Clone {
    /// A raw payload as a neutral value.
    fn payload(value: &Self::Value<'_>) -> Result<Value, String>;
    /// Writes a neutral message, framed.
    fn write_neutral(&self, message: &HubMessage<'_, &Value>, out: &mut Vec<u8>) -> Result<(), String>;
}

impl NeutralCodec for JsonHubProtocol {
    fn payload(value: &Self::Value<'_>) -> Result<Value, String> {
        neutral::from_json(value)
    }

    fn write_neutral(&self, message: &HubMessage<'_, &Value>, out: &mut Vec<u8>) -> Result<(), String> {
        let mut failure = None;
        let converted = message.clone().map_values(|v| {
            neutral::to_json(v).unwrap_or_else(|e| {
                failure.get_or_insert(e);
                Value::Null
            })
        });
        if let Some(e) = failure {
            return Err(e);
        }
        self.write(&converted.map_values(Serialized), out).map(drop).map_err(|e| e.to_string())
    }
}

impl NeutralCodec for MessagePackHubProtocol {
    fn payload(value: &Self::Value<'_>) -> Result<Value, String> {
        neutral::from_msgpack(value)
    }

    fn write_neutral(&self, message: &HubMessage<'_, &Value>, out: &mut Vec<u8>) -> Result<(), String> {
        let mut failure = None;
        let encoded = message.clone().map_values(|v| {
            let mut bytes = Vec::new();
            if let Err(e) = neutral::to_msgpack(v, &mut bytes) {
                failure.get_or_insert(e);
            }
            bytes
        });
        if let Some(e) = failure {
            return Err(e);
        }
        let mut invalid = None;
        let raw = encoded.as_ref().map_values(|bytes| {
            RawValue::new(bytes).unwrap_or_else(|e| {
                invalid.get_or_insert(e.to_string());
                RawValue::missing()
            })
        });
        if let Some(e) = invalid {
            return Err(e);
        }
        self.write(&raw, out).map(drop).map_err(|e| e.to_string())
    }
}

/// Decodes every whole message of `buf`. With `whole_buffer`, a trailing partial message is an
/// error (`incomplete`, at its offset); otherwise it is left unconsumed.
pub fn decode_buffer<P: NeutralCodec>(protocol: &P, buf: &[u8], whole_buffer: bool) -> Decoded {
    let mut decoder = HubDecoder::new(protocol.clone());
    let mut items = Vec::new();
    let mut pos = 0;
    loop {
        match decoder.decode(&buf[pos..]) {
            Ok(Status::Complete((parsed, consumed))) => {
                let item = match parsed {
                    Parsed::Message(m) => match neutral::from_message(&m, P::payload) {
                        Ok(v) => Item::Message(v),
                        Err(e) => {
                            let error = json!({ "kind": "invalid", "message": e, "offset": pos });
                            return Decoded { items, consumed: pos, error: Some(error) };
                        }
                    },
                    Parsed::Skipped { message_type } => Item::Skipped { message_type, bytes: consumed },
                };
                items.push((pos, item));
                pos += consumed;
            }
            Ok(Status::Partial) => {
                let error = (whole_buffer && pos < buf.len()).then(|| report::incomplete(pos, "a message"));
                return Decoded { items, consumed: pos, error };
            }
            Err(e) => return Decoded { items, consumed: pos, error: Some(report::error(&e.shifted(pos))) },
        }
    }
}

/// Decodes `buf` with the named protocol.
pub fn decode(protocol: ProtocolName, limits: Limits, buf: &[u8], whole_buffer: bool) -> Decoded {
    match protocol {
        ProtocolName::Json => decode_buffer(&JsonHubProtocol::with_limits(limits), buf, whole_buffer),
        ProtocolName::Messagepack => decode_buffer(&MessagePackHubProtocol::with_limits(limits), buf, whole_buffer),
    }
}

/// Writes a neutral message, framed, in the named protocol.
pub fn encode(protocol: ProtocolName, message: &Value, out: &mut Vec<u8>) -> Result<(), String> {
    let message = neutral::to_message(message)?;
    match protocol {
        ProtocolName::Json => JsonHubProtocol::default().write_neutral(&message, out),
        ProtocolName::Messagepack => MessagePackHubProtocol::default().write_neutral(&message, out),
    }
}

/// A handshake at the start of a capture: its neutral description and its size.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadingHandshake {
    /// `{"protocol":…,"version":…}` for a request, `{}` / `{"error":…}` for a response.
    pub description: Value,
    /// The protocol a request names.
    pub protocol: Option<String>,
    /// Bytes it takes, 0x1E included.
    pub bytes: usize,
}

/// Recognises a handshake request or response at the start of a capture (a JSON object that is
/// not a hub message), so captures of whole connections can be read.
pub fn leading_handshake(buf: &[u8], limits: &Limits) -> Option<LeadingHandshake> {
    if buf.first() != Some(&b'{') {
        return None;
    }
    if let Ok(Status::Complete((request, bytes))) = HandshakeRequest::parse(buf, limits) {
        return Some(LeadingHandshake {
            description: json!({ "protocol": request.protocol.as_str(), "version": request.version }),
            protocol: Some(request.protocol.to_string()),
            bytes,
        });
    }
    if let Ok(Status::Complete((response, bytes))) = HandshakeResponse::parse(buf, limits) {
        let description = match &response.error {
            Some(e) => json!({ "error": e.as_str() }),
            None => json!({}),
        };
        return Some(LeadingHandshake { description, protocol: None, bytes });
    }
    None
}

/// What a [`StreamDecoder`] found, in stream order.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A handshake at the start of the stream, and its bytes.
    Handshake(LeadingHandshake, Vec<u8>),
    /// A message (or a skipped type) and the stream offset it started at.
    Item(usize, Item),
    /// The error that stopped decoding (an `{"kind","message","offset"}` object, offset in
    /// the stream); nothing follows it.
    Error(Value),
}

/// Where a [`StreamDecoder`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Nothing decided yet: the stream may start with a handshake.
    Start,
    /// Hub messages.
    Messages,
    /// An error was reported; everything else is ignored.
    Failed,
}

/// Decodes a raw capture pushed in pieces, as it arrives (a pipe still being written, a
/// growing file): an optional leading handshake, then hub messages.
///
/// Memory is bounded by the size limit: the decoder keeps only the bytes of the message not
/// yet complete (and, at the start, of a possible handshake record), dropping each message's
/// bytes once decoded. Each byte is framed once whatever the chunking (the core's decoder
/// resumes its scan). Pushing the whole input at once gives what [`decode_buffer`] and
/// [`leading_handshake`] give on it.
#[derive(Debug)]
pub struct StreamDecoder<P: NeutralCodec> {
    decoder: HubDecoder<P>,
    limits: Limits,
    handshake: RecordFramer,
    buf: Vec<u8>,
    /// The stream offset of `buf[0]`.
    base: usize,
    phase: Phase,
}

impl<P: NeutralCodec> StreamDecoder<P> {
    /// A decoder for `protocol`, enforcing its limits.
    pub fn new(protocol: P) -> Self {
        let limits = *protocol.limits();
        StreamDecoder {
            decoder: HubDecoder::new(protocol),
            limits,
            handshake: RecordFramer::new(limits),
            buf: Vec::new(),
            base: 0,
            phase: Phase::Start,
        }
    }

    /// Takes the next piece of the stream; appends what it completes to `events`.
    pub fn push(&mut self, chunk: &[u8], events: &mut Vec<Event>) {
        if self.phase == Phase::Failed {
            return;
        }
        self.buf.extend_from_slice(chunk);
        self.run(false, events);
    }

    /// The stream has ended: a message cut off is an error (`incomplete`, at its offset).
    pub fn finish(&mut self, events: &mut Vec<Event>) {
        self.run(true, events);
    }

    /// Bytes taken so far by the handshake and the messages decoded.
    pub fn consumed(&self) -> usize {
        self.base
    }

    /// Bytes held, waiting for the rest of their message: under the size limit plus the last
    /// piece pushed.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    fn run(&mut self, end: bool, events: &mut Vec<Event>) {
        if self.phase == Phase::Start {
            match self.buf.first() {
                None if !end => return,
                Some(b'{') => match self.handshake.next_frame(&self.buf) {
                    Ok(Status::Complete(frame)) => {
                        if let Some(h) = leading_handshake(&self.buf[..frame.consumed], &self.limits) {
                            let raw: Vec<u8> = self.buf.drain(..h.bytes).collect();
                            self.base += h.bytes;
                            events.push(Event::Handshake(h, raw));
                        }
                    }
                    // The handshake's record may still be arriving.
                    Ok(Status::Partial) if !end => return,
                    // Too long for a handshake, or the stream ended: hub messages.
                    Ok(Status::Partial) | Err(_) => {}
                },
                _ => {}
            }
            self.phase = Phase::Messages;
        }
        if self.phase != Phase::Messages {
            return;
        }
        let mut pos = 0;
        let failure = loop {
            match self.decoder.decode(&self.buf[pos..]) {
                Ok(Status::Complete((parsed, consumed))) => {
                    let at = self.base + pos;
                    let item = match parsed {
                        Parsed::Message(m) => match neutral::from_message(&m, P::payload) {
                            Ok(v) => Item::Message(v),
                            Err(e) => break Some(json!({ "kind": "invalid", "message": e, "offset": at })),
                        },
                        Parsed::Skipped { message_type } => Item::Skipped { message_type, bytes: consumed },
                    };
                    events.push(Event::Item(at, item));
                    pos += consumed;
                }
                Ok(Status::Partial) if end && pos < self.buf.len() => {
                    break Some(report::incomplete(self.base + pos, "a message"));
                }
                Ok(Status::Partial) => break None,
                Err(e) => break Some(report::error(&e.shifted(self.base + pos))),
            }
        };
        // Decoded messages leave the buffer: only a message still arriving stays.
        self.buf.drain(..pos);
        self.base += pos;
        if let Some(error) = failure {
            events.push(Event::Error(error));
            self.phase = Phase::Failed;
            self.buf = Vec::new();
        }
    }
}

/// A [`StreamDecoder`] for the protocol named at run time.
#[derive(Debug)]
pub enum AnyStreamDecoder {
    /// JSON.
    Json(StreamDecoder<JsonHubProtocol>),
    /// MessagePack.
    Messagepack(StreamDecoder<MessagePackHubProtocol>),
}

impl AnyStreamDecoder {
    /// A stream decoder for `protocol` under `limits`.
    pub fn new(protocol: ProtocolName, limits: Limits) -> Self {
        match protocol {
            ProtocolName::Json => AnyStreamDecoder::Json(StreamDecoder::new(JsonHubProtocol::with_limits(limits))),
            ProtocolName::Messagepack => {
                AnyStreamDecoder::Messagepack(StreamDecoder::new(MessagePackHubProtocol::with_limits(limits)))
            }
        }
    }

    /// See [`StreamDecoder::push`].
    pub fn push(&mut self, chunk: &[u8], events: &mut Vec<Event>) {
        match self {
            AnyStreamDecoder::Json(d) => d.push(chunk, events),
            AnyStreamDecoder::Messagepack(d) => d.push(chunk, events),
        }
    }

    /// See [`StreamDecoder::finish`].
    pub fn finish(&mut self, events: &mut Vec<Event>) {
        match self {
            AnyStreamDecoder::Json(d) => d.finish(events),
            AnyStreamDecoder::Messagepack(d) => d.finish(events),
        }
    }

    /// See [`StreamDecoder::buffered`].
    pub fn buffered(&self) -> usize {
        match self {
            AnyStreamDecoder::Json(d) => d.buffered(),
            AnyStreamDecoder::Messagepack(d) => d.buffered(),
        }
    }
}
