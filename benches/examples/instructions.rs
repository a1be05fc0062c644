//! Runs one benchmark body `iterations` times, for counting instructions under callgrind,
//! which (unlike timings on a shared machine) repeats exactly. `benches/instructions.py` runs
//! it for every payload and prints instructions per message next to the floors.
//!
//! ```sh
//! cargo run --release -p signalr-codec-benches --example instructions -- decode/msgpack small_invocation 1000
//! ```

use signalr_codec_benches::comparison::comparisons;
use signalr_codec_benches::floor::{json_ignored_any, msgpack_skip};
use signalr_codec_benches::{all, decode_all};
use signalr_codec_core::{HubDecoder, Limits};
use signalr_codec_json::JsonHubProtocol;
use signalr_codec_msgpack::MessagePackHubProtocol;
use std::hint::black_box;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [body, payload, iterations] = args.as_slice() else {
        eprintln!("usage: instructions <decode/json|decode/msgpack|floor/json_ignored_any|floor/msgpack_skip|none> <payload> <iterations>");
        return ExitCode::FAILURE;
    };
    let Some(p) = all().into_iter().find(|p| &p.name == payload) else {
        eprintln!("no payload named {payload}");
        return ExitCode::FAILURE;
    };
    let Ok(iterations) = iterations.parse::<usize>() else {
        eprintln!("iterations must be a number");
        return ExitCode::FAILURE;
    };
    let limits = Limits::default().with_max_message_size(None);
    let mut json = HubDecoder::new(JsonHubProtocol::with_limits(limits));
    let mut msgpack = HubDecoder::new(MessagePackHubProtocol::with_limits(limits));
    let mut run: Box<dyn FnMut() -> usize> = match body.as_str() {
        "decode/json" => Box::new(|| decode_all(&mut json, black_box(&p.json))),
        "decode/msgpack" => Box::new(|| decode_all(&mut msgpack, black_box(&p.msgpack))),
        "floor/json_ignored_any" => Box::new(|| json_ignored_any(black_box(&p.json))),
        "floor/msgpack_skip" => Box::new(|| msgpack_skip(black_box(&p.msgpack))),
        // The loop and call around every body, subtracted by `instructions.py`.
        "none" => Box::new(|| black_box(1)),
        // Either side of a comparison (`signalr_codec_benches::comparison`): `ours/bind/json`,
        // `theirs/encode/msgpack`, …
        other if other.starts_with("ours/") || other.starts_with("theirs/") => {
            let (side, table) = other.split_once('/').expect("a side");
            let id = format!("{table}/{payload}");
            let Some(c) = comparisons(std::slice::from_ref(payload)).into_iter().find(|c| c.id() == id) else {
                eprintln!("no comparison {id}");
                return ExitCode::FAILURE;
            };
            if side == "ours" {
                c.ours
            } else {
                c.theirs
            }
        }
        other => {
            eprintln!("unknown body {other}");
            return ExitCode::FAILURE;
        }
    };
    let mut messages = 0;
    for _ in 0..iterations {
        messages += run();
    }
    println!("{messages}");
    ExitCode::SUCCESS
}
