//! Stateful reconnect (hub-protocol.md §10): numbering, Acks, the replay buffer and its budget,
//! the Sequence on a new transport, duplicates, and the fatal skip-ahead.

#![cfg(feature = "stateful-reconnect")]

mod common;

use common::*;
use signalr_codec_connection::{Config, Connection, FailureKind, SendError, State};
use signalr_codec_json::Serialized;
use signalr_codec_msgpack::MessagePackHubProtocol;

fn stateful() -> Config {
    Config::server().with_stateful_reconnect(true)
}

fn notify(n: i32) -> String {
    format!("{{\"type\":1,\"target\":\"N\",\"arguments\":[{n}]}}\x1e")
}

#[test]
fn counted_messages_are_acknowledged_about_a_second_later() {
    let mut server = json_server(stateful(), 2);
    feed(&mut server, t(100), format!("{}{{\"type\":6}}\x1e{}", notify(1), notify(2)).as_bytes());
    assert_eq!(events(&mut server).len(), 2);
    assert_eq!(server.poll_timeout(), Some(t(1100)));
    server.handle_timeout(t(1099));
    assert!(output(&mut server).is_empty());
    server.handle_timeout(t(1100));
    // Pings are not counted: two messages, Ack 2.
    assert_eq!(text(&mut server), "{\"type\":8,\"sequenceId\":2}\x1e");
    server.handle_timeout(t(5000));
    assert!(output(&mut server).is_empty(), "nothing new arrived: no Ack");
}

#[test]
fn acknowledged_messages_leave_the_replay_buffer() {
    let mut server = json_server(stateful(), 2);
    for n in 0..3 {
        server.send("N", Serialized((n,))).unwrap();
    }
    server.handle_timeout(secs(16)); // a Ping: not counted, not kept
    output(&mut server);
    assert_eq!(server.stats().unacked_messages, 3);
    feed(&mut server, secs(17), b"{\"type\":8,\"sequenceId\":2}\x1e");
    events(&mut server);
    let stats = server.stats();
    assert_eq!((stats.unacked_messages, stats.unacked_bytes), (1, notify(2).len()));
}

#[test]
fn a_new_transport_gets_the_sequence_and_the_replay() {
    let mut server = json_server(stateful(), 2);
    server.send("N", Serialized((0,))).unwrap();
    server.send("N", Serialized((1,))).unwrap();
    output(&mut server); // lost with the transport
    feed(&mut server, t(10), b"{\"type\":8,\"sequenceId\":1}\x1e");
    events(&mut server);
    server.transport_lost(t(20));
    assert_eq!(server.state(), State::Detached);
    // Sent while detached: kept for the replay, not sent anywhere.
    server.send("N", Serialized((2,))).unwrap();
    server.handle_timeout(secs(16));
    assert!(output(&mut server).is_empty());
    assert!(server.attach_transport(secs(17)));
    assert_eq!(events(&mut server), [Ev::Resumed]);
    assert_eq!(text(&mut server), format!("{{\"type\":9,\"sequenceId\":2}}\x1e{}{}", notify(1), notify(2)));
    assert!(!server.attach_transport(secs(18)), "already attached");
    assert_eq!(server.stats().resumed, 1);
}

/// Counted messages are kept for replay whether they were handed to the transport or not, and
/// whatever comes between them (a Ping, an Ack): only they are replayed, in order, once each.
#[test]
fn only_counted_messages_are_replayed_however_the_output_was_split() {
    let mut server = json_server(stateful(), 2);
    server.send("N", Serialized((0,))).unwrap();
    server.handle_timeout(secs(15)); // a Ping between two counted messages
    server.send("N", Serialized((1,))).unwrap();
    assert_eq!(server.stats().unacked_messages, 2);
    let first = output(&mut server); // handed out: counted as sent
    assert_eq!(first, format!("{}{{\"type\":6}}\x1e{}", notify(0), notify(1)).into_bytes());
    feed(&mut server, secs(16), notify(7).as_bytes()); // an invocation: an Ack falls due
    events(&mut server);
    server.send("N", Serialized((2,))).unwrap();
    server.handle_timeout(secs(17)); // the Ack, after message 2
    server.send("N", Serialized((3,))).unwrap();
    let stats = server.stats();
    assert_eq!((stats.unacked_messages, stats.unacked_bytes), (4, (0..4).map(|n| notify(n).len()).sum()));
    // Lost before 2, the Ack and 3 were handed out.
    server.transport_lost(secs(18));
    assert!(server.attach_transport(secs(19)));
    assert_eq!(events(&mut server), [Ev::Resumed]);
    let resumed = text(&mut server);
    let replay: String = (0..4).map(notify).collect();
    assert!(resumed.starts_with(&format!("{{\"type\":9,\"sequenceId\":1}}\x1e{replay}")), "{resumed}");
    // The peer had 0 and 1: only 2 and 3 stay.
    feed(&mut server, secs(20), b"{\"type\":8,\"sequenceId\":2}\x1e");
    events(&mut server);
    let stats = server.stats();
    assert_eq!((stats.unacked_messages, stats.unacked_bytes), (2, notify(2).len() + notify(3).len()));
}

#[test]
fn with_nothing_unacknowledged_the_sequence_is_the_next_id() {
    let mut server = json_server(stateful(), 2);
    server.send("N", Serialized((0,))).unwrap();
    feed(&mut server, t(10), b"{\"type\":8,\"sequenceId\":1}\x1e");
    events(&mut server);
    server.transport_lost(t(20));
    server.attach_transport(t(30));
    assert_eq!(text(&mut server), "{\"type\":9,\"sequenceId\":2}\x1e");
}

#[test]
fn replayed_duplicates_are_skipped_after_the_peers_sequence() {
    let mut server = json_server(stateful(), 2);
    feed(&mut server, t(0), format!("{}{}", notify(1), notify(2)).as_bytes());
    assert_eq!(events(&mut server).len(), 2);
    server.transport_lost(t(5));
    server.attach_transport(t(6));
    events(&mut server);
    // Before the client's Sequence, counted messages on the new transport are not trusted.
    feed(&mut server, t(7), notify(99).as_bytes());
    assert!(events(&mut server).is_empty());
    // The client replays from its message 2: 2 is a duplicate, 3 is new.
    feed(&mut server, t(8), format!("{{\"type\":9,\"sequenceId\":2}}\x1e{}{}", notify(2), notify(3)).as_bytes());
    let events = events(&mut server);
    assert!(matches!(&events[..], [Ev::Invocation { arguments, .. }] if arguments == "[3]"), "{events:?}");
    assert_eq!(server.stats().duplicates_skipped, 2);
}

#[test]
fn a_sequence_that_skips_messages_is_fatal() {
    let mut server = json_server(stateful(), 2);
    feed(&mut server, t(0), notify(1).as_bytes());
    events(&mut server);
    feed(&mut server, t(1), b"{\"type\":9,\"sequenceId\":3}\x1e");
    assert_eq!(
        events(&mut server),
        [Ev::Failed(FailureKind::Sequence, "Sequence ID greater than amount of messages we've received.".into())]
    );
}

#[test]
fn sends_wait_while_the_replay_buffer_is_over_budget() {
    let mut server = json_server(stateful().with_reconnect_buffer_size(50), 2);
    let mut sent = 0;
    let refused = loop {
        match server.send("N", Serialized((sent,))) {
            Ok(()) => sent += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(refused, SendError::Backpressure);
    // The message that crossed the budget was taken; nothing after it.
    let stats = server.stats();
    assert_eq!((sent, stats.unacked_bytes), (2, 2 * notify(0).len()));
    assert!(stats.unacked_bytes <= 50 + notify(0).len());
    // Pings and Acks bypass the budget.
    server.handle_timeout(secs(15));
    assert!(text(&mut server).ends_with("{\"type\":6}\x1e"));
    feed(&mut server, secs(16), b"{\"type\":8,\"sequenceId\":2}\x1e");
    assert_eq!(events(&mut server), [Ev::Writable]);
    server.send("N", Serialized((sent,))).unwrap();
}

#[test]
fn without_stateful_reconnect_a_lost_transport_ends_the_connection() {
    let mut server = json_server(Config::server(), 1);
    server.transport_lost(t(1));
    assert_eq!(
        events(&mut server),
        [Ev::Failed(FailureKind::TransportLost, "The transport closed without a Close message.".into())]
    );
    assert!(!server.attach_transport(t(2)));

    let mut server = json_server(Config::server(), 1);
    feed(&mut server, t(1), b"{\"type\":1,");
    server.transport_lost(t(2));
    assert_eq!(
        events(&mut server),
        [Ev::Failed(FailureKind::TransportLost, "Connection terminated while reading a message.".into())]
    );
}

#[test]
fn a_detached_connection_still_times_out() {
    let mut server = json_server(stateful(), 2);
    server.transport_lost(secs(1));
    assert_eq!(server.poll_timeout(), Some(secs(30)));
    server.handle_timeout(secs(30));
    assert!(matches!(&events(&mut server)[..], [Ev::Failed(FailureKind::Timeout, _)]));
}

#[test]
fn client_and_server_resume_each_other_in_messagepack() {
    let mut server = msgpack_server(stateful(), 2);
    let mut client =
        Connection::client(MessagePackHubProtocol::new(), Config::client().with_stateful_reconnect(true), t(0));
    output(&mut client);
    feed(&mut client, t(0), b"{}\x1e");
    assert_eq!(events(&mut client), [Ev::Connected { protocol: "messagepack", version: 2, stateful: true }]);
    output(&mut client); // the first Ping
    let call = client.invoke("Echo", signalr_codec_msgpack::Serialized(("a",))).unwrap();
    // The invocation is lost with the transport.
    output(&mut client);
    client.transport_lost(t(10));
    server.transport_lost(t(10));
    client.attach_transport(t(20));
    server.attach_transport(t(20));
    feed(&mut server, t(21), &output(&mut client));
    feed(&mut client, t(21), &output(&mut server));
    let got = events(&mut server);
    let [Ev::Resumed, Ev::Invocation { handle: Some(h), target, .. }] = &got[..] else { panic!("{got:?}") };
    assert_eq!(target, "Echo");
    server.complete(*h, signalr_codec_msgpack::Serialized("a")).unwrap();
    feed(&mut client, t(22), &output(&mut server));
    assert_eq!(events(&mut client), [Ev::Resumed, Ev::Completion(call, Ok(Some("a161".into())))]);
}

#[test]
fn an_ack_behind_a_waiting_invocation_is_still_read() {
    // One invocation at a time, and a replay budget the first completion fills: the completion
    // of the first call waits for an Ack, and the Ack is behind the second call. The gate gives
    // way while sends wait for an Ack, so the Ack gets through.
    let mut server = json_server(stateful().with_reconnect_buffer_size(10), 2);
    let call =
        |id: u32| format!("{{\"type\":1,\"invocationId\":\"{id}\",\"target\":\"Echo\",\"arguments\":[{id}]}}\x1e");
    server.send("N", Serialized((0,))).unwrap(); // fills the budget
    feed(&mut server, t(1), format!("{}{}{{\"type\":8,\"sequenceId\":1}}\x1e", call(1), call(2)).as_bytes());
    let first = events(&mut server);
    let handles: Vec<_> = first
        .iter()
        .filter_map(|e| match e {
            Ev::Invocation { handle: Some(h), .. } => Some(*h),
            _ => None,
        })
        .collect();
    assert_eq!(handles.len(), 2, "{first:?}");
    assert_eq!(server.stats().unacked_messages, 0, "the Ack was read");
    server.complete(handles[0], Serialized(1)).unwrap();
    assert_eq!(server.complete(handles[1], Serialized(2)), Err(SendError::Backpressure));
    feed(&mut server, t(2), b"{\"type\":8,\"sequenceId\":2}\x1e");
    assert_eq!(events(&mut server), [Ev::Writable]);
    server.complete(handles[1], Serialized(2)).unwrap();
}
