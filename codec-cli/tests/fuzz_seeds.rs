//! Replays every committed fuzz seed (`fuzz/seeds/<target>/`) through the same entry points the
//! fuzz targets call, so each crash a campaign found stays fixed.

use std::path::Path;

fn replay(target: &str, entry: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds").join(target);
    let mut count = 0;
    for file in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = file.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| entry(&data));
        assert!(outcome.is_ok(), "seed {} of {target} fails", path.display());
        count += 1;
    }
    assert!(count > 0, "no seeds for {target}");
}

#[test]
fn cross_protocol_seeds() {
    replay("cross_protocol", signalr_codec_cli::fuzzing::cross_protocol);
}
