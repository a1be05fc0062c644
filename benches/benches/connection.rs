//! `cargo bench -p signalr-codec-benches --bench connection`: a batch of small blocking
//! invocations (the canonical `small_invocation`, with an id) through a server `Connection` —
//! input → `poll_event` → `complete` with a raw result → `poll_transmit` — in JSON and
//! MessagePack, without and with stateful reconnect (then an Ack per batch keeps the replay
//! buffer small), beside the bare codec doing the same work: `HubDecoder` over the same bytes and
//! `HubProtocol::write` of the same completions into a reused buffer. The target: the connection
//! adds at most 30% to the bare decode + encode.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use signalr_codec_benches::connection::{batches, json_result, msgpack_result, Bare, Server, BATCH};
use signalr_codec_json::JsonHubProtocol;
use signalr_codec_msgpack::MessagePackHubProtocol;

fn benches(c: &mut Criterion) {
    let (json, msgpack) = batches();
    let mut group = c.benchmark_group("connection");
    group.throughput(Throughput::Elements(BATCH as u64));

    let mut bare = Bare::new(JsonHubProtocol::new());
    group.bench_function("json/bare", |b| b.iter(|| bare.round(&json, json_result())));
    let mut server = Server::new(JsonHubProtocol::new(), false);
    group.bench_function("json/connection", |b| b.iter(|| server.round(&json, json_result())));
    let mut server = Server::new(JsonHubProtocol::new(), true);
    group.bench_function("json/stateful", |b| b.iter(|| server.round(&json, json_result())));
    assert_eq!(server.unacked_bytes(), 0);

    let mut bare = Bare::new(MessagePackHubProtocol::new());
    group.bench_function("msgpack/bare", |b| b.iter(|| bare.round(&msgpack, msgpack_result())));
    let mut server = Server::new(MessagePackHubProtocol::new(), false);
    group.bench_function("msgpack/connection", |b| b.iter(|| server.round(&msgpack, msgpack_result())));
    let mut server = Server::new(MessagePackHubProtocol::new(), true);
    group.bench_function("msgpack/stateful", |b| b.iter(|| server.round(&msgpack, msgpack_result())));
    assert_eq!(server.unacked_bytes(), 0);
    group.finish();
}

criterion_group!(connection, benches);
criterion_main!(connection);
