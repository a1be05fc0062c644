//! Every comparison the README reports: this codec's body next to the body it is measured
//! against, on the same bytes. The paired timer (`examples/paired.rs`) and the instruction
//! counter (`examples/instructions.rs`) both run these, so both measure the same work.

use crate::floor::{json_ignored_any, msgpack_skip};
use crate::typed::{
    decode_and_bind, encode_ours, encode_rmp_serde, encode_serde_json, rmp_serde_whole, serde_json_whole, typed, Item,
    Order, Shape, Summary,
};
use crate::{all, decode_all, Payload};
use serde_bytes::Bytes;
use signalr_codec_core::{HubDecoder, HubMessage, HubProtocol, Limits};
use signalr_codec_json::JsonHubProtocol;
use signalr_codec_msgpack::MessagePackHubProtocol;
use std::hint::black_box;

/// A benchmark body: runs once over its payload, returns the messages it handled.
pub type Body = crate::alternate::Body<'static>;

/// What is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// Decoding (framing, parsing, validating, borrowing) against the floor.
    Decode,
    /// Decoding and binding to typed values against serde deserializing the whole message.
    Bind,
    /// Writing typed values against serde serializing the whole message.
    Encode,
}

impl Table {
    /// The name used in ids and reports.
    pub fn name(self) -> &'static str {
        match self {
            Table::Decode => "decode",
            Table::Bind => "bind",
            Table::Encode => "encode",
        }
    }
}

/// One comparison: ours against theirs, on one payload in one protocol.
pub struct Comparison {
    /// What is compared.
    pub table: Table,
    /// The payload's name.
    pub payload: String,
    /// `json` or `msgpack`.
    pub protocol: &'static str,
    /// What `theirs` is.
    pub against: &'static str,
    /// Messages per run of either body.
    pub messages: usize,
    /// Bytes of the payload in this protocol.
    pub bytes: usize,
    /// This codec.
    pub ours: Body,
    /// What it is measured against.
    pub theirs: Body,
}

impl Comparison {
    /// `table/protocol/payload`.
    pub fn id(&self) -> String {
        format!("{}/{}/{}", self.table.name(), self.protocol, self.payload)
    }
}

fn limits() -> Limits {
    Limits::default().with_max_message_size(None)
}

fn json() -> JsonHubProtocol {
    JsonHubProtocol::with_limits(limits())
}

fn msgpack() -> MessagePackHubProtocol {
    MessagePackHubProtocol::with_limits(limits())
}

/// The bodies borrow their payload for the life of the program.
fn leak(p: Payload) -> &'static Payload {
    Box::leak(Box::new(p))
}

fn decode(p: &'static Payload, out: &mut Vec<Comparison>) {
    let mut decoder = HubDecoder::new(json());
    out.push(Comparison {
        table: Table::Decode,
        payload: p.name.clone(),
        protocol: "json",
        against: "serde_json → IgnoredAny, records split by memchr",
        messages: p.count,
        bytes: p.json.len(),
        ours: Box::new(move || decode_all(&mut decoder, black_box(&p.json))),
        theirs: Box::new(move || json_ignored_any(black_box(&p.json))),
    });
    let mut decoder = HubDecoder::new(msgpack());
    out.push(Comparison {
        table: Table::Decode,
        payload: p.name.clone(),
        protocol: "msgpack",
        against: "skip walk",
        messages: p.count,
        bytes: p.msgpack.len(),
        ours: Box::new(move || decode_all(&mut decoder, black_box(&p.msgpack))),
        theirs: Box::new(move || msgpack_skip(black_box(&p.msgpack))),
    });
}

/// Bind and encode comparisons for a payload whose values are `J` in JSON and `M` in
/// MessagePack (.NET writes some types differently in each: `byte[]`, `char`).
fn typed_pair<J, M>(p: &'static Payload, shape: Shape, out: &mut Vec<Comparison>)
where
    J: serde::Deserialize<'static> + serde::Serialize + 'static,
    M: serde::Deserialize<'static> + serde::Serialize + 'static,
{
    let mut decoder = HubDecoder::new(json());
    out.push(Comparison {
        table: Table::Bind,
        payload: p.name.clone(),
        protocol: "json",
        against: "serde_json → derived whole message",
        messages: p.count,
        bytes: p.json.len(),
        ours: Box::new(move || decode_and_bind::<_, J>(&mut decoder, black_box(&p.json), shape)),
        theirs: Box::new(move || serde_json_whole::<J>(black_box(&p.json), shape)),
    });
    let mut decoder = HubDecoder::new(msgpack());
    out.push(Comparison {
        table: Table::Bind,
        payload: p.name.clone(),
        protocol: "msgpack",
        against: "rmp-serde → derived whole message",
        messages: p.count,
        bytes: p.msgpack.len(),
        ours: Box::new(move || decode_and_bind::<_, M>(&mut decoder, black_box(&p.msgpack), shape)),
        theirs: Box::new(move || rmp_serde_whole::<M>(black_box(&p.msgpack), shape)),
    });

    let values: &'static _ = Box::leak(Box::new(typed::<_, J>(json(), &p.json, shape)));
    let (mut a, mut b) = (Vec::with_capacity(2 * p.json.len()), Vec::with_capacity(2 * p.json.len()));
    let protocol = json();
    // Both write the same bytes: the comparison is of equal output.
    encode_ours(&protocol, values, shape, &mut a);
    encode_serde_json(values, shape, &mut b);
    assert!(same_json(&a, &b), "{}: serde_json writes other JSON than this codec", p.name);
    out.push(Comparison {
        table: Table::Encode,
        payload: p.name.clone(),
        protocol: "json",
        against: "serde_json::to_writer of the derived whole message",
        messages: p.count,
        bytes: p.json.len(),
        ours: Box::new(move || encode_ours(&protocol, black_box(values), shape, &mut a)),
        theirs: Box::new(move || encode_serde_json(black_box(values), shape, &mut b)),
    });

    let values: &'static _ = Box::leak(Box::new(typed::<_, M>(msgpack(), &p.msgpack, shape)));
    let (mut a, mut b) = (Vec::with_capacity(2 * p.msgpack.len()), Vec::with_capacity(2 * p.msgpack.len()));
    let mut scratch = Vec::with_capacity(2 * p.msgpack.len());
    let protocol = msgpack();
    encode_ours(&protocol, values, shape, &mut a);
    encode_rmp_serde(values, shape, &mut scratch, &mut b);
    assert_eq!(a, b, "{}: rmp-serde writes other MessagePack than this codec", p.name);
    out.push(Comparison {
        table: Table::Encode,
        payload: p.name.clone(),
        protocol: "msgpack",
        against: "rmp_serde::encode::write_named of the derived whole message",
        messages: p.count,
        bytes: p.msgpack.len(),
        ours: Box::new(move || encode_ours(&protocol, black_box(values), shape, &mut a)),
        theirs: Box::new(move || encode_rmp_serde(black_box(values), shape, &mut scratch, &mut b)),
    });
}

/// Both buffers hold the same records, numbers compared by value: this codec writes a float
/// with no fraction as .NET does (`2`), serde_json as Rust does (`2.0`).
fn same_json(a: &[u8], b: &[u8]) -> bool {
    fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
        use serde_json::Value::{Array, Number, Object};
        match (a, b) {
            (Number(x), Number(y)) => x.as_f64() == y.as_f64(),
            (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
            (Object(x), Object(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|((k, x), (l, y))| k == l && same(x, y))
            }
            _ => a == b,
        }
    }
    let records = |buf: &[u8]| -> Vec<serde_json::Value> {
        buf.split(|&b| b == 0x1E).filter(|r| !r.is_empty()).map(|r| serde_json::from_slice(r).expect("JSON")).collect()
    };
    let (a, b) = (records(a), records(b));
    a.len() == b.len() && a.iter().zip(&b).all(|(a, b)| same(a, b))
}

/// Pings, written: this codec's `HubMessage::ping()` against serde writing `{"type":6}` / `[6]`.
fn ping(p: &'static Payload, out: &mut Vec<Comparison>) {
    #[derive(serde::Serialize)]
    struct JsonPing {
        #[serde(rename = "type")]
        kind: u8,
    }
    #[derive(serde::Serialize)]
    struct MsgpackPing(u8);
    let protocol = json();
    let (mut a, mut b) = (Vec::with_capacity(64), Vec::with_capacity(64));
    out.push(Comparison {
        table: Table::Encode,
        payload: p.name.clone(),
        protocol: "json",
        against: "serde_json::to_writer of the derived whole message",
        messages: 1,
        bytes: p.json.len(),
        ours: Box::new(move || {
            a.clear();
            protocol.write(black_box(&HubMessage::ping()), &mut a).expect("writes");
            black_box(&a);
            1
        }),
        theirs: Box::new(move || {
            b.clear();
            serde_json::to_writer(&mut b, black_box(&JsonPing { kind: 6 })).expect("writes");
            b.push(0x1E);
            black_box(&b);
            1
        }),
    });
    let protocol = msgpack();
    let (mut a, mut b, mut scratch) = (Vec::with_capacity(64), Vec::with_capacity(64), Vec::with_capacity(64));
    out.push(Comparison {
        table: Table::Encode,
        payload: p.name.clone(),
        protocol: "msgpack",
        against: "rmp_serde::encode::write_named of the derived whole message",
        messages: 1,
        bytes: p.msgpack.len(),
        ours: Box::new(move || {
            a.clear();
            protocol.write(black_box(&HubMessage::ping()), &mut a).expect("writes");
            black_box(&a);
            1
        }),
        theirs: Box::new(move || {
            b.clear();
            scratch.clear();
            rmp_serde::encode::write(&mut scratch, black_box(&MsgpackPing(6))).expect("writes");
            b.push(scratch.len() as u8);
            b.extend_from_slice(&scratch);
            black_box(&b);
            1
        }),
    });
}

/// Every comparison, for the payloads named (all when `names` is empty).
pub fn comparisons(names: &[String]) -> Vec<Comparison> {
    let mut out = Vec::new();
    for p in all().into_iter().filter(|p| names.is_empty() || names.contains(&p.name)) {
        let p = leak(p);
        decode(p, &mut out);
        use Shape::{Completion, Invocation};
        match p.name.as_str() {
            "small_invocation" | "batch_1000_small" => {
                typed_pair::<(&str, &str), (&str, &str)>(p, Invocation, &mut out)
            }
            "medium_invocation" => typed_pair::<(Order,), (Order,)>(p, Invocation, &mut out),
            "large_invocation" => typed_pair::<(&str, Vec<Item>), (&str, Vec<Item>)>(p, Invocation, &mut out),
            "completion" => typed_pair::<Summary, Summary>(p, Completion, &mut out),
            "ping" => ping(p, &mut out),
            // serde reads `()` from a unit, not from `[]`: a derived struct takes `[u8; 0]`.
            "no_arguments" => typed_pair::<[u8; 0], [u8; 0]>(p, Invocation, &mut out),
            "few_arguments" => typed_pair::<(i32, &str, f32), (i32, &str, f32)>(p, Invocation, &mut out),
            // .NET writes byte[] as base64 in JSON and bin in MessagePack, char as a string in
            // JSON and a number in MessagePack.
            "many_arguments" => typed_pair::<
                (i32, &str, f32, bool, i32, &str, &str, i64),
                (i32, &str, f32, bool, i32, &Bytes, u16, i64),
            >(p, Invocation, &mut out),
            "large_arguments" => typed_pair::<(&str, &str), (&str, &Bytes)>(p, Invocation, &mut out),
            other => panic!("no typed model for payload {other}"),
        }
    }
    out
}
