//! Runs rounds of the connection benchmark's work (a batch of small blocking invocations
//! completed through a server connection, or the bare codec doing the same) for counting
//! instructions under callgrind, which repeats exactly where timings on a shared machine do not:
//!
//! ```sh
//! cargo build --release -p signalr-codec-benches --example connection_instructions
//! valgrind --tool=callgrind target/release/examples/connection_instructions msgpack connection 100
//! ```

use signalr_codec_benches::connection::{batches, json_result, msgpack_result, Bare, Server};
use signalr_codec_json::JsonHubProtocol;
use signalr_codec_msgpack::MessagePackHubProtocol;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [protocol, body, rounds] = args.as_slice() else {
        eprintln!("usage: connection_instructions <json|msgpack> <bare|connection|stateful> <rounds>");
        return ExitCode::FAILURE;
    };
    let Ok(rounds) = rounds.parse::<usize>() else {
        eprintln!("rounds must be a number");
        return ExitCode::FAILURE;
    };
    let (json, msgpack) = batches();
    let mut written = 0;
    match (protocol.as_str(), body.as_str()) {
        ("json", "bare") => {
            let mut bare = Bare::new(JsonHubProtocol::new());
            (0..rounds).for_each(|_| written += bare.round(&json, json_result()))
        }
        ("msgpack", "bare") => {
            let mut bare = Bare::new(MessagePackHubProtocol::new());
            (0..rounds).for_each(|_| written += bare.round(&msgpack, msgpack_result()))
        }
        ("json", "connection" | "stateful") => {
            let mut server = Server::new(JsonHubProtocol::new(), body == "stateful");
            (0..rounds).for_each(|_| written += server.round(&json, json_result()))
        }
        ("msgpack", "connection" | "stateful") => {
            let mut server = Server::new(MessagePackHubProtocol::new(), body == "stateful");
            (0..rounds).for_each(|_| written += server.round(&msgpack, msgpack_result()))
        }
        _ => {
            eprintln!("unknown protocol or body");
            return ExitCode::FAILURE;
        }
    }
    println!("{written}");
    ExitCode::SUCCESS
}
