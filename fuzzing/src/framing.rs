//! The framers: the 0x1E record framer (JSON) and the VarInt length-prefix framer (MessagePack).
//!
//! Input layout: the first byte chooses the size limit and the chunking (how the stream is
//! split as if it arrived from a transport); the rest is the stream.

use signalr_codec_core::frame::{Framer, LengthPrefixFramer, RecordFramer, Status};
use signalr_codec_core::limits::{Limits, DEFAULT_MAX_MESSAGE_SIZE};
use signalr_codec_core::Error;

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
        _ => Some(DEFAULT_MAX_MESSAGE_SIZE),
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
