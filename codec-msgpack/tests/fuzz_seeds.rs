//! Replays every committed fuzz seed (`fuzz/seeds/<target>/`) through the same entry points the
//! fuzz targets call, so each crash a campaign found stays fixed.

use signalr_codec_core::fuzzing::{replay_seeds, seed_dir};

fn replay(target: &str, entry: fn(&[u8])) {
    replay_seeds(&seed_dir(env!("CARGO_MANIFEST_DIR"), target), entry);
}

#[test]
fn msgpack_parse_seeds() {
    replay("msgpack_parse", signalr_codec_msgpack::fuzzing::parse);
}

#[test]
fn msgpack_roundtrip_seeds() {
    replay("msgpack_roundtrip", signalr_codec_msgpack::fuzzing::roundtrip);
}
