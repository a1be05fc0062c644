//! What a tokio-util `FramedRead` should hand out, measured: `HubCodec`'s `Bytes`-backed
//! frames parsed where they lie, or owned messages (`into_owned`). Counts instructions under
//! callgrind, which repeats exactly:
//!
//! ```sh
//! cargo build --release -p signalr-codec-benches --example codec_items
//! valgrind --tool=callgrind target/release/examples/codec_items msgpack frames 100
//! ```
//!
//! Each round decodes the canonical `batch_1000_small` (1,000 small invocations as the official
//! client writes them) from one `BytesMut`, as a `FramedRead` would, and looks at each message's
//! target; `owned` also turns each message into an `OwnedMessage`, which is what an owned item
//! would cost. Compare rounds 10 and 110: the difference / 100,000 is per message.

use std::hint::black_box;
use std::process::ExitCode;

use bytes::BytesMut;
use signalr_codec_benches::canonical;
use signalr_codec_core::codec::HubCodec;
use signalr_codec_core::{HubMessage, HubProtocol, Parsed, ToOwnedValue};
use signalr_codec_json::JsonHubProtocol;
use signalr_codec_msgpack::MessagePackHubProtocol;
use tokio_util::codec::Decoder;

fn round<P>(protocol: P, bytes: &[u8], owned: bool) -> usize
where
    P: HubProtocol + Clone,
    for<'a> P::Value<'a>: ToOwnedValue,
{
    let mut codec = HubCodec::new(protocol);
    let mut buf = BytesMut::from(bytes);
    let mut seen = 0;
    while let Some(frame) = codec.decode(&mut buf).expect("the canonical batch decodes") {
        let Ok(Parsed::Message(message)) = frame.parse() else { panic!("a message") };
        if owned {
            let message = message.into_owned();
            if let HubMessage::Invocation(inv) = black_box(&message) {
                seen += inv.target.len();
            }
        } else if let HubMessage::Invocation(inv) = black_box(&message) {
            seen += inv.target.len();
        }
    }
    seen
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [protocol, items, rounds] = args.as_slice() else {
        eprintln!("usage: codec_items <json|msgpack> <frames|owned> <rounds>");
        return ExitCode::FAILURE;
    };
    let Ok(rounds) = rounds.parse::<usize>() else {
        eprintln!("rounds must be a number");
        return ExitCode::FAILURE;
    };
    let owned = items == "owned";
    let batch = canonical().into_iter().find(|p| p.name == "batch_1000_small").expect("batch_1000_small");
    let mut seen = 0;
    for _ in 0..rounds {
        seen += match protocol.as_str() {
            "json" => round(JsonHubProtocol::new(), &batch.json, owned),
            _ => round(MessagePackHubProtocol::new(), &batch.msgpack, owned),
        };
    }
    println!("{seen}");
    ExitCode::SUCCESS
}
