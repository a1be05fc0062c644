//! Property tests: any message written parses back equal (and re-writes to the same bytes);
//! parsing arbitrary or corrupted bytes never panics.

use proptest::prelude::*;
use signalr_codec_core::{
    CancelInvocation, Close, Completion, Headers, HubMessage, HubProtocol, Invocation, Limits, Outcome, Parsed,
    StreamIds, StreamInvocation, StreamItem,
};
use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue, ValueWriter};

/// A payload value tree, encoded with `ValueWriter`.
#[derive(Debug, Clone)]
enum V {
    Nil,
    Bool(bool),
    Int(i64),
    UInt(u64),
    F64(f64),
    Str(String),
    Bin(Vec<u8>),
    Ts(i64, u32),
    Arr(Vec<V>),
    Map(Vec<(String, V)>),
}

fn value() -> impl Strategy<Value = V> {
    let leaf = prop_oneof![
        Just(V::Nil),
        any::<bool>().prop_map(V::Bool),
        any::<i64>().prop_map(V::Int),
        any::<u64>().prop_map(V::UInt),
        any::<f64>().prop_map(V::F64),
        ".{0,40}".prop_map(V::Str),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(V::Bin),
        (any::<i64>(), 0u32..1_000_000_000).prop_map(|(s, n)| V::Ts(s, n)),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(V::Arr),
            proptest::collection::vec((".{0,8}", inner), 0..6).prop_map(V::Map),
        ]
    })
}

fn encode(v: &V, w: &mut ValueWriter<'_>) {
    match v {
        V::Nil => w.nil().map(drop),
        V::Bool(b) => w.bool(*b).map(drop),
        V::Int(i) => w.int(*i).map(drop),
        V::UInt(u) => w.uint(*u).map(drop),
        V::F64(f) => w.f64(*f).map(drop),
        V::Str(s) => w.str(s).map(drop),
        V::Bin(b) => w.bin(b).map(drop),
        V::Ts(s, n) => w.timestamp(signalr_codec_msgpack::Timestamp::new(*s, *n).unwrap()).map(drop),
        V::Arr(items) => {
            w.array(items.len()).unwrap();
            items.iter().for_each(|i| encode(i, w));
            Ok(())
        }
        V::Map(entries) => {
            w.map(entries.len()).unwrap();
            for (k, v) in entries {
                w.str(k).unwrap();
                encode(v, w);
            }
            Ok(())
        }
    }
    .unwrap();
}

fn raw_bytes(v: &V, as_array: bool) -> Vec<u8> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut w = ValueWriter::new(&mut buf);
    if as_array {
        match v {
            V::Arr(_) => encode(v, &mut w),
            other => {
                w.array(1).unwrap();
                encode(other, &mut w);
            }
        }
    } else {
        encode(v, &mut w);
    }
    let n = w.finish().unwrap().as_bytes().len();
    buf.truncate(n);
    buf
}

/// Everything a message borrows, owned by the test case.
#[derive(Debug, Clone)]
struct Spec {
    kind: u8,
    headers: Vec<(String, String)>,
    id: String,
    has_id: bool,
    target: String,
    payload: Vec<u8>,
    streams: Vec<String>,
    outcome: u8,
    error: String,
    flag: bool,
    seq: i64,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (1u8..=9, proptest::collection::btree_map(".{1,12}", ".{1,12}", 0..4), ".{1,12}", any::<bool>(), ".{1,16}"),
        (value(), proptest::collection::vec(".{1,8}", 0..4), 0u8..3, ".{0,20}", any::<bool>(), any::<i64>()),
    )
        .prop_map(|((kind, headers, id, has_id, target), (v, streams, outcome, error, flag, seq))| Spec {
            kind,
            headers: headers.into_iter().collect(),
            id,
            has_id,
            target,
            payload: raw_bytes(&v, matches!(kind, 1 | 4)),
            streams,
            outcome,
            error,
            flag,
            seq,
        })
}

fn build<'a>(s: &'a Spec, pairs: &'a [(&'a str, &'a str)], streams: &'a [&'a str]) -> HubMessage<'a, RawValue<'a>> {
    let headers = Headers::from_pairs(pairs);
    let payload = RawValue::new(&s.payload).unwrap();
    match s.kind {
        1 => HubMessage::Invocation(Invocation {
            headers,
            invocation_id: s.has_id.then(|| s.id.as_str().into()),
            target: s.target.as_str().into(),
            arguments: payload,
            stream_ids: StreamIds::from_slice(streams),
        }),
        2 => HubMessage::StreamItem(StreamItem { headers, invocation_id: s.id.as_str().into(), item: payload }),
        3 => HubMessage::Completion(Completion {
            headers,
            invocation_id: s.id.as_str().into(),
            outcome: match s.outcome {
                0 => Outcome::Void,
                1 => Outcome::Result(payload),
                _ => Outcome::Error(s.error.as_str().into()),
            },
        }),
        4 => HubMessage::StreamInvocation(StreamInvocation {
            headers,
            invocation_id: s.id.as_str().into(),
            target: s.target.as_str().into(),
            arguments: payload,
            stream_ids: StreamIds::from_slice(streams),
        }),
        5 => HubMessage::CancelInvocation(CancelInvocation { headers, invocation_id: s.id.as_str().into() }),
        6 => HubMessage::Ping,
        // An empty Close error is written as nil: generate it only non-empty.
        7 => HubMessage::Close(Close {
            error: (!s.error.is_empty()).then(|| s.error.as_str().into()),
            allow_reconnect: s.flag,
        }),
        8 => HubMessage::Ack { sequence_id: s.seq },
        _ => HubMessage::Sequence { sequence_id: s.seq },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn written_messages_parse_back_equal(s in spec()) {
        let pairs: Vec<(&str, &str)> = s.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let streams: Vec<&str> = s.streams.iter().map(String::as_str).collect();
        let message = build(&s, &pairs, &streams);
        let protocol = MessagePackHubProtocol::with_limits(Limits::unlimited());
        let framed = protocol.to_vec(&message).unwrap();
        prop_assert_eq!(protocol.encoded_len(&message).unwrap(), framed.len());
        let mut decoder = protocol.decoder();
        let parsed: Vec<_> = decoder.messages(&framed).collect();
        prop_assert_eq!(parsed.len(), 1);
        let Ok(Parsed::Message(back)) = &parsed[0] else { panic!("{:?}", parsed[0]) };
        prop_assert_eq!(&back.clone().owning(), &message);
        prop_assert_eq!(protocol.to_vec(back).unwrap(), framed);
    }

    #[test]
    fn parsing_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..96)) {
        let protocol = MessagePackHubProtocol::new();
        let _ = protocol.parse(&bytes);
        let mut decoder = protocol.decoder();
        for m in decoder.messages(&bytes) {
            if let Ok(Parsed::Message(m)) = m {
                exercise(&m);
            }
        }
    }

    #[test]
    fn parsing_corrupted_messages_never_panics(s in spec(), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4), cut in any::<usize>()) {
        let pairs: Vec<(&str, &str)> = s.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let streams: Vec<&str> = s.streams.iter().map(String::as_str).collect();
        let protocol = MessagePackHubProtocol::new();
        let mut body = Vec::new();
        protocol.write_body(&build(&s, &pairs, &streams), &mut body).unwrap();
        for (at, byte) in flips {
            let i = at % body.len();
            body[i] = byte;
        }
        if let Ok(Parsed::Message(m)) = protocol.parse(&body) {
            exercise(&m);
        }
        let cut = cut % (body.len() + 1);
        if let Ok(Parsed::Message(m)) = protocol.parse(&body[..cut]) {
            exercise(&m);
        }
    }
}

/// Reads everything a parsed message offers, to make sure no accessor panics either.
fn exercise(m: &signalr_codec_msgpack::Message<'_>) {
    if let Some(h) = m.headers() {
        for (k, v) in h.iter() {
            assert!(!k.is_empty() && !v.is_empty());
        }
    }
    let payload = match m {
        HubMessage::Invocation(i) => Some(i.arguments),
        HubMessage::StreamInvocation(i) => Some(i.arguments),
        HubMessage::StreamItem(i) => Some(i.item),
        HubMessage::Completion(c) => c.outcome.result().copied(),
        _ => None,
    };
    if let Some(p) = payload {
        fn walk(v: RawValue<'_>) {
            match v.decode() {
                Ok(signalr_codec_msgpack::Value::Array(items)) => items.for_each(walk),
                Ok(signalr_codec_msgpack::Value::Map(entries)) => entries.for_each(|(k, v)| {
                    walk(k);
                    walk(v)
                }),
                _ => {}
            }
            let _ = (v.as_i64(), v.as_f64(), v.as_str(), v.as_bin(), v.as_timestamp(), v.deserialize::<String>());
        }
        walk(p);
        if let Ok(args) = p.arguments() {
            let _ = args.bind::<(String, i32)>();
        }
        let mut out = Vec::new();
        let _ = MessagePackHubProtocol::new().write(m, &mut out);
    }
}
