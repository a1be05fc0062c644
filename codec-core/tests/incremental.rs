//! Every incremental entry point of the core costs work linear in its input, however the input
//! is split: 32 KiB fed one byte at a time examines no more than the same bytes fed whole (the
//! work is counted in bytes examined, not timed).

use signalr_codec_core::frame::{Framer, LengthPrefixFramer, RecordFramer, Status};
use signalr_codec_core::handshake::HandshakeReader;
use signalr_codec_core::limits::DEFAULT_MAX_MESSAGE_SIZE;
use signalr_codec_core::varint;
use signalr_codec_core::Limits;

/// A JSON object of exactly `size` bytes with the separator, `{…,"pad":"xxx…"}␞`.
fn padded(head: &str, size: usize) -> Vec<u8> {
    let fixed = head.len() + r#","pad":""}"#.len() + 1;
    let mut wire = format!("{head},\"pad\":\"{}\"}}", "x".repeat(size - fixed)).into_bytes();
    wire.push(0x1E);
    assert_eq!(wire.len(), size);
    wire
}

/// Feeds `wire` one byte at a time to `call` (given the bytes received so far) until it
/// completes; returns the number of calls.
fn bytewise<T>(wire: &[u8], mut call: impl FnMut(&[u8]) -> Status<T>) -> usize {
    for n in 1..=wire.len() {
        if let Status::Complete(_) = call(&wire[..n]) {
            return n;
        }
    }
    panic!("never completed");
}

#[test]
fn a_32_kib_handshake_request_read_one_byte_at_a_time_costs_what_it_costs_whole() {
    let wire = padded(r#"{"protocol":"json","version":1"#, DEFAULT_MAX_MESSAGE_SIZE);
    let mut whole = HandshakeReader::new(Limits::default());
    let Status::Complete((request, consumed)) = whole.request(&wire).unwrap() else { panic!("partial") };
    assert_eq!((request.protocol.as_str(), consumed), ("json", wire.len()));

    let mut split = HandshakeReader::new(Limits::default());
    let calls = bytewise(&wire, |buf| split.request(buf).unwrap().map(drop));
    assert_eq!(calls, wire.len());
    // Each byte scanned once for the separator, the JSON parsed once: 2 × 32 KiB - 1, not the
    // 512 M byte reads of parsing again on every byte.
    assert_eq!(whole.bytes_examined(), 2 * wire.len() as u64 - 1);
    assert_eq!(split.bytes_examined(), whole.bytes_examined());
}

#[test]
fn a_32_kib_handshake_response_read_one_byte_at_a_time_costs_what_it_costs_whole() {
    let wire = padded(r#"{"error":"no""#, DEFAULT_MAX_MESSAGE_SIZE);
    let mut whole = HandshakeReader::new(Limits::default());
    assert!(!whole.response(&wire).unwrap().is_partial());
    let mut split = HandshakeReader::new(Limits::default());
    bytewise(&wire, |buf| split.response(buf).unwrap().map(drop));
    assert_eq!(split.bytes_examined(), whole.bytes_examined());
}

/// Frames `stream` through `frames()` as a read loop does: bytes appended one at a time, the
/// iterator run after each, consumed bytes dropped. Returns the bodies and the calls made.
fn frames_one_byte_at_a_time<F: Framer>(framer: &mut F, stream: &[u8]) -> (Vec<Vec<u8>>, usize) {
    let mut bodies = Vec::new();
    let mut buf = Vec::new();
    let mut calls = 0;
    for &byte in stream {
        buf.push(byte);
        calls += 1;
        let mut frames = framer.frames(&buf);
        for body in frames.by_ref() {
            bodies.push(body.unwrap().to_vec());
        }
        let consumed = frames.consumed();
        buf.drain(..consumed);
    }
    (bodies, calls)
}

#[test]
fn record_frames_of_32_kib_fed_one_byte_at_a_time_examine_each_byte_once() {
    let mut stream = padded(r#"{"type":1"#, DEFAULT_MAX_MESSAGE_SIZE);
    stream.extend_from_slice(b"{\"type\":6}\x1e{}\x1e");
    let mut whole = RecordFramer::default();
    let expected: Vec<Vec<u8>> = whole.frames(&stream).map(|b| b.unwrap().to_vec()).collect();
    let mut split = RecordFramer::default();
    let (bodies, _) = frames_one_byte_at_a_time(&mut split, &stream);
    assert_eq!(bodies, expected);
    assert_eq!(whole.bytes_examined(), stream.len() as u64);
    assert_eq!(split.bytes_examined(), whole.bytes_examined());
}

#[test]
fn length_prefixed_frames_of_32_kib_fed_one_byte_at_a_time_cost_a_prefix_read_per_call() {
    let body_len = DEFAULT_MAX_MESSAGE_SIZE - 3;
    let (prefix, n) = varint::prefix_for(body_len).unwrap();
    let mut stream = prefix[..n].to_vec();
    stream.extend(std::iter::repeat_n(0xC0, body_len));
    stream.extend_from_slice(&[0x02, 0x91, 0x06]);
    let mut whole = LengthPrefixFramer::default();
    let expected: Vec<Vec<u8>> = whole.frames(&stream).map(|b| b.unwrap().to_vec()).collect();
    let mut split = LengthPrefixFramer::default();
    let (bodies, calls) = frames_one_byte_at_a_time(&mut split, &stream);
    assert_eq!(bodies, expected);
    // A body is never looked at by the framer: each call reads at most the prefix again.
    assert!(split.bytes_examined() <= (varint::MAX_LEN * calls) as u64, "{}", split.bytes_examined());
    assert!(whole.bytes_examined() <= 2 * varint::MAX_LEN as u64);
}
