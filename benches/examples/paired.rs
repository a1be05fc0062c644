//! Paired timings of every comparison in `signalr_codec_benches::comparison`: this codec's body
//! and the body it is measured against run in alternation, in rounds of about half a
//! millisecond each, and the ratio reported is the median of the per-round ratios. On a shared
//! machine whose speed drifts by tens of percent over seconds, criterion measures the two sides
//! seconds apart; here a slow spell hits both sides of a ratio alike.
//!
//! Prints one JSON object per line (`benches/readme.py` turns them into the README's tables):
//!
//! ```sh
//! cargo run --release -p signalr-codec-benches --example paired                 # everything
//! cargo run --release -p signalr-codec-benches --example paired -- ping decode json  # or filter
//! ```
//!
//! Arguments filter by payload name, table (`decode`, `bind`, `encode`, `frame`) or protocol
//! (`json`, `msgpack`).

use signalr_codec_benches::all;
use signalr_codec_benches::alternate::{median, ROUND_NANOS};
use signalr_codec_benches::comparison::{comparisons, Body};
use signalr_codec_core::frame::{Framer, LengthPrefixFramer, RecordFramer};
use signalr_codec_core::Limits;
use std::hint::black_box;
use std::time::Instant;

/// Rounds per comparison; each round times both bodies once.
const ROUNDS: usize = 301;

/// Calls of `body` that take about one round.
fn calls_per_round(body: &mut Body) -> usize {
    for _ in 0..10 {
        black_box(body());
    }
    let start = Instant::now();
    for _ in 0..100 {
        black_box(body());
    }
    let per_call = start.elapsed().as_nanos() as f64 / 100.0;
    ((ROUND_NANOS / per_call.max(1.0)) as usize).max(1)
}

fn time_round(body: &mut Body, calls: usize) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        black_box(body());
    }
    start.elapsed().as_nanos() as f64 / calls as f64
}

fn main() {
    let filters: Vec<String> = std::env::args().skip(1).collect();
    let (table_filter, rest): (Vec<String>, Vec<String>) =
        filters.into_iter().partition(|f| ["decode", "bind", "encode", "frame"].contains(&f.as_str()));
    let (protocol_filter, payload_filter): (Vec<String>, Vec<String>) =
        rest.into_iter().partition(|f| f == "json" || f == "msgpack");
    let wants = |table: &str| table_filter.is_empty() || table_filter.iter().any(|t| t == table);
    let speaks = |protocol: &str| protocol_filter.is_empty() || protocol_filter.iter().any(|p| p == protocol);

    for mut c in comparisons(&payload_filter).into_iter().filter(|c| wants(c.table.name()) && speaks(c.protocol)) {
        let calls = [calls_per_round(&mut c.ours), calls_per_round(&mut c.theirs)];
        let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            // Alternate which side goes first, so neither always runs on a warmer cache.
            let (a, b) = if round % 2 == 0 {
                let a = time_round(&mut c.ours, calls[0]);
                (a, time_round(&mut c.theirs, calls[1]))
            } else {
                let b = time_round(&mut c.theirs, calls[1]);
                (time_round(&mut c.ours, calls[0]), b)
            };
            ours.push(a / c.messages as f64);
            theirs.push(b / c.messages as f64);
            ratios.push(a / b);
        }
        println!(
            r#"{{"table":"{}","payload":"{}","protocol":"{}","against":"{}","messages":{},"bytes":{},"ours_ns":{:.2},"theirs_ns":{:.2},"ratio":{:.4}}}"#,
            c.table.name(),
            c.payload,
            c.protocol,
            c.against,
            c.messages,
            c.bytes,
            median(&mut ours),
            median(&mut theirs),
            median(&mut ratios)
        );
    }

    // Framing alone: splitting a batch into frames, in bytes per second.
    if wants("frame") {
        let limits = Limits::default().with_max_message_size(None);
        for p in all().into_iter().filter(|p| p.name == "batch_1000_small") {
            for (protocol, buf) in [("json", &p.json), ("msgpack", &p.msgpack)].into_iter().filter(|(p, _)| speaks(p)) {
                let mut body: Body = if protocol == "json" {
                    let (mut framer, buf) = (RecordFramer::new(limits), buf.clone());
                    Box::new(move || framer.frames(&buf).count())
                } else {
                    let (mut framer, buf) = (LengthPrefixFramer::new(limits), buf.clone());
                    Box::new(move || framer.frames(&buf).count())
                };
                let calls = calls_per_round(&mut body);
                let mut samples: Vec<f64> = (0..ROUNDS).map(|_| time_round(&mut body, calls)).collect();
                let ns = median(&mut samples);
                println!(
                    r#"{{"table":"frame","payload":"{}","protocol":"{protocol}","bytes":{},"ns":{ns:.1},"gb_per_s":{:.2}}}"#,
                    p.name,
                    buf.len(),
                    buf.len() as f64 / ns
                );
            }
        }
    }
}
