//! Fuzzing entry points for the JSON hub protocol: each checks properties, not only the absence
//! of panics. The cargo-fuzz targets in `fuzz/` call these, and the tests replay the committed
//! seeds through them.

use signalr_codec_core::{HubMessage, HubProtocol, Limits, Outcome, Parsed};

use signalr_codec_json::negotiate::NegotiateResponse;
use signalr_codec_json::{JsonHubProtocol, RawJson, Serialized};

use crate::structured::{check_roundtrip, owning_keeps_the_message, write_checked, FuzzValue};

/// The message as .NET's writer would carry it: an empty invocation id is not written, and an
/// empty Completion error is written as void.
fn as_written<'a>(mut message: HubMessage<'a, RawJson<'a>>) -> HubMessage<'a, RawJson<'a>> {
    match &mut message {
        HubMessage::Invocation(m) if m.invocation_id.as_deref() == Some("") => m.invocation_id = None,
        HubMessage::Completion(m) if m.outcome.error().is_some_and(|e| e.is_empty()) => m.outcome = Outcome::Void,
        _ => {}
    }
    message
}

/// One record (without its 0x1E): parsing never panics, the reader of the common shapes agrees
/// with the general parser, and a message that parses writes back to bytes that parse to the
/// same message. The same bytes as a stream of records never panic
/// the decoder either. And the JSON scanner's two walks agree (`walks_agree`).
pub fn parse(data: &[u8]) {
    walks_agree(data);
    let protocol = JsonHubProtocol::with_limits(Limits::default());
    let parsed = protocol.parse(data);
    // The reader of the common shapes takes a record only as the general parser would.
    assert_eq!(
        parsed,
        signalr_codec_json::__private::parse_general(data, &Limits::default()),
        "the common-shape reader disagrees"
    );
    if let Ok(Parsed::Message(message)) = parsed {
        match &message {
            HubMessage::Invocation(m) => binds_as_serde_json_reads(&m.arguments),
            HubMessage::StreamInvocation(m) => binds_as_serde_json_reads(&m.arguments),
            HubMessage::StreamItem(m) => binds_as_serde_json_reads(&m.item),
            HubMessage::Completion(m) => m.outcome.result().into_iter().for_each(binds_as_serde_json_reads),
            _ => {}
        }
        let written = protocol.to_vec(&message).expect("a parsed message writes");
        owning_keeps_the_message(&protocol, &message);
        let (record, separator) = written.split_at(written.len() - 1);
        assert_eq!(separator, [0x1E]);
        let reparsed = JsonHubProtocol::with_limits(Limits::unlimited()).parse(record).expect("written records parse");
        assert_eq!(reparsed, Parsed::Message(as_written(message)), "parse → write → parse changed the message");
    }
    let mut decoder = signalr_codec_core::HubDecoder::new(protocol);
    for item in decoder.messages(data) {
        if item.is_err() {
            break;
        }
    }
}

/// The JSON scanner's walk over text (the envelope reader's: strings found through a 64-byte
/// window of special-byte bits, with SSE2 on x86_64) ends, or fails at the same offset, where
/// its walk over bytes (the handshake reader's: each string scanned where it starts) does.
fn walks_agree(data: &[u8]) {
    use signalr_codec_core::json::scan::Scanner;
    if core::str::from_utf8(data).is_err() {
        // The text walk reads the valid prefix only.
        return;
    }
    let mut over_text = Scanner::new(data, 64);
    let mut over_bytes = Scanner::over(data, 64);
    assert_eq!(
        over_text.skip_value(0).map(|()| over_text.pos),
        over_bytes.skip_value(0).map(|()| over_bytes.pos),
        "the walks over text and over bytes disagree"
    );
}

/// A payload binds as serde_json reads its text (the binder for validated JSON answers only
/// what serde_json would, and hands the rest to it): the same value, or an error with the same
/// text.
fn binds_as_serde_json_reads(raw: &RawJson<'_>) {
    use serde_json::Value;
    let expected = serde_json::from_str::<Value>(raw.get()).map_err(|e| e.to_string());
    let bound = raw.deserialize::<Value>().map_err(|e| e.message().to_string());
    assert_eq!(bound, expected, "binding disagrees with serde_json");
    if raw.is_array() {
        let expected = serde_json::from_str::<Vec<Value>>(raw.get()).ok();
        assert_eq!(raw.bind::<Vec<Value>>().ok(), expected, "binding an array disagrees with serde_json");
        let expected = serde_json::from_str::<(Value, Option<String>)>(raw.get()).ok();
        assert_eq!(raw.bind::<(Value, Option<String>)>().ok(), expected, "binding a tuple disagrees with serde_json");
        // Typed targets, borrowed strings and numbers of every width included.
        type Typed<'a> = (&'a str, i8, u64, f32, Option<bool>, Vec<u16>, Shape<'a>);
        let expected = serde_json::from_str::<Typed<'_>>(raw.get()).ok();
        assert_eq!(raw.bind::<Typed<'_>>().ok(), expected, "binding typed arguments disagrees with serde_json");
    }
    let expected = serde_json::from_str::<Shape<'_>>(raw.get()).ok();
    assert_eq!(raw.deserialize::<Shape<'_>>().ok(), expected, "binding a struct disagrees with serde_json");
}

/// A struct as a hub method's argument would be: read from an object (or an array), unknown
/// members skipped, absent options defaulted.
#[derive(Debug, PartialEq, serde::Deserialize)]
struct Shape<'a> {
    #[serde(borrow)]
    name: Option<&'a str>,
    id: Option<i64>,
    #[serde(default)]
    tags: Vec<String>,
    price: Option<f64>,
    #[serde(default)]
    nested: Option<Vec<Option<u8>>>,
}

/// A structured message written and parsed back: every field, and every payload value, survives.
pub fn roundtrip(data: &[u8]) {
    let protocol = JsonHubProtocol::with_limits(Limits::unlimited());
    check_roundtrip(&protocol, data, |model| write_checked(&protocol, &model.map_values(Serialized)), bind);
}

fn bind(raw: &RawJson<'_>) -> FuzzValue {
    raw.deserialize().expect("payloads bind")
}

/// The negotiate response: parsing never panics; what parses writes back to bytes that parse to
/// the same response as .NET writes it: an error alone, otherwise no empty strings,
/// `connectionToken` only from negotiate version 1, and `availableTransports` always (an absent
/// list reads back empty).
pub fn negotiate(data: &[u8]) {
    let Ok(response) = NegotiateResponse::parse(data) else { return };
    let mut expected = response.clone();
    for field in [
        &mut expected.url,
        &mut expected.access_token,
        &mut expected.connection_id,
        &mut expected.connection_token,
        &mut expected.error,
    ] {
        if field.as_deref() == Some("") {
            *field = None;
        }
    }
    if expected.negotiate_version < 1 {
        expected.connection_token = None;
    }
    match expected.error.take() {
        // An error response is written as the error alone.
        Some(error) => expected = NegotiateResponse { error: Some(error), ..NegotiateResponse::default() },
        None => {
            expected.available_transports.get_or_insert_with(Vec::new);
        }
    }
    // With an empty string where a required value should be, .NET writes a response no reader
    // accepts (`{"error":""}` becomes `{"availableTransports":[]}`; a version-1 response with
    // `"connectionToken":""` loses its token): nothing to compare.
    let readable = expected.error.is_some()
        || expected.url.is_some()
        || (expected.connection_id.is_some()
            && (expected.negotiate_version < 1 || expected.connection_token.is_some()));
    if !readable {
        return;
    }
    let written = response.to_vec();
    let reparsed = NegotiateResponse::parse(&written).expect("a written negotiate response parses");
    assert_eq!(reparsed, expected, "negotiate parse → write → parse changed the response");
}
