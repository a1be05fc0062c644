//! Parsing, binding and writing perform no heap allocation: a counting global allocator watches this
//! thread while messages are parsed (and their strings, headers, stream ids and payloads read)
//! and while messages are written into a reused `Vec` that already has the capacity.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use signalr_codec_core::{Completion, Headers, HubMessage, HubProtocol, Invocation, Parsed, StreamIds, StreamItem};
use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue, Serialized, Timestamp, Value};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded to the system allocator unchanged; the counter is a
// thread-local `Cell` with a const initializer, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// Messages of every type, framed, with headers, stream ids and nested payloads.
const STREAM: &[&[u8]] = &[
    // Invocation with headers, id, two arguments and two stream ids.
    b"\x96\x01\x81\xabtraceparent\xa9\x30\x30-abc-01\xa1\x31\xa6method\x92\x2a\x82\xa1A\x91\xc3\xa1B\xd6\xff\x5a\xca\xad\x00\x92\xa1\x61\xa1\x62",
    b"\x96\x04\x80\xa1\x32\xa6stream\x91\xa3One\x90",
    b"\x94\x02\x80\xa1\x32\xcb\x40\x19\x21\xfb\x54\x42\xcf\x12",
    b"\x95\x03\x80\xa1\x31\x03\x92\xc4\x03\x01\x02\x03\xa6string",
    b"\x95\x03\x80\xa1\x31\x01\xa5error",
    b"\x94\x03\x80\xa1\x32\x02",
    b"\x93\x05\x80\xa1\x32",
    b"\x91\x06",
    b"\x93\x07\xa5error\xc3",
    b"\x92\x08\xcc\x92",
    b"\x92\x09\x2a",
    b"\x91\x63",
];

fn walk(value: RawValue<'_>) -> usize {
    match value.decode().unwrap() {
        Value::Array(items) => items.map(walk).sum::<usize>() + 1,
        Value::Map(entries) => entries.map(|(k, v)| walk(k) + walk(v)).sum::<usize>() + 1,
        Value::Str(s) => s.len(),
        Value::Bin(b) => b.len(),
        Value::Timestamp(t) => t.seconds as usize,
        _ => 1,
    }
}

/// `STREAM`'s bodies, each after its one-byte length prefix.
fn framed_stream() -> Vec<u8> {
    let mut input = Vec::new();
    for body in STREAM {
        input.push(body.len() as u8);
        input.extend_from_slice(body);
    }
    input
}

#[test]
fn parsing_and_writing_allocate_nothing() {
    let protocol = MessagePackHubProtocol::new();
    let input = framed_stream();
    let mut decoder = protocol.decoder();

    // Parsing, and reading everything parsed.
    let mut seen = 0usize;
    let n = allocations_in(|| {
        for parsed in decoder.messages(&input) {
            let Parsed::Message(message) = parsed.unwrap() else {
                seen += 1;
                continue;
            };
            if let Some(headers) = message.headers() {
                seen += headers.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
            }
            match &message {
                HubMessage::Invocation(m) => {
                    seen += m.target.len() + m.stream_ids.iter().map(|s| s.len()).sum::<usize>();
                    for arg in m.arguments.arguments().unwrap() {
                        seen += walk(arg);
                    }
                }
                HubMessage::StreamInvocation(m) => seen += walk(m.arguments),
                HubMessage::StreamItem(m) => seen += m.item.as_f64().unwrap() as usize,
                HubMessage::Completion(m) => {
                    if let Some(r) = m.outcome.result() {
                        seen += walk(*r);
                    }
                    seen += m.outcome.error().map_or(0, |e| e.len());
                }
                _ => seen += 1,
            }
        }
    });
    assert!(seen > 0);
    assert_eq!(n, 0, "parsing allocated");

    // Writing into a reused vector with capacity: raw payloads and serde payloads.
    let pairs = [("traceparent", "00-abc-01")];
    let ids = ["a", "b"];
    let mut invocation = Invocation::new("method", RawValue::new(b"\x92\x2a\xa1x").unwrap()).with_invocation_id("1");
    invocation.headers = Headers::from_pairs(&pairs);
    invocation.stream_ids = StreamIds::from_slice(&ids);
    let raw_messages = [
        HubMessage::Invocation(invocation),
        HubMessage::StreamItem(StreamItem::new("2", RawValue::NIL)),
        HubMessage::Completion(Completion::error("3", "boom")),
        HubMessage::Ping,
        HubMessage::Ack { sequence_id: 146 },
    ];
    let typed = HubMessage::Completion(Completion::result(
        "4",
        Serialized((42, "string", 6.5f64, Timestamp::from_seconds(1_523_232_000), [1u8, 2, 3], Option::<i32>::None)),
    ));
    let mut out = Vec::with_capacity(4096);
    let n = allocations_in(|| {
        for _ in 0..10 {
            out.clear();
            for m in &raw_messages {
                protocol.write(m, &mut out).unwrap();
            }
            protocol.write(&typed, &mut out).unwrap();
        }
    });
    assert_eq!(n, 0, "writing allocated");

    // What was written parses back.
    assert_eq!(protocol.decoder().messages(&out).count(), raw_messages.len() + 1);
}

/// The first Invocation's second argument, `{"A": [true], "B": timestamp}`.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Flagged {
    a: (bool,),
    b: Timestamp,
}

#[test]
fn binding_to_borrowed_types_allocates_nothing() {
    let protocol = MessagePackHubProtocol::new();
    let input = framed_stream();
    let mut decoder = protocol.decoder();
    let mut bound = 0usize;
    let n = allocations_in(|| {
        for parsed in decoder.messages(&input) {
            let Ok(Parsed::Message(message)) = parsed else { continue };
            match &message {
                HubMessage::Invocation(m) => {
                    let (n, flagged): (i32, Flagged) = m.arguments.bind().unwrap();
                    bound += n as usize + usize::from(flagged.a.0) + flagged.b.seconds as usize;
                }
                HubMessage::StreamInvocation(m) => {
                    let (s,): (&str,) = m.arguments.bind().unwrap();
                    bound += s.len();
                }
                HubMessage::Completion(m) => {
                    if let Some(r) = m.outcome.result() {
                        let (bytes, s): (&[u8], &str) = r.deserialize().unwrap();
                        bound += bytes.len() + s.len();
                    }
                }
                _ => {}
            }
        }
    });
    assert_eq!(bound, 42 + 1 + 0x5aca_ad00 + 3 + 3 + 6);
    assert_eq!(n, 0, "binding allocated");
}
