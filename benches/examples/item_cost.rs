//! What handing out a message costs on its own, for MessagePack, next to the skip-walk floor:
//! the floor (`msgpack_skip`); the same walk handing each frame out as a Ping in the decoder's
//! item type and dropping it (`msgpack_skip_yielding_ping`), the least any decoder handing out
//! that type can do; the same with each item forgotten instead of dropped (the item type's
//! drop glue taken out); and the decoder. Timed in alternation as the other paired runners
//! are; each ratio is the median of the rounds' own ratios to the floor.
//!
//! ```sh
//! cargo run --release -p signalr-codec-benches --example item_cost
//! ```

use signalr_codec_benches::alternate::alternated;
use signalr_codec_benches::floor::{msgpack_skip, msgpack_skip_yielding_ping, msgpack_skip_yielding_ping_forgotten};
use signalr_codec_benches::{all, decode_all};
use signalr_codec_core::{HubDecoder, Limits};
use signalr_codec_msgpack::MessagePackHubProtocol;
use std::hint::black_box;

const ROUNDS: usize = 201;

fn main() {
    let filter: Vec<String> = std::env::args().skip(1).collect();
    println!("| payload | skip walk | + a Ping handed out and dropped | ratio | + forgotten instead | ratio | the decoder | ratio |");
    println!("|---|---|---|---|---|---|---|---|");
    let limits = Limits::default().with_max_message_size(None);
    for p in all().into_iter().filter(|p| filter.is_empty() || filter.contains(&p.name)) {
        let mut decoder = HubDecoder::new(MessagePackHubProtocol::with_limits(limits));
        let buf = &p.msgpack;
        // Every body walks the same frames.
        assert_eq!(msgpack_skip_yielding_ping(buf), p.count);
        assert_eq!(decode_all(&mut decoder, buf), p.count);
        let (ns, ratios) = alternated(
            [
                Box::new(|| msgpack_skip(black_box(buf))),
                Box::new(|| msgpack_skip_yielding_ping(black_box(buf))),
                Box::new(|| msgpack_skip_yielding_ping_forgotten(black_box(buf))),
                Box::new(|| decode_all(&mut decoder, black_box(buf))),
            ],
            [p.count; 4],
            ROUNDS,
        );
        println!(
            "| {} | {:.1} ns | {:.1} ns | {:.2}× | {:.1} ns | {:.2}× | {:.1} ns | {:.2}× |",
            p.name, ns[0], ns[1], ratios[1], ns[2], ratios[2], ns[3], ratios[3]
        );
    }
}
