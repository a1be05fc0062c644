//! `signalr-codec decode`: hub messages in neutral form, one JSON line each.

use serde_json::{json, Value};
use signalr_codec_core::Limits;

use crate::codec::{self, AnyStreamDecoder, Event, Item};
use crate::protocol::ProtocolName;

/// Decodes a raw capture of one direction of a connection: an optional leading handshake
/// (`{"handshake":{…}}`), then one line per message (`{"skipped":{…}}` for unknown types), then
/// `{"error":{…}}` if the stream is bad or ends inside a message. Returns the lines and whether
/// the whole input decoded. The whole input at once; [`Stream`] takes it in pieces.
pub fn stream(protocol: ProtocolName, limits: Limits, input: &[u8]) -> (Vec<Value>, bool) {
    let mut decoder = Stream::new(protocol, limits);
    let mut lines = decoder.push(input);
    lines.extend(decoder.finish());
    (lines, decoder.ok())
}

/// `decode` on input that arrives in pieces (a pipe still being written): each piece gives the
/// lines of the messages it completes. Memory is bounded by the size limit (see
/// [`StreamDecoder`](crate::codec::StreamDecoder)).
#[derive(Debug)]
pub struct Stream {
    decoder: AnyStreamDecoder,
    ok: bool,
}

impl Stream {
    /// A decoder for a stream in `protocol`.
    pub fn new(protocol: ProtocolName, limits: Limits) -> Self {
        Stream { decoder: AnyStreamDecoder::new(protocol, limits), ok: true }
    }

    /// The output lines of what `chunk` completes.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Value> {
        let mut events = Vec::new();
        self.decoder.push(chunk, &mut events);
        self.lines(events)
    }

    /// The output lines at the end of the input (an error if it ends inside a message).
    pub fn finish(&mut self) -> Vec<Value> {
        let mut events = Vec::new();
        self.decoder.finish(&mut events);
        self.lines(events)
    }

    /// False once an error line was produced.
    pub fn ok(&self) -> bool {
        self.ok
    }

    fn lines(&mut self, events: Vec<Event>) -> Vec<Value> {
        events
            .into_iter()
            .map(|event| match event {
                Event::Handshake(h, _) => json!({ "handshake": h.description }),
                Event::Item(_, item) => item.to_json(),
                Event::Error(error) => {
                    self.ok = false;
                    json!({ "error": error })
                }
            })
            .collect()
    }
}

/// Decodes one independent buffer (a `--hex-lines` line): `{"ok":[…],"skipped":[…]}`, or
/// `{"ok":[messages before it],"error":{…}}`. The buffer must be consumed whole.
pub fn buffer(protocol: ProtocolName, limits: Limits, input: &[u8]) -> Value {
    let decoded = codec::decode(protocol, limits, input, true);
    let mut messages = Vec::new();
    let mut skipped = Vec::new();
    for (_, item) in decoded.items {
        match item {
            Item::Message(m) => messages.push(m),
            Item::Skipped { message_type, bytes } => skipped.push(json!({ "type": message_type, "bytes": bytes })),
        }
    }
    match decoded.error {
        Some(error) if skipped.is_empty() => json!({ "ok": messages, "error": error }),
        Some(error) => json!({ "ok": messages, "skipped": skipped, "error": error }),
        None => json!({ "ok": messages, "skipped": skipped }),
    }
}
