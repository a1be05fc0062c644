//! Replays every committed fuzz seed (`fuzz/seeds/<target>/`) through the same entry points the
//! fuzz targets call, so each crash a campaign found stays fixed.

use signalr_codec_core::fuzzing::{replay_seeds, seed_dir};

fn replay(target: &str, entry: fn(&[u8])) {
    replay_seeds(&seed_dir(env!("CARGO_MANIFEST_DIR"), target), entry);
}

#[test]
fn cross_protocol_seeds() {
    replay("cross_protocol", signalr_codec_cli::fuzzing::cross_protocol);
}

#[test]
fn cli_seeds() {
    replay("cli", signalr_codec_cli::fuzzing::cli);
}
