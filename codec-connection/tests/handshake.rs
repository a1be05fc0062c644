//! The handshake phase (hub-protocol.md §3): protocol choice, .NET's refusal texts, timeouts,
//! and bytes that share a read with the handshake.

mod common;

/// An empty argument list (serde writes `()` as null, which is not an argument array).
const NO_ARGS: [u8; 0] = [];

use common::*;
use signalr_codec_connection::codec_core::TransferFormat;
use signalr_codec_connection::{AnyProtocol, Config, Connection, FailureKind, State};
use signalr_codec_json::JsonHubProtocol;
use signalr_codec_msgpack::MessagePackHubProtocol;

fn any_server(config: Config) -> Connection<AnyProtocol> {
    Connection::server(AnyProtocol::all(), config, t(0))
}

fn refusal(server: &mut Connection<AnyProtocol>) -> (Vec<(TransferFormat, Vec<u8>)>, Vec<Ev>) {
    (transmits(server), events(server))
}

#[test]
fn the_server_picks_the_protocol_by_name_and_answers_in_its_format() {
    let mut server = any_server(Config::server());
    feed(&mut server, t(3), b"{\"protocol\":\"json\",\"version\":1}\x1e");
    assert_eq!(events(&mut server), [Ev::Connected { protocol: "json", version: 1, stateful: false }]);
    assert_eq!(transmits(&mut server), [(TransferFormat::Text, b"{}\x1e".to_vec())]);
    assert_eq!(server.state(), State::Open);

    let mut server = any_server(Config::server());
    feed(&mut server, t(3), b"{\"protocol\":\"messagepack\",\"version\":2}\x1e");
    assert_eq!(events(&mut server), [Ev::Connected { protocol: "messagepack", version: 2, stateful: false }]);
    // .NET switches the transport to the protocol's format before it answers.
    assert_eq!(transmits(&mut server), [(TransferFormat::Binary, b"{}\x1e".to_vec())]);
}

#[test]
fn refusals_use_the_dotnet_texts_and_close_the_connection() {
    let cases: [(Config, &[u8], &str); 5] = [
        (Config::server(), b"{\"protocol\":\"xml\",\"version\":1}\x1e", "The protocol 'xml' is not supported."),
        (
            Config::server(),
            b"{\"protocol\":\"json\",\"version\":3}\x1e",
            "The server does not support version 3 of the 'json' protocol.",
        ),
        (
            Config::server().with_binary_transport(false),
            b"{\"protocol\":\"messagepack\",\"version\":1}\x1e",
            "Cannot use the 'messagepack' protocol on the current transport. The transport does not support 'Binary' transfer format.",
        ),
        (Config::server(), b"{\"protocol\":1,\"version\":1}\x1e", "An unexpected error occurred during connection handshake."),
        (Config::server(), b"[]\x1e", "An unexpected error occurred during connection handshake."),
    ];
    for (config, request, text) in cases {
        let mut server = any_server(config);
        feed(&mut server, t(0), request);
        let (sent, events) = refusal(&mut server);
        let expected = format!("{{\"error\":\"{text}\"}}\x1e");
        assert_eq!(sent, [(TransferFormat::Text, expected.into_bytes())], "{text}");
        assert!(matches!(&events[..], [Ev::Failed(FailureKind::Handshake, _)]), "{events:?}");
        assert!(server.is_closed());
        assert_eq!(server.poll_timeout(), None);
        assert!(server.poll_event().is_none());
    }
}

#[test]
fn detailed_errors_add_the_reason_to_a_malformed_request() {
    let mut server = any_server(Config::server().with_detailed_errors(true));
    feed(&mut server, t(0), b"{\"protocol\":\"json\"}\x1e");
    let sent = String::from_utf8(output(&mut server)).unwrap();
    assert_eq!(
        sent,
        "{\"error\":\"An unexpected error occurred during connection handshake. InvalidDataException: \
         Missing required property 'version'. Message content: {\\\"protocol\\\":\\\"json\\\"}\"}\x1e"
    );
    assert_eq!(
        events(&mut server),
        [Ev::Failed(
            FailureKind::Handshake,
            "Missing required property 'version'. Message content: {\"protocol\":\"json\"}".into()
        )]
    );
}

#[test]
fn a_handshake_that_does_not_arrive_in_time_is_canceled() {
    let mut server = any_server(Config::server());
    assert_eq!(server.poll_timeout(), Some(secs(15)));
    feed(&mut server, t(100), b"{\"protocol\":\"js");
    server.handle_timeout(t(14_999));
    assert!(output(&mut server).is_empty());
    server.handle_timeout(secs(15));
    assert_eq!(output(&mut server), b"{\"error\":\"Handshake was canceled.\"}\x1e");
    assert_eq!(events(&mut server), [Ev::Failed(FailureKind::HandshakeTimeout, "Handshake was canceled.".into())]);

    let mut server = any_server(Config::server().with_handshake_timeout(core::time::Duration::from_secs(2)));
    server.handle_timeout(secs(2));
    assert!(server.is_closed());
}

#[test]
fn a_handshake_past_the_size_limit_is_canceled() {
    let mut server = any_server(Config::server());
    let mut request = b"{\"protocol\":\"json\",\"version\":1,\"pad\":\"".to_vec();
    request.resize(32 * 1024 + 1, b'x');
    feed(&mut server, t(0), &request);
    assert_eq!(output(&mut server), b"{\"error\":\"Handshake was canceled.\"}\x1e");
    let events = events(&mut server);
    assert!(
        matches!(&events[..], [Ev::Failed(FailureKind::Handshake, text)] if text.starts_with("The maximum message size of 32768B")),
        "{events:?}"
    );
}

#[test]
fn bytes_after_the_request_in_the_same_read_are_hub_messages() {
    let mut server = Connection::server([JsonHubProtocol::new()], Config::server(), t(0));
    feed(
        &mut server,
        t(0),
        b"{\"protocol\":\"json\",\"version\":1}\x1e{\"type\":1,\"target\":\"Send\",\"arguments\":[\"hi\"]}\x1e",
    );
    assert_eq!(
        events(&mut server),
        [
            Ev::Connected { protocol: "json", version: 1, stateful: false },
            Ev::Invocation { handle: None, target: "Send".into(), arguments: "[\"hi\"]".into(), uploads: vec![] }
        ]
    );
}

#[test]
fn a_request_split_across_reads_is_answered_once_whole() {
    let mut server = Connection::server([MessagePackHubProtocol::new()], Config::server(), t(0));
    let request = b"{\"protocol\": \"messagepack\",\"version\": 1}\x1e\x02\x91\x06";
    for (i, byte) in request.iter().enumerate() {
        feed(&mut server, t(i as u64), &[*byte]);
        let events = events(&mut server);
        if i + 1 < request.len() - 3 {
            assert!(events.is_empty(), "answered after {} bytes", i + 1);
            assert!(output(&mut server).is_empty());
        } else if i + 1 == request.len() - 3 {
            assert_eq!(events, [Ev::Connected { protocol: "messagepack", version: 1, stateful: false }]);
        }
    }
    assert_eq!(output(&mut server), b"{}\x1e");
    assert_eq!(server.stats().pings_received, 1);
}

#[test]
#[cfg(feature = "stateful-reconnect")]
fn stateful_reconnect_needs_the_transport_and_version_2() {
    for (negotiated, version, stateful) in [(true, 2, true), (true, 1, false), (false, 2, false)] {
        let mut server =
            Connection::server([JsonHubProtocol::new()], Config::server().with_stateful_reconnect(negotiated), t(0));
        feed(&mut server, t(0), format!("{{\"protocol\":\"json\",\"version\":{version}}}\x1e").as_bytes());
        assert_eq!(events(&mut server), [Ev::Connected { protocol: "json", version, stateful }]);
    }
    // A client asks for it with version 2.
    let mut client = Connection::client(JsonHubProtocol::new(), Config::client().with_stateful_reconnect(true), t(0));
    assert_eq!(output(&mut client), b"{\"protocol\":\"json\",\"version\":2}\x1e");
    feed(&mut client, t(1), b"{}\x1e");
    assert_eq!(events(&mut client), [Ev::Connected { protocol: "json", version: 2, stateful: true }]);
}

/// Built without the `stateful-reconnect` feature, a connection never negotiates it, whatever
/// its `Config` says: the server answers a version 2 request without it, and the client asks
/// for version 1, as a client that does not offer it does.
#[test]
#[cfg(not(feature = "stateful-reconnect"))]
fn without_the_feature_stateful_reconnect_is_never_negotiated() {
    for version in [1, 2] {
        let mut server =
            Connection::server([JsonHubProtocol::new()], Config::server().with_stateful_reconnect(true), t(0));
        feed(&mut server, t(0), format!("{{\"protocol\":\"json\",\"version\":{version}}}\x1e").as_bytes());
        assert_eq!(events(&mut server), [Ev::Connected { protocol: "json", version, stateful: false }]);
        assert_eq!(output(&mut server), b"{}\x1e");
    }
    let mut client = Connection::client(JsonHubProtocol::new(), Config::client().with_stateful_reconnect(true), t(0));
    assert_eq!(output(&mut client), b"{\"protocol\":\"json\",\"version\":1}\x1e");
    feed(&mut client, t(1), b"{}\x1e");
    assert_eq!(events(&mut client), [Ev::Connected { protocol: "json", version: 1, stateful: false }]);
    // The Ping after the handshake.
    output(&mut client);
    // No Acks: a counted message arriving is not acknowledged a second later.
    feed(&mut client, t(2), b"{\"type\":1,\"target\":\"Hello\",\"arguments\":[]}\x1e");
    assert_eq!(events(&mut client).len(), 1);
    client.handle_timeout(t(5_000));
    assert!(output(&mut client).is_empty());
}

#[test]
fn the_client_writes_its_request_first_as_text() {
    let mut client = Connection::client(MessagePackHubProtocol::new(), Config::client(), t(0));
    assert_eq!(
        transmits(&mut client),
        [(TransferFormat::Text, b"{\"protocol\":\"messagepack\",\"version\":1}\x1e".to_vec())]
    );
    let mut client = Connection::client(JsonHubProtocol::new(), Config::client(), t(0));
    assert_eq!(output(&mut client), b"{\"protocol\":\"json\",\"version\":1}\x1e");
    assert!(
        client.invoke("Add", signalr_codec_json::Serialized(NO_ARGS)).is_err(),
        "no invocation before the handshake"
    );
}

#[test]
fn the_client_reads_the_response_and_what_follows_it() {
    let mut client = Connection::client(MessagePackHubProtocol::new(), Config::client(), t(0));
    output(&mut client);
    // The response, then a Close from the server, in one binary read.
    feed(&mut client, t(1), b"{}\x1e\x04\x93\x07\xc0\xc2");
    assert_eq!(
        events(&mut client),
        [Ev::Connected { protocol: "messagepack", version: 1, stateful: false }, Ev::Closed(None, false)]
    );
    // After the handshake the JS client sends a Ping, in the protocol's format.
    assert_eq!(transmits(&mut client), [(TransferFormat::Binary, vec![0x02, 0x91, 0x06])]);
}

#[test]
fn the_client_fails_with_the_servers_text() {
    let mut client = Connection::client(JsonHubProtocol::new(), Config::client(), t(0));
    feed(&mut client, t(1), b"{\"error\":\"The protocol 'json' is not supported.\"}\x1e");
    assert_eq!(events(&mut client), [Ev::Failed(FailureKind::Refused, "The protocol 'json' is not supported.".into())]);
    assert!(client.is_closed());

    let mut client = Connection::client(JsonHubProtocol::new(), Config::client(), t(0));
    feed(&mut client, t(1), b"{\"type\":6}\x1e");
    assert_eq!(
        events(&mut client),
        [Ev::Failed(FailureKind::Handshake, "Expected a handshake response from the server.".into())]
    );
}

#[test]
fn the_client_times_out_a_silent_server() {
    let mut client = Connection::client(JsonHubProtocol::new(), Config::client(), t(0));
    client.handle_timeout(secs(15));
    assert_eq!(
        events(&mut client),
        [Ev::Failed(FailureKind::HandshakeTimeout, "The handshake timed out after 15 seconds.".into())]
    );
}
