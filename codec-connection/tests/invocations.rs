//! Invocations and streams (hub-protocol.md §4, §12): ids as the official clients number them,
//! completions and items matched to calls, the server's bookkeeping, and Close.

mod common;

/// An empty argument list (serde writes `()` as null, which is not an argument array).
const NO_ARGS: [u8; 0] = [];

use common::*;
use signalr_codec_connection::codec_core::Headers;
use signalr_codec_connection::{CallId, Config, Connection, FailureKind, Request, SendError, State};
use signalr_codec_json::{JsonHubProtocol, RawJson, Serialized};
use signalr_codec_msgpack::MessagePackHubProtocol;

#[test]
fn the_client_numbers_calls_from_zero_as_the_js_client_does() {
    let mut client = json_client(Config::client());
    assert_eq!(client.invoke("Add", Serialized((1, 2))).unwrap(), CallId(0));
    client.send("Notify", Serialized(("x",))).unwrap();
    assert_eq!(client.stream("Counter", Serialized((3, 10))).unwrap(), CallId(1));
    assert_eq!(
        text(&mut client),
        "{\"type\":1,\"invocationId\":\"0\",\"target\":\"Add\",\"arguments\":[1,2]}\x1e\
         {\"type\":1,\"target\":\"Notify\",\"arguments\":[\"x\"]}\x1e\
         {\"type\":4,\"invocationId\":\"1\",\"target\":\"Counter\",\"arguments\":[3,10]}\x1e"
    );
    assert_eq!(client.pending_calls(), 2);
}

#[test]
fn completions_and_items_are_matched_to_their_calls() {
    let mut client = json_client(Config::client());
    let add = client.invoke("Add", Serialized((1, 2))).unwrap();
    let counter = client.stream("Counter", Serialized((2, 0))).unwrap();
    feed(
        &mut client,
        t(1),
        b"{\"type\":2,\"invocationId\":\"1\",\"item\":0}\x1e\
          {\"type\":3,\"invocationId\":\"7\",\"result\":1}\x1e\
          {\"type\":3,\"invocationId\":\"0\",\"result\":3}\x1e\
          {\"type\":2,\"invocationId\":\"1\",\"item\":1}\x1e\
          {\"type\":3,\"invocationId\":\"1\"}\x1e\
          {\"type\":3,\"invocationId\":\"0\",\"error\":\"late\"}\x1e",
    );
    assert_eq!(
        events(&mut client),
        [
            Ev::StreamItem(counter, "0".into()),
            Ev::Completion(add, Ok(Some("3".into()))),
            Ev::StreamItem(counter, "1".into()),
            Ev::Completion(counter, Ok(None)),
        ]
    );
    // "7" was never issued, and "0" was already completed: both ignored, as .NET ignores them.
    assert_eq!(client.stats().unknown_ids, 2);
    assert_eq!(client.pending_calls(), 0);
}

#[test]
fn a_cancelled_stream_drops_what_still_arrives() {
    let mut client = json_client(Config::client());
    let call = client.stream("Counter", Serialized((10, 100))).unwrap();
    output(&mut client);
    client.cancel(call).unwrap();
    assert_eq!(text(&mut client), "{\"type\":5,\"invocationId\":\"0\"}\x1e");
    feed(
        &mut client,
        t(1),
        b"{\"type\":2,\"invocationId\":\"0\",\"item\":5}\x1e{\"type\":3,\"invocationId\":\"0\"}\x1e",
    );
    assert!(events(&mut client).is_empty());
    assert_eq!(client.cancel(call), Err(SendError::Unknown));
}

#[test]
fn upload_streams_take_their_ids_before_the_invocation() {
    let mut client = json_client(Config::client());
    let headers = [("traceparent", "00-01")];
    let issued = client
        .request(
            Request::invoke("Sum", Serialized(NO_ARGS)).with_uploads(2).with_headers(Headers::from_pairs(&headers)),
        )
        .unwrap();
    assert_eq!(issued.call, Some(CallId(2)));
    let uploads: Vec<_> = issued.uploads().collect();
    client.upload_item(uploads[0], Serialized(5)).unwrap();
    client.upload_item(uploads[1], Serialized(7)).unwrap();
    client.end_upload(uploads[0], None).unwrap();
    client.end_upload(uploads[1], Some("broken")).unwrap();
    assert_eq!(
        text(&mut client),
        "{\"type\":1,\"headers\":{\"traceparent\":\"00-01\"},\"invocationId\":\"2\",\"target\":\"Sum\",\"arguments\":[],\"streamIds\":[\"0\",\"1\"]}\x1e\
         {\"type\":2,\"invocationId\":\"0\",\"item\":5}\x1e\
         {\"type\":2,\"invocationId\":\"1\",\"item\":7}\x1e\
         {\"type\":3,\"invocationId\":\"0\"}\x1e\
         {\"type\":3,\"invocationId\":\"1\",\"error\":\"broken\"}\x1e"
    );
    assert_eq!(client.upload_item(uploads[0], Serialized(1)), Err(SendError::Unknown));
    assert_eq!(client.invoke("Add", Serialized(NO_ARGS)).unwrap(), CallId(3));
}

#[test]
fn the_server_hands_out_one_blocking_invocation_at_a_time_by_default() {
    let mut server = json_server(Config::server(), 1);
    feed(
        &mut server,
        t(1),
        b"{\"type\":1,\"invocationId\":\"1\",\"target\":\"Slow\",\"arguments\":[]}\x1e\
          {\"type\":1,\"target\":\"Notify\",\"arguments\":[]}\x1e\
          {\"type\":1,\"invocationId\":\"2\",\"target\":\"Echo\",\"arguments\":[\"a\"]}\x1e\
          {\"type\":1,\"target\":\"Notify\",\"arguments\":[]}\x1e",
    );
    let first = events(&mut server);
    let [Ev::Invocation { handle: Some(slow), .. }, Ev::Invocation { handle: None, target: notify, .. }] = &first[..]
    else {
        panic!("{first:?}")
    };
    assert_eq!(notify, "Notify");
    // "Echo" waits, unread, until "Slow" completes (MaximumParallelInvocationsPerClient = 1).
    assert_eq!(server.invocations_in_progress(), 1);
    server.complete_void(*slow).unwrap();
    let next = events(&mut server);
    assert!(
        matches!(&next[..], [Ev::Invocation { handle: Some(_), target, .. }, Ev::Invocation { handle: None, .. }] if target == "Echo"),
        "{next:?}"
    );
    assert_eq!(text(&mut server), "{\"type\":3,\"invocationId\":\"1\"}\x1e");

    let mut parallel = json_server(Config::server().with_max_parallel_invocations(2), 1);
    feed(
        &mut parallel,
        t(1),
        b"{\"type\":1,\"invocationId\":\"1\",\"target\":\"A\",\"arguments\":[]}\x1e\
          {\"type\":1,\"invocationId\":\"2\",\"target\":\"B\",\"arguments\":[]}\x1e",
    );
    assert_eq!(events(&mut parallel).len(), 2);
}

#[test]
fn the_server_serves_streams_and_hears_cancellations() {
    let mut server = json_server(Config::server(), 1);
    feed(&mut server, t(1), b"{\"type\":4,\"invocationId\":\"s\",\"target\":\"Counter\",\"arguments\":[3,1]}\x1e");
    let [Ev::StreamInvocation { handle, target, arguments, .. }] = &events(&mut server)[..] else { panic!() };
    assert_eq!((target.as_str(), arguments.as_str()), ("Counter", "[3,1]"));
    let handle = *handle;
    server.stream_item(handle, Serialized(0)).unwrap();
    // A second stream with the id in use is refused as .NET refuses it.
    feed(&mut server, t(2), b"{\"type\":4,\"invocationId\":\"s\",\"target\":\"Counter\",\"arguments\":[]}\x1e");
    assert!(events(&mut server).is_empty());
    feed(&mut server, t(3), b"{\"type\":5,\"invocationId\":\"nope\"}\x1e{\"type\":5,\"invocationId\":\"s\"}\x1e");
    assert_eq!(events(&mut server), [Ev::Cancel(handle)]);
    server.complete_void(handle).unwrap();
    assert_eq!(
        text(&mut server),
        "{\"type\":2,\"invocationId\":\"s\",\"item\":0}\x1e\
         {\"type\":3,\"invocationId\":\"s\",\"error\":\"Invocation ID 's' is already in use.\"}\x1e\
         {\"type\":3,\"invocationId\":\"s\"}\x1e"
    );
    assert_eq!(server.stream_item(handle, Serialized(1)), Err(SendError::Unknown));
    assert_eq!(server.complete_void(handle), Err(SendError::Unknown));
}

#[test]
fn upload_streams_are_routed_and_bounded_by_the_stream_buffer_capacity() {
    let mut server = json_server(Config::server().with_stream_buffer_capacity(Some(2)), 1);
    feed(
        &mut server,
        t(1),
        b"{\"type\":1,\"invocationId\":\"9\",\"target\":\"Sum\",\"arguments\":[],\"streamIds\":[\"a\"]}\x1e\
          {\"type\":2,\"invocationId\":\"a\",\"item\":1}\x1e\
          {\"type\":2,\"invocationId\":\"a\",\"item\":2}\x1e\
          {\"type\":2,\"invocationId\":\"a\",\"item\":3}\x1e\
          {\"type\":3,\"invocationId\":\"a\"}\x1e",
    );
    let first = events(&mut server);
    let Ev::Invocation { handle: Some(sum), uploads, .. } = &first[0] else { panic!("{first:?}") };
    let stream = uploads[0];
    assert_eq!(&first[1..], [Ev::UploadItem(stream, "1".into()), Ev::UploadItem(stream, "2".into())]);
    // Two items are out and not taken: the third waits.
    assert!(events(&mut server).is_empty());
    server.release_upload_items(stream, 2);
    assert_eq!(events(&mut server), [Ev::UploadItem(stream, "3".into()), Ev::UploadEnd(stream, None)]);
    server.complete(*sum, Serialized(6)).unwrap();
    assert_eq!(text(&mut server), "{\"type\":3,\"invocationId\":\"9\",\"result\":6}\x1e");
}

#[test]
fn the_server_calls_the_client_and_gets_a_result() {
    let mut server = json_server(Config::server(), 1);
    let call = server.invoke("GetName", Serialized(NO_ARGS)).unwrap();
    assert_eq!(server.stream("X", Serialized(NO_ARGS)), Err(SendError::NotAllowed));
    let mut client = json_client(Config::client());
    feed(&mut client, t(1), &output(&mut server));
    let [Ev::Invocation { handle: Some(handle), target, .. }] = &events(&mut client)[..] else { panic!() };
    assert_eq!(target, "GetName");
    client.complete(*handle, Serialized("alice")).unwrap();
    feed(&mut server, t(2), &output(&mut client));
    assert_eq!(events(&mut server), [Ev::Completion(call, Ok(Some("\"alice\"".into())))]);
}

#[test]
fn after_a_close_nothing_more_is_sent_or_read() {
    let mut server = json_server(Config::server(), 1);
    server.close(Some("bye"), true).unwrap();
    assert_eq!(text(&mut server), "{\"type\":7,\"error\":\"bye\",\"allowReconnect\":true}\x1e");
    assert_eq!(server.state(), State::Closed);
    assert_eq!(server.send("X", Serialized(NO_ARGS)), Err(SendError::Closed));
    assert_eq!(server.close(None, false), Err(SendError::Closed));
    server.handle_timeout(secs(100));
    assert!(output(&mut server).is_empty());

    let mut client = json_client(Config::client());
    let call = client.invoke("A", Serialized(NO_ARGS)).unwrap();
    feed(
        &mut client,
        t(1),
        b"{\"type\":7,\"error\":\"Connection closed with an error.\"}\x1e{\"type\":3,\"invocationId\":\"0\"}\x1e",
    );
    assert_eq!(events(&mut client), [Ev::Closed(Some("Connection closed with an error.".into()), false)]);
    assert_eq!(client.invoke("B", Serialized(NO_ARGS)), Err(SendError::Closed));
    let _ = call;
}

#[test]
fn bad_bytes_close_the_connection_with_the_servers_text() {
    let mut server = json_server(Config::server(), 1);
    feed(&mut server, t(1), b"{\"type\":6}\x1e{\"type\":1,\"arguments\":[]}\x1e");
    assert_eq!(events(&mut server), [Ev::Failed(FailureKind::Protocol, "Missing required property 'target'.".into())]);
    assert_eq!(text(&mut server), "{\"type\":7,\"error\":\"Connection closed with an error.\"}\x1e");

    // A message over the limit, with detailed errors: .NET's size text in the Close.
    let mut server =
        Connection::server([MessagePackHubProtocol::new()], Config::server().with_detailed_errors(true), t(0));
    feed(&mut server, t(0), b"{\"protocol\":\"messagepack\",\"version\":1}\x1e");
    events(&mut server);
    output(&mut server);
    feed(&mut server, t(1), &[0x02, 0x91, 0x06, 0xff, 0xff, 0x01]);
    let events = events(&mut server);
    let [Ev::Failed(FailureKind::Protocol, text)] = &events[..] else { panic!("{events:?}") };
    assert!(text.starts_with("The maximum message size of 32768B was exceeded."), "{text}");
    let close = output(&mut server);
    assert!(String::from_utf8_lossy(&close).contains(
        "Connection closed with an error. InvalidDataException: The maximum message size of 32768B was exceeded."
    ));
}

#[test]
fn failure_offsets_count_from_the_start_of_the_connection() {
    let mut server = Connection::server([JsonHubProtocol::new()], Config::server(), t(0));
    let handshake = b"{\"protocol\":\"json\",\"version\":1}\x1e";
    feed(&mut server, t(0), handshake);
    feed(&mut server, t(0), b"{\"type\":6}\x1e");
    events(&mut server);
    feed(&mut server, t(0), b"{\"type\":6}\x1e{\"type\":1,\"target\":5}\x1e");
    let mut failure = None;
    while let Some(e) = server.poll_event() {
        if let signalr_codec_connection::Event::Failed(f) = e {
            failure = Some(f);
        }
    }
    let failure = failure.unwrap();
    let record = handshake.len() + 2 * b"{\"type\":6}\x1e".len();
    assert_eq!(failure.error.offset(), Some(record + "{\"type\":1,\"target\":".len()));
}

#[test]
fn actions_on_unknown_handles_and_before_the_handshake_are_refused() {
    let mut client = Connection::client(JsonHubProtocol::new(), Config::client(), t(0));
    assert_eq!(client.invoke("A", Serialized(NO_ARGS)), Err(SendError::NotConnected));
    let mut server = json_server(Config::server(), 1);
    feed(&mut server, t(1), b"{\"type\":1,\"invocationId\":\"1\",\"target\":\"A\",\"arguments\":[]}\x1e");
    let [Ev::Invocation { handle: Some(h), .. }] = &events(&mut server)[..] else { panic!() };
    server.complete_error(*h, "An unexpected error occurred invoking 'A' on the server.").unwrap();
    assert_eq!(server.complete_void(*h), Err(SendError::Unknown));
    assert_eq!(
        text(&mut server),
        "{\"type\":3,\"invocationId\":\"1\",\"error\":\"An unexpected error occurred invoking 'A' on the server.\"}\x1e"
    );
    let raw = RawJson::new("[1]").unwrap();
    assert!(server.send("Forward", raw).is_ok(), "raw payloads are written as they are");
}

#[test]
fn without_a_size_limit_a_message_larger_than_the_window_still_arrives() {
    let limits = signalr_codec_connection::codec_core::Limits::DEFAULT.with_max_message_size(None);
    let mut server = Connection::server([JsonHubProtocol::with_limits(limits)], Config::server(), t(0));
    feed(&mut server, t(0), b"{\"protocol\":\"json\",\"version\":1}\x1e");
    events(&mut server);
    let big = format!("{{\"type\":1,\"target\":\"Echo\",\"arguments\":[\"{}\"]}}\x1e", "x".repeat(100_000));
    // Offered in 16 KiB reads, as a socket delivers it: every byte is taken.
    let mut seen = Vec::new();
    for chunk in big.as_bytes().chunks(16 * 1024) {
        feed(&mut server, t(1), chunk);
        seen.extend(events(&mut server));
    }
    let [Ev::Invocation { target, arguments, .. }] = &seen[..] else { panic!("{} events", seen.len()) };
    assert_eq!((target.as_str(), arguments.len()), ("Echo", 100_004));
}

/// A value whose serialization fails after writing part of itself.
struct FailsHalfWay;

impl serde::Serialize for FailsHalfWay {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = s.serialize_seq(Some(3))?;
        seq.serialize_element("written before the failure")?;
        Err(S::Error::custom("refused"))
    }
}

/// Sends are written in one pass into growing storage; a message that fails half way is taken
/// back, and what was queued before it goes out untouched.
#[test]
fn a_send_that_fails_to_serialize_leaves_nothing_behind() {
    let mut client = json_client(Config::client());
    client.send("First", Serialized(("a",))).unwrap();
    assert!(matches!(client.send("Broken", Serialized(FailsHalfWay)), Err(SendError::Encode(_))));
    assert!(matches!(client.invoke("Broken", Serialized(FailsHalfWay)), Err(SendError::Encode(_))));
    client.send("Last", Serialized(("b",))).unwrap();
    assert_eq!(
        text(&mut client),
        "{\"type\":1,\"target\":\"First\",\"arguments\":[\"a\"]}\x1e\
         {\"type\":1,\"target\":\"Last\",\"arguments\":[\"b\"]}\x1e"
    );
    assert_eq!(client.pending_calls(), 0);
}

#[test]
fn invocations_beyond_what_can_be_tracked_fail_the_connection_with_a_limit() {
    // More blocking invocations in progress than `max_tracked`: the one too many fails the
    // connection (the invocation before it was handed out).
    let config = Config::server().with_max_tracked(1).with_max_parallel_invocations(8);
    let mut server = json_server(config, 1);
    feed(
        &mut server,
        t(1),
        b"{\"type\":1,\"invocationId\":\"1\",\"target\":\"A\",\"arguments\":[]}\x1e\
          {\"type\":1,\"invocationId\":\"2\",\"target\":\"B\",\"arguments\":[]}\x1e",
    );
    let events = events(&mut server);
    assert!(matches!(&events[0], Ev::Invocation { handle: Some(_), target, .. } if target == "A"), "{events:?}");
    assert_eq!(
        events.get(1),
        Some(&Ev::Failed(FailureKind::Limit, "Too many invocations and streams in progress.".into())),
        "{events:?}"
    );
    assert_eq!(events.len(), 2);
    assert!(server.is_closed());

    // An id longer than fixed storage keeps fails it too; one that fits is served.
    let mut small: Connection<MessagePackHubProtocol, signalr_codec_connection::Fixed<256, 2, 2, 4>> =
        Connection::server_in([MessagePackHubProtocol::new()], Config::server().with_max_parallel_invocations(8), t(0));
    small.handle_input(t(0), b"{\"protocol\":\"messagepack\",\"version\":1}\x1e");
    assert!(matches!(small.poll_event(), Some(signalr_codec_connection::Event::Connected(_))));
    // [1, {}, "abcd", "A", []] then [1, {}, "abcde", "B", []]
    let mut frames = vec![0x0B, 0x95, 0x01, 0x80, 0xA4, b'a', b'b', b'c', b'd', 0xA1, b'A', 0x90];
    frames.extend([0x0C, 0x95, 0x01, 0x80, 0xA5, b'a', b'b', b'c', b'd', b'e', 0xA1, b'B', 0x90]);
    small.handle_input(t(1), &frames);
    let mut seen = Vec::new();
    while let Some(event) = small.poll_event() {
        seen.push(own(event));
    }
    assert!(matches!(&seen[0], Ev::Invocation { handle: Some(_), target, .. } if target == "A"), "{seen:?}");
    assert_eq!(
        seen.get(1),
        Some(&Ev::Failed(FailureKind::Limit, "An invocation or stream id is too long to keep.".into())),
        "{seen:?}"
    );
    assert_eq!(seen.len(), 2);
}
