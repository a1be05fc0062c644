//! Fuzzing entry points for the MessagePack hub protocol: each checks properties, not only the
//! absence of panics. The cargo-fuzz targets in `fuzz/` call these, and the tests replay the
//! committed seeds through them.

use signalr_codec_core::{HubMessage, HubProtocol, Limits, Parsed};

use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue, Serialized};

use crate::structured::{check_roundtrip, owning_keeps_the_message, write_checked, FuzzValue};

/// The message as .NET's writer would carry it: an empty Close error is written as nil.
fn as_written(mut message: signalr_codec_msgpack::Message<'_>) -> signalr_codec_msgpack::Message<'_> {
    if let HubMessage::Close(m) = &mut message {
        if m.error.as_deref() == Some("") {
            m.error = None;
        }
    }
    message
}

/// One frame body: parsing never panics, and a message that parses writes back to a body that
/// parses to the same message. The same bytes as a stream of frames never panic the decoder.
pub fn parse(data: &[u8]) {
    // The fast path for the common frame shapes answers exactly as the general parser would,
    // under the default limits and under limits tight enough to matter for small frames.
    let tight = Limits::default().with_max_depth(2).with_max_arguments(1).with_max_headers(1).with_max_stream_ids(0);
    for limits in [Limits::default(), tight] {
        let protocol = MessagePackHubProtocol::with_limits(limits);
        assert_eq!(
            protocol.parse(data),
            signalr_codec_msgpack::__private::parse_general(data, &limits),
            "fast path differs"
        );
    }
    let protocol = MessagePackHubProtocol::with_limits(Limits::default());
    if let Ok(Parsed::Message(message)) = protocol.parse(data) {
        owning_keeps_the_message(&protocol, &message);
        // Payloads a binding failure left unreadable (arguments that are not an array) are
        // kept raw and refuse to be written; everything else must round-trip.
        if let Ok(written) = protocol.to_vec(&message) {
            let mut decoder =
                signalr_codec_core::HubDecoder::new(MessagePackHubProtocol::with_limits(Limits::unlimited()));
            let reparsed = decoder.decode(&written).expect("written frames parse");
            let signalr_codec_core::Status::Complete((reparsed, consumed)) = reparsed else {
                panic!("a written frame is incomplete")
            };
            assert_eq!(consumed, written.len());
            assert_eq!(reparsed, Parsed::Message(as_written(message)), "parse → write → parse changed the message");
        }
    }
    let mut decoder = signalr_codec_core::HubDecoder::new(protocol);
    for item in decoder.messages(data) {
        if item.is_err() {
            break;
        }
    }
}

/// A structured message written and parsed back: every field and payload value survives.
pub fn roundtrip(data: &[u8]) {
    let protocol = MessagePackHubProtocol::with_limits(Limits::unlimited());
    check_roundtrip(&protocol, data, |model| write_checked(&protocol, &model.map_values(Serialized)), bind);
}

fn bind(raw: &RawValue<'_>) -> FuzzValue {
    raw.deserialize().expect("payloads bind")
}
