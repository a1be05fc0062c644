//! Paired wall-time ratios for the connection, as `paired.rs` does for the decoders: the bare
//! decode + encode of a batch of small invocations and the same batch through a server
//! `Connection` (without and with stateful reconnect) run in alternation, in rounds of about
//! half a millisecond each, the body that goes first turning each round. Each ratio is the
//! median of the rounds' own ratios, so that the machine's drift hits both sides of a ratio
//! alike; the ns per message are the medians of each body's rounds.
//!
//! ```sh
//! cargo run --release -p signalr-codec-benches --example connection_paired            # a table
//! cargo run --release -p signalr-codec-benches --example connection_paired -- --json  # JSON lines
//! ```

use signalr_codec_benches::alternate::alternated;
use signalr_codec_benches::connection::{batches, json_result, msgpack_result, Bare, Server, BATCH};
use signalr_codec_core::{Encode, HubProtocol};
use signalr_codec_json::JsonHubProtocol;
use signalr_codec_msgpack::MessagePackHubProtocol;

const ROUNDS: usize = 300;

/// One protocol's line: a Markdown table row, or a JSON object for `benches/readme.py`.
fn report(
    json_lines: bool,
    protocol: &str,
    [bare, plain, stateful]: [f64; 3],
    [_, plain_ratio, stateful_ratio]: [f64; 3],
) {
    if json_lines {
        println!(
            "{{\"protocol\":\"{protocol}\",\"bare_ns\":{bare:.2},\"connection_ns\":{plain:.2},\"connection_ratio\":{plain_ratio:.4},\"stateful_ns\":{stateful:.2},\"stateful_ratio\":{stateful_ratio:.4}}}"
        );
    } else {
        println!("| {protocol} | {bare:.1} | {plain:.1} | {plain_ratio:.2}× | {stateful:.1} | {stateful_ratio:.2}× |");
    }
}

fn main() {
    let json_lines = std::env::args().any(|a| a == "--json");
    let (json, msgpack) = batches();
    if !json_lines {
        println!("| protocol | bare ns/msg | connection | ratio | stateful | ratio |");
        println!("|---|---|---|---|---|---|");
    }
    let (ns, ratios) = timed(JsonHubProtocol::new(), &json, json_result());
    report(json_lines, "json", ns, ratios);
    let (ns, ratios) = timed(MessagePackHubProtocol::new(), &msgpack, msgpack_result());
    report(json_lines, "msgpack", ns, ratios);
}

/// The bare codec, a connection and a connection with stateful reconnect over `batch`, in
/// alternation: ns per message of each, and each one's ratio to the bare codec.
fn timed<P: HubProtocol + Clone, R: Encode<P> + Copy>(protocol: P, batch: &[u8], result: R) -> ([f64; 3], [f64; 3]) {
    let mut bare = Bare::new(protocol.clone());
    let mut plain = Server::new(protocol.clone(), false);
    let mut stateful = Server::new(protocol, true);
    alternated(
        [
            Box::new(|| bare.round(batch, result)),
            Box::new(|| plain.round(batch, result)),
            Box::new(|| stateful.round(batch, result)),
        ],
        [BATCH; 3],
        ROUNDS,
    )
}
