//! `cargo bench -p signalr-codec-benches --bench codec`: every comparison of
//! `signalr_codec_benches::comparison` under criterion, each side as its own benchmark
//! (`decode/json/ping/ours`, `decode/json/ping/theirs`, …), plus framing alone.
//!
//! Criterion measures the two sides of a comparison seconds apart; the README's ratios come
//! from `examples/paired.rs` (through `benches/readme.py`), which alternates them.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use signalr_codec_benches::all;
use signalr_codec_benches::comparison::comparisons;
use signalr_codec_core::frame::{Framer, LengthPrefixFramer, RecordFramer};
use signalr_codec_core::Limits;

fn benches(c: &mut Criterion) {
    for mut comparison in comparisons(&[]) {
        let mut group = c.benchmark_group(comparison.id());
        group.throughput(Throughput::Bytes(comparison.bytes as u64));
        // Both sides handle every message of the payload.
        assert_eq!((comparison.ours)(), comparison.messages, "{}", comparison.id());
        assert_eq!((comparison.theirs)(), comparison.messages, "{}", comparison.id());
        group.bench_function("ours", |b| b.iter(&mut comparison.ours));
        group.bench_function("theirs", |b| b.iter(&mut comparison.theirs));
        group.finish();
    }

    let limits = Limits::default().with_max_message_size(None);
    let mut group = c.benchmark_group("frame");
    for p in all().iter().filter(|p| p.name == "batch_1000_small") {
        group.throughput(Throughput::Bytes(p.json.len() as u64));
        group.bench_with_input(BenchmarkId::new("json", &p.name), &p.json, |b, buf| {
            let mut framer = RecordFramer::new(limits);
            b.iter(|| framer.frames(buf).count())
        });
        group.throughput(Throughput::Bytes(p.msgpack.len() as u64));
        group.bench_with_input(BenchmarkId::new("msgpack", &p.name), &p.msgpack, |b, buf| {
            let mut framer = LengthPrefixFramer::new(limits);
            b.iter(|| framer.frames(buf).count())
        });
    }
    group.finish();
}

criterion_group!(codec, benches);
criterion_main!(codec);
