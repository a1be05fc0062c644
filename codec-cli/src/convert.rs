//! `signalr-codec convert`: a raw stream in one protocol re-encoded in the other, payloads
//! included.

use signalr_codec_core::handshake::HandshakeRequest;
use signalr_codec_core::Limits;

use crate::codec::{self, AnyStreamDecoder, Event, Item};
use crate::protocol::ProtocolName;

/// The converted stream, and the problems met (unknown types dropped, or the error that stopped
/// the conversion — everything before it is converted).
pub struct Converted {
    /// The stream in the target protocol.
    pub bytes: Vec<u8>,
    /// Notes for the user; the last one is the error when `ok` is false.
    pub notes: Vec<String>,
    /// True when the whole input converted.
    pub ok: bool,
}

/// Converts `input` from one protocol to the other. A leading handshake request is rewritten to
/// name the target protocol; a leading response is copied. The whole input at once; [`Stream`]
/// takes it in pieces.
pub fn stream(from: ProtocolName, to: ProtocolName, limits: Limits, input: &[u8]) -> Converted {
    let mut converter = Stream::new(from, to, limits);
    let mut converted = converter.push(input);
    let end = converter.finish();
    converted.bytes.extend(end.bytes);
    converted.notes.extend(end.notes);
    converted.ok = end.ok;
    converted
}

/// `convert` on input that arrives in pieces: each piece gives the bytes of the messages it
/// completes. Stops at the first message the target cannot carry (with the target protocol's
/// text) or the first error in the input: what it wrote up to there always decodes.
#[derive(Debug)]
pub struct Stream {
    to: ProtocolName,
    decoder: AnyStreamDecoder,
    ok: bool,
}

impl Stream {
    /// A converter from `from` to `to`, reading under `limits`.
    pub fn new(from: ProtocolName, to: ProtocolName, limits: Limits) -> Self {
        Stream { to, decoder: AnyStreamDecoder::new(from, limits), ok: true }
    }

    /// The converted bytes (and notes) of what `chunk` completes; `ok` is false once the
    /// conversion stopped.
    pub fn push(&mut self, chunk: &[u8]) -> Converted {
        let mut events = Vec::new();
        if self.ok {
            self.decoder.push(chunk, &mut events);
        }
        self.convert(events)
    }

    /// What the end of the input gives (an error when it ends inside a message).
    pub fn finish(&mut self) -> Converted {
        let mut events = Vec::new();
        if self.ok {
            self.decoder.finish(&mut events);
        }
        self.convert(events)
    }

    /// False once the conversion stopped (an error, or a message the target cannot carry).
    pub fn ok(&self) -> bool {
        self.ok
    }

    fn convert(&mut self, events: Vec<Event>) -> Converted {
        let (to, mut bytes, mut notes) = (self.to, Vec::new(), Vec::new());
        for event in events {
            if !self.ok {
                break;
            }
            match event {
                Event::Handshake(handshake, raw) => {
                    match handshake.description.get("version").and_then(|v| v.as_i64()) {
                        Some(version) => {
                            let _ = HandshakeRequest::new(to.as_str(), version as i32).write(&mut bytes);
                        }
                        None => bytes.extend_from_slice(&raw),
                    }
                }
                Event::Item(offset, Item::Message(message)) => {
                    if let Err(e) = codec::encode(to, &message, &mut bytes) {
                        notes.push(format!("message at byte {offset}: cannot be written as {to}: {e}"));
                        self.ok = false;
                    }
                }
                Event::Item(offset, Item::Skipped { message_type, .. }) => {
                    notes.push(format!("message at byte {offset}: unknown type {message_type} dropped"));
                }
                Event::Error(error) => {
                    notes.push(format!("{error}"));
                    self.ok = false;
                }
            }
        }
        Converted { bytes, notes, ok: self.ok }
    }
}
