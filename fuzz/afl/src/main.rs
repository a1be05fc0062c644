//! The AFL++ binary: `afl <target>` runs the named target's entry point (the same one the
//! cargo-fuzz target calls) on each input AFL++ feeds it. See `fuzz/README.md`.

#[global_allocator]
static ALLOCATOR: signalr_codec_fuzz::BoundedAllocator = signalr_codec_fuzz::BoundedAllocator;

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(entry) = signalr_codec_fuzz::entry(&name) else {
        let names: Vec<&str> = signalr_codec_fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!("usage: afl <target>, one of: {}", names.join(", "));
        std::process::exit(2);
    };
    afl::fuzz!(|data: &[u8]| entry(data));
}
