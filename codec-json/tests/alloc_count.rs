//! Zero heap allocations: parsing messages whose strings have no escapes, binding borrowed
//! arguments, iterating headers and stream ids, and writing raw and serialized payloads into a
//! reused `Vec` or a fixed buffer.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use signalr_codec_core::{
    Completion, Headers, HubDecoder, HubMessage, HubProtocol, Invocation, Parsed, SliceOutput, Status, StreamItem,
};
use signalr_codec_json::{JsonHubProtocol, RawJson, Serialized};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f` on this thread.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOCATIONS.with(Cell::get);
    let r = f();
    (ALLOCATIONS.with(Cell::get) - before, r)
}

const RECORDS: &[&str] = &[
    r#"{"type":1,"headers":{"traceparent":"00-abc-01","x":"y"},"invocationId":"42","target":"SendMessage","arguments":["alice","Hello there, how are you doing today? 12345",{"nested":[1,2.5,true,null]}],"streamIds":["1","2"]}"#,
    r#"{"arguments":["alice",7],"type":4,"target":"Counter","invocationId":"9"}"#,
    r#"{"type":2,"invocationId":"1","item":{"id":1,"name":"x"}}"#,
    r#"{"type":3,"invocationId":"123","result":{"ok":true,"count":42,"id":"a6f1c2d4","items":[1,2,3]}}"#,
    r#"{"type":3,"invocationId":"123","error":"It failed"}"#,
    r#"{"type":5,"invocationId":"1"}"#,
    r#"{"type":6}"#,
    r#"{"type":7,"error":"bye","allowReconnect":true}"#,
    r#"{"type":8,"sequenceId":1394}"#,
    r#"{"type":9,"sequenceId":1234}"#,
    r#"{"type":99,"future":[1,2,3]}"#,
];

#[derive(serde::Serialize)]
struct Reading<'a> {
    sensor: &'a str,
    value: f64,
    ok: bool,
    tags: [&'a str; 2],
}

#[test]
fn zero_allocations() {
    let protocol = JsonHubProtocol::new();

    // Parsing every message type, and walking what it holds.
    for record in RECORDS {
        let (n, _) = allocations(|| {
            let parsed = protocol.parse(record.as_bytes()).unwrap();
            if let Parsed::Message(m) = &parsed {
                if let Some(h) = m.headers() {
                    for (k, v) in h.iter() {
                        assert!(k.is_borrowed() && v.is_borrowed());
                    }
                }
                if let HubMessage::Invocation(i) = m {
                    assert_eq!(i.arguments.len(), 3);
                    let user: &str = i.arguments.argument(0).unwrap();
                    let text: &str = i.arguments.argument(1).unwrap();
                    assert_eq!((user, text.len()), ("alice", 43));
                    assert_eq!(i.arguments.iter().count(), 3);
                    assert_eq!(i.stream_ids.iter().count(), 2);
                    assert_eq!(i.headers.get("traceparent").as_deref(), Some("00-abc-01"));
                }
                if let HubMessage::StreamInvocation(i) = m {
                    let (user, n): (&str, u32) = i.arguments.bind().unwrap();
                    assert_eq!((user, n), ("alice", 7));
                }
            }
            parsed
        });
        assert_eq!(n, 0, "parsing {record}");
    }

    // A whole buffer through the decoder.
    let mut buf = Vec::new();
    for record in RECORDS {
        buf.extend_from_slice(record.as_bytes());
        buf.push(0x1e);
    }
    let mut decoder = HubDecoder::new(protocol);
    let (n, count) = allocations(|| {
        let mut count = 0;
        let mut rest = &buf[..];
        while let Status::Complete((_, used)) = decoder.decode(rest).unwrap() {
            rest = &rest[used..];
            count += 1;
        }
        count
    });
    assert_eq!((n, count), (0, RECORDS.len()));

    // Writing raw and serialized payloads into a reused vector with capacity, and into a slice.
    let headers = [("traceparent", "00-abc-01")];
    let args = RawJson::new(r#"["alice",42]"#).unwrap();
    let reading = Reading { sensor: "t1", value: 21.5, ok: true, tags: ["a", "b\n"] };
    let mut out = Vec::with_capacity(4096);
    let mut fixed = [0u8; 512];
    let (n, _) = allocations(|| {
        for _ in 0..3 {
            out.clear();
            let mut call = Invocation::new("Send", args).with_invocation_id("1");
            call.headers = Headers::from_pairs(&headers);
            protocol.write(&HubMessage::Invocation(call.clone()), &mut out).unwrap();
            protocol.write_to_vec(&HubMessage::Invocation(call), &mut out).unwrap();
            let item = HubMessage::StreamItem(StreamItem::new("1", Serialized(&reading)));
            protocol.write(&item, &mut out).unwrap();
            protocol.write_to_vec(&item, &mut out).unwrap();
            let tuple = HubMessage::Invocation(Invocation::new("Send", Serialized(("alice", 42, 2.0f64, [1u8, 2]))));
            protocol.write(&tuple, &mut out).unwrap();
            let done = HubMessage::Completion(Completion::result("1", Serialized(Some(&reading))));
            protocol.write(&done, &mut SliceOutput::new(&mut fixed)).unwrap();
            protocol.write(&HubMessage::<'_, RawJson<'_>>::Ping, &mut out).unwrap();
        }
    });
    assert_eq!(n, 0, "writing");
    assert!(out.starts_with(br#"{"type":1,"headers":{"traceparent":"00-abc-01"},"invocationId":"1","target":"Send","arguments":["alice",42]}"#));
}

#[test]
fn escaped_strings_allocate_only_for_themselves() {
    let protocol = JsonHubProtocol::new();
    let (n, _) = allocations(|| protocol.parse(br#"{"type":5,"invocationId":"a\nb"}"#).unwrap());
    assert_eq!(n, 1);
}
