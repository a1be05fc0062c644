//! The floors the codec is measured against: the least work that still looks at every byte the
//! way a decoder must. Each returns how many messages it walked over.
//!
//! They trust their input (they panic on what the codec would reject): they exist to be timed
//! on the benchmark payloads, which every floor and the codec agree on (checked before timing).

use serde::de::IgnoredAny;
use signalr_codec_core::{Error, HubMessage, Parsed};
use signalr_codec_msgpack::Message;
use std::hint::black_box;

/// serde_json validating each record into `IgnoredAny`: what merely checking the JSON costs.
/// Records are split with memchr, the fastest split there is (the decoder splits the same way),
/// so the floor's time is serde_json's and not a byte loop's.
pub fn json_ignored_any(buf: &[u8]) -> usize {
    let mut count = 0;
    let mut start = 0;
    for end in memchr::memchr_iter(0x1E, buf) {
        black_box(serde_json::from_slice::<IgnoredAny>(&buf[start..end]).expect("valid JSON"));
        start = end + 1;
        count += 1;
    }
    count
}

/// A bare walk over length-prefixed MessagePack bodies, skipping every value: the prefix read
/// with a one-byte fast path, each value stepped over by its marker, nothing checked (no UTF-8,
/// no limits, no depth).
// A function of its own, with the walk inlined into it, as it was before the bodies below
// shared the walk: shared out of line, the walk's call cost the floor 0.3-2.3 ns a small message.
#[inline(never)]
pub fn msgpack_skip(buf: &[u8]) -> usize {
    let mut pos = 0;
    let mut count = 0;
    while pos < buf.len() {
        pos = walk_frame(buf, pos);
        count += 1;
    }
    count
}

/// Reads the prefix at `pos` and skips the frame's value; returns where the next frame starts.
#[inline(always)]
fn walk_frame(buf: &[u8], mut pos: usize) -> usize {
    // One byte holds any length below 128, the common case: no loop for it.
    let first = buf[pos];
    pos += 1;
    let mut len = usize::from(first & 0x7F);
    if first & 0x80 != 0 {
        let mut shift = 7;
        loop {
            let b = buf[pos];
            pos += 1;
            len |= usize::from(b & 0x7F) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let end = pos + len;
    let walked = skip_value(buf, pos);
    debug_assert_eq!(walked, end);
    end
}

/// The skip walk of [`msgpack_skip`] handing each frame out as the decoder hands out a
/// message: a `Ping`, the message with no fields, in the decoder's item type
/// (`Option<Result<Parsed<Message>, Error>>`, a borrowing message), looked at in place and
/// dropped as [`decode_all`](crate::decode_all) drops each one. No decoder that hands out this item type
/// can do less per frame: what this costs over [`msgpack_skip`] is the least a message costs
/// on its own, before any of its fields is read.
pub fn msgpack_skip_yielding_ping(buf: &[u8]) -> usize {
    let mut count = 0;
    let mut frames = PingFrames { buf, pos: 0 };
    while let Some(item) = &frames.next() {
        black_box(item.as_ref().expect("a ping"));
        count += 1;
    }
    count
}

/// [`msgpack_skip_yielding_ping`] with each item forgotten instead of dropped: what dropping
/// costs taken out. Nothing, now that a MessagePack message owns nothing (an owning message's
/// drop glue looks for owned texts and lists in every message).
pub fn msgpack_skip_yielding_ping_forgotten(buf: &[u8]) -> usize {
    let mut count = 0;
    let mut frames = PingFrames { buf, pos: 0 };
    loop {
        let item = core::mem::ManuallyDrop::new(frames.next());
        let Some(item) = &*item else { break };
        black_box(item.as_ref().expect("a ping"));
        count += 1;
    }
    count
}

/// The frames of a MessagePack buffer, each walked over and handed out as a Ping.
struct PingFrames<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for PingFrames<'a> {
    type Item = Result<Parsed<Message<'a>>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.buf.len() {
            return None;
        }
        self.pos = walk_frame(self.buf, self.pos);
        Some(Ok(Parsed::Message(HubMessage::Ping)))
    }
}

fn be(buf: &[u8], at: usize, n: usize) -> usize {
    buf[at..at + n].iter().fold(0, |v, &b| v << 8 | usize::from(b))
}

/// Skips one value (iteratively: `pending` counts the values still to skip).
#[inline(always)]
fn skip_value(buf: &[u8], mut pos: usize) -> usize {
    let mut pending = 1usize;
    while pending > 0 {
        pending -= 1;
        let code = buf[pos];
        pos += 1;
        match code {
            0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => {}
            0x80..=0x8f => pending += 2 * usize::from(code & 0x0f),
            0x90..=0x9f => pending += usize::from(code & 0x0f),
            0xa0..=0xbf => pos += usize::from(code & 0x1f),
            0xc4 | 0xd9 => pos += 1 + be(buf, pos, 1),
            0xc5 | 0xda => pos += 2 + be(buf, pos, 2),
            0xc6 | 0xdb => pos += 4 + be(buf, pos, 4),
            0xc7 => pos += 2 + be(buf, pos, 1),
            0xc8 => pos += 3 + be(buf, pos, 2),
            0xc9 => pos += 5 + be(buf, pos, 4),
            0xca | 0xce | 0xd2 => pos += 4,
            0xcb | 0xcf | 0xd3 => pos += 8,
            0xcc | 0xd0 => pos += 1,
            0xcd | 0xd1 => pos += 2,
            0xd4 => pos += 2,
            0xd5 => pos += 3,
            0xd6 => pos += 5,
            0xd7 => pos += 9,
            0xd8 => pos += 17,
            0xdc => {
                pending += be(buf, pos, 2);
                pos += 2;
            }
            0xdd => {
                pending += be(buf, pos, 4);
                pos += 4;
            }
            0xde => {
                pending += 2 * be(buf, pos, 2);
                pos += 2;
            }
            0xdf => {
                pending += 2 * be(buf, pos, 4);
                pos += 4;
            }
            0xc1 => panic!("never-used code"),
        }
    }
    pos
}
