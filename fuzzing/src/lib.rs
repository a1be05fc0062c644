//! The fuzzing properties of signalr-codec, kept out of the library crates.
//!
//! Each entry point takes one input (`fn(&[u8])`) and checks properties, not only the absence
//! of panics. The cargo-fuzz targets in `fuzz/` and the AFL++ binary in `fuzz/afl/` call them
//! through [`TARGETS`], and this crate's tests replay every committed seed in
//! `fuzz/seeds/<target>/` through the same functions on plain `cargo test`, so a crash a
//! campaign found becomes a regression test by committing its input. Not published; not an API.
//!
//! Where a property needs more than a crate's public API (the JSON and MessagePack general
//! parsers the fast paths are checked against, the connection's input window), the crate
//! exposes it as a `#[doc(hidden)]` item that says it exists for this crate.

pub mod cli;
pub mod connection;
pub mod framing;
pub mod handshake;
pub mod json;
pub mod msgpack;
pub mod structured;

use std::path::{Path, PathBuf};

/// An entry point: checks its target's properties on one input, panicking when one fails.
pub type Entry = fn(&[u8]);

/// Every target: its name (the cargo-fuzz binary, the `fuzz/seeds/` folder) and its entry point.
pub const TARGETS: &[(&str, Entry)] = &[
    ("record_framer", framing::record_framer),
    ("length_prefix_framer", framing::length_prefix_framer),
    ("handshake_request", handshake::handshake_request),
    ("handshake_response", handshake::handshake_response),
    ("json_parse", json::parse),
    ("json_roundtrip", json::roundtrip),
    ("negotiate", json::negotiate),
    ("msgpack_parse", msgpack::parse),
    ("msgpack_roundtrip", msgpack::roundtrip),
    ("cross_protocol", cli::cross_protocol),
    ("connection", connection::connection),
    ("cli", cli::cli),
];

/// The entry point of the target called `name`.
pub fn entry(name: &str) -> Option<Entry> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, entry)| *entry)
}

/// The committed seeds of `target` in this repository: `fuzz/seeds/<target>/`.
pub fn seed_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("fuzz").join("seeds").join(target)
}

/// Runs `entry` on every file of a seed directory, so that every input a campaign found stays
/// fixed. Panics, naming the seed, when one fails, and when the directory holds no seeds.
pub fn replay_seeds(dir: &Path, entry: Entry) {
    let mut count = 0;
    let files = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for file in files {
        let path = file.expect("a readable directory entry").path();
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if std::panic::catch_unwind(|| entry(&data)).is_err() {
            panic!("seed {} fails", path.display());
        }
        count += 1;
    }
    assert!(count > 0, "no seeds in {}", dir.display());
}
