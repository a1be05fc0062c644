//! `cargo bench -p signalr-codec-benches`: decode, encode and framing of every payload in both
//! protocols, with the floors measured on the same bytes in the same run:
//! `floor/json_ignored_any` (serde_json parsing each record into `IgnoredAny`),
//! `floor/msgpack_skip` (a bare walk skipping every MessagePack value), `floor/memchr` (only
//! finding the record separators).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use signalr_codec_benches::floor::{json_ignored_any, msgpack_skip};
use signalr_codec_benches::{all, decode_all, Payload};
use signalr_codec_core::frame::{Framer, LengthPrefixFramer, RecordFramer};
use signalr_codec_core::{Decoder, HubProtocol, Limits, Parsed};
use signalr_codec_json::JsonHubProtocol;
use signalr_codec_msgpack::MessagePackHubProtocol;
use std::hint::black_box;

fn limits() -> Limits {
    // The large payload is ~32 KiB: measure the codec, not the default server limit.
    Limits::default().with_max_message_size(None)
}

/// Each payload's decode and its floor are measured back to back: the ratio between them is
/// the figure of merit, and on a shared machine the speed drifts over a run of several minutes.
fn decode_and_floors(c: &mut Criterion, payloads: &[Payload]) {
    // One decoder per protocol for the whole run, as a connection keeps one.
    let mut json = Decoder::new(JsonHubProtocol::with_limits(limits()));
    let mut msgpack = Decoder::new(MessagePackHubProtocol::with_limits(limits()));
    for p in payloads {
        let mut decode = c.benchmark_group("decode");
        decode.throughput(Throughput::Bytes(p.json.len() as u64));
        decode.bench_with_input(BenchmarkId::new("json", &p.name), &p.json, |b, buf| {
            b.iter(|| decode_all(&mut json, buf))
        });
        decode.finish();
        let mut floor = c.benchmark_group("floor");
        floor.throughput(Throughput::Bytes(p.json.len() as u64));
        floor.bench_with_input(BenchmarkId::new("json_ignored_any", &p.name), &p.json, |b, buf| {
            b.iter(|| json_ignored_any(buf))
        });
        floor.bench_with_input(BenchmarkId::new("memchr", &p.name), &p.json, |b, buf| {
            b.iter(|| memchr::memchr_iter(0x1E, buf).count())
        });
        floor.finish();
        let mut decode = c.benchmark_group("decode");
        decode.throughput(Throughput::Bytes(p.msgpack.len() as u64));
        decode.bench_with_input(BenchmarkId::new("msgpack", &p.name), &p.msgpack, |b, buf| {
            b.iter(|| decode_all(&mut msgpack, buf))
        });
        decode.finish();
        let mut floor = c.benchmark_group("floor");
        floor.throughput(Throughput::Bytes(p.msgpack.len() as u64));
        floor.bench_with_input(BenchmarkId::new("msgpack_skip", &p.name), &p.msgpack, |b, buf| {
            b.iter(|| msgpack_skip(buf))
        });
        floor.finish();
    }
}

fn encode(c: &mut Criterion, payloads: &[Payload]) {
    let json = JsonHubProtocol::with_limits(limits());
    let msgpack = MessagePackHubProtocol::with_limits(limits());
    let mut group = c.benchmark_group("encode");
    for p in payloads {
        let mut out = Vec::with_capacity(p.json.len() * 2);
        let json_messages = parsed(&json, &p.json);
        group.throughput(Throughput::Bytes(p.json.len() as u64));
        group.bench_function(BenchmarkId::new("json", &p.name), |b| {
            b.iter(|| {
                out.clear();
                for m in &json_messages {
                    json.write(m, &mut out).expect("writes");
                }
                black_box(out.len())
            })
        });
        let msgpack_messages = parsed(&msgpack, &p.msgpack);
        group.throughput(Throughput::Bytes(p.msgpack.len() as u64));
        group.bench_function(BenchmarkId::new("msgpack", &p.name), |b| {
            b.iter(|| {
                out.clear();
                for m in &msgpack_messages {
                    msgpack.write(m, &mut out).expect("writes");
                }
                black_box(out.len())
            })
        });
    }
    group.finish();
}

fn parsed<'b, P: HubProtocol + Clone>(
    protocol: &P,
    buf: &'b [u8],
) -> Vec<signalr_codec_core::HubMessage<'b, P::Value<'b>>> {
    let mut decoder = signalr_codec_core::Decoder::new(protocol.clone());
    let mut out = Vec::new();
    for m in decoder.messages(buf) {
        if let Parsed::Message(m) = m.expect("valid") {
            out.push(m);
        }
    }
    out
}

fn frame(c: &mut Criterion, payloads: &[Payload]) {
    let mut group = c.benchmark_group("frame");
    for p in payloads.iter().filter(|p| p.name == "batch_1000_small") {
        group.throughput(Throughput::Bytes(p.json.len() as u64));
        group.bench_with_input(BenchmarkId::new("json", &p.name), &p.json, |b, buf| {
            let mut framer = RecordFramer::new(limits());
            b.iter(|| framer.frames(buf).count())
        });
        group.throughput(Throughput::Bytes(p.msgpack.len() as u64));
        group.bench_with_input(BenchmarkId::new("msgpack", &p.name), &p.msgpack, |b, buf| {
            let mut framer = LengthPrefixFramer::new(limits());
            b.iter(|| framer.frames(buf).count())
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let payloads = all();
    // Every floor and the codec agree on what the inputs hold.
    let mut json = Decoder::new(JsonHubProtocol::with_limits(limits()));
    let mut msgpack = Decoder::new(MessagePackHubProtocol::with_limits(limits()));
    for p in &payloads {
        assert_eq!(decode_all(&mut json, &p.json), p.count, "{}", p.name);
        assert_eq!(decode_all(&mut msgpack, &p.msgpack), p.count, "{}", p.name);
        assert_eq!(json_ignored_any(&p.json), p.count, "{}", p.name);
        assert_eq!(msgpack_skip(&p.msgpack), p.count, "{}", p.name);
    }
    decode_and_floors(c, &payloads);
    encode(c, &payloads);
    frame(c, &payloads);
}

criterion_group!(codec, benches);
criterion_main!(codec);
