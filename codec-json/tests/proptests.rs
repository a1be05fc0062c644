//! Property tests: arbitrary message → write → parse → the same message; serde payloads bind
//! back to the same value; any chunking decodes the same; no input makes the parser panic.

mod common;

use proptest::prelude::*;
use serde_json::Value;
use signalr_codec_core::{
    CancelInvocation, Close, Completion, Headers, HubDecoder, HubMessage, HubProtocol, Invocation, Outcome, Parsed,
    Status, StreamIds, StreamInvocation, StreamItem,
};
use signalr_codec_json::negotiate::NegotiateResponse;
use signalr_codec_json::{JsonHubProtocol, RawJson, Serialized};

/// Any characters: control characters, quotes, backslashes, non-ASCII, emoji.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(any::<char>(), 0..8).prop_map(String::from_iter),
        "[a-zA-Z0-9 ]{0,12}",
        proptest::collection::vec(
            prop_oneof![Just('"'), Just('\\'), Just('\n'), Just('\u{1}'), Just('é'), Just('😀'), Just('\u{2028}')],
            0..6
        )
        .prop_map(String::from_iter),
    ]
}

fn non_empty() -> impl Strategy<Value = String> {
    text().prop_map(|s| format!("i{s}"))
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        any::<f32>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| Value::from(f64::from(f))),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    let leaf =
        prop_oneof![Just(Value::Null), any::<bool>().prop_map(Value::Bool), number(), text().prop_map(Value::String)];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((text(), inner), 0..4).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// An owned description of a message (messages borrow; this owns what they borrow).
#[derive(Debug, Clone)]
enum Spec {
    Invocation {
        headers: Vec<(String, String)>,
        id: Option<String>,
        target: String,
        args: Vec<Value>,
        streams: Vec<String>,
    },
    StreamInvocation {
        headers: Vec<(String, String)>,
        id: String,
        target: String,
        args: Vec<Value>,
        streams: Vec<String>,
    },
    StreamItem {
        headers: Vec<(String, String)>,
        id: String,
        item: Value,
    },
    Completion {
        headers: Vec<(String, String)>,
        id: String,
        outcome: (u8, Value, String),
    },
    Cancel {
        headers: Vec<(String, String)>,
        id: String,
    },
    Ping,
    Close {
        error: Option<String>,
        allow_reconnect: bool,
    },
    Ack(i64),
    Sequence(i64),
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec((text(), text()), 0..3)
}

fn spec() -> impl Strategy<Value = Spec> {
    let args = || proptest::collection::vec(value(), 0..4);
    let streams = || proptest::collection::vec(non_empty(), 0..3);
    prop_oneof![
        (headers(), proptest::option::of(text()), non_empty(), args(), streams())
            .prop_map(|(headers, id, target, args, streams)| Spec::Invocation { headers, id, target, args, streams }),
        (headers(), non_empty(), non_empty(), args(), streams()).prop_map(|(headers, id, target, args, streams)| {
            Spec::StreamInvocation { headers, id, target, args, streams }
        }),
        (headers(), non_empty(), value()).prop_map(|(headers, id, item)| Spec::StreamItem { headers, id, item }),
        (headers(), non_empty(), (0u8..3, value(), text())).prop_map(|(headers, id, outcome)| Spec::Completion {
            headers,
            id,
            outcome
        }),
        (headers(), non_empty()).prop_map(|(headers, id)| Spec::Cancel { headers, id }),
        Just(Spec::Ping),
        (proptest::option::of(text()), any::<bool>())
            .prop_map(|(error, allow_reconnect)| Spec::Close { error, allow_reconnect }),
        any::<i64>().prop_map(Spec::Ack),
        any::<i64>().prop_map(Spec::Sequence),
    ]
}

/// The JSON texts of a spec's payloads (serde_json's formatting), kept alive for the messages.
struct Payloads {
    json: Vec<String>,
}

fn payloads(spec: &Spec) -> Payloads {
    let json = match spec {
        Spec::Invocation { args, .. } | Spec::StreamInvocation { args, .. } => {
            vec![serde_json::to_string(&Value::Array(args.clone())).unwrap()]
        }
        Spec::StreamItem { item, .. } => vec![serde_json::to_string(item).unwrap()],
        Spec::Completion { outcome: (_, v, _), .. } => vec![serde_json::to_string(v).unwrap()],
        _ => vec![],
    };
    Payloads { json }
}

fn pairs(h: &[(String, String)]) -> Vec<(&str, &str)> {
    h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Builds the message with payload values produced by `payload` from the spec's values/texts.
macro_rules! build {
    ($spec:expr, $pairs:expr, $streams:expr, $payload:expr) => {{
        let payload = $payload;
        match $spec {
            Spec::Invocation { id, target, args, .. } => {
                let mut m = Invocation::new(target.as_str(), payload(Value::Array(args.clone()), 0));
                m.invocation_id = id.as_deref().map(Into::into);
                m.headers = Headers::from_pairs($pairs);
                m.stream_ids = StreamIds::from_slice($streams);
                HubMessage::Invocation(m)
            }
            Spec::StreamInvocation { id, target, args, .. } => {
                let mut m = StreamInvocation::new(id.as_str(), target.as_str(), payload(Value::Array(args.clone()), 0));
                m.headers = Headers::from_pairs($pairs);
                m.stream_ids = StreamIds::from_slice($streams);
                HubMessage::StreamInvocation(m)
            }
            Spec::StreamItem { id, item, .. } => {
                let mut m = StreamItem::new(id.as_str(), payload(item.clone(), 0));
                m.headers = Headers::from_pairs($pairs);
                HubMessage::StreamItem(m)
            }
            Spec::Completion { id, outcome: (kind, v, e), .. } => {
                let mut m = match kind {
                    0 => Completion::void(id.as_str()),
                    1 => Completion::result(id.as_str(), payload(v.clone(), 0)),
                    _ => Completion::error(id.as_str(), e.as_str()),
                };
                m.headers = Headers::from_pairs($pairs);
                HubMessage::Completion(m)
            }
            Spec::Cancel { id, .. } => {
                let mut m = CancelInvocation::new(id.as_str());
                m.headers = Headers::from_pairs($pairs);
                HubMessage::CancelInvocation(m)
            }
            Spec::Ping => HubMessage::Ping,
            Spec::Close { error, allow_reconnect } => {
                HubMessage::Close(Close { error: error.as_deref().map(Into::into), allow_reconnect: *allow_reconnect })
            }
            Spec::Ack(n) => HubMessage::Ack { sequence_id: *n },
            Spec::Sequence(n) => HubMessage::Sequence { sequence_id: *n },
        }
    }};
}

fn header_list(spec: &Spec) -> &[(String, String)] {
    match spec {
        Spec::Invocation { headers, .. }
        | Spec::StreamInvocation { headers, .. }
        | Spec::StreamItem { headers, .. }
        | Spec::Completion { headers, .. }
        | Spec::Cancel { headers, .. } => headers,
        _ => &[],
    }
}

fn stream_list(spec: &Spec) -> &[String] {
    match spec {
        Spec::Invocation { streams, .. } | Spec::StreamInvocation { streams, .. } => streams,
        _ => &[],
    }
}

/// What the .NET writer drops: an empty invocation id, an empty Completion error.
fn normalize<'a>(m: HubMessage<'a, RawJson<'a>>) -> HubMessage<'a, RawJson<'a>> {
    match m {
        HubMessage::Invocation(mut i) => {
            if i.invocation_id.as_deref() == Some("") {
                i.invocation_id = None;
            }
            HubMessage::Invocation(i)
        }
        HubMessage::Completion(mut c) => {
            if matches!(&c.outcome, Outcome::Error(e) if e.is_empty()) {
                c.outcome = Outcome::Void;
            }
            HubMessage::Completion(c)
        }
        other => other,
    }
}

/// Numbers compare by value (`2.0` is written `2`, as .NET does).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                return x == y;
            }
            if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                return x == y;
            }
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k1, v1), (k2, v2))| k1 == k2 && same(v1, v2))
        }
        _ => a == b,
    }
}

fn payload_of<'a>(m: &HubMessage<'a, RawJson<'a>>) -> Option<RawJson<'a>> {
    match m {
        HubMessage::Invocation(i) => Some(i.arguments),
        HubMessage::StreamInvocation(i) => Some(i.arguments),
        HubMessage::StreamItem(i) => Some(i.item),
        HubMessage::Completion(c) => c.outcome.result().copied(),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Raw payloads: written, parsed back to the identical message (payload text included).
    #[test]
    fn raw_round_trip(spec in spec()) {
        let p = JsonHubProtocol::with_limits(signalr_codec_core::Limits::unlimited());
        let texts = payloads(&spec);
        let raws: Vec<RawJson<'_>> = texts.json.iter().map(|j| RawJson::new(j).unwrap()).collect();
        let pairs = pairs(header_list(&spec));
        let streams = strs(stream_list(&spec));
        let message = build!(&spec, &pairs, &streams, |_v: Value, i: usize| raws[i]);
        let bytes = p.to_vec(&message).unwrap();
        prop_assert_eq!(bytes.len(), p.encoded_len(&message).unwrap());
        prop_assert_eq!(*bytes.last().unwrap(), 0x1e);
        prop_assert!(!bytes[..bytes.len() - 1].contains(&0x1e));
        let parsed = p.parse(&bytes[..bytes.len() - 1]).unwrap();
        prop_assert_eq!(parsed, Parsed::Message(normalize(message)));
    }

    /// Serialized payloads: the values bind back to what was written.
    #[test]
    fn serialized_round_trip(spec in spec()) {
        let p = JsonHubProtocol::new();
        let pairs = pairs(header_list(&spec));
        let streams = strs(stream_list(&spec));
        let values: Vec<Value> = match &spec {
            Spec::Invocation { args, .. } | Spec::StreamInvocation { args, .. } => vec![Value::Array(args.clone())],
            Spec::StreamItem { item, .. } => vec![item.clone()],
            Spec::Completion { outcome: (1, v, _), .. } => vec![v.clone()],
            _ => vec![],
        };
        let message = build!(&spec, &pairs, &streams, |v: Value, _i: usize| Serialized(v));
        let mut bytes = Vec::new();
        p.write(&message, &mut bytes).unwrap();
        let mut one_pass = Vec::with_capacity(3);
        p.write_to_vec(&message, &mut one_pass).unwrap();
        prop_assert_eq!(&bytes, &one_pass);
        let Parsed::Message(parsed) = p.parse(&bytes[..bytes.len() - 1]).unwrap() else { panic!("skipped") };
        prop_assert_eq!(parsed.message_type(), message.message_type());
        if let Some(raw) = payload_of(&parsed) {
            let back: Value = raw.deserialize().unwrap();
            prop_assert!(same(&back, &values[0]), "{:?} vs {:?}", back, values[0]);
        }
    }

    /// Any split of a stream of records decodes to the same messages.
    #[test]
    fn any_chunking_decodes_the_same(specs in proptest::collection::vec(spec(), 1..5), cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..6)) {
        let p = JsonHubProtocol::with_limits(signalr_codec_core::Limits::unlimited());
        let mut stream = Vec::new();
        for spec in &specs {
            let texts = payloads(spec);
            let raws: Vec<RawJson<'_>> = texts.json.iter().map(|j| RawJson::new(j).unwrap()).collect();
            let pairs = pairs(header_list(spec));
            let streams = strs(stream_list(spec));
            let message = build!(spec, &pairs, &streams, |_v: Value, i: usize| raws[i]);
            p.write(&message, &mut stream).unwrap();
        }
        let whole = decode(p, &stream, &[]);
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(stream.len() + 1)).collect();
        points.sort_unstable();
        prop_assert_eq!(whole.len(), specs.len());
        prop_assert_eq!(decode(p, &stream, &points), whole);
    }

    /// Arbitrary bytes never panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = common::protocol_parse_bytes(&bytes);
        let _ = NegotiateResponse::parse(&bytes);
    }

    /// JSON-like text, and valid records with one byte changed, never panic either.
    #[test]
    fn json_like_text_never_panics(text in r#"[{}\[\]":,0-9a-zA-Z\\ .eE+-]{0,80}"#, spec in spec(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let _ = common::protocol_parse_bytes(text.as_bytes());
        let _ = NegotiateResponse::parse(text.as_bytes());
        let texts = payloads(&spec);
        let raws: Vec<RawJson<'_>> = texts.json.iter().map(|j| RawJson::new(j).unwrap()).collect();
        let pairs = pairs(header_list(&spec));
        let streams = strs(stream_list(&spec));
        let message = build!(&spec, &pairs, &streams, |_v: Value, i: usize| raws[i]);
        let mut bytes = JsonHubProtocol::new().to_vec(&message).unwrap();
        bytes.pop();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok(Parsed::Message(m)) = common::protocol_parse_bytes(&bytes) {
            // Whatever parses can be iterated and written again.
            if let Some(h) = m.headers() {
                let _ = h.iter().count();
            }
            if let Some(raw) = payload_of(&m) {
                let _ = raw.len();
                let _ = raw.iter().count();
            }
            let _ = JsonHubProtocol::new().to_vec(&m);
        }
    }
}

fn decode(p: JsonHubProtocol, stream: &[u8], cuts: &[usize]) -> Vec<String> {
    let mut decoder = HubDecoder::new(p);
    let mut pending = Vec::new();
    let mut out = Vec::new();
    let mut last = 0;
    for &cut in cuts.iter().chain(core::iter::once(&stream.len())) {
        pending.extend_from_slice(&stream[last..cut]);
        last = cut;
        let mut consumed = 0;
        while let Status::Complete((parsed, used)) = decoder.decode(&pending[consumed..]).unwrap() {
            consumed += used;
            out.push(format!("{parsed:?}"));
        }
        pending.drain(..consumed);
    }
    assert!(pending.is_empty());
    out
}
