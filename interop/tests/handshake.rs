//! The handshake both ways with the official client: it writes requests (the codec must read
//! them and write the same bytes); it reads responses (it must understand the codec's).

use serde_json::json;
use signalr_codec_core::frame::Status;
use signalr_codec_core::handshake::{HandshakeRequest, HandshakeResponse};
use signalr_codec_core::Limits;
use signalr_codec_interop::Harness;

#[test]
fn requests_are_byte_identical_and_read_back() {
    let Some(mut client) = Harness::start() else { return };
    for protocol in ["json", "messagepack"] {
        for version in [1, 2] {
            let theirs = client.handshake_request(protocol, version);
            let mut ours = Vec::new();
            HandshakeRequest::new(protocol, version).write(&mut ours).unwrap();
            assert_eq!(ours, theirs);
            let Ok(Status::Complete((request, consumed))) = HandshakeRequest::parse(&theirs, &Limits::default()) else {
                panic!("cannot read the client's request")
            };
            assert_eq!((request.protocol.as_str(), request.version, consumed), (protocol, version, theirs.len()));
        }
    }
}

#[test]
fn responses_written_by_the_codec_are_read_by_the_client() {
    let Some(mut client) = Harness::start() else { return };
    let mut buffers = Vec::new();
    for response in [
        HandshakeResponse::success(),
        HandshakeResponse::error("The protocol 'xml' is not supported."),
        HandshakeResponse::error("Grüße \"quoted\"\n😀"),
    ] {
        let mut bytes = Vec::new();
        response.write(&mut bytes).unwrap();
        // The first hub message may share the read.
        bytes.extend_from_slice(b"{\"type\":6}\x1e");
        buffers.push(bytes);
    }
    let read = client.handshake_response(&buffers, false);
    let remaining = b"{\"type\":6}\x1e".to_vec();
    assert_eq!(read[0], Ok((json!({}), remaining.clone())));
    assert_eq!(read[1], Ok((json!({"error": "The protocol 'xml' is not supported."}), remaining.clone())));
    assert_eq!(read[2], Ok((json!({"error": "Grüße \"quoted\"\n😀"}), remaining)));
}

#[test]
fn both_reject_a_hub_message_in_place_of_the_response() {
    let Some(mut client) = Harness::start() else { return };
    let bytes = b"{\"type\":1,\"target\":\"x\",\"arguments\":[]}\x1e".to_vec();
    let theirs = client.handshake_response(std::slice::from_ref(&bytes), false);
    let ours = HandshakeResponse::parse(&bytes, &Limits::default()).unwrap_err();
    assert_eq!(theirs, [Err("Expected a handshake response from the server.".to_owned())]);
    assert_eq!(ours.message().to_string(), "Expected a handshake response from the server.");
}

#[test]
fn on_binary_transports_the_client_reads_the_response_as_latin_1() {
    // A known difference: the client turns each byte of a binary handshake response into one
    // character, so a non-ASCII error text arrives mangled (ASCII texts are unaffected).
    let Some(mut client) = Harness::start() else { return };
    let mut ascii = Vec::new();
    HandshakeResponse::error("The protocol 'xml' is not supported.").write(&mut ascii).unwrap();
    let mut accented = Vec::new();
    HandshakeResponse::error("é").write(&mut accented).unwrap();
    let read = client.handshake_response(&[ascii, accented], true);
    assert_eq!(read[0], Ok((json!({"error": "The protocol 'xml' is not supported."}), vec![])));
    assert_eq!(read[1], Ok((json!({"error": "\u{c3}\u{a9}"}), vec![])));
}
