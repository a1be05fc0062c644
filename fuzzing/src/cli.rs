//! The fuzzing entry points of the command's library: `cross_protocol` (the same structured
//! message written as JSON and as MessagePack parses to the same message, in the neutral form)
//! and `cli` (every subcommand on hostile input, with the round-trip oracle for what `convert`
//! and `encode` write).

use arbitrary::{Arbitrary, Unstructured};
use serde_json::{json, Value};
use signalr_codec_core::Limits;
use signalr_codec_json::JsonHubProtocol;
use signalr_codec_msgpack::MessagePackHubProtocol;

use signalr_codec_cli::codec::{self, AnyStreamDecoder, Event, Item};
use signalr_codec_cli::protocol::ProtocolName;
use signalr_codec_cli::{convert, decode, doctor, encode, frames, handshake, input, inspect, rfc3339};

use crate::structured::{write_checked, FuzzMessage};

/// Integral floats as integers: JSON has one number type (and .NET writes an integral double
/// such as `2.0` as `2`).
fn normalized(v: &Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.2e18 => json!(f as i64),
            _ => v.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), normalized(v))).collect()),
        other => other.clone(),
    }
}

fn read_back(protocol: ProtocolName, bytes: &[u8]) -> Value {
    let decoded = codec::decode(protocol, Limits::unlimited(), bytes, true);
    assert_eq!(decoded.error, None, "{protocol} cannot read what it wrote");
    match decoded.items.as_slice() {
        [(_, Item::Message(m))] => normalized(m),
        other => panic!("{protocol} read {other:?}"),
    }
}

/// Writes one structured message in both protocols and checks they read back the same.
pub fn cross_protocol(data: &[u8]) {
    let Ok(message) = FuzzMessage::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let message = message.sanitized();
    let (mut h1, mut s1, mut h2, mut s2) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let json_model = message.to_message(&mut h1, &mut s1, signalr_codec_json::Serialized);
    let msgpack_model = message.to_message(&mut h2, &mut s2, signalr_codec_msgpack::Serialized);
    let json_bytes = write_checked(&JsonHubProtocol::with_limits(Limits::unlimited()), &json_model);
    let msgpack_bytes = write_checked(&MessagePackHubProtocol::with_limits(Limits::unlimited()), &msgpack_model);
    let from_json = read_back(ProtocolName::Json, &json_bytes);
    let from_msgpack = read_back(ProtocolName::Messagepack, &msgpack_bytes);
    assert_eq!(from_json, from_msgpack, "the protocols disagree on {message:?}");
}

/// Chunk sizes the `cli` target feeds a stream in (the last: whole).
const CHUNKS: [usize; 8] = [1, 2, 3, 7, 16, 64, 1024, usize::MAX];

/// The events of `input` pushed `chunk` bytes at a time; checks the decoder never holds more
/// than one message under the limit plus one piece.
fn events_in_chunks(protocol: ProtocolName, limits: Limits, input: &[u8], chunk: usize) -> Vec<Event> {
    let mut decoder = AnyStreamDecoder::new(protocol, limits);
    let mut events = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        decoder.push(piece, &mut events);
        if let Some(limit) = limits.max_message_size {
            assert!(decoder.buffered() <= limit + piece.len(), "{} bytes held", decoder.buffered());
        }
    }
    decoder.finish(&mut events);
    events
}

/// What `protocol` writes for a neutral message (handshake bytes as they are).
fn rewritten(protocol: ProtocolName, events: &[Event]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for event in events {
        match event {
            Event::Handshake(_, raw) => bytes.extend_from_slice(raw),
            Event::Item(_, Item::Message(m)) => codec::encode(protocol, m, &mut bytes)
                .unwrap_or_else(|e| panic!("{m} decoded but does not encode: {e}")),
            Event::Item(_, Item::Skipped { .. }) => panic!("the writer wrote an unknown type"),
            Event::Error(e) => panic!("{protocol} cannot decode what the command wrote: {e}"),
        }
    }
    bytes
}

/// The round-trip oracle: `written` (what `convert` or `encode` wrote in `protocol`) decodes
/// without error, and writing what it decodes to gives `written` again, byte for byte — the
/// messages read back are the ones written.
fn check_written(protocol: ProtocolName, written: &[u8]) {
    let events = events_in_chunks(protocol, Limits::unlimited(), written, usize::MAX);
    assert_eq!(rewritten(protocol, &events), written, "{protocol}: written → decoded → written differs");
}

/// A reader giving at most `chunk` bytes per read, as a pipe gives what was written so far.
struct Pieces<'a> {
    data: &'a [u8],
    chunk: usize,
}

impl std::io::Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.data.len().min(self.chunk).min(buf.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// The command's library on hostile input. The first byte picks the operation (its low 3
/// bits), the protocol (bit 3), the target of `convert` (bit 4: the other protocol) and a chunk
/// size (bits 5–7); the rest is the input. Operations:
///
/// - `decode`: the stream pushed in chunks gives the same lines as pushed whole, and the
///   decoder holds no more than the size limit plus one piece;
/// - `frames` and `inspect`: the stream pushed in chunks gives the same lines as the whole
///   buffer (`frames` holding no more than the size limit plus one piece);
/// - `decode --hex-lines`: the hex lines read from a reader that gives `chunk` bytes at a time
///   are the lines of the whole input, and decoding them never panics;
/// - `handshake --parse`: reading only the handshake's record, `chunk` bytes at a time, gives
///   what the whole input gives;
/// - `convert`: the same whole and in chunks; what it wrote decodes, and re-writing what it
///   decodes to gives the same bytes (it wrote what it read);
/// - `encode`: each line it writes decodes to one message that writes back to the same bytes;
/// - the RFC 3339 reader: never panics; what it reads formats and reads back the same;
/// - `doctor` (the same case): never panics on the input as a HAR or raw capture, nor do its
///   text, JSON and HTML reports.
pub fn cli(data: &[u8]) {
    let Some((&control, input)) = data.split_first() else { return };
    let protocol = if control & 0x08 == 0 { ProtocolName::Json } else { ProtocolName::Messagepack };
    let other = match protocol {
        ProtocolName::Json => ProtocolName::Messagepack,
        ProtocolName::Messagepack => ProtocolName::Json,
    };
    let chunk = CHUNKS[usize::from(control >> 5)];
    let limits = Limits::default();
    match control & 0x07 {
        0 => {
            let (whole, ok) = decode::stream(protocol, limits, input);
            let mut stream = decode::Stream::new(protocol, limits);
            let mut lines = Vec::new();
            for piece in input.chunks(chunk) {
                lines.extend(stream.push(piece));
            }
            lines.extend(stream.finish());
            assert_eq!(lines, whole, "decode in chunks of {chunk}");
            assert_eq!(stream.ok(), ok);
            events_in_chunks(protocol, limits, input, chunk);
        }
        1 => {
            frames::frame_buffer(protocol, limits, input);
            let lines_in = |chunk: usize| {
                let mut stream = frames::Stream::new(protocol, limits);
                let mut lines = Vec::new();
                for piece in input.chunks(chunk) {
                    lines.extend(stream.push(piece));
                    let limit = limits.max_message_size.unwrap_or(usize::MAX);
                    assert!(stream.buffered() <= limit.saturating_add(piece.len()), "{} bytes held", stream.buffered());
                }
                lines.extend(stream.finish());
                (lines, stream.ok())
            };
            assert_eq!(lines_in(chunk), lines_in(usize::MAX), "frames in chunks of {chunk}");
        }
        2 => {
            let forced = (control & 0x10 != 0).then_some(protocol);
            let limit = Some(usize::from(control));
            let whole = inspect::listing(forced, limit, input);
            let mut stream = inspect::Stream::new(forced, limit);
            let mut listing = String::new();
            for piece in input.chunks(chunk) {
                listing.push_str(&stream.push(piece));
            }
            listing.push_str(&stream.finish());
            assert_eq!(listing, whole, "inspect in chunks of {chunk}");
        }
        3 => {
            let to = if control & 0x10 == 0 { protocol } else { other };
            let whole = convert::stream(protocol, to, limits, input);
            let mut converter = convert::Stream::new(protocol, to, limits);
            let mut bytes = Vec::new();
            for piece in input.chunks(chunk) {
                bytes.extend(converter.push(piece).bytes);
            }
            bytes.extend(converter.finish().bytes);
            assert_eq!(bytes, whole.bytes, "convert in chunks of {chunk}");
            assert_eq!(converter.ok(), whole.ok);
            check_written(to, &whole.bytes);
        }
        4 => {
            let text = String::from_utf8_lossy(input);
            for (n, line) in text.lines().enumerate() {
                match encode::line(protocol, n + 1, line) {
                    Ok(Some(bytes)) => {
                        check_written(protocol, &bytes);
                        let events = events_in_chunks(protocol, Limits::unlimited(), &bytes, usize::MAX);
                        assert!(matches!(events.as_slice(), [Event::Item(0, Item::Message(_))]), "{events:?}");
                    }
                    Ok(None) => {}
                    Err(_) => break,
                }
            }
        }
        5 => {
            let text = String::from_utf8_lossy(input);
            if let Some((seconds, nanos)) = rfc3339::parse(&text) {
                assert!(nanos < 1_000_000_000, "{text}");
                assert_eq!(rfc3339::parse(&rfc3339::format(seconds, nanos)), Some((seconds, nanos)));
            }
            if let Ok(report) = doctor::diagnose(input, &doctor::Options::default()) {
                let _ = (report.text(), report.json(), report.html());
            }
        }
        6 => {
            decode::buffer(protocol, limits, input);
            let mut lines = Vec::new();
            input::for_each_hex_line(&mut Pieces { data: input, chunk }, |line| {
                lines.push(line);
                Ok(())
            })
            .expect("reading from memory does not fail");
            assert_eq!(lines, input::hex_lines(input), "hex lines read {chunk} bytes at a time");
            for bytes in lines.iter().flatten() {
                decode::buffer(protocol, limits, bytes);
            }
        }
        _ => {
            let side = if control & 0x10 == 0 { handshake::Side::Request } else { handshake::Side::Response };
            let whole = handshake::parse(side, &limits, input);
            let streamed = handshake::parse_stream(side, &limits, &mut Pieces { data: input, chunk })
                .expect("reading from memory does not fail");
            assert_eq!(streamed, whole, "handshake read {chunk} bytes at a time");
        }
    }
}
