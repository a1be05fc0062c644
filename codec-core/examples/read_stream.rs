//! Reads one direction of a SignalR connection the sans-IO way: the handshake, then every framed
//! hub message, from bytes arriving in arbitrary pieces.
//!
//! ```text
//! cargo run -p signalr-codec-core --example read_stream                 # a built-in JSON session
//! cargo run -p signalr-codec-core --example read_stream -- capture.bin  # a raw capture, either protocol
//! ```
//!
//! The protocol comes from the handshake; JSON frames are read with the core's JSON reader to
//! show their type, id and target (the `signalr-codec-json` / `-msgpack` crates parse them fully).

use std::process::ExitCode;

use signalr_codec_core::frame::{Framer, LengthPrefixFramer, RecordFramer, Status};
use signalr_codec_core::handshake::HandshakeRequest;
use signalr_codec_core::json::{JsonReader, TokenType};
use signalr_codec_core::{Error, Limits, MessageType};

const SAMPLE: &[u8] = b"{\"protocol\":\"json\",\"version\":2}\x1e\
{\"type\":1,\"invocationId\":\"0\",\"target\":\"SendMessage\",\"arguments\":[\"alice\",\"Hello \\u00e9\"]}\x1e\
{\"type\":4,\"invocationId\":\"1\",\"target\":\"Counter\",\"arguments\":[10,500]}\x1e\
{\"type\":6}\x1e\
{\"type\":5,\"invocationId\":\"1\"}\x1e\
{\"type\":8,\"sequenceId\":2}\x1e\
{\"type\":7}\x1e";

fn main() -> ExitCode {
    let input = match std::env::args_os().nth(1) {
        Some(path) => match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("cannot read {}: {e}", path.to_string_lossy());
                return ExitCode::FAILURE;
            }
        },
        None => SAMPLE.to_vec(),
    };
    match run(&input) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(input: &[u8]) -> Result<(), Error> {
    let limits = Limits::default();
    // The transport hands us 7 bytes at a time: nothing below depends on how input is chunked.
    let mut chunks = input.chunks(7);
    let mut buf = Vec::new();
    let mut offset = 0;

    let protocol = loop {
        let Some(chunk) = chunks.next() else {
            println!("stream ended before a complete handshake ({} bytes buffered)", buf.len());
            return Ok(());
        };
        buf.extend_from_slice(chunk);
        if let Status::Complete((request, consumed)) = HandshakeRequest::parse(&buf, &limits)? {
            println!(
                "{offset:>6}  handshake  protocol={} version={} ({consumed} bytes)",
                request.protocol, request.version
            );
            let protocol = request.protocol.to_string();
            buf.drain(..consumed);
            offset += consumed;
            break protocol;
        }
    };

    let mut framer: Box<dyn Framer> = match protocol.as_str() {
        "messagepack" => Box::new(LengthPrefixFramer::new(limits)),
        _ => Box::new(RecordFramer::new(limits)),
    };
    loop {
        while let Status::Complete(frame) = framer.next_frame(&buf).map_err(|e| e.shifted(offset))? {
            let body = &buf[frame.body.clone()];
            println!("{offset:>6}  {:>5} B    {}", frame.consumed, describe(&protocol, body));
            buf.drain(..frame.consumed);
            offset += frame.consumed;
        }
        let Some(chunk) = chunks.next() else { break };
        buf.extend_from_slice(chunk);
    }
    if !buf.is_empty() {
        println!("{offset:>6}  {} trailing bytes of an incomplete message", buf.len());
    }
    Ok(())
}

/// A one-line summary of a frame body.
fn describe(protocol: &str, body: &[u8]) -> String {
    if protocol == "messagepack" {
        // Type id: the first element of the body's array (a positive fixint in practice).
        return match body {
            [0x90..=0x9F, t @ 0..=0x7F, ..] => type_name(i64::from(*t)),
            _ => format!("{} bytes of MessagePack", body.len()),
        };
    }
    match json_summary(body) {
        Ok(summary) => summary,
        Err(e) => format!("invalid: {e}"),
    }
}

fn json_summary(body: &[u8]) -> Result<String, Error> {
    let mut reader = JsonReader::new(body, 64);
    let mut object = reader.begin_object()?;
    let (mut kind, mut id, mut target, mut arguments) = (None, None, None, None);
    while let Some(name) = reader.next_property(&mut object)? {
        match name.raw() {
            "type" if reader.peek() == TokenType::Number => kind = Some(reader.read_i64()?),
            "invocationId" if reader.peek() == TokenType::String => {
                id = Some(reader.read_string()?.to_text()?.into_owned())
            }
            "target" if reader.peek() == TokenType::String => {
                target = Some(reader.read_string()?.to_text()?.into_owned())
            }
            "arguments" => arguments = Some(reader.raw_value()?.to_owned()),
            _ => reader.skip_value()?,
        }
    }
    let mut line = kind.map_or_else(|| "no type".to_owned(), type_name);
    if let Some(id) = id {
        line += &format!(" id={id}");
    }
    if let Some(target) = target {
        line += &format!(" target={target}");
    }
    if let Some(arguments) = arguments {
        line += &format!(" arguments={arguments}");
    }
    Ok(line)
}

fn type_name(id: i64) -> String {
    match MessageType::from_id(id) {
        Some(t) => format!("{t:?}"),
        None => format!("unknown type {id} (skipped)"),
    }
}
