//! Replays every committed fuzz seed (`fuzz/seeds/connection/`) through the entry point the
//! fuzz target calls, so each crash a campaign found stays fixed; and keeps the generated
//! seeds and the committed files the same (`WRITE_SEEDS=1` writes them).

use signalr_codec_core::fuzzing::{replay_seeds, seed_dir};

#[test]
fn connection_seeds() {
    replay_seeds(&seed_dir(env!("CARGO_MANIFEST_DIR"), "connection"), signalr_codec_connection::fuzzing::connection);
}

#[test]
fn generated_seeds_are_committed() {
    let dir = seed_dir(env!("CARGO_MANIFEST_DIR"), "connection");
    let write = std::env::var_os("WRITE_SEEDS").is_some();
    for (name, bytes) in signalr_codec_connection::fuzzing::seeds() {
        let path = dir.join(name);
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(committed, bytes, "{name} differs from its generator: rerun with WRITE_SEEDS=1");
    }
}
