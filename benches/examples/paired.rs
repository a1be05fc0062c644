//! Paired wall-time ratios: each decode and its floor run in alternation, in rounds of about half a
//! millisecond, and the medians over all rounds are compared. On a shared machine whose speed
//! drifts by tens of percent over minutes, criterion measures a decode and its floor seconds
//! apart; here the drift hits both sides of a ratio alike.
//!
//! ```sh
//! cargo run --release -p signalr-codec-benches --example paired            # every payload
//! cargo run --release -p signalr-codec-benches --example paired -- ping     # or name some
//! ```

use signalr_codec_benches::floor::{json_ignored_any, msgpack_skip};
use signalr_codec_benches::{all, decode_all};
use signalr_codec_core::{Decoder, Limits};
use signalr_codec_json::JsonHubProtocol;
use signalr_codec_msgpack::MessagePackHubProtocol;
use std::hint::black_box;
use std::time::Instant;

/// Rounds per payload; each round times every body once.
const ROUNDS: usize = 300;
/// How long one timed round of a body lasts, about: long enough that reading the clock is
/// noise, short enough that a slow spell of the machine spans many rounds of every body.
const ROUND_NANOS: f64 = 500_000.0;

fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let names: Vec<String> = std::env::args().skip(1).collect();
    let limits = Limits::default().with_max_message_size(None);
    println!("| payload | json ns/msg | json_ignored_any | ratio | msgpack ns/msg | msgpack_skip | ratio |");
    println!("|---|---|---|---|---|---|---|");
    for p in all().into_iter().filter(|p| names.is_empty() || names.contains(&p.name)) {
        let mut json = Decoder::new(JsonHubProtocol::with_limits(limits));
        let mut msgpack = Decoder::new(MessagePackHubProtocol::with_limits(limits));
        let mut bodies: [Box<dyn FnMut() -> usize + '_>; 4] = [
            Box::new(|| decode_all(&mut json, black_box(&p.json))),
            Box::new(|| json_ignored_any(black_box(&p.json))),
            Box::new(|| decode_all(&mut msgpack, black_box(&p.msgpack))),
            Box::new(|| msgpack_skip(black_box(&p.msgpack))),
        ];
        // Calls per round for each body, from the time of a first batch of calls.
        let calls = bodies.each_mut().map(|body| {
            let start = Instant::now();
            for _ in 0..100 {
                black_box(body());
            }
            let per_call = start.elapsed().as_nanos() as f64 / 100.0;
            ((ROUND_NANOS / per_call.max(1.0)) as usize).max(1)
        });
        let mut samples: [Vec<f64>; 4] = Default::default();
        for _ in 0..ROUNDS {
            for ((body, &iterations), samples) in bodies.iter_mut().zip(&calls).zip(&mut samples) {
                let start = Instant::now();
                for _ in 0..iterations {
                    black_box(body());
                }
                samples.push(start.elapsed().as_nanos() as f64 / (iterations * p.count) as f64);
            }
        }
        let [json, json_floor, msgpack, msgpack_floor] = samples.map(|mut s| median(&mut s));
        println!(
            "| {} | {json:.1} | {json_floor:.1} | {:.2}× | {msgpack:.1} | {msgpack_floor:.1} | {:.2}× |",
            p.name,
            json / json_floor,
            msgpack / msgpack_floor
        );
    }
}
