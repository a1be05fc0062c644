//! `signalr-codec frames`: framing only — each frame's body as hex, then the unconsumed rest.

use serde_json::{json, Value};
use signalr_codec_core::frame::{Framer, LengthPrefixFramer, RecordFramer, Status};
use signalr_codec_core::Limits;

use crate::hex;
use crate::protocol::ProtocolName;

/// Frames one buffer: `{"ok":{"frames":[…],"remaining":"…"}}`, or on a framing error
/// `{"error":{…},"frames":[bodies before it]}`. The whole buffer at once; [`Stream`] takes a
/// stream in pieces.
pub fn frame_buffer(protocol: ProtocolName, limits: Limits, input: &[u8]) -> Value {
    let mut stream = Stream::new(protocol, limits);
    let mut lines = stream.push(input);
    lines.extend(stream.finish());
    let mut frames = Vec::new();
    for mut line in lines {
        if let Some(body) = line.get_mut("frame").map(Value::take) {
            frames.push(body);
        } else if let Some(error) = line.get_mut("error").map(Value::take) {
            return json!({ "error": error, "frames": frames });
        } else if let Some(remaining) = line.get_mut("remaining").map(Value::take) {
            return json!({ "ok": { "frames": frames, "remaining": remaining } });
        }
    }
    // `finish` always ends with the remainder or follows an error: not reached.
    json!({ "ok": { "frames": frames, "remaining": "" } })
}

/// `frames` on a raw stream arriving in pieces (a pipe still being written): one line per
/// frame as it completes, `{"frame":"<body hex>","offset":N,"bytes":M}` (`bytes` counts the
/// framing), then at the end `{"remaining":"<hex>"}` (the bytes after the last whole frame), or
/// `{"error":{…}}` where framing failed (nothing follows it).
///
/// Memory is the size limit plus the last piece: only the frame not yet complete is kept.
pub struct Stream {
    framer: Box<dyn Framer + Send>,
    buf: Vec<u8>,
    /// The stream offset of `buf[0]`.
    base: usize,
    ok: bool,
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream").field("buffered", &self.buf.len()).field("base", &self.base).finish()
    }
}

impl Stream {
    /// A framer for `protocol`'s framing under `limits`.
    pub fn new(protocol: ProtocolName, limits: Limits) -> Self {
        let framer: Box<dyn Framer + Send> = match protocol {
            ProtocolName::Json => Box::new(RecordFramer::new(limits)),
            ProtocolName::Messagepack => Box::new(LengthPrefixFramer::new(limits)),
        };
        Stream { framer, buf: Vec::new(), base: 0, ok: true }
    }

    /// The lines of the frames `chunk` completes (or of the error it reveals).
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Value> {
        if !self.ok {
            return Vec::new();
        }
        self.buf.extend_from_slice(chunk);
        let mut lines = Vec::new();
        let mut pos = 0;
        loop {
            match self.framer.next_frame(&self.buf[pos..]) {
                Ok(Status::Complete(frame)) => {
                    let body = hex::encode(&self.buf[pos..][frame.body]);
                    lines.push(json!({ "frame": body, "offset": self.base + pos, "bytes": frame.consumed }));
                    pos += frame.consumed;
                }
                Ok(Status::Partial) => break,
                Err(e) => {
                    lines.push(json!({ "error": crate::report::error(&e.shifted(self.base + pos)) }));
                    self.ok = false;
                    self.buf = Vec::new();
                    return lines;
                }
            }
        }
        // Whole frames leave the buffer; the framer's scan position is relative to the
        // frame still arriving, which now starts the buffer.
        self.buf.drain(..pos);
        self.base += pos;
        lines
    }

    /// The last line: `{"remaining":"<hex>"}`, or nothing after an error.
    pub fn finish(&mut self) -> Vec<Value> {
        if !self.ok {
            return Vec::new();
        }
        vec![json!({ "remaining": hex::encode(&std::mem::take(&mut self.buf)) })]
    }

    /// False once framing failed.
    pub fn ok(&self) -> bool {
        self.ok
    }

    /// Bytes held, waiting for the rest of their frame: at most the size limit plus the last
    /// piece pushed.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }
}
