//! A client and a server connection wired together in memory, with a fake clock and stateful
//! reconnect on, under any interleaving of sends both ways, partial deliveries, time, transport
//! drops and reconnects: every counted message arrives exactly once and in order, the replay
//! buffer stays within its budget plus one message, refused sends go out after `Writable`, and
//! after a last reconnect everything sent has arrived and been acknowledged.

#![cfg(feature = "stateful-reconnect")]

use std::collections::VecDeque;
use std::time::Duration;

use proptest::prelude::*;
use signalr_codec_connection::{
    AnyProtocol, AnyValue, CallId, Config, Connection, Event, Instant, InvocationHandle, SendError, State,
};
use signalr_codec_core::{Encode, HubProtocol, Outcome};
use signalr_codec_json::JsonHubProtocol;
use signalr_codec_msgpack::MessagePackHubProtocol;

/// A small replay budget, so that back-pressure happens within a few dozen messages.
const BUDGET: usize = 2000;
/// The largest counted message the test writes (an invocation with the longest padding), with
/// room to spare: the replay buffer may exceed the budget by at most this.
const LARGEST_MESSAGE: usize = 400;

/// What the test needs of a protocol: writing a numbered payload and reading its number back.
trait Wire: HubProtocol {
    fn payload(seq: u64, pad: &str) -> impl Encode<Self> + '_;
    fn seq(value: &Self::Value<'_>) -> u64;
}

impl Wire for JsonHubProtocol {
    fn payload(seq: u64, pad: &str) -> impl Encode<Self> + '_ {
        signalr_codec_json::Serialized((seq, pad))
    }
    fn seq(value: &Self::Value<'_>) -> u64 {
        value.deserialize::<(u64, &str)>().expect("a numbered payload").0
    }
}

impl Wire for MessagePackHubProtocol {
    fn payload(seq: u64, pad: &str) -> impl Encode<Self> + '_ {
        signalr_codec_msgpack::Serialized((seq, pad))
    }
    fn seq(value: &Self::Value<'_>) -> u64 {
        value.deserialize::<(u64, &str)>().expect("a numbered payload").0
    }
}

impl Wire for AnyProtocol {
    fn payload(seq: u64, pad: &str) -> impl Encode<Self> + '_ {
        signalr_codec_json::Serialized((seq, pad))
    }
    fn seq(value: &Self::Value<'_>) -> u64 {
        let value: &AnyValue<'_> = value;
        value.deserialize::<(u64, String)>().expect("a numbered payload").0
    }
}

/// A message the application wants to send, queued until the connection takes it.
#[derive(Debug, Clone, Copy)]
enum Outgoing {
    /// A non-blocking invocation.
    Send(u8),
    /// A blocking invocation, answered by a Completion.
    Invoke(u8),
    /// The answer to one of the peer's invocations.
    Complete(InvocationHandle),
}

/// One end: its connection, what it still wants to send, and what it has seen.
struct Side<P: Wire> {
    conn: Connection<P>,
    queue: VecDeque<Outgoing>,
    /// A send was refused with back-pressure: nothing more is tried until `Writable`.
    blocked: bool,
    /// Number carried by the next counted message this side sends.
    next_seq: u64,
    /// Number the next counted message from the peer must carry.
    expect: u64,
    /// This side's invocations awaiting their Completion, oldest first.
    calls: VecDeque<CallId>,
    /// Bytes handed to the transport and not yet delivered to the peer.
    in_flight: Vec<u8>,
    /// `Writable` events seen (for the report when the run stalls).
    writables: u64,
}

impl<P: Wire> Side<P> {
    fn new(conn: Connection<P>) -> Self {
        Side {
            conn,
            queue: VecDeque::new(),
            blocked: false,
            next_seq: 0,
            expect: 0,
            calls: VecDeque::new(),
            in_flight: Vec::new(),
            writables: 0,
        }
    }

    fn report(&self) -> String {
        format!(
            "queue {:?}, blocked {}, writables {}, in flight {}, {:?}",
            self.queue,
            self.blocked,
            self.writables,
            self.in_flight.len(),
            self.conn.stats()
        )
    }

    /// Drains events, sends what the queue holds while the connection takes it, and collects
    /// the output; repeats until nothing changes.
    fn settle(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(event) = self.conn.poll_event() {
                progressed = true;
                match event {
                    Event::Connected(h) => assert!(h.stateful_reconnect),
                    Event::Invocation(inv) => {
                        let seq = P::seq(&inv.arguments);
                        assert_eq!(seq, self.expect, "invocation out of order or duplicated");
                        self.expect += 1;
                        if let Some(handle) = inv.handle {
                            self.queue.push_back(Outgoing::Complete(handle));
                        }
                    }
                    Event::Completion { call, outcome } => {
                        let Outcome::Result(value) = outcome else { panic!("a completion without result") };
                        let seq = P::seq(&value);
                        assert_eq!(seq, self.expect, "completion out of order or duplicated");
                        self.expect += 1;
                        assert_eq!(self.calls.pop_front(), Some(call), "completion for the wrong call");
                    }
                    Event::Writable => {
                        self.blocked = false;
                        self.writables += 1;
                    }
                    Event::Resumed => {}
                    Event::Failed(f) => panic!("failed: {f}"),
                    Event::Closed { .. } => panic!("closed by the peer"),
                    _ => panic!("an event this exchange never causes"),
                }
            }
            while !self.blocked {
                let Some(&next) = self.queue.front() else { break };
                let before = self.conn.stats().unacked_bytes;
                let pad = |n: u8| "x".repeat(usize::from(n));
                let result = match next {
                    Outgoing::Send(n) => self.conn.send("Send", P::payload(self.next_seq, &pad(n))),
                    Outgoing::Invoke(n) => {
                        self.conn.invoke("Invoke", P::payload(self.next_seq, &pad(n))).map(|c| self.calls.push_back(c))
                    }
                    Outgoing::Complete(h) => self.conn.complete(h, P::payload(self.next_seq, "")),
                };
                match result {
                    Ok(()) => {
                        // Admitted only under the budget; it added exactly one message.
                        let after = self.conn.stats().unacked_bytes;
                        assert!(before < BUDGET, "a send was admitted with {before} bytes unacknowledged");
                        assert!(after > before && after - before <= LARGEST_MESSAGE);
                        self.next_seq += 1;
                        self.queue.pop_front();
                        progressed = true;
                    }
                    Err(SendError::Backpressure) => {
                        assert!(before >= BUDGET, "back-pressure with only {before} bytes unacknowledged");
                        self.blocked = true;
                    }
                    Err(e) => panic!("send failed: {e:?}"),
                }
            }
            if !progressed {
                break;
            }
        }
        while let Some(t) = self.conn.poll_transmit() {
            self.in_flight.extend_from_slice(t.bytes);
        }
        assert!(self.conn.stats().unacked_bytes <= BUDGET + LARGEST_MESSAGE);
        assert!(!self.conn.is_closed(), "the connection closed: {:?}", self.conn);
    }
}

/// Hands up to `max` in-flight bytes of `from` to `to`; what `to` does not take stays in flight.
fn deliver<A: Wire, B: Wire>(from: &mut Side<A>, to: &mut Side<B>, now: Instant, max: usize) {
    let n = max.min(from.in_flight.len());
    let taken = to.conn.handle_input(now, &from.in_flight[..n]);
    from.in_flight.drain(..taken);
    to.settle();
}

#[derive(Debug, Clone)]
enum Op {
    ClientSends(Outgoing),
    ServerSends(Outgoing),
    /// Deliver up to this many bytes to the server (`None`: all of them).
    ToServer(Option<u16>),
    ToClient(Option<u16>),
    /// Milliseconds pass.
    Advance(u16),
    /// Both transports drop, with whatever was in flight.
    Drop,
    /// Both sides attach a new transport.
    Reconnect,
}

fn outgoing() -> impl Strategy<Value = Outgoing> {
    prop_oneof![any::<u8>().prop_map(Outgoing::Send), any::<u8>().prop_map(Outgoing::Invoke)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => outgoing().prop_map(Op::ClientSends),
        4 => outgoing().prop_map(Op::ServerSends),
        3 => proptest::option::of(1..400u16).prop_map(Op::ToServer),
        3 => proptest::option::of(1..400u16).prop_map(Op::ToClient),
        3 => (0..1500u16).prop_map(Op::Advance),
        1 => Just(Op::Drop),
        1 => Just(Op::Reconnect),
    ]
}

fn config(base: Config) -> Config {
    // Pings may go out; the peer timeout must never end the run. The server must not stop
    // reading at a blocking invocation: with its replay buffer full, the Completion that would
    // free the slot waits for an Ack that sits unread behind that invocation (.NET's receive
    // loop, blocked on the same semaphore, stalls alike until the client timeout).
    base.with_stateful_reconnect(true)
        .with_max_parallel_invocations(usize::MAX)
        .with_reconnect_buffer_size(BUDGET)
        .with_timeout(Duration::from_secs(86_400))
        .with_ack_interval(Duration::from_secs(1))
}

fn advance<A: Wire, B: Wire>(client: &mut Side<A>, server: &mut Side<B>, now: Instant) {
    client.conn.handle_timeout(now);
    server.conn.handle_timeout(now);
    client.settle();
    server.settle();
}

fn run<C: Wire, S: Wire>(client_protocol: C, server_protocols: Vec<S>, ops: &[Op]) {
    let mut now = Instant::from_millis(0);
    let mut client = Side::new(Connection::client(client_protocol, config(Config::client()), now));
    let mut server = Side::new(Connection::server(server_protocols, config(Config::server()), now));

    // The handshake, on the first transport.
    client.settle();
    deliver(&mut client, &mut server, now, usize::MAX);
    deliver(&mut server, &mut client, now, usize::MAX);
    assert_eq!((client.conn.state(), server.conn.state()), (State::Open, State::Open));

    for op in ops {
        match *op {
            Op::ClientSends(m) => {
                client.queue.push_back(m);
                client.settle();
            }
            Op::ServerSends(m) => {
                server.queue.push_back(m);
                server.settle();
            }
            Op::ToServer(max) => deliver(&mut client, &mut server, now, max.map_or(usize::MAX, usize::from)),
            Op::ToClient(max) => deliver(&mut server, &mut client, now, max.map_or(usize::MAX, usize::from)),
            Op::Advance(ms) => {
                now = Instant::from_millis(now.as_millis() + u64::from(ms));
                advance(&mut client, &mut server, now);
            }
            Op::Drop => {
                if client.conn.state() == State::Open {
                    client.in_flight.clear();
                    server.in_flight.clear();
                    client.conn.transport_lost(now);
                    server.conn.transport_lost(now);
                    assert_eq!((client.conn.state(), server.conn.state()), (State::Detached, State::Detached));
                    client.settle();
                    server.settle();
                }
            }
            Op::Reconnect => reconnect(&mut client, &mut server, now),
        }
    }

    // A last reconnect, then deliver everything and let time pass (for Acks) until quiet.
    reconnect(&mut client, &mut server, now);
    for _ in 0..1000 {
        deliver(&mut client, &mut server, now, usize::MAX);
        deliver(&mut server, &mut client, now, usize::MAX);
        let quiet = client.queue.is_empty()
            && server.queue.is_empty()
            && client.in_flight.is_empty()
            && server.in_flight.is_empty()
            && client.conn.stats().unacked_bytes == 0
            && server.conn.stats().unacked_bytes == 0;
        if quiet {
            break;
        }
        now = Instant::from_millis(now.as_millis() + 1000);
        advance(&mut client, &mut server, now);
    }
    let state = format!("client: {}; server: {}", client.report(), server.report());
    assert!(client.queue.is_empty() && server.queue.is_empty(), "sends never went out: {state}");
    assert_eq!(server.expect, client.next_seq, "the server missed messages: {state}");
    assert_eq!(client.expect, server.next_seq, "the client missed messages: {state}");
    assert!(client.calls.is_empty() && server.calls.is_empty(), "calls without completion: {state}");
    assert_eq!(client.conn.stats().unacked_bytes, 0, "never acknowledged: {state}");
    assert_eq!(server.conn.stats().unacked_bytes, 0, "never acknowledged: {state}");
}

fn reconnect<A: Wire, B: Wire>(client: &mut Side<A>, server: &mut Side<B>, now: Instant) {
    if client.conn.state() == State::Detached {
        assert!(client.conn.attach_transport(now));
        assert!(server.conn.attach_transport(now));
        client.settle();
        server.settle();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn json_pair(ops in proptest::collection::vec(op(), 1..150)) {
        run(JsonHubProtocol::new(), vec![JsonHubProtocol::new()], &ops);
    }

    #[test]
    fn msgpack_pair(ops in proptest::collection::vec(op(), 1..150)) {
        run(MessagePackHubProtocol::new(), vec![MessagePackHubProtocol::new()], &ops);
    }

    #[test]
    fn json_client_any_server(ops in proptest::collection::vec(op(), 1..150)) {
        run(JsonHubProtocol::new(), AnyProtocol::all().to_vec(), &ops);
    }

    #[test]
    fn msgpack_client_any_server(ops in proptest::collection::vec(op(), 1..150)) {
        run(MessagePackHubProtocol::new(), AnyProtocol::all().to_vec(), &ops);
    }
}
