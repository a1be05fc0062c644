//! Zero heap allocations per message once warm: a server connection reading invocations and
//! writing completions, and a client invoking and reading completions, in both protocols, with
//! and without stateful reconnect (Acks arriving keep the replay buffer from growing).

mod counting;

use counting::allocations;
use signalr_codec_connection::{Config, Connection, Event, Instant};
use signalr_codec_core::{Completion, Encode, HubMessage, HubProtocol, Invocation};
use signalr_codec_json::{JsonHubProtocol, RawJson};
use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue};

const ROUNDS: usize = 6;
const PER_ROUND: usize = 20;

/// Every round's input, written before anything is counted: `PER_ROUND` messages made by
/// `message(id)` (ids go on across rounds), then with stateful reconnect an Ack for all so far.
fn rounds<P: HubProtocol, R: Encode<P>>(
    protocol: &P,
    stateful: bool,
    _payload: R,
    message: impl Fn(&P, u64, &mut Vec<u8>),
) -> Vec<Vec<u8>> {
    (0..ROUNDS)
        .map(|r| {
            let mut bytes = Vec::new();
            for i in 0..PER_ROUND {
                message(protocol, (r * PER_ROUND + i) as u64, &mut bytes);
            }
            if stateful {
                let sequence_id = ((r + 1) * PER_ROUND) as i64;
                let ack: HubMessage<'_, R> = HubMessage::Ack { sequence_id };
                write_bare(protocol, &ack, &mut bytes);
            }
            bytes
        })
        .collect()
}

fn write_bare<P: HubProtocol, V>(protocol: &P, message: &HubMessage<'_, V>, out: &mut Vec<u8>)
where
    V: Encode<P>,
{
    protocol.write(message, out).expect("writes");
}

fn handshake(stateful: bool, name: &str) -> Vec<u8> {
    format!("{{\"protocol\":\"{name}\",\"version\":{}}}\x1e", if stateful { 2 } else { 1 }).into_bytes()
}

/// A server answers `PER_ROUND` invocations a round; after two rounds (the buffers have grown
/// to size) nothing allocates.
fn server<P: HubProtocol + Clone, A: Encode<P> + Copy, R: Encode<P> + Copy>(
    protocol: P,
    stateful: bool,
    args: A,
    result: R,
) {
    let t = Instant::from_millis(0);
    let input = rounds(&protocol, stateful, result, |p, id, out| {
        let id = id.to_string();
        let call = Invocation::new("Add", args).with_invocation_id(id.as_str());
        write_bare(p, &HubMessage::Invocation(call), out);
    });
    let config = Config::server().with_stateful_reconnect(stateful);
    let mut conn = Connection::server([protocol.clone()], config, t);
    let request = handshake(stateful, protocol.name());
    conn.handle_input(t, &request);
    assert!(matches!(conn.poll_event(), Some(Event::Connected(_))));
    let mut sent = 0;
    for (round, bytes) in input.iter().enumerate() {
        let (n, completed) = allocations(|| {
            assert_eq!(conn.handle_input(t, bytes), bytes.len());
            let mut completed = 0;
            loop {
                let handle = match conn.poll_event() {
                    Some(Event::Invocation(inv)) => inv.handle.expect("blocking"),
                    Some(_) => panic!("only invocations"),
                    None => break,
                };
                conn.complete(handle, result).unwrap();
                completed += 1;
            }
            while let Some(t) = conn.poll_transmit() {
                sent += t.bytes.len();
            }
            completed
        });
        assert_eq!(completed, PER_ROUND);
        // Two rounds warm the buffers (a vector doubles to its size); then none allocates.
        if round > 1 {
            assert_eq!(n, 0, "{} server, stateful {stateful}, round {round}", protocol.name());
        }
    }
    assert!(sent > 0);
    assert!(conn.stats().unacked_messages <= PER_ROUND as u64);
}

/// A client invokes `PER_ROUND` times a round and reads the completions; after two rounds
/// (the buffers have grown to size) nothing allocates.
fn client<P: HubProtocol + Clone, A: Encode<P> + Copy, R: Encode<P> + Copy>(
    protocol: P,
    stateful: bool,
    args: A,
    result: R,
) {
    let t = Instant::from_millis(0);
    let input = rounds(&protocol, stateful, result, |p, id, out| {
        let id = id.to_string();
        write_bare(p, &HubMessage::Completion(Completion::result(id.as_str(), result)), out);
    });
    let config = Config::client().with_stateful_reconnect(stateful).with_ping_after_handshake(false);
    let mut conn = Connection::client(protocol.clone(), config, t);
    while conn.poll_transmit().is_some() {}
    conn.handle_input(t, b"{}\x1e");
    assert!(matches!(conn.poll_event(), Some(Event::Connected(_))));
    for (round, bytes) in input.iter().enumerate() {
        let (n, completions) = allocations(|| {
            for _ in 0..PER_ROUND {
                conn.invoke("Add", args).unwrap();
            }
            while conn.poll_transmit().is_some() {}
            assert_eq!(conn.handle_input(t, bytes), bytes.len());
            let mut completions = 0;
            while let Some(event) = conn.poll_event() {
                assert!(matches!(event, Event::Completion { .. }));
                completions += 1;
            }
            completions
        });
        assert_eq!(completions, PER_ROUND);
        assert_eq!(conn.pending_calls(), 0);
        // Two rounds warm the buffers (a vector doubles to its size); then none allocates.
        if round > 1 {
            assert_eq!(n, 0, "{} client, stateful {stateful}, round {round}", protocol.name());
        }
    }
}

#[test]
fn server_allocates_nothing_per_message() {
    for stateful in [false, true] {
        let json_args = RawJson::new("[1,2]").unwrap();
        server(JsonHubProtocol::new(), stateful, json_args, RawJson::new("3").unwrap());
        server(
            MessagePackHubProtocol::new(),
            stateful,
            RawValue::new(&[0x92, 1, 2]).unwrap(),
            RawValue::new(&[3]).unwrap(),
        );
    }
}

#[test]
fn client_allocates_nothing_per_message() {
    for stateful in [false, true] {
        client(JsonHubProtocol::new(), stateful, RawJson::new("[1,2]").unwrap(), RawJson::new("3").unwrap());
        client(
            MessagePackHubProtocol::new(),
            stateful,
            RawValue::new(&[0x92, 1, 2]).unwrap(),
            RawValue::new(&[3]).unwrap(),
        );
    }
}
