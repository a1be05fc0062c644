//! Drives the official SignalR JavaScript protocol classes (`harness.cjs`, pinned in
//! `package.json`) from Rust, and generates hub messages in the neutral form for both protocols.
//!
//! Outside CI a machine without Node (or without `npm ci` run here) skips the interop tests with
//! a printed reason; under `CI=true` the same situation fails them.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Map, Value};

/// The official client's protocol classes, running in Node.
pub struct Harness {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Harness {
    /// Starts the harness, or says why it cannot run here. Panics (fails the test) under
    /// `CI=true`, where Node and `npm ci` are part of the job.
    pub fn start() -> Option<Harness> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let unavailable = |reason: String| -> Option<Harness> {
            if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") {
                panic!("interop harness unavailable under CI: {reason}");
            }
            // Written to the stderr handle, not with `eprintln!`: the test harness captures the
            // macro's output of passing tests, and a skip must not look like a pass.
            let test = std::thread::current().name().unwrap_or("interop").to_owned();
            let _ = writeln!(std::io::stderr(), "\n{test} ... SKIPPED (the official client cannot run: {reason})");
            None
        };
        if !dir.join("node_modules/@microsoft/signalr").is_dir() {
            return unavailable(format!("run `npm ci` in {}", dir.display()));
        }
        let spawned = Command::new("node")
            .arg(dir.join("harness.cjs"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => return unavailable(format!("cannot start node: {e}")),
        };
        let stdin = child.stdin.take()?;
        let stdout = BufReader::new(child.stdout.take()?);
        Some(Harness { child, stdin, stdout })
    }

    /// Sends one request and returns its `ok` value (panics on a harness error).
    pub fn call(&mut self, request: &Value) -> Value {
        let mut line = serde_json::to_string(request).expect("requests serialize");
        line.push('\n');
        self.stdin.write_all(line.as_bytes()).expect("harness stdin");
        self.stdin.flush().expect("harness stdin");
        let mut response = String::new();
        self.stdout.read_line(&mut response).expect("harness stdout");
        let mut response: Value = serde_json::from_str(&response).expect("harness answers JSON");
        match response.get_mut("ok") {
            Some(ok) => ok.take(),
            None => panic!("harness error: {response}"),
        }
    }

    /// The official client writes each message (neutral form); returns the bytes of each.
    pub fn write(&mut self, protocol: &str, messages: &[Value]) -> Vec<Vec<u8>> {
        let written = self.call(&json!({ "op": "write", "protocol": protocol, "messages": messages }));
        written.as_array().expect("an array").iter().map(|h| hex(h.as_str().expect("hex"))).collect()
    }

    /// The official client parses each buffer: the messages (neutral form) or its error text.
    pub fn parse(&mut self, protocol: &str, buffers: &[Vec<u8>]) -> Vec<Result<Vec<Value>, String>> {
        let hexes: Vec<String> = buffers.iter().map(|b| to_hex(b)).collect();
        let parsed = self.call(&json!({ "op": "parse", "protocol": protocol, "buffers": hexes }));
        parsed.as_array().expect("an array").iter().map(outcome).collect()
    }

    /// The official client's handshake request bytes.
    pub fn handshake_request(&mut self, protocol: &str, version: i32) -> Vec<u8> {
        hex(self
            .call(&json!({ "op": "handshake-request", "protocol": protocol, "version": version }))
            .as_str()
            .expect("hex"))
    }

    /// The official client parses handshake responses as received on a text transport (as a
    /// string) or a binary one (as bytes): the response object and the remaining bytes, or its
    /// error text.
    pub fn handshake_response(&mut self, buffers: &[Vec<u8>], binary: bool) -> Vec<Result<(Value, Vec<u8>), String>> {
        let hexes: Vec<String> = buffers.iter().map(|b| to_hex(b)).collect();
        let format = if binary { "binary" } else { "text" };
        let parsed = self.call(&json!({ "op": "handshake-response", "format": format, "buffers": hexes }));
        parsed
            .as_array()
            .expect("an array")
            .iter()
            .map(|r| match (r.get("ok"), r.get("error")) {
                (Some(ok), _) => Ok((ok.clone(), hex(r["remaining"].as_str().unwrap_or("")))),
                (_, Some(e)) => Err(e.as_str().unwrap_or_default().to_owned()),
                _ => panic!("bad harness answer {r}"),
            })
            .collect()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn outcome(r: &Value) -> Result<Vec<Value>, String> {
    match (r.get("ok"), r.get("error")) {
        (Some(Value::Array(messages)), _) => Ok(messages.iter().map(normalize).collect()),
        (_, Some(e)) => Err(e.as_str().unwrap_or_default().to_owned()),
        _ => panic!("bad harness answer {r}"),
    }
}

/// Lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex")).collect()
}

/// A message in a canonical shape for comparison: empty `streamIds`/`headers` removed (the
/// neutral form omits them), integral floats as integers (JSON has one number type).
pub fn normalize(message: &Value) -> Value {
    let mut m = canonical_numbers(message);
    if let Some(object) = m.as_object_mut() {
        for key in ["streamIds", "headers"] {
            let empty = match object.get(key) {
                Some(Value::Array(a)) => a.is_empty(),
                Some(Value::Object(o)) => o.is_empty(),
                Some(Value::Null) => true,
                _ => false,
            };
            if empty {
                object.remove(key);
            }
        }
    }
    m
}

fn canonical_numbers(v: &Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 => json!(f as i64),
            _ => v.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(canonical_numbers).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), canonical_numbers(v))).collect()),
        other => other.clone(),
    }
}

/// Which protocol's values to generate: MessagePack adds binary and timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Plain JSON values.
    Json,
    /// JSON values plus `{"$bin":…}` and `{"$timestamp":…}` (millisecond precision, as a JS `Date`).
    MessagePack,
}

const MAX_SAFE: i64 = 9_007_199_254_740_992; // 2^53

/// Text with the characters that stress escaping and UTF-8: quotes, backslashes, control
/// characters, the record separator, non-ASCII, astral-plane emoji.
fn text(min: usize) -> BoxedStrategy<String> {
    proptest::collection::vec(
        prop_oneof![
            6 => proptest::char::range('a', 'z'),
            1 => Just('"'),
            1 => Just('\\'),
            1 => Just('\n'),
            1 => Just('\u{1e}'),
            1 => Just('\u{1}'),
            1 => Just('é'),
            1 => Just('€'),
            1 => Just('😀'),
            1 => Just('\u{2028}'),
        ],
        min..12,
    )
    .prop_map(|chars| chars.into_iter().collect())
    .boxed()
}

fn scalar(flavor: Flavor) -> BoxedStrategy<Value> {
    let common = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-MAX_SAFE..=MAX_SAFE).prop_map(|i| json!(i)),
        (-1000i64..1000).prop_map(|i| json!(i)),
        (-1.0e6f64..1.0e6).prop_filter("non-integral", |f| f.fract() != 0.0).prop_map(|f| json!(f)),
        text(0).prop_map(Value::String),
    ];
    match flavor {
        Flavor::Json => common.boxed(),
        Flavor::MessagePack => prop_oneof![
            6 => common,
            1 => proptest::collection::vec(any::<u8>(), 0..16).prop_map(|b| json!({ "$bin": to_hex(&b) })),
            1 => (0i64..4_102_444_800_000).prop_map(|ms| json!({ "$timestamp": millis_rfc3339(ms) })),
        ]
        .boxed(),
    }
}

/// A payload value: scalars, arrays and objects, nested a few levels.
pub fn payload(flavor: Flavor) -> BoxedStrategy<Value> {
    scalar(flavor)
        .prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(text(1), inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
            ]
        })
        .boxed()
}

fn id() -> BoxedStrategy<String> {
    text(1).boxed()
}

fn headers() -> impl Strategy<Value = Option<Value>> {
    proptest::option::of(
        proptest::collection::btree_map(text(1), text(1), 1..3)
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k, Value::String(v))).collect())),
    )
}

fn with(mut base: Map<String, Value>, extra: &[(&str, Option<Value>)]) -> Value {
    for (key, value) in extra {
        if let Some(v) = value {
            base.insert((*key).to_owned(), v.clone());
        }
    }
    Value::Object(base)
}

/// A hub message of any of the nine types, in neutral form.
pub fn message(flavor: Flavor) -> BoxedStrategy<Value> {
    let args = proptest::collection::vec(payload(flavor), 0..4).prop_map(Value::Array);
    let ids = proptest::option::of(proptest::collection::vec(id(), 1..3)).boxed();
    let sequence = 1..=MAX_SAFE;
    prop_oneof![
        (proptest::option::of(id()), id(), args.clone(), ids.clone(), headers()).prop_map(|(i, t, a, s, h)| {
            let mut m = Map::new();
            m.insert("type".into(), json!(1));
            if let Some(i) = i {
                m.insert("invocationId".into(), json!(i));
            }
            m.insert("target".into(), json!(t));
            m.insert("arguments".into(), a);
            with(m, &[("streamIds", s.map(|s| json!(s))), ("headers", h)])
        }),
        (id(), payload(flavor), headers()).prop_map(|(i, item, h)| {
            with(
                Map::from_iter([("type".into(), json!(2)), ("invocationId".into(), json!(i))]),
                &[("headers", h), ("item", Some(item))],
            )
        }),
        (id(), 0..3u8, payload(flavor), text(1), headers()).prop_map(|(i, kind, result, error, h)| {
            let m = Map::from_iter([("type".into(), json!(3)), ("invocationId".into(), json!(i))]);
            let outcome = match kind {
                0 => vec![],
                1 => vec![("result", Some(result))],
                _ => vec![("error", Some(json!(error)))],
            };
            let mut all = vec![("headers", h)];
            all.extend(outcome);
            with(m, &all)
        }),
        (id(), id(), args, ids, headers()).prop_map(|(i, t, a, s, h)| {
            let m = Map::from_iter([
                ("type".into(), json!(4)),
                ("invocationId".into(), json!(i)),
                ("target".into(), json!(t)),
                ("arguments".into(), a),
            ]);
            with(m, &[("streamIds", s.map(|s| json!(s))), ("headers", h)])
        }),
        (id(), headers()).prop_map(|(i, h)| {
            with(Map::from_iter([("type".into(), json!(5)), ("invocationId".into(), json!(i))]), &[("headers", h)])
        }),
        Just(json!({ "type": 6 })),
        (proptest::option::of(text(1)), any::<bool>()).prop_map(|(e, r)| {
            with(
                Map::from_iter([("type".into(), json!(7))]),
                &[("error", e.map(|e| json!(e))), ("allowReconnect", r.then(|| json!(true)))],
            )
        }),
        sequence.clone().prop_map(|s| json!({ "type": 8, "sequenceId": s })),
        sequence.prop_map(|s| json!({ "type": 9, "sequenceId": s })),
    ]
    .boxed()
}

/// `count` messages, the same on every run (a fixed seed).
pub fn messages(flavor: Flavor, count: usize) -> Vec<Value> {
    let seed = match flavor {
        Flavor::Json => [7u8; 32],
        Flavor::MessagePack => [11u8; 32],
    };
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    let strategy = message(flavor);
    (0..count).map(|_| strategy.new_tree(&mut runner).expect("generation does not fail").current()).collect()
}

/// Milliseconds since the epoch as RFC 3339 (the neutral form of a JS `Date`).
fn millis_rfc3339(ms: i64) -> String {
    signalr_codec_cli::rfc3339::format(ms.div_euclid(1000), (ms.rem_euclid(1000) * 1_000_000) as u32)
}
