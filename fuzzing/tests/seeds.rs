//! Replays every committed fuzz seed (`fuzz/seeds/<target>/`) through the same entry points the
//! fuzz targets call, so each crash a campaign found stays fixed; and keeps the generated
//! connection seeds and the committed files the same (`WRITE_SEEDS=1` writes them).

use signalr_codec_fuzzing::{cli, connection, framing, handshake, json, msgpack, replay_seeds, seed_dir, TARGETS};

fn replay(target: &str, entry: fn(&[u8])) {
    replay_seeds(&seed_dir(target), entry);
}

#[test]
fn record_framer_seeds() {
    replay("record_framer", framing::record_framer);
}

#[test]
fn length_prefix_framer_seeds() {
    replay("length_prefix_framer", framing::length_prefix_framer);
}

#[test]
fn handshake_request_seeds() {
    replay("handshake_request", handshake::handshake_request);
}

#[test]
fn handshake_response_seeds() {
    replay("handshake_response", handshake::handshake_response);
}

#[test]
fn json_parse_seeds() {
    replay("json_parse", json::parse);
}

#[test]
fn json_roundtrip_seeds() {
    replay("json_roundtrip", json::roundtrip);
}

#[test]
fn negotiate_seeds() {
    replay("negotiate", json::negotiate);
}

#[test]
fn msgpack_parse_seeds() {
    replay("msgpack_parse", msgpack::parse);
}

#[test]
fn msgpack_roundtrip_seeds() {
    replay("msgpack_roundtrip", msgpack::roundtrip);
}

#[test]
fn cross_protocol_seeds() {
    replay("cross_protocol", cli::cross_protocol);
}

#[test]
fn cli_seeds() {
    replay("cli", cli::cli);
}

#[test]
fn connection_seeds() {
    replay("connection", connection::connection);
}

/// Every seed folder belongs to a target (a renamed target leaves none behind), and every
/// target has a replay test above (each name appears in this file as `replay("<name>"`).
#[test]
fn every_target_has_seeds_and_a_replay_test() {
    let this_file = include_str!("seeds.rs");
    let mut folders: Vec<String> = std::fs::read_dir(seed_dir(""))
        .expect("fuzz/seeds")
        .map(|entry| entry.expect("a readable directory entry").file_name().into_string().expect("a UTF-8 name"))
        .collect();
    folders.sort();
    let mut targets: Vec<String> = TARGETS.iter().map(|(name, _)| name.to_string()).collect();
    targets.sort();
    assert_eq!(folders, targets, "seed folders and targets differ");
    for name in &targets {
        assert!(this_file.contains(&format!("replay(\"{name}\"")), "no replay test for {name}");
    }
}

#[test]
fn generated_seeds_are_committed() {
    let dir = seed_dir("connection");
    let write = std::env::var_os("WRITE_SEEDS").is_some();
    for (name, bytes) in connection::seeds() {
        let path = dir.join(name);
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(committed, bytes, "{name} differs from its generator: rerun with WRITE_SEEDS=1");
    }
}
