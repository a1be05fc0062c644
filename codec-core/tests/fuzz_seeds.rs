//! Replays every committed fuzz seed (`fuzz/seeds/<target>/`) through the same entry points the
//! fuzz targets call, so each crash a campaign found stays fixed.

use signalr_codec_core::fuzzing::{replay_seeds, seed_dir};

fn replay(target: &str, entry: fn(&[u8])) {
    replay_seeds(&seed_dir(env!("CARGO_MANIFEST_DIR"), target), entry);
}

#[test]
fn record_framer_seeds() {
    replay("record_framer", signalr_codec_core::fuzzing::record_framer);
}

#[test]
fn length_prefix_framer_seeds() {
    replay("length_prefix_framer", signalr_codec_core::fuzzing::length_prefix_framer);
}

#[test]
fn handshake_request_seeds() {
    replay("handshake_request", signalr_codec_core::fuzzing::handshake_request);
}

#[test]
fn handshake_response_seeds() {
    replay("handshake_response", signalr_codec_core::fuzzing::handshake_response);
}
