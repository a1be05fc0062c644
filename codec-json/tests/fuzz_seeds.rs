//! Replays every committed fuzz seed (`fuzz/seeds/<target>/`) through the same entry points the
//! fuzz targets call, so each crash a campaign found stays fixed.

use signalr_codec_core::fuzzing::{replay_seeds, seed_dir};

fn replay(target: &str, entry: fn(&[u8])) {
    replay_seeds(&seed_dir(env!("CARGO_MANIFEST_DIR"), target), entry);
}

#[test]
fn json_parse_seeds() {
    replay("json_parse", signalr_codec_json::fuzzing::parse);
}

#[test]
fn json_roundtrip_seeds() {
    replay("json_roundtrip", signalr_codec_json::fuzzing::roundtrip);
}

#[test]
fn negotiate_seeds() {
    replay("negotiate", signalr_codec_json::fuzzing::negotiate);
}
