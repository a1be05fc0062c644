//! Keep-alive and peer timeouts (hub-protocol.md §9), driven by a fake clock.

mod common;

use core::time::Duration;

use common::*;
use signalr_codec_connection::{Config, Connection, FailureKind};
use signalr_codec_json::{JsonHubProtocol, Serialized};
use signalr_codec_msgpack::MessagePackHubProtocol;

#[test]
fn a_ping_goes_out_when_nothing_was_sent_for_the_keep_alive_interval() {
    let mut server = json_server(Config::server(), 1);
    // The next deadline is the keep-alive (15 s), before the client timeout (30 s).
    assert_eq!(server.poll_timeout(), Some(secs(15)));
    server.handle_timeout(t(14_999));
    assert!(output(&mut server).is_empty());
    feed(&mut server, secs(14), b"{\"type\":6}\x1e"); // keeps the client alive
    server.handle_timeout(secs(15));
    assert_eq!(text(&mut server), "{\"type\":6}\x1e");
    assert_eq!(server.stats().pings_sent, 1);
    assert_eq!(server.poll_timeout(), Some(secs(30)));
    assert!(events(&mut server).is_empty(), "a Ping is not an event");
    assert_eq!(server.stats().pings_received, 1);
}

#[test]
fn sending_anything_postpones_the_ping() {
    let mut server = json_server(Config::server(), 1);
    feed(&mut server, secs(9), b"{\"type\":1,\"invocationId\":\"1\",\"target\":\"Echo\",\"arguments\":[1]}\x1e");
    let Some(Ev::Invocation { handle: Some(handle), .. }) = events(&mut server).pop() else { panic!() };
    server.handle_timeout(secs(10));
    server.complete(handle, Serialized(1)).unwrap();
    assert_eq!(server.poll_timeout(), Some(secs(25)));
    server.handle_timeout(secs(24));
    assert_eq!(text(&mut server), "{\"type\":3,\"invocationId\":\"1\",\"result\":1}\x1e");
    server.handle_timeout(secs(25));
    assert_eq!(text(&mut server), "{\"type\":6}\x1e");
}

#[test]
fn a_silent_client_times_out_with_the_servers_text() {
    let mut server = json_server(Config::server(), 1);
    feed(&mut server, secs(20), b"{\"type\":6}\x1e");
    server.handle_timeout(secs(49));
    assert!(!server.is_closed());
    assert_eq!(text(&mut server), "{\"type\":6}\x1e", "the keep-alive still went out");
    server.handle_timeout(secs(50));
    assert!(server.is_closed());
    assert_eq!(
        events(&mut server),
        [Ev::Failed(
            FailureKind::Timeout,
            "Client hasn't sent a message/ping within the configured ClientTimeoutInterval.".into()
        )]
    );
    // As .NET: a Close that lets the client reconnect goes out first.
    assert_eq!(
        text(&mut server),
        "{\"type\":7,\"error\":\"Connection closed with an error.\",\"allowReconnect\":true}\x1e"
    );
    assert_eq!(server.poll_timeout(), None);
    server.handle_timeout(secs(99));
    assert!(output(&mut server).is_empty(), "nothing is sent after a failure");
}

#[test]
fn a_silent_server_times_out_with_the_clients_text() {
    let mut client = json_client(Config::client());
    client.handle_timeout(secs(15));
    assert_eq!(text(&mut client), "{\"type\":6}\x1e");
    client.handle_timeout(secs(30));
    assert_eq!(
        events(&mut client),
        [Ev::Failed(
            FailureKind::Timeout,
            "Server timeout elapsed without receiving a message from the server.".into()
        )]
    );
}

#[test]
fn every_interval_is_configurable() {
    let config =
        Config::server().with_keep_alive_interval(Duration::from_millis(250)).with_timeout(Duration::from_millis(1000));
    let mut server = json_server(config, 1);
    let mut pings = 0;
    let mut now = t(0);
    while !server.is_closed() {
        now = server.poll_timeout().unwrap();
        server.handle_timeout(now);
        pings += text(&mut server).matches("{\"type\":6}\x1e").count();
    }
    assert_eq!((pings, now), (3, t(1000)));
}

#[test]
fn the_client_pings_right_after_the_handshake_as_the_js_client_does() {
    let mut client = Connection::client(MessagePackHubProtocol::new(), Config::client(), t(0));
    output(&mut client);
    feed(&mut client, t(7), b"{}\x1e");
    events(&mut client);
    assert_eq!(output(&mut client), [0x02, 0x91, 0x06]);
    assert_eq!(client.poll_timeout(), Some(t(15_007)));

    let mut quiet = Connection::client(JsonHubProtocol::new(), Config::client().with_ping_after_handshake(false), t(0));
    output(&mut quiet);
    feed(&mut quiet, t(7), b"{}\x1e");
    events(&mut quiet);
    assert!(output(&mut quiet).is_empty());
}

#[test]
fn time_going_backwards_is_ignored() {
    let mut server = json_server(Config::server(), 1);
    server.handle_timeout(secs(20));
    let _ = output(&mut server);
    server.handle_timeout(secs(5));
    feed(&mut server, secs(1), b"{\"type\":6}\x1e");
    // The input counts at 20 s, the latest time seen, not at 1 s.
    assert_eq!(server.poll_timeout(), Some(secs(35)));
}

#[test]
fn the_client_handshake_timeout_prints_its_seconds_as_dotnet_does() {
    for (millis, text) in [(15_000, "15"), (500, "0.5"), (1_250, "1.25"), (2_001, "2.001")] {
        let config = Config::client().with_handshake_timeout(Duration::from_millis(millis));
        let mut client = Connection::client(JsonHubProtocol::new(), config, t(0));
        client.handle_timeout(t(millis));
        assert_eq!(
            events(&mut client),
            [Ev::Failed(FailureKind::HandshakeTimeout, format!("The handshake timed out after {text} seconds."))]
        );
    }
}
