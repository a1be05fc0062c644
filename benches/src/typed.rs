//! Typed messages, the way a Rust user consumes and produces them: the argument types of each
//! benchmark payload, and what a user would otherwise write — serde_json or rmp-serde reading
//! (and writing) the whole message as a `#[derive]`d struct.
//!
//! Each payload's types borrow strings from the input where serde can (`&str`), on both sides
//! alike, so both sides do the same work for the caller: the same values, in the same types.

use serde::{Deserialize, Serialize};
use signalr_codec_core::varint;
use signalr_codec_core::{
    Bind, Completion, Encode, HubDecoder, HubMessage, HubProtocol, Invocation, Parsed, Serialized, Status, Text,
};
use std::collections::BTreeMap;
use std::hint::black_box;

/// One item of the medium and large canonical payloads' catalogs.
#[derive(Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Item<'a> {
    id: u64,
    sku: &'a str,
    name: &'a str,
    price: f64,
    quantity: u32,
    active: bool,
    #[serde(borrow)]
    tags: Vec<&'a str>,
    description: &'a str,
}

/// The customer of medium_invocation's order.
#[derive(Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Customer<'a> {
    id: u64,
    name: &'a str,
    email: &'a str,
    vip: bool,
}

/// medium_invocation's one argument.
#[derive(Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Order<'a> {
    order_id: &'a str,
    #[serde(borrow)]
    customer: Customer<'a>,
    created_at: &'a str,
    status: &'a str,
    #[serde(borrow)]
    items: Vec<Item<'a>>,
    total: f64,
    notes: &'a str,
}

/// completion's result.
#[derive(Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Summary<'a> {
    ok: bool,
    count: u32,
    id: &'a str,
    items: Vec<u32>,
}

/// A whole JSON Invocation as a user would derive it for serde_json.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonInvocation<'a, A> {
    #[serde(rename = "type")]
    kind: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    headers: Option<BTreeMap<&'a str, &'a str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    invocation_id: Option<&'a str>,
    target: &'a str,
    arguments: A,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stream_ids: Option<Vec<&'a str>>,
}

/// A whole JSON Completion with a result, derived for serde_json.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonCompletion<'a, R> {
    #[serde(rename = "type")]
    kind: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    headers: Option<BTreeMap<&'a str, &'a str>>,
    invocation_id: &'a str,
    result: R,
}

/// A whole MessagePack Invocation (`[1, headers, invocationId, target, arguments, streamIds]`;
/// the JS client leaves out empty stream ids, .NET writes them), derived for rmp-serde.
#[derive(Deserialize, Serialize)]
pub struct MsgpackInvocation<'a, A>(
    u8,
    #[serde(borrow)] BTreeMap<&'a str, &'a str>,
    Option<&'a str>,
    &'a str,
    A,
    #[serde(default)] Vec<&'a str>,
);

/// A whole MessagePack Completion with a result (`[3, headers, invocationId, 3, result]`),
/// derived for rmp-serde.
#[derive(Deserialize, Serialize)]
pub struct MsgpackCompletion<'a, R>(u8, #[serde(borrow)] BTreeMap<&'a str, &'a str>, &'a str, u8, R);

/// What a payload's messages carry, typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Invocations whose arguments bind to the payload's tuple.
    Invocation,
    /// A Completion whose result binds to the payload's type.
    Completion,
}

/// Decodes every message of `buf` and binds its arguments (or result) to `T`; returns how many
/// messages there were.
pub fn decode_and_bind<'b, P, T>(decoder: &mut HubDecoder<P>, buf: &'b [u8], shape: Shape) -> usize
where
    P: HubProtocol,
    P::Value<'b>: Bind<'b>,
    T: Deserialize<'b>,
{
    let mut count = 0;
    for parsed in decoder.messages(buf) {
        let Parsed::Message(message) = parsed.expect("benchmark inputs are valid") else { continue };
        let value: T = match (shape, message) {
            (Shape::Invocation, HubMessage::Invocation(invocation)) => invocation.arguments.bind(),
            (Shape::Completion, HubMessage::Completion(completion)) => {
                completion.outcome.result().expect("a result").deserialize()
            }
            _ => panic!("the payload's messages are all of its shape"),
        }
        .expect("binds");
        black_box(&value);
        count += 1;
    }
    count
}

/// serde_json reading each record (split with memchr) into the derived whole message.
pub fn serde_json_whole<'b, T: Deserialize<'b>>(buf: &'b [u8], shape: Shape) -> usize {
    let mut count = 0;
    let mut start = 0;
    for end in memchr::memchr_iter(0x1E, buf) {
        let record = &buf[start..end];
        match shape {
            Shape::Invocation => {
                black_box(serde_json::from_slice::<JsonInvocation<'b, T>>(record).expect("reads"));
            }
            Shape::Completion => {
                black_box(serde_json::from_slice::<JsonCompletion<'b, T>>(record).expect("reads"));
            }
        }
        start = end + 1;
        count += 1;
    }
    count
}

/// rmp-serde reading each length-prefixed body into the derived whole message.
pub fn rmp_serde_whole<'b, T: Deserialize<'b>>(buf: &'b [u8], shape: Shape) -> usize {
    let mut count = 0;
    let mut pos = 0;
    while pos < buf.len() {
        let Ok(Status::Complete((len, prefix))) = varint::decode(&buf[pos..]) else {
            panic!("benchmark inputs are framed")
        };
        let len = len as usize;
        let body = &buf[pos + prefix..pos + prefix + len];
        match shape {
            Shape::Invocation => {
                black_box(rmp_serde::from_slice::<MsgpackInvocation<'b, T>>(body).expect("reads"));
            }
            Shape::Completion => {
                black_box(rmp_serde::from_slice::<MsgpackCompletion<'b, T>>(body).expect("reads"));
            }
        }
        pos += prefix + len;
        count += 1;
    }
    count
}

/// One message of a payload, typed: what an application holds before it sends.
pub struct Typed<T> {
    /// The invocation id (or the completion's).
    pub invocation_id: Option<String>,
    /// The target (invocations).
    pub target: String,
    /// The arguments or the result.
    pub value: T,
}

/// The typed messages of a buffer (decoded and bound once, before timing).
pub fn typed<'b, P, T>(protocol: P, buf: &'b [u8], shape: Shape) -> Vec<Typed<T>>
where
    P: HubProtocol,
    P::Value<'b>: Bind<'b>,
    T: Deserialize<'b>,
{
    let mut decoder = HubDecoder::new(protocol);
    let mut out = Vec::new();
    for parsed in decoder.messages(buf) {
        let Parsed::Message(message) = parsed.expect("valid") else { continue };
        let text = |t: &str| t.to_owned();
        out.push(match (shape, message) {
            (Shape::Invocation, HubMessage::Invocation(i)) => Typed {
                invocation_id: i.invocation_id.as_deref().map(text),
                target: text(&i.target),
                value: i.arguments.bind().expect("binds"),
            },
            (Shape::Completion, HubMessage::Completion(c)) => Typed {
                invocation_id: Some(text(&c.invocation_id)),
                target: String::new(),
                value: c.outcome.result().expect("a result").deserialize().expect("binds"),
            },
            _ => panic!("the payload's messages are all of its shape"),
        });
    }
    out
}

/// Writes typed messages with this codec, from the serde values; returns how many.
pub fn encode_ours<P, T>(protocol: &P, messages: &[Typed<T>], shape: Shape, out: &mut Vec<u8>) -> usize
where
    P: HubProtocol,
    T: Serialize,
    for<'v> Serialized<&'v T>: Encode<P>,
{
    out.clear();
    for m in messages {
        let message = match shape {
            Shape::Invocation => {
                let mut invocation = Invocation::new(m.target.as_str(), Serialized(&m.value));
                invocation.invocation_id = m.invocation_id.as_deref().map(Text::from);
                HubMessage::Invocation(invocation)
            }
            Shape::Completion => HubMessage::Completion(Completion::result(
                m.invocation_id.as_deref().expect("an id"),
                Serialized(&m.value),
            )),
        };
        protocol.write(&message, out).expect("writes");
    }
    black_box(&out);
    messages.len()
}

/// serde_json writing each typed message as a derived whole message, then the record separator;
/// returns how many.
pub fn encode_serde_json<T: Serialize>(messages: &[Typed<T>], shape: Shape, out: &mut Vec<u8>) -> usize {
    out.clear();
    for m in messages {
        match shape {
            Shape::Invocation => serde_json::to_writer(
                &mut *out,
                &JsonInvocation {
                    kind: 1,
                    headers: None,
                    invocation_id: m.invocation_id.as_deref(),
                    target: &m.target,
                    arguments: &m.value,
                    stream_ids: None,
                },
            ),
            Shape::Completion => serde_json::to_writer(
                &mut *out,
                &JsonCompletion {
                    kind: 3,
                    headers: None,
                    invocation_id: m.invocation_id.as_deref().expect("an id"),
                    result: &m.value,
                },
            ),
        }
        .expect("writes");
        out.push(0x1E);
    }
    black_box(&out);
    messages.len()
}

/// rmp-serde writing each typed message as a derived whole message into a scratch buffer
/// (`write_named`: structs as maps keyed by field name, as .NET and the JS client write objects), then
/// its VarInt length and the body (the length is known only once the body is written).
pub fn encode_rmp_serde<T: Serialize>(
    messages: &[Typed<T>],
    shape: Shape,
    scratch: &mut Vec<u8>,
    out: &mut Vec<u8>,
) -> usize {
    out.clear();
    for m in messages {
        scratch.clear();
        match shape {
            Shape::Invocation => rmp_serde::encode::write_named(
                scratch,
                &MsgpackInvocation(1, BTreeMap::new(), m.invocation_id.as_deref(), &m.target, &m.value, Vec::new()),
            ),
            Shape::Completion => rmp_serde::encode::write_named(
                scratch,
                &MsgpackCompletion(3, BTreeMap::new(), m.invocation_id.as_deref().expect("an id"), 3, &m.value),
            ),
        }
        .expect("writes");
        let (prefix, n) = varint::prefix_for(scratch.len()).expect("a body under 2 GB");
        out.extend_from_slice(&prefix[..n]);
        out.extend_from_slice(scratch);
    }
    black_box(&out);
    messages.len()
}
