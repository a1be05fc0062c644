//! Benchmark inputs: the canonical payloads of `data/payloads.json` (written by the official
//! JavaScript client) and the four argument shapes of the .NET `HubProtocolBenchmark`, each as
//! one JSON buffer and one MessagePack buffer; and the floors the codec is measured against.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod alternate;
pub mod comparison;
pub mod connection;
pub mod floor;
pub mod typed;

use serde::Serialize;
use signalr_codec_core::{HubDecoder, HubMessage, HubProtocol, Invocation};
use signalr_codec_json::JsonHubProtocol;
use signalr_codec_msgpack::MessagePackHubProtocol;

/// One benchmark input: the same messages framed in both protocols.
#[derive(Debug, Clone)]
pub struct Payload {
    /// Name used in the benchmark ids.
    pub name: String,
    /// Messages in the buffers.
    pub count: usize,
    /// The JSON buffer (records ended by 0x1E).
    pub json: Vec<u8>,
    /// The MessagePack buffer (VarInt-prefixed bodies).
    pub msgpack: Vec<u8>,
}

const PAYLOADS: &str = include_str!("../data/payloads.json");

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex")).collect()
}

/// The canonical payloads, byte for byte as the official client wrote them.
pub fn canonical() -> Vec<Payload> {
    let file: serde_json::Value = serde_json::from_str(PAYLOADS).expect("payloads.json is JSON");
    file["payloads"]
        .as_array()
        .expect("a payload list")
        .iter()
        .map(|p| Payload {
            name: p["name"].as_str().expect("a name").to_owned(),
            count: p["count"].as_u64().expect("a count") as usize,
            json: hex(p["json"]["hex"].as_str().expect("json hex")),
            msgpack: hex(p["msgpack"]["hex"].as_str().expect("msgpack hex")),
        })
        .collect()
}

/// .NET sends `char` as a 16-bit number in MessagePack and a one-character string in JSON.
#[derive(Serialize)]
#[serde(untagged)]
enum Arg<'a> {
    Int(i64),
    Float(f32),
    Bool(bool),
    Str(&'a str),
    Bytes(#[serde(with = "serde_bytes")] &'a [u8]),
}

/// The four argument shapes of .NET's `HubProtocolBenchmark` (an Invocation of "Target"), as
/// this codec writes them from typed values.
pub fn dotnet_shapes() -> Vec<Payload> {
    let large_string = "F".repeat(10240);
    let large_bytes = vec![0u8; 10240];
    // .NET writes byte[] as base64 in JSON: 10240 zero bytes are 3413 groups of "AAAA" and "AA==".
    let large_base64 = format!("{}AA==", "AAAA".repeat(3413));
    let shapes: Vec<(&str, Vec<Arg<'_>>, Vec<Arg<'_>>)> = vec![
        ("no_arguments", vec![], vec![]),
        (
            "few_arguments",
            vec![Arg::Int(1), Arg::Str("Foo"), Arg::Float(2.0)],
            vec![Arg::Int(1), Arg::Str("Foo"), Arg::Float(2.0)],
        ),
        (
            "many_arguments",
            // JSON: byte[] as base64, char as a string.
            vec![
                Arg::Int(1),
                Arg::Str("string"),
                Arg::Float(2.0),
                Arg::Bool(true),
                Arg::Int(9),
                Arg::Str("BQQDAgE="),
                Arg::Str("c"),
                Arg::Int(123_456_789_101_112),
            ],
            vec![
                Arg::Int(1),
                Arg::Str("string"),
                Arg::Float(2.0),
                Arg::Bool(true),
                Arg::Int(9),
                Arg::Bytes(&[5, 4, 3, 2, 1]),
                Arg::Int(i64::from(b'c')),
                Arg::Int(123_456_789_101_112),
            ],
        ),
        (
            "large_arguments",
            vec![Arg::Str(&large_string), Arg::Str(&large_base64)],
            vec![Arg::Str(&large_string), Arg::Bytes(&large_bytes)],
        ),
    ];
    shapes
        .into_iter()
        .map(|(name, json_args, msgpack_args)| {
            let json = JsonHubProtocol::new()
                .to_vec(&HubMessage::Invocation(Invocation::new("Target", signalr_codec_json::Serialized(&json_args))))
                .expect("writes");
            let msgpack = MessagePackHubProtocol::new()
                .to_vec(&HubMessage::Invocation(Invocation::new(
                    "Target",
                    signalr_codec_msgpack::Serialized(&msgpack_args),
                )))
                .expect("writes");
            Payload { name: name.to_owned(), count: 1, json, msgpack }
        })
        .collect()
}

/// Every benchmark input: the canonical payloads, then the .NET shapes.
pub fn all() -> Vec<Payload> {
    let mut all = canonical();
    all.extend(dotnet_shapes());
    all
}

/// Parses every message of a buffer with `decoder`, touching each one; returns how many there
/// were.
///
/// The decoder is the caller's, as a connection keeps one for its whole life: what is timed is
/// decoding the buffer, not setting up a decoder for it. Each message is looked at where the
/// iterator put it, as a handler matching on it would: moving ~150 bytes out of the `Option`
/// into a local of its own is a copy the caller chooses to make, not decoding work.
pub fn decode_all<P: HubProtocol>(decoder: &mut HubDecoder<P>, buf: &[u8]) -> usize {
    let mut count = 0;
    let mut messages = decoder.messages(buf);
    while let Some(parsed) = &messages.next() {
        let message = parsed.as_ref().expect("benchmark inputs are valid");
        std::hint::black_box(message);
        count += 1;
    }
    count
}
